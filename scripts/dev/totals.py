#!/usr/bin/env python3
# totals.py TAG...: incidents, distinct (one per fault), true, faults, found, pooled over the outside sets, with both precisions and recall
import json,glob,sys
for tag in sys.argv[1:]:
  tot=dict(inc=0,dist=0,true=0,faults=0,found=0)
  for f in glob.glob(f"/work/res/{tag}/*/*.json"):
    if "/sim" in f: continue
    i=json.load(open(f))["incidents"]
    tot["inc"]+=i["incidents"]; tot["dist"]+=i["distinct_incidents"]; tot["true"]+=i["true_incidents"]; tot["faults"]+=i["faults"]; tot["found"]+=i["detected"]
  print(tag,tot, "prec %.3f prec1 %.3f recall %.3f"%(tot["true"]/tot["inc"], tot["dist"]/tot["inc"], tot["found"]/tot["faults"]))
