#!/usr/bin/env python3
"""quick summary of a generated seed: faults, events per fault, background causes"""
import json, sys, collections
d = sys.argv[1]
tr = [json.loads(l) for l in open(d + "/truth.jsonl")]
faults = [t for t in tr if t["kind"] == "truth"]
ev = [t for t in tr if t["kind"] == "truth_event"]
byf = collections.defaultdict(collections.Counter)
bg = collections.Counter()
for e in ev:
    if e.get("fault_id"):
        byf[e["fault_id"]][e["code"]] += 1
    else:
        bg[(e["cause"], e["code"])] += 1
for f in faults:
    c = byf[f["fault_id"]]
    print("%-7s %-24s %-28s %-45s n=%-3d %s-%s ev=%-4d %s" % (f["fault_id"], f["cause"], f.get("variant", ""), json.dumps(f["scope"], ensure_ascii=False)[:45],
          len(f["terminals"]), f["start"][11:16], f["end"][11:16], sum(c.values()), dict(c.most_common(6))))
print("background:", sum(bg.values()))
for k, v in bg.most_common(30):
    print("   ", k, v)
