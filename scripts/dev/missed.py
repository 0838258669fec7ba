#!/usr/bin/env python3
# missed.py TAG GEN: shared faults with no incident (or the wrong cause)
import sys, json, glob, collections
tag, g = sys.argv[1:3]
c = collections.Counter()
for f in sorted(glob.glob(f"/work/res/{tag}/{g}/*.json")):
    s = f.split("/")[-1][:-5]
    for x in json.load(open(f))["incidents"]["per_fault"]:
        if x.get("incident_opened_at") is None:
            c[x["cause"]] += 1
            print(s, x["fault_id"], x["cause"], x["terminals"], x.get("first_failure"), x.get("second_terminal_failure"))
print(c)
