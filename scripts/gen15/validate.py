#!/usr/bin/env python3
"""validate.py -- check gen15 output directories against posdoc FORMAT.md v1.

usage: python3 validate.py DIR [DIR ...]

Each DIR must hold records.jsonl and truth.jsonl.  Every line is checked
field by field (kinds, required fields, types, enums, RFC 3339 times,
identifier shapes, card-number masking, no PIN block / track data / CVV),
references between records are resolved, time order is checked against the
60 s reorder allowance, and the truth file is checked against the records:
every failed event (an `error`, or a `txn` that timed out or carries a
response code other than 00) has exactly one `truth_event` with the same
terminal, ts and code, and every `truth_event` points at such an event.

Exits 1 on any problem, 0 otherwise.  Standard library only.
"""
import json
import re
import sys
from datetime import datetime

CAUSES = (
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board",
    "power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
    "software.incompatible", "software.config", "transmission.corruption", "security.keys",
    "security.certificate", "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
)
APPROVALS = ("00",)

RE_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
RE_TID = re.compile(r"^[0-9A-Za-z]{8}$")
RE_MID = re.compile(r"^[0-9]{15}$")
RE_MCC = re.compile(r"^[0-9]{4}$")
RE_STAN = re.compile(r"^[0-9]{6}$")
RE_RRN = re.compile(r"^[0-9A-Za-z]{12}$")
RE_RC = re.compile(r"^[0-9A-Z]{2}$")
RE_SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
RE_PAN_MASKED = re.compile(r"^([0-9]{6})(\*+)([0-9]{4})$")
RE_CAUSE = re.compile(r"^[a-z_]+\.[a-z_]+(\.[a-z0-9_]+)*$")
# sensitive data in free text
RE_LONGDIGITS = re.compile(r"(?<![0-9])[3-6][0-9]{12,18}(?![0-9])")
RE_TRACK2 = re.compile(r"[0-9]{12,19}[=D][0-9]{4}")
RE_TRACK1 = re.compile(r"%?B[0-9]{12,19}\^")
RE_CVV = re.compile(r"(?i)\b(cvv2?|cvc2?|cvn2?)\b\s*[:=]?\s*[0-9]{3,4}")
RE_PINBLOCK = re.compile(r"(?i)pin\s*_?block\s*[:=]?\s*[0-9A-F]{16}")
FORBIDDEN_KEYS = ("track", "track1", "track2", "track3", "track_data", "trackdata", "pin", "pin_block", "pinblock",
                  "cvv", "cvv2", "cvc", "cvc2", "cvn", "cvn2", "full_pan", "pan_clear", "card_number")

STAGES = ("power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app")
TXN_TYPES = ("purchase", "refund", "void", "preauth", "completion", "balance", "reversal")
CHANNELS = ("card_ic", "card_swipe", "nfc", "qr")
REBOOTS = ("power_loss", "watchdog", "crash", "user", "update")
MAINT = ("daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair")

# allowed fields per kind (FORMAT.md v1); records.jsonl is checked strictly
FIELDS = {
    "merchant": (("kind", "ts", "merchant_id", "mcc"), ("name", "city", "settlement", "card_rate", "qr_rate", "fixed_fee")),
    "site": (("kind", "ts", "site_id", "merchant_id"), ("name", "city", "lat", "lon")),
    "terminal": (("kind", "ts", "terminal_id", "vendor", "model"),
                 ("serial", "firmware", "app_version", "merchant_id", "site_id", "network", "carrier", "host",
                  "cert_not_after", "installed")),
    "telemetry": (("kind", "ts", "terminal_id"),
                  ("online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events", "reboot",
                   "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check", "clock_skew_s", "printer",
                   "keypad_errors", "card_reader_errors", "app_crashes", "firmware", "app_version")),
    "error": (("kind", "ts", "terminal_id", "code"), ("stage", "detail", "stan")),
    "txn": (("kind", "ts", "terminal_id", "type", "amount", "currency"),
            ("merchant_id", "stan", "rrn", "channel", "mcc", "response_code", "timed_out", "latency_ms", "fee", "pan")),
    "check": (("kind", "ts", "name", "result"), ("terminal_id", "site_id")),
    "maintenance": (("kind", "ts", "terminal_id", "action"), ("notes",)),
    "complaint": (("kind", "ts", "complaint_id", "from", "merchant_id", "text"), ("terminal_id",)),
    "resolution": (("kind", "ts", "cause"), ("terminal_id", "site_id", "incident_id", "notes")),
}
TRUTH_FIELDS = {
    "truth": (("kind", "fault_id", "cause", "scope", "terminals", "start", "end"), ("variant", "notes", "events")),
    "truth_event": (("kind", "ts", "terminal_id", "cause"), ("code", "stan", "fault_id")),
}


def parse_ts(s):
    if not isinstance(s, str) or not RE_TS.match(s):
        return None
    x = s.replace("Z", "+00:00")
    m = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2}:\d{2})$", x)
    if not m:
        return None
    frac = m.group(2) or ""
    if frac:
        frac = (frac + "000000")[:7]
    try:
        return datetime.fromisoformat(m.group(1) + frac + m.group(3)).timestamp()
    except ValueError:
        return None


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def cause_ok(c):
    if not isinstance(c, str) or not RE_CAUSE.match(c):
        return False
    return ".".join(c.split(".")[:2]) in CAUSES


class Report:
    def __init__(self, name):
        self.name = name
        self.problems = {}

    def add(self, cat, msg):
        self.problems.setdefault(cat, []).append(msg)

    def count(self):
        return sum(len(v) for v in self.problems.values())

    def show(self, limit=8):
        for cat in sorted(self.problems):
            lst = self.problems[cat]
            print("  [%s] %d problem(s)" % (cat, len(lst)))
            for m in lst[:limit]:
                print("     - " + m)


def scan_sensitive(rep, where, obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            if str(k).lower() in FORBIDDEN_KEYS:
                rep.add("sensitive", "%s: forbidden field %r" % (where, k))
            if k in ("merchant_id", "terminal_id", "serial", "rrn", "stan", "site_id", "complaint_id", "fault_id"):
                continue
            scan_sensitive(rep, where, v)
    elif isinstance(obj, list):
        for v in obj:
            scan_sensitive(rep, where, v)
    elif isinstance(obj, str):
        if RE_TRACK2.search(obj) or RE_TRACK1.search(obj):
            rep.add("sensitive", "%s: track data in text %r" % (where, obj[:80]))
        if RE_CVV.search(obj):
            rep.add("sensitive", "%s: CVV in text %r" % (where, obj[:80]))
        if RE_PINBLOCK.search(obj):
            rep.add("sensitive", "%s: PIN block in text %r" % (where, obj[:80]))
        if RE_LONGDIGITS.search(obj):
            rep.add("sensitive", "%s: unmasked card-number-like digits in %r" % (where, obj[:80]))


def check_fields(rep, where, rec, spec, strict):
    req, opt = spec
    for k in req:
        if k not in rec:
            rep.add("required", "%s: missing %r" % (where, k))
    if strict:
        for k in rec:
            if k not in req and k not in opt:
                rep.add("unknown_field", "%s: field %r is not in FORMAT.md v1" % (where, k))


def check_records(rep, path):
    inv_t, inv_m, inv_s = {}, {}, {}
    recs = []
    try:
        fh = open(path, "rb")
    except OSError as e:
        rep.add("io", "%s: %s" % (path, e))
        return recs, inv_t
    with fh:
        for n, raw in enumerate(fh, 1):
            where = "records:%d" % n
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                rep.add("encoding", "%s: not UTF-8" % where)
                continue
            line = line.rstrip("\n")
            if not line.strip():
                rep.add("json", "%s: empty line" % where)
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                rep.add("json", "%s: %s" % (where, e))
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("kind"), str):
                rep.add("json", "%s: not an object with a string 'kind'" % where)
                continue
            recs.append((n, line, rec))
    # inventory first pass (references may point forward)
    for n, line, rec in recs:
        k = rec["kind"]
        if k == "merchant" and isinstance(rec.get("merchant_id"), str):
            inv_m[rec["merchant_id"]] = rec
        elif k == "site" and isinstance(rec.get("site_id"), str):
            inv_s[rec["site_id"]] = rec
        elif k == "terminal" and isinstance(rec.get("terminal_id"), str):
            if rec["terminal_id"] in inv_t:
                rep.add("inventory", "records:%d: terminal %s listed twice" % (n, rec["terminal_id"]))
            inv_t[rec["terminal_id"]] = rec
    max_ts = None
    last_per_t = {}
    for n, line, rec in recs:
        where = "records:%d" % n
        k = rec["kind"]
        if k not in FIELDS:
            rep.add("kind", "%s: unknown kind %r" % (where, k))
            continue
        check_fields(rep, where, rec, FIELDS[k], True)
        scan_sensitive(rep, where, rec)
        ts = parse_ts(rec.get("ts"))
        if ts is None:
            rep.add("ts", "%s: bad or missing RFC 3339 ts %r" % (where, rec.get("ts")))
        else:
            if max_ts is not None and ts < max_ts - 60:
                rep.add("order", "%s: ts %s is %.0f s behind the file (allowance 60 s)" % (where, rec["ts"], max_ts - ts))
            max_ts = ts if max_ts is None else max(max_ts, ts)
            tid = rec.get("terminal_id")
            if tid and k not in ("terminal",):
                lp = last_per_t.get(tid)
                if lp is not None and ts < lp - 60:
                    rep.add("order", "%s: terminal %s goes back %.0f s" % (where, tid, lp - ts))
                last_per_t[tid] = ts if lp is None else max(lp, ts)
        tid = rec.get("terminal_id")
        if "terminal_id" in rec:
            if not isinstance(tid, str) or not RE_TID.match(tid):
                rep.add("id", "%s: terminal_id %r is not an 8-character TID" % (where, tid))
            elif k != "terminal" and tid not in inv_t:
                rep.add("ref", "%s: terminal %s not in inventory" % (where, tid))
        if "merchant_id" in rec:
            mid = rec["merchant_id"]
            if not isinstance(mid, str) or not RE_MID.match(mid):
                rep.add("id", "%s: merchant_id %r is not a 15-digit MID" % (where, mid))
            elif k != "merchant" and mid not in inv_m:
                rep.add("ref", "%s: merchant %s not in inventory" % (where, mid))
        if "site_id" in rec and k != "site":
            if rec["site_id"] not in inv_s:
                rep.add("ref", "%s: site %r not in inventory" % (where, rec["site_id"]))
        fn = CHECKERS.get(k)
        if fn:
            fn(rep, where, rec, inv_t, inv_m, inv_s)
    return recs, inv_t


def ck_merchant(rep, w, r, T, M, S):
    if not (isinstance(r.get("mcc"), str) and RE_MCC.match(r["mcc"])):
        rep.add("value", "%s: mcc %r" % (w, r.get("mcc")))
    if "settlement" in r and r["settlement"] not in ("direct", "indirect"):
        rep.add("enum", "%s: settlement %r" % (w, r["settlement"]))
    for f in ("card_rate", "qr_rate"):
        if f in r and not (is_num(r[f]) and 0 <= r[f] < 0.05):
            rep.add("value", "%s: %s %r is not a fraction" % (w, f, r[f]))
    if "fixed_fee" in r and not (is_int(r["fixed_fee"]) and r["fixed_fee"] >= 0):
        rep.add("value", "%s: fixed_fee %r not integer fen" % (w, r["fixed_fee"]))


def ck_site(rep, w, r, T, M, S):
    for f, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        if f in r and not (is_num(r[f]) and lo <= r[f] <= hi):
            rep.add("value", "%s: %s %r" % (w, f, r[f]))


def ck_terminal(rep, w, r, T, M, S):
    if not (isinstance(r.get("vendor"), str) and RE_SLUG.match(r["vendor"])):
        rep.add("value", "%s: vendor %r is not a lowercase slug" % (w, r.get("vendor")))
    if "network" in r and r["network"] not in ("ethernet", "wifi", "cellular"):
        rep.add("enum", "%s: network %r" % (w, r["network"]))
    if r.get("network") == "cellular" and not r.get("carrier"):
        rep.add("value", "%s: cellular terminal without carrier" % w)
    for f in ("cert_not_after", "installed"):
        if f in r and parse_ts(r[f]) is None:
            rep.add("ts", "%s: %s %r" % (w, f, r[f]))
    if "site_id" in r and r["site_id"] in S and "merchant_id" in r:
        if S[r["site_id"]].get("merchant_id") != r["merchant_id"]:
            rep.add("ref", "%s: site %s belongs to another merchant" % (w, r["site_id"]))


def ck_telemetry(rep, w, r, T, M, S):
    if "online" in r and not isinstance(r["online"], bool):
        rep.add("value", "%s: online %r" % (w, r["online"]))
    if "rssi_dbm" in r and not (is_num(r["rssi_dbm"]) and -140 <= r["rssi_dbm"] <= -10):
        rep.add("value", "%s: rssi_dbm %r" % (w, r["rssi_dbm"]))
    if "latency_ms" in r and not (is_num(r["latency_ms"]) and r["latency_ms"] >= 0):
        rep.add("value", "%s: latency_ms %r" % (w, r["latency_ms"]))
    if "packet_loss" in r and not (is_num(r["packet_loss"]) and 0 <= r["packet_loss"] <= 1):
        rep.add("value", "%s: packet_loss %r outside 0..1" % (w, r["packet_loss"]))
    if "supply_v" in r and not (is_num(r["supply_v"]) and 0 <= r["supply_v"] < 60):
        rep.add("value", "%s: supply_v %r" % (w, r["supply_v"]))
    for f in ("battery_pct", "storage_used_pct", "memory_used_pct", "cpu_pct"):
        if f in r and not (is_num(r[f]) and 0 <= r[f] <= 100):
            rep.add("value", "%s: %s %r outside 0..100" % (w, f, r[f]))
    for f in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes"):
        if f in r and not (is_int(r[f]) and r[f] >= 0):
            rep.add("value", "%s: %s %r not a count" % (w, f, r[f]))
    if "reboot" in r and r["reboot"] not in REBOOTS:
        rep.add("enum", "%s: reboot %r" % (w, r["reboot"]))
    if "key_check" in r and r["key_check"] not in ("ok", "mismatch", "missing"):
        rep.add("enum", "%s: key_check %r" % (w, r["key_check"]))
    if "printer" in r and r["printer"] not in ("ok", "paper_out", "fault"):
        rep.add("enum", "%s: printer %r" % (w, r["printer"]))
    if "temp_c" in r and not (is_num(r["temp_c"]) and -40 <= r["temp_c"] <= 120):
        rep.add("value", "%s: temp_c %r" % (w, r["temp_c"]))
    if "clock_skew_s" in r and not is_num(r["clock_skew_s"]):
        rep.add("value", "%s: clock_skew_s %r" % (w, r["clock_skew_s"]))
    for f in ("firmware", "app_version"):
        if f in r and not (isinstance(r[f], str) and r[f]):
            rep.add("value", "%s: %s %r" % (w, f, r[f]))


def ck_error(rep, w, r, T, M, S):
    if not (isinstance(r.get("code"), str) and r["code"]):
        rep.add("value", "%s: code %r" % (w, r.get("code")))
    if "stage" in r and r["stage"] not in STAGES:
        rep.add("enum", "%s: stage %r" % (w, r["stage"]))
    if "detail" in r and not isinstance(r["detail"], str):
        rep.add("value", "%s: detail not a string" % w)
    if "stan" in r and not (isinstance(r["stan"], str) and RE_STAN.match(r["stan"])):
        rep.add("value", "%s: stan %r" % (w, r["stan"]))


def ck_txn(rep, w, r, T, M, S):
    if r.get("type") not in TXN_TYPES:
        rep.add("enum", "%s: type %r" % (w, r.get("type")))
    if not (is_int(r.get("amount")) and r["amount"] >= 0):
        rep.add("value", "%s: amount %r is not integer fen" % (w, r.get("amount")))
    if r.get("currency") not in ("CNY", "156"):
        rep.add("enum", "%s: currency %r" % (w, r.get("currency")))
    if "channel" in r and r["channel"] not in CHANNELS:
        rep.add("enum", "%s: channel %r" % (w, r["channel"]))
    if "stan" in r and not (isinstance(r["stan"], str) and RE_STAN.match(r["stan"])):
        rep.add("value", "%s: stan %r" % (w, r["stan"]))
    if "rrn" in r and not (isinstance(r["rrn"], str) and RE_RRN.match(r["rrn"])):
        rep.add("value", "%s: rrn %r" % (w, r["rrn"]))
    if "mcc" in r and not (isinstance(r["mcc"], str) and RE_MCC.match(r["mcc"])):
        rep.add("value", "%s: mcc %r" % (w, r["mcc"]))
    if "response_code" in r and not (isinstance(r["response_code"], str) and RE_RC.match(r["response_code"])):
        rep.add("value", "%s: response_code %r" % (w, r["response_code"]))
    if "timed_out" in r and not isinstance(r["timed_out"], bool):
        rep.add("value", "%s: timed_out %r" % (w, r["timed_out"]))
    if r.get("timed_out") and "response_code" in r:
        rep.add("logic", "%s: timed out but carries a response code" % w)
    if not r.get("timed_out") and "response_code" not in r:
        rep.add("logic", "%s: neither a response code nor a timeout" % w)
    if "latency_ms" in r and not (is_num(r["latency_ms"]) and r["latency_ms"] >= 0):
        rep.add("value", "%s: latency_ms %r" % (w, r["latency_ms"]))
    if "fee" in r and not (is_int(r["fee"]) and r["fee"] >= 0):
        rep.add("value", "%s: fee %r is not integer fen" % (w, r["fee"]))
    if "pan" in r:
        m = RE_PAN_MASKED.match(r["pan"]) if isinstance(r["pan"], str) else None
        if not m or not (13 <= len(r["pan"]) <= 19):
            rep.add("sensitive", "%s: pan %r is not masked as first six + last four" % (w, r.get("pan")))
    if r.get("channel") == "qr" and "pan" in r:
        rep.add("logic", "%s: QR transaction with a card number" % w)
    tid = r.get("terminal_id")
    if tid in T and "merchant_id" in r and T[tid].get("merchant_id") not in (None, r["merchant_id"]):
        rep.add("ref", "%s: merchant %s is not the terminal's" % (w, r["merchant_id"]))


def ck_check(rep, w, r, T, M, S):
    if "terminal_id" not in r and "site_id" not in r:
        rep.add("required", "%s: check without terminal_id or site_id" % w)
    if not isinstance(r.get("name"), str):
        rep.add("value", "%s: name %r" % (w, r.get("name")))
    if not isinstance(r.get("result"), (str, int, float)) or isinstance(r.get("result"), bool):
        rep.add("value", "%s: result %r" % (w, r.get("result")))


def ck_maintenance(rep, w, r, T, M, S):
    if r.get("action") not in MAINT:
        rep.add("enum", "%s: action %r" % (w, r.get("action")))


def ck_complaint(rep, w, r, T, M, S):
    if r.get("from") not in ("merchant", "customer"):
        rep.add("enum", "%s: from %r" % (w, r.get("from")))
    if not isinstance(r.get("text"), str) or not r.get("text"):
        rep.add("value", "%s: text %r" % (w, r.get("text")))


def ck_resolution(rep, w, r, T, M, S):
    if not any(k in r for k in ("terminal_id", "site_id", "incident_id")):
        rep.add("required", "%s: resolution without a target" % w)
    if not cause_ok(r.get("cause")):
        rep.add("enum", "%s: cause %r" % (w, r.get("cause")))


CHECKERS = {"merchant": ck_merchant, "site": ck_site, "terminal": ck_terminal, "telemetry": ck_telemetry,
            "error": ck_error, "txn": ck_txn, "check": ck_check, "maintenance": ck_maintenance,
            "complaint": ck_complaint, "resolution": ck_resolution}


def failed_key(rec):
    """(terminal, ts, code) of a failed event, or None."""
    if rec["kind"] == "error":
        return (rec.get("terminal_id"), rec.get("ts"), rec.get("code"))
    if rec["kind"] == "txn":
        if rec.get("timed_out"):
            return (rec.get("terminal_id"), rec.get("ts"), "timeout")
        rc = rec.get("response_code")
        if rc is not None and rc not in APPROVALS:
            return (rec.get("terminal_id"), rec.get("ts"), rc)
    return None


def check_truth(rep, path, recs, inv_t):
    faults = {}
    tevents = []
    try:
        fh = open(path, "rb")
    except OSError as e:
        rep.add("io", "%s: %s" % (path, e))
        return faults
    with fh:
        for n, raw in enumerate(fh, 1):
            where = "truth:%d" % n
            try:
                rec = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                rep.add("json", "%s: %s" % (where, e))
                continue
            if not isinstance(rec, dict) or rec.get("kind") not in TRUTH_FIELDS:
                rep.add("kind", "%s: kind %r" % (where, rec.get("kind") if isinstance(rec, dict) else None))
                continue
            check_fields(rep, where, rec, TRUTH_FIELDS[rec["kind"]], True)
            scan_sensitive(rep, where, rec)
            if not cause_ok(rec.get("cause")):
                rep.add("enum", "%s: cause %r not in the contract's list" % (where, rec.get("cause")))
            if rec["kind"] == "truth":
                fid = rec.get("fault_id")
                if not isinstance(fid, str) or fid in faults:
                    rep.add("truth", "%s: fault_id %r missing or repeated" % (where, fid))
                    continue
                if not isinstance(rec.get("scope"), dict) or not rec["scope"]:
                    rep.add("truth", "%s: scope must be a non-empty object" % where)
                terms = rec.get("terminals")
                if not isinstance(terms, list) or not terms:
                    rep.add("truth", "%s: terminals must be a non-empty list" % where)
                    terms = []
                for t in terms:
                    if t not in inv_t:
                        rep.add("ref", "%s: terminal %r not in inventory" % (where, t))
                a, b = parse_ts(rec.get("start")), parse_ts(rec.get("end"))
                if a is None or b is None or a > b:
                    rep.add("ts", "%s: start/end %r/%r" % (where, rec.get("start"), rec.get("end")))
                faults[fid] = (rec, a, b, set(terms))
            else:
                if parse_ts(rec.get("ts")) is None:
                    rep.add("ts", "%s: ts %r" % (where, rec.get("ts")))
                if rec.get("terminal_id") not in inv_t:
                    rep.add("ref", "%s: terminal %r not in inventory" % (where, rec.get("terminal_id")))
                if "stan" in rec and not (isinstance(rec["stan"], str) and RE_STAN.match(rec["stan"])):
                    rep.add("value", "%s: stan %r" % (where, rec["stan"]))
                tevents.append((n, rec))
    # truth_events against faults
    for n, te in tevents:
        fid = te.get("fault_id")
        if fid is None:
            continue
        if fid not in faults:
            rep.add("truth", "truth:%d: fault_id %r has no truth record" % (n, fid))
            continue
        fr, a, b, terms = faults[fid]
        if te.get("cause") != fr.get("cause"):
            rep.add("truth", "truth:%d: cause %r differs from fault %s (%r)" % (n, te.get("cause"), fid, fr.get("cause")))
        if te.get("terminal_id") not in terms:
            rep.add("truth", "truth:%d: terminal %s not in fault %s" % (n, te.get("terminal_id"), fid))
        x = parse_ts(te.get("ts"))
        if x is not None and a is not None and not (a - 120 <= x <= b + 900):
            rep.add("truth", "truth:%d: event at %s outside fault %s window" % (n, te.get("ts"), fid))
    # every failed event has exactly one truth_event, and vice versa (duplicate lines count once)
    failed = {}
    seen_lines = {}
    for n, line, rec in recs:
        k = failed_key(rec)
        if k is None:
            continue
        if line in seen_lines:
            continue
        seen_lines[line] = n
        failed.setdefault(k, []).append(n)
    tmap = {}
    for n, te in tevents:
        k = (te.get("terminal_id"), te.get("ts"), te.get("code"))
        tmap.setdefault(k, []).append(n)
    for k in failed:
        if len(tmap.get(k, ())) != len(failed[k]):
            rep.add("truth_match", "records:%s failed event %r has %d truth_event(s), expected %d"
                    % (failed[k][0], k, len(tmap.get(k, ())), len(failed[k])))
    for k in tmap:
        if k not in failed:
            rep.add("truth_match", "truth:%d: truth_event %r matches no failed record" % (tmap[k][0], k))
    return faults


def validate_dir(d):
    rep = Report(d)
    recs, inv_t = check_records(rep, d.rstrip("/") + "/records.jsonl")
    faults = check_truth(rep, d.rstrip("/") + "/truth.jsonl", recs, inv_t)
    # the generator brief's world size
    if not 250 <= len(inv_t) <= 350:
        rep.add("world", "%d terminals (expected 250..350)" % len(inv_t))
    if not 15 <= len(faults) <= 25:
        rep.add("world", "%d faults (expected 15..25)" % len(faults))
    shared = sum(1 for f in faults.values() if len(f[3]) >= 2)
    if shared == 0 or shared == len(faults):
        rep.add("world", "faults should mix shared and single-terminal ones (%d of %d shared)" % (shared, len(faults)))
    kinds = {}
    dups = 0
    seen = {}
    for n, line, rec in recs:
        kinds[rec["kind"]] = kinds.get(rec["kind"], 0) + 1
        if line in seen:
            dups += 1
        seen[line] = True
    return rep, len(recs), kinds, faults, dups


def main(argv):
    dirs = argv[1:]
    if not dirs:
        print(__doc__)
        return 2
    bad = 0
    cover = {}
    for d in dirs:
        rep, n, kinds, faults, dups = validate_dir(d)
        for fr, a, b, terms in faults.values():
            c = fr.get("cause")
            cover[c] = cover.get(c, 0) + 1
        status = "OK" if rep.count() == 0 else "FAIL (%d problems)" % rep.count()
        print("%s: %d records, %d faults, %d duplicate lines, kinds %s -> %s" %
              (d, n, len(faults), dups, json.dumps(kinds, sort_keys=True), status))
        if rep.count():
            rep.show()
            bad += 1
    if len(dirs) >= 10:
        missing = [c for c in CAUSES if c not in cover]
        print("cause coverage over %d dirs: %d/%d causes" % (len(dirs), len(CAUSES) - len(missing), len(CAUSES)))
        if missing:
            print("  missing causes: %s" % ", ".join(missing))
            bad += 1
    print("RESULT: %s" % ("PASS" if bad == 0 else "FAIL"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
