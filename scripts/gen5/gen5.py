#!/usr/bin/env python3
"""gen5 -- blind test-data generator for POS fault diagnosis (posdoc record format v1).

stdlib only.  python3 gen5.py --seed N --out DIR
Writes DIR/records.jsonl (observations) and DIR/truth.jsonl (truth + truth_event).
"""
import argparse
import bisect
import datetime as dt
import hashlib
import json
import math
import os
import random

# ----------------------------------------------------------------------------
# deterministic randomness
# ----------------------------------------------------------------------------


def R(*parts):
    h = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return random.Random(int(h[:16], 16))


def wchoice(rng, items):
    """items: list of (value, weight)"""
    tot = sum(w for _, w in items)
    x = rng.random() * tot
    for v, w in items:
        x -= w
        if x <= 0:
            return v
    return items[-1][0]


WINDOW = 6 * 3600
LOCAL_START = 9.0  # local hour (UTC+8) of window start


# ----------------------------------------------------------------------------
# static world tables
# ----------------------------------------------------------------------------

CITIES = [
    ("shenzhen", "4403", "SZ", 22.54, 114.05, 3.0),
    ("guangzhou", "4401", "GZ", 23.13, 113.26, 2.5),
    ("shanghai", "3100", "SH", 31.23, 121.47, 2.5),
    ("beijing", "1100", "BJ", 39.90, 116.40, 2.0),
    ("hangzhou", "3301", "HZ", 30.27, 120.15, 1.5),
    ("chengdu", "5101", "CD", 30.66, 104.06, 1.5),
    ("wuhan", "4201", "WH", 30.59, 114.30, 1.2),
    ("xian", "6101", "XA", 34.34, 108.94, 1.0),
    ("dongguan", "4419", "DG", 23.02, 113.75, 1.0),
]

CARRIERS = [("cmcc", 5), ("unicom", 3), ("telecom", 2)]

# name pools
NAME_PARTS = {
    "restaurant": (["老街", "川味", "湘里", "粤香", "阿婆", "好运", "兰州", "潮汕", "东北", "小渔村"], ["面馆", "酒家", "火锅", "茶餐厅", "烧烤", "牛肉面", "砂锅粥", "饺子馆"]),
    "fastfood": (["麦香", "快乐", "一品", "鲜丰", "金拱", "三秦"], ["快餐", "汉堡", "肉夹馍", "便当"]),
    "supermarket": (["华润", "家家乐", "惠民", "佳源", "百佳汇", "万家福"], ["超市", "生活超市", "购物广场"]),
    "convenience": (["美宜", "喜士多", "快客", "邻里", "24h"], ["便利店", "便利"]),
    "pharmacy": (["大参", "益丰", "老百姓", "国大", "仁心"], ["大药房", "药店"]),
    "clothing": (["衣之恋", "简约", "森马风", "潮人", "布衣坊"], ["服饰", "女装", "童装", "男装"]),
    "hotel": (["如家", "锦程", "悦来", "维也", "海景"], ["酒店", "宾馆", "商务酒店"]),
    "gas": (["中石化", "中石油", "壳牌", "延长"], ["加油站"]),
    "electronics": (["数码港", "华强", "讯达", "联通"], ["电器", "数码", "手机店"]),
    "jewelry": (["周大", "金六", "老凤", "宝庆"], ["珠宝", "金店", "银楼"]),
    "hospital": (["市第三", "仁爱", "中医", "妇幼"], ["医院", "门诊部"]),
    "building": (["东鹏", "金牌", "立邦", "欧派"], ["建材", "瓷砖", "家居"]),
    "salon": (["名剪", "丝域", "美颜", "发现"], ["美发", "美容院", "SPA"]),
    "bakery": (["85度", "好利来", "面包新语", "麦香村"], ["烘焙", "蛋糕店"]),
}

# kind: mcc, weight, site choices, terminals per site (lo,hi), open intervals options
# (local hours), profile, txns per terminal-hour (lo,hi), amount fen (lo,hi) log-uniform,
# handheld share, card share (vs qr)
MTYPES = {
    "restaurant": dict(mcc="5812", w=20, sites=[1, 1, 1, 1, 2, 3], terms=(1, 3), open=[[(10.5, 22)], [(10, 21.5)], [(11, 14.5)], [(9, 22)]], prof="meal", rate=(5, 14), amt=(3000, 30000), hh=0.45, card=0.35),
    "fastfood": dict(mcc="5814", w=8, sites=[1, 1, 2, 4], terms=(1, 2), open=[[(7, 22)], [(10, 21)]], prof="meal", rate=(10, 24), amt=(1200, 6000), hh=0.1, card=0.25),
    "supermarket": dict(mcc="5411", w=8, sites=[1, 1, 2, 3], terms=(2, 6), open=[[(8, 22)], [(8.5, 22)]], prof="flat", rate=(12, 30), amt=(1500, 40000), hh=0.0, card=0.4),
    "convenience": dict(mcc="5499", w=7, sites=[1, 3, 5, 6], terms=(1, 2), open=[[(0, 24)], [(7, 23)]], prof="flat", rate=(8, 18), amt=(500, 4000), hh=0.0, card=0.2),
    "pharmacy": dict(mcc="5912", w=6, sites=[1, 1, 2], terms=(1, 2), open=[[(8, 22)], [(8.5, 21)]], prof="flat", rate=(5, 12), amt=(1500, 30000), hh=0.0, card=0.45),
    "clothing": dict(mcc="5651", w=7, sites=[1, 1, 2], terms=(1, 2), open=[[(10, 22)], [(10.5, 22)]], prof="afternoon", rate=(1, 5), amt=(8000, 90000), hh=0.2, card=0.5),
    "hotel": dict(mcc="7011", w=4, sites=[1, 1, 2], terms=(1, 3), open=[[(0, 24)]], prof="hotel", rate=(1, 4), amt=(20000, 150000), hh=0.0, card=0.75),
    "gas": dict(mcc="5541", w=4, sites=[1, 1, 3], terms=(2, 4), open=[[(0, 24)]], prof="flat", rate=(6, 16), amt=(10000, 50000), hh=0.3, card=0.55),
    "electronics": dict(mcc="5732", w=4, sites=[1, 1, 2], terms=(1, 2), open=[[(10, 21.5)], [(9.5, 21)]], prof="afternoon", rate=(1, 4), amt=(30000, 900000), hh=0.1, card=0.7),
    "jewelry": dict(mcc="5944", w=2, sites=[1, 2], terms=(1, 2), open=[[(10, 21)]], prof="afternoon", rate=(0.5, 2), amt=(150000, 3000000), hh=0.0, card=0.85),
    "hospital": dict(mcc="8062", w=2, sites=[1], terms=(3, 6), open=[[(8, 12), (13.5, 17.5)], [(8, 17)]], prof="clinic", rate=(8, 20), amt=(2000, 60000), hh=0.0, card=0.55),
    "building": dict(mcc="5211", w=3, sites=[1, 1, 2], terms=(1, 2), open=[[(9, 18)], [(9.5, 18.5)]], prof="flat", rate=(0.5, 3), amt=(50000, 2500000), hh=0.0, card=0.8),
    "salon": dict(mcc="7230", w=5, sites=[1, 1, 2], terms=(1, 1), open=[[(10, 22)], [(11, 22)]], prof="afternoon", rate=(1, 4), amt=(3000, 50000), hh=0.0, card=0.4),
    "bakery": dict(mcc="5462", w=4, sites=[1, 2, 3], terms=(1, 2), open=[[(7.5, 21)], [(8, 22)]], prof="morning", rate=(5, 14), amt=(1000, 8000), hh=0.0, card=0.2),
}

# vendor -> list of (model, form, battery, networks, nominal_v, weight)
MODELS = {
    "pax": [("S90", "counter", False, ["ethernet", "cellular"], 9.0, 3), ("A920", "smart", True, ["cellular", "wifi"], 5.0, 3), ("D210", "handheld", True, ["cellular"], 5.0, 1)],
    "newland": [("N910", "smart", True, ["cellular", "wifi"], 5.0, 3), ("ME31", "handheld", True, ["cellular"], 5.0, 1), ("SP630", "counter", False, ["ethernet"], 9.0, 2)],
    "landi": [("A8", "smart", True, ["cellular", "wifi"], 5.0, 2), ("E350", "counter", False, ["ethernet", "cellular"], 9.0, 2)],
    "centerm": [("K9", "handheld", True, ["cellular"], 5.0, 2), ("C960F", "counter", False, ["ethernet", "cellular"], 12.0, 2)],
    "verifone": [("VX520", "counter", False, ["ethernet"], 12.0, 2), ("X990", "smart", True, ["wifi", "cellular"], 5.0, 1)],
    "ingenico": [("iCT250", "counter", False, ["ethernet"], 12.0, 2), ("Move5000", "handheld", True, ["cellular", "wifi"], 5.0, 1)],
    "sunmi": [("P2", "smart", True, ["cellular", "wifi"], 5.0, 2), ("T2", "desk", False, ["ethernet", "wifi"], 24.0, 1)],
}
VENDOR_W = [("pax", 26), ("newland", 20), ("landi", 14), ("centerm", 10), ("verifone", 6), ("ingenico", 6), ("sunmi", 14)]
FIRMWARES = {
    "pax": ["3.1.8", "3.2.0", "3.2.1"], "newland": ["2.7.9", "2.8.1"], "landi": ["1.9.4", "2.0.2"],
    "centerm": ["4.0.3", "4.1.0"], "verifone": ["QT5.3", "QT5.4"], "ingenico": ["T3-11.2", "T3-12.0"],
    "sunmi": ["1.4.6", "1.5.0"],
}
APPS = {
    "pax": ["5.1.2", "5.1.3"], "newland": ["3.6.0", "3.6.2"], "landi": ["2.2.5", "2.3.0"],
    "centerm": ["1.8.4"], "verifone": ["7.0.1", "7.0.3"], "ingenico": ["6.4.2"], "sunmi": ["4.9.1", "4.9.3"],
}
NEW_APP = {"pax": "5.2.0", "newland": "3.7.0", "landi": "2.4.0", "centerm": "1.9.0", "verifone": "7.1.0", "ingenico": "6.5.0", "sunmi": "5.0.0"}
SERIAL_PREFIX = {"pax": "18", "newland": "N9", "landi": "LD", "centerm": "CT", "verifone": "VF", "ingenico": "IG", "sunmi": "V1"}

TELE_FIELDS = {
    "pax": {"latency_ms", "packet_loss", "supply_v", "storage_used_pct", "memory_used_pct", "key_check", "printer", "rssi_dbm", "battery_pct", "reboot", "temp_c"},
    "newland": {"rssi_dbm", "latency_ms", "battery_pct", "power_events", "reboot", "printer", "keypad_errors", "card_reader_errors", "app_crashes", "memory_used_pct"},
    "landi": {"latency_ms", "packet_loss", "supply_v", "cpu_pct", "memory_used_pct", "clock_skew_s", "key_check", "reboot", "rssi_dbm"},
    "centerm": {"rssi_dbm", "battery_pct", "storage_used_pct", "printer", "card_reader_errors", "reboot", "power_events", "key_check"},
    "verifone": {"latency_ms", "packet_loss", "supply_v", "key_check", "clock_skew_s", "keypad_errors", "temp_c", "reboot", "printer"},
    "ingenico": {"latency_ms", "storage_used_pct", "memory_used_pct", "cpu_pct", "printer", "power_events", "reboot", "card_reader_errors"},
    "sunmi": {"rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "storage_used_pct", "memory_used_pct", "cpu_pct", "app_crashes", "temp_c", "reboot", "printer"},
}
TELE_PERIOD = {"pax": 300, "newland": 300, "landi": 600, "centerm": 300, "verifone": 900, "ingenico": 600, "sunmi": 180}
TMS_OFFLINE_MARK = {"pax": 0.8, "newland": 0.5, "landi": 0.7, "centerm": 0.3, "verifone": 0.0, "ingenico": 0.5, "sunmi": 0.9}
LOCAL_OFFSET_VENDORS = {"sunmi", "newland"}  # terminal-side logs in +08:00
VENDOR_TIMEOUT = {"pax": 60000, "newland": 60000, "landi": 45000, "centerm": 60000, "verifone": 30000, "ingenico": 45000, "sunmi": 30000}

HOSTS = {
    "H1": ("10.18.2.21", 8583), "H2": ("10.22.7.40", 5000), "H3": ("183.62.14.77", 9001),
    "H4": ("10.30.1.15", 8583), "H5": ("211.95.60.9", 7001),
}
HOST_W = [("H1", 5), ("H2", 4), ("H3", 3), ("H4", 2), ("H5", 2)]

BINS = [
    ("icbc", "622202", "debit", 9), ("icbc", "621226", "debit", 5), ("icbc", "625330", "credit", 3),
    ("ccb", "621700", "debit", 8), ("ccb", "436742", "credit", 3),
    ("abc", "622848", "debit", 8), ("abc", "622845", "debit", 2),
    ("boc", "621661", "debit", 5), ("boc", "625907", "credit", 2),
    ("cmb", "621483", "debit", 4), ("cmb", "622588", "credit", 4),
    ("bocom", "622260", "debit", 3), ("bocom", "622258", "credit", 1),
    ("psbc", "621799", "debit", 4), ("psbc", "622188", "debit", 2),
    ("citic", "622690", "credit", 2), ("spdb", "622521", "credit", 2), ("ceb", "622660", "credit", 1),
    ("cib", "622909", "debit", 2), ("pingan", "622155", "credit", 2),
    ("visa_intl", "454742", "credit", 0.6), ("mc_intl", "542288", "credit", 0.4),
]
ISSUER_BINS = {}
for _iss, _bin, _kind, _w in BINS:
    ISSUER_BINS.setdefault(_iss, []).append(_bin)

DECLINES = [("51", 40), ("55", 22), ("05", 9), ("54", 4), ("33", 2), ("14", 5), ("61", 5), ("75", 3), ("62", 2), ("41", 1), ("57", 1), ("65", 1), ("59", 0.6)]


# ----------------------------------------------------------------------------
# vendor error vocabularies
# ----------------------------------------------------------------------------

SYM_STAGE = {
    "CONN_FAIL": "connect", "NO_NET": "connect", "DHCP": "connect", "SEND_FAIL": "send", "RECV_TO": "receive",
    "TLS_EXPIRED": "tls", "TLS_NYV": "tls", "TLS_PROTO": "tls", "MAC_ERR": "mac", "NO_KEY": "mac",
    "UNPACK": "receive", "PINPAD_COMM": "pin", "IC_READ": "card_read", "NFC_READ": "card_read",
    "MAG_READ": "card_read", "MISINSERT": "card_read", "PIN_TO": "pin", "KEY_STUCK": "pin",
    "USER_CANCEL": "pin", "PAPER_OUT": "print", "PRN_FAULT": "print", "APP_EXC": "app", "OOM": "app",
    "STORAGE_FULL": "app", "SLOW_TO": "card_read", "LOW_BATT": "power_on", "PWR_RECOVER": "power_on", "PWR_ABN": "power_on",
    "TAMPER": "power_on", "SELFTEST": "power_on", "LCD_FAIL": "power_on", "PARAM": "connect",
    "SUP_PWD": "app", "ORIG_REF": "app", "HOST_RC": "receive", "RTC": "power_on",
}

VCODE = {
    "pax": {"CONN_FAIL": "E1", "NO_NET": "E1", "DHCP": "E1", "SEND_FAIL": "E1", "RECV_TO": "E2", "TLS_EXPIRED": "E5", "TLS_NYV": "E5", "TLS_PROTO": "E5",
            "MAC_ERR": "E3", "NO_KEY": "E4", "UNPACK": "E6", "PINPAD_COMM": "E8", "IC_READ": "E7", "NFC_READ": "E7", "MAG_READ": "E7", "MISINSERT": "E7",
            "PIN_TO": "E9", "KEY_STUCK": "E9", "USER_CANCEL": "E0", "PAPER_OUT": "P01", "PRN_FAULT": "P02", "APP_EXC": "E99", "OOM": "E98",
            "STORAGE_FULL": "E11", "SLOW_TO": "E9", "LOW_BATT": "B01", "PWR_ABN": "E12", "PWR_RECOVER": "E12", "TAMPER": "E30", "SELFTEST": "E31", "LCD_FAIL": "E31",
            "PARAM": "E13", "SUP_PWD": "E14", "ORIG_REF": "E15", "RTC": "E31"},
    "newland": {"CONN_FAIL": "E3", "NO_NET": "E3", "DHCP": "E3", "SEND_FAIL": "E3", "RECV_TO": "E3", "TLS_EXPIRED": "E1", "TLS_NYV": "E1", "TLS_PROTO": "E1",
                "MAC_ERR": "E1", "NO_KEY": "E1", "UNPACK": "E3", "PINPAD_COMM": "E6", "IC_READ": "E2", "NFC_READ": "E2", "MAG_READ": "E2", "MISINSERT": "E2",
                "PIN_TO": "E6", "KEY_STUCK": "E6", "USER_CANCEL": "E6", "PAPER_OUT": "E4", "PRN_FAULT": "E4", "APP_EXC": "E5", "OOM": "E5",
                "STORAGE_FULL": "E7", "SLOW_TO": "E5", "LOW_BATT": "E8", "PWR_ABN": "E9", "PWR_RECOVER": "E9", "TAMPER": "E1", "SELFTEST": "E9", "LCD_FAIL": "E9",
                "PARAM": "E3", "SUP_PWD": "E6", "ORIG_REF": "E5", "RTC": "E1"},
    "landi": {"CONN_FAIL": "-101", "NO_NET": "-100", "DHCP": "-100", "SEND_FAIL": "-102", "RECV_TO": "-103", "TLS_EXPIRED": "-110", "TLS_NYV": "-110", "TLS_PROTO": "-111",
              "MAC_ERR": "-201", "NO_KEY": "-202", "UNPACK": "-104", "PINPAD_COMM": "-301", "IC_READ": "-401", "NFC_READ": "-402", "MAG_READ": "-403", "MISINSERT": "-401",
              "PIN_TO": "-302", "KEY_STUCK": "-303", "USER_CANCEL": "-3", "PAPER_OUT": "-501", "PRN_FAULT": "-502", "APP_EXC": "-900", "OOM": "-901",
              "STORAGE_FULL": "-601", "SLOW_TO": "-410", "LOW_BATT": "-700", "PWR_ABN": "-701", "PWR_RECOVER": "-701", "TAMPER": "-800", "SELFTEST": "-801", "LCD_FAIL": "-802",
              "PARAM": "-120", "SUP_PWD": "-310", "ORIG_REF": "-311", "RTC": "-803"},
    "centerm": {"CONN_FAIL": "E2", "NO_NET": "E2", "DHCP": "E2", "SEND_FAIL": "E2", "RECV_TO": "E2", "TLS_EXPIRED": "E1", "TLS_NYV": "E1", "TLS_PROTO": "E1",
                "MAC_ERR": "E3", "NO_KEY": "E3", "UNPACK": "E2", "PINPAD_COMM": "E5", "IC_READ": "E4", "NFC_READ": "E4", "MAG_READ": "E4", "MISINSERT": "E4",
                "PIN_TO": "E5", "KEY_STUCK": "E5", "USER_CANCEL": "E5", "PAPER_OUT": "E6", "PRN_FAULT": "E6", "APP_EXC": "E7", "OOM": "E7",
                "STORAGE_FULL": "E8", "SLOW_TO": "E7", "LOW_BATT": "E9", "PWR_ABN": "E9", "PWR_RECOVER": "E9", "TAMPER": "E1", "SELFTEST": "E9", "LCD_FAIL": "E9",
                "PARAM": "E2", "SUP_PWD": "E5", "ORIG_REF": "E7", "RTC": "E1"},
    "verifone": {"CONN_FAIL": "COMM ERR", "NO_NET": "NO LINE", "DHCP": "NO LINE", "SEND_FAIL": "COMM ERR", "RECV_TO": "TIMEOUT", "TLS_EXPIRED": "SSL ERR", "TLS_NYV": "SSL ERR", "TLS_PROTO": "SSL ERR",
                 "MAC_ERR": "MAC ERR", "NO_KEY": "NO KEYS", "UNPACK": "BAD RESP", "PINPAD_COMM": "PINPAD ERR", "IC_READ": "CARD ERR", "NFC_READ": "CTLS ERR", "MAG_READ": "CARD ERR", "MISINSERT": "CARD ERR",
                 "PIN_TO": "PIN TIMEOUT", "KEY_STUCK": "KBD ERR", "USER_CANCEL": "CANCELLED", "PAPER_OUT": "PAPER OUT", "PRN_FAULT": "PRINTER ERR", "APP_EXC": "APP ERR", "OOM": "MEM ERR",
                 "STORAGE_FULL": "BATCH FULL", "SLOW_TO": "TIMEOUT", "LOW_BATT": "LOW BATT", "PWR_ABN": "PWR FAIL", "PWR_RECOVER": "REVERSAL PEND", "TAMPER": "TAMPERED", "SELFTEST": "SYS ERR", "LCD_FAIL": "SYS ERR",
                 "PARAM": "CFG ERR", "SUP_PWD": "BAD PWD", "ORIG_REF": "NO ORIG", "RTC": "SYS ERR"},
    "ingenico": {"CONN_FAIL": "E1", "NO_NET": "E1", "DHCP": "E1", "SEND_FAIL": "E1", "RECV_TO": "E1", "TLS_EXPIRED": "E5", "TLS_NYV": "E5", "TLS_PROTO": "E5",
                 "MAC_ERR": "E5", "NO_KEY": "E5", "UNPACK": "E2", "PINPAD_COMM": "E3", "IC_READ": "E3", "NFC_READ": "E3", "MAG_READ": "E3", "MISINSERT": "E3",
                 "PIN_TO": "E3", "KEY_STUCK": "E3", "USER_CANCEL": "E0", "PAPER_OUT": "E4", "PRN_FAULT": "E4", "APP_EXC": "E6", "OOM": "E7",
                 "STORAGE_FULL": "E7", "SLOW_TO": "E6", "LOW_BATT": "E8", "PWR_ABN": "E8", "PWR_RECOVER": "E8", "TAMPER": "E5", "SELFTEST": "E6", "LCD_FAIL": "E6",
                 "PARAM": "E1", "SUP_PWD": "E0", "ORIG_REF": "E6", "RTC": "E5"},
    "sunmi": {"CONN_FAIL": "N01", "NO_NET": "N00", "DHCP": "N00", "SEND_FAIL": "N02", "RECV_TO": "N03", "TLS_EXPIRED": "E1", "TLS_NYV": "E1", "TLS_PROTO": "E1",
              "MAC_ERR": "S01", "NO_KEY": "S02", "UNPACK": "N04", "PINPAD_COMM": "S10", "IC_READ": "C01", "NFC_READ": "C02", "MAG_READ": "C03", "MISINSERT": "C01",
              "PIN_TO": "S11", "KEY_STUCK": "S12", "USER_CANCEL": "U00", "PAPER_OUT": "P1", "PRN_FAULT": "P2", "APP_EXC": "E1", "OOM": "E1",
              "STORAGE_FULL": "E2", "SLOW_TO": "E1", "LOW_BATT": "B1", "PWR_ABN": "E3", "PWR_RECOVER": "E3", "TAMPER": "S99", "SELFTEST": "E9", "LCD_FAIL": "E9",
              "PARAM": "N05", "SUP_PWD": "U01", "ORIG_REF": "U02", "RTC": "E9"},
}

# how a vendor displays a host response as an error record (None -> no error record)
def host_rc_code(vendor, rc):
    return {"pax": "E4" if rc == "A0" else "R" + rc, "newland": rc, "landi": "-2" + rc, "centerm": "E0" + rc,
            "verifone": "HOST " + rc, "ingenico": "E2", "sunmi": "H" + rc}[vendor]


HOST_RC_LOG_P = {"A0": 0.85, "03": 0.6, "97": 0.6, "96": 0.35, "91": 0.3, "98": 0.35, "30": 0.6, "58": 0.4, "40": 0.4,
                 "57": 0.2, "61": 0.25, "65": 0.25, "59": 0.3, "34": 0.3, "25": 0.5, "94": 0.4, "12": 0.4}

RC_TEXT = {"A0": "MAC校验错", "03": "无效商户", "97": "终端未登记", "96": "系统故障", "91": "发卡方不能操作", "98": "交换中心收不到发卡方应答",
           "30": "报文格式错", "58": "不允许终端进行的交易", "40": "请求的功能尚不支持", "57": "不允许持卡人进行的交易", "61": "超出金额限制",
           "65": "超出取款次数限制", "59": "有作弊嫌疑", "34": "有作弊嫌疑", "25": "找不到原始交易", "94": "重复交易", "12": "无效交易"}

# detail templates: symptom -> list of templates; {..} filled from ctx
DETAIL = {
    "CONN_FAIL": ["[COMM] connect {ip}:{port} failed errno=110 (ETIMEDOUT)", "连接主机失败 {ip}:{port}", "socket connect fail ret=-{errno}", "TCP建链失败,请检查网络", "[net] connect() to {ip} refused, retry {n}/3"],
    "NO_NET": ["网络未连接", "[NET] link down, no carrier", "PPP/PDP activate failed, cause={cause}", "无可用网络 请检查网线或信号", "network unreachable (errno=101)"],
    "DHCP": ["DHCP timeout, no IP address", "获取IP地址失败", "[ETH] dhcp discover x3 no offer"],
    "SEND_FAIL": ["发送数据失败 ret=-{errno}", "[COMM] send() failed: broken pipe", "send 8583 pack fail len={len}"],
    "RECV_TO": ["接收超时", "[COMM] recv timeout {to}s stan={stan}", "等待主机应答超时,将发起冲正", "recv() returned 0 after {to}000ms", "交易超时 请查询余额确认是否扣款"],
    "TLS_EXPIRED": ["SSL handshake failed: alert certificate expired(45)", "证书已过期,SSL握手失败", "[TLS] peer rejected client cert: certificate has expired", "X509 verify: certificate has expired (notAfter={na})"],
    "TLS_NYV": ["SSL握手失败 证书尚未生效", "X509_V_ERR_CERT_NOT_YET_VALID sys_time={systime}", "[TLS] certificate is not yet valid, local time {systime}"],
    "TLS_PROTO": ["SSL handshake failed: alert protocol_version(70)", "[TLS] server rejected TLSv1.0 ClientHello", "SSL握手失败 协议版本不支持 (TLS1.0)", "handshake failure(40) cipher suite not accepted"],
    "MAC_ERR": ["MAC校验错", "[SEC] response MAC mismatch stan={stan}", "MAC check fail, please sign in again", "应答报文MAC校验失败,请重新签到"],
    "NO_KEY": ["未签到或工作密钥不存在", "[SEC] working key slot {slot} empty", "PIK/MAK not loaded, sign-on required", "密钥丢失 请下载主密钥"],
    "UNPACK": ["报文解包失败 field={field}", "[ISO] unpack error: bitmap/len mismatch at field {field}", "应答报文长度错误 len={len}", "CRC error on response frame"],
    "PINPAD_COMM": ["密码键盘通讯失败", "[PINPAD] serial timeout on COM{com}", "PED comm error: no ACK"],
    "IC_READ": ["IC卡上电复位失败(ATR)", "[EMV] card power-on failed, SW=6F00", "读IC卡失败 请重新插卡或刷卡", "IC卡读卡失败 fallback"],
    "NFC_READ": ["非接读卡失败 请重新挥卡", "[CTLS] collision/timeout, field off", "NFC detect failed err=-{errno}"],
    "MAG_READ": ["磁条读取失败 请重刷", "[MSR] track2 LRC error", "刷卡失败 磁道数据错"],
    "MISINSERT": ["请正确插卡(芯片朝上)", "[EMV] no chip detected, check card orientation", "卡片方向错误"],
    "PIN_TO": ["密码输入超时", "[PED] PIN entry timeout {to}s", "输入PIN超时,交易取消"],
    "KEY_STUCK": ["按键无响应/按键卡住", "[KBD] key {key} held > 5s", "键盘扫描异常 code={key}"],
    "USER_CANCEL": ["用户取消", "交易已取消", "[UI] cancelled by operator at step {step}"],
    "PAPER_OUT": ["打印机缺纸", "[PRN] paper out", "请装纸后重打印"],
    "PRN_FAULT": ["打印机故障 温度过高", "[PRN] head overheat / cutter jam", "打印失败 err={errno}", "打印机忙,请稍后"],
    "APP_EXC": ["java.lang.NullPointerException at {cls}", "应用程序异常退出", "[APP] unhandled exception in {cls}", "FATAL EXCEPTION: main pid={pid}", "程序错误 请重启"],
    "OOM": ["java.lang.OutOfMemoryError: Failed to allocate", "内存不足", "[SYS] malloc failed size={len}", "lowmemorykiller: kill {pid}"],
    "STORAGE_FULL": ["交易流水已满,请先结算", "[FS] write journal failed: no space left on device", "存储空间不足", "batch file full ({n} records), settle first"],
    "SLOW_TO": ["操作超时", "[UI] step timeout waiting for card {to}s", "系统繁忙,请稍后", "处理超时"],
    "LOW_BATT": ["电量低,请充电", "[PWR] battery {pct}% < threshold, txn blocked", "电池电压过低 {v}V"],
    "PWR_ABN": ["检测到异常掉电", "[BOOT] last shutdown abnormal (brown-out reset)", "异常关机,正在检查文件系统", "[PWR] unexpected power loss, fs check"],
    "PWR_RECOVER": ["上次交易未完成,发起冲正", "[BOOT] power-fail recovery, pending reversal stan={stan}", "掉电恢复 流水校验中"],
    "TAMPER": ["安全触发,请联系维修", "[SEC] tamper detected, keys erased", "SAM/SP自检失败"],
    "SELFTEST": ["硬件自检失败", "[BOOT] selftest failed: {part}", "主板通讯异常 {part}"],
    "LCD_FAIL": ["LCD init fail", "[BOOT] display controller not responding", "屏幕初始化失败"],
    "PARAM": ["参数错误 主机地址无效", "[CFG] host {ip}:{port} unreachable (param v{ver})", "终端参数校验失败", "APN配置错误 {apn}"],
    "SUP_PWD": ["主管密码错", "操作员密码错误", "[AUTH] supervisor pwd invalid"],
    "ORIG_REF": ["原交易不存在", "[TXN] original not found ref={rrn}", "原交易已撤销"],
    "RTC": ["系统时间异常 {systime}", "[RTC] clock lost, reset to {systime}"],
    "HOST_RC": ["主机返回:{rc} {rctext}", "[HOST] resp code {rc}", "交易失败 {rc}-{rctext}"],
}

# vendors whose logs lean English or Chinese (probability of picking an English-ish template)
VENDOR_EN = {"pax": 0.5, "newland": 0.25, "landi": 0.3, "centerm": 0.25, "verifone": 0.85, "ingenico": 0.7, "sunmi": 0.6}


def is_ascii(s):
    return all(ord(c) < 128 for c in s)


def make_detail(rng, vendor, sym, ctx):
    tpls = DETAIL[sym]
    en = [t for t in tpls if is_ascii(t.split("{")[0])]
    cn = [t for t in tpls if t not in en]
    pool = en if (en and (not cn or rng.random() < VENDOR_EN[vendor])) else (cn or en)
    t = rng.choice(pool)
    vals = dict(ip="10.0.0.1", port=8583, errno=rng.choice([5, 32, 101, 104, 110, 111, 113]), n=rng.randint(1, 3),
                cause=rng.choice([33, 26, 38]), stan="000000", to=60, na="", len=rng.randint(40, 480),
                field=rng.choice([39, 55, 62, 64, 12]), com=rng.randint(1, 3), key=rng.choice(["5", "8", "0", "ENTER", "CLR"]),
                step=rng.randint(2, 6), errno2=1, cls=rng.choice(["PayActivity.onResume", "QrScanTask.run", "TxnFlow.onCardRead", "ReceiptBuilder.build", "SettleService.sync"]),
                pid=rng.randint(1200, 9000), pct=rng.randint(1, 6), v="3.4", part=rng.choice(["SP", "RTC", "MSR", "PED", "I2C-3"]),
                slot=rng.randint(1, 4), systime="2000-01-01 08:0%d" % rng.randint(0, 9), ver=rng.randint(10, 40),
                apn=rng.choice(["cmnet", "3gnet", "ctnet", "posnet.gd"]), rrn="", rc="", rctext="")
    vals.update(ctx)
    try:
        return t.format(**vals)
    except (KeyError, IndexError):
        return t


# ----------------------------------------------------------------------------
# time helpers
# ----------------------------------------------------------------------------


class Clock:
    def __init__(self, day):
        self.base = dt.datetime(day.year, day.month, day.day, 1, 0, 0, tzinfo=dt.timezone.utc)

    def iso(self, t, local=False):
        d = self.base + dt.timedelta(seconds=int(t))
        if local:
            return (d + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")

    def day_iso(self, dd):
        return (self.base.replace(hour=0) + dt.timedelta(days=dd)).strftime("%Y-%m-%dT%H:%M:%SZ")


def rclip(x, a, b):
    return max(a, min(b, x))


def lh(t):
    return LOCAL_START + t / 3600.0


def to_t(local_hour):
    return (local_hour - LOCAL_START) * 3600.0


PROFILES = {
    "meal": lambda h: 0.35 if h < 11 else (2.6 if h < 13.5 else (1.0 if h < 14 else 0.45)),
    "flat": lambda h: 0.8 + 0.4 * math.exp(-((h - 12.3) ** 2) / 2),
    "afternoon": lambda h: 0.4 if h < 11 else (0.8 if h < 13 else 1.3),
    "hotel": lambda h: 1.6 if 11 <= h < 13 else (0.7),
    "clinic": lambda h: 1.6 if h < 11.5 else (0.5 if h < 13.5 else 1.2),
    "morning": lambda h: 1.8 if h < 10.5 else (1.0 if h < 13 else 0.6),
}


# ----------------------------------------------------------------------------
# world
# ----------------------------------------------------------------------------


class Obj(dict):
    __getattr__ = dict.get

    def __setattr__(self, k, v):
        self[k] = v


def build_world(seed):
    rng = R("gen5", seed, "world")
    day = dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(0, 110))
    clock = Clock(day)
    ncity = rng.randint(5, 7)
    cities = []
    pool = list(CITIES)
    while len(cities) < ncity:
        c = wchoice(rng, [(x, x[5]) for x in pool])
        pool.remove(c)
        cities.append(c)
    target = rng.randint(285, 315)
    merchants, sites, terms = [], [], []
    used_tids, used_mids = set(), set()
    mtypes = sorted(MTYPES)
    mseq = 0
    while len(terms) < target:
        mseq += 1
        kind = wchoice(rng, [(k, MTYPES[k]["w"]) for k in mtypes])
        mt = MTYPES[kind]
        city = wchoice(rng, [(c, c[5]) for c in cities])
        cname, area, ccode, lat0, lon0, _ = city
        while True:
            mid = "898" + area + mt["mcc"] + "%04d" % rng.randint(1, 9999)
            if mid not in used_mids:
                break
        used_mids.add(mid)
        pn = NAME_PARTS.get(kind, NAME_PARTS["restaurant"])
        name = rng.choice(pn[0]) + rng.choice(pn[1])
        host = wchoice(rng, HOST_W)
        settlement = "direct" if rng.random() < 0.7 else "indirect"
        card_rate = rng.choice([0.0055, 0.006, 0.006, 0.006, 0.0058]) if kind not in ("gas", "hospital") else rng.choice([0.0038, 0.0045])
        qr_rate = rng.choice([0.0038, 0.0038, 0.0038, 0.003, 0.0025])
        m = Obj(merchant_id=mid, name=name, mcc=mt["mcc"], city=cname, kind=kind, host=host, settlement=settlement,
                card_rate=card_rate, qr_rate=qr_rate, sites=[], terms=[])
        if rng.random() < 0.08:
            m.fixed_fee = rng.choice([0, 0, 300])
        merchants.append(m)
        nsites = rng.choice(mt["sites"])
        hours = rng.choice(mt["open"])
        for k in range(nsites):
            sid = "%s-%03d-%d" % (ccode, mseq, k + 1)
            district = rng.choice(["福田", "南山", "天河", "徐汇", "朝阳", "西湖", "武侯", "江汉", "雁塔", "宝安", "浦东", "海淀", "越秀", "滨江"])
            s = Obj(site_id=sid, merchant_id=mid, name="%s %s店" % (name, district), city=cname,
                    lat=round(lat0 + rng.uniform(-0.15, 0.15), 4), lon=round(lon0 + rng.uniform(-0.15, 0.15), 4),
                    hours=[(a + (rng.choice([0, 0, 0.5]) if a > 0 else 0), b) for a, b in hours], terms=[], kind=kind)
            # some shops switch terminals off at night, 24h shops never do
            s.always_on = (hours[0][0] == 0) or rng.random() < 0.25
            # site uplink: mostly broadband router; some rely only on cellular
            s.has_lan = rng.random() < 0.85
            sites.append(s)
            m.sites.append(sid)
            nt = rng.randint(*mt["terms"])
            for j in range(nt):
                vendor = wchoice(rng, VENDOR_W)
                handheld_pref = rng.random() < mt["hh"]
                models = MODELS[vendor]
                cand = [x for x in models if (x[2] == handheld_pref)] or models
                model = wchoice(rng, [(x, x[5]) for x in cand])
                mname, form, battery, nets, nominal, _ = model
                nets_ok = [n for n in nets if n != "ethernet" or s.has_lan]
                if not s.has_lan:
                    nets_ok = [n for n in nets if n == "cellular"] or ["cellular"]
                if "ethernet" in nets_ok and rng.random() < 0.75:
                    net = "ethernet"
                elif "wifi" in nets_ok and s.has_lan and rng.random() < 0.55:
                    net = "wifi"
                else:
                    net = "cellular" if "cellular" in nets or not s.has_lan else nets_ok[0]
                while True:
                    tid = "%02d%06d" % (int(area[:2]), rng.randint(0, 999999))
                    if tid not in used_tids:
                        break
                used_tids.add(tid)
                fw = rng.choice(FIRMWARES[vendor])
                app = rng.choice(APPS[vendor])
                t = Obj(terminal_id=tid, vendor=vendor, model=mname, form=form, battery=battery, network=net,
                        nominal_v=nominal, firmware=fw, app_version=app, merchant_id=mid, site_id=sid,
                        host=host if rng.random() < 0.95 else wchoice(rng, HOST_W), city=cname, kind=kind)
                t.serial = SERIAL_PREFIX[vendor] + "%08d" % rng.randint(0, 99999999)
                if net == "cellular":
                    t.carrier = wchoice(rng, CARRIERS)
                y = rng.choice([2027, 2027, 2028, 2028, 2029])
                t.cert_not_after = "%d-%02d-%02dT00:00:00Z" % (y, rng.randint(1, 12), rng.randint(1, 28))
                t.installed = "%d-%02d-%02d" % (rng.choice([2022, 2023, 2024, 2025]), rng.randint(1, 12), rng.randint(1, 28))
                # base physical state
                t.rssi_base = rng.uniform(-92, -58) if net != "ethernet" else None
                if net != "ethernet" and rng.random() < 0.08:
                    t.rssi_base = rng.uniform(-101, -94)  # weak but working
                t.lat_base = {"ethernet": rng.uniform(18, 60), "wifi": rng.uniform(30, 90), "cellular": rng.uniform(80, 260)}[net]
                t.storage_base = rng.uniform(18, 72)
                t.mem_base = rng.uniform(32, 62)
                t.cpu_base = rng.uniform(4, 28)
                t.temp_base = rng.uniform(31, 44)
                t.batt0 = rng.uniform(45, 100)
                t.docked = (not battery) or (form in ("smart",) and rng.random() < 0.5) or (kind not in ("restaurant", "gas", "clothing") and rng.random() < 0.8)
                t.rate = rng.uniform(*mt["rate"]) / max(1, nt ** 0.3)
                t.tele_period = TELE_PERIOD[vendor]
                t.report_app = rng.random() < 0.8
                t.report_cert = vendor not in ("verifone",) and rng.random() < 0.85
                t.clock_skew = rng.choice([0, 0, 1, -1, 2, 3, -2, 0, 5])
                terms.append(t)
                s.terms.append(tid)
                m.terms.append(tid)
    W = Obj(seed=seed, day=day, clock=clock, merchants=merchants, sites=sites, terms=terms,
            T={t.terminal_id: t for t in terms}, S={s.site_id: s for s in sites}, M={m.merchant_id: m for m in merchants},
            cities=[c[0] for c in cities])
    return W


def site_open(site, t):
    h = lh(t)
    return any(a <= h < b for a, b in site.hours)


# ----------------------------------------------------------------------------
# fault planning
# ----------------------------------------------------------------------------

ALL_CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board",
    "power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
    "software.incompatible", "software.config", "transmission.corruption", "security.keys",
    "security.certificate", "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]
FAULT_CAUSES = [c for c in ALL_CAUSES if c != "card.decline"]
EXTRA_POOL = [("hardware.printer", 3), ("network.signal", 3), ("hardware.card_reader", 2), ("operator.error", 2),
              ("power.battery", 1), ("software.config", 1), ("power.supply", 1), ("network.lan", 1),
              ("hardware.keypad", 1), ("resource.memory", 1)]


class Planner:
    def __init__(self, W, seed):
        self.W = W
        self.seed = seed
        self.faults = []
        self.effects = {}  # tid -> list of effects
        self.glob = []     # effects for every terminal (issuer)
        self.busy = set()  # terminals holding a single-terminal fault
        self.site_faulted = {}  # site_id -> fault
        self.n = 0

    # -- helpers
    def new_fault(self, cause, variant, scope, terms, start, end, sev, ramp=0, **kw):
        self.n += 1
        f = Obj(fault_id="F%02d-%03d" % (self.seed % 100, self.n), cause=cause, variant=variant, scope=scope,
                terminals=sorted(terms), start=int(start), end=int(end), sev=sev, ramp=ramp,
                resolved=end < WINDOW - 1, checks=[], fix=None)
        f.update(kw)
        self.faults.append(f)
        return f

    def add_eff(self, tid, kind, f, t0=None, t1=None, **p):
        e = Obj(kind=kind, f=f, t0=f.start if t0 is None else int(t0), t1=f.end if t1 is None else int(t1), p=p)
        self.effects.setdefault(tid, []).append(e)
        return e

    def times(self, rng, dmin, dmax, ongoing=0.25, late=0.8):
        if rng.random() < ongoing:
            s = 0
        else:
            s = rng.uniform(0, WINDOW * late)
        d = rng.uniform(dmin, dmax)
        e = min(WINDOW, s + d)
        return int(s), int(e)

    def times_open(self, rng, site, dmin, dmax, ongoing):
        """fault interval that mostly overlaps the shop's open hours"""
        best = None
        for _ in range(12):
            s, e = self.times(rng, dmin, dmax, ongoing=ongoing)
            op = sum(1 for k in range(s, e, 300) if site_open(site, k)) / max(1.0, (e - s) / 300.0)
            if best is None or op > best[0]:
                best = (op, s, e)
            if op >= 0.7:
                break
        return best[1], best[2]

    def sev(self, rng):
        r = rng.random()
        if r < 0.3:
            return round(rng.uniform(0.12, 0.35), 2)
        if r < 0.7:
            return round(rng.uniform(0.35, 0.7), 2)
        return round(rng.uniform(0.7, 1.0), 2)

    def pick_term(self, rng, pred, avoid_busy=True, weight=None):
        W = self.W
        cands = [t for t in W.terms if pred(t) and (not avoid_busy or t.terminal_id not in self.busy)]
        if not cands:
            return None
        # prefer terminals that actually trade during the window
        items = [(t, (weight(t) if weight else 1.0) * (0.2 + t.rate) * self.open_frac(self.W.S[t.site_id]) ** 2 + 1e-6) for t in cands]
        t = wchoice(rng, items)
        self.busy.add(t.terminal_id)
        return t

    def open_frac(self, site):
        return sum(1 for k in range(24) if site_open(site, k * 900)) / 24.0

    # -- builders -----------------------------------------------------------
    def b_power_supply(self, rng, variant=None):
        W = self.W
        variant = variant or ("site" if rng.random() < 0.7 else "adapter")
        if variant == "site":
            sites = [s for s in W.sites if len(s.terms) >= 2 and s.site_id not in self.site_faulted and self.open_frac(s) > 0.6]
            if not sites:
                variant = "adapter"
            else:
                s = wchoice(rng, [(x, len(x.terms) ** 1.5) for x in sites])
                sev = round(rng.uniform(0.4, 1.0), 2)
                st, en = self.times(rng, 3600, 4 * 3600, ongoing=0.1, late=0.7)
                f = self.new_fault("power.supply", "site_mains", {"site_id": s.site_id}, s.terms, st, en, sev)
                self.site_faulted[s.site_id] = f
                # shared dips
                dips = []
                t = st + rng.uniform(0, 300)
                rate = (3 + 14 * sev) / 3600.0
                while t < en:
                    r = rng.random()
                    if r < 0.68:
                        d = rng.uniform(0.05, 1.5)
                    elif r < 0.94:
                        d = rng.uniform(2, 25)
                    else:
                        d = rng.uniform(60, 420)
                    dips.append((int(t), d))
                    t += rng.expovariate(rate) + d
                sag = rng.uniform(0.05, 0.14) * sev
                for tid in s.terms:
                    self.add_eff(tid, "power", f, dips=dips, sag=sag, brown=0.05 * sev, site=True)
                f.mid = [("site", s.site_id, "adapter_voltage", lambda r2, T: "%.2fV" % (T.nominal_v * (1 - sag * r2.uniform(0.6, 1.4)))),
                         ("site", s.site_id, "mains_voltage", lambda r2, T: "%dV" % r2.randint(176, 198)),
                         ("site", s.site_id, "router_restarted", lambda r2, T: "ok")]
                if f.resolved:
                    f.fix = [("site", s.site_id, "power_restored", "ok")]
                # cascade: the unstable power damages one terminal's board
                if rng.random() < 0.55 and en - st > 1800:
                    victims = [W.T[x] for x in s.terms if not W.T[x].battery and x not in self.busy]
                    if victims:
                        v = rng.choice(victims)
                        bs = st + rng.uniform(0.3, 0.7) * (en - st)
                        self.b_hardware_board(rng, term=v, start=bs, variant="surge")
                return f
        # single adapter
        T = self.pick_term(rng, lambda t: not t.battery)
        if T is None:
            return None
        sev = self.sev(rng)
        st, en = self.times_open(rng, self.W.S[T.site_id], 1800, 6 * 3600, 0.4)
        f = self.new_fault("power.supply", "adapter", {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, sev,
                           ramp=rng.choice([0, 0, 1800]))
        dips, t, rate = [], st + rng.uniform(0, 600), (2 + 12 * sev) / 3600.0
        while t < en:
            d = rng.uniform(0.1, 3) if rng.random() < 0.9 else rng.uniform(5, 40)
            dips.append((int(t), d))
            t += rng.expovariate(rate) + d
        sag = rng.uniform(0.08, 0.2) * (0.5 + sev / 2)
        self.add_eff(T.terminal_id, "power", f, dips=dips, sag=sag, brown=0.06 * sev, site=False)
        f.mid = [("term", T.terminal_id, "adapter_voltage", lambda r2, TT: "%.2fV" % (TT.nominal_v * (1 - sag * r2.uniform(0.8, 1.2)))),
                 ("term", T.terminal_id, "cable_seated", lambda r2, TT: "ok")]
        if f.resolved:
            f.fix = [("term", T.terminal_id, "adapter_replaced", "ok")]
            f.maint = [(T.terminal_id, "part_replaced", "更换电源适配器 / adapter replaced")]
        return f

    def b_power_battery(self, rng):
        T = self.pick_term(rng, lambda t: t.battery)
        if T is None:
            return None
        sev = self.sev(rng)
        st, en = self.times_open(rng, self.W.S[T.site_id], 2 * 3600, 6 * 3600, 0.5)
        f = self.new_fault("power.battery", "worn", {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, sev)
        self.add_eff(T.terminal_id, "battery", f, cap=max(0.06, 0.35 - 0.3 * sev), jumpy=rng.random() < 0.6)
        f.mid = [("term", T.terminal_id, "battery_health", lambda r2, TT: r2.choice(["fail", "%d%%" % r2.randint(18, 45)])),
                 ("term", T.terminal_id, "charger_ok", lambda r2, TT: "ok")]
        if f.resolved:
            f.maint = [(T.terminal_id, "part_replaced", "更换电池")]
        return f

    def b_network_signal(self, rng, near_site=None):
        W = self.W
        pred = lambda t: t.network in ("cellular", "wifi")
        T = None
        if near_site is None and rng.random() < 0.5:
            # confounder: weak signal inside a site that already has another fault
            cand_sites = sorted(self.site_faulted)
            rng.shuffle(cand_sites)
            for sid in cand_sites:
                ts = [W.T[x] for x in W.S[sid].terms if pred(W.T[x]) and x not in self.busy]
                if ts:
                    T = rng.choice(ts)
                    self.busy.add(T.terminal_id)
                    break
        if T is None:
            T = self.pick_term(rng, pred)
        if T is None:
            return None
        sev = self.sev(rng)
        st, en = self.times_open(rng, self.W.S[T.site_id], 1200, 5 * 3600, 0.35)
        variant = rng.choice(["moved_far", "interference", "antenna"]) if T.network == "cellular" else rng.choice(["wifi_far", "wifi_interference"])
        f = self.new_fault("network.signal", variant, {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, sev,
                           ramp=rng.choice([0, 900, 2400]))
        self.add_eff(T.terminal_id, "signal", f, drop=rng.uniform(10, 22) + 8 * sev, loss=0.08 + 0.5 * sev,
                     flap=rng.uniform(0.1, 0.35) * sev)
        f.mid = [("term", T.terminal_id, "signal_test", lambda r2, TT: "%ddBm" % r2.randint(-112, -100)),
                 ("term", T.terminal_id, "sim_reseated" if T.network == "cellular" else "wifi_reconnected", lambda r2, TT: "ok"),
                 ("term", T.terminal_id, "terminal_rebooted", lambda r2, TT: "ok")]
        if f.resolved:
            f.fix = [("term", T.terminal_id, rng.choice(["terminal_relocated", "antenna_replaced"]) if T.network == "cellular" else "ap_relocated", "ok")]
        return f

    def b_network_lan(self, rng):
        W = self.W
        sites = [s for s in W.sites if s.has_lan and s.site_id not in self.site_faulted
                 and sum(1 for x in s.terms if W.T[x].network != "cellular") >= 2 and self.open_frac(s) > 0.5]
        if not sites:
            sites = [s for s in W.sites if s.has_lan and any(W.T[x].network != "cellular" for x in s.terms) and s.site_id not in self.site_faulted]
        s = wchoice(rng, [(x, len(x.terms)) for x in sites])
        wired = [x for x in s.terms if W.T[x].network != "cellular"]
        variant = wchoice(rng, [("router_down", 3), ("router_flaky", 4), ("dhcp_exhausted", 1), ("switch_port", 1)])
        sev = self.sev(rng) if variant != "router_down" else 1.0
        if variant == "router_down":
            st, en = self.times(rng, 900, 5400, ongoing=0.05)
        else:
            st, en = self.times(rng, 2400, 4 * 3600, ongoing=0.2)
        victims = wired
        if variant in ("dhcp_exhausted", "switch_port") and len(wired) > 1:
            victims = sorted(rng.sample(wired, max(1, len(wired) // 2)))
        f = self.new_fault("network.lan", variant, {"site_id": s.site_id}, victims, st, en, sev,
                           ramp=900 if variant == "router_flaky" and rng.random() < 0.5 else 0)
        self.site_faulted[s.site_id] = f
        for tid in victims:
            if variant in ("router_down", "dhcp_exhausted", "switch_port"):
                self.add_eff(tid, "net", f, down=1.0 if variant != "switch_port" else 0.0, loss=0.6 if variant == "switch_port" else 1.0,
                             lat=0, dhcp=variant == "dhcp_exhausted")
            else:
                self.add_eff(tid, "net", f, down=0.0, loss=0.12 + 0.45 * sev, lat=300 + 1500 * sev, dhcp=False)
        f.mid = [("site", s.site_id, "cable_seated", lambda r2, T: "ok"), ("term", rng.choice(victims), "terminal_rebooted", lambda r2, T: "ok"),
                 ("site", s.site_id, "ping_gateway", lambda r2, T: r2.choice(["fail", "timeout", "%d%% loss" % r2.randint(20, 80)]))]
        if f.resolved:
            f.fix = [("site", s.site_id, "router_restarted" if variant != "switch_port" else "cable_replaced", "ok")]
        return f

    def b_network_carrier(self, rng):
        W = self.W
        groups = {}
        for t in W.terms:
            if t.network == "cellular":
                groups.setdefault((t.carrier, t.city), []).append(t.terminal_id)
        keys = sorted(k for k, v in groups.items() if len(v) >= 4)
        if not keys:
            keys = sorted(groups)
        key = wchoice(rng, [(k, len(groups[k])) for k in keys])
        variant = "data_down" if rng.random() < 0.5 else "degraded"
        if variant == "data_down":
            sev = 1.0
            st, en = self.times(rng, 1200, 4800, ongoing=0.05)
        else:
            sev = round(rng.uniform(0.35, 0.9), 2)
            st, en = self.times(rng, 2400, 2.5 * 3600, ongoing=0.1)
        tids = sorted(groups[key])
        f = self.new_fault("network.carrier", variant, {"carrier": key[0], "city": key[1]}, tids, st, en, sev,
                           ramp=600 if variant == "degraded" else 0)
        for tid in tids:
            # partial coverage: some cells keep working a bit better
            k = rng.uniform(0.75, 1.0)
            if variant == "data_down":
                self.add_eff(tid, "net", f, down=k, loss=1.0, lat=0, cell=True)
            else:
                self.add_eff(tid, "net", f, down=0.0, loss=(0.15 + 0.4 * sev) * k, lat=(600 + 2500 * sev) * k, cell=True)
        f.mid = [("term", rng.choice(tids), "sim_reseated", lambda r2, T: "ok"), ("term", rng.choice(tids), "signal_test", lambda r2, T: "%ddBm" % r2.randint(-85, -65))]
        return f

    def b_software_bug(self, rng):
        W = self.W
        vendors = sorted({t.vendor for t in W.terms})
        vend = wchoice(rng, [(v, sum(1 for t in W.terms if t.vendor == v)) for v in vendors])
        pool = [t for t in W.terms if t.vendor == vend]
        newv = NEW_APP[vend]
        mode = wchoice(rng, [("qr_crash", 3), ("nfc_crash", 2), ("print_crash", 2), ("leak", 2), ("refund_crash", 1)])
        share = rng.uniform(0.25, 0.6)
        rollout = sorted(rng.sample(pool, min(30, max(2, int(len(pool) * share)))), key=lambda t: t.terminal_id)
        st = int(rng.uniform(0, WINDOW * 0.45))
        spread = rng.uniform(1800, 3 * 3600)
        sev = round(rng.uniform(0.25, 0.9), 2)
        rolled_back = rng.random() < 0.3
        en = WINDOW if not rolled_back else int(min(WINDOW, st + spread + rng.uniform(1800, 5400)))
        upd = {}
        for t in rollout:
            u = st + rng.uniform(0, spread) if rng.random() > 0.15 else st + rng.uniform(0, 300)
            if u < en:
                upd[t.terminal_id] = int(u)
        tids = sorted(upd)
        f = self.new_fault("software.bug", mode, {"app_version": newv, "vendor": vend}, tids, st, en, sev, ramp=0,
                           updates=upd, new_version=newv)
        for tid in tids:
            self.add_eff(tid, "bug", f, t0=upd[tid], mode=mode, newv=newv)
            self.add_eff(tid, "update", f, t0=upd[tid], t1=upd[tid] + 1, newv=newv, field="app_version")
        f.mid = [("term", rng.choice(tids), "terminal_rebooted", lambda r2, T: "ok"), ("term", rng.choice(tids), "app_reinstalled", lambda r2, T: "ok")]
        if rolled_back:
            f.rollback = True
        return f

    def b_software_incompatible(self, rng):
        W = self.W
        groups = {}
        for t in W.terms:
            groups.setdefault((t.host, t.vendor, t.firmware), []).append(t.terminal_id)
        keys = sorted(k for k, v in groups.items() if len(v) >= 3 and k[2] == FIRMWARES[k[1]][0])
        if not keys:
            keys = sorted(k for k, v in groups.items() if len(v) >= 2)
        key = wchoice(rng, [(k, len(groups[k])) for k in keys])
        host, vend, fw = key
        variant = "tls_version" if rng.random() < 0.65 else "message_spec"
        st = int(rng.uniform(0, WINDOW * 0.6))
        tids = sorted(groups[key])
        f = self.new_fault("software.incompatible", variant, {"host": host, "firmware": fw, "vendor": vend}, tids, st, WINDOW,
                           round(rng.uniform(0.7, 1.0), 2))
        upgraded = {}
        for tid in tids:
            t1 = WINDOW
            if rng.random() < 0.3:
                t1 = int(st + rng.uniform(1200, 3 * 3600))
                if t1 < WINDOW:
                    upgraded[tid] = t1
            self.add_eff(tid, "incompat", f, t1=min(t1, WINDOW), variant=variant)
            if tid in upgraded:
                newfw = FIRMWARES[vend][-1] + (".1" if FIRMWARES[vend][-1] == fw else "")
                self.add_eff(tid, "update", f, t0=t1, t1=t1 + 1, newv=newfw, field="firmware")
        f.upgraded = upgraded
        f.mid = [("term", rng.choice(tids), "terminal_rebooted", lambda r2, T: "ok"), ("term", rng.choice(tids), "params_redownloaded", lambda r2, T: "ok")]
        return f

    def b_software_config(self, rng):
        T = self.pick_term(rng, lambda t: True)
        variant = wchoice(rng, [("host_address", 3), ("tid_mismatch", 2), ("key_index", 2), ("short_timeout", 2)] +
                          ([("apn", 2)] if T.network == "cellular" else []))
        st = int(rng.uniform(0, WINDOW * 0.75))
        en = WINDOW if rng.random() < 0.6 else int(min(WINDOW, st + rng.uniform(1800, 4 * 3600)))
        sev = 1.0 if variant != "short_timeout" else round(rng.uniform(0.4, 1.0), 2)
        f = self.new_fault("software.config", variant, {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, sev)
        hip = HOSTS[T.host][0].split(".")
        wrong_ip = ".".join(hip[:3] + [str((int(hip[3]) + rng.randint(1, 40)) % 250 + 2)])
        self.add_eff(T.terminal_id, "config", f, variant=variant, wrong_ip=wrong_ip, timeout=int(1400 + 1500 * (1 - sev)))
        f.pre_maint = [(T.terminal_id, st - rng.randint(20, 200), "firmware_update", rng.choice(["远程参数下载", "TMS参数更新 v%d" % rng.randint(20, 60), "param download"]))]
        f.mid = [("term", T.terminal_id, "terminal_rebooted", lambda r2, TT: "ok"), ("term", T.terminal_id, "cable_seated", lambda r2, TT: "ok")]
        if f.resolved:
            f.fix = [("term", T.terminal_id, "params_redownloaded", "ok")]
        return f

    def b_transmission_corruption(self, rng):
        T = self.pick_term(rng, lambda t: t.network in ("ethernet", "wifi") or t.form == "counter")
        variant = rng.choice(["cable_crc", "pinpad_link", "cable_crc"])
        sev = round(rng.uniform(0.15, 0.6), 2)
        st, en = self.times_open(rng, self.W.S[T.site_id], 1800, 6 * 3600, 0.4)
        f = self.new_fault("transmission.corruption", variant, {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, sev,
                           ramp=rng.choice([0, 1200]))
        self.add_eff(T.terminal_id, "corrupt", f, variant=variant)
        f.mid = [("term", T.terminal_id, "cable_seated", lambda r2, TT: r2.choice(["fail", "ok"])), ("term", T.terminal_id, "terminal_rebooted", lambda r2, TT: "ok")]
        if f.resolved:
            f.fix = [("term", T.terminal_id, "cable_replaced", "ok")]
        return f

    def b_security_keys(self, rng):
        W = self.W
        if rng.random() < 0.7:
            host = wchoice(rng, HOST_W)
            pool = [t for t in W.terms if t.host == host]
            vendors = sorted({t.vendor for t in pool})
            # the host re-keyed; terminals whose app did not auto-sign-on keep the old keys
            bad_v = set(rng.sample(vendors, max(1, len(vendors) // 3)))
            tids = sorted(t.terminal_id for t in pool if t.vendor in bad_v and rng.random() < 0.8)
            if len(tids) > 14:
                tids = sorted(rng.sample(tids, rng.randint(8, 14)))
            if len(tids) < 2:
                tids = sorted(t.terminal_id for t in pool)[:4]
            st = int(rng.uniform(0, WINDOW * 0.65))
            f = self.new_fault("security.keys", "host_rekey", {"host": host}, tids, st, WINDOW, 1.0)
            fixed = {}
            for tid in tids:
                t1 = WINDOW
                if rng.random() < 0.6:
                    t1 = int(st + rng.uniform(600, 2.5 * 3600))
                if t1 < WINDOW:
                    fixed[tid] = t1
                self.add_eff(tid, "keys", f, t1=min(WINDOW, t1), variant="mismatch")
            f.fixed = fixed
            f.end = max([WINDOW if x not in fixed else fixed[x] for x in tids])
            f.resolved = f.end < WINDOW - 1
            f.mid = [("term", rng.choice(tids), "terminal_rebooted", lambda r2, T: "ok")]
            return f
        T = self.pick_term(rng, lambda t: True)
        st, en = self.times_open(rng, self.W.S[T.site_id], 1200, 5 * 3600, 0.3)
        f = self.new_fault("security.keys", "keys_lost", {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, 1.0)
        self.add_eff(T.terminal_id, "keys", f, variant="missing")
        if f.resolved:
            f.fix = [("term", T.terminal_id, "sign_on", "ok")]
        f.mid = [("term", T.terminal_id, "terminal_rebooted", lambda r2, TT: "ok")]
        return f

    def b_security_certificate(self, rng):
        W = self.W
        if rng.random() < 0.65:
            groups = {}
            for t in W.terms:
                groups.setdefault((t.vendor, t.installed[:4], t.host), []).append(t.terminal_id)
            keys = sorted(k for k, v in groups.items() if len(v) >= 3) or sorted(groups)
            key = wchoice(rng, [(k, len(groups[k])) for k in keys])
            tids = sorted(groups[key])
            if len(tids) > 14:
                tids = sorted(rng.sample(tids, 14))
            st = int(rng.uniform(0, WINDOW * 0.7))
            na = W.clock.iso(st)
            f = self.new_fault("security.certificate", "batch_expired", {"cert_not_after": na}, tids, st, WINDOW, 1.0)
            renewed = {}
            for tid in tids:
                W.T[tid].cert_not_after = na
                t1 = WINDOW
                if rng.random() < 0.3:
                    t1 = int(st + rng.uniform(1800, 3 * 3600))
                if t1 < WINDOW:
                    renewed[tid] = t1
                self.add_eff(tid, "cert", f, t1=min(t1, WINDOW), variant="expired", na=na)
            f.renewed = renewed
            f.end = max([renewed.get(x, WINDOW) for x in tids])
            f.resolved = f.end < WINDOW - 1
            f.mid = [("term", rng.choice(tids), "clock_check", lambda r2, T: "ok"), ("term", rng.choice(tids), "terminal_rebooted", lambda r2, T: "ok")]
            return f
        T = self.pick_term(rng, lambda t: True)
        st, en = self.times_open(rng, self.W.S[T.site_id], 1800, 6 * 3600, 0.35)
        skew = -int((self.W.day - dt.date(2000, 1, 1)).days * 86400 + rng.randint(0, 30000))
        f = self.new_fault("security.certificate", "clock_reset", {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, 1.0, skew=skew)
        self.add_eff(T.terminal_id, "cert", f, variant="clock", skew=skew)
        f.mid = [("term", T.terminal_id, "clock_check", lambda r2, TT: "2000-01-01")]
        if f.resolved:
            f.fix = [("term", T.terminal_id, "clock_synced", "ok")]
        return f

    def _single(self, rng, cause, variant, pred, dmin, dmax, ongoing, kind, fixname=None, maint=None, mid=None, ramp=0, sev=None, weight=None, **p):
        T = self.pick_term(rng, pred, weight=weight)
        if T is None:
            return None
        sev = sev if sev is not None else self.sev(rng)
        if sev < 0.3 and cause.startswith("hardware"):
            sev = round(sev + 0.15, 2)
        st, en = self.times_open(rng, self.W.S[T.site_id], dmin, dmax, ongoing)
        f = self.new_fault(cause, variant, {"terminal_id": T.terminal_id}, [T.terminal_id], st, en, sev, ramp=ramp)
        self.add_eff(T.terminal_id, kind, f, **p)
        f.mid = [("term", T.terminal_id, n, v) for n, v in (mid or [])]
        if f.resolved and fixname:
            f.fix = [("term", T.terminal_id, fixname, "ok")]
        if f.resolved and maint:
            f.maint = [(T.terminal_id, maint[0], maint[1])]
        return f

    def b_resource_storage(self, rng):
        return self._single(rng, "resource.storage", "journal_full", lambda t: True, 3600, 6 * 3600, 0.5, "storage",
                            maint=("repair", "结算后清理流水 / settled, journal cleared"),
                            mid=[("terminal_rebooted", lambda r2, T: "ok"), ("storage_free", lambda r2, T: "%d%%" % r2.randint(0, 2))],
                            s0=rng.uniform(94.5, 98.3), slope=rng.uniform(1, 5) / 3600.0)

    def b_resource_memory(self, rng):
        return self._single(rng, "resource.memory", "leak", lambda t: t.form in ("smart", "desk") or t.vendor in ("pax", "landi"), 3600, 6 * 3600, 0.5, "memory",
                            maint=("repair", rng.choice(["恢复出厂并重装应用", "清理后台程序"])),
                            mid=[("terminal_rebooted", lambda r2, T: "ok")],
                            slope=rng.uniform(15, 45) / 3600.0)

    def b_resource_cpu(self, rng):
        return self._single(rng, "resource.cpu", rng.choice(["runaway_process", "log_upload_loop", "thermal_throttle"]),
                            lambda t: t.form in ("smart", "desk") or t.vendor in ("landi", "ingenico"), 1800, 6 * 3600, 0.4, "cpu",
                            maint=("repair", rng.choice(["卸载第三方应用", "停止后台日志上传", "清理后台进程"])),
                            mid=[("terminal_rebooted", lambda r2, T: "ok"), ("background_apps", lambda r2, T: "%d running" % r2.randint(9, 25))],
                            ramp=rng.choice([0, 1800]))

    def b_operator_error(self, rng):
        f = self._single(rng, "operator.error", rng.choice(["new_cashier", "wrong_procedure"]), lambda t: t.rate > 3, 3600, 4 * 3600, 0.3,
                         "operator", fixname="operator_trained", sev=round(rng.uniform(0.3, 0.9), 2),
                         mid=[("terminal_rebooted", lambda r2, T: "ok")])
        return f

    def b_hardware_keypad(self, rng):
        return self._single(rng, "hardware.keypad", rng.choice(["stuck_key", "worn_membrane"]), lambda t: True, 3600, 6 * 3600, 0.6, "keypad",
                            maint=("part_replaced", "更换键盘膜"), mid=[("keypad_test", lambda r2, T: "fail"), ("terminal_rebooted", lambda r2, T: "ok")],
                            ramp=rng.choice([0, 3600]))

    def b_hardware_display(self, rng):
        return self._single(rng, "hardware.display", rng.choice(["flicker", "dead_lines", "backlight"]), lambda t: True, 3600, 6 * 3600, 0.6, "display",
                            maint=("part_replaced", "更换显示屏"), mid=[("display_test", lambda r2, T: "fail")])

    def b_hardware_card_reader(self, rng):
        v = rng.choice(["ic", "ic", "ic", "nfc", "nfc", "module"])
        return self._single(rng, "hardware.card_reader", v + "_reader", lambda t: True, 3600, 6 * 3600, 0.5, "reader",
                            maint=("part_replaced", {"ic": "更换IC卡座", "nfc": "更换非接天线板", "module": "更换读卡模块"}[v]),
                            mid=[("card_reader_test", lambda r2, T: "fail"), ("card_cleaned", lambda r2, T: "ok")], which=v, ramp=rng.choice([0, 0, 2400]),
                            weight=lambda t: MTYPES[t.kind]["card"] * t.rate)

    def b_hardware_printer(self, rng):
        v = rng.choice(["paper_out", "paper_out", "head_fault", "cutter_jam"])
        if v == "paper_out":
            return self.__single_printer(rng, v)
        return self._single(rng, "hardware.printer", v, lambda t: True, 3600, 6 * 3600, 0.5, "printer",
                            maint=("repair", "更换打印头" if v == "head_fault" else "清理切刀卡纸"),
                            mid=[("printer_test", lambda r2, T: "fail"), ("paper_loaded", lambda r2, T: "ok")], which=v)

    def __single_printer(self, rng, v):
        return self._single(rng, "hardware.printer", v, lambda t: t.vendor != "sunmi" or t.model == "T2", 900, 3600, 0.2, "printer",
                            fixname="paper_loaded", mid=[], sev=1.0, which=v, weight=lambda t: t.rate)

    def b_hardware_board(self, rng, term=None, start=None, variant=None):
        if term is None:
            return self._single(rng, "hardware.board", rng.choice(["aging", "moisture", "sensor"]), lambda t: True, 3600, 6 * 3600, 0.5, "board",
                                maint=("part_replaced", "更换主板"), mid=[("self_test", lambda r2, T: "fail"), ("terminal_rebooted", lambda r2, T: "ok")])
        self.busy.add(term.terminal_id)
        sev = round(rng.uniform(0.4, 0.9), 2)
        f = self.new_fault("hardware.board", variant, {"terminal_id": term.terminal_id}, [term.terminal_id], start, WINDOW, sev)
        self.add_eff(term.terminal_id, "board", f, erase_keys=rng.random() < 0.4)
        f.mid = [("term", term.terminal_id, "self_test", lambda r2, T: "fail"), ("term", term.terminal_id, "adapter_voltage", lambda r2, T: "%.2fV" % (T.nominal_v * r2.uniform(0.97, 1.02)))]
        return f

    def _merchant(self, rng, pred, weight):
        W = self.W
        cands = [m for m in W.merchants if pred(m) and not m.get("bizfault")]
        if not cands:
            cands = [m for m in W.merchants if not m.get("bizfault")]
        m = wchoice(rng, [(x, weight(x)) for x in cands])
        m.bizfault = True
        return m

    def mrate(self, m):
        return sum(self.W.T[x].rate for x in m.terms)

    def b_business_txn_type(self, rng):
        m = self._merchant(rng, lambda m: self.mrate(m) > 3, lambda m: self.mrate(m) * (3 if m.kind == "hotel" else 1))
        if m.kind == "hotel":
            variant = "preauth_disabled"
        else:
            variant = wchoice(rng, [("credit_card_barred", 4), ("refund_disabled", 1)])
        st = int(rng.uniform(0, WINDOW * 0.6)) if rng.random() < 0.6 else 0
        f = self.new_fault("business.txn_type", variant, {"merchant_id": m.merchant_id}, m.terms, st, WINDOW, 1.0)
        for tid in m.terms:
            self.add_eff(tid, "txn_type", f, variant=variant, rc={"preauth_disabled": "58", "credit_card_barred": "57", "refund_disabled": "40", "intl_card_barred": "58"}[variant])
        f.mid = [("merchant", m.merchant_id, "merchant_permissions", lambda r2, T: "checked")]
        return f

    def b_business_limit(self, rng):
        m = self._merchant(rng, lambda m: MTYPES[m.kind]["amt"][1] >= 30000 and self.mrate(m) > 2,
                           lambda m: self.mrate(m) * math.log(MTYPES[m.kind]["amt"][1]))
        lo, hi = MTYPES[m.kind]["amt"]
        q = rng.uniform(0.55, 0.85)
        lim = math.exp(math.log(lo) + q * (math.log(hi) - math.log(lo)))
        mag = 10 ** int(math.log10(lim))
        lim = int(round(lim / mag) * mag)
        variant = rng.choice(["single_limit", "single_limit", "daily_count"])
        st = int(rng.uniform(0, WINDOW * 0.6)) if rng.random() < 0.6 else 0
        f = self.new_fault("business.limit", variant, {"merchant_id": m.merchant_id}, m.terms, st, WINDOW, 1.0, limit_fen=lim)
        cnt = {"n": 0, "cap": rng.randint(3, 10)}
        for tid in m.terms:
            self.add_eff(tid, "limit", f, variant=variant, limit=lim, cnt=cnt)
        f.mid = [("merchant", m.merchant_id, "merchant_limit", lambda r2, T: "%d.00" % (lim // 100))]
        return f

    def b_business_risk(self, rng):
        m = self._merchant(rng, lambda m: self.mrate(m) > 2, lambda m: self.mrate(m))
        st = int(rng.uniform(WINDOW * 0.1, WINDOW * 0.7))
        sev = round(rng.uniform(0.4, 1.0), 2)
        en = WINDOW if rng.random() < 0.7 else int(min(WINDOW, st + rng.uniform(3600, 3 * 3600)))
        f = self.new_fault("business.risk", rng.choice(["cashout_pattern", "abnormal_volume"]), {"merchant_id": m.merchant_id}, m.terms, st, en, sev)
        burst_t = m.terms[0]
        for tid in m.terms:
            self.add_eff(tid, "risk", f, burst=(tid == burst_t))
        f.mid = [("merchant", m.merchant_id, "risk_status", lambda r2, T: "under_review")]
        return f

    def b_business_merchant(self, rng):
        m = self._merchant(rng, lambda m: self.mrate(m) > 1 and len(m.terms) <= 8, lambda m: self.mrate(m))
        st = int(rng.uniform(0, WINDOW * 0.7))
        en = WINDOW if rng.random() < 0.75 else int(min(WINDOW, st + rng.uniform(3600, 3 * 3600)))
        variant = rng.choice(["frozen", "frozen", "license_expired", "misregistered"])
        f = self.new_fault("business.merchant", variant, {"merchant_id": m.merchant_id}, m.terms, st, en, 1.0)
        for tid in m.terms:
            self.add_eff(tid, "merchant", f)
        f.mid = [("merchant", m.merchant_id, "merchant_status", lambda r2, T: r2.choice(["suspended", "abnormal"]))]
        return f

    def b_upstream_acquirer(self, rng):
        W = self.W
        host = wchoice(rng, HOST_W)
        variant = "host_down" if rng.random() < 0.45 else "overloaded"
        if variant == "host_down":
            st, en = self.times(rng, 600, 2700, ongoing=0.0)
            sev = 1.0
        else:
            st, en = self.times(rng, 2400, 2 * 3600, ongoing=0.05)
            sev = round(rng.uniform(0.35, 0.9), 2)
        tids = sorted(t.terminal_id for t in W.terms if t.host == host)
        f = self.new_fault("upstream.acquirer", variant, {"host": host}, tids, st, en, sev, ramp=900 if variant == "overloaded" else 0)
        for tid in tids:
            self.add_eff(tid, "acq", f, variant=variant)
        return f

    def b_upstream_issuer(self, rng):
        iss = wchoice(rng, [("icbc", 5), ("ccb", 4), ("abc", 4), ("boc", 2), ("cmb", 3), ("bocom", 1), ("psbc", 2), ("citic", 1), ("cib", 1), ("pingan", 1)])
        variant = "issuer_down" if rng.random() < 0.6 else "issuer_slow"
        st, en = self.times(rng, 1200, 5400, ongoing=0.05)
        sev = 1.0 if variant == "issuer_down" else round(rng.uniform(0.4, 0.9), 2)
        f = self.new_fault("upstream.issuer", variant, {"issuer": iss, "bins": ISSUER_BINS[iss]}, [], st, en, sev)
        e = Obj(kind="issuer", f=f, t0=st, t1=en, p=dict(bins=set(ISSUER_BINS[iss]), variant=variant))
        self.glob.append(e)
        return f


BUILDERS = {c: "b_" + c.replace(".", "_") for c in FAULT_CAUSES}


def plan_faults(W, seed):
    P = Planner(W, seed)
    order = list(FAULT_CAUSES)
    R("gen5", "cause-order").shuffle(order)
    excluded = {order[(seed * 5 + i) % len(order)] for i in range(5)}
    rng = R("gen5", seed, "plan")
    chosen = [c for c in FAULT_CAUSES if c not in excluded]
    for _ in range(rng.randint(1, 3)):
        chosen.append(wchoice(rng, EXTRA_POOL))
    # site-level and broad faults first so that single-terminal confounders can land near them
    prio = {"power.supply": 0, "network.lan": 1, "network.carrier": 2, "upstream.acquirer": 3}
    chosen.sort(key=lambda c: (prio.get(c, 9), c))
    for i, c in enumerate(chosen):
        getattr(P, BUILDERS[c])(R("gen5", seed, "fault", i, c))
    return P


# ----------------------------------------------------------------------------
# per-terminal simulation
# ----------------------------------------------------------------------------

def hfrac(*parts):
    h = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0 ** 64


class Out:
    """collects records and truth for a whole seed"""

    def __init__(self, W):
        self.W = W
        self.recs = []   # (t, seq, rec)
        self.truth = []  # (t, seq, rec)
        self.seq = 0
        self.fail_by_fault = {}   # fault_id -> list of (t, tid, code)
        self.fail_by_term = {}    # tid -> list of (t, code, cause)

    def add(self, t, rec, truth=None):
        self.seq += 1
        self.recs.append((t, self.seq, rec))
        if truth is not None:
            cause, f, code, stan = truth
            te = {"kind": "truth_event", "ts": rec["ts"], "terminal_id": rec["terminal_id"], "cause": cause, "code": code}
            if stan:
                te["stan"] = stan
            if f is not None:
                te["fault_id"] = f.fault_id
                self.fail_by_fault.setdefault(f.fault_id, []).append((t, rec["terminal_id"], code))
            te["record"] = rec["kind"]
            self.truth.append((t, self.seq, te))
            self.fail_by_term.setdefault(rec["terminal_id"], []).append((t, code, cause))


class TermSim:
    def __init__(self, W, P, T, out):
        self.W, self.P, self.T, self.out = W, P, T, out
        self.tid = T.terminal_id
        self.v = T.vendor
        self.rng = R("gen5", W.seed, "term", self.tid)
        self.E = list(P.effects.get(self.tid, [])) + P.glob
        self.site = W.S[T.site_id]
        self.merchant = W.M[T.merchant_id]
        self.stan = self.rng.randint(1, 400000)
        self.downs = []      # (a, b, reason)
        self.reboots = []    # (t_up, reason)
        self.counters = []   # (t, field, n)
        self.pending_rev = None
        self.last_ok = []    # recent approved txns (for voids/refunds)
        self.local = T.vendor in LOCAL_OFFSET_VENDORS
        self.versions = []   # (t, field, value)
        self.timeout_ms = VENDOR_TIMEOUT[T.vendor]

    # -- helpers
    def ts(self, t, terminal_side=False):
        return self.W.clock.iso(t, local=terminal_side and self.local)

    def act(self, kind, t):
        for e in self.E:
            if e.kind == kind and e.t0 <= t < e.t1:
                return e
        return None

    def lvl(self, e, t):
        f = e.f
        if f.ramp:
            return f.sev * max(0.05, min(1.0, (t - e.t0) / float(f.ramp)))
        return f.sev

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return "%06d" % self.stan

    def on_period(self, t):
        if self.site.always_on:
            return True
        return any(a <= t < b for a, b in self.on_periods)

    def available(self, t):
        if not self.on_period(t):
            return False
        for d in self.downs:
            if d[0] <= t < d[1]:
                return False
        return True

    def add_down(self, a, b, reason, f=None):
        self.downs.append((a, b, reason, f))
        self.reboots.append((b, reason))

    # -- setup: power, reboots, battery
    def setup(self):
        rng = self.rng
        T = self.T
        self.on_periods = []
        if not self.site.always_on:
            for a, b in self.site.hours:
                s = to_t(a) - rng.uniform(300, 1500)
                e = to_t(b) + rng.uniform(300, 1800)
                if e <= 0 or s >= WINDOW:
                    continue
                self.on_periods.append((s, e))
                if s > 0:
                    self.reboots.append((s + 40, "user"))
                    self.boot_at = s
        # power dips
        self.pevents = []
        self.leaks = []
        self.idle_errs = []
        for e in self.E:
            if e.kind == "power":
                for (t, d) in e.p["dips"]:
                    if not self.on_period(t):
                        continue
                    self.counters.append((t, "power_events", 1))
                    self.pevents.append((t, d))
                    if (not T.battery or not T.docked or self.act("battery", t)) and d >= (0.08 if not T.battery else 1e9):
                        self.add_down(t, t + d + rng.uniform(35, 90), "power_loss", e.f)
                    elif T.battery and d > 30 and T.docked:
                        pass  # rides through on battery
            elif e.kind == "board":
                t = e.t0 + rng.expovariate(max(0.3, 3 * e.f.sev) / 3600.0)
                while t < e.t1:
                    if self.on_period(t):
                        self.add_down(t, t + rng.uniform(45, 120), "watchdog", e.f)
                    t += rng.expovariate(max(0.3, 3 * e.f.sev) / 3600.0)
            elif e.kind == "update":
                if not self.available(e.t0):
                    # updates wait for the terminal to be on
                    pass
                dwn = rng.uniform(60, 200)
                self.add_down(e.t0, e.t0 + dwn, "update", None)
                self.versions.append((e.t0 + dwn, e.p["field"], e.p["newv"]))
            if e.kind == "memory" or (e.kind == "bug" and e.p["mode"] == "leak"):
                slope = e.p.get("slope") or (6 + 20 * e.f.sev) / 3600.0
                m0 = T.mem_base + rng.uniform(10, 25)
                t = e.t0
                resets = [(t, m0)]
                while True:
                    tc = t + (97 - m0) / slope
                    if tc >= e.t1:
                        break
                    if self.on_period(tc):
                        self.add_down(tc, tc + rng.uniform(30, 90), rng.choice(["crash", "watchdog", "crash"]), e.f)
                        self.counters.append((tc, "app_crashes", 1))
                        if rng.random() < 0.8:
                            self.idle_errs.append((tc - rng.uniform(1, 20), "OOM", "resource.memory" if e.kind == "memory" else "software.bug", e.f))
                    t = tc + rng.uniform(30, 90)
                    m0 = T.mem_base + rng.uniform(3, 10)
                    resets.append((t, m0))
                self.leaks.append((e, slope, resets))
        self.sim_battery()
        self.downs.sort()
        self.reboots.sort()

    def sim_battery(self):
        T = self.T
        self.batt = None
        if not T.battery:
            return
        rng = self.rng
        be = [e for e in self.E if e.kind == "battery"]
        pct = T.batt0
        docked = T.docked
        series = []
        down_until = -1
        dock_until = -1
        drain = (8 if T.form == "smart" else 4) / 3600.0
        for k in range(0, WINDOW // 60 + 1):
            t = k * 60
            e = None
            for x in be:
                if x.t0 <= t < x.t1:
                    e = x
            if e is not None:
                if t < dock_until:
                    docked = True
                    pct = min(100, pct + (60 / 3600.0) * 90)
                    if t >= down_until and down_until > 0 and not self.available(t) is False:
                        pass
                else:
                    docked = False
                    d = drain / e.p["cap"] * 60
                    if e.p["jumpy"] and rng.random() < 0.02:
                        d += rng.uniform(10, 30)
                    pct = max(0, pct - d)
                    if 3 < pct < 9 and self.on_period(t) and self.available(t) and rng.random() < 0.25:
                        self.idle_errs.append((t + rng.uniform(0, 59), "LOW_BATT", "power.battery", e.f))
                    if pct <= 3 and self.on_period(t):
                        # dies; cashier notices and docks it, boots after a while
                        off = rng.uniform(240, 1200)
                        self.add_down(t, t + off, "power_loss", e.f)
                        dock_until = t + off + rng.uniform(300, 1500)
                        pct = 0
            else:
                if docked:
                    pct = min(100, pct + 20 / 60.0)
                else:
                    pct = max(5, pct - drain * 60)
            series.append(pct)
        self.batt = series
        self.batt_docked = docked

    def batt_at(self, t):
        if self.batt is None:
            return None
        k = max(0, min(len(self.batt) - 1, int(t // 60)))
        return self.batt[k]

    # -- network state
    def net(self, t):
        down, loss, lat, fault, cause, rssi_drop, dhcp = False, 0.0, 0.0, None, None, 0.0, False
        bucket = int(t // 90)
        for e in self.E:
            if not (e.t0 <= t < e.t1):
                continue
            if e.kind == "net":
                lv = self.lvl(e, t) / max(1e-9, e.f.sev) if e.f.ramp else 1.0
                if e.p["down"] > 0 and hfrac(self.tid, e.f.fault_id, bucket) < e.p["down"]:
                    down, fault, cause, dhcp = True, e.f, e.f.cause, e.p.get("dhcp", False)
                    loss = 1.0
                else:
                    l2 = e.p["loss"] * lv * (0.6 + 0.8 * hfrac(self.tid, "l", bucket))
                    if l2 > loss:
                        loss, fault, cause = min(0.95, l2), e.f, e.f.cause
                    lat += e.p["lat"] * lv
            elif e.kind == "signal":
                lv = self.lvl(e, t)
                rssi_drop = e.p["drop"] * (0.4 + 0.6 * lv / max(e.f.sev, 1e-9))
                if hfrac(self.tid, "flap", bucket) < e.p["flap"] * (lv / max(e.f.sev, 1e-9)):
                    if not down:
                        down, fault, cause = True, e.f, e.f.cause
                        loss = 1.0
                l2 = e.p["loss"] * lv * (0.5 + hfrac(self.tid, "sl", bucket))
                if l2 > loss and not down:
                    loss, fault, cause = min(0.9, l2), e.f, e.f.cause
                lat += 400 * lv + 900 * lv * hfrac(self.tid, "sj", bucket)
            elif e.kind == "config" and e.p["variant"] == "apn":
                down, fault, cause, loss = True, e.f, e.f.cause, 1.0
        # a weak-but-working baseline link occasionally hiccups (no fault)
        if not fault and self.T.rssi_base is not None and self.T.rssi_base < -93:
            if hfrac(self.tid, "weak", bucket) < 0.02:
                loss, cause = 0.5, "network.signal"
        return Obj(down=down, loss=loss, lat=lat, fault=fault, cause=cause, rssi_drop=rssi_drop, dhcp=dhcp)

    # -- continuous resource state
    def mem_at(self, t):
        base = self.T.mem_base + 4 * math.sin(t / 1700.0 + len(self.tid))
        for e, slope, resets in self.leaks:
            if e.t0 <= t < e.t1:
                k = bisect.bisect_right([r[0] for r in resets], t) - 1
                if k >= 0:
                    r0, m0 = resets[k]
                    return min(99.0, m0 + slope * (t - r0)), e
        return base, None

    def storage_at(self, t):
        for e in self.E:
            if e.kind == "storage":
                if t < e.t0:
                    return self.T.storage_base + (e.p["s0"] - self.T.storage_base) * 0.97, None
                if t < e.t1:
                    return min(100.0, e.p["s0"] + e.p["slope"] * (t - e.t0) + 2.5), e
                return rclip(e.p["s0"] - 40, 20, 80), None
        return self.T.storage_base + t / WINDOW * 0.4, None

    # -- record emitters
    def err(self, t, sym, cause, f, stan=None, ctx=None):
        rng = self.rng
        code = VCODE[self.v][sym]
        c = dict(ip=HOSTS[self.T.host][0], port=HOSTS[self.T.host][1], stan=stan or "000000", to=self.timeout_ms // 1000)
        if ctx:
            c.update(ctx)
        rec = {"kind": "error", "ts": self.ts(t, True), "terminal_id": self.tid, "code": code}
        if rng.random() > 0.07:
            rec["stage"] = SYM_STAGE[sym]
        if rng.random() > 0.05:
            rec["detail"] = make_detail(rng, self.v, sym, c)
        if stan:
            rec["stan"] = stan
        self.out.add(t, rec, (cause, f, code, stan))

    def host_err(self, t, rc, cause, f, stan):
        if self.rng.random() < HOST_RC_LOG_P.get(rc, 0.0):
            code = host_rc_code(self.v, rc)
            rec = {"kind": "error", "ts": self.ts(t, True), "terminal_id": self.tid, "code": code, "stage": "receive" if rc != "A0" else "mac", "stan": stan}
            if self.rng.random() > 0.1:
                rec["detail"] = make_detail(self.rng, self.v, "HOST_RC" if rc != "A0" else "MAC_ERR", dict(rc=rc, rctext=RC_TEXT.get(rc, ""), stan=stan))
            self.out.add(t, rec, (cause, f, code, stan))

    def txn(self, t, sp, stan, rc=None, timed_out=False, lat=None, cause=None, f=None):
        m = self.merchant
        rec = {"kind": "txn", "ts": self.ts(t), "terminal_id": self.tid, "type": sp.type, "amount": sp.amount,
               "currency": "CNY" if self.T.host not in ("H3", "H5") else "156"}
        if self.rng.random() > 0.03:
            rec["merchant_id"] = m.merchant_id
        rec["stan"] = stan
        if rc is not None and not timed_out:
            rec["rrn"] = "%02d%04d%06d" % (self.W.day.month, int(t // 60) % 10000, int(stan))
        rec["channel"] = sp.channel
        rec["mcc"] = sp.mcc
        if timed_out:
            rec["timed_out"] = True
            rec["latency_ms"] = self.timeout_ms if not sp.get("short_to") else sp.short_to
        else:
            rec["response_code"] = rc
            rec["latency_ms"] = int(lat)
        if rc == "00" and sp.type in ("purchase", "completion"):
            rate = m.card_rate if sp.channel != "qr" else m.qr_rate
            rec["fee"] = int(round(sp.amount * rate)) + (m.get("fixed_fee") or 0)
        if sp.pan:
            rec["pan"] = sp.pan
        failed = timed_out or rc != "00"
        code = "timeout" if timed_out else rc
        self.out.add(t, rec, (cause, f, code, stan) if failed else None)

    # -- transaction specs
    def make_spec(self, t, kind=None):
        rng = self.rng
        m = self.merchant
        mt = MTYPES[m.kind]
        sp = Obj(mcc=m.mcc)
        if self.T.get("jump_mcc") and rng.random() < 0.6:
            sp.mcc = self.T.jump_mcc
        r = rng.random()
        op = self.act("operator", t)
        vr = 0.03 + (0.08 * op.f.sev if op else 0)
        if m.kind == "hotel":
            sp.type = "preauth" if r < 0.35 else ("completion" if r < 0.5 else "purchase")
        elif r < vr and self.last_ok:
            sp.type = "void"
        elif r < vr + 0.015 + (0.03 * op.f.sev if op else 0):
            sp.type = "refund"
        elif r < vr + 0.03:
            sp.type = "balance"
        else:
            sp.type = "purchase"
        card_share = mt["card"]
        if sp.type in ("preauth", "completion", "balance") or rng.random() < card_share:
            sp.channel = wchoice(rng, [("card_ic", 60), ("nfc", 32), ("card_swipe", 8)])
        else:
            sp.channel = "qr"
        lo, hi = mt["amt"]
        a = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        if rng.random() < 0.25:
            a = round(a, -2)
        sp.amount = max(100, int(a))
        if sp.type in ("void", "refund") and self.last_ok:
            o = rng.choice(self.last_ok[-10:])
            sp.amount, sp.channel = o[1], o[2]
        if sp.type == "balance":
            sp.amount = 0
        self.card(sp)
        return sp

    def card(self, sp, avoid=None):
        rng = self.rng
        if sp.channel == "qr":
            sp.pan = None
            sp.issuer = None
            sp.pin = False
            return
        while True:
            iss, b, kind, _ = wchoice(rng, [(x, x[3]) for x in BINS])
            if iss != avoid:
                break
        sp.issuer, sp.bin, sp.ckind = iss, b, kind
        sp.pan = b + "******" + "%04d" % rng.randint(0, 9999)
        if sp.channel == "nfc":
            sp.pin = sp.amount > 100000
        elif sp.channel == "card_ic":
            sp.pin = kind == "debit" or rng.random() < 0.4
        else:
            sp.pin = kind == "debit"


    # -- the payment pipeline -------------------------------------------------
    def crash(self, t, f, reason="crash"):
        self.counters.append((t, "app_crashes", 1))
        if self.rng.random() < 0.35:
            self.add_down(t + 1, t + 1 + self.rng.uniform(25, 70), reason, f)
            self.downs.sort()

    def interrupted(self, a, b):
        for d in self.downs:
            if a < d[0] <= b and d[2] in ("power_loss", "watchdog", "crash"):
                return d
        return None

    def send_reversal(self, t):
        o = self.pending_rev
        rng = self.rng
        n = self.net(t)
        stan = self.next_stan()
        sp = Obj(type="reversal", channel=o.channel, amount=o.amount, mcc=o.mcc, pan=o.pan)
        cfg = self.act("config", t)
        if n.down or (cfg and cfg.p["variant"] == "host_address"):
            return False  # not even sent; no record
        acq = self.act("acq", t)
        if self.act("cert", t) or self.act("incompat", t):
            return False
        if n.loss and rng.random() < n.loss * 0.6:
            self.txn(t, sp, stan, timed_out=True, cause=n.cause, f=n.fault)
            return False
        if acq and acq.p["variant"] == "host_down" and rng.random() < 0.8:
            self.txn(t, sp, stan, timed_out=True, cause="upstream.acquirer", f=acq.f)
            return False
        self.txn(t, sp, stan, rc="00", lat=rng.uniform(300, 1200) + 2 * self.T.lat_base)
        self.pending_rev = None
        return True

    def attempt(self, t, sp):
        """one attempt; returns (result class, time used)"""
        rng = self.rng
        T = self.T
        v = self.v
        ch = sp.channel
        card = ch != "qr"
        if self.pending_rev is not None:
            self.send_reversal(t)
            t += rng.uniform(1, 4)
        A = lambda k: self.act(k, t)
        # 0. battery / power
        bf = A("battery")
        b = self.batt_at(t)
        if bf and b is not None and b < 9 and rng.random() < 0.8:
            self.err(t, "LOW_BATT", "power.battery", bf.f, ctx=dict(pct=int(b), v="%.2f" % (3.3 + b / 100.0)))
            return "local", 5
        # 1. application
        e = A("storage")
        if e:
            s, _ = self.storage_at(t)
            if s >= 97.5 and rng.random() < (0.85 if card else 0.55) * (0.4 if s < 99 else 1.0):
                self.err(t, "STORAGE_FULL", "resource.storage", e.f, ctx=dict(n=rng.choice([500, 1000, 2000])))
                return "local", 8
        e = A("bug")
        if e:
            mode = e.p["mode"]
            hit = (mode == "qr_crash" and ch == "qr") or (mode == "nfc_crash" and ch == "nfc") or (mode == "refund_crash" and sp.type in ("refund", "void"))
            if hit and rng.random() < 0.1 + 0.5 * e.f.sev:
                self.err(t, "APP_EXC", "software.bug", e.f)
                self.crash(t, e.f)
                return "crash", 20
        mem, me = self.mem_at(t)
        if me is not None and mem > 86 and rng.random() < 0.6 * (mem - 84) / 13:
            cause = "resource.memory" if me.kind == "memory" else "software.bug"
            self.err(t, "OOM", cause, me.f, ctx=dict(len=rng.randint(4096, 1 << 20)))
            self.crash(t, me.f)
            return "crash", 20
        cpu_lat = 0
        e = A("cpu")
        if e:
            lv = self.lvl(e, t)
            cpu_lat = lv * rng.uniform(2500, 14000)
            if rng.random() < 0.08 + lv * 0.4:
                self.err(t, "SLOW_TO", "resource.cpu", e.f, ctx=dict(to=rng.choice([30, 60])))
                return "local", 30
        e = A("board")
        if e:
            lv = self.lvl(e, t)
            if e.p.get("erase_keys") and any(e.t0 <= r[0] <= t and r[1] == "watchdog" for r in self.reboots):
                self.err(t, "NO_KEY", "hardware.board", e.f)
                return "local", 5
            if rng.random() < lv * 0.2:
                sym = rng.choice(["SELFTEST", "IC_READ" if card else "SELFTEST", "PINPAD_COMM", "SEND_FAIL"])
                self.err(t, sym, "hardware.board", e.f)
                if sym == "IC_READ":
                    self.counters.append((t, "card_reader_errors", 1))
                return "hw", 10
        e = A("keys")
        if e and e.p["variant"] == "missing":
            self.err(t, "NO_KEY", "security.keys", e.f)
            return "local", 5
        op = A("operator")
        if op and rng.random() < op.f.sev * 0.16:
            if sp.type in ("void", "refund"):
                sym = rng.choice(["SUP_PWD", "ORIG_REF"])
            else:
                sym = rng.choice(["USER_CANCEL", "MISINSERT" if ch == "card_ic" else "USER_CANCEL", "SUP_PWD" if rng.random() < 0.2 else "USER_CANCEL"])
            self.err(t, sym, "operator.error", op.f)
            if sym == "MISINSERT":
                self.counters.append((t, "card_reader_errors", 1))
            return "op", 20
        kp = A("keypad")
        if kp and T.form in ("counter", "handheld") and rng.random() < self.lvl(kp, t) * 0.12:
            self.counters.append((t, "keypad_errors", rng.randint(1, 3)))
            self.err(t, rng.choice(["KEY_STUCK", "USER_CANCEL"]), "hardware.keypad", kp.f)
            return "op", 25
        disp = A("display")
        if disp and rng.random() < 0.04 + self.lvl(disp, t) * 0.15:
            self.err(t, "USER_CANCEL", "hardware.display", disp.f)
            return "op", 30
        # 2. card read
        if card:
            e = A("reader")
            want = {"card_ic": "ic", "nfc": "nfc", "card_swipe": "mag"}[ch]
            if e and (e.p["which"] == want or e.p["which"] == "module") and rng.random() < 0.2 + self.lvl(e, t) * 0.75:
                self.counters.append((t, "card_reader_errors", 1))
                self.err(t, {"ic": "IC_READ", "nfc": "NFC_READ", "mag": "MAG_READ"}[want], "hardware.card_reader", e.f)
                return "read", 15
            pe = A("power")
            if pe and rng.random() < pe.p["brown"]:
                self.counters.append((t, "card_reader_errors", 1))
                self.err(t, "IC_READ" if ch != "nfc" else "NFC_READ", "power.supply", pe.f)
                return "read", 15
        # 3. PIN
        wrong_pin = None
        if card and sp.pin:
            e = A("keypad")
            if e:
                lv = self.lvl(e, t)
                r = rng.random()
                if r < lv * 0.6:
                    self.counters.append((t, "keypad_errors", rng.randint(1, 4)))
                if r < lv * 0.3:
                    self.err(t, rng.choice(["KEY_STUCK", "PIN_TO", "KEY_STUCK"]), "hardware.keypad", e.f)
                    return "pin", 40
                elif r < lv * 0.55:
                    wrong_pin = e.f
            if disp and rng.random() < self.lvl(disp, t) * 0.3:
                self.err(t, rng.choice(["PIN_TO", "USER_CANCEL"]), "hardware.display", disp.f)
                return "pin", 40
            e = A("corrupt")
            if e and e.p["variant"] == "pinpad_link" and rng.random() < self.lvl(e, t) * 0.6:
                self.err(t, "PINPAD_COMM", "transmission.corruption", e.f, ctx=dict(com=rng.randint(1, 3)))
                return "pin", 15
            if rng.random() < 0.004:
                self.err(t, "PIN_TO", "operator.error", None)  # customer walked off / slow
                return "pin", 40
        # 4. connect
        n = self.net(t)
        cfg = A("config")
        if cfg and cfg.p["variant"] == "host_address":
            self.err(t, "CONN_FAIL" if rng.random() < 0.8 else "PARAM", "software.config", cfg.f, ctx=dict(ip=cfg.p["wrong_ip"]))
            return "net", 35
        if n.down:
            sym = "DHCP" if n.dhcp else ("NO_NET" if (T.network == "cellular" or rng.random() < 0.4) else "CONN_FAIL")
            if cfg and cfg.p["variant"] == "apn" and rng.random() < 0.3:
                sym = "PARAM"
            self.err(t, sym, n.cause, n.fault)
            return "net", 30
        if n.loss and rng.random() < n.loss * 0.35:
            self.err(t, rng.choice(["CONN_FAIL", "SEND_FAIL", "CONN_FAIL"]), n.cause, n.fault)
            return "net", 30
        pe = A("power")
        if pe and rng.random() < pe.p["brown"] * 0.6:
            # sagging supply resets the modem / PHY mid-connection
            self.err(t, rng.choice(["SEND_FAIL", "NO_NET"]), "power.supply", pe.f)
            return "net", 20
        acq = A("acq")
        if acq and acq.p["variant"] == "host_down" and rng.random() < 0.3:
            self.err(t, "CONN_FAIL", "upstream.acquirer", acq.f)
            return "net", 30
        # 5. TLS
        e = A("cert")
        if e:
            if e.p["variant"] == "expired":
                self.err(t, "TLS_EXPIRED", "security.certificate", e.f, ctx=dict(na=e.p["na"]))
            else:
                st = (self.W.clock.base + dt.timedelta(seconds=t + e.p["skew"])).strftime("%Y-%m-%d %H:%M")
                self.err(t, "TLS_NYV", "security.certificate", e.f, ctx=dict(systime=st))
            return "tls", 10
        inc = A("incompat")
        if inc and inc.p["variant"] == "tls_version":
            self.err(t, "TLS_PROTO", "software.incompatible", inc.f)
            return "tls", 10
        # 6. send / host
        stan = self.next_stan()
        lat = (rng.uniform(450, 1400) if card else rng.uniform(800, 2600)) + 2 * (T.lat_base + n.lat)
        slow = []
        if cpu_lat:
            lat += cpu_lat
            slow.append((cpu_lat, "resource.cpu", A("cpu").f))
        if rng.random() < 0.05:
            lat += rng.uniform(2500, 11000)
        if n.lat:
            slow.append((2 * n.lat, n.cause, n.fault))
        rc, cause, f, tout = None, None, None, False
        if n.loss and rng.random() < n.loss * 0.55:
            tout, cause, f = True, n.cause, n.fault
        if not tout and acq:
            lv = self.lvl(acq, t)
            if acq.p["variant"] == "host_down":
                if rng.random() < 0.6:
                    tout, cause, f = True, "upstream.acquirer", acq.f
                else:
                    rc, cause, f = "96", "upstream.acquirer", acq.f
            else:
                extra = lat * lv * rng.uniform(1.5, 9)
                lat += extra
                slow.append((extra, "upstream.acquirer", acq.f))
                if rng.random() < lv * 0.12:
                    rc, cause, f = "96", "upstream.acquirer", acq.f
        corrupt_resp = None
        if not tout and rc is None:
            e = A("corrupt")
            if e and e.p["variant"] == "cable_crc" and rng.random() < self.lvl(e, t) * 0.5:
                r = rng.random()
                if r < 0.45:
                    rc, cause, f = "30", "transmission.corruption", e.f
                elif r < 0.75:
                    corrupt_resp = e.f
                else:
                    rc, cause, f = "A0", "transmission.corruption", e.f
        if not tout and rc is None and inc and inc.p["variant"] == "message_spec" and card:
            rc, cause, f = rng.choice(["30", "30", "12"]), "software.incompatible", inc.f
        if not tout and rc is None and cfg and cfg.p["variant"] == "tid_mismatch":
            rc, cause, f = "97", "software.config", cfg.f
        e = A("merchant")
        if not tout and rc is None and e:
            rc, cause, f = "03", "business.merchant", e.f
        if not tout and rc is None and cfg and cfg.p["variant"] == "key_index":
            rc, cause, f = "A0", "software.config", cfg.f
        e = A("keys")
        if not tout and rc is None and e and e.p["variant"] == "mismatch":
            rc, cause, f = "A0", "security.keys", e.f
        e = A("txn_type")
        if not tout and rc is None and e:
            vv = e.p["variant"]
            if (vv == "preauth_disabled" and sp.type in ("preauth", "completion")) or \
               (vv == "credit_card_barred" and card and sp.ckind == "credit") or \
               (vv == "refund_disabled" and sp.type == "refund") or \
               (vv == "intl_card_barred" and card and sp.issuer.endswith("_intl")):
                rc, cause, f = e.p["rc"], "business.txn_type", e.f
        e = A("limit")
        if not tout and rc is None and e and sp.type in ("purchase", "preauth", "completion"):
            if e.p["variant"] == "single_limit" and sp.amount > e.p["limit"]:
                rc, cause, f = "61", "business.limit", e.f
            elif e.p["variant"] == "daily_count" and card:
                e.p["cnt"]["n"] += 1
                if e.p["cnt"]["n"] > e.p["cnt"]["cap"]:
                    rc, cause, f = rng.choice(["65", "61", "65"]), "business.limit", e.f
        e = A("risk")
        if not tout and rc is None and e and sp.type in ("purchase", "preauth"):
            p = e.f.sev * (0.9 if (card and sp.ckind == "credit") else (0.5 if card else 0.3))
            if sp.amount >= 100000:
                p = min(1.0, p + 0.3)
            if rng.random() < p:
                rc, cause, f = rng.choice(["59", "59", "34"]), "business.risk", e.f
        if not tout and rc is None and card:
            for ge in self.P.glob:
                if ge.t0 <= t < ge.t1 and sp.bin in ge.p["bins"]:
                    if ge.p["variant"] == "issuer_down":
                        r = rng.random()
                        if r < 0.72:
                            rc, cause, f = "91", "upstream.issuer", ge.f
                        elif r < 0.9:
                            rc, cause, f = "98", "upstream.issuer", ge.f
                        else:
                            tout, cause, f = True, "upstream.issuer", ge.f
                    else:
                        extra = ge.f.sev * rng.uniform(4000, 45000)
                        lat += extra
                        slow.append((extra, "upstream.issuer", ge.f))
                        if rng.random() < ge.f.sev * 0.25:
                            rc, cause, f = "98", "upstream.issuer", ge.f
        if not tout and rc is None and wrong_pin is not None and sp.type != "balance":
            rc, cause, f = "55", "hardware.keypad", wrong_pin
        if not tout and rc is None:
            pdec = (0.028 if card else 0.006) * (1.0 if sp.type == "purchase" else 0.5)
            if card and sp.ckind == "credit":
                pdec *= 0.7
            if sp.type in ("void", "refund") and rng.random() < 0.01:
                rc, cause, f = rng.choice(["25", "94", "12"]), "operator.error", None
            elif rng.random() < pdec:
                rc = wchoice(rng, DECLINES)
                if not card and rc in ("55", "54", "33", "75", "14", "41", "62"):
                    rc = "51"
                cause, f = "card.decline", None
            if op and rc is None and sp.type in ("void", "refund") and rng.random() < op.f.sev * 0.5:
                rc, cause, f = rng.choice(["25", "94", "12", "64"]), "operator.error", op.f
        # timeouts from slowness
        limit_ms = self.timeout_ms
        if cfg and cfg.p["variant"] == "short_timeout":
            limit_ms = cfg.p["timeout"]
        if not tout and lat > limit_ms:
            tout = True
            if cfg and cfg.p["variant"] == "short_timeout" and lat <= self.timeout_ms:
                cause, f = "software.config", cfg.f
                sp.short_to = limit_ms
            elif slow:
                _, cause, f = max(slow, key=lambda x: x[0])
            else:
                cause, f = "upstream.issuer", None
        if rc is None and not tout:
            rc = "00"
        # interruption by power loss / crash while waiting for the answer
        tend = t + min(lat, limit_ms) / 1000.0
        intr = self.interrupted(t, tend)
        if intr is not None:
            # host saw the request (approved or not); the terminal died before printing
            if rc is not None:
                self.txn(tend - 0.2, sp, stan, rc=rc, lat=lat, cause=cause, f=f)
            self.pending_rev = Obj(channel=ch, amount=sp.amount, mcc=sp.mcc, pan=sp.pan)
            if intr[2] == "power_loss" and intr[3] is not None:
                self.err(intr[1] + rng.uniform(3, 15), "PWR_RECOVER", intr[3].cause, intr[3], stan=stan)
            return "dead", intr[1] - t + 5
        if tout:
            sp.latency = limit_ms
            self.txn(t + limit_ms / 1000.0, sp, stan, timed_out=True, cause=cause, f=f)
            if rng.random() < 0.85:
                self.err(t + limit_ms / 1000.0 + rng.uniform(0.5, 3), "RECV_TO", cause, f, stan=stan, ctx=dict(to=limit_ms // 1000))
            if sp.type in ("purchase", "preauth", "completion", "refund"):
                self.pending_rev = Obj(channel=ch, amount=sp.amount, mcc=sp.mcc, pan=sp.pan)
            return "timeout", limit_ms / 1000.0 + 5
        tr = t + lat / 1000.0
        self.txn(tr, sp, stan, rc=rc, lat=lat, cause=cause, f=f)
        if rc != "00":
            self.host_err(tr + rng.uniform(0.2, 1.5), rc, cause, f, stan)
            if rc == "A0" and rng.random() < 0.5:
                self.err(tr + 1.5, "MAC_ERR", cause, f, stan=stan)
            return ("decline" if cause == "card.decline" else "host"), lat / 1000.0 + 5
        if corrupt_resp is not None:
            # the host approved but the answer arrived garbled: terminal reverses it
            self.err(tr + 0.3, "UNPACK", "transmission.corruption", corrupt_resp, stan=stan)
            self.pending_rev = Obj(channel=ch, amount=sp.amount, mcc=sp.mcc, pan=sp.pan)
            return "host", lat / 1000.0 + 5
        self.last_ok.append((stan, sp.amount, ch))
        if len(self.last_ok) > 30:
            self.last_ok = self.last_ok[-30:]
        # 7. receipt
        tp = tr + rng.uniform(0.5, 2)
        e = A("printer")
        if e and sp.type != "balance":
            if e.p["which"] == "paper_out" or rng.random() < 0.3 + 0.6 * e.f.sev:
                sym = "PAPER_OUT" if e.p["which"] == "paper_out" else "PRN_FAULT"
                self.err(tp, sym, "hardware.printer", e.f, stan=stan)
                return "ok", lat / 1000.0 + 20
        e = A("bug")
        if e and e.p["mode"] == "print_crash" and rng.random() < 0.15 + 0.5 * e.f.sev:
            self.err(tp, "APP_EXC", "software.bug", e.f, stan=stan, ctx=dict(cls="ReceiptBuilder.build"))
            self.crash(tp, e.f)
            return "ok", lat / 1000.0 + 30
        return "ok", lat / 1000.0 + 3

    def serve(self, t, sp):
        rng = self.rng
        tries = 0
        self.served_ok = False
        while tries < 4 and t < WINDOW:
            if not self.available(t):
                return t
            res, used = self.attempt(t, sp)
            t += used
            if res in ("ok", "dead"):
                self.served_ok = res == "ok"
                return t
            tries += 1
            r = rng.random()
            if res == "decline":
                if r < 0.35:
                    sp = Obj(sp)
                    sp.channel = "qr"
                    self.card(sp)
                elif r < 0.6 and sp.channel != "qr":
                    self.card(sp, avoid=sp.issuer)
                else:
                    return t
            elif res == "read":
                if sp.channel == "card_ic" and r < 0.5:
                    sp = Obj(sp)
                    sp.channel = "card_swipe"
                elif r < 0.8:
                    sp = Obj(sp)
                    sp.channel = "qr" if r < 0.5 else sp.channel
                    self.card(sp)
                else:
                    return t
            elif res in ("net", "timeout", "tls", "host"):
                if r < 0.25 and tries < 3:
                    pass
                elif r < 0.55 and sp.channel != "qr":
                    sp = Obj(sp)
                    sp.channel = "qr"
                    self.card(sp)
                else:
                    return t
            elif res in ("pin", "op", "hw", "local", "crash"):
                if r > 0.7:
                    return t
            t += rng.uniform(8, 50)
        return t

    # -- drive a whole terminal ----------------------------------------------
    def run(self):
        rng = self.rng
        T = self.T
        self.setup()
        injected = []
        for e in self.E:
            if e.kind == "risk" and e.p["burst"]:
                # suspicious round-amount credit-card burst before and during the block
                t = max(0, e.t0 - rng.uniform(1500, 3000))
                while t < min(e.t1, e.t0 + 3600):
                    injected.append(t)
                    t += rng.uniform(120, 420)
        injected.sort()
        mt = MTYPES[self.merchant.kind]
        prof = PROFILES[mt["prof"]]
        rmax = T.rate * 2.7 / 3600.0
        t = 0.0
        arrivals = []
        while True:
            t += rng.expovariate(rmax)
            if t >= WINDOW:
                break
            if not site_open(self.site, t):
                continue
            if rng.random() < (T.rate * prof(lh(t)) / 3600.0) / rmax:
                arrivals.append((t, False))
        arrivals += [(x, True) for x in injected]
        arrivals.sort()
        busy_until = 0
        self.streak = 0
        for t, inj in arrivals:
            if t < busy_until:
                t = busy_until + rng.uniform(5, 30)
            if t >= WINDOW or not self.available(t):
                continue
            # after repeated failures the cashier stops trying the terminal for most sales
            # (customers pay to the shop's printed QR code instead) and only retries now and then
            if self.streak >= 2 and rng.random() > max(0.12, 0.8 / self.streak):
                continue
            sp = self.make_spec(t)
            if inj:
                sp.type, sp.channel = "purchase", "card_ic"
                sp.amount = rng.choice([499900, 999900, 980000, 500000, 1999900, 300000])
                for _ in range(10):
                    self.card(sp)
                    if sp.ckind == "credit":
                        break
            nf = len(self.out.truth)
            busy_until = self.serve(t, sp)
            if self.served_ok:
                self.streak = 0
            elif len(self.out.truth) > nf:
                self.streak += 1
        self.telemetry()
        self.boot_errors()

    def boot_errors(self):
        rng = self.rng
        for (t, sym, cause, f) in self.idle_errs:
            if 0 <= t < WINDOW:
                self.err(t, sym, cause, f, ctx=dict(pct=rng.randint(3, 8)))
        for (a, b, reason, f) in self.downs:
            if f is None or b >= WINDOW:
                continue
            if f.cause == "hardware.board" and rng.random() < 0.5:
                self.err(b + rng.uniform(2, 20), "SELFTEST", "hardware.board", f)
            elif f.cause in ("power.supply", "power.battery") and reason == "power_loss":
                r = rng.random()
                if r < 0.1:
                    self.err(b + rng.uniform(2, 20), "SELFTEST" if rng.random() < 0.5 else "RTC", f.cause, f)
                elif r < 0.45:
                    self.err(b + rng.uniform(2, 20), "PWR_ABN", f.cause, f)
        disp = [e for e in self.E if e.kind == "display"]
        cert = [e for e in self.E if e.kind == "cert" and e.p["variant"] == "clock"]
        for (tu, reason) in self.reboots:
            if tu >= WINDOW:
                continue
            for e in disp:
                if e.t0 <= tu < e.t1 and rng.random() < 0.5 and self.v in ("pax", "landi", "verifone", "newland"):
                    self.err(tu + rng.uniform(1, 8), "LCD_FAIL", "hardware.display", e.f)
            for e in cert:
                if e.t0 <= tu < e.t1 and rng.random() < 0.6:
                    st = (self.W.clock.base + dt.timedelta(seconds=tu + e.p["skew"])).strftime("%Y-%m-%d %H:%M")
                    self.err(tu + rng.uniform(1, 8), "RTC", "security.certificate", e.f, ctx=dict(systime=st))

    def telemetry(self):
        T = self.T
        rng = R("gen5", self.W.seed, "tele", self.tid)
        fields = TELE_FIELDS[self.v]
        period = T.tele_period
        self.counters.sort(key=lambda x: x[0])
        ct = [c[0] for c in self.counters]
        rb = [r[0] for r in self.reboots]
        last = -1.0
        t = rng.uniform(0, period)
        reported_versions = set()
        while t < WINDOW:
            tt = t
            t += period * rng.uniform(0.93, 1.07)
            if not self.on_period(tt):
                continue
            n = self.net(tt)
            if not self.available(tt) or n.down or (n.loss and rng.random() < n.loss * 0.7):
                if rng.random() < TMS_OFFLINE_MARK[self.v]:
                    self.out.add(tt + 30, {"kind": "telemetry", "ts": self.ts(tt + 30), "terminal_id": self.tid, "online": False})
                continue
            s = {"kind": "telemetry", "ts": self.ts(tt), "terminal_id": self.tid, "online": True}
            A = lambda k: self.act(k, tt)
            if "rssi_dbm" in fields and T.rssi_base is not None:
                s["rssi_dbm"] = int(round(T.rssi_base - n.rssi_drop + rng.gauss(0, 2.5)))
            if "latency_ms" in fields:
                s["latency_ms"] = int(T.lat_base * rng.uniform(0.8, 1.35) + n.lat * rng.uniform(0.7, 1.3) + n.loss * rng.uniform(500, 2500))
            if "packet_loss" in fields:
                base = 0.0 if T.network == "ethernet" else rng.choice([0.0, 0.0, 0.01, 0.02])
                s["packet_loss"] = round(min(1.0, base + n.loss * rng.uniform(0.6, 1.2)), 2)
            pe = A("power")
            if "supply_v" in fields and (not T.battery or T.docked):
                vv = T.nominal_v * (1 + rng.gauss(0, 0.006))
                if pe:
                    vv = T.nominal_v * (1 - pe.p["sag"] * rng.uniform(0.3, 1.5))
                s["supply_v"] = round(vv, 2)
            b = self.batt_at(tt)
            if "battery_pct" in fields and b is not None:
                s["battery_pct"] = int(b)
            k0, k1 = bisect.bisect_right(ct, last), bisect.bisect_right(ct, tt)
            cnt = {}
            for c in self.counters[k0:k1]:
                cnt[c[1]] = cnt.get(c[1], 0) + c[2]
            for fld in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes"):
                if fld in fields and (cnt.get(fld) or rng.random() < 0.5):
                    s[fld] = cnt.get(fld, 0)
            r0, r1 = bisect.bisect_right(rb, last), bisect.bisect_right(rb, tt)
            if "reboot" in fields and r1 > r0:
                s["reboot"] = self.reboots[r1 - 1][1]
            if "storage_used_pct" in fields:
                s["storage_used_pct"] = int(self.storage_at(tt)[0])
            mem, me = self.mem_at(tt)
            if "memory_used_pct" in fields:
                s["memory_used_pct"] = int(rclip(mem + rng.gauss(0, 1.5), 5, 99))
            ce = A("cpu")
            if "cpu_pct" in fields:
                s["cpu_pct"] = int(rclip((rng.uniform(82, 100) * (0.6 + 0.4 * self.lvl(ce, tt) / ce.f.sev)) if ce else T.cpu_base + rng.uniform(-4, 10) + (12 if me else 0), 1, 100))
            if "temp_c" in fields:
                s["temp_c"] = int(T.temp_base + rng.uniform(-1.5, 2) + (12 if ce else 0) + (16 if A("board") else 0))
            if "key_check" in fields:
                ke = A("keys")
                be = A("board")
                kc = "ok"
                if ke:
                    kc = "mismatch" if ke.p["variant"] == "mismatch" else "missing"
                elif be and be.p.get("erase_keys") and any(be.t0 <= r[0] <= tt and r[1] == "watchdog" for r in self.reboots):
                    kc = "missing"
                s["key_check"] = kc
            if "clock_skew_s" in fields:
                cf = A("cert")
                s["clock_skew_s"] = cf.p["skew"] if (cf and cf.p["variant"] == "clock") else T.clock_skew + int(rng.uniform(-1, 1))
            if "printer" in fields:
                pr = A("printer")
                s["printer"] = "ok" if not pr else ("paper_out" if pr.p["which"] == "paper_out" else "fault")
            for (tv, fld, val) in self.versions:
                if tv <= tt and (fld, val) not in reported_versions and (fld == "firmware" or T.report_app):
                    s[fld] = val
                    reported_versions.add((fld, val))
            # vendors drop fields now and then
            for kk in list(s.keys()):
                if kk not in ("kind", "ts", "terminal_id") and rng.random() < 0.03:
                    del s[kk]
            self.out.add(tt, s)
            last = tt


# ----------------------------------------------------------------------------
# people: checks, maintenance, complaints
# ----------------------------------------------------------------------------

ISSUER_CN = {"icbc": "工行", "ccb": "建行", "abc": "农行", "boc": "中行", "cmb": "招行", "bocom": "交行", "psbc": "邮储",
             "citic": "中信", "spdb": "浦发", "ceb": "光大", "cib": "兴业", "pingan": "平安"}

COMPLAINTS = {
    "power.supply": ["今天店里几台POS都在反复重启,刷卡老是失败", "机器突然黑屏重启好几次了 {code}", "店里灯闪了一下,收银机全部重启,有笔交易不知道成功没有", "POS老是自己断电重启"],
    "power.battery": ["手持机没用多久就没电关机了", "POS电量掉得特别快,一会儿就自动关机", "刚充完电又提示电量低 {code}"],
    "network.signal": ["这台移动POS老是连不上,显示{code}", "在后面包间收款经常超时", "信号时有时无,刷卡转圈很久"],
    "network.lan": ["店里的POS都连不上网,只能让顾客扫我们的码", "中午刷卡一直显示{code},顾客只能扫码", "收银台的POS全部交易超时"],
    "network.carrier": ["POS一直显示无网络,重启了也不行", "刷卡交易超时 {code}", "机器上网特别慢,好几笔没成功"],
    "software.bug": ["升级后老是闪退", "更新之后收款就报错退出 {code}", "POS程序老是自己重启,小票也没打出来"],
    "software.incompatible": ["今天开始这台POS刷卡扫码都不行,提示{code}", "机器突然不能用了,报错{code},之前都好好的"],
    "software.config": ["这台机器刷不了卡,别的机器正常", "POS提示{code},重启也没用", "技术远程更新后就一直交易失败"],
    "transmission.corruption": ["偶尔刷卡失败,提示{code},再刷一次又好了", "有时候交易失败但顾客说扣款了"],
    "security.keys": ["刷卡提示{code},让重新签到", "刷卡全部失败,扫码也不行,显示{code}", "交易失败 {code} 是什么意思"],
    "security.certificate": ["机器提示证书错误,无法交易", "POS显示{code},连不上银行"],
    "resource.storage": ["提示流水已满,不能刷卡", "POS提示存储空间不足 {code}"],
    "resource.memory": ["POS越用越卡,过一阵就自己重启", "机器卡死然后重启 {code}"],
    "resource.cpu": ["机器反应特别慢,刷卡要等很久", "POS特别卡,经常操作超时"],
    "operator.error": ["退货一直失败", "撤销交易提示原交易不存在", "收银员说机器老报错 {code}"],
    "hardware.keypad": ["键盘有几个按键不灵,顾客输密码老是错", "按键按不下去,密码输入超时"],
    "hardware.display": ["屏幕花屏,看不清金额", "POS屏幕一闪一闪的,顾客看不到提示", "屏幕上有条纹"],
    "hardware.card_reader": ["插卡老是读不出来,只能刷磁条", "挥卡没反应", "读不了卡 {code}"],
    "hardware.printer": ["小票打不出来", "打印机不出纸", "交易成功但没小票,提示{code}"],
    "hardware.board": ["机器经常死机重启,有时候还发烫", "POS时好时坏,各种报错 {code}"],
    "business.txn_type": ["预授权做不了,提示{code}", "信用卡刷不了,储蓄卡可以", "退货交易做不了 {code}"],
    "business.limit": ["大额刷不了,提示超限额", "今天刷了几笔之后就提示超出次数 {code}"],
    "business.risk": ["客人信用卡一直被拒,是不是被风控了", "这两天交易老是被拦截 {code}"],
    "business.merchant": ["所有POS都刷不了,提示无效商户", "刷卡扫码全失败 {code},商户号出什么问题了"],
    "upstream.acquirer": ["今天刷卡特别慢,好几笔超时", "交易失败提示系统故障", "刷卡一直转圈,最后超时"],
    "upstream.issuer": ["{issuer}的卡刷不了,其他银行的卡可以", "顾客的卡提示发卡行不能操作 {code}"],
}
CUSTOMER_COMPLAINTS = ["在{name}刷卡显示失败但是扣款了", "刷了两次被扣了两次钱", "付款失败,商家让我扫码,银行短信却显示扣款"]
NOISE_COMPLAINTS = ["手续费怎么从0.38%变成0.6%了", "这个月到账比以前慢", "想咨询一下怎么开通预授权", "费率是不是偷偷调了",
                    "为什么交易明细里商户名称不是我的店", "结算款少了几块钱是怎么回事"]
DAILY_OK = ["电源、键盘、屏幕正常", "外观完好 电源正常", "daily check ok", "键盘屏幕正常,打印正常"]
DAILY_HINT = {"keypad": ["键盘个别按键不灵", "按键5偶尔无反应"], "display": ["屏幕有闪烁", "屏幕有竖条纹"],
              "printer": ["打印颜色浅", "打印机有异响"], "reader": ["插卡需多次", "读卡偶尔失败"]}


def people(W, P, out):
    rng = R("gen5", W.seed, "people")
    clk = W.clock
    cno = [rng.randint(1000, 5000)]

    def check(t, target, name, result):
        if t >= WINDOW + 1800:
            return
        rec = {"kind": "check", "ts": clk.iso(t)}
        rec.update(target)
        rec["name"] = name
        rec["result"] = result
        out.add(t, rec)

    def maint(t, tid, action, notes):
        rec = {"kind": "maintenance", "ts": clk.iso(t), "terminal_id": tid, "action": action}
        if notes:
            rec["notes"] = notes
        out.add(t, rec)

    def complaint(t, frm, mid, tid, text):
        cno[0] += rng.randint(1, 7)
        rec = {"kind": "complaint", "ts": clk.iso(t), "complaint_id": "C-%d" % cno[0], "from": frm, "merchant_id": mid}
        if tid:
            rec["terminal_id"] = tid
        rec["text"] = text
        out.add(t, rec)

    def tgt(kind, key):
        if kind == "site":
            return {"site_id": key}, W.T[W.S[key].terms[0]]
        if kind == "merchant":
            return {"site_id": W.M[key].sites[0]}, W.T[W.M[key].terms[0]]
        return {"terminal_id": key}, W.T[key]

    for f in P.faults:
        fails = sorted(out.fail_by_fault.get(f.fault_id, []))
        f.n_events = len(fails)
        if f.cause == "upstream.issuer":
            f.terminals = sorted({x[1] for x in fails})
        # mid-fault checks by support / merchant
        if len(fails) >= 3 and f.get("mid") and rng.random() < 0.7:
            t0 = fails[2][0] + rng.uniform(500, 2400)
            for (kind, key, name, fn) in rng.sample(f.mid, min(len(f.mid), rng.randint(1, 2))):
                t0 += rng.uniform(60, 600)
                if t0 < f.end:
                    tg, TT = tgt(kind, key)
                    check(t0, tg, name, fn(rng, TT))
        # fix at the end
        if f.resolved:
            for (kind, key, name, res) in (f.get("fix") or []):
                tg, _ = tgt(kind, key)
                check(f.end, tg, name, res)
            for (tid, action, notes) in (f.get("maint") or []):
                maint(f.end + rng.uniform(30, 400), tid, action, notes)
            if f.cause == "business.merchant":
                check(f.end, tgt("merchant", f.scope["merchant_id"])[0], "merchant_status", "normal")
            if f.cause == "business.risk":
                check(f.end, tgt("merchant", f.scope["merchant_id"])[0], "risk_status", "released")
        for (tid, tt) in sorted((f.get("fixed") or {}).items()):
            check(tt, {"terminal_id": tid}, "sign_on", "ok")
        for (tid, tt) in sorted((f.get("renewed") or {}).items()):
            maint(tt, tid, "firmware_update", rng.choice(["更新终端证书", "证书重新下发", "cert re-provisioned via TMS"]))
        for (tid, tt) in sorted((f.get("upgraded") or {}).items()):
            maint(tt, tid, "firmware_update", "升级固件至最新版本")
        for (tid, tt) in sorted((f.get("updates") or {}).items()):
            if rng.random() < 0.3:
                maint(tt, tid, "firmware_update", rng.choice(["TMS推送应用升级", "应用升级 " + f.new_version, "app upgrade " + f.new_version]))
            if f.get("rollback") and tt < f.end:
                maint(f.end + rng.uniform(0, 300), tid, "firmware_update", rng.choice(["回退应用版本", "rollback app to previous release"]))
        for (tid, tt, action, notes) in (f.get("pre_maint") or []):
            maint(max(-600, tt), tid, action, notes)
        # complaints
        by_m = {}
        for (t, tid, code) in fails:
            by_m.setdefault(W.T[tid].merchant_id, []).append((t, tid, code))
        for mid in sorted(by_m):
            ev = by_m[mid]
            if len(ev) < 2:
                continue
            p = 0.3 + min(0.45, 0.04 * len(ev))
            if rng.random() < p:
                t, tid, code = ev[rng.randrange(0, max(1, len(ev) // 2))]
                txt = rng.choice(COMPLAINTS[f.cause]).format(code=code if code != "timeout" else "交易超时",
                                                              issuer=ISSUER_CN.get(f.scope.get("issuer", ""), "某银行"))
                complaint(t + rng.uniform(300, 3600), "merchant", mid, tid if rng.random() < 0.6 else None, txt)
            if any(c == "timeout" for _, _, c in ev) and rng.random() < 0.2:
                t, tid, _ = rng.choice([x for x in ev if x[2] == "timeout"])
                complaint(t + rng.uniform(600, 5400), "customer", mid, None, rng.choice(CUSTOMER_COMPLAINTS).format(name=W.M[mid].name))
    # routine maintenance; a daily check may notice a developing hardware problem
    for T in W.terms:
        r = rng.random()
        site = W.S[T.site_id]
        topen = max(0, to_t(site.hours[0][0])) + rng.uniform(0, 2400)
        if topen > WINDOW - 600:
            continue
        if r < 0.16:
            note = rng.choice(DAILY_OK)
            for e in P.effects.get(T.terminal_id, []):
                if e.kind in DAILY_HINT and e.t0 <= topen < e.t1 and rng.random() < 0.5:
                    note = rng.choice(DAILY_HINT[e.kind])
            maint(topen, T.terminal_id, "daily_check", note if rng.random() > 0.1 else None)
        elif r < 0.19:
            maint(topen, T.terminal_id, "weekly_clean", rng.choice(["清洁读卡槽与键盘", "weekly cleaning", None]))
        elif r < 0.2:
            maint(topen + 600, T.terminal_id, "monthly_inspection", rng.choice(["内部检查无异常", "inspection ok, battery 88%"]))
    # red-herring checks and business complaints
    for _ in range(rng.randint(5, 10)):
        T = rng.choice(W.terms)
        t = rng.uniform(0, WINDOW)
        nm, res = rng.choice([("adapter_voltage", "%.2fV" % (T.nominal_v * rng.uniform(0.98, 1.03))), ("cable_seated", "ok"),
                              ("terminal_rebooted", "ok"), ("paper_loaded", "ok"), ("signal_test", "%ddBm" % rng.randint(-85, -60))])
        check(t, {"terminal_id": T.terminal_id}, nm, res)
    for _ in range(rng.randint(1, 3)):
        S = rng.choice(W.sites)
        check(rng.uniform(0, WINDOW), {"site_id": S.site_id}, "router_restarted", "ok")
    for _ in range(rng.randint(2, 6)):
        m = rng.choice(W.merchants)
        complaint(rng.uniform(0, WINDOW), "merchant", m.merchant_id, None, rng.choice(NOISE_COMPLAINTS))


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------


def inventory(W, out):
    t = -3600
    ts = W.clock.iso(t)
    rng = R("gen5", W.seed, "inv")
    for m in W.merchants:
        rec = {"kind": "merchant", "ts": ts, "merchant_id": m.merchant_id, "mcc": m.mcc, "name": m.name, "city": m.city,
               "settlement": m.settlement, "card_rate": m.card_rate, "qr_rate": m.qr_rate}
        if m.get("fixed_fee") is not None:
            rec["fixed_fee"] = m.fixed_fee
        out.add(t, rec)
    for s in W.sites:
        out.add(t, {"kind": "site", "ts": ts, "site_id": s.site_id, "merchant_id": s.merchant_id, "name": s.name, "city": s.city, "lat": s.lat, "lon": s.lon})
    for T in W.terms:
        rec = {"kind": "terminal", "ts": ts, "terminal_id": T.terminal_id, "vendor": T.vendor, "model": T.model}
        if rng.random() > 0.05:
            rec["serial"] = T.serial
        rec["firmware"] = T.firmware
        if T.report_app:
            rec["app_version"] = T.app_version
        rec["merchant_id"] = T.merchant_id
        rec["site_id"] = T.site_id
        rec["network"] = T.network
        if T.carrier:
            rec["carrier"] = T.carrier
        rec["host"] = T.host
        if T.report_cert:
            rec["cert_not_after"] = T.cert_not_after
        if rng.random() > 0.2:
            rec["installed"] = T.installed
        out.add(t, rec)


def generate(seed, outdir):
    W = build_world(seed)
    P = plan_faults(W, seed)
    out = Out(W)
    rng = R("gen5", seed, "misc")
    # a few terminals carry another merchant's MCC (code jumping) -- a business anomaly, not a failure
    for T in rng.sample(W.terms, 3):
        T.jump_mcc = rng.choice(["5411", "5812", "7011", "5311"])
    inventory(W, out)
    for T in W.terms:
        TermSim(W, P, T, out).run()
    people(W, P, out)
    # delivery order: slight reordering (<= 55 s)
    jr = R("gen5", seed, "jitter")
    keyed = []
    for (t, seq, rec) in out.recs:
        d = jr.uniform(1, 55) if (rec["kind"] in ("telemetry", "error", "txn") and jr.random() < 0.07) else 0
        keyed.append((t + d, seq, rec))
    keyed.sort(key=lambda x: (x[0], x[1]))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fh:
        for _, _, rec in keyed:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for f in P.faults:
            rec = {"kind": "truth", "fault_id": f.fault_id, "cause": f.cause, "scope": f.scope, "terminals": f.terminals,
                   "start": W.clock.iso(f.start), "end": W.clock.iso(f.end), "variant": f.variant, "severity": f.sev,
                   "onset": "gradual" if f.ramp else "sudden", "resolved": bool(f.resolved), "n_events": f.get("n_events", 0)}
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, te in sorted(out.truth, key=lambda x: (x[0], x[1])):
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
    return W, P, out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    W, P, out = generate(a.seed, a.out)
    print("seed %d: %d terminals, %d records, %d faults, %d failed events" % (a.seed, len(W.terms), len(out.recs), len(P.faults), len(out.truth)))


if __name__ == "__main__":
    main()
