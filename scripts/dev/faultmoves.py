#!/usr/bin/env python3
# faultmoves.py TAGA TAGB: shared faults whose first incident or incident count changed between two binaries' results (gen, seed, fault, cause, first incident A, B, incidents A, B, start)
import json,glob,sys
A,B=sys.argv[1:3]
for g in "gen3 gen4 gen5 gen6 gen7 gen8 gen9 gen10 gen11 gen12 gen13 gen14 gen15 gen16 gen17 blind".split():
 for s in range(1,11):
  a=json.load(open(f'/work/res/{A}/{g}/{s}.json'))['incidents']['per_fault']
  b=json.load(open(f'/work/res/{B}/{g}/{s}.json'))['incidents']['per_fault']
  for x,y in zip(a,b):
    if x.get('incident_opened_at')!=y.get('incident_opened_at') or x['incidents']!=y['incidents']:
      print(g,s,x.get('fault_id'),x['cause'],x.get('incident_opened_at'),y.get('incident_opened_at'),x['incidents'],y['incidents'], x['start'])
