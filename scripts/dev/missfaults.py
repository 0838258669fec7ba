#!/usr/bin/env python3
# missfaults.py TAGA TAGB GEN: shared faults detected by one and not the other; incident counts changed
import sys, json, glob
a, b, g = sys.argv[1:4]
for f in sorted(glob.glob(f"/work/res/{a}/{g}/*.json")):
    s = f.split("/")[-1][:-5]
    fa = {x["fault_id"]: x for x in json.load(open(f))["incidents"]["per_fault"]}
    fb = {x["fault_id"]: x for x in json.load(open(f"/work/res/{b}/{g}/{s}.json"))["incidents"]["per_fault"]}
    for k in fa:
        x, y = fa[k], fb.get(k, {})
        if (x.get("incident_opened_at") is None) != (y.get("incident_opened_at") is None) or x.get("incident_cause") != y.get("incident_cause"):
            print(s, k, x["cause"], x["terminals"], "|", x.get("incident_cause"), x.get("incident_opened_at"), "->", y.get("incident_cause"), y.get("incident_opened_at"))
    ia = json.load(open(f))["incidents"]; ib = json.load(open(f"/work/res/{b}/{g}/{s}.json"))["incidents"]
    if (ia["incidents"], ia["true_incidents"]) != (ib["incidents"], ib["true_incidents"]):
        print(s, "incidents", ia["incidents"], ia["true_incidents"], "->", ib["incidents"], ib["true_incidents"])
