#!/usr/bin/env python3
# incs.py GEN SEED BIN [KIND]: a binary's incidents on one seed, each with the truth faults its members share (* = counts as true)
import sys, json, subprocess, collections
from datetime import datetime
g, seed, binp = sys.argv[1:4]
kind = sys.argv[4] if len(sys.argv) > 4 else None
d = f"/work/data/{g}/seed{seed}"
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
out = subprocess.run([binp, "diagnose", "-i", d + "/records.jsonl", "--no-progress"], capture_output=True, text=True).stdout
last = {}
for l in out.splitlines():
    if '"kind":"incident"' in l:
        r = json.loads(l); last[r["incident_id"]] = r
incs = list(last.values())
faults = [json.loads(l) for l in open(d + "/truth.jsonl") if '"truth"' in l[:20]]
for i in incs:
    if i.get("kind") != "incident": continue
    if kind and kind not in json.dumps(i.get("scope")): continue
    mem = set(i.get("terminals", []))
    best = []
    for f in faults:
        sh = len(mem & set(f["terminals"]))
        if sh:
            ok = 2 * sh >= len(mem) and len(f["terminals"]) >= 2 and ts(i["opened_at"]) >= ts(f["start"]) - 120 and (not f.get("end") or ts(i["opened_at"]) <= ts(f["end"]) + 600)
            best.append(("*" if ok else "") + f"{f['fault_id']}:{f['cause']}:{sh}/{len(f['terminals'])}")
    best.sort(key=lambda b: -int(b.rsplit(":", 1)[1].split("/")[0])); print(i["incident_id"], i["opened_at"][11:19], (i.get("closed_at") or "")[11:19], i.get("cause"), json.dumps(i.get("scope")), len(mem), " ".join(best[:4]))
