#!/usr/bin/env python3
# samescope_open.py BIN GENS(comma): pairs of incidents of one scope open at the same time
import sys,json,os,datetime,collections
sys.path.insert(0,'/work/main/scripts/dev')
from dg import diag
def ts(s): return datetime.datetime.fromisoformat(s.replace('Z','+00:00'))
b=sys.argv[1]
for g in sys.argv[2].split(','):
  for s in range(1,11):
    if not os.path.exists(f"/work/data/{g}/seed{s}"): continue
    last={}
    for r in diag(b,g,s):
      if r['kind']=='incident': last[r['incident_id']]=r
    incs=sorted([v for v in last.values() if not v.get('merged_into')],key=lambda i:i['opened_at'])
    for a in range(len(incs)):
      for c in range(a+1,len(incs)):
        i,j=incs[a],incs[c]
        if i['scope']!=j['scope']: continue
        if i.get('closed_at') is None or ts(i['closed_at'])>ts(j['opened_at']):
          print(g,s,i['incident_id'],j['incident_id'],json.dumps(i['scope']),i['cause'],j['cause'],i['opened_at'][11:19],j['opened_at'][11:19],(i.get('closed_at') or '')[11:19])
