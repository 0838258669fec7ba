#!/usr/bin/env python3
"""Validate a gen3 output directory against posdoc record format v1.

    python3 validate.py DIR [DIR ...]

Checks every line is JSON with the fields FORMAT.md requires, enums and types,
the 60 s reorder allowance per terminal, that no cause id leaks into a
non-truth record, that every truth_event points at a real failed event
(terminal + ts + code [+ stan]) and that every failed event has a truth_event.
"""
import collections
import json
import re
import sys
from datetime import datetime

CAUSES = {
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate",
    "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant",
    "upstream.acquirer", "upstream.issuer", "card.decline",
}
TXN_TYPES = {"purchase", "refund", "void", "preauth", "completion", "balance", "reversal"}
CHANNELS = {"card_ic", "card_swipe", "nfc", "qr"}
STAGES = {"power_on", "connect", "tls", "send", "receive", "mac", "card_read", "pin", "print", "app"}
REBOOT = {"power_loss", "watchdog", "crash", "user", "update"}
ACTIONS = {"daily_check", "weekly_clean", "monthly_inspection", "firmware_update", "part_replaced", "repair"}
TELE_NUM = {"rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
            "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "clock_skew_s",
            "keypad_errors", "card_reader_errors", "app_crashes"}
REQ = {
    "merchant": ["merchant_id", "mcc"], "site": ["site_id", "merchant_id"],
    "terminal": ["terminal_id", "vendor", "model"],
    "telemetry": ["ts", "terminal_id"], "error": ["ts", "terminal_id", "code"],
    "txn": ["ts", "terminal_id", "type", "amount", "currency"],
    "check": ["ts", "name", "result"], "maintenance": ["ts", "terminal_id", "action"],
    "complaint": ["ts", "complaint_id", "from", "merchant_id", "text"],
    "resolution": ["ts", "cause"],
}
PAN = re.compile(r"^\d{6}\*{6}\d{4}$")
CAUSE_RE = re.compile("|".join(re.escape(c) for c in sorted(CAUSES)))


def pt(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def check_dir(d):
    errs = []

    def bad(n, msg):
        if len(errs) < 40:
            errs.append(f"records.jsonl:{n}: {msg}")

    terms, mids, sites = set(), set(), set()
    failed = {}          # (tid, t, code) -> stan
    last = collections.defaultdict(lambda: -1e18)
    kinds = collections.Counter()
    with open(f"{d}/records.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                bad(n, f"bad json {e}")
                continue
            k = r.get("kind")
            kinds[k] += 1
            if k not in REQ:
                bad(n, f"unknown kind {k}")
                continue
            if k == "resolution" or CAUSE_RE.search(line):
                bad(n, "cause id in a non-truth record")
            for f in REQ[k]:
                if f not in r:
                    bad(n, f"{k} missing {f}")
            if "ts" in r:
                try:
                    t = pt(r["ts"])
                except Exception:
                    bad(n, f"bad ts {r['ts']}")
                    continue
            tid = r.get("terminal_id")
            if tid is not None and (not isinstance(tid, str) or len(tid) != 8):
                bad(n, f"bad terminal_id {tid}")
            mid = r.get("merchant_id")
            if mid is not None and len(mid) != 15:
                bad(n, f"bad merchant_id {mid}")
            if k == "merchant":
                mids.add(mid)
            elif k == "site":
                sites.add(r["site_id"])
                if mid not in mids:
                    bad(n, "site of unknown merchant")
            elif k == "terminal":
                terms.add(tid)
                if r.get("merchant_id") not in mids or r.get("site_id") not in sites:
                    bad(n, "terminal with unknown merchant/site")
                if r.get("network") not in (None, "ethernet", "wifi", "cellular"):
                    bad(n, "bad network")
            else:
                if tid is not None:
                    if tid not in terms:
                        bad(n, f"unknown terminal {tid}")
                    if t < last[tid] - 60:
                        bad(n, f"out of order by {last[tid] - t:.0f}s")
                    last[tid] = max(last[tid], t)
            if k == "telemetry":
                for f in TELE_NUM:
                    if f in r and not isinstance(r[f], (int, float)):
                        bad(n, f"{f} not numeric")
                if "packet_loss" in r and not 0 <= r["packet_loss"] <= 1:
                    bad(n, "packet_loss out of range")
                if "reboot" in r and r["reboot"] not in REBOOT:
                    bad(n, "bad reboot")
                if "key_check" in r and r["key_check"] not in ("ok", "mismatch", "missing"):
                    bad(n, "bad key_check")
                if "printer" in r and r["printer"] not in ("ok", "paper_out", "fault"):
                    bad(n, "bad printer")
                if "online" in r and not isinstance(r["online"], bool):
                    bad(n, "online not bool")
            elif k == "error":
                if "stage" in r and r["stage"] not in STAGES:
                    bad(n, "bad stage")
                failed[(tid, r["ts"], r["code"])] = r.get("stan")
            elif k == "txn":
                if r["type"] not in TXN_TYPES:
                    bad(n, "bad txn type")
                if r.get("channel") not in (None, *CHANNELS):
                    bad(n, "bad channel")
                if not isinstance(r["amount"], int) or r["amount"] < 0:
                    bad(n, "amount not int")
                if r["currency"] not in ("CNY", "156"):
                    bad(n, "bad currency")
                if "pan" in r and not PAN.match(r["pan"]):
                    bad(n, "unmasked pan")
                rc = r.get("response_code")
                if r.get("timed_out") or (rc is not None and rc != "00"):
                    failed[(tid, r["ts"], rc if rc is not None and not r.get("timed_out") else "timeout")] = r.get("stan")
                    if r.get("timed_out") and rc is None:
                        pass
                elif rc is None:
                    bad(n, "txn neither answered nor timed out")
            elif k == "maintenance":
                if r["action"] not in ACTIONS:
                    bad(n, "bad action")
            elif k == "check":
                if "terminal_id" not in r and "site_id" not in r:
                    bad(n, "check without target")
            elif k == "complaint":
                if r["from"] not in ("merchant", "customer"):
                    bad(n, "bad from")
    # truth
    seen = set()
    faults = {}
    tcount = collections.Counter()
    with open(f"{d}/truth.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append(f"truth.jsonl:{n}: bad json {e}")
                continue
            if r.get("kind") == "truth":
                for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if f not in r:
                        errs.append(f"truth.jsonl:{n}: missing {f}")
                if r["cause"] not in CAUSES:
                    errs.append(f"truth.jsonl:{n}: bad cause")
                if pt(r["start"]) > pt(r["end"]):
                    errs.append(f"truth.jsonl:{n}: start after end")
                for x in r["terminals"]:
                    if x not in terms:
                        errs.append(f"truth.jsonl:{n}: unknown terminal {x}")
                if "terminal_id" not in r["scope"] and len(r["terminals"]) < 2:
                    errs.append(f"truth.jsonl:{n}: shared fault {r['fault_id']} with <2 terminals")
                if "terminal_id" in r["scope"] and r["terminals"] != [r["scope"]["terminal_id"]]:
                    errs.append(f"truth.jsonl:{n}: terminal fault terminals mismatch")
                faults[r["fault_id"]] = r
            elif r.get("kind") == "truth_event":
                for f in ("ts", "terminal_id", "cause"):
                    if f not in r:
                        errs.append(f"truth.jsonl:{n}: missing {f}")
                if r["cause"] not in CAUSES:
                    errs.append(f"truth.jsonl:{n}: bad cause {r['cause']}")
                key = (r["terminal_id"], r["ts"], r.get("code"))
                if key not in failed:
                    errs.append(f"truth.jsonl:{n}: no failed record for {key}")
                elif r.get("stan") != failed[key]:
                    errs.append(f"truth.jsonl:{n}: stan mismatch {key}")
                if key in seen:
                    errs.append(f"truth.jsonl:{n}: duplicate truth_event {key}")
                seen.add(key)
                fid = r.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        errs.append(f"truth.jsonl:{n}: unknown fault {fid}")
                    elif faults[fid]["cause"] != r["cause"]:
                        errs.append(f"truth.jsonl:{n}: cause differs from its fault")
                    elif r["terminal_id"] not in faults[fid]["terminals"]:
                        errs.append(f"truth.jsonl:{n}: terminal not in its fault")
                tcount[r["cause"]] += 1
            else:
                errs.append(f"truth.jsonl:{n}: unknown kind")
    missing = [k for k in failed if k not in seen]
    if missing:
        errs.append(f"{len(missing)} failed events without truth_event, e.g. {missing[:3]}")
    return errs, kinds, faults, tcount


def main():
    allc = set()
    ok = True
    for d in sys.argv[1:]:
        errs, kinds, faults, tcount = check_dir(d)
        fc = collections.Counter(f["cause"] for f in faults.values())
        allc |= set(fc) | set(tcount)
        print(f"{d}: {sum(kinds.values())} records {dict(kinds)}")
        print(f"   {len(faults)} faults, {sum(tcount.values())} truth_events; causes with faults: {len(fc)}")
        for e in errs:
            print("   ERROR", e)
        ok = ok and not errs
    print("causes seen over all dirs:", len(allc), "missing:", sorted(
        {"hardware.keypad", *CAUSES} - allc))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
