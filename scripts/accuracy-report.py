#!/usr/bin/env python3
"""Pools `posdoc eval --json` runs: DIR/1/eval.json .. DIR/N/eval.json.

Usage: scripts/accuracy-report.py DIR N   (scripts/accuracy.sh writes them)
"""
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
pooled = {}
confusions = {}
for s in range(1, n + 1):
    r = json.load(open(f"{d}/{s}/eval.json"))["fault_events"]
    for who in ("posdoc", "checklist"):
        for cause, (events, top1, top3) in r[who]["per_cause"].items():
            p = pooled.setdefault(cause, {}).setdefault(who, [0, 0, 0])
            p[0] += events; p[1] += top1; p[2] += top3
    for t, p, k in r["posdoc"]["confusions"]:
        confusions[(t, p)] = confusions.get((t, p), 0) + k
print(f"{'cause':<26}{'events':>7}{'posdoc':>8}{'top3':>7}{'checklist':>10}")
macro = {"posdoc": [], "checklist": []}
tot = {"posdoc": [0, 0], "checklist": [0, 0]}
for cause in sorted(pooled):
    row = pooled[cause]
    e = row["posdoc"][0]
    for who in macro:
        macro[who].append(row[who][1] / max(row[who][0], 1))
        tot[who][0] += row[who][0]; tot[who][1] += row[who][1]
    print(f"{cause:<26}{e:>7}{row['posdoc'][1]/e:>8.2f}{row['posdoc'][2]/e:>7.2f}{row['checklist'][1]/max(row['checklist'][0],1):>10.2f}")
for who in macro:
    print(f"{who:<10} top-1 {tot[who][1]/tot[who][0]:.3f}   averaged over causes {sum(macro[who])/len(macro[who]):.3f}")
inc = {"faults": 0, "detected": 0, "incidents": 0, "true_incidents": 0, "distinct_incidents": 0}
delays, from_start = [], []
for s in range(1, n + 1):
    i = json.load(open(f"{d}/{s}/eval.json"))["incidents"]
    for k in inc:
        inc[k] += i[k]
    delays += i["delays_s"]
    from_start += i["delays_from_start_s"]
def median(v):
    v = sorted(v)
    return f"{v[len(v) // 2]:.0f} s" if v else "-"
if inc["faults"]:
    print(f"incidents  recall {inc['detected']}/{inc['faults']} = {inc['detected'] / inc['faults']:.2f}   "
          f"precision {inc['true_incidents']}/{inc['incidents']} = {inc['true_incidents'] / max(inc['incidents'], 1):.2f}   "
          f"one incident per fault {inc['distinct_incidents']}/{inc['incidents']} = {inc['distinct_incidents'] / max(inc['incidents'], 1):.2f}   "
          f"median time to incident from fault start {median(from_start)}, from first failure {median(delays)}")
# Where each shared fault's time to incident went: from its start to its
# first failure, to a second terminal's first failure (the data), and on to
# the incident (the engine). Medians over the faults of each cause.
import datetime
def at(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() if s else None
legs = {}
for s in range(1, n + 1):
    for f in json.load(open(f"{d}/{s}/eval.json"))["incidents"]["per_fault"]:
        st, a, b, i = (at(f[k]) for k in ("start", "first_failure", "second_terminal_failure", "incident_opened_at"))
        q = legs.setdefault(f["cause"], {"faults": 0, "found": 0, "incidents": 0, "a": [], "b": [], "i": [], "s": []})
        q["faults"] += 1; q["incidents"] += f["incidents"]
        if i is not None:
            q["found"] += 1; q["s"].append(i - st)
        if a is not None:
            q["a"].append(a - st)
            if b is not None:
                q["b"].append(b - a)
                if i is not None:
                    q["i"].append(i - b)
if legs:
    print(f"{'shared fault cause':<26}{'faults':>7}{'found':>6}{'incidents':>10}{'to incident':>12}   legs: start>1st failure>2nd terminal>incident")
    for cause in sorted(legs):
        q = legs[cause]
        print(f"{cause:<26}{q['faults']:>7}{q['found']:>6}{q['incidents']:>10}{median(q['s']):>12}   {median(q['a'])} > {median(q['b'])} > {median(q['i'])}")
print("confusions (true -> predicted):")
for (t, p), k in sorted(confusions.items(), key=lambda x: -x[1])[:12]:
    print(f"  {k:>5}  {t} -> {p}")
