#!/usr/bin/env python3
"""gen10 -- blind, event-driven test-data generator for a POS terminal fleet
diagnosis engine (posdoc record format v1).

    python3 gen10.py --seed N --out DIR

Writes DIR/records.jsonl and DIR/truth.jsonl.  Standard library only,
deterministic per seed (every random.Random is seeded with a string).
"""
import argparse
import heapq
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type", "business.limit",
    "business.risk", "business.merchant", "upstream.acquirer", "upstream.issuer", "card.decline",
]

UTC = timezone.utc
CST = timezone(timedelta(hours=8))


def rr(*parts):
    return random.Random("gen10|" + "|".join(str(p) for p in parts))


# --------------------------------------------------------------------------- world constants
CITIES = {
    "chengdu": dict(code="5101", pre="CD", lat=30.66, lon=104.07, tid="51", host="H1"),
    "chongqing": dict(code="5000", pre="CQ", lat=29.56, lon=106.55, tid="50", host="H2"),
    "kunming": dict(code="5301", pre="KM", lat=25.04, lon=102.71, tid="53", host="H1"),
    "xian": dict(code="6101", pre="XA", lat=34.34, lon=108.94, tid="61", host="H2"),
}
CITY_W = [("chengdu", 0.34), ("chongqing", 0.30), ("kunming", 0.17), ("xian", 0.19)]
CARRIER_W = [("cmcc", 0.55), ("cucc", 0.25), ("ctcc", 0.20)]
HOSTS = {
    "H1": dict(tls=True, base=320, ip="10.21.8.11", port=8001, cur="CNY"),
    "H2": dict(tls=True, base=410, ip="10.33.2.40", port=8443, cur="CNY"),
    "H3": dict(tls=False, base=560, ip="172.18.40.7", port=5000, cur="156"),
}
ISSUERS = {
    "icbc": ["622202", "621226"], "ccb": ["621700", "436742"], "abc": ["622848", "622845"],
    "boc": ["621661", "621785"], "cmb": ["622588", "439225"], "psbc": ["621799"],
    "cdrcb": ["623166"], "cqrcb": ["621458"], "ynrcc": ["622369"], "xacb": ["622865"],
    "visa_intl": ["411773", "476134"], "mc_intl": ["542418"],
}
ISSUER_W = [("icbc", 0.2), ("ccb", 0.18), ("abc", 0.15), ("boc", 0.1), ("cmb", 0.1), ("psbc", 0.07)]
LOCAL_ISSUER = {"chengdu": "cdrcb", "chongqing": "cqrcb", "kunming": "ynrcc", "xian": "xacb"}
CAMPUS_BIN = "621785"

# vendor -> models, versions, telemetry subset, heartbeat period, receive timeout
VENDORS = {
    "pax": dict(w=0.30, models={"S90": ("counter", 5.1), "A920": ("hand", None)},
                fw=["3.2.0", "3.2.1"], app=["5.1.2"], new_fw="3.3.0", new_app="5.2.0",
                hb=120, timeout=60, tz="Z",
                tele=["online", "latency_ms", "packet_loss", "rssi_dbm", "supply_v", "battery_pct",
                      "storage_used_pct", "memory_used_pct", "key_check", "printer", "app_crashes"]),
    "newland": dict(w=0.20, models={"N910": ("hand", None), "SP630": ("counter", 9.0)},
                    fw=["2.8.1"], app=["3.4.0", "3.4.2"], new_fw="2.9.0", new_app="3.5.0",
                    hb=180, timeout=60, tz="Z",
                    tele=["online", "rssi_dbm", "latency_ms", "battery_pct", "power_events", "temp_c",
                          "card_reader_errors", "keypad_errors"]),
    "landi": dict(w=0.15, models={"A8": ("hand", None), "C520": ("counter", 12.0)},
                  fw=["1.6.3"], app=["4.0.7"], new_fw="1.7.0", new_app="4.1.0",
                  hb=300, timeout=45, tz="Z",
                  tele=["online", "latency_ms", "packet_loss", "supply_v", "battery_pct", "storage_used_pct",
                        "memory_used_pct", "cpu_pct", "temp_c", "key_check", "clock_skew_s", "printer",
                        "card_reader_errors", "app_crashes"]),
    "verifone": dict(w=0.10, models={"VX520": ("counter", 12.0), "VX680": ("hand", None)},
                     fw=["10.2.1", "11.0.4"], app=["3.0.5"], new_fw="11.1.0", new_app="3.1.0",
                     hb=900, timeout=30, tz="Z",
                     tele=["online", "keypad_errors", "printer", "supply_v"]),
    "sunmi": dict(w=0.15, models={"P2": ("hand", None), "P2 Pro": ("hand", None)},
                  fw=["2.4.10"], app=["6.3.1"], new_fw="2.5.2", new_app="6.4.0",
                  hb=90, timeout=60, tz="ms+08",
                  tele=["online", "rssi_dbm", "latency_ms", "battery_pct", "memory_used_pct", "cpu_pct",
                        "storage_used_pct", "app_crashes", "temp_c", "printer"]),
    "centerm": dict(w=0.10, models={"K9": ("counter", 9.0), "C960F": ("hand", None)},
                    fw=["1.1.8"], app=["2.2.0"], new_fw="1.2.0", new_app="2.3.0",
                    hb=1800, timeout=50, tz="Z",
                    tele=["online", "supply_v", "key_check", "power_events"]),
}

SYM_STAGE = {
    "connect": "connect", "timeout": "receive", "send": "send", "tls": "tls", "cert_expired": "tls",
    "cert_notyet": "tls", "mac": "mac", "key_missing": "mac", "card_read": "card_read", "pin": "pin",
    "paper": "print", "printer_fault": "print", "app_crash": "app", "oom": "app", "storage": "app",
    "cpu_slow": "app", "display": "app", "self_test": "power_on", "power_fail": "power_on",
    "battery_low": "power_on", "data_error": "receive", "operator": "app",
}
# each vendor's OWN error table; the same code means different things per vendor
CODES = {
    "pax": dict(connect="E1", timeout="E1", send="E1", tls="E8", cert_expired="E8", cert_notyet="E8",
                mac="E6", key_missing="E7", card_read="E2", pin="E4", paper="E3", printer_fault="E3",
                app_crash="E9", oom="E9", storage="E11", cpu_slow="E12", display="E13", self_test="E10",
                power_fail="E5", battery_low="E5", data_error="E14", operator="E20"),
    "newland": dict(connect="E2", timeout="E2", send="E2", tls="E7", cert_expired="E7", cert_notyet="E7",
                    mac="E3", key_missing="E3", card_read="E4", pin="E6", paper="E5", printer_fault="E5",
                    app_crash="E8", oom="E1", storage="E1", cpu_slow="E8", display="E1", self_test="E1",
                    power_fail="E1", battery_low="E10", data_error="E9", operator="E12"),
    "landi": dict(connect="E2", timeout="E2", send="E2", tls="E1", cert_expired="E1", cert_notyet="E1",
                  mac="E1", key_missing="E1", card_read="E3", pin="E5", paper="E4", printer_fault="E4",
                  app_crash="E7", oom="E6", storage="E6", cpu_slow="E6", display="E9", self_test="E9",
                  power_fail="E8", battery_low="E8", data_error="E10", operator="E11"),
    "verifone": dict(connect="NO LINE", timeout="TIMEOUT", send="COMM ERR", tls="SSL ERR",
                     cert_expired="CERT ERR", cert_notyet="CERT ERR", mac="MAC ERR", key_missing="NO KEYS",
                     card_read="CARD ERR", pin="E1", paper="PAPER OUT", printer_fault="PRN ERR",
                     app_crash="APP ERR", oom="MEM ERR", storage="MEM FULL", cpu_slow="BUSY", display="E2",
                     self_test="TAMPER", power_fail="PWR FAIL", battery_low="LOW BATT", data_error="LRC ERR",
                     operator="INVALID"),
    "sunmi": dict(connect="-1001", timeout="-1002", send="-1003", tls="-2001", cert_expired="-2002",
                  cert_notyet="-2002", mac="-3001", key_missing="-3002", card_read="-4001", pin="-6001",
                  paper="-5001", printer_fault="-5002", app_crash="E1", oom="E2", storage="-7001",
                  cpu_slow="ANR", display="-9101", self_test="-9102", power_fail="-8002",
                  battery_low="-8001", data_error="-9001", operator="-9900"),
    "centerm": dict(connect="E2", timeout="E3", send="E1", tls="E4", cert_expired="E4", cert_notyet="E4",
                    mac="E5", key_missing="E5", card_read="E6", pin="E8", paper="E7", printer_fault="E7",
                    app_crash="E9", oom="E9", storage="E9", cpu_slow="E9", display="E10", self_test="E10",
                    power_fail="E10", battery_low="E10", data_error="E1", operator="E11"),
}
SYM_CN = {
    "connect": "连接主机失败", "timeout": "接收超时", "send": "发送失败", "tls": "SSL握手失败",
    "cert_expired": "证书校验失败", "cert_notyet": "证书校验失败", "mac": "MAC校验错",
    "key_missing": "工作密钥不存在,请签到", "card_read": "读卡失败,请重新插卡", "pin": "密码键盘通讯失败",
    "paper": "打印机缺纸", "printer_fault": "打印机故障", "app_crash": "应用异常退出", "oom": "终端状态错误",
    "storage": "存储空间不足", "cpu_slow": "系统繁忙,请稍候", "display": "终端状态错误", "self_test": "终端状态错误",
    "power_fail": "异常掉电,存在未完成交易", "battery_low": "电量过低", "data_error": "报文校验错",
    "operator": "操作错误",
}

MTYPES = {
    "restaurant": dict(mcc="5812", names=["老街面馆", "川味小厨", "蓉城饭店", "巴蜀人家", "滇味米线馆", "老孙家泡馍",
                                          "豆花饭庄", "小龙坎串串", "酸菜鱼坊", "烤鱼大排档"],
                       sites=(1, 1), terms=(1, 3), hand=0.5, prof="meal", rate=22),
    "hotpot": dict(mcc="5812", names=["红九格火锅", "老码头火锅", "巴渝人家火锅", "德庄火锅"],
                   sites=(2, 4), terms=(2, 4), hand=0.5, prof="meal", rate=20),
    "hospital": dict(mcc="8062", names=["市第一人民医院", "中医医院", "妇幼保健院", "第三人民医院"],
                     sites=(1, 2), terms=(4, 8), hand=0.0, prof="hosp", rate=16),
    "gas": dict(mcc="5541", names=["中石化加油站", "中石油加油站", "壳牌加油站"],
                sites=(1, 2), terms=(2, 3), hand=0.4, prof="flat", rate=14),
    "dept": dict(mcc="5311", names=["太平洋百货", "新世纪百货", "开元商城", "王府井百货"],
                 sites=(1, 1), terms=(5, 9), hand=0.1, prof="retail", rate=11),
    "tourist": dict(mcc="5947", names=["宽窄巷子礼品", "磁器口特产", "翠湖工艺品", "回民街特产", "洪崖洞纪念品"],
                    sites=(1, 1), terms=(1, 2), hand=0.3, prof="retail", rate=6),
    "hotel": dict(mcc="7011", names=["锦江宾馆", "解放碑酒店", "翠湖宾馆", "钟楼饭店"],
                  sites=(1, 1), terms=(1, 2), hand=0.0, prof="flat", rate=4),
    "market": dict(mcc="5411", names=["红旗连锁", "重百超市", "家乐福", "人人乐超市"],
                   sites=(1, 2), terms=(3, 5), hand=0.0, prof="retail", rate=16),
}
MTYPE_W = [("restaurant", 0.30), ("hotpot", 0.12), ("hospital", 0.08), ("gas", 0.10), ("dept", 0.07),
           ("tourist", 0.12), ("hotel", 0.08), ("market", 0.13)]
AMOUNT_MED = {"5812": 11000, "8062": 21000, "5541": 30000, "5311": 55000, "5947": 38000, "7011": 60000,
              "5411": 14000, "5814": 1500, "5942": 6000}


def wchoice(r, pairs):
    x = r.random() * sum(w for _, w in pairs)
    for k, w in pairs:
        x -= w
        if x <= 0:
            return k
    return pairs[-1][0]


def profile(prof, h):
    """traffic multiplier for local hour h (float)"""
    if prof == "meal":
        if 11.4 <= h < 13.6 or 17.5 <= h < 20.3:
            return 1.0
        if 10.8 <= h < 11.4 or 13.6 <= h < 14.3 or 17.0 <= h < 17.5:
            return 0.45
        return 0.12
    if prof == "hosp":
        return 1.0 if 8 <= h < 11.5 else 0.55 if 11.5 <= h < 13.5 else 0.8 if 14 <= h < 17.5 else 0.2
    if prof == "campus":
        if 11.2 <= h < 12.8 or 17.0 <= h < 18.6:
            return 1.0
        return 0.12
    if prof == "retail":
        return 0.4 if h < 12 else 0.6 if h < 14 else 0.75 if h < 18 else 1.0
    return 0.5 + (0.35 if 17 <= h < 19.5 else 0.0)


# --------------------------------------------------------------------------- data classes
class Term:
    pass


class Fault:
    def __init__(self, fid, cause, scope, start, end, title):
        self.fid, self.cause, self.scope, self.start, self.end, self.title = fid, cause, scope, start, end, title
        self.members = []          # truth terminals (filled by template / after sim)
        self.events = []           # (t, tid) of attributed failures
        self.people = {}           # template hints for people's records


class Eff:
    """one physical effect of a fault on components"""

    def __init__(self, seed, fault, kind, p, onset=0.0, interm=None, cond=None, start=None, end=None):
        self.seed, self.f, self.kind, self.p = seed, fault, kind, p
        self.onset, self.interm, self.cond = onset, interm, cond
        self.start = fault.start if start is None else start
        self.end = fault.end if end is None else end
        self._b = {}

    def level(self, t, T=None):
        if t < self.start or t >= self.end:
            return 0.0
        if self.cond is not None and T is not None and not self.cond(T, t):
            return 0.0
        lv = 1.0 if self.onset <= 0 else min(1.0, max(0.05, (t - self.start) / self.onset))
        if self.interm:
            per, duty = self.interm
            b = int((t - self.start) // per)
            on = self._b.get(b)
            if on is None:
                on = rr(self.seed, self.f.fid, self.kind, "b", b).random() < duty
                self._b[b] = on
            if not on:
                return 0.0
        return lv


# --------------------------------------------------------------------------- generator
class Gen:
    def __init__(self, seed):
        self.seed = seed
        r = rr(seed, "window")
        day = 20 + r.randrange(0, 9)
        start_local_h = r.choice([10.0, 10.5, 11.0, 13.0, 14.0])
        self.local_start_h = start_local_h
        self.base = datetime(2026, 11, day, 0, 0, 0, tzinfo=CST) + timedelta(hours=start_local_h)
        self.W = 6 * 3600.0
        self.rng = rr(seed, "sim")
        self.recs = []   # [sortkey, seq, rec, fail_label]
        self.seq = 0
        self.heap = []
        self.hseq = 0
        self.used_keys = set()
        self.faults = []
        self.issuer_effs = []
        self.bin_effs = []

    # ---- time helpers
    def ts(self, t, style="Z"):
        d = self.base + timedelta(seconds=t)
        if style == "ms+08":
            d = d.astimezone(CST)
            return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (int(round((t % 1) * 1000)) % 1000) + "+08:00"
        if style == "+08":
            return d.astimezone(CST).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def local_h(self, t):
        return self.local_start_h + t / 3600.0

    # ---- output
    def emit(self, t, rec, label=None, jitter=True, style="Z"):
        """rec without ts; label = (cause, fault or None) for failed events"""
        t = round(t, 3) if style == "ms+08" else float(int(t))
        if label is not None:
            code = rec.get("code") or rec.get("response_code") or "timeout"
            while (rec["terminal_id"], t, code) in self.used_keys:
                t += 1.0
            self.used_keys.add((rec["terminal_id"], t, code))
        out = {"kind": rec.pop("kind"), "ts": self.ts(t, style)}
        out.update(rec)
        key = t
        if jitter and self.rng.random() < 0.025:
            key += self.rng.uniform(3, 45)   # delivered late
        self.recs.append([key, self.seq, out, label])
        self.seq += 1
        if label is not None and label[1] is not None:
            label[1].events.append((t, out["terminal_id"]))
        return out

    def push(self, t, kind, *args):
        heapq.heappush(self.heap, (t, self.hseq, kind, args))
        self.hseq += 1

    # ------------------------------------------------------------------ world
    def build_world(self):
        r = rr(self.seed, "world")
        self.merchants, self.sites, self.terms = [], [], []
        self.by_site, self.by_merchant = {}, {}
        target = r.randint(285, 315)
        mseq = {c: 10 for c in CITIES}
        # the university campus (one per seed)
        ccity = r.choice(sorted(CITIES))
        self._add_merchant(r, "campus", ccity, mseq)
        while len(self.terms) < target:
            mt = wchoice(r, MTYPE_W)
            city = wchoice(r, CITY_W)
            self._add_merchant(r, mt, city, mseq)
        self.tmap = {T.tid: T for T in self.terms}
        # fleet-wide odd ones: a terminal with a wrong clock, some weak-signal terminals
        rl = [T for T in self.terms if T.vendor == "landi"] or self.terms
        self.skewed = r.choice(rl)
        self.skewed.skew = r.choice([-1, 1]) * r.uniform(110, 420)
        cell = [T for T in self.terms if T.net == "cellular"]
        for T in r.sample(cell, min(len(cell), 5)):
            T.rssi_base = r.uniform(-103, -96)

    def _add_merchant(self, r, mt, city, mseq):
        C = CITIES[city]
        mseq[city] += 1
        n = mseq[city]
        if mt == "campus":
            name = {"chengdu": "西南交通大学", "chongqing": "重庆大学", "kunming": "云南大学", "xian": "西北大学"}[city]
            mcc = "5814"
            spec = dict(prof="campus", rate=32, hand=0.05)
            site_defs = [("第一食堂", "5814", (4, 6)), ("第二食堂", "5814", (3, 5)), ("图书中心", "5942", (1, 2)),
                         ("校园超市", "5411", (2, 3)), ("第三食堂", "5814", (3, 4))]
        else:
            spec = MTYPES[mt]
            name = r.choice(spec["names"])
            mcc = spec["mcc"]
            ns = r.randint(*spec["sites"])
            site_defs = [(["春熙路店", "解放碑店", "南屏街店", "钟楼店", "高新店", "万达店", "总店", "东门店"][i % 8]
                          if mt in ("hotpot", "restaurant", "market") else ["门诊楼", "住院部"][i % 2]
                          if mt == "hospital" else "%d号站" % (i + 1) if mt == "gas" else "",
                          mcc, spec["terms"]) for i in range(ns)]
        mid = "898" + C["code"] + mcc + "%04d" % (n * 7 % 10000)
        host = C["host"]
        if mt in ("tourist",) or (mt == "hotpot" and r.random() < 0.4) or r.random() < 0.07:
            host = "H3"
        M = dict(mid=mid, mcc=mcc, name=name, city=city, type=mt, host=host,
                 settlement="direct" if r.random() < 0.85 else "indirect",
                 card_rate=r.choice([0.006, 0.006, 0.0055, 0.0055, 0.0068 if r.random() < 0.1 else 0.006]),
                 qr_rate=0.0038, prof=spec["prof"], rate=spec["rate"], terms=[])
        self.merchants.append(M)
        self.by_merchant[mid] = M["terms"]
        for si, (sname, smcc, tr) in enumerate(site_defs):
            sid = "%s-%03d-%d" % (C["pre"], n, si + 1)
            S = dict(sid=sid, mid=mid, name=(name + " " + sname).strip(), city=city, mcc=smcc,
                     lat=round(C["lat"] + r.uniform(-0.12, 0.12), 4), lon=round(C["lon"] + r.uniform(-0.12, 0.12), 4),
                     terms=[])
            self.sites.append(S)
            self.by_site[sid] = S["terms"]
            nt = r.randint(*tr)
            for k in range(nt):
                T = self._make_term(r, M, S, C, n, len(M["terms"]) + 1, spec.get("hand", 0.2))
                T.lane = k + 1
                S["terms"].append(T)
                M["terms"].append(T)
                self.terms.append(T)

    def _make_term(self, r, M, S, C, n, k, hand_p):
        T = Term()
        T.tid = C["tid"] + "%03d" % (n % 1000) + "%03d" % k
        vend = wchoice(r, [(v, VENDORS[v]["w"]) for v in sorted(VENDORS)])
        V = VENDORS[vend]
        models = sorted(V["models"])
        want_hand = r.random() < hand_p
        cand = [m for m in models if (V["models"][m][0] == "hand") == want_hand] or models
        model = r.choice(cand)
        form, vnom = V["models"][model]
        T.vendor, T.model, T.form, T.vnom = vend, model, form, vnom
        T.fw, T.app = r.choice(V["fw"]), r.choice(V["app"])
        T.serial = {"pax": "18", "newland": "N9", "landi": "LD", "verifone": "VF", "sunmi": "P2",
                    "centerm": "CT"}[vend] + "".join(str(r.randrange(10)) for _ in range(8))
        if form == "hand":
            T.net = "cellular" if (M["type"] == "gas" or r.random() < 0.5) else "wifi"
        else:
            T.net = "ethernet" if r.random() < 0.75 else "cellular"
        T.carrier = wchoice(r, CARRIER_W) if T.net == "cellular" else None
        T.rssi_base = r.uniform(-88, -68) if T.net == "cellular" else r.uniform(-66, -48) if T.net == "wifi" else None
        T.host = M["host"] if r.random() > 0.04 else r.choice(["H1", "H2"])
        T.mid, T.sid, T.city, T.mcc, T.mtype = M["mid"], S["sid"], S["city"], S["mcc"], M["type"]
        T.M, T.S = M, S
        T.cert = None
        if HOSTS[T.host]["tls"]:
            T.cert = 86400 * r.uniform(60, 700)   # seconds after window start
        T.installed = "20%02d-%02d-%02d" % (r.choice([22, 23, 24, 25, 26]), r.randint(1, 12), r.randint(1, 28))
        T.skew = 0.0
        T.stan = r.randint(100, 90000)
        T.down_until = -1e9
        T.last_reboot = -r.uniform(3600, 86400 * 5)
        T.pending_reboot = None
        T.power_events = T.keypad_err = T.reader_err = T.crashes = 0
        T.ver_changed = False
        T.batt = r.uniform(35, 100) if form == "hand" else None
        T.batt_health = r.uniform(0.75, 1.0)
        T.bt = 0.0
        T.docked = False
        T.dock_at = None
        T.paper = r.randint(30, 500)
        T.reload_at = None
        T.storage_base = r.uniform(22, 70)
        T.mem_base = r.uniform(38, 62)
        T.cpu_base = r.uniform(5, 25)
        T.temp_base = r.uniform(31, 42)
        T.effs = []
        T.clock_cert_skew = 0.0
        T.key_state = "ok"
        T.hb_period = VENDORS[vend]["hb"] * r.uniform(0.95, 1.05)
        T.offline_marked = False
        return T

    # ------------------------------------------------------------------ inventory
    def inventory(self):
        t0 = -(self.local_start_h - 7.0) * 3600 - 1800   # 06:30 local export
        for M in self.merchants:
            rec = {"kind": "merchant", "merchant_id": M["mid"], "name": M["name"], "mcc": M["mcc"],
                   "city": M["city"], "settlement": M["settlement"], "card_rate": M["card_rate"],
                   "qr_rate": M["qr_rate"]}
            self.emit(t0, rec, jitter=False)
        for S in self.sites:
            self.emit(t0, {"kind": "site", "site_id": S["sid"], "merchant_id": S["mid"], "name": S["name"],
                           "city": S["city"], "lat": S["lat"], "lon": S["lon"]}, jitter=False)
        ir = rr(self.seed, "inv")
        for T in self.terms:
            rec = {"kind": "terminal", "terminal_id": T.tid, "serial": T.serial, "vendor": T.vendor,
                   "model": T.model, "firmware": T.fw, "app_version": T.app, "merchant_id": T.mid,
                   "site_id": T.sid, "network": T.net}
            if T.carrier and ir.random() > 0.06:
                rec["carrier"] = T.carrier
            if ir.random() > 0.03:
                rec["host"] = T.host
            if T.cert is not None:
                rec["cert_not_after"] = self.ts(T.cert)
            rec["installed"] = T.installed
            self.emit(t0, rec, jitter=False)

    # ------------------------------------------------------------------ faults
    def add_eff(self, F, kind, p, members, **kw):
        e = Eff(self.seed, F, kind, p, **kw)
        for T in members:
            T.effs.append(e)
        return e

    def new_fault(self, cause, scope, start, end, title):
        F = Fault("F%02d-%02d" % (self.seed % 100, len(self.faults) + 1), cause, scope, start, end, title)
        self.faults.append(F)
        return F

    def make_faults(self):
        order = list(TEMPLATES)
        rr("catalog").shuffle(order)
        n = len(order)
        picks = [order[((self.seed - 1) * 20 + k) % n] for k in range(20)]
        r = rr(self.seed, "faults")
        if r.random() < 0.5:
            picks.append(r.choice(order))
        self.rollouts = {}
        self.plan_rollouts(r)
        for i, name in enumerate(picks):
            fr = rr(self.seed, "fault", i, name)
            TEMPLATES[name](self, fr)

    def plan_rollouts(self, r):
        """staged version pushes (benign unless a software fault attaches to them)"""
        vends = sorted(VENDORS)
        r.shuffle(vends)
        for v in vends[:3]:
            field = r.choice(["app", "fw"])
            new = VENDORS[v]["new_app" if field == "app" else "new_fw"]
            ts = [T for T in self.terms if T.vendor == v]
            if not ts:
                continue
            st = r.uniform(-1800, self.W * 0.45)
            frac = r.uniform(0.35, 0.85)
            sel = [T for T in ts if r.random() < frac]
            upd = {}
            for T in sel:
                upd[T.tid] = st + r.uniform(0, r.uniform(1.5, 4.0) * 3600)
            self.rollouts[v] = dict(field=field, new=new, start=st, upd=upd)

    def window_times(self, r, dmin, dmax, early=-1800):
        st = r.uniform(early, self.W - 2700)
        return st, st + r.uniform(dmin, dmax)

    # ------------------------------------------------------------------ physics helpers
    def lv(self, T, t, kind):
        out = []
        for e in T.effs:
            if e.kind == kind:
                v = e.level(t, T)
                if v > 0:
                    out.append((v, e))
        return out

    def update_batt(self, T, t):
        if T.batt is None:
            return
        r = self.rng
        while T.bt + 60 <= t:
            T.bt += 60
            health = T.batt_health
            for v, e in self.lv(T, T.bt, "battery"):
                health = min(health, max(0.06, T.batt_health * (1 - v * e.p["wear"])))
            if T.docked:
                T.batt = min(100.0, T.batt + min(6.0, 1.3 / health))
                if T.batt >= 92 or (T.dock_at is not None and T.bt > T.dock_at + 2400 and T.batt > 30):
                    T.docked = False
            else:
                T.batt -= 0.16 / health
                if T.batt < 15 and r.random() < 0.08:
                    T.docked = True
                    T.dock_at = T.bt
                if T.batt <= 0:
                    T.batt = 0.0
                    if T.down_until < T.bt:
                        # died: shutdown, docked after a while, boots when some charge
                        lab = self.cause_of(T, T.bt, "battery", "power.battery")
                        self.emit_err(T, T.bt - 20, "battery_low", lab, {"pct": 1})
                        T.down_until = T.bt + r.uniform(300, 1500)
                        T.docked = True
                        T.dock_at = T.down_until
                        T.pending_reboot = "power_loss"
                        T.power_events += 1
                        T.last_reboot = T.down_until
                        T.boot_label = lab

    def cause_of(self, T, t, kind, bg):
        l = self.lv(T, t, kind)
        if l:
            e = max(l, key=lambda x: x[0])[1]
            return (e.f.cause, e.f)
        return (bg, None)

    def mem_level(self, T, t):
        m = T.mem_base
        best = None
        for v, e in self.lv(T, t, "leak"):
            since = max(e.start, T.last_reboot, e.f.start)
            grow = e.p["rate"] * v * max(0.0, t - since) / 60.0
            if best is None or grow > best[0]:
                best = (grow, e)
        if best:
            m += best[0]
        return min(99.0, m), (best[1] if best else None)

    def storage_level(self, T, t):
        s = T.storage_base
        best = None
        for v, e in self.lv(T, t, "storage"):
            val = e.p["from"] + (e.p["to"] - e.p["from"]) * v
            if best is None or val > best[0]:
                best = (val, e)
        if best and best[0] > s:
            return min(100.0, best[0]), best[1]
        return s, None

    def rssi(self, T, t):
        if T.rssi_base is None:
            return None
        x = T.rssi_base + self.rng.gauss(0, 2.5)
        for v, e in self.lv(T, t, "signal"):
            x -= e.p["drop"] * v
        return max(-120.0, x)

    def link(self, T, t, rssi=None):
        """failure sources on the path: list of (p_down, p_loss, lat_add, label)"""
        src = []
        if T.net in ("ethernet", "wifi"):
            for v, e in self.lv(T, t, "lan"):
                src.append((v * e.p["down"], v * e.p["loss"], v * e.p.get("lat", 800), (e.f.cause, e.f)))
            src.append((0.0007, 0.001, 0, ("network.lan", None)))
        if T.net in ("wifi", "cellular"):
            if rssi is None:
                rssi = self.rssi(T, t)
            sl = self.lv(T, t, "signal")
            lab = (sl[0][1].f.cause, sl[0][1].f) if sl else ("network.signal", None)
            thr = -95.0 if T.net == "cellular" else -72.0
            if rssi < thr:
                d = (thr - rssi) / 12.0
                src.append((min(0.9, 0.22 * d + 0.25 * d * d), min(0.6, 0.2 * d), 600 * d, lab))
            else:
                src.append((0.0015, 0.002, 0, ("network.signal", None)))
        if T.net == "cellular":
            for v, e in self.lv(T, t, "carrier"):
                src.append((v * e.p["down"], v * e.p["loss"], v * e.p.get("lat", 2500), (e.f.cause, e.f)))
        return src

    # ------------------------------------------------------------------ records
    def emit_err(self, T, t, sym, label, ctx=None, stan=None):
        V = VENDORS[T.vendor]
        code = CODES[T.vendor][sym]
        rec = {"kind": "error", "terminal_id": T.tid, "code": code}
        if T.vendor not in ("verifone",) or self.rng.random() < 0.3:
            if T.vendor != "centerm" or self.rng.random() < 0.6:
                rec["stage"] = SYM_STAGE[sym]
        det = self.detail(T, sym, ctx or {})
        if det and (T.vendor != "centerm" or self.rng.random() < 0.5):
            rec["detail"] = det
        if stan:
            rec["stan"] = stan
        style = V["tz"]
        if T.skew:
            t = t + T.skew
        return self.emit(t, rec, label=label, style=style)

    def detail(self, T, sym, c):
        H = HOSTS[T.host]
        ip, port = c.get("ip", H["ip"]), c.get("port", H["port"])
        cn = SYM_CN[sym]
        r = self.rng
        v = T.vendor
        if sym == "connect":
            core = "connect %s:%d failed errno=%d" % (ip, port, c.get("errno", r.choice([110, 111, 113, 101])))
        elif sym == "timeout":
            core = "recv timeout %ds stan=%s" % (VENDORS[v]["timeout"], c.get("stan", "?"))
        elif sym == "send":
            core = "send() returned -1, link reset"
        elif sym == "tls":
            core = c.get("msg", "SSL handshake failed: alert %d" % r.choice([40, 70, 71]))
        elif sym == "cert_expired":
            core = "X509 verify error 10: certificate has expired (notAfter=%s)" % c.get("na", "?")
        elif sym == "cert_notyet":
            core = "X509 verify error 9: certificate is not yet valid (local time %s)" % c.get("lt", "?")
        elif sym == "mac":
            core = "MAC verify failed resp=A0 keyidx=%s" % c.get("kidx", "01")
        elif sym == "key_missing":
            core = "TWK/TAK not loaded, sign-on required"
        elif sym == "card_read":
            core = c.get("msg", r.choice(["ICC power-up no ATR", "ICC APDU 6F00", "MSR track2 LRC error",
                                           "CTLS collision / no card"]))
        elif sym == "pin":
            core = c.get("msg", "PINPAD key scan error row=%d" % r.randint(1, 4))
        elif sym == "paper":
            core = "printer status 0x04 paper end"
        elif sym == "printer_fault":
            core = "printer head over-temp / cutter jam status 0x%02X" % r.choice([0x11, 0x21, 0x48])
        elif sym == "app_crash":
            core = c.get("msg", "Fatal signal 11 (SIGSEGV) in payment app")
        elif sym == "oom":
            core = "alloc failed: heap %d%% used" % int(c.get("mem", 97))
        elif sym == "storage":
            core = "write journal failed: ENOSPC (%d%% used)" % int(c.get("sto", 99))
        elif sym == "cpu_slow":
            core = "txn task starved %dms load=%.1f" % (int(c.get("ms", 20000)), c.get("load", 6.5))
        elif sym == "display":
            core = c.get("msg", r.choice(["LCD controller timeout", "display init retry 3", "TP/LCD bus error"]))
        elif sym == "self_test":
            core = c.get("msg", r.choice(["sensor check failed: temp", "security sensor triggered",
                                           "RTC read error", "board self-test 0x3A"]))
        elif sym == "power_fail":
            core = "abnormal power-off detected, reversal pending, vin=%.2fV" % c.get("vin", 0.0)
        elif sym == "battery_low":
            core = "battery %d%%, shutting down" % int(c.get("pct", 2))
        elif sym == "data_error":
            core = c.get("msg", r.choice(["response LRC mismatch", "unexpected message length %d" % r.randint(12, 400),
                                           "ISO8583 bitmap parse error field %d" % r.choice([39, 55, 62, 64])]))
        else:
            core = c.get("msg", "operation error")
        if v == "pax":
            return "[%s] %s" % (cn, core)
        if v == "newland":
            return "NL:%s;%s" % (SYM_STAGE[sym].upper(), core)
        if v == "landi":
            return "%s | %s" % (cn, core)
        if v == "verifone":
            return core.upper()[:60]
        if v == "sunmi":
            return "E/PayService: %s (%s)" % (core, cn)
        return cn

    def next_stan(self, T):
        T.stan = T.stan + 1 if T.stan < 999999 else 1
        return "%06d" % T.stan

    def telemetry(self, T, t):
        V = VENDORS[T.vendor]
        r = self.rng
        rs = self.rssi(T, t)
        src = self.link(T, t, rs)
        down = False
        for pd, pl, la, lab in src:
            if r.random() < pd * 1.2:
                down = True
        if down:
            if r.random() < 0.6:
                # the management system marks it offline (missed heartbeat)
                self.emit(t + r.uniform(5, 30), {"kind": "telemetry", "terminal_id": T.tid, "online": False})
            return
        loss = 1.0
        lat = {"ethernet": 35, "wifi": 60, "cellular": 170}[T.net] * r.uniform(0.7, 1.5)
        for pd, pl, la, lab in src:
            loss *= (1 - pl)
            lat += la * r.uniform(0.5, 1.2)
        loss = 1 - loss
        mem, _ = self.mem_level(T, t)
        sto, _ = self.storage_level(T, t)
        cpu = T.cpu_base + r.uniform(-4, 8)
        temp = T.temp_base + r.uniform(-1, 1.5)
        for v, e in self.lv(T, t, "cpu"):
            cpu = max(cpu, 60 + 38 * v + r.uniform(-3, 2))
            temp += 6 * v
            lat += 300 * v
        for v, e in self.lv(T, t, "board"):
            temp += e.p.get("heat", 30) * v + r.uniform(0, 4)
        for v, e in self.lv(T, t, "crash"):
            if e.p.get("cpu"):
                cpu = max(cpu, 55 + 30 * v)
        vin = None
        if T.vnom:
            vin = T.vnom * (1 + r.gauss(0, 0.006))
            for v, e in self.lv(T, t, "power"):
                vin = min(vin, T.vnom * (1 - e.p["sag"] * v * r.uniform(0.5, 1.0)))
                if e.p.get("events") and r.random() < v * 0.5:
                    T.power_events += r.randint(1, 3)
        key = T.key_state
        for v, e in self.lv(T, t, "keys"):
            key = e.p["mode"]
        prn = "ok"
        if T.paper <= 0:
            prn = "paper_out"
        for v, e in self.lv(T, t, "printer"):
            if v > 0.4:
                prn = "fault"
        for v, e in self.lv(T, t, "keypad"):
            if r.random() < v:
                T.keypad_err += r.randint(1, int(2 + 6 * v))
        for v, e in self.lv(T, t, "reader"):
            if r.random() < v:
                T.reader_err += r.randint(0, int(1 + 4 * v))
        skew = T.skew + sum(e.p["skew"] for v, e in self.lv(T, t, "skew"))
        vals = {
            "online": True, "rssi_dbm": int(round(rs)) if rs is not None else None,
            "latency_ms": int(lat), "packet_loss": round(min(1.0, loss + abs(r.gauss(0, 0.004))), 3),
            "supply_v": round(vin, 2) if vin is not None else None,
            "battery_pct": int(T.batt) if T.batt is not None else None,
            "storage_used_pct": int(sto), "memory_used_pct": int(mem + r.uniform(-2, 2)),
            "cpu_pct": int(max(1, min(100, cpu))), "temp_c": round(temp, 1), "key_check": key,
            "clock_skew_s": int(round(skew + r.uniform(-1, 1))), "printer": prn,
            "keypad_errors": T.keypad_err, "card_reader_errors": T.reader_err, "app_crashes": T.crashes,
            "power_events": T.power_events,
        }
        rec = {"kind": "telemetry", "terminal_id": T.tid}
        for f in V["tele"]:
            val = vals.get(f)
            if val is None:
                continue
            if f in ("rssi_dbm",) and T.net == "ethernet":
                continue
            rec[f] = val
        if T.pending_reboot:
            rec["reboot"] = T.pending_reboot
            T.pending_reboot = None
        if T.ver_changed:
            rec["firmware"] = T.fw
            rec["app_version"] = T.app
            T.ver_changed = False
        T.power_events = T.keypad_err = T.reader_err = T.crashes = 0
        st = V["tz"]
        self.emit(t + T.skew, rec, style=("ms+08" if st == "ms+08" else "Z"))
        if r.random() < 0.006:   # duplicated export line
            self.recs.append([float(int(t + T.skew)) + r.uniform(0, 8), self.seq, dict(self.recs[-1][2]), None])
            self.seq += 1

    # ------------------------------------------------------------------ reboots
    def reboot(self, T, t, reason, label, sym=None, boot=(40, 110), ctx=None):
        if T.down_until > t:
            return
        T.down_until = t + self.rng.uniform(*boot)
        T.pending_reboot = reason
        T.last_reboot = T.down_until
        if reason == "power_loss":
            T.power_events += self.rng.randint(1, 3)
        if sym:
            self.emit_err(T, T.down_until + self.rng.uniform(1, 8), sym, label, ctx)

    # ------------------------------------------------------------------ customers
    def new_customer(self, T, t, r):
        M = T.M
        mcc = T.mcc
        ch_w = [("qr", 0.36), ("card_ic", 0.36), ("nfc", 0.2), ("card_swipe", 0.08)]
        if M["type"] == "campus":
            ch_w = [("qr", 0.25), ("card_ic", 0.25), ("nfc", 0.5)]
        elif M["type"] == "tourist":
            ch_w = [("qr", 0.3), ("card_ic", 0.35), ("nfc", 0.15), ("card_swipe", 0.2)]
        ch = wchoice(r, ch_w)
        c = dict(channel=ch, tries=0, maxtries=r.randint(2, 4), read_fails=0)
        med = AMOUNT_MED.get(mcc, 10000)
        amt = int(med * math.exp(r.gauss(0, 0.75)))
        amt = max(100, amt // 100 * 100 if r.random() < 0.6 else amt)
        typ = "purchase"
        x = r.random()
        if M["type"] == "hotel" and x < 0.45:
            typ = "preauth" if x < 0.25 else "completion"
        elif x < 0.015:
            typ = "refund"
        elif x < 0.035:
            typ = "void"
        elif x < 0.04 and ch != "qr":
            typ = "balance"
        c["type"] = typ
        c["amount"] = 0 if typ == "balance" else amt
        if ch != "qr":
            if M["type"] == "tourist" and r.random() < 0.28:
                iss = r.choice(["visa_intl", "mc_intl"])
            elif r.random() < 0.18:
                iss = LOCAL_ISSUER[T.city]
            else:
                iss = wchoice(r, ISSUER_W)
            b = r.choice(ISSUERS[iss])
            if M["type"] == "campus" and r.random() < 0.55:
                iss, b = "boc", CAMPUS_BIN
            c["issuer"], c["bin"] = iss, b
            ln = 19 if (b.startswith("62") and r.random() < 0.3) else 16
            c["pan"] = b + "*" * (ln - 10) + "%04d" % r.randrange(10000)
            c["pin"] = ch in ("card_ic", "card_swipe") and (r.random() < 0.55 or amt > 100000) or \
                (ch == "nfc" and amt > 100000)
        return c

    # ------------------------------------------------------------------ transaction attempt
    def fail(self, T, t, c, retry=True):
        r = self.rng
        c["tries"] += 1
        T.consec = getattr(T, "consec", 0) + 1
        if T.consec >= 5 and r.random() < 0.35 and getattr(T, "aside_until", -1) < t:
            # stop using the device; somebody restarts it a while later
            T.aside_until = t + r.uniform(600, 2700)
            T.consec = 0
            self.push(T.aside_until, "userboot", T.tid)
            return
        if retry and c["tries"] < c["maxtries"] and r.random() < 0.8:
            self.push(t + r.uniform(15, 90), "arr", T.tid, c)

    def attempt(self, t, T, c):
        r = self.rng
        if T.down_until > t:
            if r.random() < 0.3:
                self.push(T.down_until + r.uniform(5, 60), "arr", T.tid, c)
            return
        if getattr(T, "aside_until", -1) > t:
            return
        self.update_batt(T, t)
        if T.batt is not None and T.batt <= 0:
            return
        # --- power instability during the transaction
        for v, e in self.lv(T, t, "power"):
            if r.random() < v * e.p["dip"]:
                lab = (e.f.cause, e.f)
                if r.random() < 0.5:
                    # dropped after the request left: host approved, terminal reverses after boot
                    self.host_txn(T, t + r.uniform(1, 3), c, "00", 700, lab)
                    self.push(t + 150, "rev", T.tid, dict(c, rev_tries=0))
                self.reboot(T, t + 2, "power_loss", lab, "power_fail",
                            ctx={"vin": T.vnom * (1 - e.p["sag"]) if T.vnom else 3.4})
                self.fail(T, t + 120, c)
                return
        if T.batt is not None:
            if T.batt < 8 and not T.docked:
                # terminal refuses to transact on a nearly empty battery; cashier docks it
                self.emit_err(T, t, "battery_low", self.cause_of(T, t, "battery", "power.battery"), {"pct": T.batt})
                T.docked = True
                T.dock_at = t
                self.fail(T, t, c)
                return
            for v, e in self.lv(T, t, "battery"):
                if T.batt < 50 and not T.docked and r.random() < v * 0.3:
                    lab = (e.f.cause, e.f)
                    self.emit_err(T, t, "battery_low", lab, {"pct": T.batt})
                    T.batt = 0.0
                    self.reboot(T, t + 1, "power_loss", lab, None, boot=(400, 1500))
                    T.docked = True
                    T.dock_at = t
                    return
        # --- board / display / software / resources
        for v, e in self.lv(T, t, "board"):
            if r.random() < v * e.p["p"]:
                lab = (e.f.cause, e.f)
                if r.random() < 0.5:
                    self.reboot(T, t + 1, "watchdog", lab, "self_test")
                else:
                    self.emit_err(T, t, "self_test", lab)
                self.fail(T, t, c)
                return
        for v, e in self.lv(T, t, "display"):
            if r.random() < v * e.p["p"]:
                self.emit_err(T, t, "display", (e.f.cause, e.f))
                self.fail(T, t, c)
                return
        for v, e in self.lv(T, t, "crash"):
            trig = e.p["trigger"]
            if trig == "any" or trig == c["channel"] or trig == c["type"]:
                if r.random() < v * e.p["p"]:
                    lab = (e.f.cause, e.f)
                    T.crashes += 1
                    self.emit_err(T, t, "app_crash", lab, {"msg": e.p["msg"]})
                    if r.random() < 0.4:
                        self.reboot(T, t + 2, "crash", lab, None, boot=(30, 70))
                    self.fail(T, t, c)
                    return
        mem, le = self.mem_level(T, t)
        if le is not None and 86 <= mem < 95 and r.random() < (mem - 86) / 25.0:
            self.emit_err(T, t, "oom", (le.f.cause, le.f), {"mem": mem})
            self.fail(T, t, c)
            return
        if mem >= 95 and r.random() < 0.5 + (mem - 95) * 0.1:
            lab = (le.f.cause, le.f) if le else ("resource.memory", None)
            T.crashes += 1
            self.emit_err(T, t, "oom", lab, {"mem": mem})
            self.reboot(T, t + 1, "crash", lab, None, boot=(30, 60))
            self.fail(T, t, c)
            return
        sto, se = self.storage_level(T, t)
        if sto >= 97.5 and r.random() < min(0.95, (sto - 97) / 2.5):
            lab = (se.f.cause, se.f) if se else ("resource.storage", None)
            self.emit_err(T, t, "storage", lab, {"sto": sto})
            self.fail(T, t, c)
            return
        slow = 0.0
        slow_lab = None
        for v, e in self.lv(T, t, "cpu"):
            if r.random() < v * 0.25:
                self.emit_err(T, t + r.uniform(5, 25), "cpu_slow", (e.f.cause, e.f),
                              {"ms": r.uniform(8000, 30000), "load": 4 + 6 * v})
                self.fail(T, t, c)
                return
            s = v * r.uniform(0.3, 1.3) * e.p["max_s"]
            if s > slow:
                slow, slow_lab = s, (e.f.cause, e.f)
        # --- cashier procedure
        op = [(0.004, ("operator.error", None))] + [(v * e.p["p"], (e.f.cause, e.f)) for v, e in self.lv(T, t, "operator")]
        for p, lab in op:
            if r.random() < p:
                k = r.random()
                if k < 0.35:
                    self.emit_err(T, t, "operator", lab, {"msg": r.choice(["主管密码错误", "交易类型选择错误",
                                                                       "金额输入超限,请确认", "原交易凭证号不存在"])})
                elif k < 0.55 and c["channel"] != "qr":
                    self.emit_err(T, t, "card_read", lab, {"msg": "card inserted wrong way / fallback refused"})
                else:
                    cc = dict(c, type=r.choice(["void", "refund"]))
                    self.host_txn(T, t + r.uniform(1, 3), cc, "25" if cc["type"] == "void" else "64",
                                  r.randint(300, 900), lab)
                c["tries"] += 1
                self.push(t + r.uniform(20, 80), "arr", T.tid, c)
                return
        # --- card reading
        if c["channel"] != "qr":
            srcs = [(0.01, ("operator.error", None))]
            for v, e in self.lv(T, t, "reader"):
                if c["channel"] in e.p["channels"]:
                    srcs.append((v * e.p["p"], (e.f.cause, e.f)))
            for p, lab in srcs:
                if r.random() < p:
                    if lab[1] is not None:
                        T.reader_err += 1
                    self.emit_err(T, t, "card_read", lab)
                    c["read_fails"] += 1
                    if c["read_fails"] >= 2 and r.random() < 0.7:
                        c = dict(c, channel="qr", pin=False)
                        c.pop("pan", None)
                        c.pop("issuer", None)
                    self.fail(T, t, c)
                    return
        for v, e in self.lv(T, t, "keypad"):
            if True:
                if r.random() < v * e.p["p"] * (1.0 if c.get("pin") else 0.4):
                        T.keypad_err += 1
                        self.emit_err(T, t + 8, "pin", (e.f.cause, e.f))
                        self.fail(T, t, c)
                        return
        # --- connect (configuration, path, host)
        t1 = t + r.uniform(3, 15)
        H = HOSTS[T.host]
        for v, e in self.lv(T, t1, "config"):
            if e.p["mode"] == "host" and r.random() < v:
                self.emit_err(T, t1 + 30, "connect", (e.f.cause, e.f), {"ip": e.p["ip"], "port": e.p["port"],
                                                                        "errno": 110})
                self.fail(T, t1, c)
                return
        src = self.link(T, t1)
        for pd, pl, la, lab in src:
            if r.random() < pd:
                self.emit_err(T, t1 + r.uniform(5, 30), "connect", lab)
                self.fail(T, t1, c)
                return
        for v, e in self.lv(T, t1, "acq"):
            if r.random() < v * e.p.get("refuse", 0):
                self.emit_err(T, t1 + r.uniform(1, 5), "connect", (e.f.cause, e.f), {"errno": 111})
                self.fail(T, t1, c)
                return
        # --- TLS
        if H["tls"]:
            if T.cert is not None and t1 >= T.cert:
                l = self.lv(T, t1, "cert")
                lab = (l[0][1].f.cause, l[0][1].f) if l else ("security.certificate", None)
                self.emit_err(T, t1 + 1, "cert_expired", lab, {"na": self.ts(T.cert)})
                self.fail(T, t1, c)
                return
            for v, e in self.lv(T, t1, "skew"):
                if r.random() < v:
                    lt = (self.base + timedelta(seconds=t1 + e.p["skew"])).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
                    self.emit_err(T, t1 + 1, "cert_notyet", (e.f.cause, e.f), {"lt": lt})
                    self.fail(T, t1, c)
                    return
            for v, e in self.lv(T, t1, "incompat"):
                if e.p["mode"] == "tls" and r.random() < v:
                    self.emit_err(T, t1 + 1, "tls", (e.f.cause, e.f), {"msg": e.p["msg"]})
                    self.fail(T, t1, c)
                    return
        # --- on the wire
        stan = self.next_stan(T)
        for v, e in self.lv(T, t1, "corrupt"):
            if r.random() < v * e.p["p"]:
                lab = (e.f.cause, e.f)
                k = r.random()
                if k < 0.4:
                    self.emit_err(T, t1 + r.uniform(2, 10), "data_error", lab, stan=stan)
                    self.fail(T, t1, c)
                    return
                code = "30" if k < 0.7 else "A0"
                self.host_txn(T, t1 + 1, c, code, r.randint(400, 1500), lab, stan=stan)
                if code == "A0" and r.random() < 0.6:
                    self.emit_err(T, t1 + 2, "mac", lab, stan=stan)
                self.fail(T, t1, c)
                return
        timeout = VENDORS[T.vendor]["timeout"]
        lat = {"ethernet": 60, "wifi": 110, "cellular": 320}[T.net] * r.uniform(0.7, 1.6) + H["base"] * r.uniform(0.8, 1.4)
        lat += slow * 1000
        contrib = []
        if slow_lab:
            contrib.append((slow * 1000, slow_lab))
        to_lab = None
        for pd, pl, la, lab in src:
            a = la * r.uniform(0.3, 1.0)
            lat += a
            contrib.append((a, lab))
            if to_lab is None and r.random() < min(0.95, pl * 1.6):
                to_lab = lab
        for v, e in self.lv(T, t1, "acq"):
            add = v * e.p.get("slow_ms", 0) * r.uniform(0.2, 1.3)
            lat += add
            contrib.append((add, (e.f.cause, e.f)))
            if to_lab is None and r.random() < v * e.p.get("drop", 0):
                to_lab = (e.f.cause, e.f)
        # issuer latency / outage (card only)
        iss_code = None
        iss_lab = None
        if c["channel"] != "qr":
            for e in self.issuer_effs:
                if e.p["issuer"] == c.get("issuer"):
                    v = e.level(t1)
                    if v > 0:
                        if e.p["mode"] == "slow":
                            a = v * r.uniform(5000, 60000)
                            lat += a
                            contrib.append((a, (e.f.cause, e.f)))
                            if r.random() < v * 0.3:
                                iss_code, iss_lab = "98", (e.f.cause, e.f)
                        elif r.random() < v * e.p["p"]:
                            iss_code, iss_lab = r.choice(["91", "91", "91", "98"]), (e.f.cause, e.f)
        if to_lab is None and lat > timeout * 1000:
            to_lab = max(contrib, key=lambda x: x[0])[1] if contrib else ("network.signal", None)
        if to_lab is not None:
            self.timeout_txn(T, t1, c, stan, to_lab, timeout)
            return
        # --- host decision
        code, lab = self.host_decide(T, t1, c, r)
        if code is None and iss_code:
            code, lab = iss_code, iss_lab
        if code is None:
            code, lab = self.background_decline(T, c, r)
        tx = t1 + lat / 1000.0
        self.host_txn(T, tx, c, code, int(lat), lab, stan=stan)
        if code == "A0" and r.random() < 0.7:
            self.emit_err(T, tx + 1, "key_missing" if lab and self.lv(T, t1, "keys") and
                          self.lv(T, t1, "keys")[0][1].p["mode"] == "missing" else "mac", lab, stan=stan)
        if code == "00":
            T.consec = 0
            if c["type"] not in ("balance",):
                self.print_receipt(T, tx + 2, stan)
        else:
            if code in ("51", "55", "54", "05", "14", "41", "43", "57", "59", "03", "58", "40", "97", "61", "65"):
                c["tries"] += 1
                if code == "55" and c["tries"] < c["maxtries"]:
                    self.push(tx + r.uniform(20, 60), "arr", T.tid, c)
                elif code in ("51", "54", "14", "57") and r.random() < 0.6:
                    c2 = dict(c, channel="qr", pin=False, tries=c["tries"])
                    c2.pop("pan", None)
                    c2.pop("issuer", None)
                    self.push(tx + r.uniform(20, 60), "arr", T.tid, c2)
            else:
                self.fail(T, tx, c)

    def host_decide(self, T, t, c, r):
        for v, e in self.lv(T, t, "config"):
            if e.p["mode"] in ("tid", "mid") and r.random() < v:
                return ("97" if e.p["mode"] == "tid" else "03"), (e.f.cause, e.f)
            if e.p["mode"] == "keyidx" and r.random() < v:
                return "A0", (e.f.cause, e.f)
        for v, e in self.lv(T, t, "keys"):
            if r.random() < v:
                return "A0", (e.f.cause, e.f)
        for v, e in self.lv(T, t, "incompat"):
            if e.p["mode"] == "format" and (e.p.get("types") is None or c["type"] in e.p["types"]) and r.random() < v:
                return r.choice(e.p["codes"]), (e.f.cause, e.f)
        for v, e in self.lv(T, t, "frozen"):
            if r.random() < v:
                return "03", (e.f.cause, e.f)
        for v, e in self.lv(T, t, "txntype"):
            if c["type"] in e.p["types"] or c["channel"] in e.p.get("channels", ()):
                return e.p["code"], (e.f.cause, e.f)
        for v, e in self.lv(T, t, "limit"):
            if e.p["mode"] == "single" and c["amount"] > e.p["cap"] and c["type"] != "refund":
                return "61", (e.f.cause, e.f)
            if e.p["mode"] == "daily" and c["type"] in ("purchase", "completion"):
                e.p["used"] = e.p.get("used", 0) + 1
                if e.p["used"] > e.p["cap"]:
                    return r.choice(["61", "65"]), (e.f.cause, e.f)
        for v, e in self.lv(T, t, "risk"):
            if c["amount"] >= e.p["min_amt"] and (not e.p.get("card_only") or c["channel"] != "qr") and r.random() < v * e.p["p"]:
                return "59", (e.f.cause, e.f)
        for v, e in self.lv(T, t, "acq"):
            if r.random() < v * e.p.get("p96", 0):
                return "96", (e.f.cause, e.f)
        if c["channel"] != "qr":
            for e in self.bin_effs:
                if c.get("bin") == e.p["bin"]:
                    v = e.level(t)
                    if v > 0 and r.random() < e.p["share"]:
                        return "54", (e.f.cause, e.f)
            if c.get("pin"):
                for v, e in self.lv(T, t, "keypad"):
                    if r.random() < v * e.p["wrong"]:
                        return "55", (e.f.cause, e.f)
        return None, None

    def background_decline(self, T, c, r):
        x = r.random()
        if c["channel"] == "qr":
            if x < 0.018:
                return "51", ("card.decline", None)
            if x < 0.021:
                return "61", ("business.limit", None)
            return "00", None
        tab = [("51", 0.022, "card.decline"), ("55", 0.012 if c.get("pin") else 0.0, "card.decline"),
               ("54", 0.003, "card.decline"), ("05", 0.005, "card.decline"), ("14", 0.002, "card.decline"),
               ("41", 0.0004, "card.decline"), ("43", 0.0003, "card.decline"),
               ("61", 0.003, "business.limit"), ("57", 0.002, "business.txn_type"),
               ("59", 0.0012, "business.risk"), ("96", 0.0004, "upstream.acquirer"),
               ("91", 0.0005, "upstream.issuer")]
        if c.get("issuer") in ("visa_intl", "mc_intl"):
            tab.append(("57", 0.03, "business.txn_type"))
            tab.append(("05", 0.02, "card.decline"))
        for code, p, cause in tab:
            if x < p:
                return code, (cause, None)
            x -= p
        return "00", None

    def host_txn(self, T, t, c, code, lat, lab, stan=None):
        M = T.M
        H = HOSTS[T.host]
        stan = stan or self.next_stan(T)
        rec = {"kind": "txn", "terminal_id": T.tid, "merchant_id": T.mid, "type": c["type"], "amount": c["amount"],
               "currency": H["cur"], "channel": c["channel"], "stan": stan}
        d = self.base + timedelta(seconds=t)
        rec["rrn"] = d.strftime("%j%H") + stan[-6:] + "%01d" % (int(t) % 10)
        rec["rrn"] = rec["rrn"][:12]
        rec["mcc"] = c.get("mcc_override") or T.mcc
        rec["response_code"] = code
        rec["latency_ms"] = int(lat)
        if code == "00" and c["type"] in ("purchase", "completion") and c["amount"] > 0:
            rate = M["qr_rate"] if c["channel"] == "qr" else M["card_rate"]
            rec["fee"] = int(round(c["amount"] * rate))
        if c.get("pan"):
            rec["pan"] = c["pan"]
        if code == "00":
            lab = None
        self.emit(t, rec, label=lab)
        if code == "00" and self.rng.random() < 0.004:
            self.recs.append([float(int(t)) + self.rng.uniform(1, 8), self.seq, dict(self.recs[-1][2]), None])
            self.seq += 1

    def timeout_txn(self, T, t, c, stan, lab, timeout):
        r = self.rng
        tx = t + timeout + r.uniform(0, 1.5)
        rec = {"kind": "txn", "terminal_id": T.tid, "merchant_id": T.mid, "type": c["type"], "amount": c["amount"],
               "currency": HOSTS[T.host]["cur"], "channel": c["channel"], "stan": stan, "mcc": T.mcc,
               "timed_out": True, "latency_ms": timeout * 1000}
        if c.get("pan"):
            rec["pan"] = c["pan"]
        self.emit(tx, rec, label=lab)
        if r.random() < 0.8:
            self.emit_err(T, tx + r.uniform(0.5, 3), "timeout", lab, {"stan": stan}, stan=stan)
        if c["type"] in ("purchase", "completion", "preauth") and c["channel"] != "qr":
            self.push(tx + r.uniform(10, 90), "rev", T.tid, dict(c, rev_tries=0))
        self.fail(T, tx, c)

    def reversal(self, t, T, c):
        r = self.rng
        if T.down_until > t:
            self.push(T.down_until + r.uniform(10, 40), "rev", T.tid, c)
            return
        src = self.link(T, t)
        for pd, pl, la, lab in src:
            if r.random() < pd:
                if c["rev_tries"] < 3:
                    c["rev_tries"] += 1
                    self.push(t + r.uniform(60, 240), "rev", T.tid, c)
                return
        for v, e in self.lv(T, t, "acq"):
            if r.random() < v * max(e.p.get("refuse", 0), e.p.get("drop", 0)):
                if c["rev_tries"] < 3:
                    c["rev_tries"] += 1
                    self.push(t + r.uniform(60, 240), "rev", T.tid, c)
                return
        cc = dict(c, type="reversal")
        self.host_txn(T, t, cc, "00", r.randint(300, 1200), None)

    def print_receipt(self, T, t, stan):
        r = self.rng
        for v, e in self.lv(T, t, "power"):
            if r.random() < v * e.p.get("print", 0.3):
                # the printer's current draw pulls the sagging supply under the brown-out threshold
                self.reboot(T, t + 0.5, "power_loss", (e.f.cause, e.f), "power_fail",
                            ctx={"vin": (T.vnom or 4.0) * (1 - e.p["sag"] * 1.4)})
                return
        for v, e in self.lv(T, t, "printer"):
            if r.random() < v * e.p["p"]:
                self.emit_err(T, t, "printer_fault", (e.f.cause, e.f), stan=stan)
                return
        if T.paper <= 0:
            if T.reload_at is not None and t >= T.reload_at:
                T.paper = r.randint(60, 140)
                T.reload_at = None
            else:
                if r.random() < 0.25:
                    self.emit_err(T, t, "paper", ("hardware.printer", None), stan=stan)
                return
        T.paper -= 2 if r.random() < 0.8 else 1
        if T.paper <= 0:
            self.emit_err(T, t, "paper", ("hardware.printer", None), stan=stan)
            T.reload_at = t + r.uniform(60, 500)

    # ------------------------------------------------------------------ run
    def run(self):
        self.build_world()
        self.make_faults()
        self.inventory()
        r = rr(self.seed, "arrivals")
        for T in self.terms:
            # heartbeats
            self.push(r.uniform(0, T.hb_period), "hb", T.tid)
            # customer arrivals: non-homogeneous Poisson by business profile (thinning)
            base = T.M["rate"] * r.uniform(0.5, 1.3) / 3600.0
            t = 0.0
            while True:
                t += r.expovariate(base)
                if t >= self.W:
                    break
                if r.random() < profile(T.M["prof"], self.local_h(t)):
                    self.push(t, "new", T.tid)
        for v, R in sorted(self.rollouts.items()):
            for tid, tu in sorted(R["upd"].items()):
                self.push(tu, "upd", tid, R["field"], R["new"])
        for F in self.faults:
            rn = getattr(F, "_renew", None)
            if rn and rn[0] < self.W + 900:
                for T in rn[1]:
                    self.push(rn[0] + self.rng.uniform(0, 300), "cert", T.tid)
        cr = rr(self.seed, "cust")
        while self.heap:
            t, _, kind, args = heapq.heappop(self.heap)
            if t >= self.W and kind in ("hb", "new"):
                continue
            if t >= self.W + 900:
                continue
            T = self.tmap[args[0]]
            if kind == "hb":
                self.push(t + T.hb_period * self.rng.uniform(0.97, 1.03), "hb", T.tid)
                self.update_batt(T, t)
                self.background_hb(T, t)
                if T.down_until <= t and not (T.batt is not None and T.batt <= 0):
                    self.telemetry(T, t)
                elif self.rng.random() < 0.5:
                    self.emit(t + self.rng.uniform(5, 30), {"kind": "telemetry", "terminal_id": T.tid, "online": False})
            elif kind == "new":
                self.attempt(t, T, self.new_customer(T, t, cr))
            elif kind == "arr":
                self.attempt(t, T, args[1])
            elif kind == "userboot":
                if T.down_until <= t:
                    T.down_until = t + self.rng.uniform(40, 90)
                    T.pending_reboot = "user"
                    T.last_reboot = T.down_until
            elif kind == "cert":
                T.cert = self.W + 86400 * 365
            elif kind == "rev":
                self.reversal(t, T, args[1])
            elif kind == "upd":
                field, new = args[1], args[2]
                if T.down_until > t:
                    self.push(T.down_until + 60, "upd", T.tid, field, new)
                    continue
                if field == "app":
                    T.app = new
                else:
                    T.fw = new
                T.ver_changed = True
                if self.rng.random() < 0.15:
                    self.emit(t - 30, {"kind": "maintenance", "terminal_id": T.tid, "action": "firmware_update",
                                       "notes": "%s -> %s" % (field, new)})
                T.down_until = t + self.rng.uniform(90, 240)
                T.pending_reboot = "update"
                T.last_reboot = T.down_until
        self.people()
        self.background_people()

    def background_hb(self, T, t):
        """things that happen between samples: power dips, watchdogs, leaks without a customer"""
        r = self.rng
        if T.down_until > t:
            return
        for v, e in self.lv(T, t, "power"):
            if r.random() < v * e.p.get("dip_hb", 0.1) * T.hb_period / 300:
                self.reboot(T, t - r.uniform(0, T.hb_period * 0.8), "power_loss", (e.f.cause, e.f), "power_fail",
                            ctx={"vin": (T.vnom or 4.0) * (1 - e.p["sag"])})
                return
        for v, e in self.lv(T, t, "board"):
            if r.random() < v * 0.25 * T.hb_period / 300:
                self.reboot(T, t - r.uniform(0, T.hb_period * 0.8), "watchdog", (e.f.cause, e.f), "self_test")
                return
        mem, le = self.mem_level(T, t)
        if mem >= 97.5 and r.random() < 0.5:
            lab = (le.f.cause, le.f) if le else ("resource.memory", None)
            T.crashes += 1
            self.reboot(T, t - r.uniform(0, 60), "crash", lab, "oom", ctx={"mem": mem}, boot=(30, 60))

    # ------------------------------------------------------------------ people
    def people(self):
        r = rr(self.seed, "people")
        cseq = r.randint(1000, 5000)
        for F in self.faults:
            ev = sorted(F.events)
            H = F.people
            tids = sorted(set(tid for _, tid in ev))
            if len(ev) >= 3:
                T0 = self.tmap[ev[2][1]]
                tc = ev[2][0] + r.uniform(300, 2400)
                if tc < self.W + 600 and r.random() < 0.85:
                    cseq += r.randint(1, 9)
                    code = None
                    txt = H.get("complaint", "刷卡老是失败,顾客只能扫码")
                    rec = {"kind": "complaint", "complaint_id": "C-%d" % cseq,
                           "from": "merchant" if r.random() < 0.8 else "customer", "merchant_id": T0.mid,
                           "terminal_id": T0.tid, "text": txt}
                    if r.random() < 0.2:
                        rec.pop("terminal_id")
                    self.emit(tc, rec)
                tchk = ev[min(len(ev) - 1, 5)][0] + r.uniform(900, 3600)
                tgt = H.get("target", "terminal")
                for i, (name, res) in enumerate(H.get("checks", [])):
                    tt = tchk + i * r.uniform(120, 600)
                    if tt < F.end and tt < self.W + 600:
                        rec = {"kind": "check"}
                        if tgt == "site":
                            rec["site_id"] = T0.sid
                        else:
                            rec["terminal_id"] = T0.tid
                        rec.update({"name": name, "result": res})
                        self.emit(tt, rec)
            if ev and F.end < self.W + 600:
                T0 = self.tmap[ev[0][1]]
                fx = H.get("fix")
                if fx:
                    kind, name, res = fx
                    if kind == "check":
                        rec = {"kind": "check"}
                        if H.get("target") == "site":
                            rec["site_id"] = T0.sid
                        else:
                            rec["terminal_id"] = T0.tid
                        rec.update({"name": name, "result": res})
                    else:
                        rec = {"kind": "maintenance", "terminal_id": T0.tid, "action": name, "notes": res}
                    self.emit(F.end + r.uniform(-60, 60), rec)
                if r.random() < 0.6:
                    rec = {"kind": "resolution"}
                    tg = H.get("target", "terminal")
                    if tg == "site":
                        rec["site_id"] = T0.sid
                    elif tg == "incident":
                        rec["incident_id"] = "INC-%s" % F.fid
                    else:
                        rec["terminal_id"] = T0.tid
                    rec["cause"] = F.cause
                    rec["notes"] = H.get("note", F.title)
                    self.emit(F.end + r.uniform(300, 1800), rec)

    def background_people(self):
        r = rr(self.seed, "bgpeople")
        for T in self.terms:
            if r.random() < 0.18:
                self.emit(r.uniform(-1800, 2400), {"kind": "maintenance", "terminal_id": T.tid, "action": "daily_check",
                                                   "notes": r.choice(["电源、键盘、屏幕正常", "电源连接牢固,键盘顺畅",
                                                                      "屏幕显示清晰", "正常"])})
            elif r.random() < 0.03:
                self.emit(r.uniform(0, self.W), {"kind": "maintenance", "terminal_id": T.tid,
                                                 "action": r.choice(["weekly_clean", "monthly_inspection"]),
                                                 "notes": r.choice(["清洁读卡槽", "内部检查无异常", "除尘"])})
        for i in range(r.randint(3, 7)):
            M = r.choice(self.merchants)
            self.emit(r.uniform(0, self.W), {"kind": "complaint", "complaint_id": "C-9%03d" % i, "from": "merchant",
                                             "merchant_id": M["mid"],
                                             "text": r.choice(["手续费比合同约定的高,要求核实费率", "昨天的款项到账慢",
                                                               "希望开通预授权功能", "客服电话打不通", "扫码费率是否有调整?"])})
        # a few ordinary checks that find nothing
        for i in range(r.randint(2, 6)):
            T = r.choice(self.terms)
            self.emit(r.uniform(0, self.W), {"kind": "check", "terminal_id": T.tid,
                                             "name": r.choice(["cable_seated", "adapter_voltage", "paper_loaded"]),
                                             "result": "ok"})

    # ------------------------------------------------------------------ write
    def write(self, out):
        os.makedirs(out, exist_ok=True)
        self.recs.sort(key=lambda x: (x[0], x[1]))
        truth_ev = []
        with open(os.path.join(out, "records.jsonl"), "w", encoding="utf-8") as f:
            for key, seq, rec, lab in self.recs:
                f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
                if lab is not None:
                    te = {"kind": "truth_event", "ts": rec["ts"], "terminal_id": rec["terminal_id"],
                          "cause": lab[0]}
                    if rec["kind"] == "error":
                        te["code"] = rec["code"]
                    else:
                        te["code"] = rec.get("response_code", "timeout")
                    if rec.get("stan"):
                        te["stan"] = rec["stan"]
                    te["record"] = rec["kind"]
                    if lab[1] is not None:
                        te["fault_id"] = lab[1].fid
                    truth_ev.append(te)
        with open(os.path.join(out, "truth.jsonl"), "w", encoding="utf-8") as f:
            for F in self.faults:
                members = set(F.members) | set(tid for _, tid in F.events)
                rec = {"kind": "truth", "fault_id": F.fid, "cause": F.cause, "scope": F.scope,
                       "terminals": sorted(members), "start": self.ts(F.start), "end": self.ts(F.end),
                       "title": F.title, "failed_events": len(F.events)}
                f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            for te in truth_ev:
                f.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
        return len(self.recs), len(self.faults), len(truth_ev)


# =========================================================================== fault templates
def _pick_term(g, r, pred):
    """single-terminal faults land on terminals that are actually used"""
    c = [T for T in g.terms if pred(T) and T.M["rate"] >= 10 and not getattr(T, "faulty", False)] or \
        [T for T in g.terms if pred(T)] or g.terms
    T = r.choices(c, weights=[T.M["rate"] ** 1.5 for T in c])[0]
    T.faulty = True
    return T


def _pick_site(g, r, pred, min_terms=2):
    c = [S for S in g.sites if len(S["terms"]) >= min_terms and pred(S)] or g.sites
    return r.choices(c, weights=[sum(T.M["rate"] for T in S["terms"]) for S in c])[0]


def _pick_merchant(g, r, types):
    c = [M for M in g.merchants if M["type"] in types] or g.merchants
    return r.choices(c, weights=[M["rate"] * len(M["terms"]) for M in c])[0]


def t_keypad(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 3 * 3600, 8 * 3600)
    F = g.new_fault("hardware.keypad", {"terminal_id": T.tid}, st, en, "按键老化卡键 keypad keys sticking")
    g.add_eff(F, "keypad", {"p": 0.55, "wrong": 0.45}, [T], onset=r.uniform(1, 3) * 3600)
    F.members = [T.tid]
    F.people = dict(complaint="输密码老是错,按键不灵", checks=[("keypad_test", "fail")],
                    fix=("maint", "repair", "更换键盘膜"), note="键盘按键卡滞,更换键盘膜后恢复")


def t_display(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 2 * 3600, 6 * 3600)
    F = g.new_fault("hardware.display", {"terminal_id": T.tid}, st, en, "屏幕排线松动 display intermittent")
    g.add_eff(F, "display", {"p": 0.6}, [T], interm=(r.uniform(300, 900), r.uniform(0.3, 0.6)))
    F.members = [T.tid]
    F.people = dict(complaint="屏幕时亮时不亮,看不到金额", checks=[("screen_inspection", "fail")],
                    fix=("maint", "part_replaced", "更换显示屏"), note="显示屏排线接触不良")


def t_reader(g, r):
    T = _pick_term(g, r, lambda T: T.M["type"] != "campus")
    st, en = g.window_times(r, 3 * 3600, 9 * 3600, early=-3600)
    ch = r.choice([("card_ic",), ("card_ic", "card_swipe"), ("nfc",)])
    F = g.new_fault("hardware.card_reader", {"terminal_id": T.tid}, st, en, "读卡器触点磨损 reader decaying " + "/".join(ch))
    g.add_eff(F, "reader", {"p": 0.85, "channels": ch}, [T], onset=r.uniform(0.7, 2.5) * 3600)
    F.members = [T.tid]
    F.people = dict(complaint="插卡总提示读卡失败,只能扫码", checks=[("card_reader_test", "fail")],
                    fix=("maint", "part_replaced", "更换IC卡座"), note="IC卡座触点磨损")


def t_reader_lane(g, r):
    S = _pick_site(g, r, lambda S: S["city"] and len(S["terms"]) >= 4, 4)
    lane = r.sample(S["terms"], 1)
    T = lane[0]
    st, en = g.window_times(r, 2 * 3600, 6 * 3600)
    F = g.new_fault("hardware.card_reader", {"terminal_id": T.tid}, st, en, "收银台读卡头脏污 lane reader")
    g.add_eff(F, "reader", {"p": 0.6, "channels": ("card_ic", "card_swipe", "nfc")}, [T],
              onset=r.uniform(600, 3600), interm=(600, 0.7))
    F.members = [T.tid]
    F.people = dict(complaint="%d号收银台刷卡经常失败" % T.lane, checks=[("card_reader_test", "fail")],
                    fix=("maint", "weekly_clean", "清洁读卡头"), note="读卡头脏污")


def t_printer(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 1 * 3600, 5 * 3600)
    F = g.new_fault("hardware.printer", {"terminal_id": T.tid}, st, en, "打印头/切刀故障 printer fault")
    g.add_eff(F, "printer", {"p": 0.85}, [T], onset=r.uniform(0, 1200))
    F.members = [T.tid]
    F.people = dict(complaint="交易成功但不出小票", checks=[("paper_loaded", "ok"), ("printer_head", "fail")],
                    fix=("maint", "repair", "更换打印头"), note="打印机切刀卡死")


def t_board(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 3 * 3600, 9 * 3600, early=-3600)
    F = g.new_fault("hardware.board", {"terminal_id": T.tid}, st, en, "主板元件老化过热 board degrading")
    g.add_eff(F, "board", {"p": 0.2, "heat": 32}, [T], onset=r.uniform(2, 5) * 3600)
    F.members = [T.tid]
    F.people = dict(complaint="机器经常自己重启,显示E1", checks=[("adapter_voltage", "ok"), ("board_inspection", "fail")],
                    fix=("maint", "repair", "返厂更换主板"), note="主板电容鼓包")


def t_power_site(g, r):
    S = _pick_site(g, r, lambda S: sum(1 for T in S["terms"] if T.vnom) >= 2, 3)
    mem = [T for T in S["terms"] if T.vnom] or S["terms"]
    st, en = g.window_times(r, 1.5 * 3600, 4 * 3600)
    F = g.new_fault("power.supply", {"site_id": S["sid"]}, st, en, "门店市电不稳 site mains unstable (case 1)")
    g.add_eff(F, "power", {"sag": r.uniform(0.12, 0.22), "dip": 0.2, "dip_hb": 0.3, "events": True}, mem,
              onset=r.uniform(0, 1800), interm=(r.uniform(240, 600), 0.65))
    F.members = [T.tid for T in mem]
    F.people = dict(target="site", complaint="店里所有POS都显示错误,顾客付不了款",
                    checks=[("router_restarted", "ok"), ("mains_voltage", "%d" % r.randint(176, 192))],
                    fix=("check", "ups_installed", "ok"), note="当天市电不稳,加装稳压电源后恢复")


def t_power_adapter(g, r):
    T = _pick_term(g, r, lambda T: T.vnom)
    st, en = g.window_times(r, 2 * 3600, 6 * 3600)
    F = g.new_fault("power.supply", {"terminal_id": T.tid}, st, en, "电源适配器输出偏低 adapter sagging")
    g.add_eff(F, "power", {"sag": r.uniform(0.12, 0.2), "dip": 0.25, "dip_hb": 0.35, "print": 0.4,
                           "events": True}, [T], onset=r.uniform(1200, 5400), interm=(r.uniform(300, 900), 0.6))
    F.members = [T.tid]
    F.people = dict(checks=[("adapter_voltage", "%.2f" % ((T.vnom or 9) * 0.85))],
                    fix=("maint", "part_replaced", "更换电源适配器"), note="适配器输出电压偏低")


def t_battery(g, r):
    T = _pick_term(g, r, lambda T: T.batt is not None)
    st, en = g.window_times(r, 3 * 3600, 8 * 3600, early=-3600)
    F = g.new_fault("power.battery", {"terminal_id": T.tid}, st, en, "电池老化 battery worn")
    g.add_eff(F, "battery", {"wear": r.uniform(0.75, 0.92)}, [T], onset=r.uniform(1800, 7200))
    T.batt = min(T.batt, r.uniform(30, 60))
    F.members = [T.tid]
    F.people = dict(complaint="手持机充满电没多久就关机", checks=[("battery_check", "fail")],
                    fix=("maint", "part_replaced", "更换电池"), note="电池鼓包老化")


def t_signal(g, r):
    T = _pick_term(g, r, lambda T: T.net == "cellular")
    st, en = g.window_times(r, 1.5 * 3600, 5 * 3600)
    F = g.new_fault("network.signal", {"terminal_id": T.tid}, st, en, "终端移到地下室收银 weak cellular signal")
    g.add_eff(F, "signal", {"drop": r.uniform(24, 34)}, [T], onset=r.uniform(0, 2400),
              interm=(r.uniform(200, 600), r.uniform(0.5, 0.9)))
    F.members = [T.tid]
    F.people = dict(complaint="手机信号差的时候就刷不了", checks=[("signal_strength", "%d" % int(T.rssi_base - 24))],
                    fix=("check", "terminal_relocated", "ok"), note="终端位置信号弱,移至窗口后恢复")


def t_signal_wifi(g, r):
    S = _pick_site(g, r, lambda S: sum(1 for T in S["terms"] if T.net == "wifi") >= 1, 1)
    mem = [T for T in S["terms"] if T.net == "wifi"] or [_pick_term(g, r, lambda T: T.net == "wifi")]
    mem = mem[:max(1, len(mem) - r.randint(0, 1))]
    st, en = g.window_times(r, 1 * 3600, 4 * 3600)
    F = g.new_fault("network.signal", {"site_id": mem[0].sid, "network": "wifi"}, st, en,
                    "微波炉/隔墙干扰 Wi-Fi weak at the tables")
    g.add_eff(F, "signal", {"drop": r.uniform(22, 32)}, mem, interm=(r.uniform(120, 400), 0.6))
    F.members = [T.tid for T in mem]
    F.people = dict(target="site", checks=[("wifi_rssi", "-79"), ("router_restarted", "ok")],
                    note="后厨微波炉干扰2.4G Wi-Fi,改用5G频段")


def t_lan_router(g, r):
    S = _pick_site(g, r, lambda S: sum(1 for T in S["terms"] if T.net in ("ethernet", "wifi")) >= 2, 2)
    mem = [T for T in S["terms"] if T.net in ("ethernet", "wifi")]
    st, en = g.window_times(r, 0.7 * 3600, 3 * 3600)
    F = g.new_fault("network.lan", {"site_id": S["sid"]}, st, en, "门店路由器不稳定 site router flaky (case 2)")
    g.add_eff(F, "lan", {"down": r.uniform(0.3, 0.7), "loss": r.uniform(0.2, 0.45), "lat": 1500}, mem,
              onset=r.uniform(0, 2400), interm=(r.uniform(120, 500), r.uniform(0.5, 0.85)))
    F.members = [T.tid for T in mem]
    F.people = dict(target="site", complaint="中午刷卡一直显示错误,顾客只能扫码",
                    checks=[("cable_seated", "ok")], fix=("check", "router_restarted", "ok"),
                    note="路由器重启后恢复 / recovered after router restart")


def t_lan_lane(g, r):
    S = _pick_site(g, r, lambda S: sum(1 for T in S["terms"] if T.net == "ethernet") >= 3, 3)
    eth = [T for T in S["terms"] if T.net == "ethernet"] or [_pick_term(g, r, lambda T: T.net == "ethernet")]
    mem = r.sample(eth, min(len(eth), r.randint(1, 2)))
    st, en = g.window_times(r, 1 * 3600, 5 * 3600)
    F = g.new_fault("network.lan", {"site_id": mem[0].sid}, st, en,
                    "收银台交换机端口/网线故障 one lane's switch port")
    g.add_eff(F, "lan", {"down": 0.85, "loss": 0.3, "lat": 600}, mem, interm=(r.uniform(60, 300), 0.55))
    F.members = [T.tid for T in mem]
    F.people = dict(target="site", checks=[("router_restarted", "ok"), ("switch_port", "fail")],
                    fix=("check", "cable_replaced", "ok"), note="收银台网线水晶头氧化")


def t_carrier(g, r):
    combos = {}
    for T in g.terms:
        if T.net == "cellular":
            combos.setdefault((T.carrier, T.city), []).append(T)
    keys = sorted(k for k in combos if len(combos[k]) >= 3) or sorted(combos)
    car, city = r.choice(keys)
    ts = combos[(car, city)]
    frac = r.uniform(0.55, 1.0)
    mem = [T for T in ts if r.random() < frac] or ts[:1]
    st, en = g.window_times(r, 0.6 * 3600, 2.5 * 3600)
    F = g.new_fault("network.carrier", {"carrier": car, "city": city}, st, en, "运营商基站/传输故障 carrier outage")
    g.add_eff(F, "carrier", {"down": r.uniform(0.6, 0.95), "loss": 0.4, "lat": 3000}, mem, onset=r.uniform(300, 1800))
    F.members = [T.tid for T in mem]
    F.people = dict(target="incident", complaint="4G机器都刷不了,有线的可以",
                    checks=[("router_restarted", "ok"), ("carrier_status", "outage")], note="运营商区域传输中断")


def _rollout_members(g, v, F):
    R = g.rollouts.get(v)
    if not R:
        return []
    return sorted(tid for tid, tu in R["upd"].items() if tu < F.end)


def t_bug_crash(g, r):
    vs = sorted(g.rollouts)
    v = r.choice(vs)
    R = g.rollouts[v]
    st = min(R["upd"].values()) if R["upd"] else R["start"]
    en = g.W + r.uniform(0, 3600) if r.random() < 0.6 else st + r.uniform(2, 4.5) * 3600
    trig = r.choice(["nfc", "refund", "any", "qr"])
    F = g.new_fault("software.bug", {"vendor": v, ("firmware" if R["field"] == "fw" else "app_version"): R["new"]}, st, en,
                    "新版本缺陷 release bug (%s %s, trigger %s)" % (v, R["new"], trig))
    fld, new = R["field"], R["new"]
    cond = (lambda T, t, fld=fld, new=new: (T.app if fld == "app" else T.fw) == new)
    mem = [T for T in g.terms if T.vendor == v]
    g.add_eff(F, "crash", {"trigger": trig, "p": 0.5 if trig != "any" else 0.12,
                           "msg": r.choice(["NullPointerException at CtlsKernel.process", "SIGABRT in emv_l2.so",
                                            "ANR: TransactionActivity not responding"])}, mem, cond=cond)
    F.members = _rollout_members(g, v, F)
    F.people = dict(target="incident", complaint="升级后闪退", checks=[("app_reinstalled", "fail")],
                    fix=("maint", "firmware_update", "回滚至旧版本"), note="新版本缺陷,厂商发布补丁/回滚")


def t_bug_leak(g, r):
    vs = sorted(g.rollouts)
    v = r.choice(vs)
    R = g.rollouts[v]
    st = min(R["upd"].values()) if R["upd"] else R["start"]
    en = g.W + r.uniform(600, 3600)
    fld, new = R["field"], R["new"]
    F = g.new_fault("software.bug", {"vendor": v, ("app_version" if fld == "app" else "firmware"): new}, st, en,
                    "新版本内存泄漏 release leaks memory (%s %s)" % (v, new))
    cond = (lambda T, t, fld=fld, new=new: (T.app if fld == "app" else T.fw) == new)
    mem = [T for T in g.terms if T.vendor == v]
    g.add_eff(F, "leak", {"rate": r.uniform(0.35, 0.8)}, mem, cond=cond)
    F.members = _rollout_members(g, v, F)
    F.people = dict(target="incident", complaint="升级后用一阵就重启", note="新版本内存泄漏")


def t_incompat_tls(g, r):
    host = r.choice(["H1", "H2"])
    v = r.choice(["verifone", "centerm", "newland"])
    old = VENDORS[v]["fw"][0]
    mem = [T for T in g.terms if T.host == host and T.vendor == v and T.fw == old]
    if not mem:
        host = "H1" if host == "H2" else "H2"
        mem = [T for T in g.terms if T.host == host and T.vendor == v and T.fw == old]
    st = r.uniform(0, g.W * 0.6)
    en = g.W + 3600 if r.random() < 0.5 else st + r.uniform(1.5, 3.5) * 3600
    F = g.new_fault("software.incompatible", {"host": host, "vendor": v, "firmware": old}, st, en,
                    "前置机停用TLS1.0 host dropped TLS1.0; old firmware rejected")
    cond = (lambda T, t, old=old: T.fw == old)
    g.add_eff(F, "incompat", {"mode": "tls", "msg": "SSL3_GET_SERVER_HELLO: unsupported protocol (TLSv1.0)"}, mem,
              cond=cond)
    F.members = [T.tid for T in mem]
    F.people = dict(target="incident", complaint="今天下午开始全部连不上", checks=[("router_restarted", "ok")],
                    fix=("maint", "firmware_update", "升级固件支持TLS1.2"), note="主机升级后不再支持旧固件")


def t_incompat_format(g, r):
    vs = sorted(g.rollouts)
    v = r.choice(vs)
    R = g.rollouts[v]
    fld, new = R["field"], R["new"]
    hosts = sorted(set(T.host for T in g.terms if T.vendor == v))
    host = "H3" if "H3" in hosts else r.choice(hosts)
    st = min(R["upd"].values()) if R["upd"] else R["start"]
    en = g.W + 3600 if r.random() < 0.5 else st + r.uniform(2, 4) * 3600
    F = g.new_fault("software.incompatible", {"host": host, ("app_version" if fld == "app" else "firmware"): new},
                    st, en, "新版本报文60域格式主机不识别 new version's message rejected by host")
    cond = (lambda T, t, fld=fld, new=new: (T.app if fld == "app" else T.fw) == new)
    mem = [T for T in g.terms if T.vendor == v and T.host == host]
    g.add_eff(F, "incompat", {"mode": "format", "codes": ["30", "30", "40"],
                              "types": r.choice([None, ("refund", "void", "preauth", "completion")])}, mem, cond=cond)
    F.members = sorted(tid for tid in _rollout_members(g, v, F) if g.tmap[tid].host == host)
    F.people = dict(target="incident", note="新版本与主机报文规范不兼容")


def t_config_host(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 1 * 3600, 5 * 3600)
    F = g.new_fault("software.config", {"terminal_id": T.tid}, st, en, "参数下载后主机地址错误 wrong host address")
    H = HOSTS[T.host]
    ip = H["ip"].rsplit(".", 1)[0] + "." + str(int(H["ip"].rsplit(".", 1)[1]) + r.choice([1, 10, 100]))
    g.add_eff(F, "config", {"mode": "host", "ip": ip, "port": H["port"]}, [T])
    F.members = [T.tid]
    g.emit(st - r.uniform(30, 200), {"kind": "maintenance", "terminal_id": T.tid, "action": "repair",
                                     "notes": "远程参数下载 TMS parameter push"})
    F.people = dict(checks=[("router_restarted", "ok"), ("cable_seated", "ok")],
                    fix=("check", "params_reloaded", "ok"), note="主机IP参数错误,重新下载参数")


def t_config_tid(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 1 * 3600, 5 * 3600)
    mode = r.choice(["tid", "mid", "keyidx"])
    F = g.new_fault("software.config", {"terminal_id": T.tid}, st, en, "终端参数错误 wrong %s after swap" % mode)
    g.add_eff(F, "config", {"mode": mode}, [T])
    F.members = [T.tid]
    g.emit(st - r.uniform(30, 400), {"kind": "maintenance", "terminal_id": T.tid, "action": "part_replaced",
                                     "notes": "换机 terminal swapped, parameters re-entered"})
    F.people = dict(checks=[("key_download", "ok")], fix=("check", "params_reloaded", "ok"),
                    note="换机后%s参数录入错误" % {"tid": "终端号", "mid": "商户号", "keyidx": "密钥索引"}[mode])


def t_corrupt(g, r):
    T = _pick_term(g, r, lambda T: T.net in ("ethernet", "cellular"))
    st, en = g.window_times(r, 1.5 * 3600, 5 * 3600)
    F = g.new_fault("transmission.corruption", {"terminal_id": T.tid}, st, en,
                    "数据线/网线接触不良报文损坏 loose cable corrupts messages")
    g.add_eff(F, "corrupt", {"p": r.uniform(0.25, 0.5)}, [T], interm=(r.uniform(120, 600), 0.6),
              onset=r.uniform(0, 1800))
    F.members = [T.tid]
    F.people = dict(checks=[("key_download", "ok"), ("cable_seated", "fail")],
                    fix=("check", "cable_seated", "ok"), note="网线水晶头松动,重新压接")


def t_keys(g, r):
    T = _pick_term(g, r, lambda T: True)
    st, en = g.window_times(r, 1 * 3600, 5 * 3600)
    mode = r.choice(["mismatch", "missing"])
    F = g.new_fault("security.keys", {"terminal_id": T.tid}, st, en, "工作密钥不同步 working keys out of sync")
    g.add_eff(F, "keys", {"mode": mode}, [T])
    F.members = [T.tid]
    F.people = dict(complaint="一直提示MAC错", fix=("check", "key_download", "ok"), note="重新签到下载工作密钥")


def t_keys_host(g, r):
    host = r.choice(["H1", "H2", "H3"])
    v = r.choice(sorted(VENDORS))
    ts = [T for T in g.terms if T.host == host and T.vendor == v] or [T for T in g.terms if T.host == host]
    mem = [T for T in ts if r.random() < 0.6] or ts[:1]
    st = r.uniform(0, g.W * 0.7)
    F = g.new_fault("security.keys", {"host": host, "vendor": v}, st, st + r.uniform(1, 3.5) * 3600,
                    "主机换主密钥部分终端未重新签到 key rotation, terminals not re-signed")
    g.add_eff(F, "keys", {"mode": "mismatch"}, mem, onset=0)
    F.members = [T.tid for T in mem]
    F.people = dict(target="incident", note="主机密钥轮换后批量下发工作密钥")


def t_cert_batch(g, r):
    v = r.choice(sorted(VENDORS))
    ts = [T for T in g.terms if T.vendor == v and T.cert is not None]
    mem = [T for T in ts if r.random() < 0.5] or ts[:2]
    st = r.uniform(600, g.W * 0.7)
    en = g.W + 3600 if r.random() < 0.5 else st + r.uniform(1.5, 3.5) * 3600
    F = g.new_fault("security.certificate", {"vendor": v, "cert_not_after": g.ts(st)}, st, en,
                    "终端证书批次到期 batch of client certificates expired")
    for T in mem:
        T.cert = st + r.uniform(0, 30)
    g.add_eff(F, "cert", {}, mem)
    F.members = [T.tid for T in mem]
    F._renew = (en, mem)
    F.people = dict(target="incident", complaint="提示证书校验失败", note="终端证书到期,批量更新证书")


def t_cert_skew(g, r):
    T = _pick_term(g, r, lambda T: T.cert is not None)
    st, en = g.window_times(r, 1 * 3600, 5 * 3600)
    sk = -r.uniform(200, 900) * 86400
    F = g.new_fault("security.certificate", {"terminal_id": T.tid}, st, en, "RTC电池失效时钟回拨 clock reset, cert not yet valid")
    g.add_eff(F, "skew", {"skew": sk}, [T])
    F.members = [T.tid]
    F.people = dict(checks=[("clock", "wrong")], fix=("check", "clock_synced", "ok"), note="RTC电池耗尽,时钟错误导致证书校验失败")


def t_storage(g, r):
    T = _pick_term(g, r, lambda T: T.vendor in ("pax", "landi", "sunmi"))
    st, en = g.window_times(r, 3 * 3600, 8 * 3600, early=-7200)
    F = g.new_fault("resource.storage", {"terminal_id": T.tid}, st, en, "交易流水未上送存储写满 storage filling")
    g.add_eff(F, "storage", {"from": 88.0, "to": 100.0}, [T], onset=r.uniform(1.5, 4) * 3600)
    F.members = [T.tid]
    F.people = dict(checks=[("storage_used", "99%")], fix=("check", "storage_cleared", "ok"), note="清理日志后恢复")


def t_memory(g, r):
    T = _pick_term(g, r, lambda T: T.vendor in ("sunmi", "pax", "landi"))
    st, en = g.window_times(r, 3 * 3600, 7 * 3600)
    F = g.new_fault("resource.memory", {"terminal_id": T.tid}, st, en, "第三方应用占用内存 third-party app eats memory")
    g.add_eff(F, "leak", {"rate": r.uniform(0.45, 0.9)}, [T])
    F.members = [T.tid]
    F.people = dict(checks=[("memory_used", "96%")], fix=("check", "background_app_removed", "ok"),
                    note="卸载广告应用后内存恢复")


def t_cpu(g, r):
    T = _pick_term(g, r, lambda T: T.vendor in ("sunmi", "landi", "pax"))
    st, en = g.window_times(r, 1.5 * 3600, 5 * 3600)
    F = g.new_fault("resource.cpu", {"terminal_id": T.tid}, st, en, "后台进程占满CPU background process hogging cpu")
    g.add_eff(F, "cpu", {"max_s": r.uniform(40, 90)}, [T], onset=r.uniform(0, 3600))
    F.members = [T.tid]
    F.people = dict(complaint="机器特别慢,经常超时", checks=[("cpu_load", "98%")],
                    fix=("check", "background_process_killed", "ok"), note="日志压缩进程卡死占满CPU")


def t_operator(g, r):
    S = _pick_site(g, r, lambda S: True, 1)
    mem = r.sample(S["terms"], min(len(S["terms"]), r.randint(1, 2)))
    st, en = g.window_times(r, 2 * 3600, 5 * 3600)
    F = g.new_fault("operator.error", {"site_id": S["sid"]}, st, en, "新收银员操作不规范 new cashier")
    g.add_eff(F, "operator", {"p": r.uniform(0.12, 0.25)}, mem)
    F.members = [T.tid for T in mem]
    F.people = dict(target="site", checks=[("cashier_training", "done")], note="新员工培训后恢复")


def t_txntype(g, r):
    M = _pick_merchant(g, r, ("hotel", "gas", "dept", "market", "restaurant", "tourist"))
    st, en = g.window_times(r, 2 * 3600, 6 * 3600)
    if M["type"] == "hotel":
        types, ch = ("preauth", "completion"), ()
    elif r.random() < 0.25:
        types, ch = ("refund", "void"), ()
    else:
        types, ch = (), (r.choice(["card_swipe", "nfc"]),)
    code = "58" if M["host"] != "H3" else "40"
    F = g.new_fault("business.txn_type", {"merchant_id": M["mid"]}, st, en,
                    "商户产品配置变更禁用交易类型 txn type disabled (%s)" % "/".join(types + ch))
    g.add_eff(F, "txntype", {"types": types, "channels": ch, "code": code}, M["terms"])
    F.members = [T.tid for T in M["terms"]]
    F.people = dict(target="incident", complaint="退货/预授权做不了,提示交易不允许",
                    checks=[("merchant_config", "type disabled")], note="商户交易权限配置错误")


def t_limit(g, r):
    M = _pick_merchant(g, r, ("dept", "tourist", "market", "hospital", "gas"))
    st, en = g.window_times(r, 2 * 3600, 6 * 3600)
    if r.random() < 0.5:
        p = {"mode": "single", "cap": int(AMOUNT_MED.get(M["mcc"], 10000) * r.uniform(0.9, 1.8))}
        title = "商户单笔限额被下调 single-txn cap lowered"
    else:
        p = {"mode": "daily", "cap": r.randint(3, 15)}
        title = "商户日累计限额用尽 daily cap reached"
    F = g.new_fault("business.limit", {"merchant_id": M["mid"]}, st, en, title)
    g.add_eff(F, "limit", p, M["terms"])
    F.members = [T.tid for T in M["terms"]]
    F.people = dict(target="incident", complaint="大额刷不了,提示超限", checks=[("merchant_limit", "reached")],
                    note="商户限额配置")


def t_risk(g, r):
    M = _pick_merchant(g, r, ("tourist", "dept", "restaurant", "hotel"))
    st, en = g.window_times(r, 1.5 * 3600, 5 * 3600)
    F = g.new_fault("business.risk", {"merchant_id": M["mid"]}, st, en, "风控规则误拦截 risk rule blocking")
    g.add_eff(F, "risk", {"min_amt": int(AMOUNT_MED.get(M["mcc"], 10000) * r.uniform(0.3, 1.0)), "p": 0.8,
                          "card_only": True}, M["terms"], onset=r.uniform(0, 1200))
    F.members = [T.tid for T in M["terms"]]
    F.people = dict(target="incident", complaint="顾客刷卡提示交易受限", checks=[("risk_rule", "hit")],
                    note="风控规则误拦截,已调整阈值")


def t_merchant(g, r):
    M = _pick_merchant(g, r, ("restaurant", "hotpot", "hospital", "gas", "dept", "tourist", "hotel", "market"))
    st, en = g.window_times(r, 1.5 * 3600, 6 * 3600)
    F = g.new_fault("business.merchant", {"merchant_id": M["mid"]}, st, en, "商户被冻结 merchant frozen")
    g.add_eff(F, "frozen", {}, M["terms"])
    F.members = [T.tid for T in M["terms"]]
    F.people = dict(target="incident", complaint="所有机器都提示无效商户", checks=[("merchant_status", "frozen")],
                    note="商户资质到期被冻结,补交资料后解冻")


def t_acq_down(g, r):
    host = r.choice(["H1", "H2", "H3"])
    mem = [T for T in g.terms if T.host == host]
    st = r.uniform(0, g.W - 1800)
    en = st + r.uniform(900, 2700)
    part = r.random() < 0.4
    F = g.new_fault("upstream.acquirer", {"host": host}, st, en,
                    "收单前置机宕机 acquirer FEP down" + (" (one of two nodes)" if part else ""))
    g.add_eff(F, "acq", {"refuse": 0.5 if part else 0.95, "drop": 0.3, "p96": 0.3}, mem)
    F.members = [T.tid for T in mem]
    F.people = dict(target="incident", complaint="全部终端连不上主机", note="前置机故障切换")


def t_acq_slow(g, r):
    host = r.choice(["H1", "H2", "H3"])
    mem = [T for T in g.terms if T.host == host]
    st = r.uniform(0, g.W - 2400)
    en = st + r.uniform(1800, 5400)
    F = g.new_fault("upstream.acquirer", {"host": host}, st, en, "主机数据库慢/过载 acquirer host slow")
    g.add_eff(F, "acq", {"slow_ms": r.uniform(30000, 70000), "drop": 0.08, "p96": 0.15}, mem,
              onset=r.uniform(600, 1800), interm=(r.uniform(120, 300), 0.7))
    F.members = [T.tid for T in mem]
    F.people = dict(target="incident", note="主机过载,扩容后恢复")


def t_issuer(g, r, mode=None):
    iss = r.choice(["icbc", "ccb", "abc", "boc", "cmb", "psbc"] + sorted(LOCAL_ISSUER.values()))
    st = r.uniform(0, g.W - 1800)
    en = st + r.uniform(900, 4000)
    mode = mode or "down"
    F = g.new_fault("upstream.issuer", {"issuer": iss, "bins": ISSUERS[iss]}, st, en,
                    "发卡行系统%s issuer %s" % ("不可用" if mode == "down" else "响应慢", mode))
    e = Eff(g.seed, F, "issuer", {"issuer": iss, "mode": mode, "p": r.uniform(0.6, 0.95)},
            onset=0 if mode == "down" else r.uniform(300, 900))
    g.issuer_effs.append(e)
    F.people = dict(target="incident", note="发卡行系统故障")


def t_issuer_slow(g, r):
    t_issuer(g, r, mode="slow")


def t_card_batch(g, r):
    st = r.uniform(0, g.W * 0.5)
    en = g.W + 7200
    F = g.new_fault("card.decline", {"issuer": "boc", "bin": CAMPUS_BIN}, st, en,
                    "校园联名卡批次到期 a batch of campus co-branded cards expired")
    e = Eff(g.seed, F, "bin", {"bin": CAMPUS_BIN, "share": r.uniform(0.25, 0.5)})
    g.bin_effs.append(e)
    F.people = dict(target="incident", note="联名卡有效期到期,属正常拒付")


TEMPLATES = {
    "keypad": t_keypad, "display": t_display, "reader": t_reader, "reader_lane": t_reader_lane,
    "printer": t_printer, "board": t_board, "power_site": t_power_site, "power_adapter": t_power_adapter,
    "battery": t_battery, "signal": t_signal, "signal_wifi": t_signal_wifi, "lan_router": t_lan_router,
    "lan_lane": t_lan_lane, "carrier": t_carrier, "bug_crash": t_bug_crash, "bug_leak": t_bug_leak,
    "incompat_tls": t_incompat_tls, "incompat_format": t_incompat_format, "config_host": t_config_host,
    "config_tid": t_config_tid, "corrupt": t_corrupt, "keys": t_keys, "keys_host": t_keys_host,
    "cert_batch": t_cert_batch, "cert_skew": t_cert_skew, "storage": t_storage, "memory": t_memory,
    "cpu": t_cpu, "operator": t_operator, "txntype": t_txntype, "limit": t_limit, "risk": t_risk,
    "merchant": t_merchant, "acq_down": t_acq_down, "acq_slow": t_acq_slow, "issuer": t_issuer,
    "issuer_slow": t_issuer_slow, "card_batch": t_card_batch,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    g = Gen(a.seed)
    g.run()
    n, nf, ne = g.write(a.out)
    print("seed %d: %d records, %d faults, %d failed events -> %s" % (a.seed, n, nf, ne, a.out))


if __name__ == "__main__":
    main()
