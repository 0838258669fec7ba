#!/usr/bin/env python3
"""validate.py DIR [DIR...] -- check records.jsonl / truth.jsonl against posdoc format v1
(as written in FORMAT.md) and print a cause-coverage table.  Exit 1 on problems."""
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
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type", "business.limit",
    "business.risk", "business.merchant", "upstream.acquirer", "upstream.issuer", "card.decline",
]
CAUSE2 = set(CAUSES)

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN_RE = re.compile(r"^\d{6}\*{3,9}\d{4}$")
TID_RE = re.compile(r"^[0-9A-Za-z]{8}$")
MID_RE = re.compile(r"^[0-9A-Za-z]{15}$")
APPROVED = {"00"}

STR, INT, NUM, BOOL = "str", "int", "num", "bool"
STAGES = {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"}
REBOOTS = {"power_loss", "watchdog", "crash", "user", "update"}
TXN_TYPES = {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"}
CHANNELS = {"card_ic", "card_swipe", "nfc", "qr"}
MAINT = {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"}

SPEC = {
    "merchant": (dict(merchant_id=STR, mcc=STR), dict(name=STR, city=STR, settlement=STR, card_rate=NUM,
                                                       qr_rate=NUM, fixed_fee=INT)),
    "site": (dict(site_id=STR, merchant_id=STR), dict(name=STR, city=STR, lat=NUM, lon=NUM)),
    "terminal": (dict(terminal_id=STR, vendor=STR, model=STR),
                 dict(serial=STR, firmware=STR, app_version=STR, merchant_id=STR, site_id=STR, network=STR,
                      carrier=STR, host=STR, cert_not_after=STR, installed=STR)),
    "telemetry": (dict(ts=STR, terminal_id=STR),
                  dict(online=BOOL, rssi_dbm=NUM, latency_ms=NUM, packet_loss=NUM, supply_v=NUM, battery_pct=NUM,
                       power_events=INT, reboot=STR, storage_used_pct=NUM, memory_used_pct=NUM, cpu_pct=NUM,
                       temp_c=NUM, key_check=STR, clock_skew_s=NUM, printer=STR, keypad_errors=INT,
                       card_reader_errors=INT, app_crashes=INT, firmware=STR, app_version=STR)),
    "error": (dict(ts=STR, terminal_id=STR, code=STR), dict(stage=STR, detail=STR, stan=STR)),
    "txn": (dict(ts=STR, terminal_id=STR, type=STR, amount=INT, currency=STR),
            dict(merchant_id=STR, stan=STR, rrn=STR, channel=STR, mcc=STR, response_code=STR, timed_out=BOOL,
                 latency_ms=NUM, fee=INT, pan=STR)),
    "check": (dict(ts=STR, name=STR, result=STR), {}),
    "maintenance": (dict(ts=STR, terminal_id=STR, action=STR), dict(notes=STR)),
    "complaint": (dict(ts=STR, complaint_id=STR, merchant_id=STR, text=STR), {"from": STR, "terminal_id": STR}),
    "resolution": (dict(ts=STR, cause=STR), dict(notes=STR)),
}


def typ_ok(v, t):
    if t == STR:
        return isinstance(v, str)
    if t == INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if t == NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == BOOL:
        return isinstance(v, bool)
    return True


def parse_ts(s):
    if not isinstance(s, str) or not TS_RE.match(s):
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def failed(rec):
    if rec.get("kind") == "error":
        return True
    if rec.get("kind") == "txn":
        if rec.get("timed_out"):
            return True
        rc = rec.get("response_code")
        return rc is not None and rc not in APPROVED
    return False


def ev_code(rec):
    if rec["kind"] == "error":
        return rec["code"]
    if rec.get("timed_out") or rec.get("response_code") is None:
        return "timeout"
    return rec["response_code"]


def check_dir(d, cov_f, cov_e, problems):
    P = lambda msg: problems.append("%s: %s" % (d, msg))
    rp, tp = os.path.join(d, "records.jsonl"), os.path.join(d, "truth.jsonl")
    if not os.path.exists(rp) or not os.path.exists(tp):
        P("missing records.jsonl or truth.jsonl")
        return
    events = {}
    nrec = 0
    maxts = None
    terms, mids, sites = set(), set(), set()
    kinds = {}
    with open(rp, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            nrec += 1
            try:
                rec = json.loads(line)
            except ValueError:
                P("records line %d: bad JSON" % ln)
                continue
            k = rec.get("kind")
            kinds[k] = kinds.get(k, 0) + 1
            if k not in SPEC:
                P("records line %d: unknown kind %r" % (ln, k))
                continue
            req, opt = SPEC[k]
            for fld, t in req.items():
                if fld not in rec:
                    P("line %d (%s): missing %s" % (ln, k, fld))
                elif not typ_ok(rec[fld], t):
                    P("line %d (%s): bad type for %s" % (ln, k, fld))
            for fld, t in opt.items():
                if fld in rec and not typ_ok(rec[fld], t):
                    P("line %d (%s): bad type for %s" % (ln, k, fld))
            if "ts" in rec:
                tsv = parse_ts(rec["ts"])
                if tsv is None:
                    P("line %d: bad ts %r" % (ln, rec["ts"]))
                elif k not in ("merchant", "site", "terminal"):
                    if maxts is not None and tsv < maxts - 60:
                        P("line %d: out of order by %.0f s (> 60 s)" % (ln, maxts - tsv))
                    maxts = tsv if maxts is None else max(maxts, tsv)
            if "terminal_id" in rec and not TID_RE.match(str(rec["terminal_id"])):
                P("line %d: bad terminal_id" % ln)
            if "merchant_id" in rec and not MID_RE.match(str(rec["merchant_id"])):
                P("line %d: bad merchant_id" % ln)
            if k == "terminal":
                terms.add(rec["terminal_id"])
                if rec.get("network") not in (None, "ethernet", "wifi", "cellular"):
                    P("line %d: bad network" % ln)
                if rec.get("vendor", "") != rec.get("vendor", "").lower():
                    P("line %d: vendor not lowercase" % ln)
                if "cert_not_after" in rec and parse_ts(rec["cert_not_after"]) is None:
                    P("line %d: bad cert_not_after" % ln)
            elif k == "merchant":
                mids.add(rec["merchant_id"])
                if rec.get("settlement") not in (None, "direct", "indirect"):
                    P("line %d: bad settlement" % ln)
            elif k == "site":
                sites.add(rec["site_id"])
            elif k == "telemetry":
                if "packet_loss" in rec and not 0 <= rec["packet_loss"] <= 1:
                    P("line %d: packet_loss out of range" % ln)
                if "reboot" in rec and rec["reboot"] not in REBOOTS:
                    P("line %d: bad reboot reason" % ln)
                if rec.get("key_check") not in (None, "ok", "mismatch", "missing"):
                    P("line %d: bad key_check" % ln)
                if rec.get("printer") not in (None, "ok", "paper_out", "fault"):
                    P("line %d: bad printer" % ln)
            elif k == "error":
                if "stage" in rec and rec["stage"] not in STAGES:
                    P("line %d: bad stage" % ln)
            elif k == "txn":
                if rec["type"] not in TXN_TYPES:
                    P("line %d: bad txn type" % ln)
                if rec.get("channel") not in (None,) and rec["channel"] not in CHANNELS:
                    P("line %d: bad channel" % ln)
                if rec["currency"] not in ("CNY", "156"):
                    P("line %d: bad currency" % ln)
                if "pan" in rec and not PAN_RE.match(rec["pan"]):
                    P("line %d: PAN not masked: %r" % (ln, rec["pan"]))
                if not rec.get("timed_out") and "response_code" not in rec:
                    P("line %d: txn with neither response_code nor timed_out" % ln)
            elif k == "check":
                if "terminal_id" not in rec and "site_id" not in rec:
                    P("line %d: check without target" % ln)
            elif k == "maintenance":
                if rec["action"] not in MAINT:
                    P("line %d: bad maintenance action" % ln)
            elif k == "complaint":
                if rec.get("from") not in ("merchant", "customer"):
                    P("line %d: bad complaint from" % ln)
            elif k == "resolution":
                if not any(x in rec for x in ("terminal_id", "site_id", "incident_id")):
                    P("line %d: resolution without target" % ln)
                if rec["cause"] not in CAUSE2:
                    P("line %d: resolution cause not in contract" % ln)
            # full PANs anywhere
            for fld, v in rec.items():
                if isinstance(v, str) and re.search(r"(?<!\d)(62|4\d|5[1-5])\d{14,17}(?!\d)", v) and fld not in ("rrn",):
                    P("line %d: possible unmasked PAN in %s" % (ln, fld))
            if failed(rec):
                key = (rec["terminal_id"], rec["ts"], ev_code(rec))
                if key in events and events[key][1] != line:
                    P("line %d: two different failed events share terminal/ts/code %s" % (ln, key))
                events.setdefault(key, [0, line])
            if k in ("telemetry", "error", "txn", "maintenance") and terms and rec.get("terminal_id") not in terms:
                P("line %d: unknown terminal %s" % (ln, rec.get("terminal_id")))
    faults = {}
    nte = 0
    with open(tp, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                rec = json.loads(line)
            except ValueError:
                P("truth line %d: bad JSON" % ln)
                continue
            k = rec.get("kind")
            if k == "truth":
                for fld in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if fld not in rec:
                        P("truth line %d: missing %s" % (ln, fld))
                if rec.get("cause") not in CAUSE2:
                    P("truth line %d: cause %r not in contract" % (ln, rec.get("cause")))
                if not isinstance(rec.get("scope"), dict) or not isinstance(rec.get("terminals"), list):
                    P("truth line %d: bad scope/terminals" % ln)
                s, e = parse_ts(rec.get("start")), parse_ts(rec.get("end"))
                if s is None or e is None or e <= s:
                    P("truth line %d: bad start/end" % ln)
                for t in rec.get("terminals", []):
                    if t not in terms:
                        P("truth line %d: unknown terminal %s" % (ln, t))
                faults[rec["fault_id"]] = rec
                cov_f[rec.get("cause")] = cov_f.get(rec.get("cause"), 0) + 1
            elif k == "truth_event":
                nte += 1
                for fld in ("ts", "terminal_id", "cause"):
                    if fld not in rec:
                        P("truth line %d: missing %s" % (ln, fld))
                if rec.get("cause") not in CAUSE2:
                    P("truth line %d: cause %r not in contract" % (ln, rec.get("cause")))
                key = (rec.get("terminal_id"), rec.get("ts"), rec.get("code"))
                if key not in events:
                    P("truth line %d: truth_event matches no failed record %s" % (ln, key))
                else:
                    events[key][0] += 1
                fid = rec.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        P("truth line %d: unknown fault_id %s" % (ln, fid))
                    elif faults[fid]["cause"] != rec.get("cause"):
                        P("truth line %d: cause differs from its fault's" % ln)
                cov_e[rec.get("cause")] = cov_e.get(rec.get("cause"), 0) + 1
            else:
                P("truth line %d: unknown kind %r" % (ln, k))
    for key, (n, _) in sorted(events.items()):
        if n != 1:
            P("failed event %s has %d truth_events" % (key, n))
    print("%-14s records=%d failed=%d truth_events=%d faults=%d kinds=%s" % (
        os.path.basename(d.rstrip("/")), nrec, len(events), nte, len(faults),
        ",".join("%s:%d" % kv for kv in sorted(kinds.items()))))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    problems = []
    cov_f, cov_e = {}, {}
    per_dir = []
    for d in sys.argv[1:]:
        f0, e0 = dict(cov_f), dict(cov_e)
        check_dir(d, cov_f, cov_e, problems)
        per_dir.append((d, {c: cov_f.get(c, 0) - f0.get(c, 0) for c in CAUSES}))
    print()
    print("%-26s %7s %9s %6s" % ("cause", "faults", "events", "seeds"))
    missing = []
    for c in CAUSES:
        nseeds = sum(1 for _, m in per_dir if m[c] > 0)
        print("%-26s %7d %9d %6d" % (c, cov_f.get(c, 0), cov_e.get(c, 0), nseeds))
        if cov_f.get(c, 0) == 0 and cov_e.get(c, 0) == 0:
            missing.append(c)
    if missing:
        print("\nnot covered: " + ", ".join(missing))
    if problems:
        print("\n%d problem(s):" % len(problems))
        for p in problems[:60]:
            print("  " + p)
        sys.exit(1)
    print("\nOK")


if __name__ == "__main__":
    main()
