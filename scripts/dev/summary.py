#!/usr/bin/env python3
import json, sys, glob, os
tag, gens = sys.argv[1], sys.argv[2:]
def load(tag, g):
    out = []
    for f in sorted(glob.glob(f"/work/res/{tag}/{g}/*.json")):
        try: out.append(json.load(open(f)))
        except Exception: pass
    return out
def pool(runs):
    pc = {}; inc = {"faults":0,"detected":0,"incidents":0,"true_incidents":0,"distinct_incidents":0}; ds=[]; fs=[]
    for r in runs:
        for cause,(e,t1,t3) in r["fault_events"]["posdoc"]["per_cause"].items():
            p = pc.setdefault(cause,[0,0,0]); p[0]+=e; p[1]+=t1; p[2]+=t3
        i = r["incidents"]
        for k in inc: inc[k]+=i.get(k, 0)
        ds += i["delays_s"]; fs += i["delays_from_start_s"]
    return pc, inc, ds, fs
def med(v):
    v = sorted(v); return v[len(v)//2] if v else float('nan')
if __name__ == "__main__":
    # macro: averaged over causes on the set's runs pooled; macro/run: each
    # run's (one `posdoc eval` of one seed) averaged over runs — lower, since
    # a cause with one or two events in a run weighs as much as any.
    print(f"{'set':<7}{'top1':>7}{'macro':>7}{'m/run':>7}{'recall':>7}{'prec':>6}{'prec1':>6}{'d1st':>6}{'dstart':>7}")
    for g in gens:
        runs = load(tag, g)
        pc, inc, ds, fs = pool(runs)
        if not pc: continue
        per_run = [r["fault_events"]["posdoc"]["macro_top1"] for r in runs]
        e = sum(p[0] for p in pc.values()); t = sum(p[1] for p in pc.values())
        macro = sum(p[1]/p[0] for p in pc.values() if p[0])/len([p for p in pc.values() if p[0]])
        print(f"{g:<7}{t/e:>7.3f}{macro:>7.3f}{sum(per_run)/len(per_run):>7.3f}{inc['detected']/max(inc['faults'],1):>7.2f}{inc['true_incidents']/max(inc['incidents'],1):>6.2f}{inc['distinct_incidents']/max(inc['incidents'],1):>6.2f}{med(ds):>6.0f}{med(fs):>7.0f}")
