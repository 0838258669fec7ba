#!/usr/bin/env python3
"""validate.py DIR...  -- check gen6 output against FORMAT.md v1 and print per-cause coverage."""
import json, re, sys
from collections import Counter, defaultdict
from datetime import datetime

CAUSES = ["hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board",
          "power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
          "software.incompatible", "software.config", "transmission.corruption", "security.keys",
          "security.certificate", "resource.storage", "resource.memory", "resource.cpu", "operator.error",
          "business.txn_type", "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
          "upstream.issuer", "card.decline"]
REQ = {
    "merchant": ["merchant_id", "mcc"], "site": ["site_id", "merchant_id"],
    "terminal": ["terminal_id", "vendor", "model"], "telemetry": ["ts", "terminal_id"],
    "error": ["ts", "terminal_id", "code"], "txn": ["ts", "terminal_id", "type", "amount", "currency"],
    "check": ["ts", "name", "result"], "maintenance": ["ts", "terminal_id", "action"],
    "complaint": ["ts", "complaint_id", "from", "merchant_id"],
}
ENUM = {
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
RFC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PAN = re.compile(r"^\d{6}\*{3,9}\d{4}$")
CAUSE_RE = re.compile("|".join(re.escape(c) for c in CAUSES))


def ep(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def check_dir(d, cov_f, cov_e, seeds_with):
    errs = []
    n = Counter()
    failed = Counter()
    last = {}
    maxback = 0.0
    tids, mids = set(), set()
    with open(d + "/records.jsonl", encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            m = CAUSE_RE.search(line)
            if m:
                errs.append("records:%d contains cause id %s" % (ln, m.group(0)))
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append("records:%d bad json %s" % (ln, e))
                continue
            k = r.get("kind")
            n[k] += 1
            if k not in REQ:
                errs.append("records:%d kind %r not allowed in records" % (ln, k))
                continue
            for f in REQ[k]:
                if f not in r:
                    errs.append("records:%d %s missing %s" % (ln, k, f))
            if k == "check" and not ("terminal_id" in r or "site_id" in r):
                errs.append("records:%d check without target" % ln)
            for f in ("ts", "cert_not_after", "installed"):
                if f in r and not RFC.match(str(r[f])):
                    errs.append("records:%d bad time %s=%r" % (ln, f, r[f]))
            if "terminal_id" in r and not (isinstance(r["terminal_id"], str) and len(r["terminal_id"]) == 8):
                errs.append("records:%d bad TID %r" % (ln, r["terminal_id"]))
            if "merchant_id" in r and not (isinstance(r["merchant_id"], str) and len(r["merchant_id"]) == 15):
                errs.append("records:%d bad MID %r" % (ln, r["merchant_id"]))
            if "pan" in r and not PAN.match(str(r["pan"])):
                errs.append("records:%d unmasked/bad PAN %r" % (ln, r["pan"]))
            for (kk, f), allowed in ENUM.items():
                if kk == k and f in r and r[f] not in allowed:
                    errs.append("records:%d %s.%s=%r" % (ln, k, f, r[f]))
            if k == "telemetry" and "packet_loss" in r and not (0 <= r["packet_loss"] <= 1):
                errs.append("records:%d packet_loss out of range" % ln)
            if k == "txn":
                if not isinstance(r["amount"], int) or ("fee" in r and not isinstance(r["fee"], int)):
                    errs.append("records:%d money not integer" % ln)
                if "response_code" not in r and not r.get("timed_out"):
                    errs.append("records:%d txn with neither response nor timeout" % ln)
            if k == "terminal":
                tids.add(r["terminal_id"])
            if k == "merchant":
                mids.add(r["merchant_id"])
            if k in ("telemetry", "error", "txn") and r.get("terminal_id") not in tids:
                errs.append("records:%d unknown terminal %s" % (ln, r.get("terminal_id")))
            if "ts" in r and "terminal_id" in r and k not in ("terminal",):
                t = ep(r["ts"])
                p = last.get(r["terminal_id"])
                if p is not None and t < p:
                    maxback = max(maxback, p - t)
                    if p - t > 60:
                        errs.append("records:%d out of order by %.0fs" % (ln, p - t))
                last[r["terminal_id"]] = max(t, p or t)
            if k == "error":
                failed[(r["terminal_id"], ep(r["ts"]), r["code"])] += 1
            elif k == "txn" and (r.get("timed_out") or r.get("response_code", "00") != "00"):
                code = "timeout" if r.get("timed_out") else r["response_code"]
                failed[(r["terminal_id"], ep(r["ts"]), code)] += 1
    truth = Counter()
    faults = {}
    tev_by_cause = Counter()
    with open(d + "/truth.jsonl", encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            r = json.loads(line)
            if r["kind"] == "truth":
                for f in ("fault_id", "cause", "scope", "terminals", "start", "end"):
                    if f not in r:
                        errs.append("truth:%d missing %s" % (ln, f))
                if r["cause"] not in CAUSES:
                    errs.append("truth:%d unknown cause %s" % (ln, r["cause"]))
                for f in ("start", "end"):
                    if not RFC.match(r[f]):
                        errs.append("truth:%d bad time" % ln)
                if ep(r["end"]) < ep(r["start"]):
                    errs.append("truth:%d end before start" % ln)
                faults[r["fault_id"]] = r
                for t in r["terminals"]:
                    if t not in tids:
                        errs.append("truth:%d unknown terminal %s" % (ln, t))
            elif r["kind"] == "truth_event":
                for f in ("ts", "terminal_id", "cause"):
                    if f not in r:
                        errs.append("truth:%d missing %s" % (ln, f))
                if r["cause"] not in CAUSES:
                    errs.append("truth:%d unknown cause %s" % (ln, r["cause"]))
                fid = r.get("fault_id")
                if fid is not None:
                    if fid not in faults:
                        errs.append("truth:%d unknown fault %s" % (ln, fid))
                    elif faults[fid]["cause"] != r["cause"]:
                        errs.append("truth:%d cause differs from its fault" % ln)
                elif r["cause"] not in ("card.decline", "operator.error"):
                    errs.append("truth:%d %s event without fault_id" % (ln, r["cause"]))
                truth[(r["terminal_id"], ep(r["ts"]), r.get("code"))] += 1
                tev_by_cause[r["cause"]] += 1
            else:
                errs.append("truth:%d unexpected kind %s" % (ln, r["kind"]))
    missing = failed - truth
    extra = truth - failed
    if missing:
        errs.append("%d failed events without truth_event, e.g. %s" % (sum(missing.values()), list(missing)[:3]))
    if extra:
        errs.append("%d truth_events without failed event, e.g. %s" % (sum(extra.values()), list(extra)[:3]))
    for f in faults.values():
        cov_f[f["cause"]] += 1
        seeds_with[f["cause"]].add(d)
    for c, v in tev_by_cause.items():
        cov_e[c] += v
    nact = 0
    if faults:
        mid = (min(ep(f["start"]) for f in faults.values()) + max(ep(f["end"]) for f in faults.values())) / 2
        nact = sum(1 for f in faults.values() if ep(f["start"]) <= mid < ep(f["end"]))
    print("%s: %d records %s | %d faults (%d active at mid-window) | %d failed events | max reorder %.0fs | %s"
          % (d, sum(n.values()), dict(sorted(n.items())), len(faults), nact, sum(failed.values()), maxback,
             "OK" if not errs else "%d PROBLEMS" % len(errs)))
    for e in errs[:20]:
        print("   ", e)
    return not errs


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        sys.exit(2)
    cov_f, cov_e, seeds_with = Counter(), Counter(), defaultdict(set)
    ok = True
    for d in dirs:
        ok &= check_dir(d.rstrip("/"), cov_f, cov_e, seeds_with)
    print("\n%-26s %7s %7s %9s" % ("cause", "faults", "seeds", "events"))
    for c in CAUSES:
        print("%-26s %7d %7d %9d" % (c, cov_f[c], len(seeds_with[c]), cov_e[c]))
    absent = [c for c in CAUSES if c != "card.decline" and cov_f[c] == 0]
    if absent:
        print("causes with no fault:", absent)
    print("ALL OK" if ok else "PROBLEMS FOUND")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
