"""Helpers for writing case files (format v1 records + inline truth).

Throwaway tooling: the build and the tests only read the generated
`cases/*.jsonl`; nothing here is needed to build or test the workspace.
"""

import json
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent
CST = timezone(timedelta(hours=8))
UTC = timezone.utc

# Ordinary cards seen at Chinese terminals (BIN prefixes). The issuer case
# reserves its own BINs and they never appear here.
DEBIT_BINS = ["621700", "622848", "621226", "622202", "621483", "623668", "622700",
              "621661", "622208", "621799", "622908", "621485"]
CREDIT_BINS = ["625914", "436742", "518710", "625807", "628288", "524047", "622155",
               "356833", "404119", "625967", "622689"]

APPROVED = {"00", "10", "11"}

# What each vendor's heartbeat carries (terminal-management exports differ).
VENDOR_FIELDS = {
    "pax": {"rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "storage_used_pct",
            "memory_used_pct", "cpu_pct", "temp_c", "key_check", "clock_skew_s", "printer",
            "keypad_errors", "card_reader_errors", "app_crashes"},
    # newland's TMS does not report the supply voltage nor cpu
    "newland": {"rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "storage_used_pct",
                "memory_used_pct", "temp_c", "key_check", "printer", "keypad_errors",
                "card_reader_errors"},
    "landi": {"rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "storage_used_pct",
              "memory_used_pct", "cpu_pct", "app_crashes", "clock_skew_s"},
    "sunmi": {"rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "storage_used_pct",
              "memory_used_pct", "cpu_pct", "temp_c", "clock_skew_s", "printer", "app_crashes"},
    "centerm": {"rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct",
                "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check",
                "printer", "keypad_errors", "card_reader_errors", "app_crashes"},
    # verifone's estate manager: no rssi, no supply voltage
    "verifone": {"latency_ms", "packet_loss", "storage_used_pct", "key_check", "printer",
                 "clock_skew_s"},
    "ingenico": {"rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "printer", "temp_c",
                 "card_reader_errors"},
}

NET_LAT = {"ethernet": (38, 7), "wifi": (72, 16), "cellular": (205, 40)}
TXN_LAT = {"ethernet": (640, 140), "wifi": (780, 170), "cellular": (1150, 260)}


def cst(day, hhmm):
    """A CST (UTC+8) time: cst("2026-11-14", "13:35")."""
    h, m = hhmm.split(":")[:2]
    y, mo, d = (int(x) for x in day.split("-"))
    return datetime(y, mo, d, int(h), int(m), tzinfo=CST)


def mins(t, m):
    return t + timedelta(minutes=m)


def secs(t, s):
    return t + timedelta(seconds=s)


def within(t, windows):
    return any(a <= t < b for a, b in windows)


class StanRef:
    """A STAN given out in time order when the file is written."""

    def __init__(self):
        self.value = None

    def __str__(self):
        return self.value


class Case:
    def __init__(self, name, seed, tz="Z"):
        self.name = name
        self.rng = random.Random(seed)
        self.tz = tz
        self.inv = []
        self.ev = []
        self.truths = []
        self.seq = 0
        self.t = {}
        self.m = {}

    # ----- formatting -------------------------------------------------
    def fmt(self, t):
        t = t.replace(microsecond=0)
        if self.tz == "Z":
            return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return t.astimezone(CST).isoformat()

    def add(self, t, rec, truth=None):
        self.seq += 1
        self.ev.append((t, self.seq, rec, truth))

    # ----- inventory ----------------------------------------------------
    def merchant(self, ts, mid, mcc, name, city, card_rate=0.006, qr_rate=0.0038,
                 settlement="direct"):
        rec = {"kind": "merchant", "ts": ts, "merchant_id": mid, "name": name, "mcc": mcc,
               "city": city, "settlement": settlement, "card_rate": card_rate, "qr_rate": qr_rate}
        self.m[mid] = rec
        self.inv.append(rec)

    def site(self, ts, sid, mid, name, city, lat, lon):
        self.inv.append({"kind": "site", "ts": ts, "site_id": sid, "merchant_id": mid,
                         "name": name, "city": city, "lat": lat, "lon": lon})

    def terminal(self, ts, tid, vendor, model, mid, sid, network, host, *, carrier=None,
                 firmware=None, app_version=None, serial=None, cert_not_after=None,
                 installed=None, form="counter", rssi=None, supply=5.08, mem=48.0,
                 storage=42.0, cpu=14.0, temp=38.5, battery=None, drain=0.0,
                 amount=(8, 260), fields=None, lat=None):
        assert len(tid) == 8 and len(mid) == 15, (tid, mid)
        rec = {"kind": "terminal", "ts": ts, "terminal_id": tid,
               "serial": serial or self._serial(vendor), "vendor": vendor, "model": model}
        if firmware:
            rec["firmware"] = firmware
        if app_version:
            rec["app_version"] = app_version
        rec.update({"merchant_id": mid, "site_id": sid, "network": network})
        if carrier:
            rec["carrier"] = carrier
        rec["host"] = host
        if cert_not_after:
            rec["cert_not_after"] = cert_not_after
        if installed:
            rec["installed"] = installed
        self.inv.append(rec)
        f = set(fields if fields is not None else VENDOR_FIELDS[vendor])
        if network == "ethernet":
            f.discard("rssi_dbm")
        if form == "counter":
            f.discard("battery_pct")
        else:
            f.discard("supply_v")
        if rssi is None:
            rssi = {"wifi": -57, "cellular": -74}.get(network)
        if battery is None and form != "counter":
            battery = self.rng.randint(62, 95)
        self.t[tid] = {
            "vendor": vendor, "model": model, "mid": mid, "sid": sid, "net": network,
            "host": host, "fields": f, "rssi": rssi, "supply": supply, "mem": mem,
            "storage": storage, "cpu": cpu, "temp": temp, "batt": battery, "drain": drain,
            "stan": self.rng.randint(120, 880), "amount": amount,
            "lat": lat or NET_LAT[network], "last_hb": None,
        }

    def _serial(self, vendor):
        r = self.rng
        pre = {"pax": "18", "newland": "N7", "landi": "LD", "sunmi": "P2", "centerm": "CT",
               "verifone": "2", "ingenico": "1"}.get(vendor, "X")
        n = 10 - len(pre)
        return pre + "".join(str(r.randint(0, 9)) for _ in range(n))

    # ----- telemetry ----------------------------------------------------
    def hb(self, tid, t, **over):
        p = self.t[tid]
        r = self.rng
        f = p["fields"]
        rec = {"kind": "telemetry", "ts": t, "terminal_id": tid, "online": True}
        if "rssi_dbm" in f and p["rssi"] is not None:
            rec["rssi_dbm"] = int(round(p["rssi"] + r.gauss(0, 2.0)))
        if "latency_ms" in f:
            mu, sd = p["lat"]
            rec["latency_ms"] = int(max(mu * 0.45, r.gauss(mu, sd)))
        if "packet_loss" in f:
            x = r.random()
            if p["net"] == "ethernet":
                rec["packet_loss"] = 0.0 if x < 0.93 else 0.01
            elif p["net"] == "wifi":
                rec["packet_loss"] = 0.0 if x < 0.8 else (0.01 if x < 0.95 else 0.02)
            else:
                rec["packet_loss"] = 0.0 if x < 0.7 else (0.01 if x < 0.9 else 0.03)
        if "supply_v" in f:
            rec["supply_v"] = round(r.gauss(p["supply"], 0.025), 2)
        if "battery_pct" in f and p["batt"] is not None:
            if p["last_hb"] is not None:
                dt = (t - p["last_hb"]).total_seconds() / 60
                p["batt"] = max(0.0, min(100.0, p["batt"] - p["drain"] * dt))
            rec["battery_pct"] = int(round(p["batt"]))
        if "storage_used_pct" in f:
            rec["storage_used_pct"] = round(p["storage"] + r.gauss(0, 0.05), 1)
        if "memory_used_pct" in f:
            cur = p.get("mem_cur", p["mem"])
            cur = p["mem"] + 0.75 * (cur - p["mem"]) + r.gauss(0, 1.1)
            p["mem_cur"] = cur
            rec["memory_used_pct"] = round(min(99.5, max(5, cur)), 1)
        if "cpu_pct" in f:
            rec["cpu_pct"] = int(max(2, min(100, r.gauss(p["cpu"], 5))))
        if "temp_c" in f:
            rec["temp_c"] = round(r.gauss(p["temp"], 0.6), 1)
        if "key_check" in f:
            rec["key_check"] = "ok"
        if "clock_skew_s" in f:
            rec["clock_skew_s"] = round(r.gauss(0, 0.7), 1)
        if "printer" in f:
            rec["printer"] = "ok"
        for k in ("keypad_errors", "card_reader_errors", "app_crashes"):
            if k in f:
                rec[k] = 0
        p["last_hb"] = t
        for k, v in over.items():
            if v is None:
                rec.pop(k, None)
            elif k in f or k in ("online", "reboot", "power_events", "firmware", "app_version"):
                rec[k] = v
        if rec.get("online") is False:
            for k in ("latency_ms", "packet_loss"):
                if k not in over:
                    rec.pop(k, None)
        self.add(t, rec)
        return rec

    def beats(self, tid, start, end, mod=None, every=60):
        """Heartbeats every ~60 s; `mod(t)` returns overrides, or None to drop the sample."""
        t = secs(start, self.rng.randint(0, 50))
        while t < end:
            o = mod(t) if mod else {}
            if o is not None:
                self.hb(tid, t, **o)
            t = secs(t, every + self.rng.choice([-1, 0, 0, 0, 1, 1, 2]))

    # ----- transactions -------------------------------------------------
    def pan(self, bins=None, credit=None):
        r = self.rng
        if bins is None:
            if credit is None:
                credit = r.random() < 0.35
            bins = CREDIT_BINS if credit else DEBIT_BINS
        return f"{r.choice(bins)}******{r.randint(0, 9999):04d}"

    def amount(self, tid):
        lo, hi = self.t[tid]["amount"]
        yuan = math.exp(self.rng.uniform(math.log(lo), math.log(hi)))
        if yuan > 50:
            return int(round(yuan)) * 100
        return int(round(yuan * 2)) * 50

    def channel(self):
        x = self.rng.random()
        return "card_ic" if x < 0.45 else "nfc" if x < 0.68 else "qr" if x < 0.95 else "card_swipe"

    def txn(self, t, tid, rc="00", *, amount=None, channel=None, type="purchase",
            timed_out=False, latency=None, cause=None, pan=None, bins=None, credit=None,
            mcc=None, stan=None):
        p = self.t[tid]
        r = self.rng
        m = self.m[p["mid"]]
        if stan is None:
            stan = StanRef()
        channel = channel or self.channel()
        amount = amount if amount is not None else self.amount(tid)
        rec = {"kind": "txn", "ts": t, "terminal_id": tid, "merchant_id": p["mid"], "type": type,
               "amount": amount, "currency": "CNY", "channel": channel, "stan": stan}
        if not timed_out:
            rec["rrn"] = True  # filled in with the STAN at output
        rec["mcc"] = mcc or m["mcc"]
        if timed_out:
            rec["timed_out"] = True
            rec["latency_ms"] = latency or 60000
        else:
            rec["response_code"] = rc
            mu, sd = TXN_LAT[p["net"]]
            rec["latency_ms"] = int(latency or max(280, r.gauss(mu, sd)))
        if rc in APPROVED and not timed_out and type in ("purchase", "completion"):
            rate = m["qr_rate"] if channel == "qr" else m["card_rate"]
            rec["fee"] = int(round(amount * rate))
        if channel != "qr":
            rec["pan"] = pan or self.pan(bins, credit)
        failed = timed_out or rc not in APPROVED
        truth = None
        if failed:
            assert cause, ("failed txn needs a cause", tid, t)
            truth = {"kind": "truth_event", "ts": t, "terminal_id": tid, "cause": cause,
                     "code": "timeout" if timed_out else rc, "stan": stan}
        else:
            assert cause is None
        self.add(t, rec, truth)
        return stan

    def normal_txns(self, tid, start, end, gap=(3, 9), avoid=(), **kw):
        t = mins(start, self.rng.uniform(0.2, gap[1]))
        while t < end:
            if not within(t, avoid):
                self.txn(t, tid, **kw)
            t = mins(t, self.rng.uniform(*gap))

    # ----- errors and people's records ----------------------------------
    def error(self, t, tid, code, stage, detail, cause, stan=None):
        rec = {"kind": "error", "ts": t, "terminal_id": tid, "code": code}
        if stage:
            rec["stage"] = stage
        if detail:
            rec["detail"] = detail
        if stan:
            rec["stan"] = stan
        truth = {"kind": "truth_event", "ts": t, "terminal_id": tid, "cause": cause, "code": code}
        if stan:
            truth["stan"] = stan
        self.add(t, rec, truth)

    def timeout(self, t, tid, cause, code, stage, detail, *, after=61, **kw):
        """A request sent and never answered: the txn as journaled, then the code shown."""
        stan = self.txn(t, tid, timed_out=True, cause=cause, **kw)
        self.error(secs(t, after), tid, code, stage, detail, cause, stan=stan)
        return stan

    def check(self, t, name, result, tid=None, site=None):
        rec = {"kind": "check", "ts": t}
        if tid:
            rec["terminal_id"] = tid
        else:
            rec["site_id"] = site
        rec.update({"name": name, "result": result})
        self.add(t, rec)

    def maintenance(self, t, tid, action, notes=None):
        rec = {"kind": "maintenance", "ts": t, "terminal_id": tid, "action": action}
        if notes:
            rec["notes"] = notes
        self.add(t, rec)

    def complaint(self, t, cid, frm, mid, text, tid=None):
        rec = {"kind": "complaint", "ts": t, "complaint_id": cid, "from": frm, "merchant_id": mid}
        if tid:
            rec["terminal_id"] = tid
        rec["text"] = text
        self.add(t, rec)

    def resolution(self, t, cause, notes=None, tid=None, site=None, incident=None):
        rec = {"kind": "resolution", "ts": t}
        if tid:
            rec["terminal_id"] = tid
        elif site:
            rec["site_id"] = site
        else:
            rec["incident_id"] = incident
        rec["cause"] = cause
        if notes:
            rec["notes"] = notes
        self.add(t, rec)

    def fault(self, fid, cause, scope, terminals, start, end):
        self.truths.append({"kind": "truth", "fault_id": fid, "cause": cause, "scope": scope,
                            "terminals": terminals, "start": start, "end": end})

    # ----- output -------------------------------------------------------
    def lines(self, disorder=0):
        def conv(rec):
            out = {}
            for k, v in rec.items():
                if isinstance(v, datetime):
                    v = self.fmt(v)
                elif isinstance(v, StanRef):
                    v = v.value
                elif k == "rrn" and v is True:
                    v = rec["ts"].astimezone(CST).strftime("%j%H%M") + str(rec["stan"])[-5:]
                out[k] = v
            return out

        out = [conv(r) for r in self.inv]
        ev = sorted(self.ev, key=lambda e: (e[0], e[1]))
        for _, _, rec, _ in ev:
            if rec["kind"] == "txn" and isinstance(rec["stan"], StanRef) and rec["stan"].value is None:
                p = self.t[rec["terminal_id"]]
                p["stan"] += 1
                rec["stan"].value = f"{p['stan']:06d}"
        if disorder:
            # each terminal's records reach the export with its own upload delay (up to
            # `disorder` s): the file interleaves terminals slightly out of order, while
            # every terminal's own records stay in order
            lag = {}
            keyed = []
            for t, s, rec, truth in ev:
                tid = rec.get("terminal_id")
                if tid and tid not in lag:
                    lag[tid] = self.rng.uniform(0, disorder)
                keyed.append((t + timedelta(seconds=lag.get(tid, 0)), s, rec, truth))
            keyed.sort(key=lambda e: (e[0], e[1]))
            ev = keyed
        for _, _, rec, truth in ev:
            out.append(conv(rec))
            if truth:
                out.append(conv(truth))
        for tr in self.truths:
            out.append(conv(tr))
        return out

    def validate(self, lines):
        """Every failed event has exactly one truth_event; no two failed events are ambiguous."""
        failed = []
        truths = []
        for rec in lines:
            k = rec["kind"]
            if k == "error":
                failed.append((rec["ts"], rec["terminal_id"], rec["code"]))
            elif k == "txn":
                rc = rec.get("response_code")
                if rec.get("timed_out") or rc is None or rc not in APPROVED:
                    failed.append((rec["ts"], rec["terminal_id"],
                                   "timeout" if rec.get("timed_out") or rc is None else rc))
            elif k == "truth_event":
                truths.append((rec["ts"], rec["terminal_id"], rec["code"]))
        assert sorted(failed) == sorted(truths), (self.name, set(failed) ^ set(truths))
        seen = {}
        for ts, tid, code in failed:
            t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
            for t2 in seen.get((tid, code), []):
                assert abs((t - t2).total_seconds()) > 5, ("ambiguous events", self.name, tid, code, ts)
            seen.setdefault((tid, code), []).append(t)
        causes = {r["cause"] for r in lines if r["kind"] == "truth"}
        assert causes, self.name
        return len(failed)

    def write(self, disorder=0):
        lines = self.lines(disorder)
        n = self.validate(lines)
        path = CASES / f"{self.name}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for rec in lines:
                f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{path.name:40} {len(lines):5} lines {n:4} failed events")
