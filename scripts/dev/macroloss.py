#!/usr/bin/env python3
# macroloss.py TAG GENS...: which causes cost the most accuracy averaged over causes, summed over sets (points of the mean over sets)
import sys, json, glob, collections
tag, gens = sys.argv[1], sys.argv[2:]
tot = collections.Counter(); per = collections.defaultdict(dict)
for g in gens:
    pc = collections.defaultdict(lambda: [0, 0])
    for f in glob.glob(f"/work/res/{tag}/{g}/*.json"):
        for c, (e, r, _) in json.load(open(f))["fault_events"]["posdoc"]["per_cause"].items():
            pc[c][0] += e; pc[c][1] += r
    n = len(pc)
    for c, (e, r) in pc.items():
        loss = (1 - r / e) / n / len(gens) if e else 0
        tot[c] += loss; per[c][g] = round(100 * (1 - r / e) / n, 1) if e else 0
for c, v in tot.most_common(int(__import__("os").environ.get("TOP", "14"))):
    worst = sorted(per[c].items(), key=lambda x: -x[1])[:4]
    print(f"{c:26s} {100 * v:5.2f}  worst sets: {worst}")
