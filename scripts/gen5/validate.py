#!/usr/bin/env python3
"""Validate gen5 output directories against the posdoc record format v1.

usage: python3 validate.py DIR [DIR ...]
Each DIR holds records.jsonl and truth.jsonl.  Exit status 1 if any error.
"""
import collections
import datetime as dt
import json
import os
import re
import sys

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board",
    "power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
    "software.incompatible", "software.config", "transmission.corruption", "security.keys",
    "security.certificate", "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]
INPUT_KINDS = {"merchant", "site", "terminal", "telemetry", "txn", "error", "check", "maintenance", "complaint"}
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
}
ENUMS = {
    ("error", "stage"): {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"},
    ("txn", "type"): {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"},
    ("txn", "channel"): {"card_ic", "card_swipe", "nfc", "qr"},
    ("txn", "currency"): {"CNY", "156"},
    ("terminal", "network"): {"ethernet", "wifi", "cellular"},
    ("merchant", "settlement"): {"direct", "indirect"},
    ("telemetry", "reboot"): {"power_loss", "watchdog", "crash", "user", "update"},
    ("telemetry", "key_check"): {"ok", "mismatch", "missing"},
    ("telemetry", "printer"): {"ok", "paper_out", "fault"},
    ("maintenance", "action"): {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"},
    ("complaint", "from"): {"merchant", "customer"},
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN = re.compile(r"^\d{6}\*{3,9}\d{4}$")
CAUSE_RE = re.compile("|".join(re.escape(c) for c in CAUSES))


def parse_ts(s):
    if not isinstance(s, str) or not RFC3339.match(s):
        return None
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def strings(o):
    if isinstance(o, str):
        yield o
    elif isinstance(o, dict):
        for k, v in o.items():
            yield k
            yield from strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from strings(v)


def validate(d):
    errs = []

    def E(msg):
        if len(errs) < 50:
            errs.append(msg)
        elif len(errs) == 50:
            errs.append("... more errors suppressed")

    recs = []
    tids, mids = set(), set()
    last_ts = {}
    failed = collections.Counter()
    kinds = collections.Counter()
    with open(os.path.join(d, "records.jsonl"), encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError:
                E("records:%d bad json" % ln)
                continue
            k = r.get("kind")
            kinds[k] += 1
            if k not in INPUT_KINDS:
                E("records:%d kind %r not an input kind" % (ln, k))
                continue
            for f in REQ[k]:
                if f not in r:
                    E("records:%d %s missing %s" % (ln, k, f))
            if k == "check" and not ("terminal_id" in r or "site_id" in r):
                E("records:%d check without target" % ln)
            if "ts" in r and parse_ts(r["ts"]) is None:
                E("records:%d bad ts %r" % (ln, r["ts"]))
            for (kk, f), allowed in ENUMS.items():
                if kk == k and f in r and r[f] not in allowed:
                    E("records:%d %s.%s=%r" % (ln, k, f, r[f]))
            if "terminal_id" in r and (not isinstance(r["terminal_id"], str) or len(r["terminal_id"]) != 8):
                E("records:%d bad terminal_id %r" % (ln, r["terminal_id"]))
            if "merchant_id" in r and (not isinstance(r["merchant_id"], str) or len(r["merchant_id"]) != 15):
                E("records:%d bad merchant_id %r" % (ln, r["merchant_id"]))
            if "pan" in r and not PAN.match(str(r["pan"])):
                E("records:%d unmasked pan %r" % (ln, r["pan"]))
            if k == "txn":
                if not isinstance(r.get("amount"), int):
                    E("records:%d amount not int" % ln)
                if "response_code" in r and not isinstance(r["response_code"], str):
                    E("records:%d response_code not str" % ln)
                if r.get("timed_out") and "response_code" in r:
                    E("records:%d timed out with response_code" % ln)
            if k == "telemetry":
                pl = r.get("packet_loss")
                if pl is not None and not (0 <= pl <= 1):
                    E("records:%d packet_loss out of range" % ln)
            for s in strings(r):
                if CAUSE_RE.search(s):
                    E("records:%d names a cause id: %r" % (ln, s[:80]))
            if k == "terminal":
                tids.add(r["terminal_id"])
            if k == "merchant":
                mids.add(r["merchant_id"])
            if "ts" in r and "terminal_id" in r and k in ("telemetry", "txn", "error", "maintenance"):
                t = parse_ts(r["ts"])
                if t is not None:
                    lt = last_ts.get(r["terminal_id"])
                    if lt is not None and t < lt - 60:
                        E("records:%d out of order by %.0fs for %s" % (ln, lt - t, r["terminal_id"]))
                    last_ts[r["terminal_id"]] = max(t, lt or t)
            if k == "error":
                failed[(r["terminal_id"], parse_ts(r["ts"]), r["code"])] += 1
            if k == "txn" and (r.get("timed_out") or ("response_code" in r and r["response_code"] != "00")):
                failed[(r["terminal_id"], parse_ts(r["ts"]), "timeout" if r.get("timed_out") else r["response_code"])] += 1
            recs.append(r)
    for r in recs:
        if "terminal_id" in r and r["kind"] != "terminal" and r["terminal_id"] not in tids:
            E("record for unknown terminal %s" % r["terminal_id"])
            break
    faults = {}
    tev = collections.Counter()
    fault_cov = collections.Counter()
    ev_cov = collections.Counter()
    with open(os.path.join(d, "truth.jsonl"), encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError:
                E("truth:%d bad json" % ln)
                continue
            if r.get("kind") == "truth":
                for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if f not in r:
                        E("truth:%d missing %s" % (ln, f))
                if r.get("cause") not in CAUSES:
                    E("truth:%d unknown cause %r" % (ln, r.get("cause")))
                a, b = parse_ts(r.get("start")), parse_ts(r.get("end"))
                if a is None or b is None or a > b:
                    E("truth:%d bad interval" % ln)
                if not isinstance(r.get("scope"), dict) or not r["scope"]:
                    E("truth:%d empty scope" % ln)
                for t in r.get("terminals", []):
                    if t not in tids:
                        E("truth:%d unknown terminal %s" % (ln, t))
                faults[r["fault_id"]] = r
                fault_cov[r["cause"]] += 1
            elif r.get("kind") == "truth_event":
                for f in ("ts", "terminal_id", "cause"):
                    if f not in r:
                        E("truth:%d truth_event missing %s" % (ln, f))
                if r.get("cause") not in CAUSES:
                    E("truth:%d unknown cause %r" % (ln, r.get("cause")))
                fid = r.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        E("truth:%d truth_event refers to unknown fault %s" % (ln, fid))
                    elif faults[fid]["cause"] != r["cause"]:
                        E("truth:%d truth_event cause differs from its fault" % ln)
                tev[(r["terminal_id"], parse_ts(r["ts"]), r.get("code"))] += 1
                ev_cov[r["cause"]] += 1
            else:
                E("truth:%d unexpected kind %r" % (ln, r.get("kind")))
    for key in sorted(set(failed) | set(tev), key=str):
        if failed[key] != tev[key]:
            E("failed event %s: %d records, %d truth_events" % (key, failed[key], tev[key]))
    return errs, kinds, fault_cov, ev_cov, len(faults), sum(failed.values())


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        sys.exit(2)
    tot_f, tot_e, seeds_with = collections.Counter(), collections.Counter(), collections.Counter()
    bad = False
    for d in dirs:
        errs, kinds, fc, ec, nf, nfail = validate(d)
        status = "OK" if not errs else "FAIL (%d)" % len(errs)
        print("%s: %s  records=%d faults=%d failed_events=%d  [%s]" % (
            d, status, sum(kinds.values()), nf, nfail, " ".join("%s=%d" % kv for kv in sorted(kinds.items()))))
        for e in errs:
            print("   ", e)
        bad = bad or bool(errs)
        tot_f.update(fc)
        tot_e.update(ec)
        for c in set(fc) | set(ec):
            seeds_with[c] += 1
    print()
    print("%-26s %7s %9s %8s" % ("cause", "faults", "events", "in_dirs"))
    for c in CAUSES:
        print("%-26s %7d %9d %5d/%d" % (c, tot_f[c], tot_e[c], seeds_with[c], len(dirs)))
    missing = [c for c in CAUSES if tot_f[c] == 0 and tot_e[c] == 0]
    print("missing causes:", ", ".join(missing) if missing else "none")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
