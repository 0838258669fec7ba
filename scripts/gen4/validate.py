#!/usr/bin/env python3
"""validate.py -- check gen4 output directories against posdoc record format v1.

Usage: python3 validate.py DIR [DIR ...]

Each DIR holds records.jsonl and truth.jsonl.  Checks (from FORMAT.md):
  * every line parses as JSON and carries "kind"; required fields per kind;
    enumerated values; RFC 3339 times; TID 8 chars, MID 15 chars; money is an
    integer with currency CNY/156; card numbers only masked;
  * per terminal, records are in time order up to the 60 s reorder allowance;
  * observation records name terminals that are in the inventory;
  * truth: cause ids in the contract list (judged on the first two parts),
    fault ids unique, scope present, terminals known, start <= end;
  * truth_event: every failed event (each `error`, each `txn` with a timeout or
    a response code other than "00") has exactly one truth_event matched by
    terminal, ts and code (and stan when given), and every truth_event matches
    one failed event; fault_id links resolve and agree on the cause;
  * nothing in records.jsonl names a cause or a fault (no leakage).
Prints coverage per cause (faults and events).  Exit status 1 on any error.
"""
import json
import os
import re
import sys
from collections import Counter, defaultdict
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
CAUSE2 = set(CAUSES)

REQ = {
    "merchant": ["merchant_id", "mcc"],
    "site": ["site_id", "merchant_id"],
    "terminal": ["terminal_id", "vendor", "model"],
    "telemetry": ["ts", "terminal_id"],
    "error": ["ts", "terminal_id", "code"],
    "txn": ["ts", "terminal_id", "type", "amount", "currency"],
    "check": ["ts", "name", "result"],
    "maintenance": ["ts", "terminal_id", "action"],
    "complaint": ["ts", "complaint_id", "from", "merchant_id"],
    "resolution": ["ts", "cause"],
}
ENUM = {
    ("merchant", "settlement"): {"direct", "indirect"},
    ("terminal", "network"): {"ethernet", "wifi", "cellular"},
    ("telemetry", "reboot"): {"power_loss", "watchdog", "crash", "user", "update"},
    ("telemetry", "key_check"): {"ok", "mismatch", "missing"},
    ("telemetry", "printer"): {"ok", "paper_out", "fault"},
    ("error", "stage"): {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"},
    ("txn", "type"): {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"},
    ("txn", "channel"): {"card_ic", "card_swipe", "nfc", "qr"},
    ("maintenance", "action"): {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update",
                                "part_replaced", "repair"},
    ("complaint", "from"): {"merchant", "customer"},
}
TEL_NUM = {"rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
           "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "clock_skew_s", "keypad_errors",
           "card_reader_errors", "app_crashes"}
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN_RE = re.compile(r"^\d{6}\*+\d{4}$")
LONG_DIGITS = re.compile(r"\d{13,19}")


def parse_ts(s):
    if not isinstance(s, str) or not TS_RE.match(s):
        raise ValueError("bad RFC 3339 time %r" % (s,))
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def failed_code(rec):
    """code of a failed event or None."""
    if rec["kind"] == "error":
        return rec["code"]
    if rec["kind"] == "txn":
        if rec.get("timed_out") is True:
            return "timeout" if "response_code" not in rec else rec["response_code"]
        rc = rec.get("response_code")
        if rc is not None and rc != "00":
            return rc
    return None


def cause_ok(c):
    if not isinstance(c, str):
        return False
    parts = c.split(".")
    return len(parts) >= 2 and ".".join(parts[:2]) in CAUSE2


def validate(d):
    errs, warns = [], []

    def E(msg):
        if len(errs) < 60:
            errs.append(msg)
        else:
            errs.append(None)

    recs = []
    kinds = Counter()
    inv_t, inv_m, inv_s = {}, set(), set()
    last_ts = {}
    max_back = 0.0
    path = os.path.join(d, "records.jsonl")
    with open(path, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                E("records.jsonl:%d: does not parse (%s)" % (ln, e))
                continue
            if not isinstance(rec, dict) or "kind" not in rec:
                E("records.jsonl:%d: no kind" % ln)
                continue
            k = rec["kind"]
            kinds[k] += 1
            if k not in REQ:
                warns.append("records.jsonl:%d: unknown kind %s" % (ln, k))
                continue
            for f in REQ[k]:
                if f not in rec:
                    E("records.jsonl:%d: %s without %s" % (ln, k, f))
            if k == "check" and not any(x in rec for x in ("terminal_id", "site_id")):
                E("records.jsonl:%d: check without a target" % ln)
            if k == "resolution" and not any(x in rec for x in ("terminal_id", "site_id", "incident_id")):
                E("records.jsonl:%d: resolution without a target" % ln)
            for (kk, fld), vals in ENUM.items():
                if kk == k and fld in rec and rec[fld] not in vals:
                    E("records.jsonl:%d: %s.%s=%r not allowed" % (ln, k, fld, rec[fld]))
            t = None
            if "ts" in rec:
                try:
                    t = parse_ts(rec["ts"])
                except ValueError as e:
                    E("records.jsonl:%d: %s" % (ln, e))
            tid = rec.get("terminal_id")
            if tid is not None and (not isinstance(tid, str) or len(tid) != 8):
                E("records.jsonl:%d: terminal_id %r is not 8 chars" % (ln, tid))
            mid = rec.get("merchant_id")
            if mid is not None and (not isinstance(mid, str) or len(mid) != 15):
                E("records.jsonl:%d: merchant_id %r is not 15 chars" % (ln, mid))
            if k == "merchant":
                inv_m.add(mid)
                for f in ("card_rate", "qr_rate"):
                    if f in rec and not (isinstance(rec[f], float) and 0 <= rec[f] < 0.1):
                        E("records.jsonl:%d: %s should be a fraction" % (ln, f))
            elif k == "site":
                inv_s.add(rec["site_id"])
            elif k == "terminal":
                inv_t[tid] = rec
                if "cert_not_after" in rec:
                    try:
                        parse_ts(rec["cert_not_after"])
                    except ValueError as e:
                        E("records.jsonl:%d: cert_not_after %s" % (ln, e))
            elif k == "telemetry":
                for f in TEL_NUM:
                    if f in rec and not isinstance(rec[f], (int, float)):
                        E("records.jsonl:%d: telemetry %s not a number" % (ln, f))
                if "packet_loss" in rec and not 0 <= rec["packet_loss"] <= 1:
                    E("records.jsonl:%d: packet_loss out of 0..1" % ln)
                if "online" in rec and not isinstance(rec["online"], bool):
                    E("records.jsonl:%d: online not bool" % ln)
            elif k == "txn":
                if not isinstance(rec.get("amount"), int) or isinstance(rec.get("amount"), bool):
                    E("records.jsonl:%d: amount not integer minor units" % ln)
                if rec.get("currency") not in ("CNY", "156"):
                    E("records.jsonl:%d: currency %r" % (ln, rec.get("currency")))
                if "fee" in rec and not isinstance(rec["fee"], int):
                    E("records.jsonl:%d: fee not integer" % ln)
                if "pan" in rec and not PAN_RE.match(rec["pan"]):
                    E("records.jsonl:%d: pan not masked: %r" % (ln, rec["pan"]))
                if "timed_out" in rec and not isinstance(rec["timed_out"], bool):
                    E("records.jsonl:%d: timed_out not bool" % ln)
            if LONG_DIGITS.search(line.replace(rec.get("ts", ""), "")):
                # long digit runs only in known id-like fields
                for key, v in rec.items():
                    if isinstance(v, str) and LONG_DIGITS.search(v) and key not in (
                            "merchant_id", "serial", "rrn", "ts", "complaint_id"):
                        E("records.jsonl:%d: possible unmasked card number in %s" % (ln, key))
            # leakage: no cause id, no fault id
            low = line.lower()
            for c in CAUSES:
                if c in low:
                    E("records.jsonl:%d: names cause %s" % (ln, c))
            if "fault_id" in rec or "truth" in k:
                E("records.jsonl:%d: truth material in records" % ln)
            if tid is not None and t is not None and k not in ("terminal",):
                lt = last_ts.get(tid)
                if lt is not None and t < lt:
                    max_back = max(max_back, lt - t)
                    if lt - t > 60:
                        E("records.jsonl:%d: %s out of order by %.0fs (> 60 s)" % (ln, tid, lt - t))
                last_ts[tid] = max(lt or t, t)
            recs.append((ln, rec, t))

    for ln, rec, t in recs:
        k = rec["kind"]
        tid = rec.get("terminal_id")
        if k in ("telemetry", "error", "txn", "maintenance") and tid not in inv_t:
            E("records.jsonl:%d: terminal %s not in inventory" % (ln, tid))
        if k == "site" and rec["merchant_id"] not in inv_m:
            E("records.jsonl:%d: site of unknown merchant" % ln)
        if k == "terminal":
            if rec.get("merchant_id") and rec["merchant_id"] not in inv_m:
                E("records.jsonl:%d: terminal of unknown merchant" % ln)
            if rec.get("site_id") and rec["site_id"] not in inv_s:
                E("records.jsonl:%d: terminal at unknown site" % ln)

    # failed events
    failed = Counter()
    failed_stan = {}
    for ln, rec, t in recs:
        c = failed_code(rec)
        if c is not None:
            key = (rec["terminal_id"], rec["ts"], c)
            failed[key] += 1
            failed_stan.setdefault(key, set()).add(rec.get("stan"))

    # truth
    faults = {}
    tev = Counter()
    tev_cause = defaultdict(Counter)
    ev_by_fault = Counter()
    tpath = os.path.join(d, "truth.jsonl")
    with open(tpath, encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                E("truth.jsonl:%d: does not parse (%s)" % (ln, e))
                continue
            k = rec.get("kind")
            if k == "truth":
                for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if f not in rec:
                        E("truth.jsonl:%d: truth without %s" % (ln, f))
                if not cause_ok(rec.get("cause")):
                    E("truth.jsonl:%d: cause %r not in contract" % (ln, rec.get("cause")))
                if rec.get("fault_id") in faults:
                    E("truth.jsonl:%d: duplicate fault_id" % ln)
                if not isinstance(rec.get("scope"), dict) or not rec.get("scope"):
                    E("truth.jsonl:%d: empty scope" % ln)
                for tid in rec.get("terminals", []):
                    if tid not in inv_t:
                        E("truth.jsonl:%d: unknown terminal %s" % (ln, tid))
                try:
                    if parse_ts(rec["start"]) > parse_ts(rec["end"]):
                        E("truth.jsonl:%d: start after end" % ln)
                except (KeyError, ValueError) as e:
                    E("truth.jsonl:%d: %s" % (ln, e))
                faults[rec.get("fault_id")] = rec
            elif k == "truth_event":
                for f in ("ts", "terminal_id", "cause"):
                    if f not in rec:
                        E("truth.jsonl:%d: truth_event without %s" % (ln, f))
                if not cause_ok(rec.get("cause")):
                    E("truth.jsonl:%d: cause %r not in contract" % (ln, rec.get("cause")))
                fid = rec.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        E("truth.jsonl:%d: fault_id %s does not resolve" % (ln, fid))
                    elif faults[fid]["cause"] != rec.get("cause"):
                        E("truth.jsonl:%d: cause differs from its fault's" % ln)
                    elif rec.get("terminal_id") not in faults[fid].get("terminals", []):
                        E("truth.jsonl:%d: terminal not among its fault's terminals" % ln)
                    ev_by_fault[fid] += 1
                key = (rec.get("terminal_id"), rec.get("ts"), rec.get("code"))
                tev[key] += 1
                tev_cause[rec.get("cause")][rec.get("event", "?")] += 1
                if "stan" in rec and key in failed_stan and rec["stan"] not in failed_stan[key]:
                    E("truth.jsonl:%d: stan %s does not match the failed event" % (ln, rec["stan"]))
            else:
                E("truth.jsonl:%d: unknown kind %r" % (ln, k))

    miss = failed - tev
    extra = tev - failed
    for key, n in list(miss.items())[:10]:
        E("failed event without truth_event: %s %s %s (x%d)" % (key + (n,)))
    for key, n in list(extra.items())[:10]:
        E("truth_event without a failed event: %s %s %s (x%d)" % (key + (n,)))
    if miss:
        E("%d failed events lack a truth_event" % sum(miss.values()))
    if extra:
        E("%d truth_events match nothing" % sum(extra.values()))

    fault_cause = Counter(f["cause"] for f in faults.values())
    silent = [fid for fid in faults if ev_by_fault[fid] == 0]
    ev_cause = Counter({c: sum(v.values()) for c, v in tev_cause.items()})
    real_errs = [e for e in errs if e is not None]
    more = len(errs) - len(real_errs)
    return dict(dir=d, errors=real_errs, more=more, warns=warns, kinds=kinds, faults=faults,
                fault_cause=fault_cause, ev_cause=ev_cause, silent=silent, n_failed=sum(failed.values()),
                max_back=max_back, n_terms=len(inv_t))


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    ok = True
    tot_f, tot_e = Counter(), Counter()
    for d in argv:
        res = validate(d)
        status = "PASS" if not res["errors"] else "FAIL"
        ok &= not res["errors"]
        print("== %s: %s  (%d terminals, %s; %d faults, %d failed events, max reorder %.0fs)" % (
            d, status, res["n_terms"], ", ".join("%s=%d" % kv for kv in sorted(res["kinds"].items())),
            len(res["faults"]), res["n_failed"], res["max_back"]))
        for e in res["errors"]:
            print("   ERROR", e)
        if res["more"]:
            print("   ... %d more errors" % res["more"])
        for w in res["warns"][:5]:
            print("   warn", w)
        if res["silent"]:
            print("   note: faults without any failed event (undetectable from failures): %s" % " ".join(res["silent"]))
        tot_f.update(res["fault_cause"])
        tot_e.update(res["ev_cause"])
        if len(argv) == 1:
            print("   %-26s %6s %8s" % ("cause", "faults", "events"))
            for c in CAUSES:
                print("   %-26s %6d %8d" % (c, res["fault_cause"][c], res["ev_cause"][c]))
    if len(argv) > 1:
        print("\ncoverage over %d dirs" % len(argv))
        print("   %-26s %6s %8s" % ("cause", "faults", "events"))
        for c in CAUSES:
            mark = "" if (tot_f[c] or c == "card.decline") and tot_e[c] else "   <-- missing"
            print("   %-26s %6d %8d%s" % (c, tot_f[c], tot_e[c], mark))
    print("\nOVERALL:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
