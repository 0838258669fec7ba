#!/usr/bin/env python3
# cdiff.py TAGA TAGB GENS...: per-cause top-1 accuracy changes
import sys
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summary import load, pool
a, b, gens = sys.argv[1], sys.argv[2], sys.argv[3:]
for g in gens:
    pa = pool(load(a, g))[0]; pb = pool(load(b, g))[0]
    for c in sorted(set(pa) | set(pb)):
        x = pa.get(c, [0,0,0]); y = pb.get(c, [0,0,0])
        if x[1] != y[1]:
            print(f"{g:<7}{c:<26}{x[0]:>6} {x[1]/max(x[0],1):.3f} -> {y[1]/max(y[0],1):.3f} ({y[1]-x[1]:+d})")
