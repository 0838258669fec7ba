#!/usr/bin/env python3
"""validate.py DIR... -- check gen8 output against posdoc record format v1.

For every DIR: DIR/records.jsonl and DIR/truth.jsonl are checked line by line
(JSON, kinds, required fields, enums, identifiers, money, masked PANs, RFC 3339
times, per-terminal ordering within 60 s, referential integrity), and every failed
event (each `error`, each `txn` that timed out or carries a non-approval response
code) must have exactly one `truth_event` (matched on terminal, ts, code) and vice
versa.  Prints a per-cause coverage table (faults / fault events / background
events).  With 10 or more directories every cause must appear in at least
--min-faults truth faults.  Exit status 1 on any problem.
"""
import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from world import CAUSES  # noqa: E402

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN = re.compile(r"^\d{6}\*{6}\d{4}$")
APPROVALS = {"00"}

REQ = {
    "merchant": ["merchant_id", "mcc"],
    "site": ["site_id", "merchant_id"],
    "terminal": ["terminal_id", "vendor", "model"],
    "telemetry": ["ts", "terminal_id"],
    "error": ["ts", "terminal_id", "code"],
    "txn": ["ts", "terminal_id", "type", "amount", "currency"],
    "check": ["ts", "name", "result"],
    "maintenance": ["ts", "terminal_id", "action"],
    "complaint": ["ts", "complaint_id", "from", "merchant_id", "text"],
    "resolution": ["ts", "cause"],
}
TRUTH_REQ = {
    "truth": ["fault_id", "cause", "scope", "terminals", "start", "end"],
    "truth_event": ["ts", "terminal_id", "cause"],
}
ENUMS = {
    ("terminal", "network"): {"ethernet", "wifi", "cellular", "dialup"},
    ("merchant", "settlement"): {"direct", "indirect"},
    ("telemetry", "reboot"): {"power_loss", "watchdog", "crash", "user", "update"},
    ("telemetry", "key_check"): {"ok", "mismatch", "missing"},
    ("telemetry", "printer"): {"ok", "paper_out", "fault"},
    ("error", "stage"): {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"},
    ("txn", "type"): {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"},
    ("txn", "channel"): {"card_ic", "card_swipe", "nfc", "qr"},
    ("txn", "currency"): {"CNY", "156"},
    ("maintenance", "action"): {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"},
    ("complaint", "from"): {"merchant", "customer"},
}
COUNTERS = ["power_events", "keypad_errors", "card_reader_errors", "app_crashes"]


def pts(s):
    if not isinstance(s, str) or not RFC3339.match(s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def check_dir(d, problems, warn):
    P = lambda msg: problems.append("%s: %s" % (d, msg))  # noqa: E731
    recs = []
    inv_t, inv_m, inv_s = {}, {}, {}
    fname = os.path.join(d, "records.jsonl")
    if not os.path.exists(fname):
        P("records.jsonl missing")
        return None
    with open(fname, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError:
                P("records line %d: bad JSON" % ln)
                continue
            k = r.get("kind")
            if k not in REQ:
                P("records line %d: unknown kind %r" % (ln, k))
                continue
            for f in REQ[k]:
                if f not in r:
                    P("records line %d: %s without %s" % (ln, k, f))
            if k == "check" and not ("terminal_id" in r or "site_id" in r):
                P("records line %d: check without target" % ln)
            if k == "resolution" and not ("terminal_id" in r or "site_id" in r or "incident_id" in r):
                P("records line %d: resolution without target" % ln)
            if "ts" in r and pts(r["ts"]) is None:
                P("records line %d: bad ts %r" % (ln, r["ts"]))
            for (kk, f), allowed in ENUMS.items():
                if kk == k and f in r and r[f] not in allowed:
                    P("records line %d: %s.%s=%r not allowed" % (ln, k, f, r[f]))
            if "terminal_id" in r and (not isinstance(r["terminal_id"], str) or len(r["terminal_id"]) != 8):
                P("records line %d: terminal_id %r is not 8 characters" % (ln, r.get("terminal_id")))
            if "merchant_id" in r and (not isinstance(r["merchant_id"], str) or len(r["merchant_id"]) != 15):
                P("records line %d: merchant_id %r is not 15 characters" % (ln, r.get("merchant_id")))
            if k == "txn":
                if not isinstance(r.get("amount"), int) or r["amount"] < 0:
                    P("records line %d: amount not a non-negative integer" % ln)
                if "fee" in r and not isinstance(r["fee"], int):
                    P("records line %d: fee not integer" % ln)
                if "pan" in r and not PAN.match(r["pan"]):
                    P("records line %d: pan not masked" % ln)
                if "response_code" not in r and not r.get("timed_out"):
                    P("records line %d: txn neither answered nor timed out" % ln)
            if k == "merchant":
                for f in ("card_rate", "qr_rate"):
                    if f in r and not (isinstance(r[f], float) and 0 <= r[f] < 0.05):
                        P("records line %d: %s not a fraction" % (ln, f))
                inv_m[r["merchant_id"]] = r
            if k == "site":
                inv_s[r["site_id"]] = r
            if k == "terminal":
                inv_t[r["terminal_id"]] = r
            if k == "telemetry":
                pl = r.get("packet_loss")
                if pl is not None and not (0 <= pl <= 1):
                    P("records line %d: packet_loss out of range" % ln)
                for c in COUNTERS:
                    if c in r and (not isinstance(r[c], int) or r[c] < 0):
                        P("records line %d: %s not a count" % (ln, c))
                for c in ("storage_used_pct", "memory_used_pct", "cpu_pct", "battery_pct"):
                    if c in r and not (0 <= r[c] <= 100):
                        P("records line %d: %s out of range" % (ln, c))
            recs.append((ln, r))
    # referential integrity and per-terminal order
    last = {}
    failed = Counter()
    nkind = Counter()
    for ln, r in recs:
        k = r["kind"]
        nkind[k] += 1
        if k == "site" and r["merchant_id"] not in inv_m:
            P("records line %d: site of unknown merchant" % ln)
        if k == "terminal":
            if r.get("site_id") and r["site_id"] not in inv_s:
                P("records line %d: terminal at unknown site" % ln)
            if r.get("merchant_id") and r["merchant_id"] not in inv_m:
                P("records line %d: terminal of unknown merchant" % ln)
        if k in ("telemetry", "error", "txn", "maintenance") and r.get("terminal_id") not in inv_t:
            P("records line %d: %s of unknown terminal" % (ln, k))
        if k in ("telemetry", "error", "txn"):
            t = pts(r["ts"])
            tid = r["terminal_id"]
            if t is not None:
                if tid in last and t < last[tid] - 60:
                    P("records line %d: terminal %s out of order by %.0f s" % (ln, tid, last[tid] - t))
                last[tid] = max(last.get(tid, t), t)
        if k == "error":
            failed[(r["terminal_id"], r["ts"], r["code"])] += 1
        if k == "txn" and (r.get("timed_out") or ("response_code" in r and r["response_code"] not in APPROVALS)):
            failed[(r["terminal_id"], r["ts"], "timeout" if r.get("timed_out") else r["response_code"])] += 1
    for key, n in failed.items():
        if n > 1:
            P("failed event %s appears %d times (ambiguous match)" % (key, n))
    # truth
    tname = os.path.join(d, "truth.jsonl")
    if not os.path.exists(tname):
        P("truth.jsonl missing")
        return None
    faults = {}
    labels = Counter()
    ev_by_fault = Counter()
    bg_by_cause = Counter()
    fev_by_cause = Counter()
    with open(tname, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError:
                P("truth line %d: bad JSON" % ln)
                continue
            k = r.get("kind")
            if k not in TRUTH_REQ:
                P("truth line %d: unknown kind %r" % (ln, k))
                continue
            for f in TRUTH_REQ[k]:
                if f not in r:
                    P("truth line %d: %s without %s" % (ln, k, f))
            if r.get("cause") not in CAUSES:
                P("truth line %d: cause %r not in the contract" % (ln, r.get("cause")))
            if k == "truth":
                if r["fault_id"] in faults:
                    P("truth line %d: duplicate fault_id" % ln)
                faults[r["fault_id"]] = r
                if not isinstance(r["scope"], dict) or not r["scope"]:
                    P("truth line %d: empty scope" % ln)
                if not isinstance(r["terminals"], list) or not r["terminals"]:
                    P("truth line %d: no terminals" % ln)
                for tid in r.get("terminals", []):
                    if tid not in inv_t:
                        P("truth line %d: unknown terminal %s" % (ln, tid))
                a, b = pts(r.get("start")), pts(r.get("end"))
                if a is None or b is None or a > b:
                    P("truth line %d: bad start/end" % ln)
            else:
                if pts(r.get("ts")) is None:
                    P("truth line %d: bad ts" % ln)
                if r.get("terminal_id") not in inv_t:
                    P("truth line %d: unknown terminal" % ln)
                key = (r.get("terminal_id"), r.get("ts"), r.get("code"))
                labels[key] += 1
                if r.get("fault_id"):
                    ev_by_fault[r["fault_id"]] += 1
                    fev_by_cause[r["cause"]] += 1
                    if r["fault_id"] not in faults:
                        P("truth line %d: truth_event of unknown fault %s" % (ln, r["fault_id"]))
                    elif faults[r["fault_id"]]["cause"] != r["cause"]:
                        P("truth line %d: truth_event cause differs from its fault" % ln)
                else:
                    bg_by_cause[r["cause"]] += 1
    for key, n in failed.items():
        if labels.get(key, 0) != 1:
            P("failed event %s has %d truth_events" % (key, labels.get(key, 0)))
    for key, n in labels.items():
        if key not in failed:
            P("truth_event %s matches no failed event" % (key,))
    for fid, f in sorted(faults.items()):
        if ev_by_fault[fid] == 0:
            warn.append("%s: fault %s (%s) has no failed events (telemetry-only)" % (d, fid, f["cause"]))
    fault_causes = Counter(f["cause"] for f in faults.values())
    return dict(kinds=nkind, faults=fault_causes, fev=fev_by_cause, bg=bg_by_cause, nfaults=len(faults),
                nfailed=sum(failed.values()), nrec=len(recs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--min-faults", type=int, default=3, help="per cause, over all dirs (enforced with >=10 dirs)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    problems, warn = [], []
    tot_f, tot_fev, tot_bg = Counter(), Counter(), Counter()
    for d in a.dirs:
        st = check_dir(d, problems, warn)
        if st is None:
            continue
        tot_f.update(st["faults"])
        tot_fev.update(st["fev"])
        tot_bg.update(st["bg"])
        print("%-28s records=%6d faults=%3d failed_events=%5d  %s" % (
            d, st["nrec"], st["nfaults"], st["nfailed"],
            " ".join("%s=%d" % (k, v) for k, v in sorted(st["kinds"].items()))))
    print()
    print("%-26s %7s %12s %12s" % ("cause", "faults", "fault_events", "background"))
    for c in CAUSES:
        print("%-26s %7d %12d %12d" % (c, tot_f[c], tot_fev[c], tot_bg[c]))
    print("%-26s %7d %12d %12d" % ("total", sum(tot_f.values()), sum(tot_fev.values()), sum(tot_bg.values())))
    if len(a.dirs) >= 10:
        for c in CAUSES:
            if tot_f[c] < a.min_faults:
                problems.append("cause %s appears in only %d faults over %d dirs" % (c, tot_f[c], len(a.dirs)))
    if warn and not a.quiet:
        print("\nnotes (%d):" % len(warn))
        for w in warn[:40]:
            print("  " + w)
    if problems:
        print("\nPROBLEMS (%d):" % len(problems))
        for p in problems[:200]:
            print("  " + p)
        sys.exit(1)
    print("\nOK")


if __name__ == "__main__":
    main()
