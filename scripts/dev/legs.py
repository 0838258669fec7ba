#!/usr/bin/env python3
# legs.py TAG GENS...: where each shared fault's time to incident goes, per cause (pooled)
import sys, json, glob, datetime
tag, gens = sys.argv[1], sys.argv[2:]
def at(s): return datetime.datetime.fromisoformat(s.replace("Z","+00:00")).timestamp() if s else None
def med(v): v=sorted(v); return f"{v[len(v)//2]:.0f}" if v else "-"
legs = {}
allS=[]
for g in gens:
  for f in glob.glob(f"/work/res/{tag}/{g}/*.json"):
    for x in json.load(open(f))["incidents"]["per_fault"]:
        st,a,b,i = (at(x[k]) for k in ("start","first_failure","second_terminal_failure","incident_opened_at"))
        q = legs.setdefault(x["cause"], {"n":0,"found":0,"inc":0,"a":[],"b":[],"i":[],"s":[]})
        q["n"]+=1; q["inc"]+=x["incidents"]
        if i is not None: q["found"]+=1; q["s"].append(i-st); allS.append(i-st)
        if a is not None:
            q["a"].append(a-st)
            if b is not None:
                q["b"].append(b-a)
                if i is not None: q["i"].append(i-b)
print(f"{'cause':<24}{'n':>5}{'found':>6}{'inc':>5}{'toinc':>7}  start>1st  1st>2nd  2nd>inc")
for c in sorted(legs):
    q=legs[c]; print(f"{c:<24}{q['n']:>5}{q['found']:>6}{q['inc']:>5}{med(q['s']):>7}  {med(q['a']):>8} {med(q['b']):>8} {med(q['i']):>8}")
print("all", med(allS), len(allS))
