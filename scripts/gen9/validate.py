#!/usr/bin/env python3
"""validate.py - check gen9 output against posdoc record format v1 (FORMAT.md).

    python3 validate.py DIR [DIR ...] [--require-coverage]

For every DIR: DIR/records.jsonl is checked record by record (kinds, required
fields, types, enums, masking, timestamps, ordering allowance, references) and
DIR/truth.jsonl against it (one truth_event per failed event, causes in the
contract list, fault references).  Prints a coverage table of causes over all
DIRs.  Exit status 1 on any problem.  With ten or more DIRs (or
--require-coverage) every contract cause must be injected as a fault somewhere.
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
    "transmission.corruption", "security.keys", "security.certificate",
    "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant",
    "upstream.acquirer", "upstream.issuer", "card.decline",
]
APPROVED = {"00"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN_MASKED = re.compile(r"^\d{6}\*{3,9}\d{4}$")
FULL_PAN = re.compile(r"(?<![\d*])\d{13,19}(?![\d*])")
ENUMS = {
    "network": {"ethernet", "wifi", "cellular"},
    "settlement": {"direct", "indirect"},
    "reboot": {"power_loss", "watchdog", "crash", "user", "update"},
    "key_check": {"ok", "mismatch", "missing"},
    "printer": {"ok", "paper_out", "fault"},
    "stage": {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"},
    "type": {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"},
    "channel": {"card_ic", "card_swipe", "nfc", "qr"},
    "action": {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"},
    "from": {"merchant", "customer"},
    "currency": {"CNY", "156"},
}
REQUIRED = {
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
NUM = (int, float)


def is_num(x):
    return isinstance(x, NUM) and not isinstance(x, bool)


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def parse_ts(s):
    if not isinstance(s, str) or not RFC3339.match(s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def cause_ok(c):
    return isinstance(c, str) and ".".join(c.split(".")[:2]) in CAUSES


class Checker:
    def __init__(self, d):
        self.d = d
        self.problems = []

    def bad(self, where, msg):
        if len(self.problems) < 400:
            self.problems.append("%s: %s: %s" % (self.d, where, msg))
        else:
            self.problems.append("...")

    def check_records(self, path):
        recs = []
        inv = {"terminal": set(), "merchant": set(), "site": set()}
        maxts = None
        ids = collections.Counter()
        with open(path, encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                w = "records.jsonl:%d" % ln
                try:
                    r = json.loads(line)
                except ValueError as e:
                    self.bad(w, "bad JSON (%s)" % e)
                    continue
                if not isinstance(r, dict) or "kind" not in r:
                    self.bad(w, "no kind")
                    continue
                k = r["kind"]
                if k not in REQUIRED:
                    self.bad(w, "unknown kind %r" % k)
                    continue
                for f in REQUIRED[k]:
                    if f not in r:
                        self.bad(w, "%s lacks %s" % (k, f))
                t = None
                if "ts" in r:
                    t = parse_ts(r["ts"])
                    if t is None:
                        self.bad(w, "bad ts %r" % r.get("ts"))
                if t is not None and k not in ("merchant", "site", "terminal"):
                    if maxts is not None and t < maxts - 60:
                        self.bad(w, "out of order by %.0f s (> 60 s)" % (maxts - t))
                    maxts = t if maxts is None else max(maxts, t)
                self.fields(w, k, r, inv)
                if k in inv:
                    key = {"terminal": "terminal_id", "merchant": "merchant_id", "site": "site_id"}[k]
                    if r.get(key) in inv[k]:
                        self.bad(w, "duplicate %s %s" % (k, r.get(key)))
                    inv[k].add(r.get(key))
                elif "terminal_id" in r and r["terminal_id"] not in inv["terminal"]:
                    self.bad(w, "unknown terminal %s" % r["terminal_id"])
                if k == "complaint":
                    ids[r.get("complaint_id")] += 1
                    if r.get("merchant_id") not in inv["merchant"]:
                        self.bad(w, "unknown merchant %s" % r.get("merchant_id"))
                if k in ("check", "resolution") and "site_id" in r and r["site_id"] not in inv["site"]:
                    self.bad(w, "unknown site %s" % r["site_id"])
                # no full card number anywhere
                for fk, fv in r.items():
                    if isinstance(fv, str) and fk not in ("merchant_id",) and FULL_PAN.search(fv):
                        self.bad(w, "unmasked digit run in %s" % fk)
                recs.append((ln, k, r, t))
        for cid, n in ids.items():
            if n > 1:
                self.bad("records", "complaint_id %s used %d times" % (cid, n))
        return recs, inv

    def fields(self, w, k, r, inv):
        b = lambda m: self.bad(w, m)
        if "terminal_id" in r and not (isinstance(r["terminal_id"], str) and len(r["terminal_id"]) == 8):
            b("terminal_id must be an 8-character string")
        if "merchant_id" in r and not (isinstance(r["merchant_id"], str) and len(r["merchant_id"]) == 15):
            b("merchant_id must be a 15-character string")
        for ek in ("network", "settlement", "reboot", "key_check", "printer", "stage", "type", "channel",
                   "action", "from", "currency"):
            if ek in r and r[ek] not in ENUMS[ek]:
                if k in ("merchant", "terminal", "telemetry", "error", "txn", "maintenance", "complaint"):
                    b("%s=%r not in enum" % (ek, r[ek]))
        if k == "merchant":
            if not (isinstance(r.get("mcc"), str) and re.match(r"^\d{4}$", r["mcc"])):
                b("mcc must be 4 digits")
            for rk in ("card_rate", "qr_rate"):
                if rk in r and not (is_num(r[rk]) and 0 <= r[rk] < 0.1):
                    b("%s must be a fraction" % rk)
            if "fixed_fee" in r and not is_int(r["fixed_fee"]):
                b("fixed_fee must be integer fen")
        elif k == "terminal":
            if not re.match(r"^[a-z0-9][a-z0-9_-]*$", str(r.get("vendor"))):
                b("vendor must be a lowercase slug")
            if "cert_not_after" in r and parse_ts(r["cert_not_after"]) is None:
                b("cert_not_after must be RFC 3339")
        elif k == "telemetry":
            for fk in ("online",):
                if fk in r and not isinstance(r[fk], bool):
                    b("%s must be bool" % fk)
            for fk in ("rssi_dbm", "latency_ms", "supply_v", "temp_c", "clock_skew_s"):
                if fk in r and not is_num(r[fk]):
                    b("%s must be a number" % fk)
            if "latency_ms" in r and is_num(r["latency_ms"]) and r["latency_ms"] < 0:
                b("negative latency")
            if "packet_loss" in r and not (is_num(r["packet_loss"]) and 0 <= r["packet_loss"] <= 1):
                b("packet_loss must be 0..1")
            for fk in ("battery_pct", "storage_used_pct", "memory_used_pct", "cpu_pct"):
                if fk in r and not (is_num(r[fk]) and 0 <= r[fk] <= 100):
                    b("%s must be 0..100" % fk)
            for fk in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes"):
                if fk in r and not (is_int(r[fk]) and r[fk] >= 0):
                    b("%s must be a non-negative count" % fk)
        elif k == "error":
            if not isinstance(r.get("code"), str) or not r.get("code"):
                b("code must be a non-empty string")
            if "stan" in r and not re.match(r"^\d{6}$", str(r["stan"])):
                b("stan must be 6 digits")
        elif k == "txn":
            if not (is_int(r.get("amount")) and r["amount"] >= 0):
                b("amount must be non-negative integer fen")
            if "stan" in r and not re.match(r"^\d{6}$", str(r["stan"])):
                b("stan must be 6 digits")
            if "rrn" in r and not re.match(r"^\d{12}$", str(r["rrn"])):
                b("rrn must be 12 digits")
            if "response_code" in r and not (isinstance(r["response_code"], str) and len(r["response_code"]) == 2):
                b("response_code must be a 2-character string")
            if "timed_out" in r and not isinstance(r["timed_out"], bool):
                b("timed_out must be bool")
            if r.get("timed_out") and "response_code" in r:
                b("timed out txn carries a response code")
            if "response_code" not in r and not r.get("timed_out"):
                b("txn with neither response_code nor timed_out")
            for fk in ("latency_ms", "fee"):
                if fk in r and not (is_int(r[fk]) and r[fk] >= 0):
                    b("%s must be a non-negative integer" % fk)
            if "pan" in r:
                if not (isinstance(r["pan"], str) and PAN_MASKED.match(r["pan"])):
                    b("pan not masked like 621700******1234: %r" % r["pan"])
                if r.get("channel") == "qr":
                    b("qr txn carries a pan")
            if "mcc" in r and not re.match(r"^\d{4}$", str(r["mcc"])):
                b("mcc must be 4 digits")
        elif k in ("check", "resolution"):
            tg = [x for x in ("terminal_id", "site_id", "incident_id") if x in r]
            if k == "check" and not any(x in r for x in ("terminal_id", "site_id")):
                b("check needs terminal_id or site_id")
            if k == "resolution" and not tg:
                b("resolution needs a target")
            if k == "resolution" and not cause_ok(r.get("cause")):
                b("resolution cause %r not in contract" % r.get("cause"))
            if k == "check" and not isinstance(r.get("result"), (str, int, float, bool)):
                b("bad check result")

    def check_truth(self, path, recs, inv):
        failed = collections.Counter()
        where = {}
        for ln, k, r, t in recs:
            code = None
            if k == "error":
                code = r.get("code")
            elif k == "txn":
                if r.get("timed_out"):
                    code = "timeout"
                elif "response_code" in r and r["response_code"] not in APPROVED:
                    code = r["response_code"]
            if code is not None and t is not None:
                key = (t, r.get("terminal_id"), code, r.get("stan"))
                failed[key] += 1
                where[key] = ln
        faults = {}
        tev = collections.Counter()
        evc = collections.Counter()
        fault_events = collections.Counter()
        with open(path, encoding="utf-8") as fh:
            for ln, line in enumerate(fh, 1):
                w = "truth.jsonl:%d" % ln
                try:
                    r = json.loads(line)
                except ValueError:
                    self.bad(w, "bad JSON")
                    continue
                k = r.get("kind")
                if k == "truth":
                    for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                        if f not in r:
                            self.bad(w, "truth lacks %s" % f)
                    if r.get("fault_id") in faults:
                        self.bad(w, "duplicate fault_id")
                    if not cause_ok(r.get("cause")):
                        self.bad(w, "cause %r not in contract" % r.get("cause"))
                    if not isinstance(r.get("scope"), dict) or not r.get("scope"):
                        self.bad(w, "scope must be a non-empty object")
                    if not isinstance(r.get("terminals"), list):
                        self.bad(w, "terminals must be a list")
                    else:
                        for tid in r["terminals"]:
                            if tid not in inv["terminal"]:
                                self.bad(w, "unknown terminal %s" % tid)
                    s, e = parse_ts(r.get("start")), parse_ts(r.get("end"))
                    if s is None or e is None or e < s:
                        self.bad(w, "bad start/end")
                    faults[r.get("fault_id")] = r
                elif k == "truth_event":
                    for f in ("ts", "terminal_id", "cause"):
                        if f not in r:
                            self.bad(w, "truth_event lacks %s" % f)
                    if not cause_ok(r.get("cause")):
                        self.bad(w, "cause %r not in contract" % r.get("cause"))
                    t = parse_ts(r.get("ts"))
                    if t is None:
                        self.bad(w, "bad ts")
                        continue
                    key = (t, r.get("terminal_id"), r.get("code"), r.get("stan"))
                    tev[key] += 1
                    evc[r.get("cause")] += 1
                    fid = r.get("fault_id")
                    if fid is not None:
                        if fid not in faults:
                            self.bad(w, "fault_id %s not (yet) declared" % fid)
                        elif faults[fid]["cause"] != r.get("cause"):
                            self.bad(w, "cause differs from its fault's")
                        fault_events[fid] += 1
                else:
                    self.bad(w, "unknown truth kind %r" % k)
        for key, n in failed.items():
            m = tev.get(key, 0)
            if m != n:
                self.bad("records.jsonl:%d" % where[key], "failed event %s/%s/%s has %d truth_event(s), want %d"
                         % (key[1], key[2], key[3], m, n))
        for key, n in tev.items():
            if key not in failed:
                self.bad("truth", "truth_event %s/%s/%s matches no failed event" % (key[1], key[2], key[3]))
        return faults, evc, fault_events, sum(failed.values())


def main(argv):
    req = "--require-coverage" in argv
    dirs = [a for a in argv if not a.startswith("--")]
    if not dirs:
        print(__doc__)
        return 2
    allp = []
    cov_f = collections.defaultdict(int)
    cov_seeds = collections.defaultdict(set)
    cov_e = collections.Counter()
    cov_ef = collections.Counter()
    for d in dirs:
        c = Checker(d)
        rp, tp = os.path.join(d, "records.jsonl"), os.path.join(d, "truth.jsonl")
        if not (os.path.exists(rp) and os.path.exists(tp)):
            c.bad(d, "missing records.jsonl or truth.jsonl")
            allp += c.problems
            continue
        recs, inv = c.check_records(rp)
        faults, evc, fev, nfailed = c.check_truth(tp, recs, inv)
        for fid, f in faults.items():
            cov_f[f["cause"]] += 1
            cov_seeds[f["cause"]].add(d)
            cov_ef[f["cause"]] += fev.get(fid, 0)
        cov_e.update(evc)
        kinds = collections.Counter(k for _, k, _, _ in recs)
        print("%-22s %6d records  %3d faults  %5d failed events  %s  %s" % (
            d, len(recs), len(faults), nfailed, "OK" if not c.problems else "%d PROBLEMS" % len(c.problems),
            " ".join("%s=%d" % kv for kv in sorted(kinds.items()))))
        allp += c.problems
    print()
    print("%-26s %6s %7s %9s %9s" % ("cause", "seeds", "faults", "ev(fault)", "ev(total)"))
    missing = []
    for cz in CAUSES:
        print("%-26s %6d %7d %9d %9d" % (cz, len(cov_seeds[cz]), cov_f[cz], cov_ef[cz], cov_e[cz]))
        if cov_f[cz] == 0:
            missing.append(cz)
    if missing:
        msg = "causes never injected as a fault: " + ", ".join(missing)
        print(msg)
        if req or len(dirs) >= 10:
            allp.append(msg)
    if allp:
        print("\n%d problem(s):" % len(allp))
        for p in allp[:200]:
            print("  " + p)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
