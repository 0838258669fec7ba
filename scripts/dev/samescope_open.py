#!/usr/bin/env python3
# samescope_open.py BIN GENS(comma): pairs of incidents of one scope open at the same time
import sys, json
sys.path.insert(0, '/work/main/scripts/dev')
from dg import incidents, seeds, ts
b = sys.argv[1]
for g, s in seeds(sys.argv[2]):
    incs = incidents(b, g, s)
    for a, i in enumerate(incs):
        for j in incs[a + 1:]:
            if i['scope'] == j['scope'] and (i.get('closed_at') is None or ts(i['closed_at']) > ts(j['opened_at'])):
                print(g, s, i['incident_id'], j['incident_id'], json.dumps(i['scope']), i['cause'], j['cause'],
                      i['opened_at'][11:19], j['opened_at'][11:19], (i.get('closed_at') or '')[11:19])
