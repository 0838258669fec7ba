#!/usr/bin/env python3
# sigtruth.py BIN SIGNAL GENS...: truth causes of events whose diagnosis carries SIGNAL (present), and top-1 accuracy on them
import sys, collections; import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dg import joined
b, sig, gens = sys.argv[1], sys.argv[2], sys.argv[3:]
for g in gens:
    c = collections.Counter(); ok = 0; n = 0
    for s in range(1, 11):
        try: _, evs, _ = joined(f"/work/bin/posdoc-{b}", g, s)
        except Exception: continue
        for t, d in evs:
            if d and any(e["signal"] == sig for e in d["evidence"]):
                c[t["cause"]] += 1; n += 1; ok += d["causes"][0]["cause"] == t["cause"]
    if n: print(f"{g:<7} n={n} top1={ok/n:.2f}", dict(c.most_common(6)))
