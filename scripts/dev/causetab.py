#!/usr/bin/env python3
# causetab.py TAG GENS...: per-cause accuracy, one column per gen
import sys
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summary import load, pool
tag, gens = sys.argv[1], sys.argv[2:]
tabs = {g: pool(load(tag, g))[0] for g in gens}
causes = sorted(set(c for t in tabs.values() for c in t))
print(f"{'cause':<24}" + "".join(f"{g[-6:]:>8}" for g in gens))
for c in causes:
    row = f"{c:<24}"
    for g in gens:
        p = tabs[g].get(c)
        row += f"{p[1]/p[0]:>8.2f}" if p and p[0] else f"{'':>8}"
    print(row)
