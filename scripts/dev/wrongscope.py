#!/usr/bin/env python3
# wrongscope.py BIN GENS: each found shared fault's first incident, by (true cause, true scope kind) -> (incident scope kind, incident cause); wrong causes only unless ALL=1 (V=1 lists them)
import sys, os, json, collections
sys.path.insert(0, os.path.dirname(__file__))
from dg import seeds, incidents, ts
binp, gens = sys.argv[1], sys.argv[2]
tally = collections.Counter(); right = collections.Counter(); rows = []
def kind(scope):
    return "+".join(sorted(k for k in (scope or {}) if k not in ("city",))) or "?"
for g, s in seeds(gens):
    incs = incidents(binp, g, s)
    for l in open(f"/work/data/{g}/seed{s}/truth.jsonl"):
        f = json.loads(l)
        if f["kind"] != "truth" or len(f["terminals"]) < 2: continue
        ft = set(f["terminals"])
        first = None
        for i in incs:
            mem = set(i.get("terminals", []))
            sh = len(mem & ft)
            if sh and 2 * sh >= len(mem) and ts(i["opened_at"]).timestamp() >= ts(f["start"]).timestamp() - 120 and (not f.get("end") or ts(i["opened_at"]).timestamp() <= ts(f["end"]).timestamp() + 600):
                first = i; break
        if not first: continue
        key = (f["cause"], kind(f["scope"]))
        ok = first.get("cause") == f["cause"]
        right[key] += ok
        if ok and not os.environ.get("ALL"): continue
        k2 = key + (kind(first.get("scope")), first.get("cause"))
        tally[k2] += 1
        rows.append((g, s, f["fault_id"], len(ft), k2, len(first.get("terminals", []))))
for k, n in tally.most_common():
    print(f"{n:4d}  {k[0]:24s} {k[1]:22s} -> {k[2]:22s} {k[3]}  (right {right[k[:2]]})")
if os.environ.get("V"):
    for r in rows: print(*r)
