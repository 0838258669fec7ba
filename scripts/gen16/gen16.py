#!/usr/bin/env python3
"""gen16 -- blind, independent test-data generator for a POS-fleet diagnosis engine.

World: an aggregator / ISV payment service provider in the Yangtze River Delta
(Shanghai, Hangzhou, Suzhou, Nanjing, Ningbo), mixed fleet, evening/night window
18:00-24:00 China Standard Time (written in UTC).  Records follow posdoc record
format v1 (/work/shared/contract/FORMAT.md).  Python 3 standard library only.

    python3 gen16.py --seed N --out DIR      -> DIR/records.jsonl, DIR/truth.jsonl

Every random.Random is seeded with a string; no hash()/set-order dependence,
so the output is byte-identical for a given seed.
"""
import argparse
import bisect
import datetime as dt
import heapq
import json
import math
import os
import random
import sys

GEN = "gen16"
UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))
WIN = 6 * 3600            # window length (s): 18:00-24:00 CST
EXPORT_LAG = 1800         # export is cut 30 min after the window; later deliveries are absent


# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------
def R(*parts):
    return random.Random(GEN + "|" + "|".join(str(p) for p in parts))


def wchoice(rng, items):
    tot = sum(w for _, w in items)
    x = rng.random() * tot
    for v, w in items:
        x -= w
        if x < 0:
            return v
    return items[-1][0]


def clamp(x, a, b):
    return a if x < a else b if x > b else x


def round_half_up(x):
    return int(math.floor(x + 0.5))


def logu(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


class Ivs:
    """sorted, merged half-open intervals"""

    def __init__(self, ivs=()):
        ivs = sorted((a, b) for a, b in ivs if b > a)
        merged = []
        for a, b in ivs:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.iv = [(a, b) for a, b in merged]
        self.starts = [a for a, _ in self.iv]

    def has(self, t):
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.iv[i][1]

    def end_of(self, t):
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.iv[i][1]:
            return self.iv[i][1]
        return t


def bursts(rng, a, b, on=(60, 300), off=(60, 600), first_on=True):
    """intermittent on-intervals inside [a, b)"""
    out = []
    t = a
    state = first_on
    while t < b:
        d = rng.uniform(*(on if state else off))
        if state:
            out.append((t, min(b, t + d)))
        t += d
        state = not state
    return out


# ----------------------------------------------------------------------------
# static world tables (invented, illustrative)
# ----------------------------------------------------------------------------
CITIES = [  # slug, chinese, CUP-style area code used in MIDs, lat, lon, weight
    ("shanghai", "上海", "2900", 31.23, 121.47, 0.34),
    ("hangzhou", "杭州", "3310", 30.27, 120.15, 0.22),
    ("suzhou", "苏州", "3050", 31.30, 120.58, 0.17),
    ("nanjing", "南京", "3010", 32.06, 118.80, 0.15),
    ("ningbo", "宁波", "3320", 29.87, 121.55, 0.12),
]
CITY = {c[0]: c for c in CITIES}
BUILDINGS = {
    "shanghai": [("正大广场", 31.2366, 121.5010, "mall"), ("静安大悦城", 31.2420, 121.4610, "mall"),
                 ("五角场万达广场", 31.3010, 121.5140, "mall"), ("定海桥夜市", 31.2580, 121.5530, "market")],
    "hangzhou": [("湖滨银泰in77", 30.2590, 120.1640, "mall"), ("西溪印象城", 30.2830, 120.0700, "mall"),
                 ("胜利河美食街", 30.2930, 120.1620, "market")],
    "suzhou": [("观前街", 31.3110, 120.6240, "mall"), ("圆融时代广场", 31.3200, 120.7120, "mall"),
               ("石路夜市", 31.3150, 120.6020, "market")],
    "nanjing": [("新街口德基广场", 32.0430, 118.7840, "mall"), ("河西万达广场", 32.0380, 118.7300, "mall"),
                ("夫子庙夜市", 32.0210, 118.7890, "market")],
    "ningbo": [("天一广场", 29.8700, 121.5530, "mall"), ("老外滩", 29.8860, 121.5600, "mall"),
               ("南塘老街夜市", 29.8560, 121.5360, "market")],
}
CARRIERS = [("cmcc", 0.55), ("unicom", 0.25), ("telecom", 0.20)]

HOSTS = {  # host channel -> (ip, port, currency as written in that host's journal)
    "H1": ("10.18.3.21", 6001, "156"),
    "H2": ("10.22.7.5", 5000, "CNY"),
    "H3": ("172.16.40.9", 8583, "156"),
    "H4": ("10.30.1.14", 9000, "CNY"),
}
QR_GW = ("qrgw.yrdpay.example", 443)

# issuers and (illustrative) BINs: slug, name, [(bin, type, pan length)], weight, home cities
ISSUERS = [
    ("icbc", "工商银行", [("622202", "debit", 19), ("621226", "debit", 19), ("622230", "credit", 16)], 0.16, ()),
    ("ccb", "建设银行", [("621700", "debit", 19), ("436742", "credit", 16)], 0.14, ()),
    ("abc", "农业银行", [("622848", "debit", 19), ("622836", "credit", 16)], 0.12, ()),
    ("boc", "中国银行", [("621661", "debit", 19), ("625907", "credit", 16)], 0.08, ()),
    ("bocom", "交通银行", [("622262", "debit", 19), ("521899", "credit", 16)], 0.07, ()),
    ("cmb", "招商银行", [("621485", "debit", 16), ("622575", "credit", 16)], 0.10, ()),
    ("psbc", "邮储银行", [("621799", "debit", 19)], 0.05, ()),
    ("spdb", "浦发银行", [("622521", "debit", 16), ("622516", "credit", 16)], 0.04, ("shanghai",)),
    ("bosc", "上海银行", [("622892", "debit", 19), ("622468", "credit", 16)], 0.03, ("shanghai",)),
    ("hzb", "杭州银行", [("621652", "debit", 19), ("628260", "credit", 16)], 0.03, ("hangzhou",)),
    ("nbcb", "宁波银行", [("622281", "debit", 19), ("622282", "credit", 16)], 0.03, ("ningbo",)),
    ("njcb", "南京银行", [("622303", "debit", 19), ("628231", "credit", 16)], 0.03, ("nanjing",)),
    ("jsb", "江苏银行", [("621089", "debit", 19), ("622173", "credit", 16)], 0.03, ("suzhou", "nanjing")),
    ("zjrcu", "浙江农信", [("623091", "debit", 19)], 0.025, ("hangzhou", "ningbo")),
    ("jsrcu", "江苏农信", [("623066", "debit", 19)], 0.02, ("suzhou", "nanjing")),
    ("intl", "境外卡", [("414720", "credit", 16), ("542418", "credit", 16)], 0.012, ()),
]
ISS = {i[0]: i for i in ISSUERS}

# vendor behaviour: heartbeat interval (s), whether the TMS writes online:false for a
# missed heartbeat, whether the device buffers telemetry while offline, receive timeout (s)
VENDORS = {
    "pax": dict(hb=120, tms_offline=True, buffer_tel=False, timeout=60, upload=30),
    "sunmi": dict(hb=60, tms_offline=False, buffer_tel=True, timeout=30, upload=20),
    "newland": dict(hb=180, tms_offline=False, buffer_tel=True, timeout=60, upload=45),
    "landi": dict(hb=300, tms_offline=False, buffer_tel=False, timeout=45, upload=40),
    "centerm": dict(hb=600, tms_offline=False, buffer_tel=False, timeout=60, upload=45),
    "xgd": dict(hb=900, tms_offline=False, buffer_tel=False, timeout=50, upload=45),
    "yuntong": dict(hb=300, tms_offline=True, buffer_tel=False, timeout=30, upload=40),
}
TEL_FIELDS = {
    "pax": ["rssi_dbm", "latency_ms", "packet_loss", "supply_v_min", "battery_pct", "power_events", "reboot",
            "storage_used_pct", "memory_used_pct", "key_check", "clock_skew_s", "printer", "keypad_errors",
            "card_reader_errors", "versions", "param_version", "link"],
    "sunmi": ["rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "reboot", "storage_used_pct",
              "memory_used_pct", "cpu_pct", "temp_c", "app_crashes", "printer", "versions", "param_version", "link"],
    "newland": ["rssi_dbm", "battery_pct", "power_events", "reboot", "key_check", "clock_skew_s", "printer",
                "versions", "param_version"],
    "landi": ["latency_ms", "packet_loss", "supply_v", "reboot", "printer", "keypad_errors", "card_reader_errors",
              "temp_c"],
    "centerm": ["rssi_dbm", "firmware_only"],
    "xgd": ["reboot"],
    "yuntong": ["rssi_dbm", "supply_v", "temp_c", "reboot", "power_events"],
}
# model table: kind, android, nominal DC volts, battery, printer, physical keypad
MODELS = {
    ("pax", "S800"): dict(kind="counter", android=False, v=12.0, battery=False, printer=True, keypad=True,
                          fw=["2.6.4", "2.7.0"], app=["6.2.8", "6.3.1"]),
    ("pax", "A920"): dict(kind="handheld", android=True, v=5.0, battery=True, printer=True, keypad=False,
                          fw=["8.1.1", "8.1.3"], app=["6.2.8", "6.3.1"]),
    ("pax", "S90"): dict(kind="mpos", android=False, v=5.0, battery=True, printer=True, keypad=True,
                         fw=["3.1.9", "3.2.0"], app=["6.2.8", "6.3.1"]),
    ("pax", "E800"): dict(kind="register", android=True, v=24.0, battery=False, printer=True, keypad=False,
                          fw=["10.0.2", "10.0.5"], app=["6.2.8", "6.3.1"]),
    ("newland", "N910"): dict(kind="handheld", android=True, v=5.0, battery=True, printer=True, keypad=True,
                              fw=["V2.3.07", "V2.3.11"], app=["2.7.5", "2.8.1"]),
    ("newland", "SP630"): dict(kind="counter", android=False, v=9.0, battery=False, printer=True, keypad=True,
                               fw=["V1.6.2", "V1.6.5"], app=["2.7.5", "2.8.1"]),
    ("newland", "N86"): dict(kind="mpos", android=True, v=5.0, battery=True, printer=True, keypad=True,
                             fw=["V3.0.4", "V3.0.6"], app=["2.7.5", "2.8.1"]),
    ("landi", "APOS A8"): dict(kind="handheld", android=True, v=5.0, battery=True, printer=True, keypad=False,
                               fw=["A8_7.1.2_0915", "A8_7.1.2_1130"], app=["1.9.2", "1.9.7"]),
    ("landi", "E530"): dict(kind="counter", android=False, v=9.0, battery=False, printer=True, keypad=True,
                            fw=["E5.04.18", "E5.04.22"], app=["1.9.2", "1.9.7"]),
    ("sunmi", "P2"): dict(kind="handheld", android=True, v=5.0, battery=True, printer=True, keypad=False,
                          fw=["P2_11.2.8", "P2_11.3.1"], app=["3.11.4", "3.12.0"]),
    ("sunmi", "T2"): dict(kind="register", android=True, v=24.0, battery=False, printer=True, keypad=False,
                          fw=["T2_9.0.14", "T2_9.0.17"], app=["3.11.4", "3.12.0"]),
    ("centerm", "K9"): dict(kind="mpos", android=False, v=5.0, battery=True, printer=True, keypad=True,
                            fw=["K9-2.1.0", "K9-2.1.3"], app=["4.0.2", "4.1.0"]),
    ("centerm", "C960"): dict(kind="counter", android=False, v=9.0, battery=False, printer=True, keypad=True,
                              fw=["C9-1.8.6", "C9-1.9.0"], app=["4.0.2", "4.1.0"]),
    ("xgd", "K370"): dict(kind="counter", android=False, v=9.0, battery=False, printer=True, keypad=True,
                          fw=["K3.27", "K3.31"], app=["21.2", "21.3"]),
    ("xgd", "G2"): dict(kind="mpos", android=False, v=5.0, battery=True, printer=True, keypad=True,
                        fw=["G2.10", "G2.12"], app=["21.2", "21.3"]),
    ("yuntong", "YT-M2"): dict(kind="unattended", android=False, v=12.0, battery=False, printer=False,
                               keypad=False, fw=["m2-1.3.9", "m2-1.4.0"], app=["m2-1.3.9", "m2-1.4.0"]),
    ("yuntong", "YT-E4"): dict(kind="unattended", android=False, v=24.0, battery=False, printer=False,
                               keypad=False, fw=["e4-2.0.1", "e4-2.0.3"], app=["e4-2.0.1", "e4-2.0.3"]),
}
KIND_MODELS = {
    "counter": [("pax", "S800"), ("newland", "SP630"), ("landi", "E530"), ("centerm", "C960"), ("xgd", "K370")],
    "handheld": [("pax", "A920"), ("newland", "N910"), ("landi", "APOS A8"), ("sunmi", "P2")],
    "register": [("sunmi", "T2"), ("pax", "E800")],
    "mpos": [("pax", "S90"), ("newland", "N86"), ("centerm", "K9"), ("xgd", "G2")],
}
VENDOR_BASE_W = {"pax": 1.0, "newland": 0.9, "landi": 0.6, "sunmi": 0.8, "centerm": 0.45, "xgd": 0.45}

# merchant types: mcc, weight, chain probability/size, terminals per site, device kinds, hourly profile
# for 18..23 CST, txn rate per terminal-hour at profile 1, amount range (fen), channel mix, preauth share
MT = {
    "restaurant": dict(mcc="5812", w=0.24, chain=(0.25, 2, 4), tps=(1, 4),
                       kinds=[("counter", .45), ("handheld", .45), ("register", .10)],
                       prof=[1.0, .95, .65, .35, .18, .08], rate=(8, 22), amt=(6000, 90000),
                       chan=[("qr", .55), ("card_ic", .24), ("nfc", .16), ("card_swipe", .05)], pre=0.0),
    "bbq": dict(mcc="5814", w=0.10, chain=(0.1, 2, 3), tps=(1, 2), kinds=[("handheld", .6), ("counter", .4)],
                prof=[.25, .45, .7, .9, 1.0, .95], rate=(6, 16), amt=(8000, 60000),
                chan=[("qr", .68), ("card_ic", .15), ("nfc", .14), ("card_swipe", .03)], pre=0.0),
    "bar": dict(mcc="5813", w=0.07, chain=(0.0, 1, 1), tps=(1, 2), kinds=[("counter", .5), ("handheld", .5)],
                prof=[.1, .25, .5, .8, 1.0, 1.0], rate=(4, 12), amt=(8000, 300000),
                chan=[("qr", .45), ("card_ic", .3), ("nfc", .2), ("card_swipe", .05)], pre=0.0, intl=.05),
    "ktv": dict(mcc="7911", w=0.06, chain=(0.15, 2, 2), tps=(1, 3),
                kinds=[("counter", .5), ("handheld", .3), ("register", .2)],
                prof=[.15, .35, .6, .85, 1.0, 1.0], rate=(3, 9), amt=(20000, 500000),
                chan=[("qr", .5), ("card_ic", .3), ("nfc", .15), ("card_swipe", .05)], pre=0.25),
    "conv": dict(mcc="5499", w=0.09, chain=(0.8, 3, 8), tps=(1, 2), kinds=[("register", .55), ("counter", .45)],
                 prof=[1.0, .95, .9, .85, .8, .75], rate=(10, 24), amt=(500, 12000),
                 chan=[("qr", .75), ("nfc", .12), ("card_ic", .10), ("card_swipe", .03)], pre=0.0),
    "super": dict(mcc="5411", w=0.04, chain=(0.0, 1, 1), tps=(2, 5), kinds=[("counter", .6), ("register", .4)],
                  prof=[1.0, 1.0, .85, .6, 0.0, 0.0], rate=(15, 30), amt=(2000, 40000),
                  chan=[("qr", .6), ("card_ic", .2), ("nfc", .17), ("card_swipe", .03)], pre=0.0),
    "cinema": dict(mcc="7832", w=0.03, chain=(0.0, 1, 1), tps=(1, 3), kinds=[("counter", .7), ("register", .3)],
                   prof=[1.0, .9, .55, .35, .15, .05], rate=(6, 15), amt=(3500, 25000),
                   chan=[("qr", .6), ("card_ic", .2), ("nfc", .18), ("card_swipe", .02)], pre=0.0, intl=.02),
    "pharmacy": dict(mcc="5912", w=0.04, chain=(0.5, 2, 4), tps=(1, 1), kinds=[("counter", .7), ("register", .3)],
                     prof=[.8, .7, .6, .5, .4, .35], rate=(3, 8), amt=(1500, 30000),
                     chan=[("qr", .55), ("card_ic", .3), ("nfc", .12), ("card_swipe", .03)], pre=0.0),
    "hotel": dict(mcc="7011", w=0.03, chain=(0.0, 1, 1), tps=(1, 2), kinds=[("counter", 1.0)],
                  prof=[.6, .7, .8, .8, .7, .5], rate=(2, 6), amt=(30000, 150000),
                  chan=[("qr", .4), ("card_ic", .4), ("nfc", .15), ("card_swipe", .05)], pre=0.35, intl=.06),
    "gas": dict(mcc="5541", w=0.03, chain=(0.0, 1, 1), tps=(2, 3), kinds=[("counter", .7), ("handheld", .3)],
                prof=[1.0, .9, .8, .7, .6, .5], rate=(8, 18), amt=(15000, 50000),
                chan=[("qr", .55), ("card_ic", .3), ("nfc", .12), ("card_swipe", .03)], pre=0.0),
    "stall": dict(mcc="5814", w=0.17, chain=(0.0, 1, 1), tps=(1, 1), kinds=[("mpos", 1.0)],
                  prof=[.3, .7, 1.0, 1.0, .8, .5], rate=(4, 14), amt=(800, 8000),
                  chan=[("qr", .8), ("nfc", .1), ("card_ic", .08), ("card_swipe", .02)], pre=0.0),
}
NAMES = {
    "restaurant": ["{a}小馆", "{a}本帮菜", "{a}杭帮菜", "{a}火锅", "{a}酒家", "{a}家常菜", "{a}面馆", "{a}私房菜"],
    "bbq": ["{a}烧烤", "{a}小龙虾", "{a}夜宵"],
    "bar": ["{e} Bar", "{a}精酿", "{e} Lounge"],
    "ktv": ["{a}KTV", "{a}量贩式KTV", "{e} KTV"],
    "conv": ["{a}便利", "{e}便利店", "{a}24小时便利"],
    "super": ["{a}超市", "{a}生鲜超市"],
    "cinema": ["{a}影城", "{a}国际影城"],
    "pharmacy": ["{a}大药房"],
    "hotel": ["{a}酒店", "{a}精品酒店"],
    "gas": ["{a}加油站"],
    "stall": ["{a}臭豆腐", "{a}烤串", "{a}奶茶", "{a}糖水", "{a}生煎", "{a}炸鸡", "{a}煎饼", "{a}卤味"],
    "vending": ["{a}自助售货"], "parking": ["{a}智慧停车"], "ev": ["{a}充电"], "courier": ["{a}速运"],
    "canteen": ["{a}精密员工餐厅"],
}
SYL = ["老街", "阿忠", "金记", "小王", "滨江", "外婆", "福满", "鸿运", "禾木", "青柠", "南门", "东来", "聚福",
       "一品", "新乐", "锦里", "云间", "三味", "长乐", "百味", "乐活", "星河", "荣记", "兴隆", "大华", "安心",
       "如意", "和平", "海棠", "丰收", "蓝湾", "春风", "明珠", "锦江", "江南", "吴越", "秦淮", "甬上"]
ENG = ["Moon", "Blue Note", "Echo", "Harbor", "Velvet", "Loft", "Nova", "Urban", "Lantern", "Amber"]


# ----------------------------------------------------------------------------
# vendor error-code tables (INVENTED; codes deliberately collide across vendors)
# semantic kind -> (code, stage or None, [detail templates])
# ----------------------------------------------------------------------------
TLS_SEMS = ("TLS_EXPIRED", "TLS_FUTURE", "TLS_UNTRUSTED", "TLS_PROTO", "TLS_GENERIC")
VT = {
    "pax": {
        "CONN_FAIL": ("E1", "connect", ["[COMM] connect {ip}:{port} timeout {cto}s errno=110"]),
        "CONN_REFUSED": ("E1", "connect", ["[COMM] connect {ip}:{port} fail errno=111"]),
        "SEND_FAIL": ("E1", "send", ["[COMM] send fail errno=104", "[COMM] send fail errno=32"]),
        "RECV_TIMEOUT": ("E1", "receive", ["[COMM] recv timeout {to}s"]),
        "TLS_EXPIRED": ("E2", "tls", ["[SSL] handshake fail, peer alert 45"]),
        "TLS_FUTURE": ("E2", "tls", ["[SSL] verify fail X509 err 9"]),
        "TLS_UNTRUSTED": ("E2", "tls", ["[SSL] verify fail X509 err 20"]),
        "TLS_PROTO": ("E2", "tls", ["[SSL] handshake fail, peer alert 70"]),
        "TLS_GENERIC": ("E2", "tls", ["[SSL] handshake fail SSL_ERROR_SYSCALL"]),
        "MAC_LOCAL": ("E3", "mac", ["[SEC] TWK not found ret=-14, logon required"]),
        "PKT_ERR": ("E4", "receive", ["[ISO] unpack fail bit {fld} len {n}"]),
        "PINPAD_COMM": ("E7", "pin", ["[PED] ext pinpad no resp COM1"]),
        "CARD_READ": ("E6", "card_read", ["[ICC] power up fail ret=-{n}", "[ICC] APDU timeout"]),
        "NFC_FAIL": ("E6", "card_read", ["[PICC] detect fail ret=-{n}"]),
        "PIN_TIMEOUT": ("E7", "pin", ["[PED] input timeout"]),
        "KEY_ERR": ("E7", "pin", ["[KBD] scan err key {k}"]),
        "DISPLAY": ("E8", "app", ["[LCD] fb write err"]),
        "PRN_PAPER": ("E05", "print", ["[PRN] paper out"]),
        "PRN_FAULT": ("E06", "print", ["[PRN] head temp err", "[PRN] cutter jam"]),
        "PRN_LOWV": ("E06", "print", ["[PRN] power low"]),
        "APP_CRASH": ("E9", "app", ["[SYS] {pkg} exit sig 11", "[SYS] {pkg} exit sig 6"]),
        "ANR": ("E9", "app", ["[SYS] {pkg} not responding"]),
        "MEM_LOW": ("E9", "app", ["[SYS] lowmem kill {pkg}"]),
        "STORAGE": ("E10", "app", ["[FS] journal write fail ENOSPC"]),
        "BATT_LOW": ("E11", "power_on", ["[PWR] battery {pct}%"]),
        "SELFTEST": ("E12", "power_on", ["[SYS] selftest fail {part}"]),
        "TAMPER": ("E13", "power_on", ["[SEC] tamper detected, keys cleared"]),
        "USER_CANCEL": ("E0", "app", ["[UI] cancelled"]),
        "INPUT_TIMEOUT": ("E0", "app", ["[UI] input timeout"]),
        "OPER_PWD": ("E0", "app", ["[UI] operator pwd err"]),
        "SETTLE_FAIL": ("E14", "send", ["[SETTLE] batch upload fail"]),
        "TXN_INTERRUPTED": ("E15", "power_on", ["[TXN] last txn stan={stan} incomplete, reversal queued"]),
        "USE_CHIP": ("E0", "card_read", ["[UI] chip card, insert ICC"]),
    },
    "newland": {
        "CONN_FAIL": ("E2", "connect", ["通讯失败|ret=-1201"]),
        "CONN_REFUSED": ("E2", "connect", ["通讯失败|ret=-1202"]),
        "SEND_FAIL": ("E2", "send", ["通讯失败|ret=-1203"]),
        "RECV_TIMEOUT": ("E3", "receive", ["接收超时|ret=-1301"]),
        "TLS_EXPIRED": ("E2", "tls", ["通讯失败|ret=-1315"]),
        "TLS_FUTURE": ("E2", "tls", ["通讯失败|ret=-1316"]),
        "TLS_UNTRUSTED": ("E2", "tls", ["通讯失败|ret=-1317"]),
        "TLS_PROTO": ("E2", "tls", ["通讯失败|ret=-1318"]),
        "TLS_GENERIC": ("E2", "tls", ["通讯失败|ret=-1319"]),
        "MAC_LOCAL": ("E1", "mac", ["终端状态错误:未签到|ret=-2101"]),
        "HOST_MAC": ("E98", "mac", ["交易失败[A0]"]),
        "HOST_RESP": ("E98", "receive", ["交易失败[{rc}]"]),
        "PKT_ERR": ("E10", "receive", ["解包失败|ret=-1402"]),
        "PINPAD_COMM": ("E08", "pin", ["密码键盘通讯错|ret=-3101"]),
        "CARD_READ": ("E05", "card_read", ["读卡错误|ret=-4101"]),
        "NFC_FAIL": ("E05", "card_read", ["读卡错误|ret=-4201"]),
        "PIN_TIMEOUT": ("E08", "pin", ["密码输入超时|ret=-3102"]),
        "KEY_ERR": ("E08", "pin", ["按键异常|ret=-3103"]),
        "DISPLAY": ("E12", "app", ["显示异常|ret=-5101"]),
        "PRN_PAPER": ("E06", "print", ["打印机缺纸"]),
        "PRN_FAULT": ("E07", "print", ["打印机故障|ret=-6102"]),
        "PRN_LOWV": ("E07", "print", ["打印机故障|ret=-6103"]),
        "APP_CRASH": ("E09", "app", ["应用异常退出"]),
        "ANR": ("E09", "app", ["应用无响应"]),
        "MEM_LOW": ("E09", "app", ["应用异常退出|内存不足"]),
        "STORAGE": ("E1", "app", ["终端状态错误:流水已满|ret=-2203"]),
        "BATT_LOW": ("E11", "power_on", ["电量低({pct}%)"]),
        "SELFTEST": ("E1", "power_on", ["终端状态错误:自检失败|ret=-2301"]),
        "TAMPER": ("E1", "power_on", ["终端状态错误:安全触发|ret=-2302"]),
        "USER_CANCEL": ("E00", "app", ["交易取消"]),
        "INPUT_TIMEOUT": ("E00", "app", ["操作超时"]),
        "OPER_PWD": ("E00", "app", ["操作员密码错"]),
        "SETTLE_FAIL": ("E13", "send", ["结算失败"]),
        "TXN_INTERRUPTED": ("E1", "power_on", ["终端状态错误:上笔交易未完成|ret=-2401"]),
        "USE_CHIP": ("E00", "card_read", ["IC卡请插卡"]),
    },
    "landi": {
        "CONN_FAIL": ("E2", "connect", ["net: connect -0x0044"]),
        "CONN_REFUSED": ("E2", "connect", ["net: connect -0x0044 errno 111"]),
        "SEND_FAIL": ("E2", "send", ["net: send -0x004E"]),
        "RECV_TIMEOUT": ("E05", "receive", ["net: recv -0x6800"]),
        "TLS_EXPIRED": ("E1", "tls", ["ssl: handshake -0x7780 alert 45"]),
        "TLS_FUTURE": ("E1", "tls", ["ssl: handshake -0x2700 flags 0x200"]),
        "TLS_UNTRUSTED": ("E1", "tls", ["ssl: handshake -0x2700 flags 0x08"]),
        "TLS_PROTO": ("E1", "tls", ["ssl: handshake -0x7780 alert 70"]),
        "TLS_GENERIC": ("E1", "tls", ["ssl: handshake -0x7280"]),
        "MAC_LOCAL": ("E1", "mac", ["sec: TWK slot {n} empty"]),
        "HOST_MAC": ("E1", "mac", ["sec: rsp A0"]),
        "PKT_ERR": ("E6", "receive", ["iso: unpack fld {fld}"]),
        "PINPAD_COMM": ("E7", "pin", ["ped: ext timeout"]),
        "CARD_READ": ("E3", "card_read", ["icc: reset fail {n}"]),
        "NFC_FAIL": ("E3", "card_read", ["picc: poll fail {n}"]),
        "PIN_TIMEOUT": ("E7", "pin", ["ped: input timeout"]),
        "KEY_ERR": ("E7", "pin", ["kbd: key {k} err"]),
        "DISPLAY": ("E9", "app", ["lcd: init fail"]),
        "PRN_PAPER": ("E4", "print", ["prn: no paper"]),
        "PRN_FAULT": ("E4", "print", ["prn: head hot", "prn: motor err"]),
        "PRN_LOWV": ("E4", "print", ["prn: vol low"]),
        "APP_CRASH": ("E6", "app", ["sys: app abort {n}"]),
        "ANR": ("E6", "app", ["sys: app hang"]),
        "MEM_LOW": ("E6", "app", ["sys: malloc fail"]),
        "STORAGE": ("E6", "app", ["fs: write -28"]),
        "BATT_LOW": ("E8", "power_on", ["pwr: bat {pct}"]),
        "SELFTEST": ("E9", "power_on", ["hw: selftest {part}"]),
        "TAMPER": ("E9", "power_on", ["hw: tamper, keys zeroized"]),
        "USER_CANCEL": ("E0", "app", ["ui: cancel"]),
        "INPUT_TIMEOUT": ("E0", "app", ["ui: timeout"]),
        "OPER_PWD": ("E0", "app", ["ui: oper pwd"]),
        "SETTLE_FAIL": ("E2", "send", ["settle: upload fail"]),
        "TXN_INTERRUPTED": ("E6", "power_on", ["sys: txn log incomplete {stan}"]),
        "USE_CHIP": ("E0", "card_read", ["ui: use chip"]),
    },
    "sunmi": {
        "CONN_FAIL": ("-1001", "connect", ["java.net.SocketTimeoutException: failed to connect to /{ip} (port {port}) after {cto}000ms"]),
        "CONN_REFUSED": ("-1001", "connect", ["java.net.ConnectException: failed to connect to /{ip} (port {port}): connect failed: ECONNREFUSED (Connection refused)"]),
        "SEND_FAIL": ("-1004", "send", ["java.net.SocketException: Broken pipe"]),
        "RECV_TIMEOUT": ("-1002", "receive", ["java.net.SocketTimeoutException: Read timed out"]),
        "TLS_EXPIRED": ("-1003", "tls", ["javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired"]),
        "TLS_FUTURE": ("-1003", "tls", ["javax.net.ssl.SSLHandshakeException: java.security.cert.CertPathValidatorException: timestamp check failed"]),
        "TLS_UNTRUSTED": ("-1003", "tls", ["javax.net.ssl.SSLHandshakeException: java.security.cert.CertPathValidatorException: Trust anchor for certification path not found."]),
        "TLS_PROTO": ("-1003", "tls", ["javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version"]),
        "TLS_GENERIC": ("-1003", "tls", ["javax.net.ssl.SSLHandshakeException: SSL handshake aborted: I/O error during system call, Connection reset by peer"]),
        "MAC_LOCAL": ("-6001", "mac", ["工作密钥不存在,请先签到"]),
        "HOST_MAC": ("-6002", "mac", ["MAC校验失败 rc=A0"]),
        "HOST_RESP": ("-7000", "receive", ["交易失败 rc={rc}"]),
        "PKT_ERR": ("-1005", "receive", ["ISO8583 unpack error: field {fld}"]),
        "PINPAD_COMM": ("-2005", "pin", ["PinPad disconnected"]),
        "CARD_READ": ("-2001", "card_read", ["IC卡读卡失败 checkCard ret=-{n}"]),
        "NFC_FAIL": ("-2002", "card_read", ["非接读卡失败 ret=-{n}"]),
        "PIN_TIMEOUT": ("-2003", "pin", ["PinPad input timeout"]),
        "KEY_ERR": ("-2004", "pin", ["touch panel no response"]),
        "DISPLAY": ("-8004", "app", ["SurfaceFlinger: HWC display error"]),
        "PRN_PAPER": ("-3001", "print", ["打印机缺纸"]),
        "PRN_FAULT": ("-3002", "print", ["打印机过热", "打印机故障"]),
        "PRN_LOWV": ("-3003", "print", ["打印电压低"]),
        "APP_CRASH": ("-4001", "app", ["FATAL EXCEPTION: main java.lang.NullPointerException", "FATAL EXCEPTION: main java.lang.IllegalStateException"]),
        "ANR": ("-4003", "app", ["ANR in {pkg}"]),
        "MEM_LOW": ("-4002", "app", ["java.lang.OutOfMemoryError: Failed to allocate a {n}0016 byte allocation"]),
        "STORAGE": ("-5001", "app", ["android.database.sqlite.SQLiteFullException: database or disk is full (code 13)"]),
        "BATT_LOW": ("-8001", "power_on", ["电量低 {pct}%"]),
        "SELFTEST": ("-8002", "power_on", ["Hardware self-check failed: {part}"]),
        "TAMPER": ("-8003", "power_on", ["安全芯片触发,密钥已清除"]),
        "USER_CANCEL": ("-9001", "app", ["用户取消"]),
        "INPUT_TIMEOUT": ("-9002", "app", ["操作超时"]),
        "OPER_PWD": ("-9003", "app", ["操作员密码错误"]),
        "SETTLE_FAIL": ("-1006", "send", ["结算上送失败"]),
        "TXN_INTERRUPTED": ("-4005", "power_on", ["上笔交易异常中断,已发起冲正"]),
        "USE_CHIP": ("-9004", "card_read", ["该卡为IC卡,请插卡"]),
    },
}


def _group(table, groups):
    out = {}
    for code, msg, sems in groups:
        for s in sems:
            out[s] = (code, None, [msg])
    table.update(out)
    return table


VT["centerm"] = _group({}, [
    ("1003", "通讯失败", ["CONN_FAIL", "CONN_REFUSED", "SEND_FAIL", "PKT_ERR", "STORAGE", "SETTLE_FAIL"] + list(TLS_SEMS)),
    ("1004", "交易超时", ["RECV_TIMEOUT"]),
    ("1005", "读卡失败", ["CARD_READ", "NFC_FAIL", "USE_CHIP"]),
    ("1006", "打印失败", ["PRN_PAPER", "PRN_FAULT", "PRN_LOWV"]),
    ("1007", "密码输入失败", ["PIN_TIMEOUT", "KEY_ERR", "PINPAD_COMM"]),
    ("1009", "交易异常", ["APP_CRASH", "ANR", "MEM_LOW", "MAC_LOCAL", "SELFTEST", "TAMPER", "DISPLAY", "TXN_INTERRUPTED"]),
    ("1010", "电池电量低", ["BATT_LOW"]),
    ("1000", "交易取消", ["USER_CANCEL", "INPUT_TIMEOUT", "OPER_PWD"]),
])
VT["xgd"] = _group({}, [
    ("05", "COMM ERR", ["CONN_FAIL", "CONN_REFUSED", "SEND_FAIL", "SETTLE_FAIL"]),
    ("06", "TIMEOUT", ["RECV_TIMEOUT"]),
    ("12", "SEC ERR", list(TLS_SEMS) + ["MAC_LOCAL", "TAMPER"]),
    ("01", "CARD ERR", ["CARD_READ", "NFC_FAIL", "USE_CHIP"]),
    ("02", "PIN ERR", ["PIN_TIMEOUT", "KEY_ERR", "PINPAD_COMM"]),
    ("03", "PRN ERR", ["PRN_PAPER", "PRN_FAULT", "PRN_LOWV"]),
    ("30", "SYS ERR", ["APP_CRASH", "ANR", "MEM_LOW", "PKT_ERR", "SELFTEST", "DISPLAY", "TXN_INTERRUPTED"]),
    ("51", "MEM FULL", ["STORAGE"]),
    ("08", "BAT LOW", ["BATT_LOW"]),
    ("99", "CANCEL", ["USER_CANCEL", "INPUT_TIMEOUT", "OPER_PWD"]),
])
YT_SUB = {"CONN_FAIL": 0x11, "CONN_REFUSED": 0x12, "SEND_FAIL": 0x13, "RECV_TIMEOUT": 0x14, "PKT_ERR": 0x15,
          "SETTLE_FAIL": 0x16, "TLS_EXPIRED": 0x21, "TLS_FUTURE": 0x22, "TLS_UNTRUSTED": 0x23, "TLS_PROTO": 0x24,
          "TLS_GENERIC": 0x25, "MAC_LOCAL": 0x31, "HOST_MAC": 0x32, "HOST_RESP": 0x40, "CARD_READ": 0x51,
          "NFC_FAIL": 0x52, "APP_CRASH": 0x61, "ANR": 0x62, "MEM_LOW": 0x63, "STORAGE": 0x64, "SELFTEST": 0x71,
          "TAMPER": 0x72, "DISPLAY": 0x73, "INPUT_TIMEOUT": 0x81, "USER_CANCEL": 0x81, "BATT_LOW": 0x91,
          "PRN_PAPER": 0xA1, "PRN_FAULT": 0xA2, "PRN_LOWV": 0xA2, "PIN_TIMEOUT": 0x82, "KEY_ERR": 0x83,
          "PINPAD_COMM": 0x84, "OPER_PWD": 0x81, "TXN_INTERRUPTED": 0x65, "USE_CHIP": 0x53}
VT["yuntong"] = {s: ("E2" if s == "BATT_LOW" else "E1", None, ["E1:{sub:02X} TXN FAIL"]) for s in YT_SUB}
VT["yuntong"]["HOST_RESP"] = ("E1", None, ["E1:40 TXN FAIL RC={rc}"])

# host response codes some vendors also log as an error record
SYS_RC = ("A0", "30", "03", "96", "90", "91", "92", "98", "97", "40", "58")
LOGS_HOST_RESP = {"newland": "sys", "sunmi": "sys", "yuntong": "all", "landi": "mac"}
# firmware lines that show every TLS failure under the comm code
MODEL_OVERRIDE = {("pax", "S90"): {s: ("E1", "connect", ["[COMM] connect {ip}:{port} ssl err"]) for s in TLS_SEMS}}
PARTS = ["RTC", "SAM", "TAMPER_SW", "FLASH", "SENSOR_T"]
PKG = {"pax": "com.pax.pay", "sunmi": "com.yrdpay.pos", "newland": "com.newland.pay", "landi": "com.landi.pay"}


# ----------------------------------------------------------------------------
# world
# ----------------------------------------------------------------------------
class Merchant:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.sites = []
        self.terms = []


class Site:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.terms = []


class Term:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.E = {}
        self.updates = []          # (t, firmware, app_version, reason)
        self.param_changes = []    # (t, param_version)

    def eff(self, cat):
        return self.E.get(cat, ())

    def add(self, cat, e):
        self.E.setdefault(cat, []).append(e)

    def app_at(self, t):
        v = self.app
        for ut, fw, app, _ in self.updates:
            if ut <= t and app:
                v = app
        return v

    def fw_at(self, t):
        v = self.fw
        for ut, fw, app, _ in self.updates:
            if ut <= t and fw:
                v = fw
        return v


class SitePower:
    """mains quality at a site: short sags, brown-out periods, outages"""

    def __init__(self):
        self.sags = []       # (t0, dur, depth)  depth = fraction lost
        self.brown = []      # (a, b, factor)
        self.out = Ivs()
        self.owner = None    # Fault

    def factor(self, t):
        if self.out.has(t):
            return 0.0
        f = 1.0
        for a, d, depth in self.sags:
            if a <= t < a + d:
                f = min(f, 1.0 - depth)
        for a, b, fac in self.brown:
            if a <= t < b:
                f = min(f, fac)
        return f

    def min_factor(self, a, b):
        f = self.factor(b)
        for t0, d, depth in self.sags:
            if t0 < b and t0 + d > a:
                f = min(f, 1.0 - depth)
        for x, y, fac in self.brown:
            if x < b and y > a:
                f = min(f, fac)
        for x, y in self.out.iv:
            if x < b and y > a:
                f = 0.0
        return f


def dc_from_mains(f):
    """adapter output fraction of nominal given mains fraction (regulated down to ~85 %)"""
    if f >= 0.85:
        return 1.0
    return max(0.0, 1.0 - (0.85 - f) * 1.5)


class Fault:
    def __init__(self, fid, cause, mech, scope, start, end, shared):
        self.fid, self.cause, self.mech, self.scope = fid, cause, mech, scope
        self.start, self.end, self.shared = start, end, shared
        self.terms = set()
        self.terms_from_events = False
        self.terms_plus_events = False
        self.notes = ""
        self.events = 0
        self.ev_terms = set()
        self.first_fail = None
        self.fail_times = []


class World:
    def __init__(self, seed):
        self.seed = seed
        self.merchants, self.sites, self.terms = [], [], []
        self.T = {}
        self.HE = {h: [] for h in HOSTS}      # host effects
        self.ME = {}                           # merchant effects
        self.IE = {}                           # issuer effects
        self.power = {}                        # site_id -> SitePower
        self.faults = []
        self.extra = []                        # people/TMS records: (t, rec)
        self.benign = []                       # confounders description


def iso(W, t):
    return (W.W0 + dt.timedelta(seconds=int(t))).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_str(W, t, fmt="%Y-%m-%d %H:%M:%S", skew=0):
    return (W.W0 + dt.timedelta(seconds=int(t + skew))).astimezone(CST).strftime(fmt)


def build_world(seed):
    W = World(seed)
    rng = R(seed, "world")
    day = dt.date(2026, 11, 20) + dt.timedelta(days=(seed * 11) % 40)
    W.day = day
    W.W0 = dt.datetime(day.year, day.month, day.day, 18, 0, 0, tzinfo=CST).astimezone(UTC)
    W.busy = {4: 1.15, 5: 1.25, 6: 1.05}.get(day.weekday(), 1.0)
    W.N_target = rng.randint(250, 350)
    W.vend_w = {v: VENDOR_BASE_W[v] * rng.uniform(0.4, 1.8) for v in sorted(VENDOR_BASE_W)}
    W.p_old = {v: rng.uniform(0.15, 0.55) for v in sorted(list(VENDOR_BASE_W) + ["yuntong"])}
    W.host_w = [(h, w * rng.uniform(0.6, 1.5)) for h, w in [("H1", .35), ("H2", .30), ("H3", .20), ("H4", .15)]]
    W.city_w = [(c[0], c[5] * rng.uniform(0.7, 1.3)) for c in CITIES]
    W.tids = set()
    W.mid_seq = {}
    W.site_seq = 0

    # fixed operators: courier riders, unattended fleets, the factory canteen
    mk_courier(W, rng)
    mk_unattended(W, rng, "vending")
    if rng.random() < 0.6:
        mk_unattended(W, rng, "vending")
    mk_unattended(W, rng, "parking")
    mk_unattended(W, rng, "ev")
    mk_canteen(W, rng)
    types = [(k, v["w"]) for k, v in MT.items()]
    while len(W.terms) < W.N_target:
        mk_merchant(W, rng, wchoice(rng, types))
    for m in W.merchants:
        W.ME.setdefault(m.mid, [])
    for i in ISSUERS:
        W.IE.setdefault(i[0], [])
    # business-layer anomalies that are NOT failures (article C2/C3): MCC "code jumping", silent rate rise
    cands = [m for m in W.merchants if m.type in ("ktv", "bar", "restaurant", "hotel")]
    cands.sort(key=lambda m: m.mid)
    if cands:
        m = rng.choice(cands)
        m.txn_mcc = "5311"
        W.benign.append("merchant %s (%s) carries mcc 5311 on its transactions instead of %s" % (m.mid, m.mcc, m.mcc))
    cands = [m for m in W.merchants if m.type in ("restaurant", "bbq", "conv", "stall")]
    cands.sort(key=lambda m: m.mid)
    if cands:
        m = rng.choice(cands)
        m.fee_card = m.card_rate + 0.0008
        W.benign.append("merchant %s is charged %.4f on cards vs registered %.4f" % (m.mid, m.fee_card, m.card_rate))
    return W


def new_mid(W, rng, city, mcc):
    area = CITY[city][2]
    k = (area, mcc)
    if k not in W.mid_seq:
        W.mid_seq[k] = rng.randint(10, 4000)
    W.mid_seq[k] += rng.randint(1, 37)
    return "898%s%s%04d" % (area, mcc, W.mid_seq[k] % 10000)


def new_tid(W, rng):
    while True:
        t = "%08d" % rng.randint(10000000, 99999999)
        if t not in W.tids:
            W.tids.add(t)
            return t


def pick_city(W, rng):
    return wchoice(rng, W.city_w)


def mk_name(rng, typ):
    tpl = rng.choice(NAMES[typ])
    return tpl.format(a=rng.choice(SYL), e=rng.choice(ENG))


def new_merchant(W, rng, typ, city, mcc, name=None, settlement=None):
    mid = new_mid(W, rng, city, mcc)
    host = wchoice(rng, W.host_w)
    backup = None
    if rng.random() < 0.4:
        backup = rng.choice([h for h in sorted(HOSTS) if h != host])
    m = Merchant(mid=mid, type=typ, mcc=mcc, name=name or mk_name(rng, typ), city=city,
                 settlement=settlement or ("indirect" if typ == "stall" else wchoice(rng, [("direct", .8), ("indirect", .2)])),
                 card_rate=rng.choice([0.006, 0.006, 0.0055, 0.0058]), qr_rate=rng.choice([0.0038, 0.0038, 0.0035]),
                 host=host, backup=backup, txn_mcc=mcc, fee_card=None, seq=len(W.merchants))
    m.fee_card = m.card_rate
    W.merchants.append(m)
    return m


def new_site(W, rng, m, city, building=None, name=None):
    W.site_seq += 1
    pre = {"shanghai": "SH", "hangzhou": "HZ", "suzhou": "SZ", "nanjing": "NJ", "ningbo": "NB"}[city]
    sid = "%s-%03d-%d" % (pre, m.seq, len(m.sites) + 1)
    if building:
        bname, lat, lon, _ = building
        lat += rng.uniform(-0.0004, 0.0004)
        lon += rng.uniform(-0.0004, 0.0004)
        nm = name or "%s %s店" % (m.name, bname)
    else:
        c = CITY[city]
        lat, lon = c[3] + rng.gauss(0, 0.05), c[4] + rng.gauss(0, 0.06)
        bname = None
        nm = name or "%s %s%d号店" % (m.name, c[1], len(m.sites) + 1)
    s = Site(sid=sid, merchant=m, city=city, lat=round(lat, 5), lon=round(lon, 5), building=bname, name=nm)
    m.sites.append(s)
    W.sites.append(s)
    W.power[sid] = SitePower()
    return s


def mk_term(W, rng, m, s, kind, model=None, network=None, mobile=False, prof=None, rate=None, amt=None,
            chan=None, pre=0.0, intl=0.0):
    if model is None:
        opts = [(vm, W.vend_w[vm[0]]) for vm in KIND_MODELS[kind]]
        model = wchoice(rng, opts)
    vendor, mdl = model
    spec = MODELS[model]
    if network is None:
        if kind == "counter":
            network = wchoice(rng, [("ethernet", .68), ("cellular", .22), ("wifi", .10)])
        elif kind == "register":
            network = wchoice(rng, [("ethernet", .7), ("wifi", .3)])
        elif kind == "handheld":
            network = wchoice(rng, [("wifi", .55), ("cellular", .45)])
        else:
            network = "cellular"
    carrier = None
    sim_fallback = False
    if network == "cellular":
        carrier = wchoice(rng, CARRIERS)
    elif network == "wifi" and spec["android"] and rng.random() < 0.35:
        sim_fallback = True
        carrier = wchoice(rng, CARRIERS)
    old = rng.random() < W.p_old[vendor]
    fw = spec["fw"][0] if (old or rng.random() < 0.2) else spec["fw"][1]
    app = spec["app"][0] if old else spec["app"][1]
    inst = dt.datetime(2021, 3, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randint(0, 5 * 365 * 86400))
    inst = min(inst, W.W0 - dt.timedelta(days=20))
    cert = None
    if vendor in ("pax", "landi", "newland"):
        c = inst + dt.timedelta(days=3 * 365 + rng.randint(0, 400), seconds=rng.randint(0, 86399))
        if c < W.W0 + dt.timedelta(days=30):
            c = W.W0 + dt.timedelta(days=rng.randint(40, 900), seconds=rng.randint(0, 86399))
        cert = c
    sn = {"pax": "18%08d" % rng.randint(0, 10 ** 8 - 1), "newland": "N%s%07d" % (mdl[:2], rng.randint(0, 10 ** 7 - 1)),
          "landi": "LD%010d" % rng.randint(0, 10 ** 10 - 1), "sunmi": "%s%010d" % (mdl, rng.randint(0, 10 ** 10 - 1)),
          "centerm": "CT%09d" % rng.randint(0, 10 ** 9 - 1), "xgd": "XGD%08d" % rng.randint(0, 10 ** 8 - 1),
          "yuntong": "YT%s%06d" % (mdl[-2:], rng.randint(0, 10 ** 6 - 1))}[vendor]
    mains = kind != "mpos" and not mobile
    mt = MT.get(m.type, {})
    T = Term(id=new_tid(W, rng), vendor=vendor, model=mdl, kind=kind, android=spec["android"], nominal_v=spec["v"],
             battery=spec["battery"], printer=spec["printer"], keypad=spec["keypad"], mains=mains, network=network,
             carrier=carrier, sim_fallback=sim_fallback, mobile=mobile, city=s.city, site=s, merchant=m, host=m.host,
             fw=fw, app=app, cert=cert, installed=inst, serial=sn, unattended=(kind == "unattended"),
             pinpad_ext=(kind == "counter" and rng.random() < 0.18),
             prof=prof or mt.get("prof"), rate=(rate if rate is not None else rng.uniform(*mt["rate"])),
             amt=amt or mt.get("amt"), chan=chan or mt.get("chan"), pre=pre if pre else mt.get("pre", 0.0),
             intl=intl if intl else mt.get("intl", 0.0), param_version="P%d" % rng.randint(100, 140),
             inv_network=(network if rng.random() > 0.025 else None))
    T.rate *= rng.uniform(0.6, 1.4) * W.busy
    v = VENDORS[vendor]
    T.hb = v["hb"]
    T.hb_phase = rng.uniform(0, T.hb)
    T.timeout = v["timeout"]
    if network == "cellular" or sim_fallback:
        base = rng.gauss(-80, 8)
        if rng.random() < 0.03:
            base = rng.uniform(-105, -99)       # chronic marginal coverage (noise)
        T.cell_rssi = clamp(base, -107, -55)
    else:
        T.cell_rssi = None
    T.wifi_rssi = clamp(rng.gauss(-60, 7), -76, -40) if network == "wifi" else None
    T.rssi_ph = (rng.uniform(0, 6.28), rng.uniform(0, 6.28))
    T.base_rtt = {"ethernet": rng.uniform(22, 50), "wifi": rng.uniform(30, 70), "cellular": rng.uniform(70, 150)}[network]
    T.storage0 = rng.uniform(20, 80)
    T.mem0 = rng.uniform(38, 72) if spec["android"] else rng.uniform(25, 55)
    T.cpu0 = rng.uniform(5, 30)
    T.temp0 = rng.uniform(32, 44) if not T.unattended else rng.uniform(18, 35)
    T.batt0 = rng.uniform(60, 100)
    T.batt_rate = rng.uniform(3, 7)          # %/h when off mains
    if T.batt0 - T.batt_rate * 6 < 20:
        T.batt0 = 20 + T.batt_rate * 6
    T.batt0 = min(T.batt0, 100)
    T.static_down = []       # (a, b)
    T.static_reboots = []    # (t, reason)
    T.power_ev = []
    m.terms.append(T)
    s.terms.append(T)
    W.terms.append(T)
    W.T[T.id] = T
    return T


def mk_merchant(W, rng, typ):
    mt = MT[typ]
    city = pick_city(W, rng)
    m = new_merchant(W, rng, typ, city, mt["mcc"])
    nsites = 1
    if rng.random() < mt["chain"][0]:
        nsites = rng.randint(mt["chain"][1], mt["chain"][2])
    blds = BUILDINGS[city]
    for k in range(nsites):
        c = city if k == 0 or rng.random() < 0.7 else pick_city(W, rng)
        b = None
        if typ == "stall":
            mk = [x for x in BUILDINGS[c] if x[3] == "market"]
            b = rng.choice(mk)
        elif rng.random() < 0.45:
            b = rng.choice([x for x in BUILDINGS[c] if x[3] == "mall"])
        s = new_site(W, rng, m, c, b)
        for _ in range(rng.randint(*mt["tps"])):
            kind = wchoice(rng, mt["kinds"])
            mk_term(W, rng, m, s, kind)


def mk_courier(W, rng):
    city = pick_city(W, rng)
    m = new_merchant(W, rng, "courier", city, "4215", name=mk_name(rng, "courier"), settlement="direct")
    s = new_site(W, rng, m, city, None, name="%s %s配送站" % (m.name, CITY[city][1]))
    for _ in range(rng.randint(8, 16)):
        model = wchoice(rng, [(("pax", "S90"), 1.0), (("newland", "N86"), .8), (("xgd", "G2"), .5), (("newland", "N910"), .5)])
        mk_term(W, rng, m, s, MODELS[model]["kind"], model=model, network="cellular", mobile=True,
                prof=[.9, 1.0, .8, .6, .3, .15], rate=rng.uniform(2, 5), amt=(2000, 200000),
                chan=[("card_ic", .4), ("qr", .45), ("nfc", .1), ("card_swipe", .05)])


def mk_unattended(W, rng, what):
    city = pick_city(W, rng)
    mcc = {"vending": "5999", "parking": "7523", "ev": "5552"}[what]
    m = new_merchant(W, rng, what, city, mcc, name=mk_name(rng, what), settlement="direct")
    model = ("yuntong", "YT-E4") if what == "ev" else ("yuntong", "YT-M2")
    if what == "vending":
        spots = ["地铁站", "医院", "写字楼大堂", "高校", "体育馆", "商场", "火车站", "公园"]
        for i in range(rng.randint(8, 18)):
            s = new_site(W, rng, m, city, None, name="%s %s%d" % (m.name, rng.choice(spots), i + 1))
            for _ in range(2 if rng.random() < 0.2 else 1):
                mk_term(W, rng, m, s, "unattended", model=model,
                        network=wchoice(rng, [("cellular", .85), ("ethernet", .15)]),
                        prof=[.8, .9, .9, .8, .6, .4], rate=rng.uniform(2, 6), amt=(300, 1500),
                        chan=[("qr", .55), ("nfc", .4), ("card_ic", .05)])
    elif what == "parking":
        for i in range(rng.randint(2, 3)):
            b = rng.choice([x for x in BUILDINGS[city] if x[3] == "mall"]) if rng.random() < 0.6 else None
            s = new_site(W, rng, m, city, b, name="%s P%d停车场" % (m.name, i + 1))
            net = "ethernet" if rng.random() < 0.5 else "cellular"
            for _ in range(rng.randint(2, 3)):
                mk_term(W, rng, m, s, "unattended", model=model, network=net,
                        prof=[1.0, .8, .7, .8, .9, .6], rate=rng.uniform(6, 14), amt=(500, 6000),
                        chan=[("qr", .6), ("nfc", .35), ("card_ic", .05)])
    else:
        for i in range(rng.randint(2, 3)):
            s = new_site(W, rng, m, city, None, name="%s %s充电站%d" % (m.name, CITY[city][1], i + 1))
            for _ in range(rng.randint(3, 5)):
                mk_term(W, rng, m, s, "unattended", model=model, network="cellular",
                        prof=[1.0, .9, .8, .7, .6, .5], rate=rng.uniform(0.8, 2.0), amt=(2000, 15000),
                        chan=[("qr", .5), ("nfc", .3), ("card_ic", .2)], pre=1.0)


def mk_canteen(W, rng):
    city = "suzhou"
    m = new_merchant(W, rng, "canteen", city, "5812", name=mk_name(rng, "canteen"), settlement="direct")
    b = [x for x in BUILDINGS[city] if x[3] == "mall"][0]
    s = new_site(W, rng, m, city, None, name="%s 夜班食堂" % m.name)
    for _ in range(2):
        mk_term(W, rng, m, s, "counter", network="ethernet", prof=[1.0, .6, .2, .1, .3, .6],
                rate=rng.uniform(12, 24), amt=(800, 3500),
                chan=[("card_ic", .5), ("qr", .4), ("nfc", .1)])
    m.staff_bin = ("jsb", "621089")


# ----------------------------------------------------------------------------
# effect helpers
# ----------------------------------------------------------------------------
def active(e, t):
    return e["a"] <= t < e["b"]


def sev(e, t):
    if not (e["a"] <= t < e["b"]):
        return 0.0
    r = e.get("ramp", 0)
    s = 1.0 if r <= 0 else min(1.0, (t - e["a"]) / r)
    iv = e.get("ivs")
    if iv is not None and not iv.has(t):
        return 0.0
    return s


def cell_loss(r):
    if r <= -115:
        return 1.0
    if r >= -102:
        return 0.0
    return min(0.95, ((-102 - r) / 13.0) ** 1.6)


def wifi_loss(r):
    if r <= -88:
        return 1.0
    if r >= -74:
        return 0.0
    return min(0.95, ((-74 - r) / 11.0) ** 1.6)


def p_from_loss(loss):
    if loss <= 0:
        return 0.0
    return min(0.97, 2.2 * loss ** 1.3)


FIN_TYPES = ("purchase", "preauth", "completion", "refund")
CARD_CH = ("card_ic", "card_swipe", "nfc")


class Sim:
    def __init__(self, W, T):
        self.W, self.T = W, T
        self.rng = R(W.seed, "sim", T.id)
        self.out = []                 # [src, t, rec, truth]
        self.fail_secs = set()
        self.stan = self.rng.randint(1, 300000)
        self.down = list(T.static_down)
        self.down_iv = Ivs(self.down)
        self.reboots = list(T.static_reboots)   # (t_boot_done, reason)
        self.ev = {"power_events": list(T.power_ev), "card_reader_errors": [], "keypad_errors": [], "app_crashes": []}
        self.pending_rev = None
        self.recent_fail = []
        self.keys_fixed = {}
        self.busy_until = -1e9
        self.paper_out = []          # noise paper-out intervals (a, b)
        self.card_ok = 0
        self.card_amt = 0
        self.deliv_cache = {}
        self.mem_reset = []          # times memory got reset by reboot/crash
        r = self.rng
        n = WIN // 60 + 2
        self.noise = [r.gauss(0, 1.5) for _ in range(n)]
        self.rider = None
        if T.mobile:
            path = []
            x = T.cell_rssi if T.cell_rssi is not None else -85
            for _ in range(n):
                x = clamp(x + r.gauss(0, 2.2), -101, -62)
                path.append(x)
            for _ in range(r.randint(2, 6)):
                a = r.randint(0, n - 6)
                d = r.randint(1, 4)
                lvl = r.uniform(-119, -106)
                for k in range(a, min(n, a + d)):
                    path[k] = lvl
            self.rider = path

    # ------------------------------------------------------------ basics
    def vm(self, e, t):
        T = self.T
        return (T.app_at(t) if e.get("field", "app") == "app" else T.fw_at(t)) == e["ver"]

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return "%06d" % self.stan

    def is_down(self, t):
        return self.down_iv.has(t)

    def add_down(self, a, b, reason):
        self.down.append((a, b))
        self.down_iv = Ivs(self.down)
        self.reboots.append((b, reason))
        self.mem_reset.append(b)

    def fail_ts(self, t):
        t = int(t)
        while t in self.fail_secs:
            t += 1
        self.fail_secs.add(t)
        return t

    def note_fail(self, t, f):
        self.recent_fail.append(t)
        if f is not None:
            f.events += 1
            f.ev_terms.add(self.T.id)
            f.fail_times.append(t)

    def truth(self, t, cause, f, mech, code, stan=None, planned=False):
        d = {"cause": cause, "code": code, "mechanism": mech}
        if f is not None:
            d["fault_id"] = f.fid
        if stan:
            d["stan"] = stan
        if planned:
            d["planned"] = True
        return d

    # ------------------------------------------------------------ records
    def err(self, t, sem, cause, f, mech, stan=None, rc=None, info=None):
        T = self.T
        t = self.fail_ts(t)
        code, stage, detail = render_error(self.W, T, sem, t, self.rng, stan=stan, rc=rc, info=info,
                                           skew=self.clock_skew(t))
        rec = {"kind": "error", "ts": t, "terminal_id": T.id, "code": code}
        if stage:
            rec["stage"] = stage
        if detail:
            rec["detail"] = detail
        if stan and T.vendor in ("pax", "sunmi", "newland", "landi"):
            rec["stan"] = stan
        self.out.append(["dev", t, rec, self.truth(t, cause, f, mech, code, rec.get("stan"))])
        self.note_fail(t, f)
        return t

    def txn(self, t, typ, amt, ch, stan, card, rc=None, timed_out=False, lat=None, host=None, cause=None, f=None,
            mech=None, planned=False, orig_stan=None, mid=None):
        T, m = self.T, self.T.merchant
        failed = timed_out or (rc is not None and rc != "00")
        if failed:
            t = self.fail_ts(t)
        cur = HOSTS[host][2] if host in HOSTS else "CNY"
        rec = {"kind": "txn", "ts": int(t), "terminal_id": T.id, "merchant_id": mid or m.mid, "type": typ,
               "amount": int(amt), "currency": cur, "channel": ch, "stan": stan, "mcc": m.txn_mcc}
        if rc is not None:
            rec["response_code"] = rc
            if rc == "00":
                rec["rrn"] = local_str(self.W, t, "%H%M%S") + stan
        if timed_out:
            rec["timed_out"] = True
        if lat is not None:
            rec["latency_ms"] = int(lat)
        if rc == "00" and typ in ("purchase", "completion") and amt > 0:
            rate = m.qr_rate if ch == "qr" else m.fee_card
            rec["fee"] = round_half_up(amt * rate)
        if card is not None:
            rec["pan"] = card["mask"]
        if host:
            rec["host"] = host
        if orig_stan:
            rec["orig_stan"] = orig_stan
        tr = None
        if failed:
            code = "timeout" if timed_out else rc
            tr = self.truth(t, cause, f, mech, code, stan, planned)
            self.note_fail(int(t), f)
        src = "dev" if timed_out else "host"
        self.out.append([src, int(t), rec, tr])
        # vendors that also log host answers as an error record
        if rc is not None and rc != "00":
            pol = LOGS_HOST_RESP.get(T.vendor)
            sem = None
            if pol == "all" or (pol == "sys" and rc in SYS_RC):
                sem = "HOST_MAC" if (rc == "A0" and T.vendor != "yuntong") else "HOST_RESP"
            elif pol == "mac" and rc == "A0":
                sem = "HOST_MAC"
            if sem:
                self.err(t + 1, sem, cause, f, mech, stan=stan, rc=rc)
        return int(t)

    # ------------------------------------------------------------ physics
    def clock_skew(self, t):
        for e in self.T.eff("clock"):
            if active(e, t):
                return e["skew"]
        return 0

    def rssi(self, t, kind):
        T = self.T
        k = int(t // 60)
        k = clamp(k, 0, len(self.noise) - 1)
        if kind == "cell":
            if self.rider is not None:
                base = self.rider[k]
            else:
                base = T.cell_rssi + 2.5 * math.sin(t / 1800.0 * 6.283 + T.rssi_ph[0]) + 1.5 * math.sin(t / 420.0 * 6.283 + T.rssi_ph[1])
        else:
            base = T.wifi_rssi + 2.0 * math.sin(t / 900.0 * 6.283 + T.rssi_ph[0])
        base += self.noise[k]
        r = base
        f = None
        for e in T.eff("radio"):
            if e["kind"] == kind:
                s = sev(e, t)
                if s > 0:
                    r += e["offset"] * s
                    f = e["f"]
        return max(r, -121.0), base, f

    def link(self, t):
        T = self.T
        comps = []
        path = T.network
        rssi = None
        fallback = False
        if path in ("ethernet", "wifi"):
            wc = []
            for e in T.eff("routerpower"):
                if e["down"].has(t):
                    wc.append((e["f"].cause, e["f"], True, 1.0, 0.0, e["f"].mech))
                elif e.get("lossy") is not None and e["lossy"].has(t):
                    wc.append((e["f"].cause, e["f"], False, e["loss"], e["lat"], e["f"].mech))
            for e in T.eff("router"):
                s = sev(e, t)
                if s > 0 or (e.get("down") is not None and active(e, t) and e["down"].has(t)):
                    dead = (e.get("dead") is not None and t >= e["dead"] and active(e, t)) or \
                           (e.get("down") is not None and e["down"].has(t))
                    if dead:
                        wc.append(("network.lan", e["f"], True, 1.0, 0.0, e["f"].mech))
                    elif s > 0:
                        wc.append(("network.lan", e["f"], False, e["loss"] * s, e["lat"] * s, e["f"].mech))
            if path == "wifi":
                for e in T.eff("ap"):
                    if active(e, t):
                        if e["down"] is not None and e["down"].has(t):
                            wc.append(("network.lan", e["f"], True, 1.0, 0.0, e["f"].mech))
                        elif e["loss"] > 0:
                            wc.append(("network.lan", e["f"], False, e["loss"], e["lat"], e["f"].mech))
                r, r0, rf = self.rssi(t, "wifi")
                rssi = r
                l, l0 = wifi_loss(r), wifi_loss(r0)
                if l > 0:
                    fa = rf if (rf is not None and l > l0 + 0.02) else None
                    wc.append(("network.signal", fa, l >= 1.0, min(l, 1.0), max(0, (-68 - r)) * 15,
                               fa.mech if fa else "noise.weak_signal"))
            else:
                for e in T.eff("cable"):
                    if active(e, t) and e["down"].has(t):
                        wc.append(("network.lan", e["f"], True, 1.0, 0.0, e["f"].mech))
            if any(c[2] for c in wc) and T.sim_fallback:
                path = "cellular"
                fallback = True
            else:
                comps = wc
        if path == "cellular":
            r, r0, rf = self.rssi(t, "cell")
            rssi = r
            l, l0 = cell_loss(r), cell_loss(r0)
            if l > 0:
                fa = rf if (rf is not None and l > l0 + 0.02) else None
                comps.append(("network.signal", fa, l >= 1.0, min(l, 1.0), max(0, (-92 - r)) * 35,
                              fa.mech if fa else "noise.weak_signal"))
            for e in T.eff("carrier"):
                s = sev(e, t)
                if s > 0:
                    if e["down"] and s >= 1.0:
                        comps.append(("network.carrier", e["f"], True, 1.0, 0.0, e["f"].mech))
                    else:
                        lo = e["loss"] * s if not e["down"] else 0.8 * s
                        comps.append(("network.carrier", e["f"], False, lo, e["lat"] * s, e["f"].mech))
        base_cause = "network.signal" if path == "cellular" else "network.lan"
        comps.append((base_cause, None, False, 0.0015, 0.0, "noise.transient_loss"))
        up = not any(c[2] for c in comps)
        base = T.base_rtt if not fallback else 110.0
        rtt = base + sum(c[4] for c in comps)
        keep = 1.0
        for c in comps:
            keep *= (1 - min(c[3], 1.0))
        return {"up": up, "comps": comps, "rssi": rssi, "path": path, "rtt": rtt, "loss": 1 - keep,
                "fallback": fallback}

    def link_ok(self, t):
        if self.is_down(t):
            return False
        return self.link(t)["up"]

    def deliver_time(self, t):
        """first time >= t at which the terminal can upload"""
        k = int(t // 20)
        while k * 20 < WIN + EXPORT_LAG:
            v = self.deliv_cache.get(k)
            if v is None:
                tt = max(t, k * 20)
                v = self.link_ok(tt) if tt < WIN + 600 else True
                self.deliv_cache[k] = v
            if v:
                return max(t, k * 20)
            k += 1
        return None

    def batt(self, t):
        T = self.T
        if not T.battery:
            return None
        arr = getattr(T, "batt_arr", None)
        if arr is not None:
            k = clamp(int(t // 60), 0, len(arr) - 1)
            return arr[k]
        if T.mains:
            return 97.0
        return max(1.0, T.batt0 - T.batt_rate * t / 3600.0)

    def batt_fault(self, t):
        for e in self.T.eff("battery"):
            if e["a"] <= t < e["b"]:
                return e["f"]
        return None

    def storage_level(self, t):
        T = self.T
        lvl = T.storage0 + t / 3600.0 * 0.05
        for e in T.eff("storage"):
            if active(e, t):
                x = (t - e["a"]) % e["period"]
                lvl = min(100.0, e["lvl0"] + x / 60.0 * e["rate"])
        return lvl

    def mem_level(self, t):
        T = self.T
        lvl = T.mem0 + self.noise[clamp(int(t // 60), 0, len(self.noise) - 1)] * 2
        for e in T.eff("bug"):
            if e["mode"] == "leak" and e["ut"] <= t < e["b"] and self.vm(e, t):
                last = e["ut"]
                for rt in self.mem_reset:
                    if last < rt <= t:
                        last = rt
                for ct in e.get("crashes", ()):
                    if last < ct <= t:
                        last = ct
                lvl = min(99.0, 55 + (t - last) / 60.0 * e["rate"])
        for e in T.eff("memory"):
            if active(e, t):
                lvl = max(lvl, e["lvl"] + self.noise[clamp(int(t // 60), 0, len(self.noise) - 1)] * 0.5)
        return clamp(lvl, 5, 99.5)

    def cpu_level(self, t):
        T = self.T
        c = T.cpu0 + abs(self.noise[clamp(int(t // 60), 0, len(self.noise) - 1)]) * 4
        for e in T.eff("cpu"):
            if active(e, t):
                c = max(c, 93 + abs(self.noise[clamp(int(t // 60), 0, len(self.noise) - 1)]) * 2)
        return clamp(c, 1, 100)

    def temp(self, t):
        T = self.T
        x = T.temp0 + (self.cpu_level(t) - 20) * 0.08
        for e in T.eff("board"):
            if e["mode"] == "overheat" and active(e, t):
                x += min(30.0, (t - e["a"]) / 60.0 * e["heat"])
        return x

    def key_state(self, t):
        T = self.T
        for e in T.eff("board"):
            if e["mode"] == "tamper" and e["a"] <= t:
                return "missing", e["f"], "hardware.board"
        for e in T.eff("keys"):
            if active(e, t):
                if e["mode"] == "missing":
                    return "missing", e["f"], "security.keys"
                fx = self.keys_fixed.get(id(e))
                if fx is None or t < fx:
                    return "mismatch", e["f"], "security.keys"
        return "ok", None, None

    def printer_state(self, t):
        T = self.T
        for e in T.eff("printer"):
            if active(e, t):
                return e["state"], e["f"]
        for a, b in self.paper_out:
            if a <= t < b:
                return "paper_out", None
        return "ok", None

    def route(self, t):
        T = self.T
        h = T.host
        for e in self.W.HE[h]:
            if e.get("reroute_at") is not None and active(e, t) and t >= e["reroute_at"] and T.merchant.backup:
                return T.merchant.backup
        return h

    # ------------------------------------------------------------ precompute
    def precompute(self):
        T, W, rng = self.T, self.W, R(self.W.seed, "pre", self.T.id)
        sp = W.power.get(T.site.sid)
        f = sp.owner if sp else None
        downs, reb, pev = [], [], []
        if sp and T.mains and (sp.sags or sp.brown or sp.out.iv):
            for a, d, depth in sp.sags:
                pev.append(a)
                if not T.battery and dc_from_mains(1 - depth) < 0.82:
                    b = a + rng.uniform(35, 80)
                    downs.append((a, b))
                    reb.append((b, "power_loss"))
            for a, b, fac in sp.brown:
                pev.append(a)
                if not T.battery and dc_from_mains(fac) < 0.82 and rng.random() < 0.7:
                    e = a + rng.uniform(35, 80)
                    downs.append((a, e))
                    reb.append((e, "power_loss"))
            for a, b in sp.out.iv:
                pev.append(a)
                if not T.battery:
                    e = b + rng.uniform(35, 80)
                    downs.append((a, e))
                    reb.append((e, "power_loss"))
        # battery-fault cycles
        for e in T.eff("battery"):
            for a, b in e["dead"]:
                downs.append((a, b))
                reb.append((b, "power_loss"))
        # board: watchdog reboots / tamper
        for e in T.eff("board"):
            for t0 in e.get("reboots", ()):
                b = t0 + rng.uniform(40, 90)
                downs.append((t0, b))
                reb.append((b, "watchdog"))
        for e in T.eff("clock"):
            downs.append((e["a"] - 60, e["a"]))
            reb.append((e["a"], "power_loss"))
            pev.append(e["a"] - 60)
        # software updates
        for ut, fw, app, reason in T.updates:
            b = ut + rng.uniform(90, 200)
            downs.append((ut, b))
            reb.append((b, "update"))
        # memory-leak crashes (computed from the leak rate)
        for e in T.eff("bug"):
            if e["mode"] == "leak":
                crashes = []
                t0 = e["ut"] + 200
                while True:
                    t0 = t0 + (97 - 55) / e["rate"] * 60 + rng.uniform(-120, 120)
                    if t0 >= min(e["b"], WIN):
                        break
                    crashes.append(t0)
                    b = t0 + rng.uniform(30, 70)
                    downs.append((t0, b))
                    reb.append((b, "crash"))
                    self.ev["app_crashes"].append(t0)
                    t0 = b
                e["crashes"] = crashes
        # noise: occasional user reboot; vending fleets reboot on schedule at 23:00:00 local
        if rng.random() < 0.06:
            t0 = rng.uniform(0, WIN - 300)
            downs.append((t0, t0 + rng.uniform(50, 90)))
            reb.append((downs[-1][1], "user"))
        if T.merchant.type == "vending":
            t0 = 5 * 3600 + rng.uniform(0, 20)
            downs.append((t0, t0 + rng.uniform(60, 110)))
            reb.append((downs[-1][1], "user"))
        self.down = downs
        self.down_iv = Ivs(downs)
        self.reboots = sorted(reb)
        self.mem_reset = sorted(b for b, _ in reb)
        self.ev["power_events"] = sorted(pev)
        # battery level array for cradle handhelds (outage drains) and mobile terminals
        if T.battery and not hasattr(T, "batt_arr"):
            n = WIN // 60 + 2
            if T.mains:
                lvl = rng.uniform(88, 99)
                arr = []
                for k in range(n):
                    t = k * 60
                    on_mains = sp is None or sp.factor(t) > 0.5
                    lvl = min(99.0, lvl + 0.8) if on_mains else max(1.0, lvl - rng.uniform(0.3, 0.6))
                    arr.append(lvl)
                T.batt_arr = arr
        # paper-out noise episodes
        if T.printer and not T.unattended:
            for _ in range(self.poisson(0.22 if T.merchant.type in ("restaurant", "conv", "super", "bbq") else 0.1)):
                a = rng.uniform(0, WIN - 300)
                self.paper_out.append((a, a + rng.uniform(60, 420)))

    def power_issue(self, t):
        """('cut', fault, t_cut) if a power-loss reboot hits during a transaction starting at t;
        ('brown', fault, p_glitch) while a brown-out starves a mains-only terminal"""
        T = self.T
        if not T.mains or T.battery:
            return None
        sp = self.W.power.get(T.site.sid)
        f = sp.owner if sp else None
        for e in T.eff("adapter"):
            if active(e, t):
                f = e["f"]
        if f is None:
            return None
        for a, b in self.down:
            if t < a <= t + 25 and any(abs(rb - b) < 1 and r == "power_loss" for rb, r in self.reboots):
                return ("cut", f, a)
        if sp and sp.owner is not None:
            dc = dc_from_mains(sp.factor(t))
            if dc < 0.97:
                return ("brown", sp.owner, min(0.8, (0.97 - dc) * 5))
        return None

    def poisson(self, lam):
        L, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p < L:
                return k
            k += 1

    # ------------------------------------------------------------ transactions
    def lam(self, t):
        p = self.T.prof
        x = t / 3600.0 - 0.5
        i = int(math.floor(x))
        fr = x - i
        a = p[clamp(i, 0, 5)]
        b = p[clamp(i + 1, 0, 5)]
        return self.T.rate * (a + (b - a) * fr) / 3600.0

    def arrivals(self):
        T, rng = self.T, self.rng
        if not T.prof or max(T.prof) <= 0:
            return []
        lmax = T.rate * max(T.prof) / 3600.0
        out, t = [], 0.0
        while True:
            t += rng.expovariate(lmax)
            if t >= WIN:
                break
            if rng.random() < self.lam(t) / lmax:
                out.append(t)
        return out

    def new_card(self, ch):
        W, T, rng = self.W, self.T, self.rng
        m = T.merchant
        if m.type == "canteen" and rng.random() < 0.55:
            iss, bn = m.staff_bin
            return {"iss": iss, "bin": bn, "type": "debit", "mask": bn + "*" * 9 + "%04d" % rng.randint(0, 9999),
                    "staff": True, "expired": rng.random() < 0.5}
        if rng.random() < (T.intl or 0.003):
            iss = ISS["intl"]
        else:
            opts = []
            for i in ISSUERS:
                if i[0] == "intl":
                    continue
                w = i[3] * (4.0 if T.city in i[4] else (0.4 if i[4] else 1.0))
                opts.append((i, w))
            iss = wchoice(rng, opts)
        bn, typ, ln = rng.choice(iss[2])
        mask = bn + "*" * (ln - 10) + "%04d" % rng.randint(0, 9999)
        return {"iss": iss[0], "bin": bn, "type": typ, "mask": mask, "staff": False, "expired": False}

    def amount(self):
        T, rng = self.T, self.rng
        lo, hi = T.amt
        a = logu(rng, lo, hi)
        if T.merchant.type in ("restaurant", "bbq", "ktv", "bar", "hotel") and rng.random() < 0.5:
            a = round(a / 100.0) * 100
        return max(1, int(a))

    def run_txns(self):
        T, rng = self.T, self.rng
        heap = []
        seq = 0
        for t in self.arrivals():
            seq += 1
            heapq.heappush(heap, (t, seq, {"k": "new"}))
        if not T.unattended:
            # customers who waited while the terminal was dead try again as soon as it is back
            for a, b in sorted(self.down):
                if b - a > 150 and b < WIN:
                    lam = self.lam(a) * (b - a) * 0.35
                    for _ in range(self.poisson(min(lam, 8.0))):
                        seq += 1
                        heapq.heappush(heap, (b + rng.uniform(5, 240), seq, {"k": "new"}))
        last_user_reboot = -1e9
        while heap:
            t, _, a = heapq.heappop(heap)
            if t >= WIN:
                continue
            if t < self.busy_until:
                seq += 1
                heapq.heappush(heap, (self.busy_until + rng.uniform(1, 8), seq, a))
                continue
            if self.is_down(t):
                if a["k"] in ("completion", "void") and a.get("tries", 0) < 6:
                    a["tries"] = a.get("tries", 0) + 1
                    seq += 1
                    heapq.heappush(heap, (t + rng.uniform(60, 240), seq, a))
                continue
            if a["k"] == "new":
                ch = wchoice(rng, T.chan)
                typ = "purchase"
                if T.pre and rng.random() < T.pre:
                    typ = "preauth"
                    if ch == "qr":
                        ch = "card_ic" if rng.random() < 0.6 else "nfc"
                elif not T.unattended and rng.random() < 0.004:
                    typ = "refund"
                elif ch != "qr" and not T.unattended and rng.random() < 0.003:
                    typ = "balance"
                amt = 0 if typ == "balance" else self.amount()
                if typ == "preauth" and T.merchant.type == "ev":
                    amt = rng.choice([10000, 15000, 20000])
                card = self.new_card(ch) if ch != "qr" else None
                a.update(ch=ch, typ=typ, amt=amt, card=card, n=0,
                         forget=(rng.random() < 0.012), pinwrong=0)
            elif a["k"] == "completion":
                pass
            ch, typ, amt, card = a["ch"], a["typ"], a["amt"], a["card"]
            t_end, res = self.attempt(t, ch, typ, amt, card, a)
            self.busy_until = t_end + rng.uniform(2, 12)
            if res is None:
                if ch in CARD_CH and typ in ("purchase", "completion"):
                    self.card_ok += 1
                    self.card_amt += amt
                if typ == "preauth":
                    d = rng.uniform(1200, 4800) if T.merchant.type == "ev" else rng.uniform(3600, 10800)
                    if t_end + d < WIN - 60:
                        amt2 = amt if T.merchant.type != "ev" else rng.randint(1500, amt)
                        if T.merchant.type != "ev":
                            amt2 = int(amt * rng.uniform(0.5, 1.0))
                        seq += 1
                        heapq.heappush(heap, (t_end + d, seq, {"k": "completion", "ch": ch, "typ": "completion",
                                                               "amt": amt2, "card": card, "n": 0, "forget": False,
                                                               "pinwrong": 0}))
                opm = 1.0
                for e in T.eff("operator"):
                    if active(e, t):
                        opm = e["mult"]
                if typ == "purchase" and not T.unattended and rng.random() < 0.004 * opm:
                    # cashier keyed a wrong amount: void it and charge again
                    seq += 1
                    heapq.heappush(heap, (t_end + rng.uniform(10, 50), seq, {"k": "void", "ch": ch, "typ": "void",
                                                                             "amt": amt, "card": card, "n": 0,
                                                                             "forget": False, "pinwrong": 0}))
                    seq += 1
                    heapq.heappush(heap, (t_end + rng.uniform(60, 120), seq, {"k": "retry", "ch": ch, "typ": "purchase",
                                                                              "amt": self.amount(), "card": card, "n": 0,
                                                                              "forget": False, "pinwrong": 0}))
                continue
            # failure follow-up
            n = a.get("n", 0)
            nxt = None
            if T.unattended:
                if n < 1 and rng.random() < 0.3:
                    nxt = dict(a, n=n + 1)
            elif res == "pin":
                if n < 2 and rng.random() < 0.8:
                    nxt = dict(a, n=n + 1)
                    if rng.random() < 0.6:
                        nxt["forget"] = False
            elif res in ("comm", "device", "crash"):
                if n < 2 and rng.random() < 0.6:
                    nxt = dict(a, n=n + 1)
                elif ch in CARD_CH and typ == "purchase" and rng.random() < 0.5:
                    nxt = dict(a, n=9, ch="qr", card=None)
            elif res == "reader":
                if n < 1 and rng.random() < 0.7:
                    nxt = dict(a, n=n + 1)
                elif ch == "card_ic" and n < 3 and rng.random() < 0.6:
                    nxt = dict(a, n=n + 1, ch="card_swipe")
                elif typ == "purchase" and rng.random() < 0.6:
                    nxt = dict(a, n=9, ch="qr", card=None)
            elif res == "decline":
                if typ == "purchase" and rng.random() < 0.5:
                    if rng.random() < 0.45:
                        nxt = dict(a, n=9, card=self.new_card(ch), forget=False)
                    else:
                        nxt = dict(a, n=9, ch="qr", card=None)
            elif res in ("local", "biz"):
                if ch in CARD_CH and typ == "purchase" and n < 9 and rng.random() < 0.6:
                    nxt = dict(a, n=9, ch="qr", card=None)
            elif res == "cancel":
                if n < 1 and rng.random() < 0.4:
                    nxt = dict(a, n=n + 1)
            if nxt is not None:
                nxt["k"] = "retry"
                seq += 1
                heapq.heappush(heap, (t_end + rng.uniform(5, 40), seq, nxt))
            # the article's first response: cashier restarts the terminal after repeated errors
            rf = [x for x in self.recent_fail if x > t_end - 300]
            self.recent_fail = rf
            if (not T.unattended and len(rf) >= 3 and t_end - last_user_reboot > 900 and rng.random() < 0.3):
                a0 = t_end + rng.uniform(5, 30)
                b0 = a0 + rng.uniform(50, 90)
                self.add_down(a0, b0, "user")
                last_user_reboot = a0
                self.sign_on(b0)

    def sign_on(self, t):
        """after a reboot the terminal signs on and downloads fresh working keys"""
        for e in self.T.eff("keys"):
            if e["mode"] == "mismatch" and active(e, t) and id(e) not in self.keys_fixed:
                if self.link_ok(t) and not any(active(h, t) and h["kind"] in ("down", "cutoff") for h in self.W.HE[self.route(t)]):
                    self.keys_fixed[id(e)] = t + 5

    def need_pin(self, ch, amt, card):
        if self.T.unattended or card is None:
            return False
        if ch in ("card_ic", "card_swipe"):
            return card["type"] == "debit" or (int(card["mask"][-4:]) % 2 == 0)
        return ch == "nfc" and amt > 100000

    def attempt(self, t, ch, typ, amt, card, a):
        T, W, rng = self.T, self.W, self.rng
        stan = self.next_stan()
        cardp = ch in CARD_CH
        lvl = self.batt(t)
        bf = self.batt_fault(t)
        if lvl is not None and lvl < 6:
            te = self.err(t + 2, "BATT_LOW", "power.battery", bf, bf.mech if bf else "noise.battery_empty",
                          info={"pct": int(lvl)})
            return te, "local"
        # mains trouble at the site: a transaction cut by a power loss, or brown-out glitches
        pw = self.power_issue(t)
        if pw is not None:
            kind, f, x = pw
            if kind == "cut":
                b = self.down_iv.end_of(x)
                if cardp and typ in FIN_TYPES[:3]:
                    self.pending_rev = (amt, stan, ch, typ, card)
                return self.err(b + rng.uniform(5, 25), "TXN_INTERRUPTED", "power.supply", f, f.mech,
                                stan=stan), "comm"
            if rng.random() < x:
                sem = rng.choice(["SEND_FAIL", "CARD_READ" if cardp else "SEND_FAIL", "APP_CRASH"])
                return self.err(t + rng.uniform(3, 15), sem, "power.supply", f, f.mech, stan=stan,
                                info={"pkg": PKG.get(T.vendor, "pay"), "ip": HOSTS[T.host][0],
                                      "port": HOSTS[T.host][1]}), "comm"
        # operator
        opm, opf = 1.0, None
        for e in T.eff("operator"):
            if active(e, t):
                opm, opf = e["mult"], e["f"]
        omech = opf.mech if opf else "noise.operator"
        if rng.random() < (0.015 if T.unattended else 0.010) * opm:
            sem = "INPUT_TIMEOUT" if (T.unattended or rng.random() < 0.4) else "USER_CANCEL"
            return self.err(t + rng.uniform(5, 45), sem, "operator.error", opf, omech, stan=stan), "cancel"
        if opf is not None and rng.random() < 0.08:
            return self.err(t + rng.uniform(3, 10), "OPER_PWD", "operator.error", opf, omech, stan=stan), "cancel"
        if ch == "card_ic" and not T.unattended and rng.random() < (0.35 if opf is not None else 0.01):
            return self.err(t + rng.uniform(3, 10), "USE_CHIP", "operator.error", opf, omech, stan=stan), "device"
        # display
        for e in T.eff("display"):
            if sev(e, t) > 0 and rng.random() < e["p"]:
                return self.err(t + rng.uniform(30, 60), "INPUT_TIMEOUT", "hardware.display", e["f"], e["f"].mech,
                                stan=stan), "device"
        # board
        for e in T.eff("board"):
            if e["mode"] == "overheat" and active(e, t):
                p = e["p_abort"] * min(1.0, (t - e["a"]) / max(1.0, e["ramp"]))
                if rng.random() < p:
                    self.ev["app_crashes"].append(t)
                    return self.err(t + rng.uniform(5, 20), "ANR" if rng.random() < 0.5 else "APP_CRASH",
                                    "hardware.board", e["f"], e["f"].mech, stan=stan, info={"pkg": PKG.get(T.vendor, "pay")}), "crash"
        # processor
        local = rng.uniform(0.3, 1.5)
        cpue = None
        for e in T.eff("cpu"):
            if active(e, t):
                cpue = e
                local += rng.uniform(3, 14)
        if cpue and rng.random() < cpue["p_anr"]:
            return self.err(t + rng.uniform(8, 25), "ANR", "resource.cpu", cpue["f"], cpue["f"].mech, stan=stan,
                            info={"pkg": PKG.get(T.vendor, "pay")}), "crash"
        for e in T.eff("memory"):
            if active(e, t) and rng.random() < e["p"]:
                self.ev["app_crashes"].append(t)
                return self.err(t + rng.uniform(3, 12), "MEM_LOW" if rng.random() < 0.6 else "APP_CRASH",
                                "resource.memory", e["f"], e["f"].mech, stan=stan,
                                info={"pkg": PKG.get(T.vendor, "pay"), "n": rng.randint(1, 9)}), "crash"
        for e in T.eff("bug"):
            if e["ut"] <= t < e["b"] and self.vm(e, t):
                mode = e["mode"]
                hit = False
                if mode == "leak" and self.mem_level(t) > 91 and rng.random() < 0.4:
                    hit = True
                elif mode == "crash_nfc" and ch == "nfc" and rng.random() < e["p"]:
                    hit = True
                elif mode == "crash_qr" and ch == "qr" and rng.random() < e["p"]:
                    hit = True
                if hit:
                    self.ev["app_crashes"].append(t)
                    sem = "MEM_LOW" if (mode == "leak" and rng.random() < 0.5) else "APP_CRASH"
                    return self.err(t + rng.uniform(2, 10), sem, "software.bug", e["f"], e["f"].mech, stan=stan,
                                    info={"pkg": PKG.get(T.vendor, "pay"), "n": rng.randint(1, 9)}), "crash"
        if T.android and rng.random() < 0.0006:
            self.ev["app_crashes"].append(t)
            return self.err(t + rng.uniform(2, 10), "APP_CRASH", "software.bug", None, "noise.app_crash", stan=stan,
                            info={"pkg": PKG.get(T.vendor, "pay")}), "crash"
        for e in T.eff("storage"):
            if active(e, t) and self.storage_level(t) >= 99 and rng.random() < 0.85:
                return self.err(t + rng.uniform(1, 4), "STORAGE", "resource.storage", e["f"], e["f"].mech,
                                stan=stan), "local"
        tt = t + local
        wrong = None
        pin = False
        if cardp:
            for e in T.eff("reader"):
                s = sev(e, t)
                if s > 0 and rng.random() < e["p"].get(ch, 0.0) * s:
                    self.ev["card_reader_errors"].append(tt)
                    return self.err(tt + rng.uniform(2, 8), "NFC_FAIL" if ch == "nfc" else "CARD_READ",
                                    "hardware.card_reader", e["f"], e["f"].mech, stan=stan,
                                    info={"n": rng.randint(1, 9)}), "reader"
            tt += rng.uniform(2, 6)
            pin = self.need_pin(ch, amt, card) and typ not in ("void", "completion", "refund")
            if pin:
                for e in T.eff("corrupt"):
                    if e["mode"] == "pinpad" and active(e, t) and T.pinpad_ext and rng.random() < e["p"] * 0.55:
                        return self.err(tt + rng.uniform(3, 15), "PINPAD_COMM", "transmission.corruption", e["f"],
                                        e["f"].mech, stan=stan), "device"
                for e in T.eff("keypad"):
                    s = sev(e, t)
                    if s > 0:
                        r = rng.random()
                        if r < e["p_err"] * s:
                            self.ev["keypad_errors"].append(tt)
                            sem = "KEY_ERR" if rng.random() < 0.5 else "PIN_TIMEOUT"
                            return self.err(tt + rng.uniform(5, 40), sem, "hardware.keypad", e["f"], e["f"].mech,
                                            stan=stan, info={"k": rng.choice("0123456789")}), "device"
                        if r < (e["p_err"] + e["p_wrong"]) * s:
                            self.ev["keypad_errors"].append(tt)
                            wrong = ("hardware.keypad", e["f"], e["f"].mech)
                for e in T.eff("display"):
                    if sev(e, t) > 0 and rng.random() < 0.3:
                        return self.err(tt + rng.uniform(30, 60), "PIN_TIMEOUT", "hardware.display", e["f"],
                                        e["f"].mech, stan=stan), "device"
                if wrong is None and a.get("forget"):
                    wrong = ("card.decline", None, "noise.wrong_pin")
                tt += rng.uniform(4, 12)
            ks, kf, kc = self.key_state(tt)
            if ks == "missing":
                return self.err(tt + 1, "MAC_LOCAL", kc, kf, kf.mech, stan=stan, info={"n": rng.randint(0, 7)}), "local"
            if self.pending_rev is not None:
                tt = self.do_reversal(tt)
        else:
            tt += rng.uniform(2, 5)
        return self.online(tt, ch, typ, amt, card, stan, wrong, pin, a)

    def timeout(self, tt, ch, typ, amt, card, stan, host, cause, f, mech, info):
        T, rng = self.T, self.rng
        te = tt + T.timeout
        self.txn(te, typ, amt, ch, stan, card, timed_out=True, lat=T.timeout * 1000, host=host, cause=cause, f=f,
                 mech=mech)
        self.err(te + rng.uniform(0.5, 2.5), "RECV_TIMEOUT", cause, f, mech, stan=stan, info=info)
        if ch in CARD_CH and typ in ("purchase", "preauth", "completion"):
            self.pending_rev = (amt, stan, ch, typ, card)
        return te + 3, "comm"

    def host_effects(self, host, t):
        return [e for e in self.W.HE.get(host, ()) if active(e, t)]

    def do_reversal(self, tt):
        T, rng = self.T, self.rng
        amt, ostan, ch, typ, card = self.pending_rev
        host = self.route(tt)
        ls = self.link(tt)
        if not ls["up"]:
            return tt
        for e in T.eff("tls"):
            if active(e, tt):
                return tt
        for e in T.eff("config"):
            if active(e, tt) and e["mode"] == "host":
                return tt
        stan = self.next_stan()
        info = {"ip": HOSTS[host][0], "port": HOSTS[host][1], "to": T.timeout}
        for c in ls["comps"]:
            if rng.random() < p_from_loss(c[3]):
                te = tt + T.timeout
                self.txn(te, "reversal", amt, ch, stan, card, timed_out=True, lat=T.timeout * 1000, host=host,
                         cause=c[0], f=c[1], mech=c[5], orig_stan=ostan)
                self.err(te + 1, "RECV_TIMEOUT", c[0], c[1], c[5], stan=stan, info=info)
                return te + 2
        for e in self.host_effects(host, tt):
            if e["kind"] == "cutoff":
                te = tt + rng.uniform(0.3, 1.0)
                self.txn(te, "reversal", amt, ch, stan, card, rc="90", lat=(te - tt) * 1000, host=host,
                         cause="upstream.acquirer", f=None, mech="planned.host_cutoff", planned=True, orig_stan=ostan)
                return te + 1
            if e["kind"] == "down" or (e["kind"] == "overload" and rng.random() < e["pmax"] * sev(e, tt)):
                if e["kind"] == "down" and e["mode"] == "reject":
                    te = tt + rng.uniform(0.3, 1.5)
                    self.txn(te, "reversal", amt, ch, stan, card, rc="96", lat=(te - tt) * 1000, host=host,
                             cause="upstream.acquirer", f=e["f"], mech=e["f"].mech, orig_stan=ostan)
                    return te + 1
                te = tt + T.timeout
                self.txn(te, "reversal", amt, ch, stan, card, timed_out=True, lat=T.timeout * 1000, host=host,
                         cause="upstream.acquirer", f=e["f"], mech=e["f"].mech, orig_stan=ostan)
                self.err(te + 1, "RECV_TIMEOUT", "upstream.acquirer", e["f"], e["f"].mech, stan=stan, info=info)
                return te + 2
        lat = 3 * ls["rtt"] + logu(rng, 100, 500)
        te = tt + lat / 1000.0
        self.txn(te, "reversal", amt, ch, stan, card, rc="00", lat=lat, host=host, orig_stan=ostan)
        self.pending_rev = None
        return te + 0.5

    def online(self, tt, ch, typ, amt, card, stan, wrong, pin, a):
        T, W, rng = self.T, self.W, self.rng
        m = T.merchant
        cardp = ch in CARD_CH
        dest = "card" if cardp else "qr"
        host = self.route(tt) if cardp else "QR"
        ip, port = (HOSTS[host][0], HOSTS[host][1]) if cardp else QR_GW
        info = {"ip": ip, "port": port, "to": T.timeout, "pkg": PKG.get(T.vendor, "pay"), "n": rng.randint(1, 9),
                "fld": rng.choice([39, 55, 62, 64])}
        cfg = None
        for e in T.eff("config"):
            if active(e, tt):
                cfg = e
        if cfg is not None and cfg["mode"] == "host" and cardp:
            info["ip"], info["port"] = cfg["ip"], cfg["port"]
        ls = self.link(tt)
        # ---- connect
        if not ls["up"]:
            c = [x for x in ls["comps"] if x[2]][0]
            info["cto"] = rng.choice([10, 15, 20])
            return self.err(tt + info["cto"], "CONN_FAIL", c[0], c[1], c[5], stan=stan, info=info), "comm"
        for c in ls["comps"]:
            if c[3] > 0.4 and rng.random() < (c[3] - 0.3) * 1.1:
                info["cto"] = rng.choice([10, 15, 20])
                return self.err(tt + info["cto"], "CONN_FAIL", c[0], c[1], c[5], stan=stan, info=info), "comm"
        if cfg is not None and cfg["mode"] == "host" and cardp:
            return self.err(tt + rng.uniform(0.2, 1.5), "CONN_REFUSED", "software.config", cfg["f"], cfg["f"].mech,
                            stan=stan, info=info), "comm"
        # ---- TLS
        tls_t = tt + ls["rtt"] * 2 / 1000.0 + rng.uniform(0.2, 1.5)
        for e in T.eff("tls"):
            if active(e, tt) and (e["dest"] == "all" or (cardp and e.get("host") in (None, host))):
                if e.get("fw") and T.fw_at(tt) not in e["fw"]:
                    continue
                if rng.random() < e.get("p", 1.0):
                    return self.err(tls_t, e["sem"], e["f"].cause, e["f"], e["f"].mech, stan=stan, info=info), "comm"
        for e in T.eff("incompat"):
            if cardp and e["mode"] == "tls" and active(e, tt) and host == e["host"] and T.app_at(tt) in e["vers"]:
                return self.err(tls_t, "TLS_PROTO", "software.incompatible", e["f"], e["f"].mech, stan=stan,
                                info=info), "comm"
        for e in T.eff("bug"):
            if e["mode"] == "tls" and e["ut"] <= tt < e["b"] and self.vm(e, tt) and rng.random() < e["p"]:
                return self.err(tls_t, "TLS_GENERIC", "software.bug", e["f"], e["f"].mech, stan=stan,
                                info=info), "comm"
        # ---- transfer
        for c in ls["comps"]:
            if rng.random() < p_from_loss(c[3]):
                if rng.random() < 0.25:
                    return self.err(tt + rng.uniform(1, 6), "SEND_FAIL", c[0], c[1], c[5], stan=stan,
                                    info=info), "comm"
                return self.timeout(tt, ch, typ, amt, card, stan, host if cardp else None, c[0], c[1], c[5], info)
        net = 3 * ls["rtt"] * rng.uniform(0.9, 1.3)
        hp = logu(rng, 120, 700) + (logu(rng, 80, 600) if cardp else logu(rng, 150, 900))
        lat_src = None
        rc, cause, f, mech, planned, cls = None, None, None, None, False, "decline"
        mid = None
        cpue = None
        for e in T.eff("cpu"):
            if active(e, tt):
                cpue = e
        # ---- host / channel
        if cardp:
            for e in self.host_effects(host, tt):
                k = e["kind"]
                if k == "cutoff":
                    rc, cause, mech, planned, cls = "90", "upstream.acquirer", "planned.host_cutoff", True, "comm"
                    hp = rng.uniform(200, 800)
                    break
                if k == "down":
                    if e["mode"] == "timeout":
                        return self.timeout(tt, ch, typ, amt, card, stan, host, "upstream.acquirer", e["f"],
                                            e["f"].mech, info)
                    rc = "96" if rng.random() < 0.7 else "92"
                    cause, f, mech, cls = "upstream.acquirer", e["f"], e["f"].mech, "comm"
                    hp = rng.uniform(300, 1500)
                    break
                if k == "overload":
                    s = sev(e, tt)
                    hp += e["lat"] * s * rng.uniform(0.4, 1.3)
                    if rng.random() < e["pmax"] * s:
                        if rng.random() < 0.8:
                            return self.timeout(tt, ch, typ, amt, card, stan, host, "upstream.acquirer", e["f"],
                                                e["f"].mech, info)
                        rc, cause, f, mech, cls = "96", "upstream.acquirer", e["f"], e["f"].mech, "comm"
                        break
                    lat_src = ("upstream.acquirer", e["f"], e["f"].mech)
            if rc is None:
                for e in T.eff("incompat"):
                    if e["mode"] == "format" and active(e, tt) and host == e["host"] and T.app_at(tt) in e["vers"]:
                        rc, cause, f, mech, cls = e["rc"], "software.incompatible", e["f"], e["f"].mech, "comm"
            if rc is None:
                for e in T.eff("bug"):
                    if (e["mode"] == "field55" and ch in ("card_ic", "nfc") and e["ut"] <= tt < e["b"]
                            and self.vm(e, tt) and rng.random() < e["p"]):
                        rc, cause, f, mech, cls = "30", "software.bug", e["f"], e["f"].mech, "comm"
            if rc is None:
                for e in T.eff("corrupt"):
                    if not active(e, tt):
                        continue
                    if e["mode"] == "line" and ch in ("card_ic", "nfc") and rng.random() < e["p"]:
                        if rng.random() < 0.5:
                            rc, cause, f, mech, cls = "30", "transmission.corruption", e["f"], e["f"].mech, "comm"
                        else:
                            te = tt + (net + hp) / 1000.0
                            self.pending_rev = (amt, stan, ch, typ, card) if typ in FIN_TYPES[:3] else self.pending_rev
                            return self.err(te, "PKT_ERR", "transmission.corruption", e["f"], e["f"].mech, stan=stan,
                                            info=info), "comm"
                    if e["mode"] == "pinpad" and pin and T.pinpad_ext and rng.random() < e["p"] * 0.45:
                        rc, cause, f, mech, cls = "A0", "transmission.corruption", e["f"], e["f"].mech, "comm"
            if rc is None:
                ks, kf, kc = self.key_state(tt)
                if ks == "mismatch":
                    rc, cause, f, mech, cls = "A0", kc, kf, kf.mech, "comm"
            if rc is None and cfg is not None:
                if cfg["mode"] == "keyidx":
                    rc, cause, f, mech, cls = "A0", "software.config", cfg["f"], cfg["f"].mech, "comm"
                elif cfg["mode"] == "mid":
                    rc, cause, f, mech, cls = "03", "software.config", cfg["f"], cfg["f"].mech, "biz"
                    mid = cfg["mid"]
                elif cfg["mode"] == "tid":
                    rc, cause, f, mech, cls = "97", "software.config", cfg["f"], cfg["f"].mech, "biz"
        # ---- merchant / business rules (PSP and acquirer)
        if rc is None:
            for e in W.ME.get(m.mid, ()):
                if not active(e, tt):
                    continue
                k = e["kind"]
                if k == "frozen":
                    rc, cause, f, mech, cls = "03", "business.merchant", e["f"], e["f"].mech, "biz"
                elif k == "txn_type" and typ in e["types"] and cardp:
                    rc, cause, f, mech, cls = e["rc"], "business.txn_type", e["f"], e["f"].mech, "biz"
                elif k == "limit" and cardp and (card["type"] == "credit" or e["scope"] == "all") and typ in ("purchase", "preauth"):
                    rc, cause, f, mech, cls = "61", "business.limit", e["f"], e["f"].mech, "decline"
                elif k == "risk" and cardp and amt >= e["thr"] and typ in ("purchase", "preauth") and rng.random() < 0.92:
                    rc, cause, f, mech, cls = e["rc"], "business.risk", e["f"], e["f"].mech, "decline"
                elif k == "decline_batch" and cardp and card.get("staff") and card.get("expired"):
                    rc, cause, f, mech, cls = "54", "card.decline", e["f"], e["f"].mech, "decline"
                if rc:
                    break
        # ---- issuer and cardholder
        if rc is None and cardp and typ != "reversal":
            for e in W.IE.get(card["iss"], ()):
                if not active(e, tt):
                    continue
                if e["mode"] == "down" and rng.random() < 0.95:
                    rc, cause, f, mech, cls = "91", "upstream.issuer", e["f"], e["f"].mech, "comm"
                elif e["mode"] == "slow":
                    if rng.random() < e["p"]:
                        hp += rng.uniform(24000, 31000)
                        rc, cause, f, mech, cls = "98", "upstream.issuer", e["f"], e["f"].mech, "comm"
                    else:
                        hp += rng.uniform(2000, 12000)
                        lat_src = ("upstream.issuer", e["f"], e["f"].mech)
                break
            if rc is None and wrong is not None and typ not in ("void", "completion", "refund", "balance"):
                a["pinwrong"] = a.get("pinwrong", 0) + 1
                rc = "75" if a["pinwrong"] >= 3 else "55"
                cause, f, mech = wrong
                cls = "pin"
            if rc is None and card.get("iss") == "intl" and m.type not in ("hotel", "bar", "cinema") and rng.random() < 0.6:
                rc, cause, mech, cls = "58", "business.txn_type", "noise.intl_card_not_enabled", "decline"
            if rc is None and typ == "refund" and rng.random() < 0.25:
                rc, cause, mech, cls = "25", "operator.error", "noise.refund_wrong_original", "cancel"
            if rc is None and typ in ("purchase", "preauth", "balance"):
                r = rng.random()
                credit = card["type"] == "credit"
                tbl = [("51", 0.014 if credit else 0.024, "card.decline", "noise.insufficient_funds"),
                       ("54", 0.004, "card.decline", "noise.expired_card"),
                       ("05", 0.004, "card.decline", "noise.do_not_honor"),
                       ("14", 0.0008, "card.decline", "noise.invalid_card"),
                       ("62", 0.0008, "card.decline", "noise.restricted_card"),
                       ("41", 0.0003, "card.decline", "noise.lost_card"),
                       ("61", 0.002, "business.limit", "noise.card_amount_limit"),
                       ("65", 0.0008, "business.limit", "noise.card_count_limit"),
                       ("94", 0.0005, "operator.error", "noise.duplicate"),
                       ("59", 0.002 if amt > 200000 else 0.0003, "business.risk", "noise.risk_rule"),
                       ("57", 0.0015 if typ == "balance" else 0.0004, "business.txn_type", "noise.not_permitted_card")]
                acc = 0.0
                for code, p, c, mc in tbl:
                    acc += p
                    if r < acc:
                        rc, cause, mech = code, c, mc
                        cls = "cancel" if code == "94" else "decline"
                        break
        elif rc is None and not cardp and typ == "purchase":
            if rng.random() < 0.008:
                rc, cause, mech, cls = "51", "card.decline", "noise.wallet_balance", "decline"
        # ---- processor overload delays reading the answer
        if cpue is not None and rng.random() < cpue["p_to"]:
            return self.timeout(tt, ch, typ, amt, card, stan, host if cardp else None, "resource.cpu", cpue["f"],
                                cpue["f"].mech, info)
        lat = net + hp + (rng.uniform(1500, 6000) if cpue is not None else 0)
        if lat >= T.timeout * 1000:
            if lat_src is None or net > hp:
                big = max(ls["comps"], key=lambda c: c[4])
                base = ls["comps"][-1]
                lat_src = (big[0], big[1], big[5]) if big[4] > 0 else (base[0], None, "noise.latency")
            return self.timeout(tt, ch, typ, amt, card, stan, host if cardp else None, lat_src[0], lat_src[1],
                                lat_src[2], info)
        te = tt + lat / 1000.0
        hrec = host if cardp else "QR"
        if rc is not None:
            te = self.txn(te, typ, amt, ch, stan, card, rc=rc, lat=lat, host=hrec, cause=cause, f=f, mech=mech,
                          planned=planned, mid=mid)
            if typ in ("purchase", "preauth", "completion") and cls == "comm" and rc in ("96", "98", "92"):
                pass
            return te + 1, cls
        te = self.txn(te, typ, amt, ch, stan, card, rc="00", lat=lat, host=hrec)
        self.do_print(te + rng.uniform(1, 3), stan)
        return te + 3, None

    def do_print(self, t, stan):
        T, rng = self.T, self.rng
        if not T.printer or T.unattended:
            return
        ps, pf = self.printer_state(t)
        if ps == "fault":
            self.err(t, "PRN_FAULT", "hardware.printer", pf, pf.mech, stan=stan)
            return
        if ps == "paper_out":
            self.err(t, "PRN_PAPER", "hardware.printer", pf, pf.mech if pf else "noise.paper_out", stan=stan)
            return
        for e in T.eff("adapter"):
            if active(e, t):
                if rng.random() < e["p_lowv"]:
                    self.err(t, "PRN_LOWV", "power.supply", e["f"], e["f"].mech, stan=stan)
                if rng.random() < e["p_reset"]:
                    a0 = t + rng.uniform(0.5, 3)
                    self.add_down(a0, a0 + rng.uniform(40, 80), "power_loss")
                    self.ev["power_events"].append(a0)
                return
        lvl = self.batt(t)
        if lvl is not None and lvl < 12 and rng.random() < 0.5:
            bf = self.batt_fault(t)
            self.err(t, "PRN_LOWV", "power.battery", bf, bf.mech if bf else "noise.battery_low", stan=stan)
            return
        for e in T.eff("bug"):
            if e["mode"] == "print" and e["ut"] <= t < e["b"] and self.vm(e, t) and rng.random() < e["p"]:
                self.err(t, "PRN_FAULT", "software.bug", e["f"], e["f"].mech, stan=stan)
                return

    # ------------------------------------------------------------ settlement / spontaneous logs
    def settle(self):
        T, rng = self.T, self.rng
        if self.card_ok == 0:
            return
        t = rng.uniform(5 * 3600, 5 * 3600 + 2100)
        for attempt in range(2):
            while self.is_down(t) and t < WIN - 120:
                t += 120
            if t >= WIN - 60:
                return
            host = self.route(t)
            fail = None
            ls = self.link(t)
            if not ls["up"]:
                c = [x for x in ls["comps"] if x[2]][0]
                fail = (c[0], c[1], c[5])
            if fail is None:
                for e in T.eff("tls"):
                    if active(e, t) and (e["dest"] == "all" or e.get("host") in (None, host)):
                        if not e.get("fw") or T.fw_at(t) in e["fw"]:
                            fail = (e["f"].cause, e["f"], e["f"].mech)
                for e in T.eff("config"):
                    if active(e, t) and e["mode"] == "host":
                        fail = ("software.config", e["f"], e["f"].mech)
            if fail is None:
                for e in self.host_effects(host, t):
                    if e["kind"] == "down" or (e["kind"] == "overload" and rng.random() < e["pmax"] * sev(e, t)):
                        fail = ("upstream.acquirer", e["f"], e["f"].mech)
            if fail is None:
                for c in ls["comps"]:
                    if rng.random() < p_from_loss(c[3]) * 1.5:
                        fail = (c[0], c[1], c[5])
                        break
            rec = {"kind": "settlement", "ts": int(t), "terminal_id": T.id, "merchant_id": T.merchant.mid,
                   "host": host, "batch_no": "%06d" % (int(self.W.day.strftime("%j")) * 10 + attempt),
                   "count": self.card_ok, "amount": self.card_amt, "currency": HOSTS[host][2],
                   "result": "fail" if fail else "ok"}
            self.out.append(["dev" if fail else "host", int(t), rec, None])
            if fail is None:
                return
            self.err(t + rng.uniform(1, 4), "SETTLE_FAIL", fail[0], fail[1], fail[2],
                     info={"ip": HOSTS[host][0], "port": HOSTS[host][1]})
            t += rng.uniform(600, 900)

    def spontaneous(self):
        T, rng = self.T, self.rng
        pkg = PKG.get(T.vendor, "pay")
        for e in T.eff("display"):
            for a, b in e["ivs"].iv:
                x = a + rng.uniform(1, 30)
                if 0 <= x < WIN and not self.is_down(x):
                    self.err(x, "DISPLAY", "hardware.display", e["f"], e["f"].mech)
        for e in T.eff("board"):
            if e["mode"] == "overheat":
                for b, reason in self.reboots:
                    if reason == "watchdog" and e["a"] <= b < e["b"] and rng.random() < 0.6:
                        self.err(b + rng.uniform(2, 10), "SELFTEST", "hardware.board", e["f"], e["f"].mech,
                                 info={"part": rng.choice(PARTS)})
            elif e["mode"] == "tamper" and 0 <= e["a"] < WIN:
                self.err(e["a"] + rng.uniform(5, 20), "TAMPER", "hardware.board", e["f"], e["f"].mech)
        for e in T.eff("bug"):
            if e["mode"] == "leak":
                for ct in e.get("crashes", ()):
                    x = ct + rng.uniform(20, 60)   # logged after the restart
                    self.err(x, "MEM_LOW" if rng.random() < 0.5 else "APP_CRASH", "software.bug", e["f"], e["f"].mech,
                             info={"pkg": pkg, "n": rng.randint(1, 9)})
        for e in T.eff("memory"):
            x = max(0, e["a"]) + rng.uniform(300, 1500)
            while x < min(e["b"], WIN):
                if not self.is_down(x):
                    self.ev["app_crashes"].append(x)
                    self.err(x, "MEM_LOW", "resource.memory", e["f"], e["f"].mech, info={"pkg": pkg, "n": rng.randint(1, 9)})
                x += rng.uniform(700, 2100)
        for e in T.eff("battery"):
            for x in e["warn"]:
                if 0 <= x < WIN and not self.is_down(x):
                    self.err(x, "BATT_LOW", "power.battery", e["f"], e["f"].mech,
                             info={"pct": int(self.batt(x) or 5)})

    # ------------------------------------------------------------ telemetry
    def telemetry(self):
        T, W, rng = self.T, self.W, self.rng
        fields = TEL_FIELDS[T.vendor]
        v = VENDORS[T.vendor]
        sp = W.power.get(T.site.sid)
        last_fw, last_app, last_pv = T.fw, T.app, T.param_version
        prev = -T.hb
        t = T.hb_phase
        while t < WIN:
            tick = t + rng.uniform(-0.03, 0.03) * T.hb
            t += T.hb
            if tick < 0 or tick >= WIN:
                continue
            tick = int(tick)
            if self.is_down(tick):
                if v["tms_offline"]:
                    self.out.append(["tms", tick + 45, {"kind": "telemetry", "ts": tick + 45, "terminal_id": T.id,
                                                         "online": False}, None])
                continue
            ls = self.link(tick)
            lost = (not ls["up"]) or rng.random() < min(0.9, ls["loss"] ** 1.2)
            if lost and not v["buffer_tel"]:
                if v["tms_offline"]:
                    self.out.append(["tms", tick + 45, {"kind": "telemetry", "ts": tick + 45, "terminal_id": T.id,
                                                         "online": False}, None])
                prev = tick
                continue
            rec = {"kind": "telemetry", "ts": tick, "terminal_id": T.id, "online": bool(ls["up"])}
            if "rssi_dbm" in fields and ls["rssi"] is not None:
                rec["rssi_dbm"] = int(round(ls["rssi"]))
            if ls["up"]:
                if "latency_ms" in fields:
                    rec["latency_ms"] = int(ls["rtt"] * rng.uniform(0.85, 1.35))
                if "packet_loss" in fields:
                    k = sum(1 for _ in range(20) if rng.random() < ls["loss"])
                    rec["packet_loss"] = round(k / 20.0, 2)
            on_mains = T.mains and (sp is None or sp.factor(tick) > 0.5)
            if on_mains and ("supply_v" in fields or "supply_v_min" in fields):
                adapter = 1.0
                for e in T.eff("adapter"):
                    if active(e, tick):
                        adapter = e["factor"]
                if "supply_v_min" in fields:
                    mf = sp.min_factor(prev, tick) if sp else 1.0
                else:
                    mf = sp.factor(tick) if sp else 1.0
                val = T.nominal_v * dc_from_mains(max(mf, 0.05)) * adapter * (1 + rng.gauss(0, 0.006))
                if "supply_v_min" in fields and any(prev < x <= tick for x in self.ev["power_events"]) and val > T.nominal_v * 0.9:
                    val = T.nominal_v * rng.uniform(0.55, 0.8)
                rec["supply_v"] = round(val, 2)
            if "battery_pct" in fields and T.battery:
                b = self.batt(tick)
                if b is not None:
                    rec["battery_pct"] = int(clamp(b, 0, 100))
            if "power_events" in fields:
                rec["power_events"] = sum(1 for x in self.ev["power_events"] if prev < x <= tick)
            if "reboot" in fields:
                rs = [r for b, r in self.reboots if prev < b <= tick]
                if rs:
                    rec["reboot"] = rs[-1]
            if "storage_used_pct" in fields:
                rec["storage_used_pct"] = int(self.storage_level(tick))
            if "memory_used_pct" in fields:
                rec["memory_used_pct"] = int(self.mem_level(tick))
            if "cpu_pct" in fields:
                rec["cpu_pct"] = int(self.cpu_level(tick))
            if "temp_c" in fields:
                rec["temp_c"] = round(self.temp(tick), 1)
            if "key_check" in fields:
                rec["key_check"] = self.key_state(tick)[0]
            if "clock_skew_s" in fields:
                sk = self.clock_skew(tick)
                rec["clock_skew_s"] = int(sk) if sk else int(round(rng.gauss(0, 1.2)))
            if "printer" in fields and T.printer:
                rec["printer"] = self.printer_state(tick)[0]
            for cnt in ("keypad_errors", "card_reader_errors", "app_crashes"):
                if cnt in fields:
                    rec[cnt] = sum(1 for x in self.ev[cnt] if prev < x <= tick)
            fw, app = T.fw_at(tick), T.app_at(tick)
            if "versions" in fields or "firmware_only" in fields:
                if fw != last_fw:
                    rec["firmware"] = fw
                    last_fw = fw
                if app != last_app and "versions" in fields:
                    rec["app_version"] = app
                    last_app = app
            if "param_version" in fields:
                pv = T.param_version
                for pt, p in T.param_changes:
                    if pt <= tick:
                        pv = p
                if pv != last_pv:
                    rec["param_version"] = pv
                    last_pv = pv
            if "link" in fields and T.android:
                rec["link"] = ls["path"]
            self.out.append(["dev", tick, rec, None])
            prev = tick

    # ------------------------------------------------------------ run
    def run(self):
        self.precompute()
        self.run_txns()
        self.settle()
        self.spontaneous()
        self.telemetry()
        return self.finish()

    def finish(self):
        T = self.T
        rng = R(self.W.seed, "deliver", T.id)
        up = VENDORS[T.vendor]["upload"]
        ph = rng.uniform(0, up)
        res = []
        for src, t, rec, tr in self.out:
            if t < 0 or t >= WIN:
                continue
            if src == "dev":
                d = self.deliver_time(t)
                if d is None or d >= WIN + EXPORT_LAG:
                    continue           # never reached the platform before the export
                if d - t > 60:
                    rec["received_at"] = iso(self.W, d + rng.uniform(1, 20))
                key = t + min(45.0, (math.ceil((t - ph) / up) * up + ph) - t)
            else:
                key = t + rng.uniform(0, 4)
            res.append((key, t, rec, tr))
        return res


# ----------------------------------------------------------------------------
# error rendering
# ----------------------------------------------------------------------------
def render_error(W, T, sem, t, rng, stan=None, rc=None, info=None, skew=0):
    tbl = VT[T.vendor]
    ov = MODEL_OVERRIDE.get((T.vendor, T.model), {})
    code, stage, dets = ov.get(sem) or tbl.get(sem) or tbl["APP_CRASH"]
    d = dict(ip="0.0.0.0", port=0, to=T.timeout, cto=15, stan=stan or "", rc=rc or "", pct=5, part="RTC", n=1,
             k="5", pkg=PKG.get(T.vendor, "pay"), fld=39, sub=YT_SUB.get(sem, 0))
    if info:
        d.update(info)
    msg = rng.choice(dets).format(**d)
    v = T.vendor
    if v == "pax":
        detail = "%s %s" % (local_str(W, t, skew=skew), msg)
    elif v == "newland":
        detail = "NL|%s|%s" % (code, msg)
    elif v == "landi":
        detail = "[%s] landi.%s" % (local_str(W, t, "%H:%M:%S", skew=skew), msg)
    elif v == "sunmi":
        detail = "E/PayCore(%d): %s" % (1000 + int(T.id[-3:]), msg)
    elif v == "centerm":
        detail = msg + ("(-%d)" % rng.randint(1, 9) if rng.random() < 0.3 else "")
    elif v == "xgd":
        detail = ("ERR %s %s" % (code, msg)) if rng.random() < 0.5 else None
    else:
        detail = msg
    return code, stage, detail


# ----------------------------------------------------------------------------
# faults
# ----------------------------------------------------------------------------
def exp_n(T, a, b, chans=None):
    """expected number of customer attempts on T in [a, b)"""
    if not T.prof:
        return 0.0
    a, b = max(0, a), min(WIN, b)
    tot = 0.0
    t = a
    while t < b:
        h = clamp(int(t // 3600), 0, 5)
        e = min(b, (h + 1) * 3600)
        tot += T.rate * T.prof[h] * (e - t) / 3600.0
        t = e
    if chans:
        tot *= sum(w for c, w in T.chan if c in chans)
    return tot


def pick_t(rng, ctx, lo, hi):
    hi = max(lo + 1, hi)
    if ctx and ctx.get("t") is not None:
        return clamp(ctx["t"] + rng.uniform(-2400, 2400), lo, hi)
    return rng.uniform(lo, hi)


def choose(rng, items, key=None, ctx=None, weight=None):
    items = sorted(items, key=key or (lambda x: x.id if hasattr(x, "id") else getattr(x, "sid", getattr(x, "mid", ""))))
    if not items:
        return None
    if ctx and ctx.get("city"):
        same = [x for x in items if getattr(x, "city", None) == ctx["city"]]
        if same and rng.random() < 0.75:
            items = same
    if weight:
        return wchoice(rng, [(x, max(1e-6, weight(x))) for x in items])
    return rng.choice(items)


def tkey(T):
    return T.id


def free_single(W, T):
    return T.id not in W.used


def mkf(W, fid, cause, mech, scope, start, end, shared, terms, city=None):
    f = Fault(fid, cause, mech, scope, start, end, shared)
    f.terms = set(T.id for T in terms)
    f.city = city
    f.ctx_t = start
    return f


def add_extra(W, t, rec):
    W.extra.append((t, rec))


def router_down_from_power(sp, rng):
    ivs = []
    for a, d, depth in sp.sags:
        if depth > 0.45:
            ivs.append((a, a + rng.uniform(60, 120)))
    for a, b, fac in sp.brown:
        if fac < 0.76:
            ivs.append((a, a + rng.uniform(60, 120)))
    for a, b in sp.out.iv:
        ivs.append((a, b + rng.uniform(120, 330)))     # router boot + PPPoE/DHCP after mains returns
    return Ivs(ivs)


def f_power_site(W, rng, fid, ctx, variant):
    a0 = pick_t(rng, ctx, 0, WIN - 2400)
    cands = [s for s in W.sites if W.power[s.sid].owner is None and len(s.terms) >= 2
             and sum(1 for T in s.terms if T.mains) >= 1 and sum(exp_n(T, a0, a0 + 3600) for T in s.terms) >= 10]

    def wt(x):
        act = sum(exp_n(T, a0, a0 + 3600) for T in x.terms)
        hh = sum(1 for T in x.terms if T.battery and T.mains and T.network == "wifi")
        return act * (1 + hh if variant == "outage" else 1)
    if ctx and ctx.get("site") is not None and ctx["site"] in cands and rng.random() < 0.5:
        s = ctx["site"]
    else:
        s = choose(rng, cands, key=lambda x: x.sid, ctx=ctx, weight=wt)
    if s is None:
        return []
    sp = W.power[s.sid]
    out = []
    if variant == "sags":
        a = a0
        b = min(WIN, a + rng.uniform(1800, 6000))
        lmax = 1.0 / rng.uniform(90, 300)
        t = a
        while True:
            t += rng.expovariate(lmax)
            if t >= b:
                break
            frac = (t - a) / (b - a)
            if rng.random() < 0.25 + 0.75 * frac ** 0.7:
                sp.sags.append((t, rng.uniform(1, 12), rng.uniform(0.2, 0.78)))
        for _ in range(rng.randint(1, 3)):
            x = rng.uniform(a, max(a + 1, b - 300))
            sp.brown.append((x, x + rng.uniform(180, 600), rng.uniform(0.66, 0.82)))
        if not sp.sags:
            sp.sags.append((a + 60, 5, 0.6))
        end = min(WIN, max([x + d for x, d, _ in sp.sags] + [y for _, y, _ in sp.brown]) + 60)
        mech = "power.mains_unstable"
    else:
        a = min(a0, WIN - 1800)
        oa = a
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                sp.sags.append((a + rng.uniform(0, 240), rng.uniform(1, 6), rng.uniform(0.3, 0.7)))
            oa = a + 300
        ob = min(WIN, oa + rng.uniform(480, 2700))
        sp.out = Ivs([(oa, ob)])
        end = min(WIN, ob + 180)
        mech = "power.site_outage"
    terms = [T for T in s.terms if T.mains or T.network in ("ethernet", "wifi")]
    f = mkf(W, fid, "power.supply", mech, {"site_id": s.sid}, a, end, True, terms, s.city)
    f.site = s
    sp.owner = f
    rdown = router_down_from_power(sp, rng)
    lossy = Ivs([(x, y) for x, y, fac in sp.brown])
    rl, rlat = rng.uniform(0.2, 0.5), rng.uniform(200, 900)
    for T in s.terms:
        if T.network in ("ethernet", "wifi") and (rdown.iv or lossy.iv):
            T.add("routerpower", {"f": f, "a": a, "b": end, "down": rdown, "lossy": lossy, "loss": rl, "lat": rlat})
    out.append(f)
    # people: electrician measures mains, resolution
    if rng.random() < 0.6 and end < WIN:
        add_extra(W, end - rng.uniform(60, 300), {"kind": "check", "site_id": s.sid, "name": "mains_voltage",
                                                  "result": "%dV" % rng.randint(168, 192) if variant == "sags" else "0V"})
        add_extra(W, end + rng.uniform(120, 900), {"kind": "resolution", "site_id": s.sid, "cause": "power.supply",
                                                   "notes": "市电电压不稳,已加装稳压电源 / unstable mains, stabiliser fitted"
                                                   if variant == "sags" else "商场停电,恢复供电后正常 / mains outage, restored"})
    # surge damage to one terminal's board (the article's case 1)
    if variant == "sags":
        deep = [x for x, d, dp in sp.sags if dp > 0.5]
        vict = [T for T in s.terms if T.mains and not T.battery and free_single(W, T)]
        if deep and vict and rng.random() < 0.4:
            T = rng.choice(sorted(vict, key=tkey))
            ts = rng.choice(deep[len(deep) // 3:] or deep)
            W.used.add(T.id)
            reb = []
            x = ts + rng.uniform(900, 2400)
            while x < WIN:
                reb.append(x)
                x += rng.uniform(900, 2700)
            g = mkf(W, fid + "b", "hardware.board", "board.surge_damage", {"terminal_id": T.id}, ts, WIN, False, [T], s.city)
            T.add("board", {"f": g, "mode": "overheat", "a": ts, "b": WIN, "p_abort": rng.uniform(0.12, 0.25),
                            "ramp": 600, "heat": rng.uniform(0.15, 0.3), "reboots": reb})
            out.append(g)
    return out


def f_power_building(W, rng, fid, ctx, variant):
    blds = {}
    for s in W.sites:
        if s.building and W.power[s.sid].owner is None:
            blds.setdefault((s.city, s.building), []).append(s)
    cands = []
    for k in sorted(blds):
        ss = blds[k]
        n = sum(1 for s in ss for T in s.terms if T.mains or T.network in ("ethernet", "wifi"))
        if len(ss) >= 2 and n >= 3:
            cands.append((k, ss, n))
    if ctx and ctx.get("city"):
        same = [c for c in cands if c[0][0] == ctx["city"]]
        if same:
            cands = same
    if not cands:
        return []
    k, ss, n = wchoice(rng, [(c, c[2]) for c in cands])
    a = pick_t(rng, ctx, 0, WIN - 1500)
    b = min(WIN, a + rng.uniform(300, 1500))
    terms = []
    f = mkf(W, fid, "power.supply", "power.building_outage", {"building": k[1], "city": k[0]}, a, min(WIN, b + 180),
            True, [], k[0])
    for s in ss:
        sp = W.power[s.sid]
        sp.out = Ivs([(a + rng.uniform(0, 3), b)])
        sp.owner = f
        rdown = router_down_from_power(sp, rng)
        for T in s.terms:
            if T.mains or T.network in ("ethernet", "wifi"):
                terms.append(T)
            if T.network in ("ethernet", "wifi"):
                T.add("routerpower", {"f": f, "a": a, "b": f.end, "down": rdown})
    f.terms = set(T.id for T in terms)
    f.site = ss[0]
    return [f]


def f_power_adapter(W, rng, fid, ctx, variant):
    cands = [T for T in W.terms if T.mains and not T.battery and T.printer and free_single(W, T)
             and exp_n(T, 0, WIN) > 15]
    T = choose(rng, cands, ctx=ctx, weight=lambda T: exp_n(T, 0, WIN))
    if T is None:
        return []
    W.used.add(T.id)
    a = rng.choice([rng.uniform(-7200, 0), pick_t(rng, ctx, 0, WIN - 3600)])
    b = WIN if rng.random() < 0.5 else min(WIN, max(a, 0) + rng.uniform(3600, 12000))
    fac = rng.uniform(0.83, 0.91)
    f = mkf(W, fid, "power.supply", "power.adapter_low", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("adapter", {"f": f, "a": a, "b": b, "factor": fac, "p_lowv": rng.uniform(0.2, 0.5),
                      "p_reset": rng.uniform(0.08, 0.25)})
    x = max(0, a) + rng.uniform(600, 2400)
    while x < b:
        T.static_down.append((x, x + rng.uniform(40, 80)))
        T.static_reboots.append((T.static_down[-1][1], "power_loss"))
        T.power_ev.append(x)
        x += rng.uniform(1200, 4200)
    if b < WIN:
        add_extra(W, b - 120, {"kind": "check", "terminal_id": T.id, "name": "adapter_voltage",
                               "result": "%.2f" % (T.nominal_v * fac * rng.uniform(0.98, 1.01))})
        add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "part_replaced",
                         "notes": "更换电源适配器 / adapter replaced"})
    return [f]


def f_battery(W, rng, fid, ctx, variant):
    cands = [T for T in W.terms if T.battery and not T.mains and free_single(W, T) and exp_n(T, 0, WIN) > 8]
    T = choose(rng, cands, ctx=ctx, weight=lambda T: exp_n(T, 0, WIN))
    if T is None:
        return []
    W.used.add(T.id)
    n = WIN // 60 + 2
    lvl = rng.uniform(55, 95)
    r = rng.uniform(22, 45)
    cliff = rng.uniform(18, 35)
    arr, dead, warn = [], [], []
    state, cl, w10, until, off_a = "on", False, False, 0, 0
    for k in range(n):
        t = k * 60
        if state == "on":
            lvl -= r / 60.0 * rng.uniform(0.7, 1.3)
            if lvl <= cliff and not cl:
                lvl = rng.uniform(2.5, 6)
                cl = True
                warn.append(t + rng.uniform(0, 50))
            elif lvl <= 10 and not w10:
                w10 = True
                warn.append(t + rng.uniform(0, 50))
            if lvl <= 1.0:
                state, off_a, until = "dead", t, t + rng.uniform(480, 1500)
                lvl = 0.5
        elif state == "dead":
            if t >= until:
                dead.append((off_a, t))
                state, until = "charging", t + rng.uniform(600, 1800)
        else:
            lvl = min(100.0, lvl + rng.uniform(1.0, 1.6))
            if t >= until:
                state, cl, w10 = "on", False, False
                cliff = rng.uniform(18, 35)
        arr.append(max(0.5, lvl))
    if state == "dead":
        dead.append((off_a, WIN + 600))
    T.batt_arr = arr
    f = mkf(W, fid, "power.battery", "battery.worn", {"terminal_id": T.id}, 0, WIN, False, [T], T.city)
    T.add("battery", {"f": f, "a": 0, "b": WIN + 600, "dead": dead, "warn": warn})
    if rng.random() < 0.4:
        add_extra(W, rng.uniform(3600, WIN), {"kind": "complaint", "complaint_id": "", "from": "merchant",
                                               "merchant_id": T.merchant.mid, "terminal_id": T.id,
                                               "text": "机器用一会儿就关机,充满电也撑不了多久"})
    return [f]


def attended_busy(W, rng, ctx, pred, a=0, b=WIN, chans=None, minn=6):
    cands = [T for T in W.terms if not T.unattended and free_single(W, T) and pred(T) and exp_n(T, a, b, chans) >= minn]
    return choose(rng, cands, ctx=ctx, weight=lambda T: exp_n(T, a, b, chans))


def single_window(rng, ctx, dmin=3600, dmax=14400, early=0.25):
    if rng.random() < early:
        a = rng.uniform(-10800, 0)
    else:
        a = pick_t(rng, ctx, 0, WIN - 2400)
    b = min(WIN, max(a, 0) + rng.uniform(dmin, dmax))
    return a, b


def f_keypad(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx)
    T = attended_busy(W, rng, ctx, lambda T: T.keypad or T.android, a, b, ("card_ic", "card_swipe"), 8)
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "hardware.keypad", "keypad.stuck_keys", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("keypad", {"f": f, "a": a, "b": b, "ramp": rng.choice([0, 1800]), "p_err": rng.uniform(0.3, 0.5),
                     "p_wrong": rng.uniform(0.25, 0.45)})
    if b < WIN:
        add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "part_replaced",
                         "notes": "更换键盘膜 / keypad membrane replaced"})
    return [f]


def f_display(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx)
    T = attended_busy(W, rng, ctx, lambda T: True, a, b)
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "hardware.display", "display.intermittent", {"terminal_id": T.id}, a, b, False, [T], T.city)
    ivs = Ivs(bursts(rng, max(a, 0), b, on=(300, 1500), off=(200, 1200)))
    T.add("display", {"f": f, "a": a, "b": b, "ivs": ivs, "p": rng.uniform(0.35, 0.7)})
    add_extra(W, max(a, 0) + rng.uniform(600, 1800), {"kind": "complaint", "complaint_id": "", "from": "merchant",
                                                       "merchant_id": T.merchant.mid, "terminal_id": T.id,
                                                       "text": rng.choice(["屏幕时亮时暗,顾客看不清输密码提示",
                                                                           "POS屏幕花屏,操作不了", "screen flickers, cashier can't see prompts"])})
    return [f]


def f_reader(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx)
    v = rng.choice(["ic", "nfc", "all"])
    chans = {"ic": ("card_ic",), "nfc": ("nfc",), "all": CARD_CH}[v]
    T = attended_busy(W, rng, ctx, lambda T: True, a, b, chans, 6)
    if T is None:
        return []
    W.used.add(T.id)
    p = {"ic": {"card_ic": rng.uniform(0.5, 0.9)}, "nfc": {"nfc": rng.uniform(0.6, 0.95)},
         "all": {"card_ic": rng.uniform(0.5, 0.8), "nfc": rng.uniform(0.4, 0.7), "card_swipe": rng.uniform(0.2, 0.4)}}[v]
    f = mkf(W, fid, "hardware.card_reader", "reader." + v, {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("reader", {"f": f, "a": a, "b": b, "ramp": rng.choice([0, 1200, 2400]), "p": p})
    if b < WIN and rng.random() < 0.5:
        add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "repair",
                         "notes": "清洁/更换IC卡座 / IC slot cleaned and replaced"})
    return [f]


def f_printer(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx, 1800, 9000, 0.1)
    T = attended_busy(W, rng, ctx, lambda T: T.printer, a, b, None, 8)
    if T is None:
        return []
    W.used.add(T.id)
    st = rng.choice(["fault", "fault", "paper_out"])
    f = mkf(W, fid, "hardware.printer", "printer." + st, {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("printer", {"f": f, "a": a, "b": b, "state": st})
    if b < WIN:
        add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "repair" if st == "fault" else "daily_check",
                         "notes": "更换打印头 / print head replaced" if st == "fault" else "补充打印纸 / paper rolls restocked"})
    return [f]


def f_board(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx, 5400, 20000, 0.2)
    T = attended_busy(W, rng, ctx, lambda T: True, a, b, None, 6)
    if T is None:
        return []
    W.used.add(T.id)
    if variant == "tamper":
        a = max(a, 300)
        f = mkf(W, fid, "hardware.board", "board.tamper_triggered", {"terminal_id": T.id}, a, WIN, False, [T], T.city)
        T.add("board", {"f": f, "mode": "tamper", "a": a, "b": WIN, "reboots": [a]})
    else:
        reb = []
        x = max(a, 0) + rng.uniform(900, 2400)
        while x < b:
            reb.append(x)
            x += rng.uniform(900, 3000)
        f = mkf(W, fid, "hardware.board", "board.overheat", {"terminal_id": T.id}, a, b, False, [T], T.city)
        T.add("board", {"f": f, "mode": "overheat", "a": a, "b": b, "p_abort": rng.uniform(0.1, 0.25),
                        "ramp": rng.uniform(300, 1800), "heat": rng.uniform(0.15, 0.35), "reboots": reb})
    return [f]


def f_signal(W, rng, fid, ctx, variant):
    if variant == "das":
        groups = {}
        for s in W.sites:
            for T in s.terms:
                if T.network == "cellular" and not T.mobile and not T.eff("radio"):
                    groups.setdefault((s.sid, T.carrier), []).append(T)
        a = pick_t(rng, ctx, 0, WIN - 1800)
        b = min(WIN, a + rng.uniform(1800, 7200))
        cands = [(k, v) for k, v in sorted(groups.items()) if len(v) >= 2 and sum(exp_n(T, a, b) for T in v) >= 10]
        if ctx and ctx.get("city"):
            same = [c for c in cands if c[1][0].city == ctx["city"]]
            if same:
                cands = same
        if not cands:
            return []
        (sid, car), terms = wchoice(rng, [(c, sum(exp_n(T, a, b) for T in c[1])) for c in cands])
        f = mkf(W, fid, "network.signal", "signal.indoor_coverage_lost", {"site_id": sid, "carrier": car}, a, b, True,
                terms, terms[0].city)
        off = -rng.uniform(22, 34)
        for T in terms:
            T.add("radio", {"f": f, "a": a, "b": b, "offset": off + rng.uniform(-3, 3), "kind": "cell",
                            "ramp": rng.choice([0, 300])})
        return [f]
    kind = "cell" if variant == "cell" else "wifi"
    a, b = single_window(rng, ctx, 3600, 20000, 0.3)
    if kind == "cell":
        pred = lambda T: T.network == "cellular" and not T.mobile
    else:
        pred = lambda T: T.network == "wifi"
    cands = [T for T in W.terms if pred(T) and free_single(W, T) and not T.eff("radio") and exp_n(T, a, b) >= 8]
    T = choose(rng, cands, ctx=ctx, weight=lambda T: exp_n(T, a, b))
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "network.signal", "signal.weak_" + kind, {"terminal_id": T.id}, a, b, False, [T], T.city)
    base = T.cell_rssi if kind == "cell" else T.wifi_rssi
    target = rng.uniform(-112, -104) if kind == "cell" else rng.uniform(-86, -79)
    ivs = Ivs(bursts(rng, max(a, 0) - 1, b, on=(300, 1800), off=(120, 900))) if rng.random() < 0.5 else None
    T.add("radio", {"f": f, "a": a, "b": b, "offset": target - base, "kind": kind, "ramp": rng.choice([0, 900]),
                    "ivs": ivs})
    if rng.random() < 0.5:
        add_extra(W, min(WIN - 60, max(a, 0) + rng.uniform(1800, 5400)),
                  {"kind": "check", "terminal_id": T.id, "name": "signal_test", "result": "%d" % int(target)})
    return [f]


def lan_site_cands(W, need_wifi=False, a=0, b=WIN):
    out = []
    for s in W.sites:
        w = [T for T in s.terms if T.network == "wifi"]
        e = [T for T in s.terms if T.network == "ethernet"]
        if need_wifi:
            if len(w) >= 2 and sum(exp_n(T, a, b) for T in w if not T.sim_fallback) >= 8:
                out.append(s)
        elif len(w) + len(e) >= 2 and sum(exp_n(T, a, b) for T in w + e) >= 10:
            out.append(s)
    return out


def f_lan(W, rng, fid, ctx, variant):
    if variant == "cable":
        a, b = single_window(rng, ctx, 1800, 10000, 0.2)
        cands = [T for T in W.terms if T.network == "ethernet" and free_single(W, T) and exp_n(T, a, b) >= 10]
        T = choose(rng, cands, ctx=ctx, weight=lambda T: exp_n(T, a, b))
        if T is None:
            return []
        W.used.add(T.id)
        f = mkf(W, fid, "network.lan", "lan.cable_loose", {"terminal_id": T.id}, a, b, False, [T], T.city)
        T.add("cable", {"f": f, "a": a, "b": b, "down": Ivs(bursts(rng, max(a, 0), b, on=(10, 150), off=(20, 300)))})
        if b < WIN:
            add_extra(W, b, {"kind": "check", "terminal_id": T.id, "name": "cable_seated", "result": "fail"})
            add_extra(W, b + 300, {"kind": "resolution", "terminal_id": T.id, "cause": "network.lan",
                                   "notes": "网线水晶头松动,重新压线 / loose RJ45 re-crimped"})
        return [f]
    a = pick_t(rng, ctx, 0, WIN - 2400)
    b = min(WIN, a + rng.uniform(1200, 7200))
    cands = lan_site_cands(W, need_wifi=(variant == "ap"), a=a, b=b)
    if ctx and ctx.get("site") is not None and ctx["site"] in cands and rng.random() < 0.5:
        s = ctx["site"]
    else:
        s = choose(rng, cands, key=lambda x: x.sid, ctx=ctx,
                   weight=lambda s: sum(exp_n(T, a, b) for T in s.terms) + 1)
    if s is None:
        return []
    if variant == "ap":
        terms = [T for T in s.terms if T.network == "wifi"]
        f = mkf(W, fid, "network.lan", "lan.ap_fault", {"site_id": s.sid}, a, b, True, terms, s.city)
        dn = Ivs(bursts(rng, a, b, on=(60, 900), off=(30, 300))) if rng.random() < 0.6 else Ivs([(a, b)])
        for T in terms:
            T.add("ap", {"f": f, "a": a, "b": b, "down": dn, "loss": rng.uniform(0.1, 0.3), "lat": rng.uniform(100, 600)})
    else:
        terms = [T for T in s.terms if T.network in ("wifi", "ethernet")]
        mech = "lan.router_degraded" if variant == "router" else "lan.router_flapping"
        f = mkf(W, fid, "network.lan", mech, {"site_id": s.sid}, a, b, True, terms, s.city)
        if variant == "router":
            ramp = rng.choice([0, rng.uniform(300, 1800)])
            dead = a + ramp + rng.uniform(300, 2400) if rng.random() < 0.5 else None
            e = {"a": a, "b": b, "ramp": ramp, "loss": rng.uniform(0.25, 0.7), "lat": rng.uniform(600, 3000),
                 "dead": dead if (dead and dead < b) else None, "down": None}
        else:
            e = {"a": a, "b": b, "ramp": 0, "loss": rng.uniform(0.02, 0.1), "lat": rng.uniform(50, 300), "dead": None,
                 "down": Ivs(bursts(rng, a, b, on=(30, 240), off=(60, 600)))}
        for T in terms:
            d = dict(e)
            d["f"] = f
            T.add("router", d)
    f.site = s
    if b < WIN and rng.random() < 0.7:
        add_extra(W, b - rng.uniform(0, 60), {"kind": "check", "site_id": s.sid, "name": "router_restarted", "result": "ok"})
        add_extra(W, b + rng.uniform(300, 900), {"kind": "resolution", "site_id": s.sid, "cause": "network.lan",
                                                 "notes": "路由器重启后恢复 / recovered after router restart"})
    return [f]


def f_carrier(W, rng, fid, ctx, variant):
    groups = {}
    for T in W.terms:
        if T.carrier and (T.network == "cellular" or T.sim_fallback):
            groups.setdefault((T.city, T.carrier), []).append(T)
    cands = [(k, v) for k, v in sorted(groups.items()) if len([T for T in v if T.network == "cellular"]) >= 4
             and sum(exp_n(T, 0, WIN) for T in v) >= 40]
    if ctx and ctx.get("city"):
        same = [c for c in cands if c[0][0] == ctx["city"]]
        if same and rng.random() < 0.8:
            cands = same
    if not cands:
        return []
    (city, car), terms = wchoice(rng, [(c, len(c[1])) for c in cands])
    a = pick_t(rng, ctx, 0, WIN - 1800)
    if variant == "outage":
        b = min(WIN, a + rng.uniform(900, 4500))
        frac = rng.uniform(0.6, 1.0)
        hit = [T for T in terms if rng.random() < frac] or terms[:1]
        ramp = rng.choice([0, 0, rng.uniform(120, 600)])
        f = mkf(W, fid, "network.carrier", "carrier.data_outage", {"carrier": car, "city": city}, a, b, True, hit, city)
        for T in hit:
            T.add("carrier", {"f": f, "a": a, "b": b, "ramp": ramp, "down": True, "loss": 1.0, "lat": 0.0})
    else:
        b = min(WIN, a + rng.uniform(1800, 7200))
        hit = terms
        f = mkf(W, fid, "network.carrier", "carrier.degraded", {"carrier": car, "city": city}, a, b, True, hit, city)
        lo, la, ramp = rng.uniform(0.15, 0.45), rng.uniform(800, 3000), rng.uniform(0, 900)
        for T in hit:
            T.add("carrier", {"f": f, "a": a, "b": b, "ramp": ramp, "down": False, "loss": lo * rng.uniform(0.7, 1.2),
                              "lat": la})
    return [f]


NEWVER = {"pax": ["6.4.0", "6.4.1"], "newland": ["2.9.0", "2.9.1"], "landi": ["2.0.1", "2.0.2"],
          "sunmi": ["3.13.0", "3.13.2"], "centerm": ["4.2.0", "4.2.1"], "xgd": ["21.4", "21.5"],
          "yuntong": ["m2-1.5.0", "m2-1.5.1"]}


def new_version(W, vendor):
    W.relcount[vendor] = W.relcount.get(vendor, 0) + 1
    lst = NEWVER[vendor]
    k = W.relcount[vendor] - 1
    return lst[k] if k < len(lst) else lst[-1] + "." + str(k)


def rollout(W, rng, terms, ver, a, spread, frac, note):
    out = []
    for T in sorted(terms, key=tkey):
        if rng.random() < frac:
            ut = a + rng.uniform(0, spread)
            if ut < WIN - 400:
                T.updates.append((ut, None, ver, "update"))
                T.updates.sort()
                out.append((T, ut))
                add_extra(W, ut, {"kind": "maintenance", "terminal_id": T.id, "action": "firmware_update",
                                  "notes": note})
    return out


def vendor_groups(W, min_n=5):
    g = {}
    for T in W.terms:
        g.setdefault(T.vendor, []).append(T)
    return [(v, ts) for v, ts in sorted(g.items()) if len(ts) >= min_n and v not in W.released]


def f_bug(W, rng, fid, ctx, variant):
    cands = vendor_groups(W, 6)
    if not cands:
        return []
    v, terms = wchoice(rng, [(c, len(c[1])) for c in cands])
    W.released.add(v)
    ver = new_version(W, v)
    a = pick_t(rng, ctx, 0, WIN - 7200)
    spread = rng.uniform(1200, 7200)
    frac = rng.uniform(0.5, 1.0)
    ups = rollout(W, rng, terms, ver, a, spread, frac, "TMS推送应用 %s / app push" % ver)
    if len(ups) < 2:
        return []
    modes = ["crash_qr", "print", "tls", "field55"]
    if any(T.android for T, _ in ups):
        modes += ["leak", "leak"]
    if any(T.keypad is not None for T, _ in ups):
        modes += ["crash_nfc"]
    fresh = [x for x in modes if x not in W.bug_modes]
    mode = rng.choice(fresh or modes)
    W.bug_modes.add(mode)
    end = WIN
    first = min(ut for _, ut in ups)
    f = mkf(W, fid, "software.bug", "bug." + mode, {"vendor": v, "app_version": ver}, first, end, True,
            [T for T, _ in ups], None)
    if rng.random() < 0.35:
        # vendor halts and rolls back the release once complaints come in
        rb = a + spread + rng.uniform(600, 3600)
        if rb < WIN - 900:
            old = {}
            for T, ut in ups:
                if ut < rb:
                    T.updates.append((rb + rng.uniform(0, 900), None, T.app, "rollback"))
                    T.updates.sort()
                    add_extra(W, T.updates[-1][0], {"kind": "maintenance", "terminal_id": T.id,
                                                    "action": "firmware_update", "notes": "回退应用至 %s / rollback" % T.app})
            f.end = min(WIN, rb + 900)
            f.mech += "+rollback"
    for T, ut in ups:
        e = {"f": f, "a": ut, "b": f.end if ut < f.end else ut, "ut": ut, "ver": ver, "field": "app", "mode": mode,
             "p": {"tls": rng.uniform(0.2, 0.4), "print": rng.uniform(0.15, 0.4), "crash_qr": rng.uniform(0.2, 0.5),
                   "field55": rng.uniform(0.5, 0.9)}.get(mode, rng.uniform(0.4, 0.8)), "rate": rng.uniform(0.5, 1.3)}
        T.add("bug", e)
    f.terms = set(T.id for T, ut in ups if ut < f.end)
    W.notes_release.append((v, ver, "defective:" + mode))
    return [f]


def benign_release(W, rng):
    cands = vendor_groups(W, 6)
    if not cands:
        return
    v, terms = rng.choice(cands)
    W.released.add(v)
    ver = new_version(W, v)
    a = rng.uniform(0, WIN - 5400)
    rollout(W, rng, terms, ver, a, rng.uniform(1800, 7200), rng.uniform(0.4, 0.9), "TMS推送应用 %s / app push" % ver)
    W.notes_release.append((v, ver, "benign"))
    W.benign.append("benign release %s %s rolled out (update reboots, no defect)" % (v, ver))


def f_incompat(W, rng, fid, ctx, variant):
    if variant == "release":
        cands = vendor_groups(W, 6)
        best = None
        for v, terms in cands:
            for h in sorted(HOSTS):
                n = sum(1 for T in terms if T.host == h)
                if n >= 3 and (best is None or n > best[0] or (n == best[0] and rng.random() < 0.3)):
                    best = (n, v, terms, h)
        if best is None:
            return []
        _, v, terms, h = best
        W.released.add(v)
        ver = new_version(W, v)
        a = pick_t(rng, ctx, 0, WIN - 7200)
        ups = rollout(W, rng, terms, ver, a, rng.uniform(1800, 6000), rng.uniform(0.6, 1.0),
                      "TMS推送应用 %s / app push" % ver)
        onh = [(T, ut) for T, ut in ups if T.host == h]
        if len(onh) < 1:
            return []
        first = min(ut for _, ut in onh)
        rc = rng.choice(["30", "30", "40"])
        f = mkf(W, fid, "software.incompatible", "incompatible.new_version_rejected_by_host",
                {"host": h, "app_version": ver}, first, WIN, True, [T for T, _ in onh], None)
        for T, ut in onh:
            T.add("incompat", {"f": f, "a": ut, "b": WIN, "host": h, "vers": {ver}, "mode": "format", "rc": rc})
        W.notes_release.append((v, ver, "rejected by " + h))
        return [f]
    # a host drops support for old terminal software at a planned minute
    best = []
    for h in sorted(HOSTS):
        for v in sorted(VENDORS):
            olds = set(MODELS[k]["app"][0] for k in MODELS if k[0] == v)
            ts = [T for T in W.terms if T.host == h and T.vendor == v and T.app in olds and not T.updates]
            if len(ts) >= 3:
                best.append((h, v, olds, ts))
    if not best:
        return []
    h, v, olds, ts = wchoice(rng, [(b, len(b[3])) for b in best])
    a = float(int(pick_t(rng, ctx, 1800, WIN - 3600) // 900 * 900))     # on a quarter hour
    b = WIN if rng.random() < 0.5 else min(WIN, a + rng.uniform(2400, 9000))
    mode = rng.choice(["tls", "format"])
    f = mkf(W, fid, "software.incompatible", "incompatible.host_dropped_old_" + mode,
            {"host": h, "vendor": v, "app_version": sorted(olds)}, a, b, True, ts, None)
    for T in ts:
        T.add("incompat", {"f": f, "a": a, "b": b, "host": h, "vers": set(olds), "mode": mode, "rc": "30"})
    if rng.random() < 0.6:
        add_extra(W, rng.uniform(-3600, min(a, 1800)), {"kind": "notice", "host": h,
                  "text": "%s 将于 %s 起升级前置,请尽快升级终端程序 / front-end upgrade, please update terminal software"
                          % (h, local_str(W, a, "%H:%M"))})
    return [f]


def f_config(W, rng, fid, ctx, variant):
    if variant == "single":
        a, b = single_window(rng, ctx, 1800, 12000, 0.0)
        T = attended_busy(W, rng, ctx, lambda T: T.vendor in ("pax", "newland", "landi", "sunmi", "centerm", "xgd"), a, b, CARD_CH, 4)
        if T is None:
            return []
        W.used.add(T.id)
        mode = rng.choice(["tid", "host"])
        f = mkf(W, fid, "software.config", "config.reinstall_" + mode, {"terminal_id": T.id}, a, b, False, [T], T.city)
        ip, port = HOSTS[T.host][0], HOSTS[T.host][1]
        T.add("config", {"f": f, "a": a, "b": b, "mode": mode, "ip": ip.rsplit(".", 1)[0] + ".%d" % rng.randint(2, 250),
                         "port": port + rng.choice([1, 10, -1]), "mid": None})
        add_extra(W, a - rng.uniform(60, 300), {"kind": "maintenance", "terminal_id": T.id, "action": "repair",
                                                "notes": "重装支付应用并重新下载参数 / payment app reinstalled"})
        T.param_changes.append((a, "P%d" % rng.randint(141, 199)))
        return [f]
    a = pick_t(rng, ctx, 0, WIN - 3600)
    b = WIN if rng.random() < 0.4 else min(WIN, a + rng.uniform(1800, 7200))
    cands = [m for m in W.merchants if len(m.terms) >= 2 and m.type not in ("vending",)
             and m_act(m, a, b, CARD_CH) >= 6]
    m = choose(rng, cands, key=lambda m: m.mid, ctx=ctx, weight=lambda m: m_act(m, a, b, CARD_CH))
    if m is None:
        return []
    mode = rng.choice(["host", "mid", "keyidx"])
    pv = "P%d" % rng.randint(141, 199)
    ts = sorted(m.terms, key=tkey)
    f = mkf(W, fid, "software.config", "config.bad_param_push_" + mode, {"merchant_id": m.mid, "param_version": pv},
            a, b, True, ts, m.city)
    mid2 = m.mid[:-4] + m.mid[-3] + m.mid[-4] + m.mid[-2:]
    if mid2 == m.mid:
        mid2 = m.mid[:-1] + str((int(m.mid[-1]) + 1) % 10)
    for T in ts:
        ta = a + rng.uniform(0, 300)
        ip, port = HOSTS[T.host][0], HOSTS[T.host][1]
        T.add("config", {"f": f, "a": ta, "b": b, "mode": mode, "ip": ip.rsplit(".", 1)[0] + ".%d" % rng.randint(2, 250),
                         "port": port, "mid": mid2})
        T.param_changes.append((ta, pv))
        if b < WIN:
            T.param_changes.append((b + rng.uniform(0, 120), "P%d" % rng.randint(200, 260)))
    return [f]


def f_corrupt(W, rng, fid, ctx, variant):
    if variant == "line":
        a = pick_t(rng, ctx, 0, WIN - 2400)
        b = min(WIN, a + rng.uniform(1800, 7200))
        cands = [s for s in W.sites if sum(1 for T in s.terms if T.network == "ethernet") >= 2
                 and sum(exp_n(T, a, b, ("card_ic", "nfc")) for T in s.terms if T.network == "ethernet") >= 8]
        s = choose(rng, cands, key=lambda x: x.sid, ctx=ctx,
                   weight=lambda s: sum(exp_n(T, a, b, CARD_CH) for T in s.terms) + 0.1)
        if s is None:
            return []
        terms = [T for T in s.terms if T.network == "ethernet"]
        f = mkf(W, fid, "transmission.corruption", "corruption.line_converter", {"site_id": s.sid}, a, b, True, terms, s.city)
        p = rng.uniform(0.55, 0.9)
        for T in terms:
            T.add("corrupt", {"f": f, "a": a, "b": b, "mode": "line", "p": p})
        f.site = s
        return [f]
    a, b = single_window(rng, ctx, 3600, 16000, 0.3)
    T = attended_busy(W, rng, ctx, lambda T: T.kind == "counter", a, b, ("card_ic", "card_swipe"), 10)
    if T is None:
        return []
    W.used.add(T.id)
    T.pinpad_ext = True
    f = mkf(W, fid, "transmission.corruption", "corruption.pinpad_cable", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("corrupt", {"f": f, "a": a, "b": b, "mode": "pinpad", "p": rng.uniform(0.6, 1.0)})
    if b < WIN:
        add_extra(W, b - 60, {"kind": "check", "terminal_id": T.id, "name": "cable_seated", "result": "fail"})
        add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "part_replaced",
                         "notes": "更换密码键盘连接线 / PIN pad cable replaced"})
    return [f]


def f_keys(W, rng, fid, ctx, variant):
    if variant == "tmk":
        a, b = single_window(rng, ctx, 3600, 20000, 0.4)
        T = attended_busy(W, rng, ctx, lambda T: True, a, b, CARD_CH, 4)
        if T is None:
            return []
        W.used.add(T.id)
        f = mkf(W, fid, "security.keys", "keys.master_key_lost", {"terminal_id": T.id}, a, b, False, [T], T.city)
        T.add("keys", {"f": f, "a": a, "b": b, "mode": "missing"})
        if b < WIN:
            add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "repair",
                             "notes": "重新灌装主密钥 / master key re-injected"})
        return [f]
    best = []
    for h in sorted(HOSTS):
        for v in sorted(VENDORS):
            ts = [T for T in W.terms if T.host == h and T.vendor == v and T.app == MODELS[(T.vendor, T.model)]["app"][1]]
            if len(ts) >= 3:
                best.append((h, v, ts))
    if not best:
        return []
    h, v, ts = wchoice(rng, [(x, len(x[2])) for x in best])
    a = float(int(pick_t(rng, ctx, 600, WIN - 3600) // 300 * 300))
    b = WIN if rng.random() < 0.5 else min(WIN, a + rng.uniform(2400, 9000))
    f = mkf(W, fid, "security.keys", "keys.rotation_not_applied", {"host": h, "vendor": v}, a, b, True, ts, None)
    for T in ts:
        T.add("keys", {"f": f, "a": a, "b": b, "mode": "mismatch"})
    return [f]


def f_cert(W, rng, fid, ctx, variant):
    if variant == "clock":
        a, b = single_window(rng, ctx, 3600, 16000, 0.0)
        a = max(a, 120)
        T = attended_busy(W, rng, ctx, lambda T: T.vendor in ("pax", "newland"), a, b, None, 5)
        if T is None:
            return []
        W.used.add(T.id)
        epoch = dt.datetime(2000, 1, 1, tzinfo=CST) if rng.random() < 0.5 else dt.datetime(2020, 1, 1, tzinfo=CST)
        skew = int((epoch - (W.W0 + dt.timedelta(seconds=a))).total_seconds())
        f = mkf(W, fid, "security.certificate", "cert.clock_reset", {"terminal_id": T.id}, a - 60, b, False, [T], T.city)
        T.add("clock", {"f": f, "a": a, "b": b, "skew": skew})
        T.add("tls", {"f": f, "a": a, "b": b, "sem": "TLS_FUTURE", "dest": "all", "p": 1.0})
        if b < WIN:
            add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "repair",
                             "notes": "更换时钟电池并校时 / RTC battery replaced, clock set"})
        return [f]
    if variant == "host":
        best = []
        for h in sorted(HOSTS):
            for (v, mdl), spec in sorted(MODELS.items()):
                ts = [T for T in W.terms if T.host == h and T.vendor == v and T.model == mdl and T.fw == spec["fw"][0]]
                if len(ts) >= 2:
                    best.append((h, v, mdl, spec["fw"][0], ts))
        if not best:
            return []
        h, v, mdl, fw, ts = wchoice(rng, [(x, len(x[4])) for x in best])
        # other old-firmware models on the same host are hit too
        fws = {fw}
        for (v2, m2), spec in sorted(MODELS.items()):
            if rng.random() < 0.3:
                fws.add(spec["fw"][0])
        ts = [T for T in W.terms if T.host == h and T.fw in fws]
        a = float(int(pick_t(rng, ctx, 600, WIN - 3600) // 60 * 60))
        b = min(WIN, a + rng.uniform(1800, 7200))
        f = mkf(W, fid, "security.certificate", "cert.host_chain_untrusted", {"host": h, "firmware": sorted(fws)},
                a, b, True, ts, None)
        for T in ts:
            T.add("tls", {"f": f, "a": a, "b": b, "sem": "TLS_UNTRUSTED", "dest": "card", "host": h, "fw": set(fws), "p": 1.0})
        return [f]
    groups = {}
    for T in W.terms:
        if T.cert is not None:
            groups.setdefault((T.vendor, T.model), []).append(T)
    cands = [(k, v) for k, v in sorted(groups.items()) if len(v) >= 4]
    if not cands:
        return []
    (v, mdl), ts = wchoice(rng, [(c, len(c[1])) for c in cands])
    ts = sorted(ts, key=tkey)
    k = min(len(ts), rng.randint(4, 12))
    rng.shuffle(ts)
    batch = sorted(ts[:k], key=tkey)
    a = float(int(pick_t(rng, ctx, 600, WIN - 3600)))
    b = WIN if rng.random() < 0.6 else min(WIN, a + rng.uniform(3600, 9000))
    na = W.W0 + dt.timedelta(seconds=a)
    inst = na - dt.timedelta(days=3 * 365)
    for T in batch:
        T.cert = na
        T.installed = inst + dt.timedelta(days=rng.randint(3, 40))
    f = mkf(W, fid, "security.certificate", "cert.client_expired", {"vendor": v, "model": mdl,
                                                                    "cert_not_after": na.strftime("%Y-%m-%dT%H:%M:%SZ")},
            a, b, True, batch, None)
    for T in batch:
        T.add("tls", {"f": f, "a": a, "b": b, "sem": "TLS_EXPIRED", "dest": "all", "p": 1.0})
    return [f]


def f_storage(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx, 3600, 20000, 0.5)
    T = attended_busy(W, rng, ctx, lambda T: True, a, b, None, 12)
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "resource.storage", "storage.journal_full", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("storage", {"f": f, "a": a, "b": b, "lvl0": rng.uniform(97.0, 98.6), "rate": rng.uniform(0.1, 0.35),
                      "period": rng.uniform(1500, 3600)})
    if b < WIN:
        add_extra(W, b, {"kind": "maintenance", "terminal_id": T.id, "action": "repair",
                         "notes": "结算并清理历史流水 / settled and journal cleared"})
    return [f]


def f_memory(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx, 3600, 20000, 0.4)
    T = attended_busy(W, rng, ctx, lambda T: T.android, a, b, None, 12)
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "resource.memory", "memory.third_party_apps", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("memory", {"f": f, "a": a, "b": b, "lvl": rng.uniform(93, 98), "p": rng.uniform(0.2, 0.35)})
    return [f]


def f_cpu(W, rng, fid, ctx, variant):
    a, b = single_window(rng, ctx, 2400, 16000, 0.3)
    T = attended_busy(W, rng, ctx, lambda T: T.android, a, b, None, 12)
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "resource.cpu", "cpu.runaway_background", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("cpu", {"f": f, "a": a, "b": b, "p_anr": rng.uniform(0.08, 0.15), "p_to": rng.uniform(0.12, 0.25)})
    return [f]


def f_operator(W, rng, fid, ctx, variant):
    a = pick_t(rng, ctx, 0, WIN - 3600)
    b = min(WIN, a + rng.uniform(3600, 10800))
    T = attended_busy(W, rng, ctx, lambda T: True, a, b, None, 20)
    if T is None:
        return []
    W.used.add(T.id)
    f = mkf(W, fid, "operator.error", "operator.new_cashier", {"terminal_id": T.id}, a, b, False, [T], T.city)
    T.add("operator", {"f": f, "a": a, "b": b, "mult": rng.uniform(10, 20)})
    return [f]


def m_act(m, a, b, chans=None):
    return sum(exp_n(T, a, b, chans) for T in m.terms)


def merchant_pick(W, rng, ctx, pred, chans=CARD_CH, a=0, b=WIN):
    cands = [m for m in W.merchants if pred(m) and m.mid not in W.biz_used]
    m = choose(rng, cands, key=lambda m: m.mid, ctx=ctx,
               weight=lambda m: (m_act(m, a, b, chans) + 0.01) * (1 + 2 * (len(m.terms) >= 2)))
    if m is not None:
        W.biz_used.add(m.mid)
    return m


def f_txn_type(W, rng, fid, ctx, variant):
    a = pick_t(rng, ctx, 0, WIN - 3600) if rng.random() < 0.6 else rng.uniform(-7200, 0)
    m = merchant_pick(W, rng, ctx, lambda m: any(T.pre for T in m.terms)
                      and sum(exp_n(T, a, WIN) * T.pre for T in m.terms) >= 5, a=a)
    if m is None:
        return []
    f = mkf(W, fid, "business.txn_type", "txn_type.preauth_not_enabled", {"merchant_id": m.mid}, a, WIN, True,
            m.terms, m.city)
    W.ME[m.mid].append({"f": f, "a": a, "b": WIN, "kind": "txn_type", "types": ("preauth",), "rc": rng.choice(["40", "58"])})
    return [f]


def f_limit(W, rng, fid, ctx, variant):
    a = rng.uniform(1800, WIN - 5400)
    scope = rng.choice(["credit", "credit", "all"])
    need = 40 if scope == "credit" else 12
    m = merchant_pick(W, rng, ctx, lambda m: m.type in ("bar", "ktv", "restaurant", "hotel", "bbq", "gas")
                      and m_act(m, a, WIN, CARD_CH) >= need, a=a)
    if m is None:
        return []
    f = mkf(W, fid, "business.limit", "limit.merchant_daily_" + scope, {"merchant_id": m.mid}, a, WIN, True, m.terms,
            m.city)
    W.ME[m.mid].append({"f": f, "a": a, "b": WIN, "kind": "limit", "scope": scope})
    return [f]


def f_risk(W, rng, fid, ctx, variant):
    a = pick_t(rng, ctx, 0, WIN - 3600)
    b = WIN if rng.random() < 0.5 else min(WIN, a + rng.uniform(3600, 9000))
    thr = rng.choice([0, 0, 10000, 30000])
    m = merchant_pick(W, rng, ctx, lambda m: m.type in ("bar", "ktv", "hotel", "restaurant", "bbq")
                      and m_act(m, a, b, CARD_CH) >= 12, a=a, b=b)
    if m is None:
        return []
    f = mkf(W, fid, "business.risk", "risk.merchant_flagged", {"merchant_id": m.mid}, a, b, True, m.terms, m.city)
    W.ME[m.mid].append({"f": f, "a": a, "b": b, "kind": "risk", "thr": thr, "rc": rng.choice(["59", "59", "34"])})
    if rng.random() < 0.5:
        add_extra(W, min(b, a + rng.uniform(900, 2400)), {"kind": "complaint", "complaint_id": "", "from": "customer",
                                                          "merchant_id": m.mid,
                                                          "text": "在%s刷信用卡一直失败,说有风险,卡在别处能用" % m.name})
    return [f]


def f_frozen(W, rng, fid, ctx, variant):
    a = pick_t(rng, ctx, 0, WIN - 2400)
    b = WIN if rng.random() < 0.6 else min(WIN, a + rng.uniform(1800, 7200))
    m = merchant_pick(W, rng, ctx, lambda m: m.type not in ("canteen",) and m_act(m, a, b) >= 10, chans=None,
                      a=a, b=b)
    if m is None:
        return []
    f = mkf(W, fid, "business.merchant", "merchant.frozen", {"merchant_id": m.mid}, a, b, True, m.terms, m.city)
    W.ME[m.mid].append({"f": f, "a": a, "b": b, "kind": "frozen"})
    return [f]


def f_acquirer(W, rng, fid, ctx, variant):
    hs = [h for h in sorted(HOSTS) if not any(e["kind"] in ("down", "overload") for e in W.HE[h])]
    if not hs:
        return []
    h = wchoice(rng, [(x, 1 + sum(1 for T in W.terms if T.host == x)) for x in hs])
    a = pick_t(rng, ctx, 0, WIN - 2400)
    ts = [T for T in W.terms if T.host == h]     # plus, after the run, terminals re-routed onto h
    if variant == "down":
        b = min(WIN, a + rng.uniform(600, 2700))
        mode = rng.choice(["timeout", "reject"])
        f = mkf(W, fid, "upstream.acquirer", "acquirer.down_" + mode, {"host": h}, a, b, True, ts, None)
        W.HE[h].append({"f": f, "a": a, "b": b, "kind": "down", "mode": mode,
                        "reroute_at": a + rng.uniform(480, 1200) if rng.random() < 0.6 else None})
        f.terms_plus_events = True
    else:
        b = min(WIN, a + rng.uniform(1800, 5400))
        f = mkf(W, fid, "upstream.acquirer", "acquirer.overload", {"host": h}, a, b, True, ts, None)
        W.HE[h].append({"f": f, "a": a, "b": b, "kind": "overload", "ramp": rng.uniform(300, 1800),
                        "lat": rng.uniform(15000, 45000), "pmax": rng.uniform(0.2, 0.6), "reroute_at": None})
    f.terms_plus_events = True
    return [f]


def f_issuer(W, rng, fid, ctx, variant):
    cities = {}
    for T in W.terms:
        cities[T.city] = cities.get(T.city, 0) + exp_n(T, 0, WIN, CARD_CH)
    opts = []
    for i in ISSUERS:
        if i[0] in ("intl",) or W.IE[i[0]]:
            continue
        w = i[3] * (sum(cities.get(c, 0) for c in i[4]) * 4 if i[4] else sum(cities.values()) * 0.3)
        opts.append((i, w))
    if not opts:
        return []
    iss = wchoice(rng, opts)
    a = pick_t(rng, ctx, 0, WIN - 1800)
    b = min(WIN, a + rng.uniform(600, 3600))
    f = mkf(W, fid, "upstream.issuer", "issuer." + variant, {"issuer": iss[0], "bins": [x[0] for x in iss[2]]},
            a, b, True, [], None)
    f.terms_from_events = True
    W.IE[iss[0]].append({"f": f, "a": a, "b": b, "mode": variant, "p": rng.uniform(0.4, 0.8)})
    return [f]


def f_decline_batch(W, rng, fid, ctx, variant):
    ms = [m for m in W.merchants if m.type == "canteen" and m.mid not in W.biz_used]
    if not ms:
        return []
    m = ms[0]
    W.biz_used.add(m.mid)
    f = mkf(W, fid, "card.decline", "decline.staff_cards_expired", {"merchant_id": m.mid, "bin": m.staff_bin[1]},
            0, WIN, True, m.terms, m.city)
    W.ME[m.mid].append({"f": f, "a": -1, "b": WIN + 1, "kind": "decline_batch"})
    return [f]


CAUSE_MAKERS = {
    "power.supply": [(f_power_site, "sags", 1.0), (f_power_site, "outage", 1.0), (f_power_building, None, 0.5),
                     (f_power_adapter, None, 0.8)],
    "power.battery": [(f_battery, None, 1.0)],
    "hardware.keypad": [(f_keypad, None, 1.0)],
    "hardware.display": [(f_display, None, 1.0)],
    "hardware.card_reader": [(f_reader, None, 1.0)],
    "hardware.printer": [(f_printer, None, 1.0)],
    "hardware.board": [(f_board, "overheat", 1.0), (f_board, "tamper", 0.6)],
    "network.signal": [(f_signal, "cell", 1.0), (f_signal, "wifi", 0.5), (f_signal, "das", 0.45)],
    "network.lan": [(f_lan, "router", 1.2), (f_lan, "flap", 0.5), (f_lan, "ap", 0.6), (f_lan, "cable", 0.5)],
    "network.carrier": [(f_carrier, "outage", 1.0), (f_carrier, "degraded", 0.6)],
    "software.bug": [(f_bug, None, 1.0)],
    "software.incompatible": [(f_incompat, "host", 1.0), (f_incompat, "release", 0.6)],
    "software.config": [(f_config, "push", 1.0), (f_config, "single", 0.6)],
    "transmission.corruption": [(f_corrupt, "pinpad", 1.0), (f_corrupt, "line", 0.6)],
    "security.keys": [(f_keys, "rotation", 1.0), (f_keys, "tmk", 0.6)],
    "security.certificate": [(f_cert, "batch", 1.0), (f_cert, "host", 0.5), (f_cert, "clock", 0.6)],
    "resource.storage": [(f_storage, None, 1.0)],
    "resource.memory": [(f_memory, None, 1.0)],
    "resource.cpu": [(f_cpu, None, 1.0)],
    "operator.error": [(f_operator, None, 1.0)],
    "business.txn_type": [(f_txn_type, None, 1.0)],
    "business.limit": [(f_limit, None, 1.0)],
    "business.risk": [(f_risk, None, 1.0)],
    "business.merchant": [(f_frozen, None, 1.0)],
    "upstream.acquirer": [(f_acquirer, "down", 1.0), (f_acquirer, "overload", 0.7)],
    "upstream.issuer": [(f_issuer, "down", 1.0), (f_issuer, "slow", 0.6)],
    "card.decline": [(f_decline_batch, None, 1.0)],
}
CAUSES = sorted(CAUSE_MAKERS)
SHARED_MAKERS = {(f_power_site, "sags"), (f_power_site, "outage"), (f_power_building, None), (f_signal, "das"),
                 (f_lan, "router"), (f_lan, "flap"), (f_lan, "ap"), (f_carrier, "outage"), (f_carrier, "degraded"),
                 (f_bug, None), (f_incompat, "host"), (f_incompat, "release"), (f_config, "push"),
                 (f_corrupt, "line"), (f_keys, "rotation"), (f_cert, "batch"), (f_cert, "host"),
                 (f_txn_type, None), (f_limit, None), (f_risk, None), (f_frozen, None), (f_acquirer, "down"),
                 (f_acquirer, "overload"), (f_issuer, "down"), (f_issuer, "slow"), (f_decline_batch, None)}
CAUSE_W = {"network.lan": 1.4, "power.supply": 1.3, "network.carrier": 1.0, "software.bug": 1.0,
           "upstream.acquirer": 0.8, "upstream.issuer": 0.7, "network.signal": 1.0, "hardware.printer": 0.8,
           "hardware.card_reader": 0.7, "power.battery": 0.6, "security.certificate": 0.6, "security.keys": 0.6,
           "software.config": 0.6, "business.merchant": 0.45, "software.incompatible": 0.5, "operator.error": 0.6,
           "hardware.keypad": 0.5, "resource.storage": 0.5, "resource.memory": 0.4, "resource.cpu": 0.4,
           "business.limit": 0.4, "business.risk": 0.4, "business.txn_type": 0.4, "hardware.board": 0.4,
           "hardware.display": 0.3, "transmission.corruption": 0.4, "card.decline": 0.1}


# ----------------------------------------------------------------------------
# people / TMS records around the faults
# ----------------------------------------------------------------------------
QR_FAILS = ("network.", "power.", "business.merchant")


def complaint_text(rng, f, code, t, W):
    hh = local_str(W, t, "%H:%M")
    qr_bad = f.cause.startswith(QR_FAILS) or f.mech in ("cert.client_expired", "cert.clock_reset", "bug.crash_qr")
    qr = "扫码也不行" if qr_bad else "扫码可以"
    tpl = rng.choice([
        "今晚%s左右开始刷卡老失败,机器显示%s,%s" % (hh, code, qr),
        "POS一直报%s,重启了也没用" % code,
        "顾客付款总是失败,提示%s,%s,请尽快处理" % (code, qr),
        "card payments keep failing with %s since %s" % (code, hh),
        "收银机器报%s,客人排队很长,%s" % (code, qr),
    ])
    return tpl


def people_records(W, rng, fev):
    """complaints for faults that hurt merchants; daily checks etc."""
    for f in W.faults:
        evs = fev.get(f.fid, [])
        if len(evs) < 3:
            continue
        if f.mech in ("battery.worn", "display.intermittent", "risk.merchant_flagged"):
            continue
        if rng.random() > (0.55 if f.shared else 0.3):
            continue
        t3 = evs[2][0]
        tid = evs[2][1]
        t_first = min(x[0] for x in evs if x[1] == tid)
        codes = {}
        for t, term, code in evs:
            if term == tid:
                codes[code] = codes.get(code, 0) + 1
        code = sorted(codes.items(), key=lambda x: (-x[1], x[0]))[0][0]
        code = "超时" if code == "timeout" else code
        t = t3 + rng.uniform(300, 1500)
        T = W.T[tid]
        rec = {"kind": "complaint", "complaint_id": "", "from": "merchant", "merchant_id": T.merchant.mid,
               "text": complaint_text(rng, f, code, t_first, W)}
        if rng.random() < 0.7:
            rec["terminal_id"] = tid
        add_extra(W, t, rec)
    # noise complaints from cardholders
    ms = sorted(W.merchants, key=lambda m: m.mid)
    for _ in range(rng.randint(0, 2)):
        m = rng.choice(ms)
        add_extra(W, rng.uniform(1800, WIN), {"kind": "complaint", "complaint_id": "", "from": "customer",
                                              "merchant_id": m.mid,
                                              "text": "我卡里明明有钱,在%s刷卡却提示余额不足" % m.name})
    for T in sorted(W.terms, key=tkey):
        if T.unattended:
            continue
        r = rng.random()
        if r < 0.15:
            add_extra(W, rng.uniform(-1800, 900), {"kind": "maintenance", "terminal_id": T.id, "action": "daily_check",
                                                   "notes": rng.choice(["电源、键盘、屏幕正常", "power, keypad, display ok",
                                                                        "开机检查正常,打印纸充足"])})
        elif r < 0.18:
            add_extra(W, rng.uniform(-1800, WIN), {"kind": "maintenance", "terminal_id": T.id, "action": "weekly_clean",
                                                   "notes": "清洁读卡器和打印头 / reader and print head cleaned"})
        elif r < 0.19:
            add_extra(W, rng.uniform(-1800, WIN), {"kind": "maintenance", "terminal_id": T.id,
                                                   "action": "monthly_inspection", "notes": "内部检查无异常 / inside ok"})


# ----------------------------------------------------------------------------
# orchestration
# ----------------------------------------------------------------------------
def coverage_plan(seed):
    """each cause is forced into two of every ten consecutive seeds"""
    idx = (seed - 1) % 10
    out = []
    for k in (1, 2):
        perm = list(CAUSES)
        R("coverage", k).shuffle(perm)
        for i, c in enumerate(perm):
            if i % 10 == idx and c not in out:
                out.append(c)
    return out


def make_faults(W, attempt=0):
    rng = R(W.seed, "faults") if attempt == 0 else R(W.seed, "faults", attempt)
    W.used, W.biz_used, W.released, W.relcount, W.notes_release = set(), set(), set(), {}, []
    W.bug_modes = set()
    # planned end-of-day cut-over on one host: expected unavailability, NOT a fault
    h = rng.choice(sorted(HOSTS))
    a = 5 * 3600 + rng.choice([1800, 2100, 2400])
    b = min(WIN, a + rng.choice([600, 900]))
    W.HE[h].append({"f": None, "a": a, "b": b, "kind": "cutoff"})
    W.cutoff = (h, a, b)
    add_extra(W, rng.uniform(-3600, 1800), {"kind": "notice", "host": h,
              "text": "%s 日切维护 %s-%s,期间交易将返回90 / daily cut-over window" % (h, local_str(W, a, "%H:%M"),
                                                                           local_str(W, b, "%H:%M"))})
    if rng.random() < 0.7:
        benign_release(W, rng)
    n_target = rng.randint(15, 25)
    plan = coverage_plan(W.seed)
    used_mk = set()
    mk_count = {}
    k = 0
    tries = 0
    while (len(plan) > 0 or len(W.faults) < n_target) and tries < 300:
        tries += 1
        want_shared = rng.random() < 0.55
        if plan:
            cause = plan.pop(0)
        elif want_shared:
            cause = wchoice(rng, [(c, CAUSE_W[c]) for c in CAUSES if any(x in SHARED_MAKERS for x in
                                                                          [(m[0], m[1]) for m in CAUSE_MAKERS[c]])])
        else:
            cause = wchoice(rng, [(c, CAUSE_W[c]) for c in CAUSES])
        shared_prev = [f for f in W.faults if f.shared]
        ctx = None
        if shared_prev and rng.random() < 0.35:
            p = rng.choice(shared_prev)
            ctx = {"t": max(0, p.start), "city": p.city, "site": getattr(p, "site", None)}
        makers = [x for x in CAUSE_MAKERS[cause] if mk_count.get((x[0], x[1]), 0) < 2]
        if not makers:
            continue
        if want_shared:
            sm = [x for x in makers if (x[0], x[1]) in SHARED_MAKERS]
            makers = sm or makers
        done = False
        for _ in range(4):
            # prefer a mechanism not yet used in this seed
            mk, var, _w = wchoice(rng, [(x, x[2] * (0.25 if (x[0], x[1]) in used_mk else 1.0)) for x in makers])
            used_mk.add((mk, var))
            k += 1
            fs = mk(W, rng, "s%d-F%02d" % (W.seed, k), ctx, var)
            if fs:
                mk_count[(mk, var)] = mk_count.get((mk, var), 0) + 1
                W.faults.extend(fs)
                done = True
                break
        if not done and cause in plan:
            plan.remove(cause)


def simulate(seed, attempt):
    W = build_world(seed)
    make_faults(W, attempt)
    rows = []
    for T in sorted(W.terms, key=tkey):
        rows.extend(Sim(W, T).run())
    fev = {}
    for key, t, rec, tr in rows:
        if tr is not None and tr.get("fault_id"):
            fev[tr["fault_id"]] = fev.get(tr["fault_id"], 0) + 1
    return W, rows, fev


def final_terms(f, fev):
    ev = set(x[1] for x in fev.get(f.fid, []))
    if f.terms_from_events:
        return ev
    if f.terms_plus_events:
        return set(f.terms) | ev
    return set(f.terms)


def generate(seed, outdir):
    # a fault that produced (almost) no failed event is re-drawn: the fault plan is
    # re-seeded deterministically until every fault shows at least MIN_EVENTS failures
    MIN_EVENTS = 2
    for attempt in range(8):
        W, rows, cnt = simulate(seed, attempt)
        if all(cnt.get(f.fid, 0) >= MIN_EVENTS for f in W.faults):
            break
    W.attempt = attempt
    # truth events from what was actually delivered
    fev = {}
    tevs = []
    for key, t, rec, tr in rows:
        if tr is None:
            continue
        te = {"kind": "truth_event", "ts": t, "terminal_id": rec["terminal_id"], "cause": tr["cause"], "code": tr["code"]}
        if tr.get("stan"):
            te["stan"] = tr["stan"]
        if tr.get("fault_id"):
            te["fault_id"] = tr["fault_id"]
            fev.setdefault(tr["fault_id"], []).append((t, rec["terminal_id"], tr["code"]))
        te["mechanism"] = tr["mechanism"]
        if tr.get("planned"):
            te["planned"] = True
        tevs.append(te)
    for v in fev.values():
        v.sort()
    people_records(W, R(seed, "people"), fev)
    # extra records (people, TMS, host notices)
    extra_rows = []
    cid = 0
    for t, rec in sorted(W.extra, key=lambda x: (x[0], json.dumps(x[1], sort_keys=True, ensure_ascii=False))):
        if t >= WIN + 1800:
            continue
        rec = dict(rec)
        rec["ts"] = int(t)
        if rec["kind"] == "complaint":
            cid += 1
            rec["complaint_id"] = "C-%d%04d" % (seed, cid)
        extra_rows.append((t + 1, int(t), rec, None))
    rows.extend(extra_rows)
    # inventory snapshot (TMS export taken at 17:00 CST)
    inv = []
    t_inv = -3600
    for m in W.merchants:
        r = {"kind": "merchant", "ts": t_inv, "merchant_id": m.mid, "mcc": m.mcc, "name": m.name, "city": m.city,
             "settlement": m.settlement, "card_rate": m.card_rate, "qr_rate": m.qr_rate}
        inv.append(r)
    for s in W.sites:
        r = {"kind": "site", "ts": t_inv, "site_id": s.sid, "merchant_id": s.merchant.mid, "name": s.name,
             "city": s.city, "lat": s.lat, "lon": s.lon}
        if s.building:
            r["building"] = s.building
        inv.append(r)
    for T in sorted(W.terms, key=tkey):
        r = {"kind": "terminal", "ts": t_inv, "terminal_id": T.id, "serial": T.serial, "vendor": T.vendor,
             "model": T.model}
        if T.vendor not in ("xgd",):
            r["firmware"] = T.fw
        r["app_version"] = T.app
        r["merchant_id"] = T.merchant.mid
        r["site_id"] = T.site.sid
        if T.inv_network:
            r["network"] = T.inv_network
        if T.carrier and T.network == "cellular":
            r["carrier"] = T.carrier
        elif T.carrier and T.sim_fallback and T.vendor != "pax":
            r["carrier"] = T.carrier
        r["host"] = T.host
        if T.cert is not None:
            r["cert_not_after"] = T.cert.strftime("%Y-%m-%dT%H:%M:%SZ")
        r["installed"] = T.installed.strftime("%Y-%m-%dT%H:%M:%SZ")
        inv.append(r)
    # order: by upload key, then per terminal restore strict time order
    rows.sort(key=lambda x: (x[0], x[1], x[2].get("terminal_id", ""), x[2]["kind"]))
    pos = {}
    for i, (key, t, rec, tr) in enumerate(rows):
        tid = rec.get("terminal_id")
        if tid:
            pos.setdefault(tid, []).append(i)
    newrows = list(rows)
    for tid, idxs in pos.items():
        items = sorted((rows[i] for i in idxs), key=lambda x: (x[1], x[0]))
        for i, it in zip(idxs, items):
            newrows[i] = it
    rows = newrows
    os.makedirs(outdir, exist_ok=True)
    nrec = 0
    with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fh:
        for r in inv:
            r = dict(r)
            r["ts"] = iso(W, r["ts"])
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
            nrec += 1
        for key, t, rec, tr in rows:
            rec = dict(rec)
            rec["ts"] = iso(W, t)
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            nrec += 1
    # truth
    with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for f in sorted(W.faults, key=lambda f: (f.start, f.fid)):
            terms = final_terms(f, fev)
            r = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope,
                 "terminals": sorted(terms), "start": iso(W, f.start), "end": iso(W, min(f.end, WIN)),
                 "mechanism": f.mech, "shared": len(terms) >= 2, "failed_events": len(fev.get(f.fid, []))}
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        for te in sorted(tevs, key=lambda x: (x["ts"], x["terminal_id"], x["code"])):
            te = dict(te)
            te["ts"] = iso(W, te["ts"])
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
    ftm = {f.fid: final_terms(f, fev) for f in W.faults}
    ov_term, ov_city = 0, 0
    fl = sorted(W.faults, key=lambda f: f.fid)
    for i in range(len(fl)):
        for j in range(i + 1, len(fl)):
            f, g = fl[i], fl[j]
            if f.start < g.end and g.start < f.end:
                if ftm[f.fid] & ftm[g.fid]:
                    ov_term += 1
                elif f.city and f.city == g.city:
                    ov_city += 1
    nshared = sum(1 for f in W.faults if len(ftm[f.fid]) >= 2)
    summary = {"seed": seed, "date_local": str(W.day), "window_utc": [iso(W, 0), iso(W, WIN)],
               "terminals": len(W.terms), "merchants": len(W.merchants), "sites": len(W.sites),
               "faults": len(W.faults), "shared_faults": nshared, "records": nrec, "truth_events": len(tevs),
               "fault_events": {f.fid: len(fev.get(f.fid, [])) for f in W.faults},
               "causes": sorted(set(f.cause for f in W.faults)),
               "cutoff_host": W.cutoff[0], "releases": W.notes_release, "benign": W.benign,
               "fault_plan_attempt": W.attempt, "overlapping_pairs_same_terminal": ov_term,
               "overlapping_pairs_same_city_only": ov_city}
    with open(os.path.join(outdir, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    s = generate(args.seed, args.out)
    print("seed %d: %d terminals, %d faults (%d shared), %d records, %d truth events -> %s" % (
        s["seed"], s["terminals"], s["faults"], s["shared_faults"], s["records"], s["truth_events"], args.out))


if __name__ == "__main__":
    main()
