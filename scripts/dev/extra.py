#!/usr/bin/env python3
# extra.py BIN GENS(comma): each found fault's second and later incidents, classed (concurrent or sequential, scope kinds, cause), with examples
import sys,json,collections
sys.path.insert(0,'/work/main/scripts/dev')
from dg import incidents, seeds, ts
b=sys.argv[1]
C=collections.Counter(); ex=collections.defaultdict(list); CC=collections.Counter()
for g, s in seeds(sys.argv[2]):
  incs=incidents(b,g,s)
  faults=[json.loads(l) for l in open(f"/work/data/{g}/seed{s}/truth.jsonl")]
  faults=[f for f in faults if f['kind']=='truth' and len(f['terminals'])>=2]
  def isf(f,i):
    if not i['terminals']: return False
    sh=sum(1 for t in i['terminals'] if t in f['terminals'])
    o=ts(i['opened_at'])
    return 2*sh>=len(i['terminals']) and (o-ts(f['start'])).total_seconds()>=-120 and (f.get('end') is None or (o-ts(f['end'])).total_seconds()<=600)
  def jac(f,i):
    a=set(f['terminals']); bb=set(i['terminals']); return len(a&bb)/len(a|bb)
  claimed={}
  for i in incs:
    fs=[f for f in faults if isf(f,i)]
    if not fs: C['false']+=1; continue
    f=max(fs,key=lambda f:jac(f,i))
    if f['fault_id'] not in claimed: claimed[f['fault_id']]=[i]; C['first']+=1; continue
    prev=list(claimed[f['fault_id']]); claimed[f['fault_id']].append(i)
    o=ts(i['opened_at'])
    conc=[j for j in prev if j.get('closed_at') is None or ts(j['closed_at'])>o]
    if conc:
      j=conc[-1]
      key=('concurrent','same' if j['scope']==i['scope'] else list(j['scope'])[0]+'->'+list(i['scope'])[0])
    else:
      j=prev[-1]; gap=(o-ts(j['closed_at'])).total_seconds()
      key=('sequential','same' if j['scope']==i['scope'] else list(j['scope'])[0]+'->'+list(i['scope'])[0], 'gap<1h' if gap<3600 else 'gap>1h')
    C[key[:2]]+=1; CC[key+(f['cause'],)]+=1; ex[key+(f['cause'],)].append(f"{g}/{s} {j['incident_id']} {i['incident_id']}")
for k,n in C.most_common(40): print(n,k)
print()
for k,n in CC.most_common(30): print(n,k,ex[k][:3])
