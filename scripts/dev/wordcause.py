#!/usr/bin/env python3
# wordcause.py WORD[,WORD] GENS...: truth causes of error events whose detail (lowercased) contains WORD
# (FAULTS=1: only the events of injected faults, which are what the accuracy figures score;
# otherwise background events too — a fleet's everyday declines and cashiers' slips)
import sys, json, collections, os
faults_only = os.environ.get("FAULTS") == "1"
words = sys.argv[1].lower().split(","); gens = sys.argv[2:]
for g in gens:
    c = collections.Counter()
    for s in (1, 2, 3, 4):
        d = f"/work/data/{g}/seed{s}"
        hit = {}
        for l in open(f"{d}/records.jsonl"):
            if '"error"' not in l and '"log"' not in l: continue
            r = json.loads(l)
            txt = (str(r.get("detail") or "") + " " + str(r.get("message") or "")).lower()
            if any(w in txt for w in words): hit[(r["terminal_id"], r["ts"])] = 1
        for l in open(f"{d}/truth.jsonl"):
            t = json.loads(l)
            if t["kind"] == "truth_event" and (t["terminal_id"], t["ts"]) in hit and (t.get("fault_id") or not faults_only): c[t["cause"]] += 1
    if c: print(g, dict(c.most_common(6)))
