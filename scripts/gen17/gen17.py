#!/usr/bin/env python3
"""gen17 - blind evaluation data for a POS-fleet diagnosis engine (posdoc record format v1).

World: a south-west China city commercial bank ("西南城商银行", illustrative) acquiring for
supermarkets, pharmacies, gas stations, restaurants, fast food and convenience stores in
Chengdu, Chongqing, Kunming and Guiyang; one business day 09:00-15:00 local (+08:00).

Usage:  python3 gen17.py --seed N --out DIR
Writes DIR/records.jsonl and DIR/truth.jsonl.  Standard library only, deterministic:
every random.Random is seeded with a string; nothing depends on hash() or set order.
"""
import argparse
import bisect
import datetime
import heapq
import json
import math
import os
import random

TZ8 = datetime.timezone(datetime.timedelta(hours=8))
WDUR = 6 * 3600            # simulated window, seconds (09:00-15:00 local)

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type",
    "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]

# order in which concurrent faults on one terminal get the chance to explain an attempt
PRIO = [
    "power.supply", "power.battery", "hardware.board", "resource.storage", "resource.memory",
    "resource.cpu", "software.bug", "hardware.display", "hardware.card_reader",
    "hardware.keypad", "software.config", "network.lan", "network.signal", "network.carrier",
    "security.certificate", "software.incompatible", "transmission.corruption",
    "upstream.acquirer", "security.keys", "business.merchant", "business.txn_type",
    "business.limit", "business.risk", "upstream.issuer", "card.decline", "operator.error",
    "hardware.printer",
]
PRIO_IX = {c: i for i, c in enumerate(PRIO)}

STAGES = ["pre", "card", "pin", "connect", "tls", "net", "host", "resp", "print"]
SENT_STAGES = {"connect", "tls", "net", "host", "resp", "print"}   # a STAN has been allocated
APPROVALS = {"00", "11", "A2", "A4", "A6"}


def R(seed, *parts):
    return random.Random(":".join(["gen17", str(seed)] + [str(p) for p in parts]))


def wchoice(rng, items):
    """items: list of (value, weight)"""
    tot = sum(w for _, w in items)
    x = rng.random() * tot
    for v, w in items:
        x -= w
        if x < 0:
            return v
    return items[-1][0]


def clamp(x, a, b):
    return a if x < a else b if x > b else x


# --------------------------------------------------------------------------- world tables
CITIES = [
    # slug, zh, code, prov, region, lat, lon, weight, carriers
    ("chengdu", "成都", "CD", "51", "6510", 30.66, 104.07, 0.36, [("cmcc", .55), ("ctcc", .25), ("cucc", .20)]),
    ("chongqing", "重庆", "CQ", "50", "6530", 29.56, 106.55, 0.30, [("cmcc", .50), ("cucc", .25), ("ctcc", .25)]),
    ("kunming", "昆明", "KM", "53", "7310", 25.04, 102.71, 0.19, [("cmcc", .60), ("ctcc", .25), ("cucc", .15)]),
    ("guiyang", "贵阳", "GY", "52", "7010", 26.65, 106.63, 0.15, [("cmcc", .55), ("cucc", .20), ("ctcc", .25)]),
]
CITY = {c[0]: c for c in CITIES}

MTYPES = {
    "supermarket": dict(mcc="5411", w=.22, nsites=(1, 3), rate=13.0, lunch=1.5, amt=(8800, .85), card_rate=.0038),
    "pharmacy": dict(mcc="5912", w=.18, nsites=(1, 2), rate=6.0, lunch=1.2, amt=(6500, .8), card_rate=.0060),
    "gas": dict(mcc="5541", w=.15, nsites=(1, 2), rate=9.0, lunch=1.3, amt=(26000, .45), card_rate=.0038),
    "restaurant": dict(mcc="5812", w=.23, nsites=(1, 1), rate=3.0, lunch=5.5, amt=(16800, .7), card_rate=.0060),
    "fastfood": dict(mcc="5814", w=.11, nsites=(1, 1), rate=4.0, lunch=3.5, amt=(3200, .6), card_rate=.0060),
    "convenience": dict(mcc="5499", w=.11, nsites=(1, 2), rate=8.0, lunch=1.4, amt=(2600, .9), card_rate=.0055),
}
NAME_A = ["蓉城", "山城", "春城", "筑城", "锦江", "嘉陵", "滇池", "花溪", "天府", "巴渝", "翠湖", "南明",
          "青羊", "渝中", "盘龙", "观山湖", "武侯", "江北", "官渡", "云岩", "金牛", "沙坪坝", "五华", "白云"]
NAME_B = {"supermarket": ["优选超市", "惠民超市", "百佳购物", "家乐生鲜", "好又多超市", "万家福"],
          "pharmacy": ["大药房", "康健药房", "仁心药店", "百姓大药房", "济世堂药房"],
          "gas": ["加油站", "能源加油站", "石化服务站", "加气加油站"],
          "restaurant": ["老火锅", "串串香", "米线馆", "豆花饭", "酸汤鱼", "小面馆", "烤鱼"],
          "fastfood": ["小吃店", "抄手铺", "冒菜", "卤味", "包子铺"],
          "convenience": ["便利店", "24小时便利", "烟酒便利店", "社区小店"]}

HOSTS = {
    "H-CD1": dict(ip="10.21.8.15", port=6001, rrn="jul", currency="CNY", node="1"),
    "H-CQ2": dict(ip="10.23.4.20", port=5801, rrn="hms", currency="CNY", node="2"),
    "CUPS-SW": dict(ip="172.16.30.5", port=8583, rrn="jul", currency="156", node="7"),
    "H-AGG": dict(ip="10.40.2.8", port=9001, rrn="hms", currency="CNY", node="5"),
}
CITY_HOSTS = {"chengdu": [("H-CD1", .70), ("CUPS-SW", .15), ("H-AGG", .15)],
              "chongqing": [("H-CQ2", .65), ("H-CD1", .15), ("H-AGG", .20)],
              "kunming": [("CUPS-SW", .55), ("H-CD1", .30), ("H-AGG", .15)],
              "guiyang": [("CUPS-SW", .50), ("H-CD1", .35), ("H-AGG", .15)]}

# bin, issuer, pan length, credit, weight, home city (local banks are commoner at home)
ISSUERS = [
    ("623158", "西南城商银行", 19, False, .13, None), ("625971", "西南城商银行", 16, True, .04, None),
    ("621700", "甲国有银行", 19, False, .11, None), ("436718", "甲国有银行", 16, True, .03, None),
    ("622841", "乙国有银行", 19, False, .10, None), ("625996", "乙国有银行", 16, True, .05, None),
    ("621483", "丙股份银行", 16, False, .07, None), ("622575", "丙股份银行", 16, True, .05, None),
    ("623066", "蜀川农商银行", 19, False, .05, "chengdu"), ("621458", "山城农商银行", 19, False, .05, "chongqing"),
    ("622478", "滇池农信社", 19, False, .04, "kunming"), ("621779", "黔中农信社", 19, False, .04, "guiyang"),
    ("628366", "丁股份银行", 16, True, .04, None), ("623501", "邮储甲行", 19, False, .05, None),
    ("526836", "境外发卡行", 16, True, .015, None), ("453212", "境外发卡行", 16, True, .01, None),
]

ALL_FIELDS = ["online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
              "reboot", "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check",
              "clock_skew_s", "printer", "keypad_errors", "card_reader_errors", "app_crashes"]

MODELS = {
    "LD-E550": dict(vendor="landi", form="desktop", os="linux", tls="mbedtls", nominal=9.0, hb=300, printer=True,
                    nets=[("ethernet", .75), ("wifi", .25)], fw=[("V3.4.2", .6), ("V3.4.0", .4)], fw_new="V3.5.1",
                    timeout=60, marker=True, sparse=True, boot=(70, 140),
                    fields={"online", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot",
                            "storage_used_pct", "memory_used_pct", "temp_c", "key_check", "clock_skew_s",
                            "printer", "keypad_errors", "card_reader_errors"}),
    "LD-M36": dict(vendor="landi", form="handheld", os="linux", tls="mbedtls", nominal=None, hb=300, printer=True,
                   nets=[("cellular", .8), ("wifi", .2)], fw=[("M36_2.1.7", .7), ("M36_2.1.5", .3)],
                   fw_new="M36_2.2.0", timeout=60, marker=True, sparse=True, boot=(40, 90),
                   fields={"online", "rssi_dbm", "latency_ms", "battery_pct", "power_events", "reboot",
                           "key_check", "printer", "card_reader_errors", "keypad_errors", "clock_skew_s"}),
    "CT-K9": dict(vendor="centerm", form="desktop", os="linux", tls="mbedtls", nominal=12.0, hb=180, printer=True,
                  nets=[("ethernet", 1.0)], fw=[("CT_2.10.3", .65), ("CT_2.9.8", .35)], fw_new="CT_2.11.0",
                  timeout=45, marker=False, sparse=False, boot=(60, 120),
                  fields={"online", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot",
                          "storage_used_pct", "key_check", "printer", "keypad_errors"}),
    "NL-ME7": dict(vendor="newland", form="handheld", os="linux", tls="openssl", nominal=None, hb=120, printer=True,
                   nets=[("cellular", 1.0)], fw=[("2.8.1", .6), ("2.7.9", .4)], fw_new="2.9.0",
                   timeout=60, marker=True, sparse=False, boot=(45, 80),
                   fields={"online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "memory_used_pct",
                           "storage_used_pct", "printer", "card_reader_errors"}),
    "SM-T3": dict(vendor="sunmi", form="desktop", os="android", tls="java", nominal=24.0, hb=60, printer=True,
                  nets=[("ethernet", .6), ("wifi", .4)], fw=[("T3_1.9.40", .7), ("T3_1.9.22", .3)],
                  fw_new="T3_2.0.05", timeout=30, marker=True, sparse=False, boot=(50, 110),
                  fields={"online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot",
                          "memory_used_pct", "cpu_pct", "storage_used_pct", "temp_c", "app_crashes", "printer"}),
    "SM-P3": dict(vendor="sunmi", form="handheld", os="android", tls="java", nominal=None, hb=60, printer=True,
                  nets=[("cellular", .8), ("wifi", .2)], fw=[("P3_1.6.12", .7), ("P3_1.6.03", .3)],
                  fw_new="P3_1.7.00", timeout=30, marker=True, sparse=False, boot=(40, 90),
                  fields={"online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "reboot",
                          "memory_used_pct", "cpu_pct", "storage_used_pct", "temp_c", "app_crashes", "printer",
                          "card_reader_errors"}),
    "NX-N86": dict(vendor="nexgo", form="handheld", os="android", tls="java", nominal=None, hb=240, printer=False,
                   nets=[("cellular", .85), ("wifi", .15)], fw=[("NX-4.1.0", .6), ("NX-4.0.6", .4)],
                   fw_new="NX-4.2.0", timeout=50, marker=False, sparse=True, boot=(40, 80),
                   fields={"online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "cpu_pct", "app_crashes",
                           "key_check", "card_reader_errors", "keypad_errors"}),
    "PX-S58": dict(vendor="pax", form="desktop", os="linux", tls="openssl", nominal=5.0, hb=150, printer=True,
                   nets=[("ethernet", .7), ("wifi", .3)], fw=[("2.6.12", .6), ("2.6.09", .4)], fw_new="2.7.01",
                   timeout=60, marker=True, sparse=False, boot=(35, 70),
                   fields={"online", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot",
                           "memory_used_pct", "cpu_pct", "storage_used_pct", "printer", "clock_skew_s", "key_check"}),
    "PX-A920": dict(vendor="pax", form="handheld", os="android", tls="java", nominal=None, hb=150, printer=True,
                    nets=[("cellular", .8), ("wifi", .2)], fw=[("PayDroid_8.1_V10.3", .6), ("PayDroid_8.1_V10.1", .4)],
                    fw_new="PayDroid_8.1_V11.0", timeout=60, marker=False, sparse=False, boot=(45, 95),
                    fields={"online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "memory_used_pct", "cpu_pct",
                            "storage_used_pct", "printer", "clock_skew_s", "key_check", "app_crashes"}),
}
DESKTOPS = [("LD-E550", .35), ("CT-K9", .22), ("SM-T3", .25), ("PX-S58", .18)]
HANDHELDS = [("LD-M36", .2), ("NL-ME7", .25), ("SM-P3", .25), ("NX-N86", .15), ("PX-A920", .15)]
APPS = {"linux": [("3.7.9", .15), ("3.8.2", .55), ("3.8.5", .30)],
        "android": [("6.2.8", .15), ("6.3.1", .55), ("6.3.4", .30)]}
APP_NEW = {"linux": "3.9.0", "android": "6.4.0"}
APP_GOOD = {"linux": "3.8.5", "android": "6.3.4"}

# vendor error-code tables: the same code means different things on different vendors
# (landi E1 = communication, centerm E1 = keys/MAC, sunmi E1 = terminal state, pax E1 = TLS)
CODES = {
    "landi": dict(connect="E1", timeout="E1", send_fail="E1", tls="E7", mac="E4", host_mac="E4", key_missing="E5",
                  signon_fail="E5", unpack="E3", card_read="C1", nfc_read="C3", fallback="C5", pin_keypad="K1",
                  amount_key="K1", pin_timeout="K2", print_paper="P1", print_fault="P2", display="D1",
                  power_recover="E9", volt_warn="E9", low_batt="B1", storage="F1", memory="M1", cpu="M2",
                  crash="A1", board="E8", tamper="E8", op_cancel="Q1", op_swipe_ic="C5", op_wrong_card="C2",
                  op_amount="Q2", generic="E1"),
    "centerm": dict(connect="E3", timeout="E3", send_fail="E3", tls="E2", mac="E1", host_mac="E1", key_missing="E1",
                    signon_fail="E1", unpack="E4", card_read="E7", nfc_read="E7", fallback="E7", pin_keypad="E8",
                    amount_key="E8", pin_timeout="E5", print_paper="E6", print_fault="E6", display="E10",
                    power_recover="E9", volt_warn="E9", low_batt="E9", storage="E11", memory="E12", cpu="E12",
                    crash="E13", board="E14", tamper="E14", op_cancel="E0", op_swipe_ic="E7", op_wrong_card="E7",
                    op_amount="E0", generic="E99"),
    "newland": dict(connect="-1001", timeout="-1003", send_fail="-1002", tls="-1101", mac="-2001", host_mac="-2001",
                    key_missing="-2002", signon_fail="-2003", unpack="-2101", card_read="-3001", nfc_read="-3002",
                    fallback="-3005", pin_keypad="-3101", amount_key="-3102", pin_timeout="-3103",
                    print_paper="-4001", print_fault="-4002", display="-8002", power_recover="-8003",
                    volt_warn="-8004", low_batt="-5001", storage="-6001", memory="-6002", cpu="-6003",
                    crash="-7001", board="-8001", tamper="-8001", op_cancel="-9001", op_swipe_ic="-3005",
                    op_wrong_card="-3001", op_amount="-9003", generic="-1"),
    "sunmi": dict(connect="NET_CONNECT", timeout="NET_TIMEOUT", send_fail="NET_SEND", tls="SSL_HANDSHAKE",
                  mac="MAC_VERIFY", host_mac="HOST_A0", key_missing="KEY_MISSING", signon_fail="LOGIN_FAIL",
                  unpack="PACK_ERR", card_read="CARD_READ", nfc_read="CARD_READ", fallback="CARD_FALLBACK",
                  pin_keypad="PINPAD_ERR", amount_key="PINPAD_ERR", pin_timeout="PIN_TIMEOUT",
                  print_paper="PRN_NO_PAPER", print_fault="PRN_ERR", display="E1", power_recover="E1",
                  volt_warn="E1", low_batt="E1", storage="STORAGE_FULL", memory="OOM", cpu="ANR",
                  crash="APP_CRASH", board="E1", tamper="E1", op_cancel="USER_CANCEL", op_swipe_ic="USE_CHIP",
                  op_wrong_card="CARD_READ", op_amount="AMOUNT_INVALID", generic="E99"),
    "nexgo": dict(connect="1001", timeout="1001", send_fail="1001", tls="1002", mac="2001", host_mac="2001",
                  key_missing="2002", signon_fail="2002", unpack="2003", card_read="3001", nfc_read="3001",
                  fallback="3002", pin_keypad="3101", amount_key="3101", pin_timeout="3102", print_paper="4001",
                  print_fault="4002", display="8002", power_recover="8003", volt_warn="8003", low_batt="5001",
                  storage="6001", memory="6002", cpu="6003", crash="7001", board="8001", tamper="8001",
                  op_cancel="9001", op_swipe_ic="9002", op_wrong_card="3001", op_amount="9003", generic="9999"),
    "pax": dict(connect="E2", timeout="E3", send_fail="E3", tls="E1", mac="E4", host_mac="E4", key_missing="E5",
                signon_fail="E5", unpack="E6", card_read="E21", nfc_read="E21", fallback="E22", pin_keypad="E23",
                amount_key="E23", pin_timeout="E24", print_paper="E31", print_fault="E32", display="E41",
                power_recover="E51", volt_warn="E51", low_batt="E51", storage="E61", memory="E62", cpu="E63",
                crash="E71", board="E81", tamper="E81", op_cancel="E90", op_swipe_ic="E91", op_wrong_card="E21",
                op_amount="E92", generic="E99"),
}
ERR_STAGE = dict(connect="connect", timeout="receive", send_fail="send", tls="tls", mac="mac", host_mac="mac",
                 key_missing="mac", signon_fail="mac", unpack="receive", card_read="card_read",
                 nfc_read="card_read", fallback="card_read", pin_keypad="pin", amount_key="app",
                 pin_timeout="pin", print_paper="print", print_fault="print", display="power_on",
                 power_recover="power_on", volt_warn="power_on", low_batt="power_on", storage="app",
                 memory="app", cpu="app", crash="app", board="power_on", tamper="power_on", op_cancel="app",
                 op_swipe_ic="card_read", op_wrong_card="card_read", op_amount="app", generic=None)
VENDOR_STYLE = {  # p(generic text), p(stage omitted)
    "landi": (.12, .0), "centerm": (.08, .05), "newland": (.05, .0), "sunmi": (.03, .0),
    "nexgo": (.15, .35), "pax": (.06, .0)}
COMM_KINDS = {"connect", "timeout", "send_fail", "unpack"}


def hexs(rng, n):
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(n))


# --------------------------------------------------------------------------- entities
class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Fault:
    def __init__(self, fid, cause, variant, scope, start, end):
        self.fid, self.cause, self.variant, self.scope = fid, cause, variant, scope
        self.start, self.end = int(start), int(end)
        self.mult = {}          # tid -> severity multiplier (the affected terminals)
        self.fleet = False      # applies to every terminal (issuer / BIN faults)
        self.onset, self.tend = {}, {}
        self.gaps = []
        self.s0, self.smax, self.ramp = 1.0, 1.0, 0
        self.p = {}
        self.hit = set()
        self.nevents = 0
        self.related = None

    def level(self, t):
        if self.ramp > 0 and t < self.start + self.ramp:
            return self.s0 + (self.smax - self.s0) * (t - self.start) / self.ramp
        return self.smax

    def sev(self, tid, t):
        if self.fleet:
            m = 1.0
        else:
            m = self.mult.get(tid)
            if m is None:
                return 0.0
        if t < self.onset.get(tid, self.start) or t >= self.tend.get(tid, self.end):
            return 0.0
        for g0, g1 in self.gaps:
            if g0 <= t < g1:
                return 0.0
        return self.level(t) * m


# --------------------------------------------------------------------------- world building
def build_world(seed):
    rng = R(seed, "world")
    W = Obj(seed=seed)
    day = datetime.date(2026, 5, 18) + datetime.timedelta(days=(seed * 37) % 130)
    W.day = day
    W.t0 = int(datetime.datetime(day.year, day.month, day.day, 9, 0, 0, tzinfo=TZ8).timestamp())
    W.hot = 0 if day.month in (5, 9) else 4   # summer afternoons run warmer
    target = rng.randint(250, 350)
    W.merchants, W.sites, W.terms = [], [], []
    mnum = {c[0]: rng.randint(8, 40) for c in CITIES}
    mseq = {}
    used_names = set()
    while len(W.terms) < target:
        city = wchoice(rng, [(c[0], c[7]) for c in CITIES])
        mtype = wchoice(rng, [(k, v["w"]) for k, v in MTYPES.items()])
        mt = MTYPES[mtype]
        cz = CITY[city]
        mnum[city] += 1
        key = (city, mt["mcc"])
        mseq[key] = mseq.get(key, rng.randint(10, 300)) + rng.randint(1, 9)
        mid = "898" + cz[4] + mt["mcc"] + "%04d" % mseq[key]
        for _ in range(20):
            name = rng.choice(NAME_A) + rng.choice(NAME_B[mtype])
            if name not in used_names:
                break
        used_names.add(name)
        host = wchoice(rng, CITY_HOSTS[city])
        if host == "H-AGG" and mtype in ("supermarket", "gas"):
            host = CITY_HOSTS[city][0][0]
        card_rate = mt["card_rate"] if rng.random() < .85 else rng.choice([.0055, .006, .0058])
        m = Obj(mid=mid, mtype=mtype, mcc=mt["mcc"], name=name, city=city, host=host,
                settlement="direct" if rng.random() < .8 else "indirect", card_rate=card_rate,
                qr_rate=.0038 if rng.random() < .9 else .0035, sites=[], terms=[],
                jump_mcc=None, alnum=(rng.random() < .15), num=mnum[city])
        if rng.random() < .03:
            m.jump_mcc = rng.choice(["5311", "5399", "7011"])   # transactions carry another MCC
        W.merchants.append(m)
        nsites = rng.randint(*mt["nsites"])
        for k in range(1, nsites + 1):
            scity = city
            if k > 1 and mtype in ("supermarket", "pharmacy") and rng.random() < .25:
                scity = rng.choice([c[0] for c in CITIES if c[0] != city])
            sc = CITY[scity]
            s = Obj(sid="%s-%03d-%d" % (cz[2], m.num, k), mid=mid, m=m, city=scity,
                    name="%s %s%d号店" % (name, sc[1], k),
                    lat=round(sc[5] + rng.uniform(-.12, .12), 4), lon=round(sc[6] + rng.uniform(-.12, .12), 4),
                    terms=[], kitchen=(mtype in ("restaurant", "fastfood")))
            m.sites.append(s)
            W.sites.append(s)
            # composition of the site
            if mtype == "supermarket":
                roles = ["desk"] * rng.randint(3, 6) + ["hand"] * (1 if rng.random() < .6 else 0)
            elif mtype == "gas":
                roles = ["desk"] * rng.randint(1, 2) + ["hand"] * rng.randint(1, 3)
            elif mtype == "pharmacy":
                roles = [("desk" if rng.random() < .6 else "hand") for _ in range(rng.randint(1, 2))]
            elif mtype == "restaurant":
                roles = ["hand"] * rng.randint(1, 3) + (["desk"] if rng.random() < .4 else [])
            else:
                roles = [("desk" if rng.random() < .6 else "hand") for _ in range(rng.randint(1, 2))]
            for role in roles:
                make_terminal(W, rng, m, s, role)
    W.T = {t.tid: t for t in W.terms}
    W.M = {m.mid: m for m in W.merchants}
    W.S = {s.sid: s for s in W.sites}
    # BIN weights per city
    W.bins = {}
    for c in CITIES:
        W.bins[c[0]] = [(b, w * (4.0 if home == c[0] else (0.15 if home else 1.0)))
                        for (b, _, _, _, w, home) in ISSUERS]
    W.binfo = {b[0]: b for b in ISSUERS}
    return W


def make_terminal(W, rng, m, s, role):
    model = wchoice(rng, DESKTOPS if role == "desk" else HANDHELDS)
    M = MODELS[model]
    cz = CITY[s.city]
    k = len(m.terms) + 1
    if m.alnum:
        tid = "%s%03dA%02d" % (CITY[m.city][2], m.num, k)
    else:
        tid = "%s%03d%03d" % (CITY[m.city][3], m.num, k)
    net = wchoice(rng, M["nets"])
    carrier = wchoice(rng, cz[8]) if net == "cellular" else None
    v = M["vendor"]
    serial = {"landi": lambda: "LD%08d" % rng.randint(0, 99999999),
              "centerm": lambda: "CT%s%07d" % (rng.choice(["KA", "KB", "KC"]), rng.randint(0, 9999999)),
              "newland": lambda: "N7%09d" % rng.randint(0, 999999999),
              "sunmi": lambda: "%s%s%08d" % (model[3:5], rng.choice("ABCDEF"), rng.randint(0, 99999999)),
              "nexgo": lambda: "NG86%010d" % rng.randint(0, 9999999999),
              "pax": lambda: "%d%09d" % (rng.randint(1, 9), rng.randint(0, 999999999))}[v]()
    tls = not (m.host == "H-CQ2" and model == "CT-K9")
    if tls:
        if rng.random() < .03:
            cna = W.t0 + rng.randint(2, 30) * 86400 + rng.randint(0, 86399)     # expires soon, still fine
        else:
            cna = W.t0 + rng.randint(200, 1200) * 86400 + rng.randint(0, 86399)
    else:
        cna = None
    inst = datetime.date(2019, 3, 1) + datetime.timedelta(days=rng.randint(0, (W.day - datetime.date(2019, 3, 1)).days - 30))
    if net == "cellular":
        base_rssi = int(clamp(rng.gauss(-82, 7), -100, -60))
        if rng.random() < .08:
            base_rssi = rng.randint(-104, -96)
    elif net == "wifi":
        base_rssi = rng.randint(-72, -45)
    else:
        base_rssi = None
    lat = {"ethernet": rng.uniform(22, 55), "wifi": rng.uniform(30, 85),
           "cellular": rng.uniform(90, 240)}[net]
    if s.city in ("kunming", "guiyang"):
        lat += 12
    traffic = rng.uniform(.6, 1.4) if role == "desk" else (
        .25 if m.mtype == "supermarket" else rng.uniform(.7, 1.2))
    T = Obj(tid=tid, model=model, M=M, vendor=v, role=role, m=m, site=s, mid=m.mid, sid=s.sid, city=s.city,
            net=net, carrier=carrier, host=m.host, tls=tls, cert_not_after=cna, serial=serial,
            fw=wchoice(rng, M["fw"]), app=wchoice(rng, APPS[M["os"]]), installed=inst.isoformat(),
            base_rssi=base_rssi, base_lat=lat, traffic=traffic,
            base_storage=rng.uniform(25, 80), base_mem=rng.uniform(35, 65), base_cpu=rng.uniform(5, 22),
            base_temp=rng.uniform(31, 40) + (6 if s.kitchen else 0) + W.hot,
            battery=(M["nominal"] is None), has_printer=M["printer"], ups=(rng.random() < .2),
            tolerance=rng.uniform(.18, .42), faults=[], param="P%03d" % rng.randint(100, 400))
    W.terms.append(T)
    m.terms.append(T)
    s.terms.append(T)


# --------------------------------------------------------------------------- helpers on time
def fmt_ts(W, t):
    return datetime.datetime.fromtimestamp(W.t0 + int(t), TZ8).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def rate_at(T, t):
    mt = MTYPES[T.m.mtype]
    h = 9 + t / 3600.0
    f = 0.65 + 0.35 * min(1.0, (h - 9) / 1.0)
    f *= 1 + (mt["lunch"] - 1) * math.exp(-((h - 12.3) / 0.7) ** 2)
    if h > 14.0:
        f *= 0.85
    return mt["rate"] * T.traffic * f


# --------------------------------------------------------------------------- fault planning
def pick_time(rng, dmin, dmax, to_end=0.0):
    start = rng.randint(600, 16800)
    if rng.random() < to_end:
        return start, WDUR
    end = min(WDUR, start + rng.randint(dmin, dmax) * 60)
    if end - start < 900:
        start = max(300, end - rng.randint(15, 40) * 60)
    return start, end


def weight_terms(terms):
    return [(t, 0.3 + t.traffic * MTYPES[t.m.mtype]["rate"]) for t in terms]


class Planner:
    def __init__(self, W, seed):
        self.W, self.seed = W, seed
        self.faults = []
        self.used = set()          # single-terminal faults already placed
        self.rollouts = []         # (t, tid, field, version, fid)
        self.param_push = []       # (t, tid, version)
        self.cert_change = []      # (t, tid, new cert_not_after)
        self.rolled = set()
        self.site_power = None

    def new(self, cause, variant, scope, start, end):
        f = Fault("F%02d" % (len(self.faults) + 1), cause, variant, scope, start, end)
        self.faults.append(f)
        return f

    def pick_term(self, rng, pred, prefer=None, min_rate=4.0):
        c = [t for t in self.W.terms if pred(t) and t.tid not in self.used]
        if not c:
            c = [t for t in self.W.terms if pred(t)]
        busy = [t for t in c if t.traffic * MTYPES[t.m.mtype]["rate"] * (1 + .3 * (MTYPES[t.m.mtype]["lunch"] - 1))
                >= min_rate]
        if len(busy) >= 3:
            c = busy
        if prefer:
            p = [t for t in c if prefer(t)]
            if p and rng.random() < .8:
                c = p
        if not c:
            return None
        t = wchoice(rng, weight_terms(c))
        self.used.add(t.tid)
        return t

    def shape(self, f, rng, quiet=.4, relapse=.25, smax=(.65, 1.0)):
        f.smax = rng.uniform(*smax)
        if rng.random() < quiet:
            f.s0 = rng.uniform(.12, .35) * f.smax
            f.ramp = rng.randint(10, 40) * 60
        else:
            f.s0 = f.smax
        dur = f.end - f.start
        if rng.random() < relapse and dur > 40 * 60:
            g0 = f.start + int(dur * rng.uniform(.3, .6))
            g1 = min(f.end - 600, g0 + rng.randint(6, 20) * 60)
            if g1 > g0:
                f.gaps.append((g0, g1))

    def rollout(self, rng, terms, field, version, t_from, spread, fid):
        out = []
        for T in terms:
            t = t_from + rng.randint(0, spread)
            out.append((t, T))
            self.rollouts.append((t, T.tid, field, version, fid))
            self.rolled.add(T.tid)
        return out

    # ---- one planner per cause
    def plan(self, cause, rng):
        W = self.W
        fn = getattr(self, "p_" + cause.replace(".", "_"))
        return fn(rng, W)

    def single(self, rng, cause, variant, T, dmin, dmax, to_end=.3, quiet=.4, relapse=.2):
        s, e = pick_time(rng, dmin, dmax, to_end)
        f = self.new(cause, variant, {"terminal_id": T.tid}, s, e)
        f.mult[T.tid] = 1.0
        self.shape(f, rng, quiet, relapse)
        return f

    def p_hardware_keypad(self, rng, W):
        T = self.pick_term(rng, lambda t: True, lambda t: "keypad_errors" in t.M["fields"])
        return self.single(rng, "hardware.keypad", "stuck_key", T, 60, 300, .4)

    def p_hardware_display(self, rng, W):
        T = self.pick_term(rng, lambda t: True)
        return self.single(rng, "hardware.display", rng.choice(["lcd_driver", "backlight"]), T, 60, 300, .4)

    def p_hardware_card_reader(self, rng, W):
        T = self.pick_term(rng, lambda t: True, lambda t: "card_reader_errors" in t.M["fields"])
        return self.single(rng, "hardware.card_reader", rng.choice(["ic_contact", "ic_contact", "ic_nfc"]),
                           T, 60, 300, .4)

    def p_hardware_printer(self, rng, W):
        T = self.pick_term(rng, lambda t: t.has_printer)
        return self.single(rng, "hardware.printer", rng.choice(["head_fault", "cutter", "paper_sensor"]),
                           T, 60, 300, .4, relapse=.3)

    def p_hardware_board(self, rng, W):
        sp = self.site_power
        if sp is not None and rng.random() < .7:
            cand = [t for t in W.S[sp.scope["site_id"]].terms if t.tid in sp.mult and not t.battery]
            if cand and sp.end < WDUR - 1800:
                T = rng.choice(cand)
                self.used.add(T.tid)
                s = min(WDUR - 1200, sp.end + rng.randint(1, 12) * 60)
                f = self.new("hardware.board", rng.choice(["unstable", "unstable", "tamper"]),
                             {"terminal_id": T.tid}, s, WDUR)
                f.mult[T.tid] = 1.0
                self.shape(f, rng, .3, 0)
                f.p["after_power"] = sp.fid
                f.related = sp.fid
                return f
        T = self.pick_term(rng, lambda t: True)
        return self.single(rng, "hardware.board", rng.choice(["unstable", "unstable", "tamper"]), T, 60, 300, .5)

    def p_power_supply(self, rng, W):
        if rng.random() < .72:
            sites = [s for s in W.sites if sum(1 for t in s.terms if not t.battery) >= 2]
            s = wchoice(rng, [(x, len(x.terms)) for x in sites])
            st, en = pick_time(rng, 25, 100)
            f = self.new("power.supply", "site_mains", {"site_id": s.sid}, st, en)
            for t in s.terms:
                if not t.battery and not t.ups:
                    f.mult[t.tid] = rng.uniform(.7, 1.0)
            if not f.mult:
                t = [t for t in s.terms if not t.battery][0]
                f.mult[t.tid] = 1.0
            self.shape(f, rng, .45, .3)
            self.power_sags(f, rng, site=True)
            if self.site_power is None:
                self.site_power = f
            return f
        T = self.pick_term(rng, lambda t: not t.battery)
        f = self.single(rng, "power.supply", "adapter", T, 60, 240, .3)
        self.power_sags(f, rng, site=False)
        return f

    def power_sags(self, f, rng, site):
        sags, t = [], f.start
        while True:
            t += rng.expovariate(14.0 / 3600)
            if t >= f.end:
                break
            lv = max(f.sev(tid, int(t)) for tid in f.mult) if f.mult else 0
            if lv <= 0 or rng.random() > lv:
                continue
            depth = rng.uniform(.08, .5) * (0.6 + 0.4 * lv)
            sags.append((int(t), depth, rng.randint(60, 200) if (site and depth > .3) else 0))
        f.p["sags"] = sags

    def p_power_battery(self, rng, W):
        T = self.pick_term(rng, lambda t: t.battery, lambda t: "battery_pct" in t.M["fields"])
        return self.single(rng, "power.battery", "worn_cell", T, 90, 300, .5, quiet=.2, relapse=0)

    def p_network_signal(self, rng, W):
        sp = self.site_power
        T = None
        if sp is not None and rng.random() < .8:
            cand = [t for t in W.S[sp.scope["site_id"]].terms if t.net in ("cellular", "wifi") and t.battery
                    and t.tid not in self.used]
            if cand:
                T = rng.choice(cand)
                self.used.add(T.tid)
                T.traffic = max(T.traffic, rng.uniform(.8, 1.2))   # the store's mobile checkout, busy today
                f = self.new("network.signal", "weak_cell" if T.net == "cellular" else "weak_wifi",
                             {"terminal_id": T.tid}, max(300, sp.start - rng.randint(5, 30) * 60),
                             min(WDUR, sp.end + rng.randint(10, 60) * 60))
                f.mult[T.tid] = 1.0
                self.shape(f, rng, .3, .5)
                f.p["in_power_site"] = sp.fid
                f.related = sp.fid
                return f
        T = self.pick_term(rng, lambda t: t.net in ("cellular", "wifi"),
                           lambda t: "rssi_dbm" in t.M["fields"] and t.net == "cellular")
        f = self.single(rng, "network.signal", "weak_cell" if T.net == "cellular" else "weak_wifi",
                        T, 40, 200, .2, relapse=.6)
        return f

    def p_network_lan(self, rng, W):
        r = rng.random()
        if r < .75:
            sites = [s for s in W.sites if sum(1 for t in s.terms if t.net in ("ethernet", "wifi")) >= 2]
            s = wchoice(rng, [(x, sum(t.traffic * MTYPES[t.m.mtype]["rate"] for t in x.terms if t.net != "cellular")
                               * (2 if any(t.net == "cellular" for t in x.terms) else 1)) for x in sites])
            wifi = [t for t in s.terms if t.net == "wifi"]
            variant = "ap" if (len(wifi) >= 2 and rng.random() < .25) else "router"
            st, en = pick_time(rng, 25, 100)
            f = self.new("network.lan", variant, {"site_id": s.sid}, st, en)
            for t in s.terms:
                if (variant == "router" and t.net in ("ethernet", "wifi")) or (variant == "ap" and t.net == "wifi"):
                    f.mult[t.tid] = rng.uniform(.75, 1.0)
            self.shape(f, rng, .35, .55)
            return f
        T = self.pick_term(rng, lambda t: t.net == "ethernet")
        return self.single(rng, "network.lan", "cable", T, 40, 240, .3, relapse=.5)

    def p_network_carrier(self, rng, W):
        groups = {}
        for t in W.terms:
            if t.net == "cellular":
                groups.setdefault((t.carrier, t.city), []).append(t)
        keys = sorted(k for k, v in groups.items() if len(v) >= 7) or sorted(k for k, v in groups.items() if len(v) >= 3)
        k = wchoice(rng, [(k, len(groups[k])) for k in keys])
        st, en = pick_time(rng, 20, 100)
        f = self.new("network.carrier", "pdp_outage", {"carrier": k[0], "city": k[1]}, st, en)
        frac = rng.uniform(.6, 1.0)
        for t in groups[k]:
            if rng.random() < frac:
                f.mult[t.tid] = rng.uniform(.7, 1.0)
        if not f.mult:
            f.mult[groups[k][0].tid] = 1.0
        self.shape(f, rng, .4, .25)
        return f

    def p_software_bug(self, rng, W):
        # scope rotates with the seed (firmware / app version / model), so all three appear
        r = [.2, .6, .9][(self.seed // 2) % 3]
        if r < .4:   # firmware rollout on one model
            models = sorted({t.model for t in W.terms})
            model = wchoice(rng, [(m, sum(1 for t in W.terms if t.model == m and t.tid not in self.rolled))
                                  for m in models])
            cand = [t for t in W.terms if t.model == model and t.tid not in self.rolled]
            ver = MODELS[model]["fw_new"]
            variant = rng.choice(["nfc_crash", "leak"])
            st = rng.randint(900, 13000)
            f = self.new("software.bug", variant, {"firmware": ver}, st, WDUR)
            sel = [t for t in cand if rng.random() < rng.uniform(.5, .9)] or cand[:1]
            for t_up, T in self.rollout(rng, sel, "firmware", ver, st, rng.randint(20, 70) * 60, f.fid):
                f.onset[T.tid] = t_up + 200
                f.mult[T.tid] = rng.uniform(.7, 1.0)
            f.start = min(f.onset.values())
            if rng.random() < .4:
                rb = min(WDUR - 300, max(f.onset.values()) + rng.randint(40, 120) * 60)
                if rb < WDUR - 600:
                    f.end = rb
                    old = {}
                    for T in sel:
                        old[T.tid] = T.fw
                    f.p["rollback"] = (rb, old)
                    for T in sel:
                        self.rollouts.append((rb + rng.randint(0, 600), T.tid, "firmware", T.fw, f.fid))
                        f.tend[T.tid] = [x for x in self.rollouts if x[1] == T.tid and x[4] == f.fid][-1][0]
                    f.end = max(f.tend.values())
            self.shape(f, rng, .5, 0)
            f.s0, f.ramp = (f.s0, f.ramp)
            return f
        if r < .8:   # app version rollout across vendors of one OS
            osn = rng.choice(["android", "linux"])
            cand = [t for t in W.terms if t.M["os"] == osn and t.tid not in self.rolled]
            ver = APP_NEW[osn]
            variant = rng.choice(["nfc_crash", "pack", "leak"]) if osn == "android" else rng.choice(["pack", "nfc_crash"])
            st = rng.randint(900, 13000)
            f = self.new("software.bug", variant, {"app_version": ver}, st, WDUR)
            frac = rng.uniform(.25, .5)
            sel = [t for t in cand if rng.random() < frac] or cand[:2]
            for t_up, T in self.rollout(rng, sel, "app_version", ver, st, rng.randint(30, 90) * 60, f.fid):
                f.onset[T.tid] = t_up + 200
                f.mult[T.tid] = rng.uniform(.6, 1.0)
            f.start = min(f.onset.values())
            self.shape(f, rng, .5, 0)
            return f
        # model-wide, version independent (time-triggered print-path crash)
        models = sorted({t.model for t in W.terms if t.has_printer})
        model = wchoice(rng, [(m, sum(1 for t in W.terms if t.model == m)) for m in models])
        st = rng.choice([3 * 3600, 3 * 3600 + 1800, 2 * 3600 + 2700])   # around noon
        f = self.new("software.bug", "print_crash", {"model": model}, st, min(WDUR, st + rng.randint(90, 200) * 60))
        for t in W.terms:
            if t.model == model and rng.random() < .85:
                f.mult[t.tid] = rng.uniform(.6, 1.0)
        self.shape(f, rng, .3, 0)
        return f

    def p_software_incompatible(self, rng, W):
        osn = rng.choice(["android", "linux"])
        old = APPS[osn][0][0]
        cand = [t for t in W.terms if t.app == old and t.tid not in self.rolled]
        hosts = sorted({t.host for t in cand})
        scope = {"app_version": old}
        if len(hosts) > 1 and rng.random() < .5:
            h = wchoice(rng, [(h, sum(1 for t in cand if t.host == h)) for h in hosts])
            if sum(1 for t in cand if t.host == h) >= 3:
                cand = [t for t in cand if t.host == h]
                scope = {"app_version": old, "host": h}
        st, en = pick_time(rng, 60, 200, .3)
        variant = rng.choice(["tls_proto", "msg_spec"])
        f = self.new("software.incompatible", variant, scope, st, en)
        for t in cand:
            f.mult[t.tid] = 1.0
        # TMS pushes the current app to part of them during the fault: they recover on update
        up = [t for t in cand if rng.random() < .5]
        for t_up, T in self.rollout(rng, up, "app_version", APP_GOOD[osn], st + rng.randint(20, 60) * 60,
                                    rng.randint(30, 120) * 60, f.fid):
            if t_up < f.end:
                f.tend[T.tid] = t_up
        self.shape(f, rng, 0, 0, smax=(.85, 1.0))
        return f

    def p_software_config(self, rng, W):
        variant = rng.choice(["host_ip", "tid_mid", "key_index"])
        if rng.random() < .65:
            T = self.pick_term(rng, lambda t: True)
            f = self.single(rng, "software.config", variant, T, 30, 200, .25, quiet=0, relapse=0)
            terms = [T]
        else:
            ms = [m for m in W.merchants if 2 <= len(m.terms) <= 8]
            m = wchoice(rng, [(x, len(x.terms)) for x in ms])
            st, en = pick_time(rng, 30, 160, .2)
            f = self.new("software.config", variant, {"merchant_id": m.mid}, st, en)
            terms = list(m.terms)
            for t in terms:
                f.mult[t.tid] = 1.0
            self.shape(f, rng, 0, 0)
        f.p["bad_ip"] = "10.%d.%d.%d" % (rng.randint(20, 60), rng.randint(0, 255), rng.randint(2, 250))
        for T in terms:
            tp = f.start - rng.randint(0, 120)
            f.onset[T.tid] = tp + 5
            self.param_push.append((tp, T.tid, "P%03d" % rng.randint(401, 499)))
            if f.end < WDUR:
                self.param_push.append((f.end + rng.randint(0, 120), T.tid, "P%03d" % rng.randint(500, 599)))
        return f

    def p_transmission_corruption(self, rng, W):
        T = self.pick_term(rng, lambda t: True, lambda t: t.net == "ethernet")
        f = self.single(rng, "transmission.corruption", "line_noise", T, 60, 300, .4, quiet=.5, relapse=.5)
        f.smax = min(f.smax, .8)
        return f

    def p_security_keys(self, rng, W):
        if rng.random() < .7:
            T = self.pick_term(rng, lambda t: True, lambda t: "key_check" in t.M["fields"])
            return self.single(rng, "security.keys", "out_of_sync", T, 30, 200, .3, quiet=0, relapse=0)
        hosts = sorted(HOSTS)
        h = wchoice(rng, [(x, sum(1 for t in W.terms if t.host == x)) for x in hosts])
        st, en = pick_time(rng, 40, 150)
        f = self.new("security.keys", "missing_after_rotation", {"host": h}, st, en)
        cand = [t for t in W.terms if t.host == h]
        for t in cand:
            if rng.random() < .25:
                f.mult[t.tid] = 1.0
                f.onset[t.tid] = st + rng.randint(0, 40 * 60)
        if not f.mult:
            f.mult[cand[0].tid] = 1.0
        f.start = min(f.onset.get(x, st) for x in f.mult)
        self.shape(f, rng, 0, 0, smax=(.9, 1.0))
        return f

    def p_security_certificate(self, rng, W):
        r = rng.random()
        if r < .45:   # client certificate expiry (terminal or a merchant batch): visible in inventory
            if rng.random() < .5:
                T = self.pick_term(rng, lambda t: t.tls)
                terms = [T]
                scope = {"terminal_id": T.tid}
            else:
                ms = [m for m in W.merchants if 2 <= sum(1 for t in m.terms if t.tls) <= 8]
                m = wchoice(rng, [(x, len(x.terms)) for x in ms])
                terms = [t for t in m.terms if t.tls]
                scope = {"merchant_id": m.mid}
            st, en = pick_time(rng, 30, 200, .3)
            f = self.new("security.certificate", "client_expired", scope, st, en)
            for T in terms:
                f.mult[T.tid] = 1.0
                T.cert_not_after = W.t0 + st
                if en < WDUR:
                    self.cert_change.append((en + rng.randint(0, 300), T.tid,
                                             W.t0 + en + 365 * 86400 + rng.randint(0, 86400)))
            self.shape(f, rng, 0, 0, smax=(.95, 1.0))
            return f
        if r < .75:   # host replaced its server certificate; one model's trust store lacks the new CA
            combos = {}
            for t in W.terms:
                if t.tls:
                    combos.setdefault((t.host, t.model), []).append(t)
            keys = sorted(k for k, v in combos.items() if len(v) >= 3)
            k = wchoice(rng, [(k, len(combos[k])) for k in keys])
            st, en = pick_time(rng, 30, 150)
            f = self.new("security.certificate", "server_untrusted", {"host": k[0], "model": k[1]}, st, en)
            for t in combos[k]:
                f.mult[t.tid] = 1.0
            self.shape(f, rng, 0, 0, smax=(.9, 1.0))
            return f
        T = self.pick_term(rng, lambda t: t.tls, lambda t: "clock_skew_s" in t.M["fields"])
        f = self.single(rng, "security.certificate", "clock_skew", T, 60, 300, .4, quiet=0, relapse=0)
        f.p["skew"] = rng.choice([-1, 1]) * rng.randint(40, 800) * 86400 + rng.randint(-3600, 3600)
        return f

    def p_resource_storage(self, rng, W):
        T = self.pick_term(rng, lambda t: True, lambda t: "storage_used_pct" in t.M["fields"])
        return self.single(rng, "resource.storage", "journal_full", T, 90, 300, .5, quiet=.6, relapse=0)

    def p_resource_memory(self, rng, W):
        T = self.pick_term(rng, lambda t: True, lambda t: "memory_used_pct" in t.M["fields"])
        return self.single(rng, "resource.memory", "exhausted", T, 60, 300, .4, quiet=.5, relapse=.2)

    def p_resource_cpu(self, rng, W):
        T = self.pick_term(rng, lambda t: True, lambda t: "cpu_pct" in t.M["fields"])
        return self.single(rng, "resource.cpu", "overload", T, 60, 300, .4, quiet=.4, relapse=.2)

    def p_operator_error(self, rng, W):
        T = self.pick_term(rng, lambda t: t.role == "desk" or t.m.mtype == "restaurant")
        f = self.single(rng, "operator.error", "new_cashier", T, 90, 300, .2, quiet=0, relapse=0)
        f.smax = rng.uniform(.7, 1.0)
        f.s0 = f.smax
        return f

    def merchant_fault(self, rng, W, cause, variant, ms, dmin, dmax, to_end=.2, frac=1.0):
        m = wchoice(rng, [(x, len(x.terms) * MTYPES[x.mtype]["rate"]) for x in ms])
        st, en = pick_time(rng, dmin, dmax, to_end)
        f = self.new(cause, variant, {"merchant_id": m.mid}, st, en)
        for t in m.terms:
            f.mult[t.tid] = 1.0
        self.shape(f, rng, .2, .15, smax=(.85, 1.0))
        return f, m

    def p_business_txn_type(self, rng, W):
        gas = [m for m in W.merchants if m.mtype == "gas"]
        if gas and rng.random() < .5:
            f, m = self.merchant_fault(rng, W, "business.txn_type", "preauth_disabled", gas, 60, 240)
        else:
            f, m = self.merchant_fault(rng, W, "business.txn_type", "credit_disabled",
                                       [m for m in W.merchants if m.mtype != "gas"], 60, 240)
        return f

    def p_business_limit(self, rng, W):
        variant = rng.choice(["single_amount", "single_amount", "daily_count"])
        f, m = self.merchant_fault(rng, W, "business.limit", variant, W.merchants, 60, 240)
        med = MTYPES[m.mtype]["amt"][0]
        f.p["limit"] = int(med * rng.uniform(.8, 1.6) / 100) * 100
        return f

    def p_business_risk(self, rng, W):
        f, m = self.merchant_fault(rng, W, "business.risk", rng.choice(["cashout_suspect", "swipe_pattern"]),
                                   [x for x in W.merchants if len(x.terms) >= 2], 45, 200)
        f.p["thresh"] = int(MTYPES[m.mtype]["amt"][0] * rng.uniform(.6, 1.2))
        f.smax = rng.uniform(.5, .9)
        f.s0 = min(f.s0, f.smax)
        return f

    def p_business_merchant(self, rng, W):
        f, m = self.merchant_fault(rng, W, "business.merchant", rng.choice(["frozen", "misregistered"]),
                                   [x for x in W.merchants if len(x.terms) <= 10], 40, 200, .3)
        return f

    def p_upstream_acquirer(self, rng, W):
        hosts = sorted(HOSTS)
        h = wchoice(rng, [(x, sum(1 for t in W.terms if t.host == x)) for x in hosts])
        st, en = pick_time(rng, 12, 45)
        f = self.new("upstream.acquirer", rng.choice(["down", "overload", "overload"]), {"host": h}, st, en)
        for t in W.terms:
            if t.host == h:
                f.mult[t.tid] = 1.0
        self.shape(f, rng, .5, .3, smax=(.6, 1.0))
        return f

    def bin_fault(self, rng, W, cause, variant, dmin, dmax):
        bins = [(b[0], b[4]) for b in ISSUERS if b[4] >= .04 and not b[3]]
        b = wchoice(rng, bins)
        st, en = pick_time(rng, dmin, dmax)
        f = self.new(cause, variant, {"bin": b}, st, en)
        f.fleet = True
        f.p["bin"] = b
        self.shape(f, rng, .4, .25, smax=(.6, .95))
        return f

    def p_upstream_issuer(self, rng, W):
        return self.bin_fault(rng, W, "upstream.issuer", rng.choice(["unavailable", "slow"]), 20, 100)

    def p_card_decline(self, rng, W):
        f = self.bin_fault(rng, W, "card.decline", "expired_batch", 90, 300)
        f.smax = rng.uniform(.25, .45)
        f.s0 = min(f.s0, f.smax)
        return f


def choose_causes(seed):
    order = CAUSES[:]
    R("global", "order").shuffle(order)      # seed independent order -> even coverage over seeds
    n = len(order)
    k = 19
    off = (seed * k) % n
    chosen = [order[(off + i) % n] for i in range(k)]
    rng = R(seed, "extra")
    common = ["hardware.printer", "network.signal", "power.supply", "network.lan", "hardware.card_reader",
              "business.limit", "resource.memory", "operator.error", "power.battery"]
    for _ in range(rng.randint(1, 3)):
        chosen.append(rng.choice(common))
    # the planners that create confounding partners want power.supply first
    chosen.sort(key=lambda c: (0 if c == "power.supply" else 1 if c in ("hardware.board", "network.signal") else 2))
    return chosen


def plan_faults(W, seed):
    P = Planner(W, seed)
    for i, c in enumerate(choose_causes(seed)):
        P.plan(c, R(W.key, "plan", i, c))
    # benign rollout (a confounder: firmware changes with no harm)
    rng = R(W.key, "benign")
    if rng.random() < .7:
        models = sorted({t.model for t in W.terms})
        model = rng.choice(models)
        cand = [t for t in W.terms if t.model == model and t.tid not in P.rolled]
        ver = MODELS[model]["fw_new"] + "b"
        sel = [t for t in cand if rng.random() < .5]
        P.rollout(rng, sel, "firmware", ver, rng.randint(1800, 15000), rng.randint(30, 90) * 60, None)
    # benign parameter pushes
    for T in W.terms:
        if rng.random() < .05:
            P.param_push.append((rng.randint(600, WDUR - 600), T.tid, "P%03d" % rng.randint(300, 399)))
    for f in P.faults:
        for tid in f.mult:
            W.T[tid].faults.append(f)
    W.fleet_faults = [f for f in P.faults if f.fleet]
    for T in W.terms:
        T.faults.extend(W.fleet_faults)
        T.faults.sort(key=lambda f: (PRIO_IX[f.cause], f.fid))
    W.faults, W.P = P.faults, P
    return P


# --------------------------------------------------------------------------- error text
def core_msg(W, T, k, v, stan, rng, x):
    andr = T.M["os"] == "android"
    lib = T.M["tls"]
    H = HOSTS[T.host]
    ip, port = H["ip"], H["port"]
    st = (" stan=%s" % stan) if stan else ""
    if k == "connect":
        if v == "config_ip":
            bip = x.get("bad_ip", "10.21.88.15")
            return ("java.net.ConnectException: failed to connect to /%s (port %d) after 15000ms: isConnected failed: "
                    "ECONNREFUSED (Connection refused)" % (bip, port)) if andr else \
                "connect %s:%d failed errno=111 (Connection refused) 连接主机失败" % (bip, port)
        if v == "host_refused":
            return ("java.net.ConnectException: failed to connect to /%s (port %d): ECONNREFUSED" % (ip, port)) if andr \
                else "connect %s:%d failed errno=111 (Connection refused) 连接主机失败" % (ip, port)
        if v == "host_timeout":
            return ("java.net.SocketTimeoutException: failed to connect to /%s (port %d) after 15000ms" % (ip, port)) \
                if andr else "connect %s:%d timeout 15s 连接超时" % (ip, port)
        if v in ("lan", "power_router"):
            if andr:
                return rng.choice(["java.net.ConnectException: ENETUNREACH (Network is unreachable)",
                                   "java.net.SocketTimeoutException: failed to connect to /%s (port %d) after 15000ms" % (ip, port),
                                   "java.net.UnknownHostException: Unable to resolve host \"posgw.swbank.example\": No address associated with hostname"])
            return rng.choice(["eth0: link is down 网线未连接", "connect %s:%d failed errno=113 (No route to host)" % (ip, port),
                               "arp: no reply from gateway 192.168.%d.1, 网关不可达" % rng.randint(0, 3),
                               "DNS query posgw.swbank.example timeout"])
        if v == "wifi":
            if andr:
                return "WifiStateMachine: CTRL-EVENT-DISCONNECTED reason=%d; ConnectException: ENETUNREACH" % rng.choice([3, 4, 7, 15])
            return "wpa_supplicant: wlan0: CTRL-EVENT-DISCONNECTED bssid=%s reason=%d WiFi断开" % (
                ":".join(hexs(rng, 2).lower() for _ in range(6)), rng.choice([3, 4, 7, 15]))
        if v == "cell_weak":
            if andr:
                return rng.choice(["RILJ: signalStrength level=0 rsrp=%d; UnknownHostException: Unable to resolve host" % rng.randint(-124, -116),
                                   "java.net.SocketTimeoutException: failed to connect after 15000ms (mobile data, level 0)"])
            return rng.choice(["AT+CSQ -> +CSQ: %d,99 ; +CREG: 0,2 信号弱 搜网中" % rng.randint(2, 7),
                               "PPP: LCP echo timeout, link down (rssi=%ddBm)" % rng.randint(-113, -105),
                               "AT+CGATT? -> +CGATT: 0 ; 网络附着失败"])
        if v == "carrier":
            if andr:
                return rng.choice(["DataConnection: PDP activate failed cause=%d (SERVICE_OPTION_TEMPORARILY_OUT_OF_ORDER)" % rng.choice([34, 38]),
                                   "java.net.UnknownHostException: Unable to resolve host \"posgw.swbank.example\"",
                                   "java.net.SocketTimeoutException: failed to connect to /%s (port %d) after 15000ms" % (ip, port)])
            return rng.choice(["+CSQ: %d,99 ; AT+CGACT=1,1 -> +CME ERROR: 148" % rng.randint(17, 28),
                               "PDP context deactivated by network, cause 38",
                               "PPP: LCP terminated by peer, NO CARRIER",
                               "ppp0 up but DNS 114.114.114.114 no answer"])
        return "connect %s:%d failed" % (ip, port)
    if k == "timeout":
        to = T.M["timeout"]
        if andr:
            return "java.net.SocketTimeoutException: Read timed out (%ds)%s" % (to, st)
        return "recv timeout %ds%s 接收超时" % (to, st)
    if k == "send_fail":
        return "java.net.SocketException: Broken pipe" if andr else "send() failed errno=32 (Broken pipe) 发送失败" + st
    if k == "tls":
        na = x.get("not_after", "")
        if lib == "mbedtls":
            return {"client_expired": "mbedtls_ssl_handshake returned -0x7780 (SSL - A fatal alert message was received from our peer) alert=45 certificate_expired",
                    "server_untrusted": "mbedtls_ssl_handshake returned -0x2700 (X509 - Certificate verification failed) flags=0x08 (not trusted) CN=posgw.swbank.example",
                    "not_yet_valid": "mbedtls_ssl_handshake returned -0x2700 (X509 - Certificate verification failed) flags=0x200 (future)",
                    "expired_server": "mbedtls_ssl_handshake returned -0x2700 (X509 - Certificate verification failed) flags=0x01 (expired)",
                    "proto": "mbedtls_ssl_handshake returned -0x7780 (SSL - A fatal alert message was received from our peer) alert=70 protocol_version",
                    }.get(v, "mbedtls_ssl_handshake returned -0x7280 (SSL - The connection indicated an EOF)")
        if lib == "openssl":
            return {"client_expired": "SSL_connect: error:0A000415:SSL routines::sslv3 alert certificate expired",
                    "server_untrusted": "SSL_connect: error:0A000086:SSL routines::certificate verify failed (20: unable to get local issuer certificate)",
                    "not_yet_valid": "SSL_connect: error:0A000086:SSL routines::certificate verify failed (9: certificate is not yet valid)",
                    "expired_server": "SSL_connect: error:0A000086:SSL routines::certificate verify failed (10: certificate has expired)",
                    "proto": "SSL_connect: error:0A00042E:SSL routines::tlsv1 alert protocol version",
                    }.get(v, "SSL_connect: error:0A000126:SSL routines::unexpected eof while reading")
        return {"client_expired": "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired",
                "server_untrusted": "javax.net.ssl.SSLHandshakeException: java.security.cert.CertPathValidatorException: Trust anchor for certification path not found.",
                "not_yet_valid": "javax.net.ssl.SSLHandshakeException: java.security.cert.CertificateNotYetValidException: certificate not valid till %s" % x.get("nb", "20260301000000GMT+00:00"),
                "expired_server": "javax.net.ssl.SSLHandshakeException: java.security.cert.CertificateExpiredException: NotAfter: %s" % (na or "Sat Mar 01 00:00:00 GMT+08:00 2025"),
                "proto": "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
                }.get(v, "javax.net.ssl.SSLHandshakeException: Connection closed by peer")
    if k == "mac":
        return "响应报文MAC校验失败 calc=%s recv=%s%s" % (hexs(rng, 8), hexs(rng, 8), st)
    if k == "host_mac":
        return "主机应答A0 MAC校验错%s" % st
    if k == "key_missing":
        return "工作密钥不存在(MAK index %02d) 请重新签到" % rng.choice([1, 1, 2])
    if k == "signon_fail":
        return "签到失败: 工作密钥校验值不符 KCV %s!=%s" % (hexs(rng, 6), hexs(rng, 6))
    if k == "unpack":
        return rng.choice(["8583解包失败: field 55 length %d exceeds buffer%s" % (rng.randint(300, 999), st),
                           "unpack error: bitmap bit %d set but no data%s" % (rng.randint(2, 64), st),
                           "应答报文长度错 len=%d expect=%d%s" % (rng.randint(20, 90), rng.randint(100, 300), st)])
    if k == "card_read":
        if v == "lowvolt":
            return "IC卡上电失败 VCC低 (slot 0)"
        return rng.choice(["IC卡上电失败 ATR timeout (slot 0)", "ICC APDU resp 6F00 读卡失败", "IC卡通讯错误 parity error"])
    if k == "nfc_read":
        return rng.choice(["非接寻卡失败 PICC polling timeout", "NFC: RF field error, 请重新挥卡"])
    if k == "fallback":
        return "IC卡读卡失败, 请刷磁条 (fallback)"
    if k == "pin_keypad":
        return rng.choice(["密码键盘异常: key scan code 0x%s stuck" % hexs(rng, 2), "PED keypad matrix error", "PINPAD 按键无响应"])
    if k == "amount_key":
        return "金额输入异常(按键连击) 交易取消"
    if k == "pin_timeout":
        return "密码输入超时 (%ds) 用户未输入" % rng.choice([30, 60])
    if k == "print_paper":
        return "打印机缺纸 paper out"
    if k == "print_fault":
        if v == "lowvolt":
            return "打印机电压不足 VH低 打印失败"
        if v == "cutter":
            return "切刀故障 cutter jam"
        if v == "crash":
            return "print template render failed: NullPointerException"
        return rng.choice(["打印头过热 TPH %dC" % rng.randint(68, 85), "printer status 0x%s fault" % hexs(rng, 2)])
    if k == "display":
        if andr:
            return "SurfaceFlinger: display 0 HWC error, 屏幕显示异常"
        return rng.choice(["LCD初始化失败 disp_err=0x%s" % hexs(rng, 2), "屏幕驱动异常 背光失效"])
    if k == "power_recover":
        if stan:
            return "异常掉电重启, 存在未完成交易 stan=%s, 已置冲正标志" % stan
        return "系统异常断电重启 last_shutdown=abnormal"
    if k == "volt_warn":
        return "输入电压异常 VIN=%.1fV (额定%.0fV)" % (x.get("v", 0.0), T.M["nominal"] or 5)
    if k == "low_batt":
        return "电池电量低(%d%%), 请充电后交易" % x.get("b", 5)
    if k == "storage":
        if andr:
            return "android.database.sqlite.SQLiteFullException: database or disk is full (code 13 SQLITE_FULL)"
        return "存储空间不足 写流水失败 /appfs used 99%"
    if k == "memory":
        if andr:
            return "java.lang.OutOfMemoryError: Failed to allocate a %d byte allocation with %d free bytes" % (
                rng.randint(1, 8) * 1048588, rng.randint(100, 900) * 1024)
        return "malloc(%d) failed 内存不足" % rng.choice([4096, 65536, 131072])
    if k == "cpu":
        if andr:
            return "ANR in com.swbank.pos (com.swbank.pos/.TransActivity) Reason: Input dispatching timed out"
        return "系统繁忙 任务处理超时 load=%.1f" % rng.uniform(4, 9)
    if k == "crash":
        if andr:
            where = {"nfc": "NfcReader.onTagDiscovered", "leak": "TransProcessor.buildIso8583",
                     "print": "ReceiptPrinter.render"}.get(v, "TransActivity.onResume")
            return "FATAL EXCEPTION: main Process: com.swbank.pos, java.lang.NullPointerException at com.swbank.pos.%s" % where
        return "应用异常退出 signal 11 (SIGSEGV) pc=0x%s" % hexs(rng, 8).lower()
    if k == "board":
        return rng.choice(["安全模块自检失败 SP status 0x%s" % hexs(rng, 2), "温度传感器异常 sensor=%d" % rng.randint(0, 3),
                           "终端状态错误 主板通讯异常", "I2C bus error dev 0x%s" % hexs(rng, 2).lower()])
    if k == "tamper":
        return "触发防拆 tamper=0x%02X, 密钥已清除, 终端锁定" % rng.choice([1, 2, 4, 8])
    if k == "op_cancel":
        return rng.choice(["操作员取消交易", "用户取消", "交易已取消(按取消键)"])
    if k == "op_swipe_ic":
        return "此卡为IC卡, 请插卡"
    if k == "op_wrong_card":
        return rng.choice(["请正确插卡", "卡片方向错误 请重新插卡", "读卡失败 请重试"])
    if k == "op_amount":
        return rng.choice(["金额输入错误, 交易取消", "金额超过单笔上限, 请核对"])
    return "交易失败"


TAGS = {"connect": "COMM", "timeout": "COMM", "send_fail": "COMM", "tls": "SSL", "mac": "SEC", "host_mac": "SEC",
        "key_missing": "SEC", "signon_fail": "SEC", "unpack": "ISO", "card_read": "ICC", "nfc_read": "PICC",
        "fallback": "ICC", "pin_keypad": "PED", "amount_key": "UI", "pin_timeout": "PED", "print_paper": "PRN",
        "print_fault": "PRN", "display": "LCD", "power_recover": "SYS", "volt_warn": "PWR", "low_batt": "PWR",
        "storage": "FS", "memory": "SYS", "cpu": "SYS", "crash": "APP", "board": "SYS", "tamper": "SEC",
        "op_cancel": "UI", "op_swipe_ic": "ICC", "op_wrong_card": "ICC", "op_amount": "UI", "generic": "APP"}
JTAGS = {"COMM": "PayCore", "SSL": "SSLSocket", "SEC": "KeyManager", "ISO": "Iso8583", "ICC": "CardReader",
         "PICC": "CardReader", "PED": "PinPad", "UI": "TransActivity", "PRN": "Printer", "LCD": "Display",
         "SYS": "SysMonitor", "PWR": "PowerManager", "FS": "Journal", "APP": "PayCore"}


def make_error(W, T, t, k, v, rng, stan=None, x=None):
    x = x or {}
    codes = CODES[T.vendor]
    code = codes.get(k, codes["generic"])
    pg, pstage = VENDOR_STYLE[T.vendor]
    rec = {"kind": "error", "ts": t, "terminal_id": T.tid, "code": code}
    stage = ERR_STAGE.get(k)
    if stage and rng.random() >= pstage:
        rec["stage"] = stage
    if rng.random() < pg:
        g = rng.random()
        if g < .35:
            pass                                     # no detail at all
        elif g < .55:
            rec["detail"] = ""
        elif k in COMM_KINDS or k == "tls":
            rec["detail"] = "通讯失败"
        else:
            rec["detail"] = "交易失败"
    else:
        msg = core_msg(W, T, k, v, stan, rng, x)
        hms = datetime.datetime.fromtimestamp(W.t0 + int(t), TZ8).strftime("%H:%M:%S")
        tag = TAGS.get(k, "APP")
        vend = T.vendor
        if vend == "landi":
            d = "[%s.%03d] %s %s" % (hms, rng.randint(0, 999), tag, msg)
        elif vend == "centerm":
            d = "ctm_pay[%d]: <ERR> %s: %s" % (300 + (hash_small(T.tid) % 600), tag.lower(), msg)
        elif vend == "newland":
            d = "NL|%s|ret=%s|%s" % (tag, code, msg)
        elif vend == "sunmi":
            d = "E/%s( %d): %s" % (JTAGS[tag], 1800 + hash_small(T.tid) % 3000, msg)
        elif vend == "nexgo":
            d = "[NEXGO][%s] %s" % (tag, msg)
        elif T.M["os"] == "android":
            md = datetime.datetime.fromtimestamp(W.t0 + int(t), TZ8).strftime("%m-%d")
            p = 2000 + hash_small(T.tid) % 5000
            d = "%s %s.%03d %5d %5d E %s: %s" % (md, hms, rng.randint(0, 999), p, p + rng.randint(1, 40), JTAGS[tag], msg)
        else:
            d = "PAX %s %s> %s" % (hms, tag, msg)
        rec["detail"] = d
    if stan:
        rec["stan"] = stan
    return rec


def hash_small(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1000003
    return h


# --------------------------------------------------------------------------- outcomes
def O(k, **kw):
    d = {"k": k}
    d.update(kw)
    return d


def net_fail(s, rng, pc, pt, variant):
    """network-type fault: connect failure or a lost response"""
    r = rng.random()
    if r < pc * s:
        return O("abort", err="connect", var=variant, retry=.6)
    if r < (pc + pt) * s:
        return O("timeout", var=variant, retry=.5)
    return None


def fault_hook(W, f, stage, T, t, s, tx, rng, st):
    c, v = f.cause, f.variant
    card = tx["channel"] != "qr"
    rev = tx["type"] == "reversal"
    if c == "power.supply":
        if stage == "connect" and v == "site_mains" and T.net in ("ethernet", "wifi"):
            for (ts, depth, rdown) in f.p["sags"]:
                if rdown and ts - 20 <= t < ts + rdown:
                    return O("abort", err="connect", var="power_router", retry=.6) if t >= ts else \
                        O("timeout", var="power_router", retry=.6)
        if rev:
            return None
        if stage == "card" and card and tx["channel"] == "card_ic" and rng.random() < .12 * s:
            return O("abort", err="card_read", var="lowvolt", retry=.7)
        if stage == "net" and v == "adapter" and rng.random() < .12 * s:
            return O("timeout", var=None, retry=.6, down=(2, "power_loss"))
        if stage == "print" and T.has_printer and rng.random() < .25 * s:
            return O("okerr", err="print_fault", var="lowvolt")
        return None
    if c == "power.battery":
        if stage == "pre" and not rev:
            b = battery_at(T, t)
            if b <= 8 and rng.random() < .85:
                return O("abort", err="low_batt", x={"b": b}, retry=.3)
        return None
    if c == "hardware.board":
        if rev:
            return None
        if v == "tamper":
            if stage == "pre" and rng.random() < .95 * s:
                return O("abort", err="tamper", retry=.4)
            return None
        if stage == "pre" and rng.random() < .25 * s:
            return O("abort", err="board", retry=.6)
        if stage == "net" and rng.random() < .06 * s:
            return O("timeout", var=None, retry=.6, down=(3, "watchdog"))
        return None
    if c == "resource.storage":
        if stage == "pre" and not rev:
            lvl = storage_level(T, f, t)
            p = .8 if lvl >= 99 else .45 if lvl >= 97 else .1 if lvl >= 94 else 0
            if rng.random() < p:
                return O("abort", err="storage", retry=.4)
        return None
    if c == "resource.memory":
        if stage == "pre" and not rev and rng.random() < .22 * s:
            return O("abort", err="memory", retry=.6)
        if stage == "net" and not rev and rng.random() < .05 * s:
            return O("timeout", var=None, retry=.6, down=(3, "crash"))
        if stage == "net":
            return O("slow", f=1 + 1.5 * s)
        return None
    if c == "resource.cpu":
        if rev:
            return None
        if stage == "pre" and rng.random() < .12 * s:
            return O("abort", err="cpu", retry=.6)
        if stage == "pin" and tx["pin"] and rng.random() < .1 * s:
            return O("abort", err="pin_timeout", retry=.5)
        if stage == "net":
            if rng.random() < .14 * s:
                return O("timeout", var=None, retry=.5)
            return O("slow", f=1 + 3 * s)
        return None
    if c == "software.bug":
        if rev:
            return None
        if v == "nfc_crash":
            if stage == "card" and tx["channel"] == "nfc" and rng.random() < .75 * s:
                return O("abort", err="crash", var="nfc", retry=.8, crash=True, newch="card_ic")
            return None
        if v == "pack":
            if stage == "host" and tx["channel"] in ("card_ic", "nfc") and rng.random() < .55 * s:
                return O("rc", rc="30", retry=.4)
            return None
        if v == "leak":
            mem = leak_level(T, f, t)
            if stage == "pre" and mem > 92 and rng.random() < .35:
                return O("abort", err="memory", retry=.6)
            if stage == "net" and mem > 95 and rng.random() < .25:
                return O("timeout", var=None, retry=.6, down=(3, "watchdog"))
            return None
        if v == "print_crash":
            if stage == "print" and T.has_printer and rng.random() < .6 * s:
                return O("okerr", err="crash", var="print", crash=True)
            return None
        return None
    if c == "hardware.display":
        if rev:
            return None
        if stage == "pre" and rng.random() < .3 * s:
            return O("abort", err="display", retry=.5)
        if stage == "pin" and tx["pin"] and rng.random() < .2 * s:
            return O("abort", err="pin_timeout", retry=.6)
        return None
    if c == "hardware.card_reader":
        if stage == "card" and not rev:
            ch = tx["channel"]
            if ch == "card_ic" and rng.random() < .85 * s:
                return O("abort", err="card_read", var="ic", retry=.85, fallback=True, rfault=f)
            if ch == "nfc" and v == "ic_nfc" and rng.random() < .6 * s:
                return O("abort", err="nfc_read", retry=.8, newch="card_ic")
        if stage == "host" and tx.get("fallback_of") is f and rng.random() < .85:
            return O("rc", rc="45", retry=.5, newch="qr")
        return None
    if c == "hardware.keypad":
        if rev:
            return None
        if stage == "pre" and rng.random() < .08 * s:
            return O("abort", err="amount_key", retry=.6)
        if stage == "pin" and tx["pin"]:
            r = rng.random()
            if r < .45 * s:
                return O("abort", err="pin_keypad", retry=.6)
            if r < .65 * s:
                tx["bad_pin"] = f
        if stage == "host" and tx.get("bad_pin") is f:
            return O("rc", rc="55", retry=.6)
        return None
    if c == "software.config":
        if v == "host_ip":
            if stage == "connect":
                return O("abort", err="connect", var="config_ip", x={"bad_ip": f.p["bad_ip"]}, retry=.5)
            return None
        if v == "tid_mid":
            if stage == "host" and not rev:
                return O("rc", rc=rng.choice(["97", "97", "03"]), retry=.3)
            return None
        if v == "key_index":
            if stage == "host" and not rev and rng.random() < .95:
                return O("rc", rc="A0", err="host_mac" if rng.random() < .5 else None, retry=.4)
            return None
        return None
    if c == "network.lan":
        if stage in ("connect", "net"):
            pc, pt = (.45, .3) if v != "cable" else (.35, .25)
            if stage == "connect":
                if rng.random() < pc * s:
                    return O("abort", err="connect", var="wifi" if T.net == "wifi" else "lan", retry=.6)
            elif rng.random() < pt * s:
                return O("timeout", var="lan", retry=.5)
            if stage == "net":
                return O("slow", f=1 + 2 * s)
        return None
    if c == "network.signal":
        if stage == "connect" and rng.random() < .35 * s:
            return O("abort", err="connect", var="cell_weak" if T.net == "cellular" else "wifi", retry=.6)
        if stage == "net":
            if rng.random() < .3 * s:
                return O("timeout", var="cell_weak", retry=.5)
            return O("slow", f=1 + 2.5 * s)
        return None
    if c == "network.carrier":
        if stage == "connect" and rng.random() < .6 * s:
            return O("abort", err="connect", var="carrier", retry=.5, newch=None)
        if stage == "net":
            if rng.random() < .25 * s:
                return O("timeout", var="carrier", retry=.5)
            return O("slow", f=1 + 4 * s)
        return None
    if c == "security.certificate":
        if stage == "tls" and T.tls:
            if v == "client_expired":
                return O("abort", err="tls", var="client_expired", retry=.4)
            if v == "server_untrusted" and rng.random() < .95 * s:
                return O("abort", err="tls", var="server_untrusted", retry=.4)
            if v == "clock_skew" and rng.random() < .97 * s:
                return O("abort", err="tls", var="not_yet_valid" if f.p["skew"] < 0 else "expired_server", retry=.4,
                         x={"nb": "20260301000000GMT+00:00"})
        return None
    if c == "software.incompatible":
        if v == "tls_proto":
            if stage == "tls" and T.tls and rng.random() < .95 * s:
                return O("abort", err="tls", var="proto", retry=.4)
            if stage == "host" and not T.tls and not rev and rng.random() < .9 * s:
                return O("rc", rc="40", retry=.3)
            return None
        if stage == "host" and not rev and rng.random() < .9 * s:
            return O("rc", rc=rng.choice(["30", "30", "40"]), err="unpack" if rng.random() < .3 else None, retry=.3)
        return None
    if c == "transmission.corruption":
        if stage == "net":
            r = rng.random()
            p = .45 * s
            if r < p * .15:
                return O("abort", err="send_fail", retry=.6)
            if r < p * .35:
                return O("timeout", err2="unpack", retry=.5)
            if r < p * .75 and not rev:
                return O("rc", rc="30", retry=.6)
            if r < p and not rev:
                return O("rc", rc="A0", retry=.6)
            return None
        if stage == "resp" and not rev and rng.random() < .05 * s:
            return O("okerr", err="mac", reverse=True)
        return None
    if c == "upstream.acquirer":
        if v == "down":
            if stage == "connect" and rng.random() < .6 * s:
                return O("abort", err="connect", var=rng.choice(["host_refused", "host_timeout"]), retry=.4)
            if stage == "net" and rng.random() < .25 * s:
                return O("timeout", var=None, retry=.4)
            return None
        if stage == "net":
            if rng.random() < .18 * s:
                return O("timeout", var=None, retry=.4)
            return O("slow", f=1 + 10 * s)
        if stage == "host" and rng.random() < .15 * s:
            return O("rc", rc="96", retry=.4)
        return None
    if c == "security.keys":
        if v == "out_of_sync":
            if stage == "host" and not rev and rng.random() < .97 * s:
                extra = [("signon_fail", None, rng.randint(5, 15))] if rng.random() < .3 else []
                return O("rc", rc="A0", err="host_mac" if rng.random() < .35 else None, extra=extra, retry=.35)
            return None
        if stage == "pre" and not rev:
            return O("abort", err="key_missing", retry=.3,
                     extra=[("signon_fail", None, rng.randint(3, 10))] if rng.random() < .4 else [])
        return None
    if c == "business.merchant":
        if stage == "host" and not rev and rng.random() < .97 * s:
            return O("rc", rc="03", retry=.15)
        return None
    if c == "business.txn_type":
        if stage != "host" or rev or not card:
            return None
        if v == "preauth_disabled" and tx["type"] in ("preauth", "completion") and rng.random() < .95 * s:
            return O("rc", rc=rng.choice(["58", "58", "40"]), retry=.2, newtype="purchase")
        if v == "credit_disabled" and tx.get("credit") and tx["type"] == "purchase" and rng.random() < .95 * s:
            return O("rc", rc=rng.choice(["57", "57", "58"]), retry=.4, newch="qr")
        return None
    if c == "business.limit":
        if stage != "host" or rev or not card or tx["type"] not in ("purchase", "preauth"):
            return None
        if v == "single_amount":
            if tx["amount"] > f.p["limit"] and rng.random() < .95 * s:
                return O("rc", rc="61", retry=.3, newch="qr")
        elif rng.random() < .9 * s:
            return O("rc", rc="65", retry=.3, newch="qr")
        return None
    if c == "business.risk":
        if stage != "host" or rev or not card or tx["type"] not in ("purchase", "preauth"):
            return None
        hot = tx["amount"] > f.p["thresh"] or tx.get("credit") or tx["channel"] == "card_swipe"
        if hot and rng.random() < .8 * s:
            return O("rc", rc=rng.choice(["59", "59", "34"]), retry=.2)
        return None
    if c == "upstream.issuer":
        if stage == "host" and not rev and card and tx.get("bin") == f.p["bin"] and rng.random() < .9 * s:
            r = rng.random()
            if v == "slow" and r < .35:
                return O("timeout", var=None, retry=.4)
            if r < .6:
                return O("rc", rc="91", retry=.4, newch="qr")
            if r < .9:
                return O("rc", rc="98", lat=rng.randint(20000, 29000), retry=.4)
            return O("timeout", var=None, retry=.4)
        return None
    if c == "card.decline":
        if stage == "host" and not rev and card and tx.get("bin") == f.p["bin"] and \
                tx["type"] in ("purchase", "preauth") and rng.random() < s:
            return O("rc", rc=rng.choice(["54", "54", "54", "14", "05"]), retry=.3, newch="qr")
        return None
    if c == "operator.error":
        return None     # acts through the background operator-error rates (see op_mult)
    if c == "hardware.printer":
        if stage == "print" and T.has_printer:
            if v == "paper_sensor" and rng.random() < .8 * s:
                return O("okerr", err="print_paper")
            if v != "paper_sensor" and rng.random() < .85 * s:
                return O("okerr", err="print_fault", var=v)
        return None
    return None


def op_mult(T, t):
    best, ff = 1.0, None
    for f in T.faults:
        if f.cause == "operator.error":
            s = f.sev(T.tid, t)
            if s > 0 and 1 + 30 * s > best:
                best, ff = 1 + 30 * s, f
    return best, ff


def background(W, stage, T, t, tx, rng, st):
    """ordinary life: returns (outcome, cause, fault-or-None)"""
    rev = tx["type"] == "reversal"
    card = tx["channel"] != "qr"
    if rev:
        if stage == "net":
            p = .0004 if T.net == "ethernet" else .002 if T.net == "wifi" else (.004 if T.base_rssi > -95 else .02)
            if rng.random() < p:
                return O("timeout", var=None, retry=.6), ("network.signal" if T.net != "ethernet" else "network.lan"), None
        return None
    if stage == "pre":
        mult, ff = op_mult(T, t)
        if rng.random() < .004 * mult:
            o = O("abort", err=rng.choice(["op_cancel", "op_cancel", "op_amount"]), retry=.7)
            return o, "operator.error", (ff if ff and rng.random() < (mult - 1) / mult else None)
        return None
    if stage == "card" and card:
        mult, ff = op_mult(T, t)
        if tx["channel"] == "card_swipe" and tx.get("chip") and not tx.get("fallback_of") and rng.random() < .25:
            return O("abort", err="op_swipe_ic", retry=.9, newch="card_ic"), "operator.error", \
                (ff if ff and rng.random() < (mult - 1) / mult else None)
        if tx["channel"] == "card_ic" and rng.random() < .004 * mult:
            return O("abort", err="op_wrong_card", retry=.9), "operator.error", \
                (ff if ff and rng.random() < (mult - 1) / mult else None)
        return None
    if stage == "pin" and tx["pin"]:
        mult, ff = op_mult(T, t)
        if rng.random() < .003 * mult:
            return O("abort", err="pin_timeout", retry=.5), "operator.error", \
                (ff if ff and rng.random() < (mult - 1) / mult else None)
        return None
    if stage == "net":
        if T.net == "cellular":
            p = .012 if T.base_rssi <= -95 else .0015
        elif T.net == "wifi":
            p = .002
        else:
            p = .0003
        if rng.random() < p:
            if rng.random() < .5:
                return O("timeout", var=None, retry=.6), ("network.signal" if T.net != "ethernet" else "network.lan"), None
        return None
    if stage == "host":
        ty = tx["type"]
        mult, ff = op_mult(T, t)
        opf = (ff if ff and rng.random() < (mult - 1) / mult else None)
        if ty == "void" and rng.random() < min(.6, .04 * mult):
            return O("rc", rc=rng.choice(["25", "25", "12"]), retry=.2), "operator.error", opf
        if ty == "refund" and rng.random() < min(.6, .07 * mult):
            return O("rc", rc=rng.choice(["13", "64", "25"]), retry=.4), "operator.error", opf
        if ty == "purchase" and rng.random() < .0012 * mult:
            return O("rc", rc="94", retry=0), "operator.error", opf
        if rng.random() < .0003:
            return O("rc", rc=rng.choice(["91", "98"]), retry=.5), "upstream.issuer", None
        if rng.random() < .00015:
            return O("rc", rc="96", retry=.5), "upstream.acquirer", None
        if card and ty in ("purchase", "preauth", "balance"):
            p = .034 if ty != "balance" else .02
            if tx.get("credit"):
                p *= 0.7
            if rng.random() < p:
                rc = wchoice(rng, [("51", 38), ("55", 25), ("05", 8), ("54", 6), ("14", 4), ("61", 6), ("62", 3),
                                   ("75", 3), ("41", 1), ("57", 3), ("65", 2), ("01", 1)])
                if ty == "balance" and rc not in ("55", "75", "14", "54"):
                    rc = "55"
                return O("rc", rc=rc, retry=.45 if rc in ("55",) else .3, newch="qr" if rc == "51" else None), \
                    "card.decline", None
        elif not card and ty == "purchase" and rng.random() < .006:
            return O("rc", rc="51", retry=.5), "card.decline", None
        return None
    if stage == "print" and T.has_printer and paper_out(T, t):
        return O("okerr", err="print_paper"), "hardware.printer", None
    return None


# --------------------------------------------------------------------------- per-terminal state curves
def battery_at(T, t):
    ks = T.bknots
    i = bisect.bisect_right(ks, (t, 1e9)) - 1
    if i < 0:
        return int(ks[0][1])
    if i >= len(ks) - 1:
        return int(ks[-1][1])
    (t0, b0), (t1, b1) = ks[i], ks[i + 1]
    if t1 == t0:
        return int(b1)
    return int(round(b0 + (b1 - b0) * (t - t0) / (t1 - t0)))


def make_battery(T, rng, faults):
    b = rng.uniform(45, 100)
    t = -3600.0
    ks = [(t, b)]
    bf = [f for f in faults if f.cause == "power.battery"]
    fstart = bf[0].start if bf else None
    downs = []
    charging = False
    while t < WDUR + 600:
        in_fault = fstart is not None and t >= fstart and t < bf[0].end
        if in_fault:
            s = bf[0].level(t)
            if not charging:
                rate = -(60 + 60 * s) / 3600.0
                dt = max(60.0, (b - 2) / -rate) if b > 2 else 60.0
                dt = min(dt, 1800)
                t += dt
                b = max(1.0, b + rate * dt)
                ks.append((t, b))
                if b <= 3:
                    off = rng.randint(8, 30) * 60
                    downs.append((int(t), int(t + off), "power_loss"))
                    ks.append((t + off - 1, 1.0))
                    t += off
                    b = rng.uniform(6, 14)
                    ks.append((t, b))
            else:
                charging = False
        else:
            if charging:
                dt = rng.randint(20, 60) * 60
                nb = min(100.0, b + 50 * dt / 3600.0)
                if fstart is not None and t < fstart < t + dt:
                    dt = fstart - t
                    nb = min(100.0, b + 50 * dt / 3600.0)
                t += dt
                b = nb
                ks.append((t, b))
                charging = False
            else:
                dt = rng.randint(60, 180) * 60
                rate = rng.uniform(5, 11) / 3600.0
                if fstart is not None and t < fstart < t + dt:
                    dt = fstart - t
                nb = max(15.0, b - rate * dt)
                t += dt
                b = nb
                ks.append((t, b))
                charging = b < 60 or rng.random() < .4
    T.bknots = ks
    return downs


def storage_level(T, f, t):
    s = f.sev(T.tid, t) if f else 0
    if s <= 0:
        return T.base_storage + 0.3 * t / 3600
    frac = min(1.0, (t - f.start) / max(1, f.ramp or 1800))
    return min(100, 93 + 7 * frac * (f.smax if f.smax < 1 else 1) + (1 if s > .8 else 0))


def leak_level(T, f, t):
    on = f.onset.get(T.tid, f.start)
    if t < on or t >= f.tend.get(T.tid, f.end):
        return None if False else T.base_mem
    per = T.leak_period
    ph = ((t - on) % per) / per
    return T.base_mem + (99 - T.base_mem) * ph


def paper_out(T, t):
    for a, b in T.paper:
        if a <= t < b:
            return True
    return False


# --------------------------------------------------------------------------- terminal simulation
class TermSim:
    def __init__(self, W, T, out):
        self.W, self.T, self.out = W, T, out
        self.rng = R(W.key, "T", T.tid)
        self.downs = []          # (start, end, reason, cause, fault)
        self.sagcount = []       # times of power events
        self.stan = self.rng.randint(1, 600000)
        self.fails = []
        self.suspend = -1
        self.pending_rev = []
        self.last_ok = []
        self.seq = 0

    def next_stan(self):
        self.stan = self.stan + 1 if self.stan < 999999 else 1
        return "%06d" % self.stan

    def rrn(self, t):
        H = HOSTS[self.T.host]
        dt = datetime.datetime.fromtimestamp(self.W.t0 + int(t), TZ8)
        if H["rrn"] == "jul":
            return "%03d%02d%s%06d" % (dt.timetuple().tm_yday, dt.hour, H["node"], self.stan)[-12:]
        return "%s%06d" % (dt.strftime("%H%M%S"), self.stan)

    def is_down(self, t):
        for d in self.downs:
            if d[0] <= t < d[1]:
                return d
        return None

    def add_down(self, start, dur, reason, cause, fault):
        for d in self.downs:
            if d[0] <= start < d[1]:
                return None
        d = (int(start), int(start + dur), reason, cause, fault)
        bisect.insort(self.downs, d, key=lambda x: (x[0], x[1]))
        return d

    def emit(self, rec, cause=None, fault=None):
        rec["_c"] = cause
        rec["_f"] = fault
        self.out.append(rec)
        if fault is not None and (rec["kind"] == "error" or rec.get("timed_out") or
                                  (rec["kind"] == "txn" and rec.get("response_code") not in APPROVALS)):
            fault.hit.add(self.T.tid)

    # ---- setup of spontaneous physics
    def prepare(self):
        W, T, rng = self.W, self.T, self.rng
        boot = T.M["boot"]
        # battery
        if T.battery:
            for a, b, reason in make_battery(T, rng, T.faults):
                f = [x for x in T.faults if x.cause == "power.battery"][0]
                self.add_down(a, b - a, reason, "power.battery", f)
            for f in T.faults:
                if f.cause == "power.battery":
                    t = f.start
                    while t < f.end:
                        t += rng.randint(180, 480)
                        b = battery_at(T, t)
                        if b <= 10:
                            self.spont(t, "low_batt", None, f.cause, f, x={"b": b})
        # paper runs out now and then (ordinary life)
        T.paper = []
        if T.has_printer:
            n = 1 if rng.random() < .3 else 0
            for _ in range(n):
                a = rng.randint(0, WDUR - 600)
                T.paper.append((a, a + rng.randint(60, 300)))
        T.leak_period = rng.randint(50, 110) * 60
        for f in T.faults:
            if f.fleet:
                continue
            c = f.cause
            if c == "power.supply":
                for (ts, depth, rdown) in f.p["sags"]:
                    m = f.mult.get(T.tid, 0)
                    if f.variant == "adapter":
                        self.sagcount.append(ts)
                        if depth > .25 and rng.random() < .5:
                            self.add_down(ts, rng.randint(*boot), "power_loss", c, f)
                        continue
                    if m <= 0:
                        continue
                    self.sagcount.append(ts)
                    if depth * m > T.tolerance:
                        self.add_down(ts + rng.randint(0, 2), rng.randint(*boot), "power_loss", c, f)
                    elif T.vendor in ("landi", "centerm", "pax", "sunmi") and rng.random() < .35:
                        v = (T.M["nominal"] or 5) * (1 - depth * m)
                        self.spont(ts + rng.randint(0, 3), "volt_warn", None, c, f, x={"v": v})
            elif c == "hardware.board" and f.variant == "unstable":
                self.poisson_downs(f, 3.0, "watchdog", boot, err="board", perr=.7)
            elif c == "hardware.board" and f.variant == "tamper":
                self.spont(f.start + rng.randint(5, 60), "tamper", None, c, f)
            elif c == "resource.memory":
                self.poisson_downs(f, 1.2, rng.choice(["crash", "watchdog"]), boot, err="memory", perr=.5)
            elif c == "software.bug" and f.variant == "leak":
                on = f.onset.get(T.tid, f.start)
                t = on + T.leak_period * 0.97
                while t < f.tend.get(T.tid, f.end):
                    self.add_down(t, rng.randint(*boot), rng.choice(["watchdog", "crash"]), c, f)
                    if rng.random() < .5:
                        self.spont(t + boot[1] + rng.randint(5, 30), "memory", None, c, f)
                    t += T.leak_period
            elif c == "security.keys":
                if f.variant == "out_of_sync":
                    t = f.start + rng.randint(30, 300)
                    while t < f.end:
                        self.spont(t, "signon_fail", None, c, f)
                        t += rng.randint(20, 60) * 60
            elif c == "hardware.display":
                self.poisson_errs(f, 2.0, "display")
            elif c == "hardware.keypad":
                self.poisson_errs(f, 0.8, "pin_keypad")
            elif c == "hardware.card_reader":
                self.poisson_errs(f, 0.6, "card_read")
            elif c == "resource.cpu":
                self.poisson_errs(f, 1.2, "cpu")
            elif c == "resource.storage":
                self.poisson_errs(f, 1.5, "storage", gate=lambda t, f=f: storage_level(T, f, t) >= 97)
            elif c == "hardware.printer" and f.variant == "head_fault":
                self.poisson_errs(f, 0.5, "print_fault")
        # rollouts: update reboots
        self.versions = []
        for (t, tid, field, ver, fid) in W.P.rollouts:
            if tid == T.tid:
                self.versions.append((t, field, ver))
        self.versions.sort()
        for (t, field, ver) in self.versions:
            self.add_down(t, rng.randint(60, 150), "update", None, None)
        # ordinary life: an occasional user reboot
        if rng.random() < .06:
            self.add_down(rng.randint(0, WDUR - 300), rng.randint(*boot), "user", None, None)

    def poisson_downs(self, f, per_hour, reason, boot, err=None, perr=0):
        rng, T = self.rng, self.T
        t = f.onset.get(T.tid, f.start)
        while True:
            t += rng.expovariate(per_hour / 3600.0)
            if t >= f.tend.get(T.tid, f.end):
                break
            s = f.sev(T.tid, int(t))
            if s <= 0 or rng.random() > s:
                continue
            d = self.add_down(t, rng.randint(*boot), reason, f.cause, f)
            if d and err and rng.random() < perr:
                self.spont(d[1] + rng.randint(5, 40), err, None, f.cause, f)

    def poisson_errs(self, f, per_hour, kind, gate=None):
        """device-log errors that a fault produces without any transaction (self tests, watchdogs)"""
        rng, T = self.rng, self.T
        t = f.onset.get(T.tid, f.start)
        while True:
            t += rng.expovariate(per_hour / 3600.0)
            if t >= f.tend.get(T.tid, f.end):
                break
            s = f.sev(T.tid, int(t))
            if s <= 0 or rng.random() > s or (gate and not gate(t)):
                continue
            self.spont(t, kind, None, f.cause, f)

    def spont(self, t, k, v, cause, fault, x=None):
        if t < 0 or t >= WDUR:
            return
        self.spont_q.append((int(t), k, v, cause, fault, x))

    # ---- transactions
    def new_tx(self, t, base=None):
        rng, T = self.rng, self.T
        mt = MTYPES[T.m.mtype]
        if base is not None:
            tx = dict(base)
            tx["retry_n"] = base.get("retry_n", 0) + 1
            return tx
        ty = "purchase"
        r = rng.random()
        om = op_mult(T, t)[0]
        if T.m.mtype == "gas" and T.role == "hand" and r < .3:
            ty = "preauth"
        elif r < .015 * (1 + (om - 1) * .1):
            ty = "refund"
        elif r < .035 * (1 + (om - 1) * .1) and self.last_ok:
            ty = "void"
        elif r < .041:
            ty = "balance"
        chr_ = rng.random()
        if chr_ < .36:
            ch = "qr"
        elif chr_ < .76:
            ch = "card_ic"
        elif chr_ < .97:
            ch = "nfc"
        else:
            ch = "card_swipe"
        if ty in ("preauth", "balance") and ch == "qr":
            ch = "card_ic"
        amt = int(math.exp(rng.gauss(math.log(mt["amt"][0]), mt["amt"][1])))
        amt = max(100, amt // 10 * 10) if rng.random() < .6 else max(100, amt)
        if ty == "preauth":
            amt = rng.choice([30000, 50000, 80000])
        tx = dict(type=ty, amount=amt, channel=ch, retry_n=0)
        if ty == "balance":
            tx["amount"] = 0
        if ty == "void":
            o = self.last_ok[-1]
            tx.update(amount=o["amount"], channel=o["channel"], orig_stan=o["stan"], bin=o.get("bin"),
                      pan=o.get("pan"), credit=o.get("credit"), chip=True)
        if ch != "qr" and ty != "void":
            b = wchoice(rng, self.W.bins[T.city])
            info = self.W.binfo[b]
            n = info[2]
            tx["bin"] = b
            tx["credit"] = info[3]
            tx["pan"] = b + "*" * (n - 10) + "%04d" % rng.randint(0, 9999)
            tx["chip"] = rng.random() < .96
        tx["pin"] = tx["channel"] in ("card_ic", "card_swipe") and not (tx.get("credit") and rng.random() < .5) or \
            (tx["channel"] == "nfc" and tx["amount"] > 100000)
        if ty == "balance":
            tx["pin"] = True
        return tx

    def run(self):
        W, T, rng = self.W, self.T, self.rng
        self.spont_q = []
        self.prepare()
        # arrivals
        q = []
        lam_max = MTYPES[T.m.mtype]["rate"] * T.traffic * max(1.0, MTYPES[T.m.mtype]["lunch"]) * 1.05
        t = 0.0
        while True:
            t += rng.expovariate(lam_max / 3600.0)
            if t >= WDUR:
                break
            if rng.random() < rate_at(T, t) / lam_max:
                self.seq += 1
                heapq.heappush(q, (int(t), self.seq, None))
        while q:
            t, _, base = heapq.heappop(q)
            if t >= WDUR:
                continue
            if base is not None and base.get("type") == "reversal":
                self.do_reversal(t, base, q)
                continue
            if t < self.suspend and (base is None or base.get("retry_n", 0) == 0):
                continue
            d = self.is_down(t)
            if d:
                if rng.random() < .5:
                    self.seq += 1
                    heapq.heappush(q, (d[1] + rng.randint(10, 90), self.seq, base))
                continue
            tx = self.new_tx(t, base)
            # pending reversal goes first (sent before the new transaction)
            if self.pending_rev:
                rv = self.pending_rev.pop(0)
                self.do_reversal(max(t - 1, 0), rv, q, inline=True)
            self.attempt(t, tx, q)
        self.flush_spont()
        self.telemetry()

    def active(self, t):
        out = []
        for f in self.T.faults:
            s = f.sev(self.T.tid, t)
            if s > 0:
                out.append((f, s))
        return out

    def pipeline(self, t, tx, stages):
        act = self.active(t)
        slow = 1.0
        for stage in stages:
            for f, s in act:
                o = fault_hook(self.W, f, stage, self.T, t, s, tx, self.rng, stage)
                if o is None:
                    continue
                if o["k"] == "slow":
                    slow *= o["f"]
                    continue
                o["stage"] = stage
                return o, f.cause, f, slow
            b = background(self.W, stage, self.T, t, tx, self.rng, stage)
            if b:
                o, cause, ff = b
                o["stage"] = stage
                return o, cause, ff, slow
        return O("ok", stage="print"), None, None, slow

    def base_latency(self, slow):
        rng, T = self.rng, self.T
        return int((T.base_lat * 4 + rng.uniform(350, 1400)) * slow * rng.uniform(.85, 1.2))

    def txn_rec(self, t, tx, stan):
        T, W = self.T, self.W
        H = HOSTS[T.host]
        rec = {"kind": "txn", "ts": t, "terminal_id": T.tid}
        if self.rng.random() < .97:
            rec["merchant_id"] = T.mid
        rec.update(type=tx["type"], amount=tx["amount"], currency=H["currency"], channel=tx["channel"], stan=stan)
        rec["mcc"] = T.m.jump_mcc or T.m.mcc
        if tx.get("orig_stan"):
            rec["orig_stan"] = tx["orig_stan"]
        if tx.get("pan") and tx["channel"] != "qr":
            rec["pan"] = tx["pan"]
        return rec

    def down_soon(self, t, horizon):
        for d in self.downs:
            if t < d[0] <= t + horizon and d[3] is not None:
                return d
        return None

    def attempt(self, t, tx, q):
        W, T, rng = self.W, self.T, self.rng
        ds = self.down_soon(t, 8) if tx["type"] != "balance" else None
        if ds is not None:      # the terminal dies while this transaction is in flight
            o, cause, fault, slow = O("timeout", var=None, retry=.5, stage="net", inflight=ds), ds[3], ds[4], 1.0
        else:
            o, cause, fault, slow = self.pipeline(t, tx, STAGES)
        k = o["k"]
        stan = None
        if o["stage"] in SENT_STAGES or k in ("ok", "okerr", "rc", "timeout"):
            stan = self.next_stan()
        failed = k in ("abort", "timeout", "rc")
        if k == "abort":
            x = o.get("x") or {}
            sst = stan if (stan and T.vendor in ("landi", "centerm", "pax")) else None
            self.emit(make_error(W, T, t + rng.randint(1, 4), o["err"], o.get("var"), rng, sst, x), cause, fault)
            for (ek, ev, dt) in o.get("extra", []):
                self.emit(make_error(W, T, t + 4 + dt, ek, ev, rng), cause, fault)
            if o.get("crash"):
                T.crashes = getattr(T, "crashes", [])
                T.crashes.append(t)
        elif k == "timeout":
            to = T.M["timeout"]
            rec = self.txn_rec(t, tx, stan)
            rec["timed_out"] = True
            rec["latency_ms"] = to * 1000 + rng.randint(0, 900)
            self.emit(rec, cause, fault)
            if o.get("inflight"):
                d = o["inflight"]
                ek = {"power.supply": "power_recover", "power.battery": "power_recover", "hardware.board": "board",
                      "resource.memory": "memory", "software.bug": "crash"}.get(cause, "power_recover")
                self.spont(d[1] + rng.randint(3, 25), ek if d[2] != "power_loss" else "power_recover",
                           None, cause, fault, x={"stan": stan})
            elif o.get("err2"):
                self.emit(make_error(W, T, t + rng.randint(1, 3), o["err2"], None, rng, stan), cause, fault)
            elif rng.random() < {"landi": .9, "centerm": .7, "newland": .8, "sunmi": .6, "nexgo": .5, "pax": .85}[T.vendor]:
                self.emit(make_error(W, T, t + rng.randint(1, 3), "timeout", o.get("var"), rng, stan), cause, fault)
            if o.get("down"):
                dt, reason = o["down"]
                d = self.add_down(t + dt, rng.randint(*T.M["boot"]), reason, cause, fault)
                if d:
                    self.spont(d[1] + rng.randint(3, 25), "power_recover" if reason == "power_loss" else
                               ("board" if reason == "watchdog" and cause == "hardware.board" else "power_recover"),
                               None, cause, fault, x={"stan": stan})
            if tx["type"] in ("purchase", "preauth", "completion", "refund", "void"):
                self.pending_rev.append(dict(type="reversal", amount=tx["amount"], channel=tx["channel"],
                                             pan=tx.get("pan"), orig_stan=stan, tries=0, cause=cause, fault=fault,
                                             retry_n=0, pin=False))
                self.seq += 1
                heapq.heappush(q, (t + to + rng.randint(20, 120), self.seq, self.pending_rev[-1]))
        else:
            rec = self.txn_rec(t, tx, stan)
            rc = o.get("rc", "00") if k == "rc" else "00"
            if rc == "00" and rng.random() < .003:
                rc = rng.choice(["11", "A2", "A4", "A6"])
            rec["response_code"] = rc
            rec["rrn"] = self.rrn(t)
            rec["latency_ms"] = o.get("lat") or self.base_latency(slow)
            if rc in APPROVALS and tx["type"] in ("purchase", "completion", "preauth"):
                rate = T.m.qr_rate if tx["channel"] == "qr" else T.m.card_rate
                if tx["type"] != "preauth":
                    rec["fee"] = int(round(tx["amount"] * rate))
            self.emit(rec, cause if k == "rc" else None, fault if k == "rc" else None)
            if k == "rc":
                if o.get("err"):
                    self.emit(make_error(W, T, t + rng.randint(1, 3), o["err"], None, rng, stan), cause, fault)
                for (ek, ev, dt) in o.get("extra", []):
                    self.emit(make_error(W, T, t + 3 + dt, ek, ev, rng), cause, fault)
            else:
                if rc in APPROVALS and tx["type"] in ("purchase",):
                    self.last_ok.append(dict(tx, stan=stan))
                    self.last_ok = self.last_ok[-5:]
                if tx["type"] == "void" and self.last_ok:
                    self.last_ok.pop()
                if tx["type"] == "preauth":
                    c = dict(tx, type="completion", amount=int(tx["amount"] * rng.uniform(.3, .9)) // 100 * 100,
                             retry_n=0, orig_stan=stan)
                    self.seq += 1
                    heapq.heappush(q, (t + rng.randint(150, 420), self.seq, c))
                if k == "okerr":
                    self.emit(make_error(W, T, t + rng.randint(2, 6), o["err"], o.get("var"), rng,
                                         stan if o["err"] == "mac" else None), cause, fault)
                    if o.get("crash"):
                        T.crashes = getattr(T, "crashes", [])
                        T.crashes.append(t)
                    if o.get("reverse"):
                        self.pending_rev.append(dict(type="reversal", amount=tx["amount"], channel=tx["channel"],
                                                     pan=tx.get("pan"), orig_stan=stan, tries=0, retry_n=0, pin=False))
        # cashier behaviour after a failure
        if failed:
            self.fails.append(t)
            self.fails = [x for x in self.fails if x > t - 900]
            is_decline = cause in ("card.decline",) or (k == "rc" and cause and cause.startswith("business"))
            if not is_decline and len(self.fails) >= 3 and rng.random() < .35:
                self.suspend = t + rng.randint(10, 40) * 60
                self.fails = []
            if tx.get("retry_n", 0) < 3 and rng.random() < o.get("retry", .4):
                nb = dict(tx)
                nb.pop("bad_pin", None)
                if o.get("fallback"):
                    nb["channel"] = "card_swipe"
                    nb["fallback_of"] = o.get("rfault")
                    nb["pin"] = True
                elif o.get("newch") and rng.random() < .6:
                    nb["channel"] = o["newch"]
                    if nb["channel"] == "qr":
                        for kk in ("pan", "bin", "credit", "chip"):
                            nb.pop(kk, None)
                        nb["pin"] = False
                if o.get("newtype"):
                    nb["type"] = o["newtype"]
                if nb["type"] in ("preauth", "balance", "completion") and nb["channel"] == "qr":
                    nb["channel"] = "card_ic"
                    if "pan" not in nb:
                        return
                self.seq += 1
                heapq.heappush(q, (t + rng.randint(15, 90), self.seq, nb))

    def do_reversal(self, t, rv, q, inline=False):
        W, T, rng = self.W, self.T, self.rng
        if rv.get("done"):
            return
        if self.is_down(t):
            self.seq += 1
            heapq.heappush(q, (t + rng.randint(60, 180), self.seq, rv))
            return
        o, cause, fault, slow = self.pipeline(t, dict(rv, channel=rv["channel"]), ["connect", "tls", "net"])
        rv["tries"] += 1
        if o["k"] == "ok":
            stan = self.next_stan()
            rec = self.txn_rec(t, rv, stan)
            rec["response_code"] = "00"
            rec["rrn"] = self.rrn(t)
            rec["latency_ms"] = self.base_latency(slow)
            self.emit(rec)
            rv["done"] = True
            if rv in self.pending_rev:
                self.pending_rev.remove(rv)
            return
        if o["k"] == "timeout":
            stan = self.next_stan()
            rec = self.txn_rec(t, rv, stan)
            rec["timed_out"] = True
            rec["latency_ms"] = T.M["timeout"] * 1000 + rng.randint(0, 900)
            self.emit(rec, cause, fault)
        if rv["tries"] < 5:
            if rv not in self.pending_rev:
                self.pending_rev.append(rv)
            if not inline:
                self.seq += 1
                heapq.heappush(q, (t + rng.randint(90, 300), self.seq, rv))

    def flush_spont(self):
        W, T, rng = self.W, self.T, self.rng
        for (t, k, v, cause, fault, x) in sorted(self.spont_q, key=lambda e: (e[0], e[1])):
            if t >= WDUR:
                continue
            d = self.is_down(t)
            if d:
                continue
            stan = (x or {}).get("stan")
            self.emit(make_error(W, T, t, k, v, rng, stan, x), cause, fault)

    # ---- heartbeats
    def telemetry(self):
        W, T, rng = self.W, self.T, self.rng
        M = T.M
        fields = M["fields"]
        hb = M["hb"]
        t = rng.uniform(0, hb)
        last = -1
        pending_reboot = None
        pend_pe = 0
        vi = 0
        cur = {"firmware": T.fw, "app_version": T.app}
        announced = dict(cur)
        pushes = sorted(x for x in W.P.param_push if x[1] == T.tid)
        pi = 0
        cert_changes = sorted(x for x in W.P.cert_change if x[1] == T.tid)
        ci = 0
        crashes = sorted(getattr(T, "crashes", []))
        cri = 0
        kr_err = 0
        pk_err = 0
        downs = self.downs
        di = 0
        sags = sorted(self.sagcount)
        si = 0
        while t < WDUR:
            ti = int(t)
            # reboots completed since last sample
            while di < len(downs) and downs[di][1] <= ti:
                r = downs[di][2]
                if pending_reboot is None or r == "power_loss":
                    pending_reboot = r
                di += 1
            while si < len(sags) and sags[si] <= ti:
                pend_pe += 1
                si += 1
            while vi < len(self.versions) and self.versions[vi][0] <= ti:
                cur[self.versions[vi][1]] = self.versions[vi][2]
                vi += 1
            napp = 0
            while cri < len(crashes) and crashes[cri] <= ti:
                napp += 1
                cri += 1
            act = self.active(ti)
            d = self.is_down(ti)
            lost = False
            if not d:
                for f, s in act:
                    if f.cause in ("network.lan", "network.signal", "network.carrier"):
                        p = {"network.lan": .55, "network.signal": .45, "network.carrier": .8}[f.cause] * s
                        if rng.random() < p:
                            lost = True
                    elif f.cause == "power.supply" and f.variant == "site_mains" and T.net in ("ethernet", "wifi"):
                        for (ts, depth, rdown) in f.p["sags"]:
                            if rdown and ts <= ti < ts + rdown:
                                lost = True
            if d or lost:
                if M["marker"]:
                    self.emit({"kind": "telemetry", "ts": ti, "terminal_id": T.tid, "online": False})
                t += hb * rng.uniform(.97, 1.03)
                continue
            rec = {"kind": "telemetry", "ts": ti, "terminal_id": T.tid, "online": True}
            h = ti / 3600.0
            busy = rate_at(T, ti) / max(1.0, MTYPES[T.m.mtype]["rate"])
            smp = {}
            if T.base_rssi is not None:
                smp["rssi_dbm"] = int(T.base_rssi + rng.gauss(0, 2.5))
            smp["latency_ms"] = int(T.base_lat * rng.lognormvariate(0, .25))
            smp["packet_loss"] = round(max(0.0, rng.gauss(0.002, 0.003)) if T.net != "ethernet" else
                                       (0.0 if rng.random() < .8 else 0.001 * rng.randint(1, 5)), 3)
            if M["nominal"]:
                smp["supply_v"] = round(M["nominal"] * (1 + rng.gauss(0, .008)), 2)
            if T.battery:
                smp["battery_pct"] = int(clamp(battery_at(T, ti), 0, 100))
            smp["storage_used_pct"] = int(min(100, T.base_storage + 0.3 * h))
            smp["memory_used_pct"] = int(clamp(T.base_mem + rng.gauss(0, 3) + 6 * busy, 5, 99))
            smp["cpu_pct"] = int(clamp(T.base_cpu + rng.gauss(0, 4) + 10 * busy * rng.random(), 1, 100))
            smp["temp_c"] = round(T.base_temp + 2.5 * math.sin((h - 1) / 6 * math.pi) + rng.gauss(0, .6), 1)
            smp["key_check"] = "ok"
            smp["clock_skew_s"] = int(rng.gauss(0, 1.2))
            smp["printer"] = "paper_out" if paper_out(T, ti) else "ok"
            smp["keypad_errors"] = 0
            smp["card_reader_errors"] = 1 if rng.random() < .004 else 0
            smp["app_crashes"] = napp
            for f, s in act:
                self.tel_fault(f, s, ti, smp)
            if pending_reboot:
                smp["reboot"] = pending_reboot
                pending_reboot = None
            smp["power_events"] = pend_pe
            pend_pe = 0
            for kk in ALL_FIELDS:
                if kk in smp and kk in fields:
                    v = smp[kk]
                    if M["sparse"] and kk in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes") \
                            and v == 0:
                        continue
                    rec[kk] = v
            for fld in ("firmware", "app_version"):
                if cur[fld] != announced[fld]:
                    rec[fld] = cur[fld]
                    announced[fld] = cur[fld]
            while pi < len(pushes) and pushes[pi][0] <= ti:
                if T.vendor in ("landi", "centerm", "pax", "sunmi"):
                    rec["param_version"] = pushes[pi][2]
                pi += 1
            while ci < len(cert_changes) and cert_changes[ci][0] <= ti:
                rec["cert_not_after"] = datetime.datetime.fromtimestamp(cert_changes[ci][2], datetime.timezone.utc) \
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                ci += 1
            self.emit(rec)
            t += hb * rng.uniform(.97, 1.03)

    def tel_fault(self, f, s, t, smp):
        rng, T = self.rng, self.T
        c, v = f.cause, f.variant
        nom = T.M["nominal"]
        if c == "power.supply" and nom:
            recent = [x for x in f.p["sags"] if t - 40 <= x[0] <= t]
            if recent:
                smp["supply_v"] = round(nom * (1 - recent[-1][1] * f.mult.get(T.tid, 1)), 2)
            elif v == "adapter":
                smp["supply_v"] = round(nom * rng.uniform(.80, .90) * (1 - .05 * s), 2)
            else:
                r = rng.random()
                if r < .35 * s:
                    smp["supply_v"] = round(nom * (1 - rng.uniform(.08, .25) * s), 2)
                elif r < .45 * s:
                    smp["supply_v"] = round(nom * (1 + rng.uniform(.06, .14)), 2)
                else:
                    smp["supply_v"] = round(nom * (1 + rng.gauss(0, .03 * s)), 2)
        elif c == "network.lan":
            smp["packet_loss"] = round(min(.95, rng.uniform(.08, .6) * s + .01), 3)
            smp["latency_ms"] = int(smp["latency_ms"] * (1 + rng.uniform(3, 25) * s))
        elif c == "network.signal":
            if T.net == "cellular":
                smp["rssi_dbm"] = int(rng.uniform(-116, -101) + (1 - s) * 8)
            elif T.base_rssi is not None:
                smp["rssi_dbm"] = int(rng.uniform(-88, -79))
            smp["latency_ms"] = int(smp["latency_ms"] * (1 + rng.uniform(2, 10) * s))
            smp["packet_loss"] = round(min(.9, rng.uniform(.05, .4) * s), 3)
        elif c == "network.carrier":
            smp["latency_ms"] = int(smp["latency_ms"] * (1 + rng.uniform(5, 30) * s))
            smp["packet_loss"] = round(min(.95, rng.uniform(.2, .7) * s), 3)
        elif c == "transmission.corruption":
            smp["packet_loss"] = round(smp["packet_loss"] + rng.uniform(.01, .05) * s, 3)
        elif c == "hardware.board":
            smp["temp_c"] = round(smp["temp_c"] + rng.uniform(12, 25) * s, 1)
            if v == "tamper":
                smp["key_check"] = "missing"
        elif c == "hardware.keypad":
            smp["keypad_errors"] = rng.randint(1, 12) if rng.random() < .7 * s else 0
        elif c == "hardware.card_reader":
            smp["card_reader_errors"] = rng.randint(1, 9) if rng.random() < .75 * s else 0
        elif c == "hardware.printer":
            smp["printer"] = "paper_out" if v == "paper_sensor" else "fault"
        elif c == "resource.storage":
            smp["storage_used_pct"] = int(storage_level(T, f, t))
        elif c == "resource.memory":
            smp["memory_used_pct"] = int(clamp(90 + 9 * s + rng.gauss(0, 1.5), 80, 99))
            smp["app_crashes"] += 1 if rng.random() < .3 * s else 0
        elif c == "resource.cpu":
            smp["cpu_pct"] = int(clamp(88 + 12 * s + rng.gauss(0, 2), 60, 100))
            smp["temp_c"] = round(smp["temp_c"] + 6 * s, 1)
        elif c == "software.bug" and v == "leak":
            lv = leak_level(T, f, t)
            if lv is not None:
                smp["memory_used_pct"] = int(clamp(lv + rng.gauss(0, 1.5), 5, 99))
        elif c == "security.keys":
            smp["key_check"] = "mismatch" if v == "out_of_sync" else "missing"
        elif c == "security.certificate" and v == "clock_skew":
            smp["clock_skew_s"] = int(f.p["skew"] + rng.randint(-2, 2))


# --------------------------------------------------------------------------- people: checks, complaints ...
def people_records(W, recs, rng):
    out = []
    ev = {}
    for r in recs:
        f = r.get("_f")
        if f is not None and is_failed(r):
            ev.setdefault(f.fid, []).append(r)
    BANK = {b[0]: b[1] for b in ISSUERS}
    cid = rng.randint(1000, 8000)
    for f in W.faults:
        es = sorted(ev.get(f.fid, []), key=lambda r: r["ts"])
        f.nevents = len(es)
        sc = f.scope
        if "site_id" in sc:
            target = {"site_id": sc["site_id"]}
        else:
            tids = sorted(f.hit) or sorted(f.mult)
            target = {"terminal_id": tids[0]} if tids else None
        # complaint
        if es and rng.random() < .6:
            e = es[min(len(es) - 1, rng.randint(2, 8))]
            T = W.T[e["terminal_id"]]
            code = e.get("code") or e.get("response_code") or "超时"
            if e.get("timed_out"):
                code = "超时"
            texts = ["收银台POS一直报%s，顾客只能扫码" % code, "刷卡老是失败，提示%s，排队的人很多" % code,
                     "POS机今天不好用，%s" % rng.choice(["一直转圈然后失败", "时好时坏", "重启也没用", "叫了好几次都不行"]),
                     "中午高峰刷不了卡，损失不少生意", "机器显示%s，是不是你们系统有问题？" % code]
            if f.cause in ("upstream.issuer", "card.decline") and "pan" in e:
                texts = ["客户的%s卡刷不了，提示%s" % (BANK.get(e["pan"][:6], "银行"), code)]
            if f.cause in ("hardware.printer",):
                texts = ["打印不出小票", "小票打不出来，机器报%s" % code]
            if f.cause in ("power.supply", "power.battery", "hardware.board"):
                texts.append("POS机老是自己重启，屏幕一黑交易就断了")
            c = {"kind": "complaint", "ts": min(WDUR + 1800, e["ts"] + rng.randint(5, 40) * 60),
                 "complaint_id": "C-%d" % cid, "from": "merchant", "merchant_id": T.mid, "text": rng.choice(texts)}
            if rng.random() < .7:
                c["terminal_id"] = T.tid
            cid += rng.randint(1, 7)
            out.append(c)
            if f.cause in ("power.supply", "network.lan", "upstream.acquirer", "security.keys") and rng.random() < .3:
                out.append({"kind": "complaint", "ts": c["ts"] + rng.randint(60, 900), "complaint_id": "C-%d" % cid,
                            "from": "customer", "merchant_id": T.mid,
                            "text": rng.choice(["在%s刷卡显示失败但是短信说扣款了" % T.m.name, "刷了三次都不成功，服务员也不会处理"])})
                cid += rng.randint(1, 7)
        if target is None:
            continue
        # checks during troubleshooting
        chk_t = (es[min(len(es) - 1, 5)]["ts"] if es else f.start + 900) + rng.randint(10, 50) * 60
        checks = {
            "power.supply": [("adapter_voltage", "%.1f" % (((W.T[sorted(f.mult)[0]].M["nominal"] if f.mult else None) or 9.0)
                                                           * rng.uniform(.72, .86))),
                             ("mains_voltage", "%dV" % rng.randint(176, 196)), ("cable_seated", "ok")],
            "power.battery": [("battery_health", "%d%%" % rng.randint(25, 45))],
            "network.lan": [("ping_gateway", "fail"), ("cable_seated", "ok"), ("router_restarted", "ok")],
            "network.signal": [("signal_test", "%ddBm" % rng.randint(-113, -103)), ("sim_reseated", "ok")],
            "network.carrier": [("router_restarted", "ok"), ("carrier_ticket", "open")],
            "hardware.printer": [("printer_self_test", "fail")],
            "hardware.card_reader": [("ic_reader_test", "fail"), ("test_card", "fail")],
            "hardware.keypad": [("keypad_test", "fail")],
            "hardware.display": [("display_test", "fail")],
            "hardware.board": [("power_cycle", "fail"), ("board_inspection", "fail")],
            "security.keys": [("key_download", "ok")],
            "security.certificate": [("power_cycle", "ok"), ("cert_check", "fail")],
            "software.config": [("param_check", "fail")],
            "software.bug": [("power_cycle", "ok"), ("app_reinstall", "ok")],
            "software.incompatible": [("app_version_check", "old")],
            "transmission.corruption": [("cable_seated", "ok"), ("cable_replaced", "ok")],
            "resource.storage": [("storage_cleanup", "ok")],
            "resource.memory": [("power_cycle", "ok"), ("background_apps", str(rng.randint(9, 19)))],
            "resource.cpu": [("power_cycle", "ok")],
            "upstream.acquirer": [("power_cycle", "ok"), ("router_restarted", "ok")],
            "upstream.issuer": [("test_card", "ok")],
            "business.merchant": [("merchant_status", rng.choice(["frozen", "closed"]))],
            "business.limit": [("merchant_limit", str(f.p.get("limit", 0)))],
            "business.risk": [("risk_flag", "on")],
            "business.txn_type": [("txn_permissions", "restricted")],
            "operator.error": [("cashier_training", "needed")],
            "card.decline": [],
        }.get(f.cause, [])
        if es and checks and rng.random() < .55 and chk_t < WDUR + 3600:
            for i, (nm, res) in enumerate(checks[:rng.randint(1, len(checks))]):
                rr = {"kind": "check", "ts": chk_t + i * rng.randint(60, 400)}
                rr.update(target)
                rr["name"] = nm
                rr["result"] = res
                out.append(rr)
        # maintenance for hardware repairs
        if f.cause.startswith("hardware.") and f.end < WDUR and "terminal_id" in target:
            out.append({"kind": "maintenance", "ts": f.end + rng.randint(0, 120), "terminal_id": target["terminal_id"],
                        "action": rng.choice(["part_replaced", "repair"]),
                        "notes": {"hardware.printer": "更换打印模块", "hardware.card_reader": "更换IC卡座",
                                  "hardware.keypad": "更换键盘膜", "hardware.display": "更换屏幕排线",
                                  "hardware.board": "更换主板"}[f.cause]})
        # a resolution (what the product learns from) after part of the faults
        if rng.random() < .4 and f.end < WDUR - 300:
            rt = f.gaps[0][0] + 60 if f.gaps and rng.random() < .6 else f.end + rng.randint(5, 30) * 60
            rr = {"kind": "resolution", "ts": rt}
            rr.update(target)
            rr["cause"] = f.cause
            rr["notes"] = {"network.lan": "路由器重启后恢复 / recovered after router restart",
                           "power.supply": "电源不稳, 更换插排/适配器", "security.keys": "重新下载工作密钥",
                           "security.certificate": "证书更新", "software.config": "TMS重新下发参数",
                           "business.merchant": "商户状态已恢复"}.get(f.cause, "已处理")
            out.append(rr)
    # daily checks (prevention) in the morning
    for T in W.terms:
        if rng.random() < .3:
            out.append({"kind": "maintenance", "ts": rng.randint(-1800, 1200), "terminal_id": T.tid,
                        "action": "daily_check", "notes": rng.choice(["电源、键盘、屏幕正常", "电源连接牢靠 键盘正常", "正常"])})
        elif rng.random() < .03:
            out.append({"kind": "maintenance", "ts": rng.randint(-1800, 600), "terminal_id": T.tid,
                        "action": rng.choice(["weekly_clean", "monthly_inspection"]), "notes": "清洁读卡器/打印头"})
    for (t, tid, field, ver, fid) in W.P.rollouts:
        if rng.random() < .35:
            out.append({"kind": "maintenance", "ts": t, "terminal_id": tid, "action": "firmware_update",
                        "notes": "TMS推送 %s -> %s" % (field, ver)})
    return out


def is_failed(r):
    if r["kind"] == "error":
        return True
    if r["kind"] == "txn":
        if r.get("timed_out"):
            return True
        rc = r.get("response_code")
        return rc is not None and rc not in APPROVALS
    return False


def event_code(r):
    if r["kind"] == "error":
        return r["code"]
    if r.get("timed_out"):
        return "timeout"
    return r["response_code"]


# --------------------------------------------------------------------------- main
def inventory(W):
    t = -3600
    out = []
    for m in W.merchants:
        out.append({"kind": "merchant", "ts": t, "merchant_id": m.mid, "name": m.name, "mcc": m.mcc, "city": m.city,
                    "settlement": m.settlement, "card_rate": m.card_rate, "qr_rate": m.qr_rate, "fixed_fee": 0})
    for s in W.sites:
        out.append({"kind": "site", "ts": t, "site_id": s.sid, "merchant_id": s.mid, "name": s.name, "city": s.city,
                    "lat": s.lat, "lon": s.lon})
    for T in W.terms:
        r = {"kind": "terminal", "ts": t, "terminal_id": T.tid, "serial": T.serial, "vendor": T.vendor,
             "model": T.model, "firmware": T.fw, "app_version": T.app, "merchant_id": T.mid, "site_id": T.sid,
             "network": T.net}
        if T.carrier:
            r["carrier"] = T.carrier
        r["host"] = T.host
        if T.cert_not_after:
            r["cert_not_after"] = datetime.datetime.fromtimestamp(T.cert_not_after, datetime.timezone.utc) \
                .strftime("%Y-%m-%dT%H:%M:%SZ")
        r["installed"] = T.installed
        out.append(r)
    return out


def simulate(seed, salt):
    W = build_world(seed)
    W.key = str(seed) if salt == 0 else "%d~%d" % (seed, salt)
    plan_faults(W, seed)
    recs = []
    for T in W.terms:
        TermSim(W, T, recs).run()
    return W, recs


def generate(seed, outdir):
    # a fault that happens to leave no failed event is useless for evaluation: re-draw the
    # plan and the simulation (never the world) with a deterministic salt, a few times at most
    for salt in range(6):
        W, recs = simulate(seed, salt)
        if all(f.hit for f in W.faults):
            break
    prng = R(W.key, "people")
    recs.extend(people_records(W, recs, prng))
    inv = inventory(W)
    # unique (terminal, ts) for failed events so a diagnosis can be matched by terminal and time
    by_t = {}
    for i, r in enumerate(recs):
        if is_failed(r):
            by_t.setdefault(r["terminal_id"], []).append(r)
    for tid in sorted(by_t):
        seen = set()
        for r in sorted(by_t[tid], key=lambda r: (r["ts"], r["kind"], event_code(r))):
            while r["ts"] in seen:
                r["ts"] += 1
            seen.add(r["ts"])
    keyed = []
    for i, r in enumerate(recs):
        keyed.append((r["ts"], i, r))
    keyed.sort(key=lambda x: (x[0], x[1]))
    # delivery order: a small share of records arrives a few seconds late
    drng = R(W.key, "delivery")
    last_of = {}
    nxt = [None] * len(keyed)
    for j in range(len(keyed) - 1, -1, -1):
        tid = keyed[j][2].get("terminal_id")
        if tid is not None:
            nxt[j] = last_of.get(tid)
            last_of[tid] = keyed[j][0]
    deliv = []
    for j, (ts, i, r) in enumerate(keyed):
        d = 0
        if r["kind"] in ("telemetry", "txn", "error") and drng.random() < .012:
            d = drng.randint(2, 9)
            if nxt[j] is not None and ts + d >= nxt[j]:
                d = max(0, nxt[j] - ts - 1)
        deliv.append((ts + d, j, r))
    deliv.sort(key=lambda x: (x[0], x[1]))
    os.makedirs(outdir, exist_ok=True)
    truth_ev = []
    with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fh:
        for r in inv:
            rr = dict(r)
            rr["ts"] = fmt_ts(W, r["ts"])
            fh.write(json.dumps(rr, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, r in deliv:
            rr = {k: v for k, v in r.items() if not k.startswith("_")}
            rr["ts"] = fmt_ts(W, r["ts"])
            fh.write(json.dumps(rr, ensure_ascii=False, separators=(",", ":")) + "\n")
            if is_failed(r):
                te = {"kind": "truth_event", "ts": rr["ts"], "terminal_id": r["terminal_id"],
                      "cause": r["_c"], "code": event_code(r)}
                if not r["_c"]:
                    raise RuntimeError("failed event without a cause: %r" % (r,))
                if r.get("stan"):
                    te["stan"] = r["stan"]
                if r["_f"] is not None:
                    te["fault_id"] = r["_f"].fid
                truth_ev.append((r["ts"], r["terminal_id"], te))
    truth_ev.sort(key=lambda x: (x[0], x[1]))
    with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for f in W.faults:
            if f.fleet:
                terms = sorted(f.hit)
            else:
                terms = sorted(f.mult)
            rec = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope, "terminals": terms,
                   "start": fmt_ts(W, f.start), "end": fmt_ts(W, f.end), "variant": f.variant,
                   "events": sum(1 for x in truth_ev if x[2].get("fault_id") == f.fid)}
            if f.gaps:
                rec["quiet"] = [[fmt_ts(W, a), fmt_ts(W, b)] for a, b in f.gaps]
            if f.related:
                rec["related"] = f.related
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, te in truth_ev:
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
    return W


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    W = generate(a.seed, a.out)
    print("seed %d: %d terminals, %d faults -> %s" % (a.seed, len(W.terms), len(W.faults), a.out))


if __name__ == "__main__":
    main()
