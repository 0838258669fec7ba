#!/usr/bin/env python3
"""closedinc.py BIN GENS...: would a closed release incident's cause help?

For each fault event with no open incident whose terminal was a member of a
release incident (firmware, app version, model) that closed within the last
four hours: whether BIN reads it right now, and whether that incident's
cause is its true cause. With SAME_CODE=1, only events whose code the
terminal itself failed with inside that incident. Counts pooled at the end.
"""
import collections, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dg import diag, incidents, joined, ts

RELEASE_SCOPES = {"firmware", "app_version", "model"}
HOLD_S = 4 * 3600
same_code = os.environ.get("SAME_CODE") == "1"
bin_ = sys.argv[1]
total = collections.Counter()
for g in sys.argv[2:]:
    count = collections.Counter()
    for s in map(str, range(1, 11)):
        if not os.path.exists(f"/work/data/{g}/seed{s}"):
            continue
        _, events, _ = joined(bin_, g, s)
        codes = collections.defaultdict(set)
        for r in diag(bin_, g, s):
            if r["kind"] == "diagnosis" and r.get("incident_id"):
                codes[(r["incident_id"], r["terminal_id"])].add(r["code"])
        closed = [i for i in incidents(bin_, g, s) if set(i["scope"]) & RELEASE_SCOPES and i.get("closed_at")]
        for t, d in events:
            if d is None or not t.get("fault_id") or d.get("incident_id"):
                continue
            at = ts(t["ts"])
            held = None
            for i in closed:
                gone = (at - ts(i["closed_at"])).total_seconds()
                if t["terminal_id"] in i["terminals"] and 0 <= gone <= HOLD_S and (
                    not same_code or d["code"] in codes[(i["incident_id"], t["terminal_id"])]
                ):
                    held = i
            if held:
                now = "now_right" if d["causes"][0]["cause"] == t["cause"] else "now_wrong"
                inc = "incident_right" if held["cause"] == t["cause"] else "incident_wrong"
                count[(now, inc)] += 1
    total.update(count)
    print(g, dict(count))
print("all", dict(total))
