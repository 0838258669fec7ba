#!/usr/bin/env python3
# falseinc.py BIN GENS...: incidents matching no shared fault (as posdoc eval counts them), by scope kind and cause, with what their members' faults were
import sys, json, subprocess, collections
from datetime import datetime
from concurrent.futures import ThreadPoolExecutor
binp, gens = sys.argv[1], sys.argv[2:]
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
def one(gs):
    g, s = gs
    d = f"/work/data/{g}/seed{s}"
    out = subprocess.run([binp, "diagnose", "-i", d + "/records.jsonl", "--no-progress"], capture_output=True, text=True).stdout
    last = {}
    for l in out.splitlines():
        if '"kind":"incident"' in l:
            r = json.loads(l); last[r["incident_id"]] = r
    faults = [json.loads(l) for l in open(d + "/truth.jsonl") if '"truth"' in l[:20]]
    res = []
    for i in last.values():
        if i.get("merged_into"): continue
        mem = set(i.get("terminals", []))
        if not mem: continue
        ok = any(2 * len(mem & set(f["terminals"])) >= len(mem) and len(f["terminals"]) >= 2 and ts(i["opened_at"]) >= ts(f["start"]) - 120 and (not f.get("end") or ts(i["opened_at"]) <= ts(f["end"]) + 600) for f in faults)
        if ok: continue
        kinds = collections.Counter()
        for t in mem:
            fs = [f["cause"] + ("" if len(f["terminals"]) > 1 else "(1)") for f in faults if t in f["terminals"]]
            kinds[",".join(sorted(fs)) or "none"] += 1
        res.append((g, s, list(i["scope"].keys())[0] if isinstance(i["scope"], dict) else "?", i.get("cause"), len(mem), i["incident_id"], dict(kinds.most_common(3))))
    return res
jobs = [(g, s) for g in gens for s in range(1, 11)]
allr = []
with ThreadPoolExecutor(2) as ex:
    for r in ex.map(one, jobs): allr += r
by = collections.Counter((r[2], r[3]) for r in allr)
for k, v in by.most_common(): print(v, k)
if "-v" in sys.argv[0:1] or __import__("os").environ.get("V"):
    for r in allr: print(r)
