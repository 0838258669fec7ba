#!/usr/bin/env python3
# conf.py TAG CAUSE GENS...: what posdoc said for CAUSE's events (and what was said as CAUSE wrongly)
import sys, json, glob, collections
tag, cause, gens = sys.argv[1], sys.argv[2], sys.argv[3:]
for g in gens:
    a = collections.Counter(); b = collections.Counter()
    for f in glob.glob(f"/work/res/{tag}/{g}/*.json"):
        for t, p, k in json.load(open(f))["fault_events"]["posdoc"]["confusions"]:
            if t == cause: a[p] += k
            if p == cause: b[t] += k
    print(f"{g:<6} as: {dict(a.most_common(5))}   from: {dict(b.most_common(4))}")
