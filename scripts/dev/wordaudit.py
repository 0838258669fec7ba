#!/usr/bin/env python3
"""wordaudit.py BIN [GENS] [N]: the knowledge base's words that posdoc misreads most.

For each log pattern of kb/evidence.toml and each of its words (the first
the line carries), the fault events whose error line carries it: how many
there are, how many BIN got wrong, and the commonest (true, read as)
pairs. GENS is comma-separated (all outside sets by default). A word
whose misreads are mostly one pair is where to look: "mem full" read as
storage on gen13 was.
"""
import collections, os, sys, tomllib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dg import error_details, joined, seeds

bin_ = sys.argv[1]
gens = sys.argv[2] if len(sys.argv) > 2 else "gen3,gen4,gen5,gen6,gen7,gen8,gen9,gen10,gen11,gen12,gen13,gen14,gen15,gen16,gen17,blind"
most = int(sys.argv[3]) if len(sys.argv) > 3 else 30
kb_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../kb/evidence.toml")
patterns = [(p["id"], [w.lower() for w in p.get("any", [])], p.get("none", []))
            for p in tomllib.load(open(kb_path, "rb"))["pattern"]]
wrong = collections.defaultdict(collections.Counter)
seen = collections.Counter()
for g, s in seeds(gens):
    detail = {k: v.lower() for k, v in error_details(g, s).items()}
    _, events, _ = joined(bin_, g, s)
    for t, d in events:
        text = detail.get((t["terminal_id"], t["ts"], t.get("code")))
        if not t.get("fault_id") or d is None or not text:
            continue
        read_as = d["causes"][0]["cause"]
        for pid, words, none in patterns:
            if any(n in text for n in none):
                continue
            word = next((w for w in words if w in text), None)
            if word is None:
                continue
            seen[(pid, word)] += 1
            if read_as != t["cause"]:
                wrong[(pid, word)][(t["cause"], read_as)] += 1
rows = sorted(((sum(c.values()), k, c) for k, c in wrong.items()), reverse=True)[:most]
for n, (pid, word), c in rows:
    print(f"{n:5} of {seen[(pid, word)]:6}  {pid:20} {word!r:28} {c.most_common(3)}")
