#!/usr/bin/env python3
# evchg.py BINA BINB GEN [CAUSE]: events whose top-1 changed between two binaries
import sys; import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dg import joined
a, b, g = sys.argv[1:4]; cause = sys.argv[4] if len(sys.argv) > 4 else None
for s in range(1, 11):
    _, ea, _ = joined(f"/work/bin/posdoc-{a}", g, s); _, eb, _ = joined(f"/work/bin/posdoc-{b}", g, s)
    for (t, da), (_, db) in zip(ea, eb):
        if cause and t["cause"] != cause: continue
        if da and db and da["causes"][0]["cause"] != db["causes"][0]["cause"]:
            print(s, t["ts"][11:19], t["terminal_id"], t.get("fault_id"), t["cause"], da["causes"][0]["cause"], "->", db["causes"][0]["cause"], "|", ",".join(f"{e['signal']}={e.get('value')}" for e in db["evidence"])[:260])
