#!/usr/bin/env python3
"""validate.py DIR [DIR...] -- check gen16 output against posdoc record format v1.

Checks every line of DIR/records.jsonl and DIR/truth.jsonl field by field
(kinds, required fields, types, ranges, identifiers, RFC 3339 times, masked
PANs), ordering (per-terminal time order; at most 60 s out of order overall),
references (terminals/merchants/sites known from the inventory), that no
observation names a cause, and the truth's consistency: every failed event
(each `error`, each `txn` with a timeout or a non-approval response code) has
exactly one truth_event and every truth_event matches one failed event; every
truth_event's fault exists, has the same cause, lists the terminal and covers
the time.  Prints cause coverage over all DIRs.  Exit status 1 on any problem.

    python3 validate.py /work/data/gen16/seed1 ... [--require-all-causes]
"""
import collections
import datetime as dt
import json
import os
import re
import sys

CAUSES = ["hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board",
          "power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
          "software.incompatible", "software.config", "transmission.corruption", "security.keys",
          "security.certificate", "resource.storage", "resource.memory", "resource.cpu", "operator.error",
          "business.txn_type", "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
          "upstream.issuer", "card.decline"]
CORE_KINDS = {"merchant", "site", "terminal", "telemetry", "error", "txn", "check", "maintenance", "complaint",
              "resolution"}
EXT_KINDS = {"settlement", "notice"}       # extension kinds written by gen16
STAGES = {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"}
TXN_TYPES = {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"}
CHANNELS = {"card_ic", "card_swipe", "nfc", "qr"}
REBOOT = {"power_loss", "watchdog", "crash", "user", "update"}
ACTIONS = {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"}
NETWORKS = {"ethernet", "wifi", "cellular"}
APPROVED = {"00"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN = re.compile(r"^\d{6}\*{3,9}\d{4}$")
CAUSE_RE = re.compile(r"\b(" + "|".join(re.escape(c) for c in CAUSES) + r")\b")


def parse_ts(s):
    if not isinstance(s, str) or not RFC3339.match(s):
        raise ValueError("bad RFC 3339 time %r" % (s,))
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def valid_cause(c):
    if not isinstance(c, str):
        return False
    p = c.split(".")
    return len(p) >= 2 and ".".join(p[:2]) in CAUSES


class Checker:
    def __init__(self, d):
        self.d = d
        self.problems = []
        self.warnings = []

    def bad(self, where, msg):
        if len(self.problems) < 200:
            self.problems.append("%s: %s" % (where, msg))
        elif len(self.problems) == 200:
            self.problems.append("... (more problems suppressed)")

    def num(self, where, r, k, lo=None, hi=None, integer=False, required=False):
        if k not in r:
            if required:
                self.bad(where, "missing %s" % k)
            return
        v = r[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
            self.bad(where, "%s not a %s: %r" % (k, "integer" if integer else "number", v))
            return
        if lo is not None and v < lo or hi is not None and v > hi:
            self.bad(where, "%s out of range: %r" % (k, v))

    def string(self, where, r, k, required=False, choices=None, pattern=None):
        if k not in r:
            if required:
                self.bad(where, "missing %s" % k)
            return
        v = r[k]
        if not isinstance(v, str) or not v:
            self.bad(where, "%s not a non-empty string: %r" % (k, v))
            return
        if choices is not None and v not in choices:
            self.bad(where, "%s=%r not one of %s" % (k, v, sorted(choices)))
        if pattern is not None and not re.match(pattern, v):
            self.bad(where, "%s=%r does not match %s" % (k, v, pattern))

    def run(self):
        rp = os.path.join(self.d, "records.jsonl")
        tp = os.path.join(self.d, "truth.jsonl")
        for p in (rp, tp):
            if not os.path.isfile(p):
                self.bad(self.d, "missing %s" % os.path.basename(p))
                return
        terms, merchants, sites = {}, set(), set()
        failed = {}               # (tid, ts, code) -> count
        per_term_last = {}
        max_ts = None
        kinds = collections.Counter()
        wrong_mid = 0
        with open(rp, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                where = "records.jsonl:%d" % n
                try:
                    r = json.loads(line)
                except Exception as e:
                    self.bad(where, "not JSON (%s)" % e)
                    continue
                if not isinstance(r, dict) or "kind" not in r:
                    self.bad(where, "no kind")
                    continue
                k = r["kind"]
                kinds[k] += 1
                if k not in CORE_KINDS and k not in EXT_KINDS:
                    self.bad(where, "unknown kind %r" % k)
                    continue
                try:
                    ts = parse_ts(r.get("ts"))
                except ValueError as e:
                    self.bad(where, str(e))
                    continue
                if "received_at" in r:
                    try:
                        ra = parse_ts(r["received_at"])
                        if ra < ts:
                            self.bad(where, "received_at before ts")
                    except ValueError as e:
                        self.bad(where, str(e))
                if k != "resolution" and CAUSE_RE.search(line):
                    self.bad(where, "observation names a cause: %s" % CAUSE_RE.search(line).group(0))
                tid = r.get("terminal_id")
                if tid is not None:
                    if not (isinstance(tid, str) and len(tid) == 8):
                        self.bad(where, "terminal_id must be 8 characters: %r" % (tid,))
                    if k != "terminal" and tid not in terms:
                        self.bad(where, "unknown terminal %r" % (tid,))
                    last = per_term_last.get(tid)
                    if last is not None and ts < last:
                        self.bad(where, "terminal %s out of time order (%s < %s)" % (tid, ts, last))
                    per_term_last[tid] = ts if last is None else max(last, ts)
                if max_ts is not None and (max_ts - ts).total_seconds() > 60:
                    self.bad(where, "record %ds out of order (> 60 s)" % (max_ts - ts).total_seconds())
                if k not in ("merchant", "site", "terminal"):
                    max_ts = ts if max_ts is None else max(max_ts, ts)
                mid = r.get("merchant_id")
                if mid is not None and not (isinstance(mid, str) and len(mid) == 15):
                    self.bad(where, "merchant_id must be 15 characters: %r" % (mid,))
                if k == "merchant":
                    self.string(where, r, "merchant_id", True)
                    self.string(where, r, "mcc", True, pattern=r"^\d{4}$")
                    self.string(where, r, "settlement", choices={"direct", "indirect"})
                    for x in ("card_rate", "qr_rate"):
                        self.num(where, r, x, 0, 0.1)
                    self.num(where, r, "fixed_fee", 0, integer=True)
                    merchants.add(mid)
                elif k == "site":
                    self.string(where, r, "site_id", True)
                    self.string(where, r, "merchant_id", True)
                    if mid not in merchants:
                        self.bad(where, "site of unknown merchant")
                    self.num(where, r, "lat", -90, 90)
                    self.num(where, r, "lon", -180, 180)
                    sites.add(r.get("site_id"))
                elif k == "terminal":
                    for x in ("terminal_id", "vendor", "model"):
                        self.string(where, r, x, True)
                    self.string(where, r, "vendor", pattern=r"^[a-z0-9_-]+$")
                    self.string(where, r, "network", choices=NETWORKS)
                    if "merchant_id" in r and mid not in merchants:
                        self.bad(where, "terminal of unknown merchant")
                    if "site_id" in r and r["site_id"] not in sites:
                        self.bad(where, "terminal at unknown site")
                    for x in ("cert_not_after", "installed"):
                        if x in r:
                            try:
                                parse_ts(r[x])
                            except ValueError as e:
                                self.bad(where, str(e))
                    if tid in terms:
                        self.bad(where, "duplicate terminal %s" % tid)
                    terms[tid] = r
                elif k == "telemetry":
                    if not tid:
                        self.bad(where, "telemetry without terminal_id")
                    if "online" in r and not isinstance(r["online"], bool):
                        self.bad(where, "online not boolean")
                    self.num(where, r, "rssi_dbm", -140, 0)
                    self.num(where, r, "latency_ms", 0, 600000)
                    self.num(where, r, "packet_loss", 0, 1)
                    self.num(where, r, "supply_v", 0, 60)
                    self.num(where, r, "battery_pct", 0, 100)
                    for x in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes"):
                        self.num(where, r, x, 0, integer=True)
                    for x in ("storage_used_pct", "memory_used_pct", "cpu_pct"):
                        self.num(where, r, x, 0, 100)
                    self.num(where, r, "temp_c", -40, 120)
                    self.num(where, r, "clock_skew_s", integer=True)
                    self.string(where, r, "reboot", choices=REBOOT)
                    self.string(where, r, "key_check", choices={"ok", "mismatch", "missing"})
                    self.string(where, r, "printer", choices={"ok", "paper_out", "fault"})
                    self.string(where, r, "firmware")
                    self.string(where, r, "app_version")
                elif k == "error":
                    self.string(where, r, "code", True)
                    self.string(where, r, "stage", choices=STAGES)
                    self.string(where, r, "detail")
                    self.string(where, r, "stan", pattern=r"^\d{6}$")
                    key = (tid, r["ts"], r.get("code"))
                    failed[key] = failed.get(key, 0) + 1
                elif k == "txn":
                    self.string(where, r, "type", True, choices=TXN_TYPES)
                    self.num(where, r, "amount", 0, integer=True, required=True)
                    self.string(where, r, "currency", True, choices={"CNY", "156"})
                    self.string(where, r, "channel", choices=CHANNELS)
                    self.string(where, r, "stan", pattern=r"^\d{6}$")
                    self.string(where, r, "rrn", pattern=r"^\w{12}$")
                    self.string(where, r, "mcc", pattern=r"^\d{4}$")
                    self.string(where, r, "response_code", pattern=r"^[0-9A-Z]{2}$")
                    self.string(where, r, "pan", pattern=PAN.pattern)
                    self.num(where, r, "latency_ms", 0, 600000)
                    self.num(where, r, "fee", 0, integer=True)
                    if "timed_out" in r and not isinstance(r["timed_out"], bool):
                        self.bad(where, "timed_out not boolean")
                    if "response_code" not in r and not r.get("timed_out"):
                        self.bad(where, "txn with neither response_code nor timed_out")
                    if r.get("timed_out") and "response_code" in r:
                        self.bad(where, "timed out txn carries a response code")
                    if "fee" in r and r.get("response_code") not in APPROVED:
                        self.bad(where, "fee on a non-approved txn")
                    if mid is not None and mid not in merchants:
                        wrong_mid += 1
                    if r.get("timed_out") or r.get("response_code", "00") not in APPROVED:
                        code = "timeout" if r.get("timed_out") else r["response_code"]
                        key = (tid, r["ts"], code)
                        failed[key] = failed.get(key, 0) + 1
                elif k == "check":
                    if not (r.get("terminal_id") or r.get("site_id")):
                        self.bad(where, "check without target")
                    if r.get("site_id") and r["site_id"] not in sites:
                        self.bad(where, "check of unknown site")
                    self.string(where, r, "name", True)
                    if "result" not in r:
                        self.bad(where, "check without result")
                elif k == "maintenance":
                    if not tid:
                        self.bad(where, "maintenance without terminal_id")
                    self.string(where, r, "action", True, choices=ACTIONS)
                elif k == "complaint":
                    self.string(where, r, "complaint_id", True)
                    self.string(where, r, "from", True, choices={"merchant", "customer"})
                    self.string(where, r, "merchant_id", True)
                    self.string(where, r, "text", True)
                    if mid not in merchants:
                        self.bad(where, "complaint about unknown merchant")
                elif k == "resolution":
                    if not (r.get("terminal_id") or r.get("site_id") or r.get("incident_id")):
                        self.bad(where, "resolution without target")
                    if not valid_cause(r.get("cause")):
                        self.bad(where, "resolution with invalid cause %r" % r.get("cause"))
                elif k == "settlement":
                    self.string(where, r, "result", True, choices={"ok", "fail"})
                elif k == "notice":
                    self.string(where, r, "text", True)
        if wrong_mid:
            self.warnings.append("%d txn(s) carry a merchant_id not in the inventory (misconfigured terminals)" % wrong_mid)
        # truth
        faults = {}
        tevs = []
        with open(tp, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                where = "truth.jsonl:%d" % n
                try:
                    r = json.loads(line)
                except Exception as e:
                    self.bad(where, "not JSON (%s)" % e)
                    continue
                k = r.get("kind")
                if k == "truth":
                    fid = r.get("fault_id")
                    if not isinstance(fid, str) or fid in faults:
                        self.bad(where, "missing or duplicate fault_id %r" % fid)
                        continue
                    if not valid_cause(r.get("cause")):
                        self.bad(where, "invalid cause %r" % r.get("cause"))
                    if not isinstance(r.get("scope"), dict) or not r["scope"]:
                        self.bad(where, "scope must be a non-empty object")
                    tl = r.get("terminals")
                    if not isinstance(tl, list) or not all(isinstance(x, str) for x in tl):
                        self.bad(where, "terminals must be a list of ids")
                        tl = []
                    for x in tl:
                        if x not in terms:
                            self.bad(where, "unknown terminal %s in truth" % x)
                    try:
                        a, b = parse_ts(r.get("start")), parse_ts(r.get("end"))
                        if b < a:
                            self.bad(where, "end before start")
                    except ValueError as e:
                        self.bad(where, str(e))
                        a = b = None
                    faults[fid] = dict(r, _a=a, _b=b, _terms=set(tl), _n=0)
                elif k == "truth_event":
                    try:
                        ts = parse_ts(r.get("ts"))
                    except ValueError as e:
                        self.bad(where, str(e))
                        continue
                    if r.get("terminal_id") not in terms:
                        self.bad(where, "truth_event on unknown terminal")
                    if not valid_cause(r.get("cause")):
                        self.bad(where, "invalid cause %r" % r.get("cause"))
                    if "code" not in r:
                        self.bad(where, "truth_event without code")
                    tevs.append((where, ts, r))
                else:
                    self.bad(where, "unknown truth kind %r" % k)
        seen = collections.Counter()
        for where, ts, r in tevs:
            key = (r.get("terminal_id"), r.get("ts"), r.get("code"))
            seen[key] += 1
            if key not in failed:
                self.bad(where, "truth_event matches no failed event %s" % (key,))
            fid = r.get("fault_id")
            if fid is not None:
                f = faults.get(fid)
                if f is None:
                    self.bad(where, "truth_event refers to unknown fault %s" % fid)
                    continue
                f["_n"] += 1
                if ".".join(r["cause"].split(".")[:2]) != ".".join(f["cause"].split(".")[:2]):
                    self.bad(where, "truth_event cause %s differs from its fault's %s" % (r["cause"], f["cause"]))
                if r["terminal_id"] not in f["_terms"]:
                    self.bad(where, "terminal %s not in fault %s terminals" % (r["terminal_id"], fid))
                if f["_a"] is not None and not (f["_a"] - dt.timedelta(seconds=5) <= ts <= f["_b"] + dt.timedelta(seconds=300)):
                    self.bad(where, "truth_event at %s outside fault %s [%s, %s]" % (r["ts"], fid, f["start"], f["end"]))
        for key, c in failed.items():
            if seen.get(key, 0) != c:
                self.bad("records.jsonl", "failed event %s has %d truth_event(s) for %d record(s)" % (key, seen.get(key, 0), c))
        for fid, f in sorted(faults.items()):
            if f["_n"] == 0:
                self.warnings.append("fault %s (%s) has no failed events" % (fid, f["cause"]))
        self.faults = faults
        self.tevs = [r for _, _, r in tevs]
        self.kinds = kinds
        self.nrec = sum(kinds.values())


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    require_all = "--require-all-causes" in sys.argv
    if not args:
        print(__doc__)
        return 2
    ok = True
    fault_cov = collections.Counter()
    ev_cov = collections.Counter()
    shared_cov = collections.Counter()
    rows = []
    for d in args:
        c = Checker(d)
        c.run()
        faults = getattr(c, "faults", {})
        tevs = getattr(c, "tevs", [])
        for f in faults.values():
            cc = ".".join(f["cause"].split(".")[:2])
            fault_cov[cc] += 1
            if len(f["_terms"]) >= 2:
                shared_cov[cc] += 1
        for r in tevs:
            ev_cov[".".join(r["cause"].split(".")[:2])] += 1
        nsh = sum(1 for f in faults.values() if len(f["_terms"]) >= 2)
        rows.append((d, getattr(c, "nrec", 0), len(faults), nsh, len(tevs), len(c.problems)))
        status = "OK" if not c.problems else "FAIL"
        print("%-40s %s  records=%d faults=%d shared=%d truth_events=%d" % (d, status, getattr(c, "nrec", 0),
                                                                          len(faults), nsh, len(tevs)))
        for p in c.problems:
            print("  PROBLEM", p)
        for w in c.warnings:
            print("  warning", w)
        if c.problems:
            ok = False
    print()
    print("cause coverage over %d dir(s): faults (shared) / failed events" % len(args))
    missing = []
    for cause in CAUSES:
        print("  %-26s %3d (%3d) / %6d" % (cause, fault_cov[cause], shared_cov[cause], ev_cov[cause]))
        if fault_cov[cause] == 0 and ev_cov[cause] == 0:
            missing.append(cause)
    if missing:
        print("causes not covered:", ", ".join(missing))
        if require_all:
            ok = False
    else:
        print("all %d causes covered" % len(CAUSES))
    print("RESULT:", "OK" if ok else "PROBLEMS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
