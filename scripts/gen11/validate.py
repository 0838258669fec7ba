#!/usr/bin/env python3
"""validate.py -- check gen11 seed directories against posdoc record format v1.

usage: python3 validate.py DIR [DIR ...]      (each DIR holds records.jsonl and truth.jsonl)
Exit status 1 if any error.  With several DIRs it also reports injected-cause coverage
(every one of the 27 causes at least twice over all given seeds).
"""
import collections
import json
import os
import re
import sys
from datetime import datetime

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type",
    "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]
CAUSE_SET = set(CAUSES)
INVENTORY = {"merchant", "site", "terminal"}
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
ENUMS = {
    ("terminal", "network"): {"ethernet", "wifi", "cellular"},
    ("merchant", "settlement"): {"direct", "indirect"},
    ("error", "stage"): {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"},
    ("txn", "type"): {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"},
    ("txn", "channel"): {"card_ic", "card_swipe", "nfc", "qr"},
    ("txn", "currency"): {"CNY", "156"},
    ("telemetry", "reboot"): {"power_loss", "watchdog", "crash", "user", "update"},
    ("telemetry", "key_check"): {"ok", "mismatch", "missing"},
    ("telemetry", "printer"): {"ok", "paper_out", "fault"},
    ("maintenance", "action"): {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"},
    ("complaint", "from"): {"merchant", "customer"},
}
TELE_NUM = {"rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events", "storage_used_pct",
            "memory_used_pct", "cpu_pct", "temp_c", "clock_skew_s", "keypad_errors", "card_reader_errors", "app_crashes"}
PAN_RE = re.compile(r"^\d{6}\*{6}\d{4}$")
LONG_DIGITS = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_ts(s):
    if not isinstance(s, str) or not TS_RE.match(s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def walk_strings(o):
    if isinstance(o, str):
        yield o
    elif isinstance(o, dict):
        for k, v in o.items():
            if k not in ("merchant_id", "mid"):  # a MID is 15 digits by definition, not a card number
                yield from walk_strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk_strings(v)


def cause_ok(c):
    if not isinstance(c, str):
        return False
    parts = c.split(".")
    return len(parts) >= 2 and ".".join(parts[:2]) in CAUSE_SET


class Report:
    def __init__(self, name):
        self.name = name
        self.errors = []
        self.warnings = []

    def err(self, msg):
        if len(self.errors) < 200:
            self.errors.append(msg)
        elif len(self.errors) == 200:
            self.errors.append("... more errors suppressed")

    def warn(self, msg):
        if len(self.warnings) < 50:
            self.warnings.append(msg)


def validate_dir(d):
    R = Report(d)
    rp = os.path.join(d, "records.jsonl")
    tp = os.path.join(d, "truth.jsonl")
    for p in (rp, tp):
        if not os.path.exists(p):
            R.err("missing %s" % p)
            return R, None
    terminals, merchants, sites = {}, set(), set()
    failed = collections.Counter()
    kinds = collections.Counter()
    seen_obs = False
    last_ts = {}
    max_late = 0.0
    with open(rp, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
            except ValueError as e:
                R.err("records:%d: bad JSON (%s)" % (ln, e))
                continue
            if not isinstance(rec, dict) or "kind" not in rec:
                R.err("records:%d: no kind" % ln)
                continue
            k = rec["kind"]
            kinds[k] += 1
            if k not in REQ:
                R.warn("records:%d: unknown kind %r" % (ln, k))
                continue
            for f in REQ[k]:
                if f not in rec:
                    R.err("records:%d: %s lacks required %s" % (ln, k, f))
            if k in INVENTORY:
                if seen_obs:
                    R.err("records:%d: inventory record after observations" % ln)
            else:
                seen_obs = True
            ts = None
            if "ts" in rec:
                ts = parse_ts(rec["ts"])
                if ts is None:
                    R.err("records:%d: bad ts %r" % (ln, rec.get("ts")))
            for (kk, f), allowed in ENUMS.items():
                if kk == k and f in rec and rec[f] not in allowed:
                    R.err("records:%d: %s.%s=%r not allowed" % (ln, k, f, rec[f]))
            if "terminal_id" in rec and not (isinstance(rec["terminal_id"], str) and len(rec["terminal_id"]) == 8):
                R.err("records:%d: terminal_id %r not 8 chars" % (ln, rec["terminal_id"]))
            if "merchant_id" in rec and not (isinstance(rec["merchant_id"], str) and len(rec["merchant_id"]) == 15):
                R.err("records:%d: merchant_id %r not 15 chars" % (ln, rec["merchant_id"]))
            for s in walk_strings(rec):
                if LONG_DIGITS.search(s):
                    R.err("records:%d: unmasked digit run in %r" % (ln, s))
            if "pan" in rec and not (isinstance(rec["pan"], str) and PAN_RE.match(rec["pan"])):
                R.err("records:%d: pan not masked 6+6*+4: %r" % (ln, rec["pan"]))
            if k == "merchant":
                merchants.add(rec.get("merchant_id"))
            elif k == "site":
                sites.add(rec.get("site_id"))
                if rec.get("merchant_id") not in merchants:
                    R.err("records:%d: site of unknown merchant" % ln)
            elif k == "terminal":
                terminals[rec.get("terminal_id")] = rec
                if rec.get("network") == "cellular" and not rec.get("carrier"):
                    R.warn("records:%d: cellular terminal without carrier" % ln)
            else:
                tid = rec.get("terminal_id")
                if tid is not None and tid not in terminals:
                    R.err("records:%d: unknown terminal %r" % (ln, tid))
                if ts is not None and tid is not None:
                    prev = last_ts.get(tid)
                    if prev is not None and ts < prev:
                        late = prev - ts
                        max_late = max(max_late, late)
                        if late > 60:
                            R.err("records:%d: %s out of order by %.0f s (> 60)" % (ln, tid, late))
                    last_ts[tid] = max(prev or ts, ts)
            if k == "txn":
                if not isinstance(rec.get("amount"), int):
                    R.err("records:%d: amount not integer" % ln)
                to = rec.get("timed_out") is True
                rc = rec.get("response_code")
                if to and rc is not None:
                    R.err("records:%d: timed out txn with response_code" % ln)
                if not to and rc is None:
                    R.err("records:%d: txn with neither response nor timeout" % ln)
                if to:
                    failed[(rec["terminal_id"], rec["ts"], "timeout", rec.get("stan"))] += 1
                elif rc is not None and rc != "00":
                    failed[(rec["terminal_id"], rec["ts"], rc, rec.get("stan"))] += 1
            elif k == "error":
                failed[(rec["terminal_id"], rec["ts"], rec["code"], rec.get("stan"))] += 1
            elif k == "telemetry":
                for f in TELE_NUM:
                    if f in rec and not isinstance(rec[f], (int, float)):
                        R.err("records:%d: telemetry %s not numeric" % (ln, f))
                if "packet_loss" in rec and not (0 <= rec["packet_loss"] <= 1):
                    R.err("records:%d: packet_loss out of range" % ln)
            elif k in ("check", "resolution"):
                if not any(x in rec for x in ("terminal_id", "site_id", "incident_id")):
                    R.err("records:%d: %s without target" % (ln, k))
                if k == "resolution" and not cause_ok(rec.get("cause")):
                    R.err("records:%d: resolution cause %r invalid" % (ln, rec.get("cause")))
    # ---- truth
    truth_ev = collections.Counter()
    faults = {}
    ev_by_fault = collections.Counter()
    with open(tp, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
            except ValueError as e:
                R.err("truth:%d: bad JSON (%s)" % (ln, e))
                continue
            k = rec.get("kind")
            if k == "truth":
                for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if f not in rec:
                        R.err("truth:%d: truth lacks %s" % (ln, f))
                if not cause_ok(rec.get("cause")):
                    R.err("truth:%d: bad cause %r" % (ln, rec.get("cause")))
                if not isinstance(rec.get("scope"), dict) or not rec.get("scope"):
                    R.err("truth:%d: empty scope" % ln)
                a, b = parse_ts(rec.get("start")), parse_ts(rec.get("end"))
                if a is None or b is None or a > b:
                    R.err("truth:%d: bad start/end" % ln)
                tl = rec.get("terminals")
                if not isinstance(tl, list):
                    R.err("truth:%d: terminals not a list" % ln)
                else:
                    if not tl:
                        R.warn("truth:%d: fault %s has no affected terminal" % (ln, rec.get("fault_id")))
                    for t in tl:
                        if t not in terminals:
                            R.err("truth:%d: unknown terminal %r" % (ln, t))
                sc = rec.get("scope") or {}
                if "terminal_id" in sc and sc["terminal_id"] not in terminals:
                    R.err("truth:%d: scope terminal unknown" % ln)
                if "site_id" in sc and sc["site_id"] not in sites:
                    R.err("truth:%d: scope site unknown" % ln)
                if "merchant_id" in sc and sc["merchant_id"] not in merchants:
                    R.err("truth:%d: scope merchant unknown" % ln)
                if rec.get("fault_id") in faults:
                    R.err("truth:%d: duplicate fault_id" % ln)
                faults[rec.get("fault_id")] = rec
            elif k == "truth_event":
                for f in ("ts", "terminal_id", "cause", "code"):
                    if f not in rec:
                        R.err("truth:%d: truth_event lacks %s" % (ln, f))
                if not cause_ok(rec.get("cause")):
                    R.err("truth:%d: bad cause %r" % (ln, rec.get("cause")))
                if parse_ts(rec.get("ts")) is None:
                    R.err("truth:%d: bad ts" % ln)
                truth_ev[(rec.get("terminal_id"), rec.get("ts"), rec.get("code"), rec.get("stan"))] += 1
                fid = rec.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        R.err("truth:%d: truth_event refers to unknown fault %r" % (ln, fid))
                    elif faults[fid]["cause"] != rec.get("cause"):
                        R.err("truth:%d: truth_event cause differs from its fault's" % ln)
                    else:
                        ev_by_fault[fid] += 1
                        if rec.get("terminal_id") not in faults[fid]["terminals"]:
                            R.err("truth:%d: event terminal not in fault %s terminals" % (ln, fid))
            else:
                R.err("truth:%d: unknown kind %r" % (ln, k))
    missing = failed - truth_ev
    extra = truth_ev - failed
    for key, n in list(missing.items())[:20]:
        R.err("failed event without truth_event: %r x%d" % (key, n))
    for key, n in list(extra.items())[:20]:
        R.err("truth_event without failed event: %r x%d" % (key, n))
    if missing:
        R.err("%d failed events lack a truth_event" % sum(missing.values()))
    if extra:
        R.err("%d truth_events match no failed event" % sum(extra.values()))
    for fid, rec in faults.items():
        if ev_by_fault[fid] == 0:
            R.warn("fault %s (%s) caused no failed event" % (fid, rec["cause"]))
    stats = dict(kinds=kinds, faults=faults, n_failed=sum(failed.values()), max_late=max_late,
                 n_terms=len(terminals), ev_by_fault=ev_by_fault)
    return R, stats


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        sys.exit(2)
    bad = False
    cover = collections.Counter()
    for d in dirs:
        R, st = validate_dir(d)
        if st:
            causes = collections.Counter(f["cause"] for f in st["faults"].values())
            cover.update(causes)
            print("%s: %d lines (%s), %d terminals, %d faults, %d failed events, max lateness %.0fs -> %s" % (
                d, sum(st["kinds"].values()), ", ".join("%s=%d" % kv for kv in sorted(st["kinds"].items())),
                st["n_terms"], len(st["faults"]), st["n_failed"], st["max_late"],
                "OK" if not R.errors else "%d ERRORS" % len(R.errors)))
        for w in R.warnings:
            print("  warning:", w)
        for e in R.errors:
            print("  ERROR:", e)
        bad = bad or bool(R.errors)
    if len(dirs) > 1:
        low = [c for c in CAUSES if cover[c] < 2]
        print("cause coverage over %d seeds: %s" % (len(dirs), ", ".join("%s=%d" % (c, cover[c]) for c in CAUSES)))
        if low:
            print("ERROR: causes injected fewer than twice:", ", ".join(low))
            bad = True
        else:
            print("all 27 causes injected at least twice")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
