#!/usr/bin/env python3
"""validate.py DIR [DIR...] -- check generator output against posdoc record format v1.

Each DIR holds records.jsonl and truth.jsonl.  Checks kinds, required fields,
types, enumerations, masked card numbers (and no PIN block / track / CVV
fields), time order (at most 60 s of disorder, globally and per terminal),
references to inventory, cause names, and that every failed event (each
`error`, each `txn` that timed out or got a response code other than 00)
has exactly one `truth_event` and vice versa.  With several dirs it prints the
cause coverage.  Exit status 1 if any problem was found.
"""
import json
import re
import sys
from collections import Counter, defaultdict
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
CAUSE_SET = set(CAUSES)
APPROVED = {"00"}

STR, INT, NUM, BOOL, LIST, DICT = "str", "int", "num", "bool", "list", "dict"

SPEC = {
    "merchant": ({"merchant_id": STR, "mcc": STR},
                 {"name": STR, "city": STR, "settlement": STR, "card_rate": NUM, "qr_rate": NUM, "fixed_fee": NUM}),
    "site": ({"site_id": STR, "merchant_id": STR}, {"name": STR, "city": STR, "lat": NUM, "lon": NUM}),
    "terminal": ({"terminal_id": STR, "vendor": STR, "model": STR},
                 {"serial": STR, "firmware": STR, "app_version": STR, "merchant_id": STR, "site_id": STR,
                  "network": STR, "carrier": STR, "host": STR, "cert_not_after": STR, "installed": STR}),
    "telemetry": ({"ts": STR, "terminal_id": STR},
                  {"online": BOOL, "rssi_dbm": NUM, "latency_ms": NUM, "packet_loss": NUM, "supply_v": NUM,
                   "battery_pct": NUM, "power_events": INT, "reboot": STR, "storage_used_pct": NUM,
                   "memory_used_pct": NUM, "cpu_pct": NUM, "temp_c": NUM, "key_check": STR, "clock_skew_s": NUM,
                   "printer": STR, "keypad_errors": INT, "card_reader_errors": INT, "app_crashes": INT,
                   "firmware": STR, "app_version": STR}),
    "error": ({"ts": STR, "terminal_id": STR, "code": STR}, {"stage": STR, "detail": STR, "stan": STR}),
    "txn": ({"ts": STR, "terminal_id": STR, "type": STR, "amount": INT, "currency": STR},
            {"merchant_id": STR, "stan": STR, "rrn": STR, "channel": STR, "mcc": STR, "response_code": STR,
             "timed_out": BOOL, "latency_ms": NUM, "fee": INT, "pan": STR}),
    "check": ({"ts": STR, "name": STR, "result": None}, {"terminal_id": STR, "site_id": STR}),
    "maintenance": ({"ts": STR, "terminal_id": STR, "action": STR}, {"notes": STR}),
    "complaint": ({"ts": STR, "complaint_id": STR, "from": STR, "merchant_id": STR, "text": STR},
                  {"terminal_id": STR}),
    "resolution": ({"ts": STR, "cause": STR}, {"terminal_id": STR, "site_id": STR, "incident_id": STR, "notes": STR}),
}
ENUMS = {
    ("merchant", "settlement"): {"direct", "indirect"},
    ("terminal", "network"): {"ethernet", "wifi", "cellular"},
    ("telemetry", "reboot"): {"power_loss", "watchdog", "crash", "user", "update"},
    ("telemetry", "key_check"): {"ok", "mismatch", "missing"},
    ("telemetry", "printer"): {"ok", "paper_out", "fault"},
    ("error", "stage"): {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"},
    ("txn", "type"): {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"},
    ("txn", "channel"): {"card_ic", "card_swipe", "nfc", "qr"},
    ("txn", "currency"): {"CNY", "156"},
    ("maintenance", "action"): {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update",
                                "part_replaced", "repair"},
    ("complaint", "from"): {"merchant", "customer"},
}
RANGES = {"packet_loss": (0, 1), "battery_pct": (0, 100), "storage_used_pct": (0, 100),
          "memory_used_pct": (0, 100), "cpu_pct": (0, 100), "rssi_dbm": (-130, 0), "supply_v": (0, 60),
          "latency_ms": (0, 600000), "temp_c": (-30, 120)}
FORBIDDEN = re.compile(r"(pin_?block|track_?[123]?|track_data|cvv2?|cvc2?|icvv|full_?pan|service_code)", re.I)
PAN_RE = re.compile(r"^\d{6}\*{3,9}\d{4}$")
DIGITS_RE = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DISORDER = 60.0


def parse_ts(s):
    if not isinstance(s, str) or not TS_RE.match(s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def typeok(v, ty):
    if ty is None:
        return v is not None
    if ty == STR:
        return isinstance(v, str)
    if ty == INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if ty == NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if ty == BOOL:
        return isinstance(v, bool)
    return True


def luhn(d):
    s = 0
    for i, ch in enumerate(reversed(d)):
        x = int(ch)
        if i % 2:
            x *= 2
            if x > 9:
                x -= 9
        s += x
    return s % 10 == 0


class Report:
    def __init__(self, name):
        self.name = name
        self.problems = Counter()
        self.examples = defaultdict(list)
        self.warnings = Counter()
        self.wexamples = defaultdict(list)

    def warn(self, key, msg):
        self.warnings[key] += 1
        if len(self.wexamples[key]) < 3:
            self.wexamples[key].append(msg)

    def bad(self, key, msg):
        self.problems[key] += 1
        if len(self.examples[key]) < 3:
            self.examples[key].append(msg)


def walk_strings(o, path=""):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from walk_strings(v, path + "." + k if path else k)
    elif isinstance(o, list):
        for v in o:
            yield from walk_strings(v, path)
    elif isinstance(o, str):
        yield path, o


def check_dir(d):
    rep = Report(d)
    recs = []
    kinds = Counter()
    inv = {"merchant": set(), "site": set(), "terminal": set()}
    failed = Counter()
    failed_stan = {}
    last_global = None
    last_term = {}
    with open(d + "/records.jsonl", encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                rep.bad("json", "line %d not JSON" % ln)
                continue
            k = r.get("kind")
            kinds[k] += 1
            if k not in SPEC:
                rep.bad("kind", "line %d unknown kind %r" % (ln, k))
                continue
            req, opt = SPEC[k]
            for f, ty in req.items():
                if f not in r:
                    rep.bad("required:%s.%s" % (k, f), "line %d missing %s" % (ln, f))
                elif not typeok(r[f], ty):
                    rep.bad("type:%s.%s" % (k, f), "line %d %s=%r" % (ln, f, r[f]))
            for f, ty in opt.items():
                if f in r and not typeok(r[f], ty):
                    rep.bad("type:%s.%s" % (k, f), "line %d %s=%r" % (ln, f, r[f]))
            for (kk, f), allowed in ENUMS.items():
                if kk == k and f in r and r[f] not in allowed:
                    rep.bad("enum:%s.%s" % (k, f), "line %d %s=%r" % (ln, f, r[f]))
            for f, (lo, hi) in RANGES.items():
                if f in r and typeok(r[f], NUM) and not (lo <= r[f] <= hi):
                    rep.bad("range:%s" % f, "line %d %s=%r" % (ln, f, r[f]))
            for f in r:
                if FORBIDDEN.search(f):
                    rep.bad("forbidden_field", "line %d field %s" % (ln, f))
            for path, sv in walk_strings(r):
                if path in ("merchant_id",):
                    continue
                for m in DIGITS_RE.findall(sv):
                    if len(m) >= 15 and luhn(m):
                        rep.bad("possible_full_pan", "line %d %s=%s" % (ln, path, sv[:60]))
            if "pan" in r and not PAN_RE.match(str(r["pan"])):
                rep.bad("pan_not_masked", "line %d pan=%r" % (ln, r["pan"]))
            if "pan" in r and PAN_RE.match(str(r["pan"])) and not (13 <= len(r["pan"]) <= 19):
                rep.bad("pan_length", "line %d pan=%r" % (ln, r["pan"]))
            tid = r.get("terminal_id")
            if tid is not None and (not isinstance(tid, str) or len(tid) != 8):
                rep.bad("tid_format", "line %d terminal_id=%r" % (ln, tid))
            mid = r.get("merchant_id")
            if mid is not None and (not isinstance(mid, str) or len(mid) != 15):
                rep.bad("mid_format", "line %d merchant_id=%r" % (ln, mid))
            if k == "check" and not ("terminal_id" in r or "site_id" in r):
                rep.bad("check_target", "line %d" % ln)
            if k == "resolution":
                if not any(x in r for x in ("terminal_id", "site_id", "incident_id")):
                    rep.bad("resolution_target", "line %d" % ln)
                if r.get("cause") not in CAUSE_SET and ".".join(str(r.get("cause")).split(".")[:2]) not in CAUSE_SET:
                    rep.bad("resolution_cause", "line %d cause=%r" % (ln, r.get("cause")))
            if k == "terminal" and "cert_not_after" in r and parse_ts(r["cert_not_after"]) is None:
                rep.bad("cert_ts", "line %d" % ln)
            if k == "txn":
                if "response_code" not in r and not r.get("timed_out"):
                    rep.bad("txn_no_outcome", "line %d neither response_code nor timed_out" % ln)
                if "response_code" in r and r.get("timed_out"):
                    rep.bad("txn_both_outcomes", "line %d" % ln)
                if r.get("amount", 0) < 0:
                    rep.bad("amount_negative", "line %d" % ln)
            if k == "telemetry" and "rssi_dbm" in r and r["rssi_dbm"] is None:
                rep.bad("null_value", "line %d" % ln)
            for f, v in r.items():
                if v is None:
                    rep.bad("null_value", "line %d field %s" % (ln, f))
            # inventory refs
            if k in inv:
                key = {"merchant": "merchant_id", "site": "site_id", "terminal": "terminal_id"}[k]
                inv[k].add(r.get(key))
            # time
            t = None
            if "ts" in r:
                t = parse_ts(r["ts"])
                if t is None:
                    rep.bad("ts_format", "line %d ts=%r" % (ln, r.get("ts")))
            elif k not in ("merchant", "site", "terminal"):
                rep.bad("ts_missing", "line %d" % ln)
            if t is not None:
                if last_global is not None and t < last_global - DISORDER:
                    rep.bad("order_global", "line %d %s is %.0fs before latest" % (ln, r["ts"], last_global - t))
                last_global = t if last_global is None else max(last_global, t)
                if tid:
                    lt = last_term.get(tid)
                    if lt is not None and t < lt - DISORDER:
                        rep.bad("order_terminal", "line %d %s %.0fs back" % (ln, tid, lt - t))
                    last_term[tid] = t if lt is None else max(lt, t)
            # failed events
            if k == "error" and t is not None:
                failed[(tid, int(t), r.get("code"))] += 1
                failed_stan[(tid, int(t), r.get("code"))] = r.get("stan")
            if k == "txn" and t is not None:
                rc = r.get("response_code")
                if r.get("timed_out"):
                    failed[(tid, int(t), "timeout")] += 1
                    failed_stan[(tid, int(t), "timeout")] = r.get("stan")
                elif rc is not None and rc not in APPROVED:
                    failed[(tid, int(t), rc)] += 1
                    failed_stan[(tid, int(t), rc)] = r.get("stan")
            recs.append((ln, k, r))
    # references to inventory
    for ln, k, r in recs:
        if k in ("merchant", "site", "terminal"):
            if k == "site" and r.get("merchant_id") not in inv["merchant"]:
                rep.bad("ref_merchant", "line %d" % ln)
            if k == "terminal":
                if "merchant_id" in r and r["merchant_id"] not in inv["merchant"]:
                    rep.bad("ref_merchant", "line %d" % ln)
                if "site_id" in r and r["site_id"] not in inv["site"]:
                    rep.bad("ref_site", "line %d" % ln)
            continue
        if "terminal_id" in r and r["terminal_id"] not in inv["terminal"]:
            rep.bad("ref_terminal", "line %d %s" % (ln, r["terminal_id"]))
        if "site_id" in r and r["site_id"] not in inv["site"]:
            rep.bad("ref_site", "line %d %s" % (ln, r["site_id"]))
        if "merchant_id" in r and r["merchant_id"] not in inv["merchant"]:
            rep.bad("ref_merchant", "line %d %s" % (ln, r["merchant_id"]))

    # truth
    faults = {}
    tev = Counter()
    tev_cause = Counter()
    truth_cause = Counter()
    fault_events = Counter()
    with open(d + "/truth.jsonl", encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                rep.bad("truth_json", "line %d" % ln)
                continue
            k = r.get("kind")
            if k == "truth":
                for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if f not in r:
                        rep.bad("truth_required", "line %d missing %s" % (ln, f))
                if r.get("cause") not in CAUSE_SET:
                    rep.bad("truth_cause", "line %d cause=%r" % (ln, r.get("cause")))
                if r.get("fault_id") in faults:
                    rep.bad("truth_dup_id", "line %d" % ln)
                if not isinstance(r.get("scope"), dict) or not r.get("scope"):
                    rep.bad("truth_scope", "line %d" % ln)
                if not isinstance(r.get("terminals"), list):
                    rep.bad("truth_terminals", "line %d" % ln)
                else:
                    if not r["terminals"]:
                        rep.bad("truth_no_terminals", "line %d %s" % (ln, r.get("fault_id")))
                    for tid in r["terminals"]:
                        if tid not in inv["terminal"]:
                            rep.bad("truth_ref_terminal", "line %d %s" % (ln, tid))
                a, b = parse_ts(r.get("start")), parse_ts(r.get("end"))
                if a is None or b is None or b <= a:
                    rep.bad("truth_span", "line %d %r..%r" % (ln, r.get("start"), r.get("end")))
                faults[r.get("fault_id")] = r
                truth_cause[r.get("cause")] += 1
            elif k == "truth_event":
                for f in ("ts", "terminal_id", "cause"):
                    if f not in r:
                        rep.bad("tevent_required", "line %d missing %s" % (ln, f))
                if r.get("cause") not in CAUSE_SET:
                    rep.bad("tevent_cause", "line %d cause=%r" % (ln, r.get("cause")))
                t = parse_ts(r.get("ts"))
                if t is None:
                    rep.bad("tevent_ts", "line %d" % ln)
                    continue
                key = (r.get("terminal_id"), int(t), r.get("code"))
                tev[key] += 1
                tev_cause[r.get("cause")] += 1
                fid = r.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        rep.bad("tevent_unknown_fault", "line %d %s" % (ln, fid))
                    elif faults[fid]["cause"] != r.get("cause"):
                        rep.bad("tevent_cause_mismatch", "line %d" % ln)
                    else:
                        fault_events[fid] += 1
                        fa, fb = parse_ts(faults[fid]["start"]), parse_ts(faults[fid]["end"])
                        if fa is not None and not (fa - 900 <= t <= fb + 900):
                            rep.bad("tevent_outside_fault", "line %d %s %s" % (ln, fid, r.get("ts")))
                elif r.get("cause") not in ("card.decline", "operator.error"):
                    rep.bad("tevent_null_fault", "line %d cause %s without fault" % (ln, r.get("cause")))
                if "stan" in r and failed_stan.get(key) not in (None, r["stan"]):
                    rep.bad("tevent_stan", "line %d" % ln)
            else:
                rep.bad("truth_kind", "line %d kind=%r" % (ln, k))
    # one truth_event per failed event, and no extras
    for key, n in failed.items():
        m = tev.get(key, 0)
        if m != n:
            rep.bad("failed_without_truth" if m < n else "truth_extra", "%s records=%d truth=%d" % (key, n, m))
    for key, m in tev.items():
        if key not in failed:
            rep.bad("truth_without_event", "%s" % (key,))
    for fid, f in faults.items():
        if fault_events[fid] == 0:
            rep.warn("fault_without_events", "%s %s" % (fid, f.get("cause")))
    stats = {"kinds": kinds, "failed": sum(failed.values()), "truth_cause": truth_cause, "tev_cause": tev_cause,
             "faults": len(faults)}
    return rep, stats


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    allok = True
    cov_f = defaultdict(int)
    cov_dirs = defaultdict(int)
    cov_e = defaultdict(int)
    for d in argv[1:]:
        rep, st = check_dir(d.rstrip("/"))
        k = st["kinds"]
        print("%s: %d records (%s), %d faults, %d failed events" % (
            d, sum(k.values()), ", ".join("%s=%d" % (x, k[x]) for x in sorted(k, key=str)), st["faults"], st["failed"]))
        if rep.problems:
            allok = False
            for key, n in sorted(rep.problems.items()):
                print("  PROBLEM %-28s x%-6d e.g. %s" % (key, n, " | ".join(rep.examples[key])))
        else:
            print("  ok")
        for key, n in sorted(rep.warnings.items()):
            print("  warning %-28s x%-6d e.g. %s" % (key, n, " | ".join(rep.wexamples[key])))
        for c, n in st["truth_cause"].items():
            cov_f[c] += n
            cov_dirs[c] += 1
        for c, n in st["tev_cause"].items():
            cov_e[c] += n
    if len(argv) > 2:
        nd = len(argv) - 1
        print("\ncause coverage over %d dirs:" % nd)
        print("  %-26s %8s %8s %10s" % ("cause", "dirs", "faults", "events"))
        missing = []
        for c in CAUSES:
            print("  %-26s %8s %8d %10d" % (c, "%d/%d" % (cov_dirs[c], nd) if c != "card.decline" else "-",
                                            cov_f[c], cov_e[c]))
            if cov_e[c] == 0 or (c != "card.decline" and cov_f[c] == 0):
                missing.append(c)
        if missing:
            allok = False
            print("  MISSING: %s" % ", ".join(missing))
        else:
            print("  every cause present")
    return 0 if allok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
