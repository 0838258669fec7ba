#!/usr/bin/env python3
# evdiag.py GEN SEED FAULT_OR_CAUSE [BIN]: a fault's (or a cause's) events with posdoc's diagnoses
import sys; import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dg import joined
g, s, key = sys.argv[1], sys.argv[2], sys.argv[3]
b = sys.argv[4] if len(sys.argv) > 4 else "/work/bin/posdoc-held"
faults, evs, incs = joined(b, g, s)
for fid, f in faults.items():
    if fid == key or f["cause"] == key:
        print("FAULT", fid, f["cause"], f["scope"], len(f["terminals"]), f["start"], f["end"], f.get("description"))
for t, d in evs:
    if t.get("fault_id") == key or t["cause"] == key:
        if d is None: print(t["ts"], t["terminal_id"], t.get("code"), "NO DIAG"); continue
        ok = "  " if d["causes"][0]["cause"] == t["cause"] else "XX"
        print(ok, t["ts"][11:19], t["terminal_id"], t.get("fault_id"), d.get("code"), d["source"], " ".join(f"{c['cause']}:{c['p']:.2f}" for c in d["causes"][:3]), "|", d.get("incident_id"), "|", ",".join(f"{e['signal']}={e.get('value')}" for e in d["evidence"]))
