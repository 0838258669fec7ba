#!/usr/bin/env python3
# details.py CAUSE GENS...: most common error details (digits stripped) for truth events of CAUSE
import sys, json, re, collections
cause, gens = sys.argv[1], sys.argv[2:]
for g in gens:
    c = collections.Counter()
    for s in (1, 2, 3):
        d = f"/work/data/{g}/seed{s}"
        want = set()
        for l in open(f"{d}/truth.jsonl"):
            t = json.loads(l)
            if t["kind"] == "truth_event" and t["cause"] == cause and t.get("record") == "error":
                want.add((t["terminal_id"], t["ts"]))
        for l in open(f"{d}/records.jsonl"):
            if '"error"' not in l: continue
            r = json.loads(l)
            if r.get("kind") == "error" and (r["terminal_id"], r["ts"]) in want:
                c[re.sub(r"\d+", "#", str(r.get("detail") or r.get("message") or ""))[:90]] += 1
    print("==", g, sum(c.values()))
    for k, v in c.most_common(8): print(f"  {v:5} {k}")
