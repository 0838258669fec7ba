#!/usr/bin/env python3
"""validate.py DIR [DIR...] [--require-all-causes] [--min N]

Checks gen17 output directories (records.jsonl + truth.jsonl) against the posdoc record
format v1 (FORMAT.md): kinds, required fields, types, RFC 3339 timestamps, masked card
numbers, reference integrity, per-terminal time order, bounded disorder; that every failed
event (an `error`, a txn that timed out or carries a non-approval response code) has exactly
one `truth_event` and vice versa; that `truth` faults are consistent. Prints per-cause
event and fault counts. Exit status 1 on any error.
"""
import datetime
import json
import os
import re
import sys
from collections import Counter, defaultdict

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type",
    "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]
FORMAT_MD = "/work/shared/contract/FORMAT.md"
# approvals: 00, plus CUPS "approved" variants (11 VIP approval, A2/A4/A6 approved with defect), 10 partial
APPROVALS = {"00", "10", "11", "A2", "A4", "A5", "A6"}

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN_RE = re.compile(r"^\d{6}\*{3,9}\d{4}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FULLPAN_RE = re.compile(r"(?<![\d*])(?:[3-6]\d{12,18})(?![\d*])")

OBS_KINDS = {"telemetry", "error", "txn", "check", "maintenance", "complaint", "resolution"}
INV_KINDS = {"merchant", "site", "terminal"}
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
    "truth": ["fault_id", "cause", "scope", "terminals", "start", "end"],
    "truth_event": ["ts", "terminal_id", "cause"],
}
TEL_TYPES = {
    "online": bool, "rssi_dbm": (int, float), "latency_ms": (int, float), "packet_loss": (int, float),
    "supply_v": (int, float), "battery_pct": (int, float), "power_events": int, "reboot": str,
    "storage_used_pct": (int, float), "memory_used_pct": (int, float), "cpu_pct": (int, float),
    "temp_c": (int, float), "key_check": str, "clock_skew_s": (int, float), "printer": str,
    "keypad_errors": int, "card_reader_errors": int, "app_crashes": int, "firmware": str, "app_version": str,
}
ENUMS = {
    ("terminal", "network"): {"ethernet", "wifi", "cellular"},
    ("merchant", "settlement"): {"direct", "indirect"},
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
FORBIDDEN = {"track2", "track1", "track_data", "pin_block", "pinblock", "cvv", "cvv2", "cvn", "full_pan"}


def parse_ts(s):
    if not isinstance(s, str) or not TS_RE.match(s):
        return None
    try:
        return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def causes_from_format():
    try:
        txt = open(FORMAT_MD, encoding="utf-8").read()
    except OSError:
        return None
    sec = txt.split("## Causes", 1)[-1].split("##", 1)[0]
    return re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", sec, re.M)


def is_failed(r):
    if r.get("kind") == "error":
        return True
    if r.get("kind") == "txn":
        if r.get("timed_out") is True:
            return True
        rc = r.get("response_code")
        return rc is not None and rc not in APPROVALS
    return False


def event_code(r):
    if r["kind"] == "error":
        return r["code"]
    if r.get("timed_out") is True:
        return "timeout"
    return r["response_code"]


class Checker:
    def __init__(self, d):
        self.d = d
        self.errors = []
        self.warnings = []

    def err(self, msg):
        if len(self.errors) < 200:
            self.errors.append(msg)
        elif len(self.errors) == 200:
            self.errors.append("... more errors suppressed")

    def check_record(self, ln, r, inv):
        k = r.get("kind")
        if k not in REQ or k in ("truth", "truth_event"):
            self.err("records:%d unknown kind %r" % (ln, k))
            return
        for f in REQ[k]:
            if f not in r:
                self.err("records:%d %s missing %s" % (ln, k, f))
        for bad in FORBIDDEN:
            if bad in r:
                self.err("records:%d forbidden field %s" % (ln, bad))
        if "ts" in r and parse_ts(r["ts"]) is None:
            self.err("records:%d bad ts %r" % (ln, r["ts"]))
        for key, allowed in ENUMS.items():
            if key[0] == k and key[1] in r and r[key[1]] not in allowed:
                self.err("records:%d %s.%s=%r not allowed" % (ln, k, key[1], r[key[1]]))
        tid = r.get("terminal_id")
        if tid is not None and (not isinstance(tid, str) or len(tid) != 8):
            self.err("records:%d terminal_id %r is not 8 characters" % (ln, tid))
        mid = r.get("merchant_id")
        if mid is not None and (not isinstance(mid, str) or len(mid) != 15):
            self.err("records:%d merchant_id %r is not 15 characters" % (ln, mid))
        if k == "terminal":
            if not SLUG_RE.match(str(r.get("vendor", ""))):
                self.err("records:%d vendor %r not a lowercase slug" % (ln, r.get("vendor")))
            if r.get("network") == "cellular" and not r.get("carrier"):
                self.warnings.append("records:%d cellular terminal without carrier" % ln)
            for f in ("cert_not_after", "installed"):
                if f in r and f == "cert_not_after" and parse_ts(r[f]) is None:
                    self.err("records:%d bad %s" % (ln, f))
        if k == "merchant":
            if not re.match(r"^\d{4}$", str(r.get("mcc", ""))):
                self.err("records:%d bad mcc" % ln)
            for f in ("card_rate", "qr_rate"):
                if f in r and not (isinstance(r[f], (int, float)) and 0 <= r[f] < 0.05):
                    self.err("records:%d %s should be a fraction" % (ln, f))
        if k in OBS_KINDS and tid is not None and tid not in inv["terminal"]:
            self.err("records:%d unknown terminal %s" % (ln, tid))
        if k == "telemetry":
            for f, ty in TEL_TYPES.items():
                if f in r and (not isinstance(r[f], ty) or (ty is not bool and isinstance(r[f], bool))):
                    self.err("records:%d telemetry %s has type %s" % (ln, f, type(r[f]).__name__))
            if "packet_loss" in r and not (0 <= r["packet_loss"] <= 1):
                self.err("records:%d packet_loss out of 0..1" % ln)
            for f in ("battery_pct", "storage_used_pct", "memory_used_pct", "cpu_pct"):
                if f in r and not (0 <= r[f] <= 100):
                    self.err("records:%d %s out of range" % (ln, f))
        if k == "error":
            if not isinstance(r.get("code"), str) or not r.get("code"):
                self.err("records:%d error code must be a non-empty string" % ln)
            if "detail" in r and not isinstance(r["detail"], str):
                self.err("records:%d detail must be a string" % ln)
        if k == "txn":
            if not isinstance(r.get("amount"), int) or isinstance(r.get("amount"), bool) or r.get("amount", 0) < 0:
                self.err("records:%d amount must be a non-negative integer (fen)" % ln)
            if "fee" in r and not isinstance(r["fee"], int):
                self.err("records:%d fee must be an integer" % ln)
            if "response_code" not in r and r.get("timed_out") is not True:
                self.err("records:%d txn has neither response_code nor timed_out" % ln)
            if "response_code" in r and not re.match(r"^[0-9A-Z]{2}$", str(r["response_code"])):
                self.err("records:%d bad response_code %r" % (ln, r["response_code"]))
            if "timed_out" in r and not isinstance(r["timed_out"], bool):
                self.err("records:%d timed_out must be boolean" % ln)
            if "pan" in r and not PAN_RE.match(str(r["pan"])):
                self.err("records:%d pan not masked as first6+stars+last4: %r" % (ln, r["pan"]))
            if "stan" in r and not re.match(r"^\d{6}$", str(r["stan"])):
                self.err("records:%d stan should be 6 digits" % ln)
            if "rrn" in r and not re.match(r"^[0-9A-Za-z]{12}$", str(r["rrn"])):
                self.err("records:%d rrn should be 12 characters" % ln)
            if "mcc" in r and not re.match(r"^\d{4}$", str(r["mcc"])):
                self.err("records:%d bad mcc" % ln)
        if k in ("check", "resolution"):
            tg = [x for x in ("terminal_id", "site_id", "incident_id") if x in r]
            if not tg:
                self.err("records:%d %s has no target" % (ln, k))
            if "site_id" in r and r["site_id"] not in inv["site"]:
                self.err("records:%d unknown site %s" % (ln, r["site_id"]))
        if k == "resolution" and r.get("cause") not in CAUSES:
            self.err("records:%d resolution cause %r not in the cause list" % (ln, r.get("cause")))
        if k == "complaint" and r.get("merchant_id") not in inv["merchant"]:
            self.err("records:%d complaint for unknown merchant" % ln)
        # no full card number anywhere in free text
        for f in ("detail", "text", "notes"):
            if isinstance(r.get(f), str) and FULLPAN_RE.search(r[f]):
                self.err("records:%d %s looks like it holds a full card number" % (ln, f))

    def run(self):
        d = self.d
        recp, trup = os.path.join(d, "records.jsonl"), os.path.join(d, "truth.jsonl")
        recs = []
        for ln, line in enumerate(open(recp, encoding="utf-8"), 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                self.err("records:%d bad json: %s" % (ln, e))
                continue
            if not isinstance(r, dict) or "kind" not in r:
                self.err("records:%d not an object with kind" % ln)
                continue
            recs.append((ln, r))
        inv = {"terminal": {}, "merchant": {}, "site": {}}
        for ln, r in recs:
            if r["kind"] == "terminal":
                inv["terminal"][r.get("terminal_id")] = r
            elif r["kind"] == "merchant":
                inv["merchant"][r.get("merchant_id")] = r
            elif r["kind"] == "site":
                inv["site"][r.get("site_id")] = r
        for s in inv["site"].values():
            if s.get("merchant_id") not in inv["merchant"]:
                self.err("site %s of unknown merchant" % s.get("site_id"))
        for t in inv["terminal"].values():
            if t.get("merchant_id") and t["merchant_id"] not in inv["merchant"]:
                self.err("terminal %s of unknown merchant" % t["terminal_id"])
            if t.get("site_id") and t["site_id"] not in inv["site"]:
                self.err("terminal %s at unknown site" % t["terminal_id"])
        last_per_term = {}
        maxts = None
        disorder, late = 0.0, 0
        failed = defaultdict(list)
        kinds = Counter()
        for ln, r in recs:
            self.check_record(ln, r, inv)
            kinds[r["kind"]] += 1
            ts = parse_ts(r.get("ts"))
            if ts is None:
                continue
            if maxts is not None and ts < maxts:
                late += 1
                disorder = max(disorder, maxts - ts)
            maxts = ts if maxts is None else max(maxts, ts)
            tid = r.get("terminal_id")
            if r["kind"] in ("telemetry", "error", "txn") and tid:
                if tid in last_per_term and ts < last_per_term[tid]:
                    self.err("records:%d terminal %s out of time order" % (ln, tid))
                last_per_term[tid] = max(ts, last_per_term.get(tid, ts))
            if r["kind"] in ("error", "txn") and is_failed(r):
                failed[(tid, ts, event_code(r))].append((ln, r))
        if disorder > 60:
            self.err("records out of order by %.0f s (> 60 s allowance)" % disorder)
        # truth
        faults = {}
        tevents = defaultdict(list)
        per_cause_ev = Counter()
        per_cause_fault_ev = Counter()
        fault_ev = Counter()
        for ln, line in enumerate(open(trup, encoding="utf-8"), 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                self.err("truth:%d bad json: %s" % (ln, e))
                continue
            k = r.get("kind")
            if k not in ("truth", "truth_event"):
                self.err("truth:%d unknown kind %r" % (ln, k))
                continue
            for f in REQ[k]:
                if f not in r:
                    self.err("truth:%d %s missing %s" % (ln, k, f))
            if r.get("cause") not in CAUSES:
                self.err("truth:%d cause %r not in the cause list" % (ln, r.get("cause")))
            if k == "truth":
                fid = r.get("fault_id")
                if fid in faults:
                    self.err("truth:%d duplicate fault_id %s" % (ln, fid))
                faults[fid] = r
                s, e = parse_ts(r.get("start")), parse_ts(r.get("end"))
                if s is None or e is None or not s < e:
                    self.err("truth:%d fault %s needs start < end" % (ln, fid))
                if not isinstance(r.get("scope"), dict) or not r["scope"]:
                    self.err("truth:%d fault %s has an empty scope" % (ln, fid))
                if not isinstance(r.get("terminals"), list):
                    self.err("truth:%d terminals must be a list" % ln)
                else:
                    for t in r["terminals"]:
                        if t not in inv["terminal"]:
                            self.err("truth:%d fault %s lists unknown terminal %s" % (ln, fid, t))
                    if len(set(r["terminals"])) != len(r["terminals"]):
                        self.err("truth:%d fault %s lists a terminal twice" % (ln, fid))
                sc = r.get("scope") or {}
                for key in ("terminal_id", "site_id", "merchant_id", "host", "model", "carrier", "city"):
                    if key in sc:
                        vals = {"terminal_id": inv["terminal"], "site_id": inv["site"],
                                "merchant_id": inv["merchant"]}.get(key)
                        if vals is not None and sc[key] not in vals:
                            self.err("truth:%d scope %s=%s unknown" % (ln, key, sc[key]))
                for t in r.get("terminals", []):
                    tr = inv["terminal"].get(t)
                    if not tr:
                        continue
                    for key in ("site_id", "merchant_id", "host", "model", "carrier"):
                        if key in sc and tr.get(key) != sc[key]:
                            self.err("truth:%d fault %s terminal %s does not match scope %s" % (ln, fid, t, key))
                    if "terminal_id" in sc and t != sc["terminal_id"]:
                        self.err("truth:%d fault %s terminal %s outside its scope" % (ln, fid, t))
            else:
                ts = parse_ts(r.get("ts"))
                if ts is None:
                    self.err("truth:%d bad ts" % ln)
                    continue
                tevents[(r.get("terminal_id"), ts, r.get("code"))].append((ln, r))
                per_cause_ev[r.get("cause")] += 1
                if r.get("fault_id") is not None:
                    per_cause_fault_ev[r.get("cause")] += 1
                    fault_ev[r["fault_id"]] += 1
        for key, lst in tevents.items():
            for ln, r in lst:
                fid = r.get("fault_id")
                if fid is not None:
                    f = faults.get(fid)
                    if f is None:
                        self.err("truth:%d truth_event refers to unknown fault %s" % (ln, fid))
                    elif f.get("cause") != r.get("cause"):
                        self.err("truth:%d truth_event cause differs from its fault's" % ln)
                    elif key[0] not in f.get("terminals", []):
                        self.err("truth:%d truth_event terminal %s not listed by fault %s" % (ln, key[0], fid))
                    else:
                        s, e = parse_ts(f["start"]), parse_ts(f["end"])
                        if not (s - 120 <= key[1] <= e + 900):
                            self.err("truth:%d truth_event of %s outside the fault's window" % (ln, fid))
        for key, lst in failed.items():
            te = tevents.get(key, [])
            if len(te) != 1 or len(lst) != 1:
                self.err("failed event %s at records:%s has %d truth_event(s) and %d twin(s)" %
                         (key, ",".join(str(x[0]) for x in lst), len(te), len(lst) - 1))
            elif "stan" in lst[0][1] and te[0][1].get("stan") not in (None, lst[0][1]["stan"]):
                self.err("truth_event stan differs for %s" % (key,))
        for key, lst in tevents.items():
            if key not in failed:
                self.err("truth:%d truth_event without a failed record %s" % (lst[0][0], key))
        # same terminal+time twice with different codes would make time matching ambiguous
        tt = Counter((k[0], k[1]) for k in failed)
        for k, n in tt.items():
            if n > 1:
                self.err("two failed events of %s at the same second" % (k,))
        for fid, f in faults.items():
            if fault_ev[fid] == 0:
                self.warnings.append("fault %s (%s) has no failed events" % (fid, f.get("cause")))
        self.kinds = kinds
        self.faults = faults
        self.per_cause_ev = per_cause_ev
        self.per_cause_fault_ev = per_cause_fault_ev
        self.fault_ev = fault_ev
        self.nfailed = len(failed)
        self.late = late
        self.disorder = disorder
        self.nrecs = len(recs)
        return not self.errors


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    need_all = "--require-all-causes" in argv
    minn = 3
    for i, a in enumerate(argv):
        if a == "--min" and i + 1 < len(argv):
            minn = int(argv[i + 1])
            args = [x for x in args if x != argv[i + 1]]
    if not args:
        print(__doc__)
        return 2
    fmt = causes_from_format()
    if fmt and sorted(fmt) != sorted(CAUSES):
        print("note: cause list in FORMAT.md differs from the built-in list; using FORMAT.md")
        CAUSES[:] = fmt
    ok = True
    tot_f, tot_e, tot_fe = Counter(), Counter(), Counter()
    for d in args:
        c = Checker(d)
        good = c.run()
        ok = ok and good
        for f in c.faults.values():
            tot_f[f["cause"]] += 1
        tot_e.update(c.per_cause_ev)
        tot_fe.update(c.per_cause_fault_ev)
        print("%s: %s  records=%d failed_events=%d faults=%d late=%d max_disorder=%.0fs  %s" % (
            d, "OK" if good else "FAIL", c.nrecs, c.nfailed, len(c.faults), c.late, c.disorder,
            " ".join("%s=%d" % kv for kv in sorted(c.kinds.items()))))
        for e in c.errors[:40]:
            print("  ERROR", e)
        for w in c.warnings[:10]:
            print("  warn", w)
    print()
    print("%-26s %7s %9s %11s" % ("cause", "faults", "events", "of faults"))
    for cs in CAUSES:
        print("%-26s %7d %9d %11d" % (cs, tot_f[cs], tot_e[cs], tot_fe[cs]))
    print("%-26s %7d %9d %11d" % ("total", sum(tot_f.values()), sum(tot_e.values()), sum(tot_fe.values())))
    if need_all:
        miss = [cs for cs in CAUSES if tot_f[cs] < minn or tot_e[cs] < minn or tot_fe[cs] < minn]
        if miss:
            print("require-all-causes: FAIL, fewer than %d faults / events / fault events for: %s" % (minn, ", ".join(miss)))
            ok = False
        else:
            print("require-all-causes: OK (every cause has >= %d faults, >= %d events and >= %d fault events)" % (minn, minn, minn))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
