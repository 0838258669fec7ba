#!/usr/bin/env python3
"""wrongtext.py BIN GENS SEEDS [N]: misread events grouped by their error line.

Each failed event whose top-1 is wrong, keyed by (true cause, set, the error
line with digits as # and quoted keys as 'X', what it was read as), most
frequent first. GENS and SEEDS are comma-separated (gen9,gen12 1,2,3); with
FAULTS=1, only events of a fault (those `eval` scores). A line
that names its cause plainly and is still misread points at missing words or
at evidence that outweighs them; that is where accuracy work starts.
"""
import collections, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dg import error_details, joined

bin_, gens, seeds = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
most = int(sys.argv[4]) if len(sys.argv) > 4 else 60
faults_only = os.environ.get("FAULTS") == "1"
count = collections.Counter()
for g in gens:
    for s in seeds:
        detail = error_details(g, s)
        _, events, _ = joined(bin_, g, s)
        for t, d in events:
            text = detail.get((t["terminal_id"], t["ts"], t.get("code")))
            if d is None or text is None or d["causes"][0]["cause"] == t["cause"]:
                continue
            if faults_only and not t.get("fault_id"):
                continue
            shape = re.sub(r"\d+", "#", re.sub(r"'.'", "'X'", text))[:70]
            count[(t["cause"], g, shape, d["causes"][0]["cause"])] += 1
for (cause, g, shape, read_as), n in count.most_common(most):
    print(f"{n:5} {cause:24} {g:6} {shape}  -> {read_as}")
