#!/usr/bin/env python3
"""gen9 - blind test-data generator for a POS fleet diagnosis engine.

Written only from the public record format (FORMAT.md v1), its example, and the
seed article/digest.  Python 3 standard library only.

    python3 gen9.py --seed N --out DIR    ->  DIR/records.jsonl, DIR/truth.jsonl

World: a third-party payment aggregator (聚合支付服务商) in east China, ~300
terminals, a 6-hour business window, ~20 injected faults per seed acting through
telemetry, errors and transaction outcomes.  See README.md.
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
    "transmission.corruption", "security.keys", "security.certificate",
    "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant",
    "upstream.acquirer", "upstream.issuer", "card.decline",
]

W = 6 * 3600.0          # window length (s)
TZ8 = timezone(timedelta(hours=8))


def R(*parts):
    """A random.Random seeded by a string (never by hash())."""
    return random.Random("gen9|" + "|".join(str(p) for p in parts))


def clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


# --------------------------------------------------------------------------
# static world tables
# --------------------------------------------------------------------------
CITIES = [  # slug, chinese, lat, lon, area code, weight, id prefix, site prefix
    ("shanghai", "上海", 31.23, 121.47, "2900", 30, "31", "SH"),
    ("hangzhou", "杭州", 30.27, 120.15, "3310", 18, "33", "HZ"),
    ("suzhou", "苏州", 31.30, 120.58, "3050", 15, "32", "SZ"),
    ("ningbo", "宁波", 29.87, 121.54, "3320", 11, "35", "NB"),
    ("hefei", "合肥", 31.82, 117.23, "3610", 10, "34", "HF"),
    ("nanjing", "南京", 32.06, 118.80, "3010", 10, "36", "NJ"),
    ("wuxi", "无锡", 31.49, 120.31, "3020", 6, "37", "WX"),
]
CARRIERS = [("cmcc", 55), ("unicom", 25), ("telecom", 20)]
HOSTS = {  # id: (weight, ip, message spec)
    "H1": (35, "10.18.1.21:8583"), "H2": (25, "10.32.6.40:5000"),
    "H3": (25, "172.20.9.11:8583"), "H4": (15, "10.77.3.5:6001"),
}
ISSUERS = [  # issuer, bins (debit 19-digit first), weight
    ("icbc", ["622202", "621226", "620200"], 20),
    ("ccb", ["621700", "436742"], 18),
    ("abc", ["622848", "622845"], 15),
    ("boc", ["621661", "456351"], 12),
    ("cmb", ["622588", "621483"], 12),
    ("bocom", ["622260", "622262"], 8),
    ("spdb", ["622521", "621792"], 6),
    ("hzbank", ["621652"], 4),
    ("njcb", ["622303"], 3),
    ("psbc", ["621799", "622188"], 8),
]
BIN_ISSUER = {b: i for i, bs, _ in ISSUERS for b in bs}
CREDIT_BINS = {"436742", "456351", "622588", "622260", "622521"}

# vendor, model: smart, battery, physical keypad, nominal supply volts (None = battery only), networks
MODELS = {
    ("pax", "A920"): dict(smart=True, battery=True, keypad=False, volts=None, nets=("wifi", "cellular"), hand=True),
    ("pax", "S90"): dict(smart=False, battery=False, keypad=True, volts=5.1, nets=("ethernet", "cellular"), hand=False),
    ("newland", "N910"): dict(smart=True, battery=True, keypad=False, volts=None, nets=("wifi", "cellular"), hand=True),
    ("newland", "ME31"): dict(smart=False, battery=False, keypad=True, volts=9.0, nets=("ethernet", "cellular"), hand=False),
    ("landi", "A8"): dict(smart=True, battery=True, keypad=False, volts=None, nets=("wifi", "cellular"), hand=True),
    ("landi", "E550"): dict(smart=False, battery=False, keypad=True, volts=12.0, nets=("ethernet", "wifi"), hand=False),
    ("sunmi", "P2"): dict(smart=True, battery=True, keypad=False, volts=None, nets=("wifi", "cellular"), hand=True),
    ("sunmi", "T2"): dict(smart=True, battery=False, keypad=False, volts=12.0, nets=("ethernet", "wifi"), hand=False),
    ("centerm", "K9"): dict(smart=False, battery=False, keypad=True, volts=9.0, nets=("ethernet", "cellular"), hand=False),
    ("verifone", "VX520"): dict(smart=False, battery=False, keypad=True, volts=12.0, nets=("ethernet",), hand=False),
    ("ingenico", "Move5000"): dict(smart=False, battery=True, keypad=True, volts=None, nets=("cellular", "wifi"), hand=True),
}
FIRMWARE = {  # model: [(fw, weight)], [(app, weight)]
    "A920": ([("3.2.0", 60), ("3.1.4", 30), ("2.9.8", 10)], [("5.1.2", 65), ("5.0.9", 35)]),
    "S90": ([("3.2.0", 50), ("3.0.8", 35), ("2.8.5", 15)], [("5.1.2", 60), ("4.8.3", 40)]),
    "N910": ([("2.8.1", 55), ("2.7.3", 45)], [("3.6.0", 70), ("3.5.2", 30)]),
    "ME31": ([("2.8.1", 40), ("2.4.7", 60)], [("3.6.0", 50), ("3.2.1", 50)]),
    "A8": ([("V1.9.2", 70), ("V1.8.0", 30)], [("2.3.1", 60), ("2.2.7", 40)]),
    "E550": ([("V2.1.0", 55), ("V1.7.6", 45)], [("2.3.1", 50), ("2.0.4", 50)]),
    "P2": ([("1.4.2", 70), ("1.3.9", 30)], [("6.2.0", 60), ("6.1.5", 40)]),
    "T2": ([("1.4.2", 65), ("1.3.9", 35)], [("6.2.0", 55), ("6.1.5", 45)]),
    "K9": ([("4.0.3", 50), ("3.6.1", 50)], [("1.9.0", 70), ("1.8.2", 30)]),
    "VX520": ([("QT5200.2.8", 60), ("QT5200.2.5", 40)], [("8.4.1", 100)]),
    "Move5000": ([("11.20.4", 70), ("11.16.0", 30)], [("4.4.0", 80), ("4.3.2", 20)]),
}
NEXT_APP = {"A920": "5.2.0", "S90": "5.2.0", "N910": "3.7.0", "ME31": "3.7.0", "A8": "2.4.0",
            "E550": "2.4.0", "P2": "6.3.0", "T2": "6.3.0", "K9": "2.0.0", "VX520": "8.5.0", "Move5000": "4.5.0"}

VENDOR = {  # heartbeat s, terminal timeout ms, telemetry fields, log style, log tz
    "pax": dict(hb=150, to=60000, style="verbose", tz="Z",
                f={"online", "latency_ms", "packet_loss", "supply_v", "battery_pct", "rssi_dbm", "storage_used_pct",
                   "memory_used_pct", "key_check", "printer", "reboot", "power_events", "app_crashes"}),
    "newland": dict(hb=300, to=60000, style="state", tz="Z",
                    f={"online", "rssi_dbm", "latency_ms", "battery_pct", "temp_c", "cpu_pct", "card_reader_errors",
                       "keypad_errors", "reboot"}),
    "landi": dict(hb=180, to=45000, style="verbose", tz="+08:00",
                  f={"online", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot", "clock_skew_s",
                     "key_check", "battery_pct"}),
    "sunmi": dict(hb=120, to=30000, style="verbose", tz="Z",
                  f={"online", "rssi_dbm", "latency_ms", "battery_pct", "storage_used_pct", "memory_used_pct",
                     "cpu_pct", "temp_c", "app_crashes", "reboot", "printer"}),
    "centerm": dict(hb=600, to=60000, style="terse", tz="+08:00",
                    f={"online", "supply_v", "power_events", "reboot", "printer", "keypad_errors", "card_reader_errors"}),
    "verifone": dict(hb=300, to=45000, style="terse", tz="Z",
                     f={"online", "latency_ms", "packet_loss", "key_check", "clock_skew_s", "reboot", "supply_v"}),
    "ingenico": dict(hb=240, to=50000, style="plain", tz="Z",
                     f={"online", "rssi_dbm", "battery_pct", "latency_ms", "reboot", "card_reader_errors",
                        "keypad_errors", "temp_c", "memory_used_pct"}),
}

# vendor-specific error tables: condition -> (code, stage, text)
_E = lambda s: {k: tuple(v.split("|")) for k, v in s.items()}
ERR = {
    "pax": _E({"TIMEOUT": "E1|receive|接收超时", "SEND": "E1|send|发送失败", "CONNECT": "E2|connect|连接主机失败",
               "TLS": "E3|tls|SSL握手失败", "MAC": "E4|mac|MAC校验错", "CARD": "E5|card_read|读卡失败,请重试",
               "PIN": "E6|pin|密码键盘错误", "PRINT": "E7|print|打印失败", "APP": "E8|app|应用异常",
               "MEMORY": "E8|app|应用异常", "POWER": "E9|power_on|电源电压异常", "STORAGE": "E10|app|存储空间不足",
               "PARAM": "E11|app|终端参数错误", "PACKET": "E12|receive|报文解析失败", "DISPLAY": "E13|app|显示异常",
               "BATTERY": "E14|power_on|电量不足", "OPER": "E15|app|操作取消", "CPU": "E1|app|处理超时",
               "BOARD": "E99|power_on|硬件自检失败"}),
    "newland": _E({"TIMEOUT": "E2|receive|通讯超时", "SEND": "E2|send|通讯失败", "CONNECT": "E2|connect|通讯失败",
                   "TLS": "E3|tls|安全模块错误", "MAC": "E3|mac|安全模块错误", "CARD": "E4|card_read|读卡错误",
                   "PIN": "E6|pin|键盘错误", "PRINT": "E5|print|打印机错误", "APP": "E7|app|程序错误",
                   "MEMORY": "E1|app|终端状态错误", "POWER": "E1|power_on|终端状态错误", "STORAGE": "E1|app|终端状态错误",
                   "PARAM": "E8|app|参数错误", "PACKET": "E9|receive|报文错误", "DISPLAY": "E1|app|终端状态错误",
                   "BATTERY": "E1|power_on|终端状态错误", "OPER": "E0|app|交易取消", "CPU": "E2|receive|通讯超时",
                   "BOARD": "E1|power_on|终端状态错误"}),
    "landi": _E({"TLS": "E1|tls|证书验证失败", "TIMEOUT": "E2|receive|通信超时", "SEND": "E2|send|通信失败",
                 "CONNECT": "E3|connect|连接失败", "MAC": "E4|mac|MAC错", "CARD": "E5|card_read|读卡错",
                 "PIN": "E6|pin|PIN输入错", "PRINT": "E7|print|打印机故障", "APP": "E8|app|系统错误",
                 "MEMORY": "E8|app|系统错误", "POWER": "E9|power_on|电源故障", "STORAGE": "E10|app|流水空间满",
                 "PARAM": "E11|app|参数错", "PACKET": "E12|receive|包格式错", "DISPLAY": "E13|app|显示错误",
                 "BATTERY": "E9|power_on|电源故障", "OPER": "E0|app|用户取消", "CPU": "E2|receive|通信超时",
                 "BOARD": "E8|power_on|系统错误"}),
    "sunmi": _E({"MAC": "E1|mac|密钥错误", "TIMEOUT": "N02|receive|网络超时", "SEND": "N01|send|网络异常",
                 "CONNECT": "N01|connect|网络异常", "TLS": "T01|tls|证书校验失败", "CARD": "C01|card_read|读卡失败",
                 "PIN": "K01|pin|密码输入异常", "PRINT": "P01|print|打印机异常", "APP": "A01|app|应用崩溃",
                 "MEMORY": "A02|app|内存不足", "POWER": "B02|power_on|供电异常", "STORAGE": "S01|app|存储空间不足",
                 "PARAM": "E2|app|参数错误", "PACKET": "N03|receive|数据解析失败", "DISPLAY": "D01|app|屏幕异常",
                 "BATTERY": "B01|power_on|电量低", "OPER": "U01|app|用户取消", "CPU": "A03|app|响应超时",
                 "BOARD": "H01|power_on|硬件异常"}),
    "centerm": _E({"CARD": "E1|card_read|READ CARD ERR", "PIN": "E2|pin|PINPAD ERR", "TIMEOUT": "E3|receive|COMM ERR",
                   "SEND": "E3|send|COMM ERR", "CONNECT": "E4|connect|LINK ERR", "TLS": "E5|tls|SSL ERR",
                   "MAC": "E6|mac|MAC ERR", "PRINT": "E7|print|PRN ERR", "APP": "E8|app|SYS ERR",
                   "MEMORY": "E8|app|SYS ERR", "POWER": "E9|power_on|PWR ERR", "STORAGE": "E10|app|FILE FULL",
                   "PARAM": "E11|app|PARA ERR", "PACKET": "E3|receive|COMM ERR", "DISPLAY": "E12|app|LCD ERR",
                   "BATTERY": "E9|power_on|PWR ERR", "OPER": "E0|app|CANCEL", "CPU": "E3|receive|COMM ERR",
                   "BOARD": "E9|power_on|PWR ERR"}),
    "verifone": _E({"MAC": "E1|mac|ENCRYPT FAIL", "TLS": "E1|tls|ENCRYPT FAIL", "PIN": "E7|pin|KEYPAD",
                    "TIMEOUT": "E3|receive|NO RESPONSE", "SEND": "E3|send|NO RESPONSE", "CONNECT": "E2|connect|NO LINE",
                    "CARD": "E4|card_read|CARD READ", "PRINT": "E5|print|PRINTER", "APP": "E6|app|APP FAULT",
                    "MEMORY": "E6|app|APP FAULT", "POWER": "E8|power_on|POWER", "STORAGE": "E9|app|BATCH FULL",
                    "PARAM": "E10|app|CONFIG", "PACKET": "E3|receive|NO RESPONSE", "DISPLAY": "E11|app|DISPLAY",
                    "BATTERY": "E8|power_on|POWER", "OPER": "E0|app|CANCELLED", "CPU": "E3|receive|NO RESPONSE",
                    "BOARD": "E8|power_on|POWER"}),
    "ingenico": _E({"TIMEOUT": "E1|receive|通信错误", "SEND": "E1|send|通信错误", "CONNECT": "E1|connect|通信错误",
                    "PACKET": "E1|receive|通信错误", "TLS": "E2|tls|安全连接失败", "MAC": "E3|mac|校验错误",
                    "CARD": "E4|card_read|读卡错误", "PIN": "E5|pin|键盘错误", "PRINT": "E6|print|打印错误",
                    "APP": "E7|app|应用错误", "MEMORY": "E7|app|应用错误", "POWER": "E8|power_on|电源错误",
                    "BATTERY": "E8|power_on|电源错误", "STORAGE": "E9|app|存储错误", "PARAM": "E10|app|配置错误",
                    "DISPLAY": "E11|app|显示错误", "OPER": "E0|app|已取消", "CPU": "E7|app|应用错误",
                    "BOARD": "E8|power_on|电源错误"}),
}
STATE_HEX = {"MEMORY": "0x34 heap low", "POWER": "0x21 VIN out of range", "STORAGE": "0x35 flash full",
             "DISPLAY": "0x41 lcd ctrl no ack", "BATTERY": "0x22 VBAT low", "BOARD": "0x5F selftest fail"}

# merchant archetypes
MTYPES = [
    # type, mcc, weight, brands, rate per terminal-hour
    ("convenience", "5499", 30, ["邻家便利", "快客优选", "好德多便利", "鲜到家便利", "24小时便利店", "悦来便利"], 16),
    ("pharmacy", "5912", 14, ["康宁大药房", "百草堂药房", "仁和堂大药房", "国大药房", "益民药店"], 7),
    ("bakery", "5462", 11, ["麦香烘焙", "可颂坊", "金麦穗面包", "甜心蛋糕店"], 10),
    ("parking", "7523", 7, ["城投停车", "安泊停车场", "捷停智慧停车"], 14),
    ("hotel", "7011", 8, ["锦程酒店", "如归商务酒店", "湖畔假日酒店", "汉庭优选"], 3),
    ("supermarket", "5411", 5, ["联华超市", "华润万家", "世纪联华", "永辉超市", "大润发"], 26),
    ("restaurant", "5812", 13, ["老街面馆", "外婆家常菜", "小杨生煎", "绿茶餐厅", "新白鹿"], 9),
]

RC_TEXT = {"00": "承兑", "03": "无效商户", "05": "不予承兑", "12": "无效交易", "13": "无效金额", "14": "无效卡号",
           "25": "找不到原始交易", "30": "格式错误", "34": "有作弊嫌疑", "40": "不支持的交易", "51": "余额不足",
           "54": "过期卡", "55": "密码错", "58": "终端无此权限", "59": "有作弊嫌疑", "61": "超出金额限制",
           "62": "受限制的卡", "65": "超出次数限制", "75": "密码错误次数超限", "91": "发卡方状态不正常",
           "96": "系统故障", "97": "终端未登记", "98": "发卡方超时", "A0": "MAC校验错"}


def wpick(rng, items):
    """items: list of (value, weight)"""
    tot = sum(w for _, w in items)
    x = rng.random() * tot
    for v, w in items:
        x -= w
        if x < 0:
            return v
    return items[-1][0]


# --------------------------------------------------------------------------
# world
# --------------------------------------------------------------------------
class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def build_world(seed):
    rng = R(seed, "world")
    merchants, sites, terms = [], [], []
    mid_seq = {}
    tid_seq = {}
    target = rng.randint(285, 315)
    mi = 0
    while len(terms) < target:
        mi += 1
        mtype = wpick(rng, [(m, m[2]) for m in MTYPES])
        tname, mcc, _, brands, rate = mtype
        city = wpick(rng, [(c, c[5]) for c in CITIES])
        cslug, czh, lat0, lon0, area, _, tpre, spre = city
        if tname == "convenience" and rng.random() < 0.3:
            nsites = rng.randint(3, 6)
        elif tname in ("supermarket", "parking") and rng.random() < 0.35:
            nsites = 2
        else:
            nsites = 1
        k = mid_seq.get(area + mcc, 0) + 1
        mid_seq[area + mcc] = k
        mid = "898" + area + (mcc if rng.random() < 0.93 else rng.choice(["5411", "5812", "5999"])) + "%04d" % (
            k * 7 + rng.randint(0, 6))
        while mid in mid_seq:
            mid = mid[:11] + "%04d" % ((int(mid[11:]) + 1) % 10000)
        mid_seq[mid] = 1
        brand = rng.choice(brands)
        host = wpick(rng, [(h, v[0]) for h, v in sorted(HOSTS.items())])
        M = Obj(mid=mid, mcc=mcc, type=tname, city=cslug, czh=czh, name=brand, host=host, rate=rate,
                settlement="direct" if rng.random() < 0.88 else "indirect",
                card_rate=rng.choice([0.0055, 0.006, 0.006, 0.006, 0.0058]),
                qr_rate=0.0038 if rng.random() < 0.9 else 0.0045,
                fixed_fee=0 if rng.random() < 0.93 else rng.choice([100, 300]),
                txn_mcc=None, sites=[], terms=[])
        if rng.random() < 0.04:
            M.txn_mcc = rng.choice(["5411", "5331", "5999", "7011"])  # "code jumping" on transactions
        merchants.append(M)
        for si in range(nsites):
            sid = "%s-%03d-%d" % (spre, mi, si + 1)
            branch = rng.choice(["中山路", "解放路", "人民路", "南京路", "文三路", "星湖街", "长江路", "中河路", "学府路",
                                 "东方路", "天目山路", "金鸡湖", "鼓楼", "新街口", "滨江"]) + "店"
            S = Obj(sid=sid, M=M, name="%s %s" % (brand, branch), city=cslug,
                    lat=round(lat0 + rng.uniform(-0.15, 0.15), 4), lon=round(lon0 + rng.uniform(-0.15, 0.15), 4),
                    terms=[])
            sites.append(S)
            M.sites.append(S)
            # terminal mix per archetype
            if tname == "supermarket":
                n = rng.randint(6, 13)
                kinds = [("lane", n), ("desk", 1)]
            elif tname == "convenience":
                kinds = [("counter", rng.choice([1, 1, 2])), ("hand", 1 if rng.random() < 0.3 else 0)]
            elif tname == "parking":
                kinds = [("exit", rng.randint(1, 2)), ("hand", rng.randint(1, 2))]
            elif tname == "hotel":
                kinds = [("desk", rng.randint(1, 2)), ("hand", 1)]
            elif tname == "restaurant":
                kinds = [("counter", 1), ("hand", rng.randint(1, 3))]
            elif tname == "pharmacy":
                kinds = [("counter", rng.randint(1, 2))]
            else:
                kinds = [("counter", 1), ("hand", 1 if rng.random() < 0.5 else 0)]
            site_net = rng.choice(["ethernet", "ethernet", "wifi"])
            lane_model = rng.choice([("landi", "E550"), ("newland", "ME31"), ("pax", "S90"), ("verifone", "VX520"),
                                     ("sunmi", "T2")])
            for role, cnt in kinds:
                for _ in range(cnt):
                    if role == "lane":
                        vm = lane_model if rng.random() < 0.9 else rng.choice([("pax", "S90"), ("sunmi", "T2")])
                        net = "ethernet"
                    elif role in ("counter", "desk"):
                        vm = wpick(rng, [(("pax", "S90"), 20), (("newland", "ME31"), 15), (("landi", "E550"), 12),
                                         (("sunmi", "T2"), 14), (("centerm", "K9"), 14), (("verifone", "VX520"), 8)])
                        nets = MODELS[vm]["nets"]
                        net = site_net if site_net in nets else ("ethernet" if "ethernet" in nets else nets[0])
                        if vm == ("centerm", "K9") and rng.random() < 0.3:
                            net = "cellular"
                    elif role == "exit":
                        vm = rng.choice([("centerm", "K9"), ("pax", "S90"), ("newland", "ME31")])
                        net = "cellular" if rng.random() < 0.7 else "ethernet"
                    else:  # handheld
                        vm = wpick(rng, [(("pax", "A920"), 22), (("newland", "N910"), 14), (("sunmi", "P2"), 22),
                                         (("landi", "A8"), 10), (("ingenico", "Move5000"), 8)])
                        net = "cellular" if (tname == "parking" or rng.random() < 0.45) else "wifi"
                    vendor, model = vm
                    spec = MODELS[vm]
                    fws, apps = FIRMWARE[model]
                    tid_seq[tpre] = tid_seq.get(tpre, 0) + 1
                    tid = tpre + "%06d" % (tid_seq[tpre] * 13 + rng.randint(0, 12))
                    carrier = wpick(rng, CARRIERS) if net == "cellular" else None
                    thost = host if rng.random() < 0.97 else rng.choice(sorted(HOSTS))
                    if net == "cellular":
                        rssi = rng.uniform(-88, -62)
                        if rng.random() < 0.1:
                            rssi = rng.uniform(-99, -93)   # chronically weak spot (confounder)
                    elif net == "wifi":
                        rssi = rng.uniform(-70, -42)
                        if rng.random() < 0.1:
                            rssi = rng.uniform(-77, -72)
                    else:
                        rssi = None
                    serial = {"pax": "18%08d", "newland": "N%09d", "landi": "LD%08d", "sunmi": "P%09d",
                              "centerm": "CT%08d", "verifone": "%03d-%03d-%03d", "ingenico": "IG%08d"}[vendor]
                    if vendor == "verifone":
                        serial = serial % (rng.randint(100, 999), rng.randint(100, 999), rng.randint(100, 999))
                    else:
                        serial = serial % rng.randint(10 ** 7, 10 ** 8 - 1)
                    T = Obj(tid=tid, vendor=vendor, model=model, spec=spec, serial=serial, fw=wpick(rng, fws),
                            app=wpick(rng, apps), M=M, S=S, net=net, carrier=carrier, host=thost, city=cslug,
                            role=role, rssi=rssi, base_rtt=(rng.uniform(25, 60) if net == "ethernet" else
                                                            rng.uniform(45, 110) if net == "wifi" else
                                                            rng.uniform(140, 320)),
                            cert=rng.choice(["2027-06-30T00:00:00Z", "2027-12-31T00:00:00Z", "2028-03-31T00:00:00Z",
                                             "2027-09-15T00:00:00Z"]),
                            installed="20%02d-%02d-%02d" % (rng.randint(21, 26), rng.randint(1, 12), rng.randint(1, 28)),
                            rate=rate * rng.uniform(0.6, 1.3) * (0.5 if role == "desk" and tname == "supermarket" else 1),
                            buffered=(net == "cellular" and rng.random() < 0.15),
                            stor0=rng.uniform(25, 70), mem0=rng.uniform(35, 62), cpu0=rng.uniform(8, 30),
                            temp0=rng.uniform(31, 42), batt0=rng.uniform(45, 98), faults=[], skew0=rng.choice(
                                [0, 0, 0, 1, -1, 2, -3]))
                    terms.append(T)
                    S.terms.append(T)
                    M.terms.append(T)
    return Obj(merchants=merchants, sites=sites, terms=terms, tmap={t.tid: t for t in terms})


# --------------------------------------------------------------------------
# faults
# --------------------------------------------------------------------------
class Fault:
    def __init__(self, kind, cause, scope, terms, start, end, **p):
        self.fid = None
        self.kind, self.cause, self.scope = kind, cause, scope
        self.terms = sorted(set(terms))
        self.start, self.end = start, end
        self.tstart = {}          # per-terminal onset overrides
        self.p = p
        self.events = []          # (t, tid, merchant_id) of failed events caused
        self.fixed_by = None      # "tech", "ops", "self", None (ongoing)

    def t0(self, tid):
        return self.tstart.get(tid, self.start)

    def on(self, t, tid):
        return self.t0(tid) <= t < self.end

    def ramp(self, t, tid, dur):
        if dur <= 0:
            return 1.0
        return clamp((t - self.t0(tid)) / dur, 0.0, 1.0)


KINDS = ["site_power", "adapter", "battery", "signal", "lan", "carrier", "sw_bug", "incompat", "config",
         "corruption", "keys", "cert", "storage", "memory", "cpu", "keypad", "display", "card_reader", "printer",
         "board", "trainee", "txn_type", "limit", "risk", "frozen", "acquirer", "issuer", "card_batch"]
KIND_CAUSE = {"site_power": "power.supply", "adapter": "power.supply", "battery": "power.battery",
              "signal": "network.signal", "lan": "network.lan", "carrier": "network.carrier",
              "sw_bug": "software.bug", "incompat": "software.incompatible", "config": "software.config",
              "corruption": "transmission.corruption", "keys": "security.keys", "cert": "security.certificate",
              "storage": "resource.storage", "memory": "resource.memory", "cpu": "resource.cpu",
              "keypad": "hardware.keypad", "display": "hardware.display", "card_reader": "hardware.card_reader",
              "printer": "hardware.printer", "board": "hardware.board", "trainee": "operator.error",
              "txn_type": "business.txn_type", "limit": "business.limit", "risk": "business.risk",
              "frozen": "business.merchant", "acquirer": "upstream.acquirer", "issuer": "upstream.issuer",
              "card_batch": "card.decline"}


def plan_faults(seed, world):
    rng = R(seed, "faults")
    order = list(KINDS)
    R("catalog").shuffle(order)
    try:
        s = int(seed)
    except ValueError:
        s = sum(ord(c) for c in str(seed))
    kinds = [order[((s - 1) * 20 + i) % len(order)] for i in range(20)]
    kinds += [rng.choice(KINDS) for _ in range(rng.randint(0, 3))]
    terms = world.terms
    used = {}
    faults = []

    def pick_term(cands):
        cands = [t for t in cands if used.get(t.tid, 0) < 2]
        busy = [t for t in cands if t.rate >= 7]
        if len(busy) >= 3:
            cands = busy
        if not cands:
            return None
        cands.sort(key=lambda t: (used.get(t.tid, 0), t.tid))
        best = [t for t in cands if used.get(t.tid, 0) == used.get(cands[0].tid, 0)]
        t = rng.choice(best)
        used[t.tid] = used.get(t.tid, 0) + 1
        return t

    def when(min_d, max_d, lo=0.02, hi=0.8):
        st = rng.uniform(lo, hi) * W
        return st, st + rng.uniform(min_d, max_d) * 60

    def F(kind, scope, tl, st, en, **p):
        f = Fault(kind, KIND_CAUSE[kind], scope, [t.tid for t in tl], st, min(en, W), **p)
        faults.append(f)
        return f

    mains = lambda t: t.spec["volts"] is not None
    rollout_models = set()
    nth = {}

    def vpick(kind, options):
        # rotate mechanism variants over seeds so that ten seeds see each of them
        nth[kind] = nth.get(kind, 0) + 1
        return options[(s + nth[kind]) % len(options)]
    for kind in kinds:
        if kind == "site_power":
            cands = [s for s in world.sites if sum(1 for t in s.terms if mains(t)) >= 2]
            S = wpick(rng, [(s, sum(1 for t in s.terms if mains(t))) for s in cands])
            tl = [t for t in S.terms if mains(t)]
            st, en = when(40, 150, 0.05, 0.7)
            f = F(kind, {"site_id": S.sid}, tl, st, en, site=S.sid, dips=[])
            x = st + rng.uniform(5, 20) * 60  # unstable voltage first, first outage later
            while x < f.end - 60:
                f.p["dips"].append((x, rng.uniform(15, 240)))
                x += rng.uniform(6, 35) * 60
            if rng.random() < 0.55 and f.p["dips"]:
                victim = rng.choice(tl)
                d0 = f.p["dips"][0][0]
                b = F("board", {"terminal_id": victim.tid}, [victim], d0, W if rng.random() < 0.5 else
                      d0 + rng.uniform(90, 200) * 60, variant="power_damage", parent=None)
                b.p["parent"] = f
        elif kind == "adapter":
            T = pick_term([t for t in terms if mains(t)])
            st, en = when(60, 300)
            F(kind, {"terminal_id": T.tid}, [T], st, en, sag=rng.uniform(0.08, 0.16), ramp=rng.uniform(10, 40) * 60)
        elif kind == "battery":
            T = pick_term([t for t in terms if t.spec["battery"]])
            st, en = when(90, 360, 0.0, 0.5)
            F(kind, {"terminal_id": T.tid}, [T], st, en, drain=rng.uniform(0.9, 2.2))
        elif kind == "signal":
            T = pick_term([t for t in terms if t.net in ("wifi", "cellular")])
            st, en = when(40, 240)
            F(kind, {"terminal_id": T.tid}, [T], st, en, drop=rng.uniform(14, 24), ramp=rng.uniform(5, 30) * 60)
        elif kind == "lan":
            cands = [s for s in world.sites if sum(1 for t in s.terms if t.net != "cellular") >= 2]
            S = rng.choice(cands)
            tl = [t for t in S.terms if t.net != "cellular"]
            st, en = when(30, 150)
            F(kind, {"site_id": S.sid}, tl, st, en, sev=rng.uniform(0.35, 0.8), ramp=rng.uniform(3, 25) * 60,
              site=S.sid)
        elif kind == "carrier":
            combos = {}
            for t in terms:
                if t.net == "cellular":
                    combos.setdefault((t.carrier, t.city), []).append(t)
            opts = sorted(k for k, v in combos.items() if len(v) >= 3)
            c, city = rng.choice(opts)
            st, en = when(25, 110)
            F(kind, {"carrier": c, "city": city}, combos[(c, city)], st, en, sev=rng.uniform(0.85, 0.99),
              ramp=rng.uniform(1, 8) * 60)
        elif kind in ("sw_bug", "incompat"):
            variant = vpick(kind, ["nfc_crash", "refund_crash", "print_crash", "field55", "memleak"]) \
                if kind == "sw_bug" else vpick(kind, ["tls_host", "msg_spec", "rollout"])
            if variant in ("tls_host", "msg_spec"):
                # a host upgrade rejects an old firmware / app version
                combos = {}
                for t in terms:
                    key = (t.host, t.model, t.fw if variant == "tls_host" else t.app)
                    combos.setdefault(key, []).append(t)
                opts = sorted(k for k, v in combos.items() if len(v) >= 3 and k[2] != FIRMWARE[k[1]][0][0][0]
                              and k[2] != FIRMWARE[k[1]][1][0][0])
                if not opts:
                    continue
                h, model, ver = rng.choice(opts)
                st, en = when(60, 300, 0.05, 0.6)
                scope = {"host": h, "model": model, ("firmware" if variant == "tls_host" else "app_version"): ver}
                F(kind, scope, combos[(h, model, ver)], st, en, variant=variant, host=h)
                continue
            models = sorted({t.model for t in terms if t.model not in rollout_models})
            model = rng.choice(models)
            rollout_models.add(model)
            group = [t for t in terms if t.model == model]
            newv = NEXT_APP[model]
            rng.shuffle(group)
            group = sorted(group[:max(3, int(len(group) * rng.uniform(0.35, 0.8)))], key=lambda t: t.tid)
            st = rng.uniform(0.05, 0.55) * W
            en = W if rng.random() < 0.6 else st + rng.uniform(120, 240) * 60
            host = None
            if variant == "rollout":
                hosts = sorted({t.host for t in group})
                host = rng.choice(hosts)
            scope = {"vendor": group[0].vendor, "model": model, "app_version": newv}
            if host:
                scope["host"] = host
            aff = [t for t in group if host is None or t.host == host]
            f = F(kind, scope, aff, st, en, variant=variant, newv=newv, host=host, trig=rng.uniform(0.35, 0.7))
            for t in group:
                f.tstart[t.tid] = st + rng.uniform(0, 45) * 60
            f.p["rollout_all"] = {t.tid: f.tstart[t.tid] for t in group}
            if aff:
                f.start = min(f.tstart[t.tid] for t in aff)
            else:
                faults.remove(f)
        elif kind == "config":
            T = pick_term(terms)
            st, en = when(30, 200)
            F(kind, {"terminal_id": T.tid}, [T], st, en, variant=vpick(kind, ["host_addr", "tid", "key_index"]),
              badip="10.%d.%d.%d:%d" % (rng.randint(1, 250), rng.randint(1, 250), rng.randint(2, 250),
                                         rng.choice([8583, 5000, 6001, 9000])))
        elif kind == "corruption":
            T = pick_term([t for t in terms if t.net != "cellular" or rng.random() < 0.2])
            st, en = when(40, 240)
            F(kind, {"terminal_id": T.tid}, [T], st, en, rate=rng.uniform(0.25, 0.55), ramp=rng.uniform(0, 20) * 60)
        elif kind == "keys":
            if vpick("keys0", [0, 1]) == 0:
                h = rng.choice(sorted(HOSTS))
                cands = [t for t in terms if t.host == h]
                rng.shuffle(cands)
                tl = sorted(cands[:rng.randint(4, 12)], key=lambda t: t.tid)
                st, en = when(60, 240, 0.05, 0.6)
                f = F(kind, {"host": h}, tl, st, en, variant="host_rotation")
                for t in tl:
                    f.tstart[t.tid] = st + rng.uniform(0, 20) * 60
            else:
                T = pick_term(terms)
                st, en = when(40, 240)
                F(kind, {"terminal_id": T.tid}, [T], st, en, variant=rng.choice(["missing", "mismatch"]))
        elif kind == "cert":
            if vpick("cert0", [0, 1]) == 0:
                models = sorted({t.model for t in terms})
                model = rng.choice(models)
                group = [t for t in terms if t.model == model]
                rng.shuffle(group)
                tl = sorted(group[:min(20, max(2, int(len(group) * rng.uniform(0.3, 0.7))))], key=lambda t: t.tid)
                st = rng.uniform(0.1, 0.7) * W
                en = W if rng.random() < 0.5 else st + rng.uniform(60, 200) * 60
                f = F(kind, {"vendor": tl[0].vendor, "model": model, "cert_not_after": None}, tl, st, en,
                      variant="expired")
                f.p["expiry"] = st
            else:
                T = pick_term(terms)
                st, en = when(40, 240)
                F(kind, {"terminal_id": T.tid}, [T], st, en, variant="clock",
                  skew=rng.choice([-1, 1]) * rng.randint(400000, 90000000))
        elif kind == "storage":
            T = pick_term([t for t in terms if "storage_used_pct" in VENDOR[t.vendor]["f"] or rng.random() < 0.3])
            st, en = when(120, 360, 0.0, 0.5)
            F(kind, {"terminal_id": T.tid}, [T], st, en, fill=rng.uniform(40, 100) * 60)
        elif kind == "memory":
            T = pick_term([t for t in terms if t.spec["smart"]])
            st, en = when(120, 360, 0.0, 0.5)
            F(kind, {"terminal_id": T.tid}, [T], st, en, cycle=rng.uniform(35, 90) * 60)
        elif kind == "cpu":
            T = pick_term([t for t in terms if t.spec["smart"]])
            st, en = when(40, 240)
            F(kind, {"terminal_id": T.tid}, [T], st, en, ramp=rng.uniform(5, 30) * 60, extra=rng.uniform(25, 70))
        elif kind == "keypad":
            T = pick_term([t for t in terms if t.spec["keypad"]])
            st, en = when(60, 360, 0.0, 0.6)
            F(kind, {"terminal_id": T.tid}, [T], st, en, sev=rng.uniform(0.25, 0.6))
        elif kind == "display":
            T = pick_term(terms)
            st, en = when(40, 300)
            F(kind, {"terminal_id": T.tid}, [T], st, en, sev=rng.uniform(0.15, 0.5))
        elif kind == "card_reader":
            T = pick_term(terms)
            st, en = when(60, 360, 0.0, 0.6)
            F(kind, {"terminal_id": T.tid}, [T], st, en, variant=vpick(kind, ["ic", "nfc", "mag", "all"]),
              sev=rng.uniform(0.5, 0.95), ramp=rng.uniform(0, 30) * 60)
        elif kind == "printer":
            T = pick_term(terms)
            v = vpick(kind, ["paper_out", "fault"])
            st, en = when(15, 60) if v == "paper_out" else when(60, 300)
            F(kind, {"terminal_id": T.tid}, [T], st, en, variant=v)
        elif kind == "board":
            T = pick_term(terms)
            st, en = when(60, 360, 0.0, 0.6)
            F(kind, {"terminal_id": T.tid}, [T], st, en, variant="aging", ramp=rng.uniform(10, 60) * 60)
        elif kind == "trainee":
            cands = [s for s in world.sites if len(s.terms) <= 4]
            S = rng.choice(cands)
            tl = S.terms if len(S.terms) <= 2 else rng.sample(S.terms, 2)
            tl = sorted(tl, key=lambda t: t.tid)
            st, en = when(60, 200)
            F(kind, {"site_id": S.sid} if len(tl) > 1 else {"terminal_id": tl[0].tid}, tl, st, en,
              rate=rng.uniform(0.12, 0.3))
        elif kind == "txn_type":
            hotels = [m for m in world.merchants if m.type == "hotel"]
            if hotels and rng.random() < 0.6:
                M = rng.choice(hotels)
                types = ["preauth", "completion"]
            else:
                M = rng.choice([m for m in world.merchants if len(m.terms) >= 1])
                types = ["refund", "void"]
            st, en = when(60, 300)
            F(kind, {"merchant_id": M.mid}, M.terms, st, en, types=types, rc=rng.choice(["40", "58", "58"]),
              mid=M.mid)
        elif kind == "limit":
            M = rng.choice([m for m in world.merchants if m.type in ("supermarket", "hotel", "pharmacy",
                                                                          "restaurant", "convenience")])
            v = vpick(kind, ["single", "daily_count"])
            st, en = when(60, 300)
            F(kind, {"merchant_id": M.mid}, M.terms, st, en, variant=v, mid=M.mid,
              limit=rng.choice([3000, 5000, 10000]), count=rng.randint(15, 60))
        elif kind == "risk":
            M = rng.choice(world.merchants)
            st, en = when(40, 240)
            F(kind, {"merchant_id": M.mid}, M.terms, st, en, mid=M.mid, thresh=rng.choice([0, 5000, 20000]),
              p=rng.uniform(0.6, 0.95))
        elif kind == "frozen":
            M = rng.choice(world.merchants)
            st, en = when(40, 300)
            F(kind, {"merchant_id": M.mid}, M.terms, st, en, mid=M.mid, variant=vpick(kind, ["frozen", "misregistered"]))
        elif kind == "acquirer":
            h = rng.choice(sorted(HOSTS))
            tl = [t for t in terms if t.host == h]
            v = vpick(kind, ["outage", "slow"])
            st, en = when(20, 80, 0.05, 0.75)
            dd = (en - st) * rng.uniform(0.4, 0.7)
            F(kind, {"host": h}, tl, st, en, host=h, variant=v, deg=dd, peak=rng.uniform(15000, 45000),
              refuse=rng.uniform(0.3, 0.7))
        elif kind in ("issuer", "card_batch"):
            iss = wpick(rng, [(i, w) for i, _, w in ISSUERS[:7]])
            bins = [b for i, bs, _ in ISSUERS if i == iss for b in bs]
            if kind == "issuer":
                st, en = when(20, 120)
                F(kind, {"issuer": iss, "bins": bins}, [], st, en, bins=set(bins), rc98=rng.uniform(0.1, 0.5),
                  sev=rng.uniform(0.7, 1.0))
            else:
                b = rng.choice(bins)
                st, en = 0.0, W
                F(kind, {"issuer": iss, "bin": b}, [], st, en, bins={b}, sev=rng.uniform(0.08, 0.2))
    world.rollout_models = rollout_models
    faults.sort(key=lambda f: (f.start, f.kind, f.terms[:1]))
    for i, f in enumerate(faults):
        f.fid = "F%s-%02d" % (seed, i + 1)
    # certificate batch: reflect in inventory
    for f in faults:
        if f.kind == "cert" and f.p["variant"] == "expired":
            stamp = f.p["expiry"]
            f.p["stamp"] = stamp
            for tid in f.terms:
                world.tmap[tid].cert_exp = stamp
    # attach faults to terminals
    for f in faults:
        for tid in f.terms:
            world.tmap[tid].faults.append(f)
        if f.kind in ("sw_bug", "incompat") and "rollout_all" in f.p:
            for tid in sorted(f.p["rollout_all"]):
                T = world.tmap[tid]
                if f not in T.faults:
                    T.faults.append(f)   # gets the update but not the failure
    return faults


# --------------------------------------------------------------------------
# per-terminal simulation
# --------------------------------------------------------------------------
class Out:
    def __init__(self, base):
        self.base = base
        self.recs = []        # (deliver, seq, rec)
        self.truth_ev = []
        self.seq = 0
        self.last = {}
        self._cache = {}

    def fmt(self, t, tz="Z"):
        key = (int(math.floor(t)), tz)
        s = self._cache.get(key)
        if s is None:
            d = self.base + timedelta(seconds=key[0])
            if tz == "Z":
                s = d.strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                s = d.astimezone(TZ8).strftime("%Y-%m-%dT%H:%M:%S+08:00")
            self._cache[key] = s
        return s

    def add(self, t, rec, src, key, delay):
        t = math.floor(t)
        dv = t + delay
        lk = (key, src)
        dv = max(dv, self.last.get(lk, -1e18))
        dv = min(dv, t + 58)
        self.last[lk] = dv
        self.seq += 1
        self.recs.append((dv, self.seq, rec))


class TSim:
    def __init__(self, G, T):
        self.G, self.T = G, T
        self.out = G.out
        self.rng = R(G.seed, "term", T.tid)
        self.v = VENDOR[T.vendor]
        self.faults = sorted(T.faults, key=lambda f: f.fid)
        self.kinds = {f.kind for f in self.faults}
        self.q = []
        self.qs = 0
        self.off_until = -1.0
        self.pending_reboot = None
        self.pwr_events = 0
        self.kp_err = 0
        self.cr_err = 0
        self.crashes = 0
        self.stan = self.rng.randint(1, 400)
        self.fw, self.app = T.fw, T.app
        self.ver_changed = False
        self.batt = T.batt0
        self.batt_t = 0.0
        self.docked = False
        self.mem_reset = -self.rng.uniform(0, 3600)
        self.stor_clean = None
        self.count_since = 0
        self.approved = []
        self.boot_err = None
        self.tz = self.v["tz"]
        self.ip = HOSTS[T.host][1]

    # ---- helpers ----
    def push(self, t, typ, data=None):
        if t < W:
            self.qs += 1
            heapq.heappush(self.q, (t, self.qs, typ, data))

    def act(self, kind, t):
        if kind not in self.kinds:
            return None
        for f in self.faults:
            if f.kind == kind and f.on(t, self.T.tid) and self.T.tid in f.terms:
                return f
        return None

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return "%06d" % self.stan

    def fail(self, rec, t, cause, f, code, stan):
        te = {"kind": "truth_event", "ts": rec["ts"], "terminal_id": self.T.tid, "cause": cause, "code": code}
        if stan:
            te["stan"] = stan
        if f is not None:
            te["fault_id"] = f.fid
            f.events.append((t, self.T.tid, self.T.M.mid, code))
        self.out.truth_ev.append((math.floor(t), self.out.seq, te))

    def err(self, t, cond, cause, f, why="", stan=None):
        T = self.T
        code, stage, text = ERR[T.vendor][cond]
        st = self.v["style"]
        rec = {"kind": "error", "ts": self.out.fmt(t, self.tz), "terminal_id": T.tid, "code": code}
        if not (st == "terse" and self.rng.random() < 0.5):
            rec["stage"] = stage
        if st == "verbose":
            rec["detail"] = ("[%s] %s %s" % (stage.upper(), text, why)).strip()
        elif st == "state":
            hx = STATE_HEX.get(cond)
            rec["detail"] = ("%s state=%s" % (text, hx)) if hx else ("%s %s" % (text, why)).strip()
        elif st == "terse":
            if self.rng.random() < 0.8:
                rec["detail"] = "%s rc=-%d" % (text, 1 + (sum(map(ord, cond)) % 40))
        else:
            rec["detail"] = text
        if stan:
            rec["stan"] = stan
        d = self.rng.uniform(5, 50) if T.vendor in ("landi", "centerm") else self.rng.uniform(0, 4)
        self.out.add(t, rec, "err", T.tid, d)
        self.fail(rec, t, cause, f, code, stan)

    # ---- physical state ----
    def power_v(self, t):
        T = self.T
        nom = T.spec["volts"]
        if nom is None:
            return None
        v = nom * (1 + self.rng.gauss(0, 0.006))
        f = self.act("site_power", t)
        if f:
            v = nom * self.rng.choice([self.rng.uniform(0.78, 0.9), self.rng.uniform(1.1, 1.2),
                                       self.rng.uniform(0.93, 1.02)])
        f = self.act("adapter", t)
        if f:
            v = nom * (1 - f.p["sag"] * f.ramp(t, T.tid, f.p["ramp"]) * self.rng.uniform(0.8, 1.2))
        return round(v, 2)

    def net(self, t):
        """-> rtt_ms, total loss, rssi, [(cause, fault, loss)]"""
        T, rng = self.T, self.rng
        rtt = T.base_rtt * rng.uniform(0.8, 1.3)
        contrib = []
        rssi = None
        if T.net == "ethernet":
            contrib.append(("network.lan", None, 0.0004))
        else:
            rssi = T.rssi + rng.gauss(0, 2.5)
            f = self.act("signal", t)
            if f:
                x = f.ramp(t, T.tid, f.p["ramp"])
                tgt = (-111 if T.net == "cellular" else -86) - f.p["drop"] / 4.0
                rssi += (tgt - rssi) * x * rng.uniform(0.8, 1.1)
            if T.net == "cellular":
                l = clamp(((-rssi - 95) / 20.0), 0, 1) ** 2
            else:
                l = clamp(((-rssi - 75) / 15.0), 0, 1) ** 2
            contrib.append(("network.signal", f, max(l, 0.0004)))
            rtt += 400 * l * 10
        f = self.act("lan", t)
        if f:
            x = f.ramp(t, T.tid, f.p["ramp"])
            flap = 0.5 + 0.5 * math.sin((t - f.start) / 240.0 + rng.uniform(-0.5, 0.5))
            l = f.p["sev"] * x * (0.45 + 0.55 * flap)
            contrib.append(("network.lan", f, l))
            rtt += x * rng.uniform(300, 2500)
        f = self.act("carrier", t)
        if f:
            contrib.append(("network.carrier", f, f.p["sev"] * f.ramp(t, T.tid, f.p["ramp"])))
            rtt += rng.uniform(500, 4000)
        f = self.act("corruption", t)
        if f:
            contrib.append(("transmission.corruption", f, rng.uniform(0.01, 0.05)))
        keep = 1.0
        for _, _, l in contrib:
            keep *= (1 - l)
        return rtt, 1 - keep, rssi, contrib

    def mem(self, t):
        T = self.T
        base = T.mem0 + self.rng.gauss(0, 2)
        f = self.act("memory", t) or self.bug("memleak", t)
        if f:
            cyc = f.p.get("cycle", 50 * 60)
            since = t - max(self.mem_reset, f.t0(T.tid))
            base = T.mem0 + (99 - T.mem0) * clamp(since / cyc, 0, 1) ** 1.3 + self.rng.gauss(0, 1)
        return clamp(base, 5, 99.5)

    def storage(self, t):
        T = self.T
        s = T.stor0
        f = self.act("storage", t)
        if f:
            s = T.stor0 + (100 - T.stor0) * clamp((t - f.start) / f.p["fill"], 0, 1)
        return clamp(s, 0, 100)

    def cpu(self, t):
        T = self.T
        c = T.cpu0 + self.rng.uniform(-5, 12)
        f = self.act("cpu", t)
        if f:
            c = c + (97 - c) * f.ramp(t, T.tid, f.p["ramp"]) * self.rng.uniform(0.92, 1.02)
        return clamp(c, 1, 100)

    def temp(self, t):
        T = self.T
        x = T.temp0 + self.rng.gauss(0, 0.8) + (self.cpu(t) - 20) * 0.08
        f = self.act("board", t)
        if f:
            x += 22 * f.ramp(t, T.tid, f.p.get("ramp", 0))
        return round(x, 1)

    def bug(self, variant, t):
        if "sw_bug" not in self.kinds:
            return None
        for f in self.faults:
            if f.kind == "sw_bug" and f.p.get("variant") == variant and self.T.tid in f.terms and \
                    f.on(t, self.T.tid) and self.app == f.p["newv"]:
                return f
        return None

    def battery_update(self, t):
        T = self.T
        if not T.spec["battery"]:
            return
        dt = (t - self.batt_t) / 60.0
        self.batt_t = t
        f = self.act("battery", t)
        if self.docked:
            self.batt += dt * (0.9 if not f else 0.6)
            if self.batt >= (92 if not f else 30):
                self.docked = False
        else:
            drain = 0.12 if not f else f.p["drain"] * 1.4
            self.batt -= dt * drain * self.rng.uniform(0.7, 1.3)
            if f and self.rng.random() < 0.03:
                self.batt -= self.rng.uniform(5, 20)   # worn cell: sudden drops
            if self.batt < (22 if not f else 6) and self.rng.random() < (0.5 if not f else 0.15):
                self.docked = True
        self.batt = clamp(self.batt, 0, 100)
        if f and self.batt <= 1.5 and t >= self.off_until:
            self.go_off(t, self.rng.uniform(6, 18) * 60, "power_loss", ("BATTERY", "power.battery", f))
            self.batt = self.rng.uniform(8, 15)
            self.docked = True

    def go_off(self, t, dur, reason, boot_err=None, inflight=0.0):
        self.off_until = max(self.off_until, t + dur)
        self.pending_reboot = reason
        self.boot_err = boot_err
        if reason == "power_loss":
            self.pwr_events += self.rng.randint(1, 3)
        self.push(self.off_until + 0.5, "boot", inflight)

    # ---- events ----
    def run(self):
        T, rng = self.T, self.rng
        hb = self.v["hb"]
        x = rng.uniform(0, hb)
        while x < W:
            self.push(x, "hb")
            x += hb * rng.uniform(0.9, 1.1)
        # customers: thinning of a non-homogeneous Poisson process
        lam = T.rate / 3600.0
        x = 0.0
        while True:
            x += rng.expovariate(lam * 1.7)
            if x >= W:
                break
            hour = 10 + x / 3600.0
            shape = 1.0 + (0.7 if 11.4 < hour < 13.2 else 0) - (0.35 if 14.5 < hour < 15.5 else 0)
            if T.M.type == "parking":
                shape = 1.0 + (0.5 if hour > 15 else 0)
            if rng.random() < shape / 1.7:
                self.push(x, "cust")
        for f in self.faults:
            if f.kind == "site_power":
                for (d0, dur) in f.p["dips"]:
                    self.push(d0 + rng.uniform(0, 3), "dip", (dur * rng.uniform(0.9, 1.1), f))
            if f.kind in ("sw_bug", "incompat") and T.tid in f.p.get("rollout_all", {}):
                self.push(f.p["rollout_all"][T.tid], "update", (f.p["newv"], f))
                if f.end < W:
                    self.push(max(f.end, f.p["rollout_all"][T.tid] + 600), "update", (T.app, None))
            if f.kind == "board":
                y = f.start + rng.uniform(10, 40) * 60
                while y < f.end:
                    self.push(y, "wdog", f)
                    y += rng.uniform(12, 50) * 60
        for (model, newv, when) in self.G.benign:
            if T.tid in when:
                self.push(when[T.tid], "update", (newv, None))
        while self.q:
            t, _, typ, data = heapq.heappop(self.q)
            self.battery_update(t)
            if t < self.off_until and typ != "boot":
                if typ == "hb" and rng.random() < 0.6:
                    self.out.add(t, {"kind": "telemetry", "ts": self.out.fmt(t), "terminal_id": T.tid,
                                     "online": False}, "tms", T.tid, rng.uniform(0, 3))
                elif typ == "rev":
                    self.push(self.off_until + rng.uniform(30, 90), "rev", data)
                elif typ == "update":
                    self.push(self.off_until + rng.uniform(60, 300), "update", data)
                continue
            if typ == "hb":
                self.heartbeat(t)
            elif typ == "cust":
                self.customer(t)
            elif typ == "retry":
                self.attempt(t, data)
            elif typ == "rev":
                self.reversal(t, data)
            elif typ == "boot":
                self.boot(t, data)
            elif typ == "dip":
                dur, f = data
                self.go_off(t, dur, "power_loss", ("POWER", "power.supply", f) if rng.random() < 0.5 else None,
                            inflight=0.25)
            elif typ == "update":
                self.app = data[0]
                self.ver_changed = True
                self.go_off(t, rng.uniform(60, 150), "update")
                self.mem_reset = t
            elif typ == "wdog":
                f = data
                if f.on(t, T.tid):
                    self.crashes += 0
                    self.go_off(t, rng.uniform(40, 120), "watchdog", ("BOARD", "hardware.board", f)
                                if rng.random() < 0.7 else None, inflight=0.2)

    def boot(self, t, inflight):
        T, rng = self.T, self.rng
        if t + 0.01 < self.off_until:
            return
        be = self.boot_err
        self.boot_err = None
        if be:
            cond, cause, f = be
            self.err(t + rng.uniform(5, 25), cond, cause, f, "上电自检" if cond != "BATTERY" else "batt low")
        if inflight and rng.random() < inflight and self.approved is not None:
            # a transaction was cut when the terminal went down: log it, reverse it
            stan = self.next_stan()
            cause = {"power_loss": None, "watchdog": "hardware.board"}.get(self.pending_reboot)
            f = be[2] if be else None
            if f is not None:
                self.err(t + rng.uniform(26, 40), "APP" if T.vendor != "newland" else "POWER", f.cause, f,
                         "上笔交易异常中断,需冲正", stan)
                amt = rng.randint(500, 30000)
                self.push(t + rng.uniform(45, 120), "rev", dict(type="purchase", channel="card_ic", amount=amt,
                                                                pan=self.pan(), stan0=stan))

    def heartbeat(self, t):
        T, rng, fs = self.T, self.rng, self.v["f"]
        rtt, loss, rssi, contrib = self.net(t)
        # a heartbeat that cannot get through is seen by the TMS as a missed beat
        if rng.random() < loss ** 1.3:
            if rng.random() < 0.5:
                self.out.add(t, {"kind": "telemetry", "ts": self.out.fmt(t), "terminal_id": T.tid, "online": False},
                             "tms", T.tid, rng.uniform(0, 3))
            return
        r = {"kind": "telemetry", "ts": self.out.fmt(t, self.tz if rng.random() < 0.5 else "Z"), "terminal_id": T.tid}
        if "online" in fs:
            r["online"] = True
        if "rssi_dbm" in fs and rssi is not None:
            r["rssi_dbm"] = int(round(rssi))
        if "latency_ms" in fs:
            r["latency_ms"] = int(rtt * (1 + 3 * loss))
        if "packet_loss" in fs:
            r["packet_loss"] = round(clamp(loss + rng.gauss(0, 0.004), 0, 1), 3)
        if "supply_v" in fs:
            v = self.power_v(t)
            if v is not None:
                r["supply_v"] = v
        if "battery_pct" in fs and T.spec["battery"]:
            r["battery_pct"] = int(self.batt)
        if "power_events" in fs:
            n = self.pwr_events
            if self.act("site_power", t) and rng.random() < 0.5:
                n += rng.randint(1, 3)
            if self.act("adapter", t) and rng.random() < 0.3:
                n += 1
            r["power_events"] = n
        self.pwr_events = 0
        if self.pending_reboot and "reboot" in fs:
            r["reboot"] = self.pending_reboot
        self.pending_reboot = None
        if "storage_used_pct" in fs:
            r["storage_used_pct"] = int(self.storage(t))
        m = self.mem(t)
        if "memory_used_pct" in fs:
            r["memory_used_pct"] = int(m)
        if "cpu_pct" in fs:
            r["cpu_pct"] = int(self.cpu(t))
        if "temp_c" in fs:
            r["temp_c"] = self.temp(t)
        if "key_check" in fs:
            kc = "ok"
            f = self.act("keys", t)
            if f:
                kc = "missing" if f.p["variant"] == "missing" else "mismatch"
            r["key_check"] = kc
        if "clock_skew_s" in fs:
            f = self.act("cert", t)
            r["clock_skew_s"] = f.p["skew"] if (f and f.p["variant"] == "clock") else T.skew0
        if "printer" in fs:
            f = self.act("printer", t)
            r["printer"] = f.p["variant"] if f else "ok"
        if "keypad_errors" in fs:
            r["keypad_errors"] = self.kp_err + (rng.randint(0, 4) if self.act("keypad", t) else 0)
        self.kp_err = 0
        if "card_reader_errors" in fs:
            r["card_reader_errors"] = self.cr_err
        self.cr_err = 0
        if "app_crashes" in fs:
            r["app_crashes"] = self.crashes
        self.crashes = 0
        if self.ver_changed and T.vendor != "centerm":
            r["firmware"] = self.fw
            r["app_version"] = self.app
            self.ver_changed = False
        d = rng.uniform(20, 55) if T.buffered else rng.uniform(0, 3)
        self.out.add(t, r, "tel", T.tid, d)
        # spontaneous logs between transactions
        if m >= 90:
            f = self.act("memory", t) or self.bug("memleak", t)
            if f is not None and rng.random() < 0.45:
                self.crashes += 1
                self.err(t + rng.uniform(1, 20), "MEMORY", f.cause, f, "lowmemorykiller: killed pay service")
        f = self.act("battery", t)
        if f is not None and self.batt < 15 and rng.random() < 0.4:
            self.err(t + rng.uniform(1, 20), "BATTERY", f.cause, f, "低电量告警 %d%%" % self.batt)
        # memory exhaustion -> watchdog reboot
        if m >= 97.5:
            f = self.act("memory", t) or self.bug("memleak", t)
            if f is not None:
                self.crashes += 1
                self.mem_reset = t
                self.go_off(t + 1, rng.uniform(40, 90), "watchdog",
                            ("MEMORY", f.cause, f) if rng.random() < 0.6 else None)

    def pan(self):
        rng = self.rng
        iss = wpick(rng, [(i, w) for i, _, w in ISSUERS])
        b = rng.choice([bb for i, bs, _ in ISSUERS if i == iss for bb in bs])
        stars = 6 if (b in CREDIT_BINS or rng.random() < 0.5) else 9
        return "%s%s%04d" % (b, "*" * stars, rng.randint(0, 9999))

    def customer(self, t):
        T, rng = self.T, self.rng
        mt = T.M.type
        r = rng.random()
        typ = "purchase"
        if mt == "hotel":
            typ = "preauth" if r < 0.35 else "completion" if r < 0.6 else "purchase"
        elif r < 0.02:
            typ = "refund"
        elif r < 0.045:
            typ = "void"
        elif r < 0.055:
            typ = "balance"
        c = rng.random()
        if T.M.type in ("hotel",):
            ch = "card_ic" if c < 0.6 else "nfc" if c < 0.75 else "card_swipe" if c < 0.8 else "qr"
        else:
            ch = "qr" if c < 0.52 else "nfc" if c < 0.7 else "card_ic" if c < 0.93 else "card_swipe"
        if typ in ("preauth", "completion", "balance") and ch == "qr":
            ch = "card_ic"
        amt = {"convenience": (2.9, 0.7), "pharmacy": (3.9, 0.8), "bakery": (3.4, 0.6), "parking": (2.8, 0.8),
               "hotel": (6.2, 0.6), "supermarket": (4.3, 0.9), "restaurant": (4.5, 0.7)}[mt]
        amount = int(math.exp(rng.gauss(*amt)) * 100)
        if typ == "balance":
            amount = 0
        tx = dict(type=typ, channel=ch, amount=max(amount, 100 if typ != "balance" else 0),
                  pan=None if ch == "qr" else self.pan(), tries=0)
        if typ == "void" and self.approved:
            o = rng.choice(self.approved[-20:])
            tx.update(amount=o[1], channel=o[2], pan=o[3])
        self.attempt(t, tx)

    def retry(self, t, tx, p=0.65, switch=0.35):
        rng = self.rng
        if tx["tries"] >= 2 or rng.random() > p:
            return
        tx = dict(tx)
        tx["tries"] += 1
        if rng.random() < switch and tx["type"] == "purchase":
            tx["channel"] = "qr"
            tx["pan"] = None
        self.push(t + rng.uniform(15, 75), "retry", tx)

    # the transaction pipeline: the first stage that fails decides the outcome and its cause
    def attempt(self, t, tx):
        T, rng = self.T, self.rng
        tid = T.tid
        card = tx["channel"] != "qr"
        stan = self.next_stan()
        typ = tx["type"]
        # --- local: power / battery
        f = self.act("battery", t)
        if f and self.batt < 9 and rng.random() < 0.85:
            self.err(t + 3, "BATTERY", f.cause, f, "battery %d%%" % self.batt)
            return self.retry(t, tx, 0.4, 0.8)
        # --- display: cashier cannot read the prompts
        f = self.act("display", t)
        if f and rng.random() < f.p["sev"]:
            self.err(t + rng.uniform(8, 40), "DISPLAY" if rng.random() < 0.6 else "OPER", f.cause, f,
                     "lcd no refresh" if rng.random() < 0.5 else "用户超时未确认", stan)
            return self.retry(t, tx, 0.5, 0.5)
        # --- storage / memory
        if self.storage(t) >= 98.5:
            f = self.act("storage", t)
            if f and rng.random() < 0.8:
                self.err(t + 2, "STORAGE", f.cause, f, "journal write failed, free=%dKB" % rng.randint(0, 60), stan)
                return self.retry(t, tx, 0.5, 0.1)
        m = self.mem(t)
        if m >= 86:
            f = self.act("memory", t) or self.bug("memleak", t)
            if f and rng.random() < (m - 84) / 14.0:
                self.crashes += 1
                self.err(t + 4, "MEMORY", f.cause, f, "java.lang.OutOfMemoryError heap=%d%%" % m, stan)
                if rng.random() < 0.4:
                    self.mem_reset = t
                    self.go_off(t + 6, rng.uniform(30, 80), "watchdog")
                return self.retry(t, tx, 0.5, 0.3)
        # --- release bug (condition-triggered)
        for var, cond in (("nfc_crash", tx["channel"] == "nfc"), ("refund_crash", typ in ("refund", "void"))):
            f = self.bug(var, t)
            if f and cond and rng.random() < f.p["trig"] + 0.25:
                self.crashes += 1
                self.err(t + rng.uniform(2, 6), "APP", f.cause, f,
                         "FATAL signal 11 (SIGSEGV) in libemvl2.so" if var == "nfc_crash" else
                         "NullPointerException at RefundActivity.onResult", stan)
                return self.retry(t, tx, 0.7, 0.8)
        # --- board
        f = self.act("board", t)
        if f and rng.random() < 0.12 * (0.5 + f.ramp(t, tid, f.p.get("ramp", 0))):
            cond = rng.choice(["APP", "CARD", "CONNECT", "PIN"]) if card else rng.choice(["APP", "CONNECT"])
            if cond == "CARD":
                self.cr_err += 1
            self.err(t + rng.uniform(2, 10), cond, f.cause, f, "I2C bus err / sensor no ack", stan)
            return self.retry(t, tx, 0.6, 0.3)
        # --- amount entry on a physical keypad
        f = self.act("keypad", t)
        if f and T.spec["keypad"] and rng.random() < f.p["sev"] * 0.3:
            self.kp_err += rng.randint(1, 3)
            self.err(t + rng.uniform(10, 40), "PIN" if rng.random() < 0.5 else "OPER", f.cause, f,
                     "金额输入异常 key '%s' repeat" % rng.choice("0123456789"), stan)
            return self.retry(t, tx, 0.6, 0.6)
        # --- unstable supply: the comms module or the terminal resets mid-transaction
        for kind, p in (("site_power", 0.22), ("adapter", 0.06)):
            f = self.act(kind, t)
            if f and T.spec["volts"] is not None and rng.random() < p:
                cond = rng.choice(["SEND", "SEND", "CONNECT", "POWER", "TIMEOUT"])
                if cond == "TIMEOUT":
                    return self.timeout(t + rng.uniform(4, 15), tx, stan, f.cause, f)
                self.pwr_events += 1
                self.err(t + rng.uniform(4, 20), cond, f.cause, f, "VIN dip, modem reset", stan)
                return self.retry(t, tx, 0.6, 0.5)
        # --- card reading
        if card:
            f = self.act("card_reader", t)
            hit = False
            if f:
                v = f.p["variant"]
                ch = tx["channel"]
                hit = (v == "all" or (v == "ic" and ch == "card_ic") or (v == "nfc" and ch == "nfc") or
                       (v == "mag" and ch == "card_swipe"))
                if hit and rng.random() < f.p["sev"] * (0.3 + 0.7 * f.ramp(t, tid, f.p["ramp"])):
                    self.cr_err += rng.randint(1, 3)
                    self.err(t + rng.uniform(3, 12), "CARD", f.cause, f,
                             {"card_ic": "IC卡上电失败 ATR timeout", "nfc": "非接寻卡失败 RF err",
                              "card_swipe": "磁条读取失败 track2 LRC"}[ch], stan)
                    return self.retry(t, tx, 0.8, 0.6)
            tr = self.act("trainee", t)
            p_op = 0.004 + (tr.p["rate"] * 0.4 if tr else 0)
            if rng.random() < p_op:
                self.cr_err += 1 if rng.random() < 0.5 else 0
                self.err(t + rng.uniform(3, 12), "CARD", "operator.error", tr,
                         rng.choice(["请正确插卡", "卡片方向错误", "请勿移动卡片", "刷卡过快"]), stan)
                return self.retry(t, tx, 0.9, 0.1)
        # --- operator procedure (trainee / everyday slips)
        tr = self.act("trainee", t)
        if rng.random() < 0.003 + (tr.p["rate"] * 0.5 if tr else 0):
            self.err(t + rng.uniform(10, 60), "OPER", "operator.error", tr,
                     rng.choice(["交易已取消", "操作超时", "请选择正确交易类型", "收银员取消"]), stan)
            return self.retry(t, tx, 0.9, 0.2)
        # --- PIN entry
        wrong_pin = None
        needs_pin = card and (tx["channel"] in ("card_ic", "card_swipe") and rng.random() < 0.6 or
                              tx["amount"] > 100000)
        if needs_pin and typ not in ("void",):
            f = self.act("keypad", t)
            if f and T.spec["keypad"]:
                self.kp_err += rng.randint(0, 3)
                x = rng.random()
                if x < f.p["sev"] * 0.6:
                    self.kp_err += 1
                    self.err(t + rng.uniform(10, 40), "PIN", f.cause, f, "key matrix scan: key '%s' stuck" %
                             rng.choice("0123456789"), stan)
                    return self.retry(t, tx, 0.6, 0.6)
                if x < f.p["sev"]:
                    wrong_pin = f
            if rng.random() < 0.002 + (tr.p["rate"] * 0.2 if tr else 0):
                self.err(t + rng.uniform(20, 60), "OPER", "operator.error", tr, "密码输入取消", stan)
                return self.retry(t, tx, 0.7, 0.3)
        # --- keys present on the terminal?
        f = self.act("keys", t)
        if card and f and f.p["variant"] == "missing":
            self.err(t + 2, "MAC", f.cause, f, "工作密钥不存在 keyidx=01", stan)
            return self.retry(t, tx, 0.5, 0.9)
        # --- build the message: bugs in packing
        t_send = t + rng.uniform(4, 18)
        # --- connect
        cf = self.act("config", t)
        if cf and cf.p["variant"] == "host_addr":
            self.err(t_send + rng.uniform(3, 20), "CONNECT", cf.cause, cf, "connect %s failed" % cf.p["badip"], stan)
            return self.retry(t, tx, 0.6, 0.5)
        acq = None
        for ff in self.faults:
            if ff.kind == "acquirer" and ff.on(t, tid):
                acq = ff
        if acq and acq.p["variant"] == "outage" and t >= acq.start + acq.p["deg"] and rng.random() < acq.p["refuse"]:
            self.err(t_send + rng.uniform(1, 5), "CONNECT", acq.cause, acq, "connect %s ECONNREFUSED" % self.ip, stan)
            return self.retry(t, tx, 0.6, 0.3)
        rtt, loss, rssi, contrib = self.net(t)
        if True:
            pf = [(c, ff, 1 - (1 - l) ** 2) for c, ff, l in contrib]
            keep = 1.0
            for _, _, p in pf:
                keep *= 1 - p
            if rng.random() < 1 - keep:
                x = rng.random() * sum(p for _, _, p in pf)
                for c, ff, p in pf:
                    x -= p
                    if x <= 0:
                        break
                if c == "transmission.corruption":
                    self.err(t_send + rng.uniform(1, 8), "PACKET", c, ff, "recv len mismatch / CRC", stan)
                    return self.retry(t, tx, 0.7, 0.3)
                if loss > 0.8 or rng.random() < 0.35:
                    why = {"network.carrier": "PDP激活失败 cause=33", "network.lan": "gateway unreachable",
                           "network.signal": "链路建立失败 rssi=%s" % (int(rssi) if rssi else "na")}.get(c, "")
                    self.err(t_send + rng.uniform(5, 30), "CONNECT", c, ff, why, stan)
                    return self.retry(t, tx, 0.7, 0.6)
                return self.timeout(t_send, tx, stan, c, ff)
        # --- TLS
        f = self.act("cert", t)
        if f:
            why = ("certificate has expired notAfter=%s" % self.out.fmt(f.p["expiry"])) if f.p["variant"] == \
                "expired" else "certificate is not yet valid (clock %+ds)" % f.p["skew"]
            self.err(t_send + rng.uniform(1, 3), "TLS", f.cause, f, why, stan)
            return self.retry(t, tx, 0.4, 0.6)
        for ff in self.faults:
            if ff.kind == "incompat" and tid in ff.terms and ff.on(t, tid) and ff.p["variant"] == "tls_host":
                self.err(t_send + rng.uniform(1, 3), "TLS", ff.cause, ff, "handshake failure: protocol_version", stan)
                return self.retry(t, tx, 0.4, 0.6)
        # --- latency budget and terminal timeout
        to = self.v["to"]
        lat = rng.lognormvariate(math.log(420 if card else 900), 0.35) + rtt * 4
        extra = []
        f = self.act("cpu", t)
        if f:
            e = f.p["extra"] * 1000 * f.ramp(t, tid, f.p["ramp"]) * rng.uniform(0.3, 1.4)
            extra.append(("resource.cpu", f, e))
            if e > 12000 and rng.random() < 0.25:
                self.err(t + e / 1000.0, "CPU", f.cause, f, "ANR: main thread blocked %dms" % e, stan)
                return self.retry(t, tx, 0.6, 0.4)
        if acq:
            x = clamp((t - acq.start) / max(acq.p["deg"], 1), 0, 1)
            e = acq.p["peak"] * x * x * rng.lognormvariate(0, 0.45)
            extra.append(("upstream.acquirer", acq, e))
        tot = lat + sum(e for _, _, e in extra)
        if tot > to:
            big = max(extra, key=lambda z: z[2])
            if big[0] == "resource.cpu" and rng.random() < 0.4:
                self.err(t_send + to / 1000.0, "CPU", big[0], big[1], "ANR: Input dispatching timed out", stan)
                return self.retry(t, tx, 0.6, 0.4)
            return self.timeout(t_send, tx, stan, big[0], big[1])
        lat = int(tot)
        tdone = t_send + lat / 1000.0
        # --- host side
        rc, cause, cf2 = "00", None, None
        bin6 = tx["pan"][:6] if tx["pan"] else None
        if acq and (acq.p["variant"] == "slow" or t < acq.start + acq.p["deg"]):
            if rng.random() < 0.06 * clamp((t - acq.start) / max(acq.p["deg"], 1), 0, 1):
                rc, cause, cf2 = "96", acq.cause, acq
        elif acq:
            rc, cause, cf2 = "96", acq.cause, acq
        if rc == "00":
            for ff in self.faults:
                if ff.kind == "incompat" and tid in ff.terms and ff.on(t, tid) and ff.p["variant"] in (
                        "msg_spec", "rollout") and (ff.p["variant"] == "msg_spec" or self.app == ff.p["newv"]):
                    if rng.random() < 0.85:
                        rc, cause, cf2 = rng.choice(["30", "30", "12"]), ff.cause, ff
            f = self.bug("field55", t)
            if rc == "00" and f and tx["channel"] in ("card_ic", "nfc") and rng.random() < f.p["trig"] + 0.2:
                rc, cause, cf2 = "30", f.cause, f
            f = self.act("corruption", t)
            if rc == "00" and f and rng.random() < f.p["rate"] * (0.3 + 0.7 * f.ramp(t, tid, f.p["ramp"])):
                if rng.random() < 0.5:
                    rc, cause, cf2 = "30", f.cause, f
                else:
                    rc, cause, cf2 = ("A0" if card else "30"), f.cause, f
        if rc == "00" and card:
            f = self.act("keys", t)
            if f:
                rc, cause, cf2 = "A0", f.cause, f
            elif cf and cf.p["variant"] == "key_index":
                rc, cause, cf2 = "A0", cf.cause, cf
        if rc == "00" and cf and cf.p["variant"] == "tid":
            rc, cause, cf2 = "97", cf.cause, cf
        if rc == "00":
            for ff in self.faults:
                if not (ff.on(t, tid) and tid in ff.terms):
                    continue
                if ff.kind == "frozen":
                    rc, cause, cf2 = ("03" if ff.p["variant"] == "frozen" or card else "58"), ff.cause, ff
                elif ff.kind == "txn_type" and typ in ff.p["types"]:
                    rc, cause, cf2 = ff.p["rc"], ff.cause, ff
                elif ff.kind == "limit" and typ in ("purchase", "preauth", "completion"):
                    if ff.p["variant"] == "single" and tx["amount"] > ff.p["limit"]:
                        rc, cause, cf2 = "61", ff.cause, ff
                    elif ff.p["variant"] == "daily_count":
                        self.count_since += 1
                        if self.count_since > ff.p["count"] / max(1, len(ff.terms)) * 1.0:
                            rc, cause, cf2 = "65", ff.cause, ff
                elif ff.kind == "risk" and card and tx["amount"] >= ff.p["thresh"] and rng.random() < ff.p["p"]:
                    rc, cause, cf2 = rng.choice(["59", "59", "34"]), ff.cause, ff
                if rc != "00":
                    break
        if rc == "00" and card and typ not in ("void", "reversal") and bin6:
            for ff in self.G.global_faults:
                if ff.on(t, tid) and bin6 in ff.p["bins"]:
                    if ff.kind == "issuer" and rng.random() < ff.p["sev"]:
                        if rng.random() < ff.p["rc98"]:
                            rc = "98"
                            lat = int(min(to - 500, lat + rng.uniform(15000, 25000)))
                            tdone = t_send + lat / 1000.0
                        else:
                            rc = "91"
                        cause, cf2 = ff.cause, ff
                    elif ff.kind == "card_batch" and rng.random() < ff.p["sev"]:
                        rc, cause, cf2 = "54", ff.cause, ff
                    if rc != "00":
                        ff.terms_seen.add(tid)
                        break
        if rc == "00" and wrong_pin is not None:
            rc, cause, cf2 = "55", wrong_pin.cause, wrong_pin
        if rc == "00":
            # ordinary life: customers, cashiers, the odd host hiccup
            x = rng.random()
            if typ in ("void", "refund"):
                if x < (0.05 + (0.5 if tr else 0)):
                    rc, cause, cf2 = rng.choice(["25", "25", "13"]), "operator.error", tr
            elif card and typ != "balance":
                for code, p, c in (("51", 0.016, "card.decline"), ("55", 0.008 if needs_pin else 0, "card.decline"),
                                   ("54", 0.002, "card.decline"), ("05", 0.004, "card.decline"),
                                   ("14", 0.001, "card.decline"), ("62", 0.001, "card.decline"),
                                   ("75", 0.0005 if needs_pin else 0, "card.decline"),
                                   ("61", 0.003, "business.limit"), ("65", 0.0006, "business.limit"),
                                   ("59", 0.0008, "business.risk"), ("91", 0.0005, "upstream.issuer"),
                                   ("96", 0.0003, "upstream.acquirer")):
                    x -= p
                    if x < 0:
                        rc, cause, cf2 = code, c, None
                        break
            elif not card:
                for code, p, c in (("51", 0.01, "card.decline"), ("61", 0.002, "business.limit"),
                                   ("59", 0.0005, "business.risk"), ("96", 0.0003, "upstream.acquirer")):
                    x -= p
                    if x < 0:
                        rc, cause, cf2 = code, c, None
                        break
            if rc != "00" and tr and cause != "operator.error":
                pass
        rec = self.txn_rec(tdone, tx, stan, rc, lat)
        if rc == "00":
            if typ in ("purchase", "preauth", "completion"):
                self.approved.append((stan, tx["amount"], tx["channel"], tx["pan"]))
                if len(self.approved) > 60:
                    self.approved = self.approved[-40:]
            self.after_approval(tdone, tx, stan)
        else:
            self.fail(rec, tdone, cause, cf2, rc, stan)
            if rc == "A0" and T.vendor in ("sunmi", "pax", "verifone", "landi"):
                self.err(tdone + rng.uniform(0.5, 2), "MAC", cause, cf2, "host rc=A0", stan)
            elif rc in ("30", "12") and cf2 is not None and rng.random() < 0.5:
                self.err(tdone + rng.uniform(0.5, 2), "PACKET", cause, cf2, "host rc=%s" % rc, stan)
            if rc in ("51", "55", "05", "54", "61", "59", "34", "91", "98", "96"):
                self.retry(tdone, tx, 0.45, 0.6)
            else:
                self.retry(tdone, tx, 0.5, 0.5)

    def txn_rec(self, tdone, tx, stan, rc, lat, timed_out=False):
        T, rng = self.T, self.rng
        rec = {"kind": "txn", "ts": self.out.fmt(tdone), "terminal_id": T.tid}
        if rng.random() < 0.96:
            rec["merchant_id"] = T.M.mid
        rec.update(type=tx["type"], amount=tx["amount"], currency="156" if T.host == "H3" else "CNY",
                   channel=tx["channel"], stan=stan)
        if rc is not None and rc not in ("96",):
            ts = rec["ts"]
            rec["rrn"] = "%s%s%s%06d" % (ts[8:10], ts[11:13], ts[14:16], int(stan) + 1)
        if rng.random() < 0.92:
            rec["mcc"] = T.M.txn_mcc or T.M.mcc
        if rc is not None:
            rec["response_code"] = rc
        if timed_out:
            rec["timed_out"] = True
        rec["latency_ms"] = int(lat)
        if rc == "00" and tx["type"] in ("purchase", "completion"):
            rate = T.M.qr_rate if tx["channel"] == "qr" else T.M.card_rate
            rec["fee"] = int(round(tx["amount"] * rate)) + T.M.fixed_fee
        if tx["pan"]:
            rec["pan"] = tx["pan"]
        self.out.add(tdone, rec, "txn", T.tid, rng.uniform(0, 2))
        return rec

    def timeout(self, t_send, tx, stan, cause, f):
        rng = self.rng
        to = self.v["to"]
        tdone = t_send + to / 1000.0
        rec = self.txn_rec(tdone, tx, stan, None, to, timed_out=True)
        self.fail(rec, tdone, cause, f, "timeout", stan)
        self.err(tdone + rng.uniform(0.5, 2.5), "TIMEOUT", cause, f, "recv timeout %dms" % to, stan)
        if tx["type"] != "reversal" and tx["type"] != "balance":
            self.push(tdone + rng.uniform(20, 90), "rev", dict(tx, stan0=stan))
        self.retry(tdone, tx, 0.6, 0.6)

    def reversal(self, t, tx):
        """a reversal only needs the network and the host"""
        T, rng = self.T, self.rng
        tx = dict(tx, type="reversal", tries=9)
        stan = self.next_stan()
        cf = self.act("config", t)
        if cf and cf.p["variant"] == "host_addr":
            self.push(t + rng.uniform(200, 600), "rev", tx) if rng.random() < 0.5 else None
            return
        rtt, loss, rssi, contrib = self.net(t)
        pf = [(c, ff, 1 - (1 - l) ** 2) for c, ff, l in contrib]
        keep = 1.0
        for _, _, p in pf:
            keep *= 1 - p
        if rng.random() < 1 - keep:
            x = rng.random() * sum(p for _, _, p in pf)
            for c, ff, p in pf:
                x -= p
                if x <= 0:
                    break
            return self.timeout(t, tx, stan, c, ff)
        acq = None
        for ff in self.faults:
            if ff.kind == "acquirer" and ff.on(t, T.tid):
                acq = ff
        lat = rng.lognormvariate(math.log(350), 0.3) + rtt * 4
        if acq:
            lat += acq.p["peak"] * clamp((t - acq.start) / max(acq.p["deg"], 1), 0, 1) ** 2 * rng.lognormvariate(0, .4)
            if lat > self.v["to"]:
                return self.timeout(t, tx, stan, acq.cause, acq)
            if acq.p["variant"] == "outage" and t >= acq.start + acq.p["deg"]:
                rec = self.txn_rec(t + lat / 1000.0, tx, stan, "96", lat)
                self.fail(rec, t + lat / 1000.0, acq.cause, acq, "96", stan)
                self.push(t + rng.uniform(300, 900), "rev", tx)
                return
        self.txn_rec(t + lat / 1000.0, tx, stan, "00", lat)

    def after_approval(self, tdone, tx, stan):
        T, rng = self.T, self.rng
        f = self.act("adapter", tdone)
        if f and rng.random() < 0.22 * f.ramp(tdone, T.tid, f.p["ramp"]):
            # printer motor pulls the sagging adapter under the brown-out threshold
            self.go_off(tdone + 2, rng.uniform(30, 70), "power_loss",
                        ("POWER", f.cause, f) if rng.random() < 0.7 else None)
            return
        f = self.act("battery", tdone)
        if f and self.batt < 45 and rng.random() < 0.1:
            # worn cell collapses under the printer's load: the handheld dies right after approval
            self.batt = 0.0
            self.go_off(tdone + 2, rng.uniform(3, 12) * 60, "power_loss",
                        ("BATTERY", f.cause, f) if rng.random() < 0.8 else None)
            self.batt = rng.uniform(6, 14)
            self.docked = True
            return
        f = self.act("printer", tdone)
        if f and rng.random() < 0.9:
            self.err(tdone + rng.uniform(1, 4), "PRINT", f.cause, f,
                     "缺纸 paper out" if f.p["variant"] == "paper_out" else "打印头过热/切刀故障", stan)
            return
        f = self.bug("print_crash", tdone)
        if f and rng.random() < f.p["trig"]:
            self.crashes += 1
            self.err(tdone + rng.uniform(1, 4), "APP", f.cause, f, "IllegalStateException in PrintService", stan)


# --------------------------------------------------------------------------
# people: maintenance, checks, complaints, resolutions
# --------------------------------------------------------------------------
CHECKS = {
    "power.supply": [("adapter_voltage", "V"), ("socket_tested", "ok"), ("ups_status", "fail")],
    "power.battery": [("battery_health", "%"), ("charger_ok", "ok")],
    "network.signal": [("signal_test", "dBm"), ("antenna_seated", "ok")],
    "network.lan": [("ping_gateway", "fail"), ("cable_seated", "ok"), ("router_restarted", "ok")],
    "network.carrier": [("sim_status", "ok"), ("carrier_hotline", "outage reported")],
    "software.bug": [("app_version", "ver"), ("app_reinstalled", "ok")],
    "software.incompatible": [("app_version", "ver"), ("host_spec_check", "fail")],
    "software.config": [("param_check", "fail"), ("param_download", "ok")],
    "transmission.corruption": [("cable_seated", "fail"), ("cable_replaced", "ok")],
    "security.keys": [("key_check", "mismatch"), ("key_download", "ok")],
    "security.certificate": [("cert_validity", "expired"), ("clock_check", "skew"), ("cert_updated", "ok")],
    "resource.storage": [("storage_free", "%"), ("log_cleanup", "ok")],
    "resource.memory": [("memory_check", "%"), ("background_apps_closed", "ok")],
    "resource.cpu": [("cpu_top", "proc"), ("background_apps_closed", "ok")],
    "hardware.keypad": [("keypad_test", "fail"), ("keypad_cleaned", "ok")],
    "hardware.display": [("screen_test", "fail")],
    "hardware.card_reader": [("card_reader_test", "fail"), ("reader_cleaned", "ok")],
    "hardware.printer": [("paper_loaded", "ok"), ("printer_test", "fail")],
    "hardware.board": [("self_test", "fail"), ("temperature", "C")],
    "operator.error": [("cashier_retrained", "ok")],
    "business.txn_type": [("merchant_product_config", "preauth disabled")],
    "business.limit": [("merchant_limit_config", "limit")],
    "business.risk": [("risk_status", "blocked")],
    "business.merchant": [("merchant_status", "frozen")],
    "upstream.acquirer": [("host_ping", "slow")],
    "upstream.issuer": [("issuer_status", "unavailable")],
}
NOTES = {
    "power.supply": "市电不稳/适配器输出异常，更换适配器或加装稳压后恢复 / unstable mains, adapter replaced",
    "power.battery": "电池老化，更换电池 / battery worn, replaced",
    "network.signal": "终端位置信号弱，调整位置/外接天线 / weak signal, relocated",
    "network.lan": "路由器重启后恢复 / recovered after router restart",
    "network.carrier": "运营商区域故障，恢复后正常 / carrier outage in area",
    "software.bug": "新版本缺陷，回退版本 / release defect, rolled back",
    "software.incompatible": "版本与主机不兼容，升级后恢复 / version not accepted by host, upgraded",
    "software.config": "终端参数错误，重新下载参数 / wrong terminal parameters, reloaded",
    "transmission.corruption": "数据线松动，重新插紧 / loose data cable reseated",
    "security.keys": "工作密钥不同步，重新签到下载密钥 / working keys re-downloaded",
    "security.certificate": "证书过期/时钟错误，更新证书 / certificate renewed",
    "resource.storage": "存储满，清理流水日志 / storage cleaned",
    "resource.memory": "内存耗尽，卸载后台应用 / memory exhausted, background apps removed",
    "resource.cpu": "后台进程占用CPU / runaway background process killed",
    "hardware.keypad": "键盘按键损坏，更换键盘膜 / keypad membrane replaced",
    "hardware.display": "屏幕排线故障，更换屏幕 / display replaced",
    "hardware.card_reader": "读卡模块故障，更换 / card reader replaced",
    "hardware.printer": "打印机缺纸/故障 / printer paper or head",
    "hardware.board": "主板元件损坏，返厂维修 / main board repaired",
    "operator.error": "新收银员操作不规范，已培训 / cashier retrained",
    "business.txn_type": "商户未开通该交易类型 / transaction type not enabled",
    "business.limit": "商户限额设置过低，已调整 / merchant limit corrected",
    "business.risk": "风控拦截，已人工审核解除 / risk block released after review",
    "business.merchant": "商户状态冻结/登记信息错误，已处理 / merchant status fixed",
    "upstream.acquirer": "收单主机故障 / acquirer host incident",
    "upstream.issuer": "发卡行系统故障 / issuer unavailable",
    "card.decline": "卡片批次过期 / card batch expired",
}
COMPLAINT_TEXT = {
    "hw": ["刷卡老是显示{code}，机器是不是坏了", "终端{code}报错好几次了，顾客排队", "pos机一直报{code}，请派人来看看"],
    "net": ["中午刷卡一直显示{code}，顾客只能扫码", "收款总是超时，{code}，网络没问题啊", "交易老是失败{code}，影响营业"],
    "biz": ["好几笔交易被拒，返回{code}，什么原因", "客人的卡刷不了，提示{code}", "为什么我们的交易全部失败({code})"],
    "cust": ["付款显示失败但是银行扣款了", "刷卡失败了两次，钱扣了吗", "在店里刷卡一直失败"],
}


def people(G, faults, world):
    rng = R(G.seed, "people")
    out = G.out
    fm = out.fmt
    nplus = 0
    # routine maintenance at opening
    for T in world.terms:
        if rng.random() < 0.3:
            t = rng.uniform(-1800, 2400)
            note = "电源、键盘、屏幕正常"
            for f in T.faults:
                if f.kind == "keypad" and f.start < t + 3600 and rng.random() < 0.6:
                    note = "个别按键偶尔不灵"
                if f.kind == "printer" and f.p.get("variant") == "fault" and f.start < t + 1800:
                    note = "打印偏淡"
            out.add(t, {"kind": "maintenance", "ts": fm(t, "+08:00"), "terminal_id": T.tid, "action": "daily_check",
                        "notes": note}, "people", T.tid, 0)
        elif rng.random() < 0.05:
            t = rng.uniform(0, W - 600)
            out.add(t, {"kind": "maintenance", "ts": fm(t, "+08:00"), "terminal_id": T.tid,
                        "action": rng.choice(["weekly_clean", "monthly_inspection"]),
                        "notes": rng.choice(["清洁读卡槽", "内部检查正常", "更换打印纸", ""])}, "people", T.tid, 0)
    # unrelated business complaints (fees, code jumping) and red-herring checks
    for M in world.merchants:
        if rng.random() < 0.04:
            t = rng.uniform(0, W)
            nplus += 1
            out.add(t, {"kind": "complaint", "ts": fm(t, "+08:00"), "complaint_id": "C-%s-%04d" % (G.seed, nplus),
                        "from": "merchant", "merchant_id": M.mid,
                        "text": rng.choice(["这个月手续费怎么变高了", "到账比以前慢", "交易记录里的商户类别不对，是不是跳码了",
                                            "扫码费率是多少，怎么和合同不一样"])}, "people", M.mid, 0)
    for S in world.sites:
        if rng.random() < 0.03:
            t = rng.uniform(0, W)
            out.add(t, {"kind": "check", "ts": fm(t, "+08:00"), "site_id": S.sid,
                        "name": rng.choice(["router_restarted", "cable_seated", "adapter_voltage"]),
                        "result": "ok"}, "people", S.sid, 0)
    for f in faults:
        evs = sorted(f.events)
        first = evs[0][0] if evs else None
        cause = f.cause
        # merchant complaints
        if evs and len(evs) >= 3 and f.kind not in ("card_batch",):
            mids = sorted({e[2] for e in evs})
            for mid in mids[:3]:
                mev = [e for e in evs if e[2] == mid]
                if len(mev) < 2 or rng.random() > 0.7:
                    continue
                t = mev[0][0] + rng.uniform(8, 45) * 60
                if t >= W + 1800:
                    continue
                grp = "hw" if cause.startswith(("hardware", "power", "resource", "software", "security")) else \
                    "net" if cause.startswith(("network", "transmission", "upstream")) else "biz"
                nplus += 1
                rec = {"kind": "complaint", "ts": fm(t, "+08:00"), "complaint_id": "C-%s-%04d" % (G.seed, nplus),
                       "from": "merchant", "merchant_id": mid}
                if rng.random() < 0.8:
                    rec["terminal_id"] = mev[0][1]
                rec["text"] = rng.choice(COMPLAINT_TEXT[grp]).format(code=mev[0][3])
                out.add(t, rec, "people", mid, 0)
        if evs and any(e[3] == "timeout" for e in evs) and rng.random() < 0.4:
            e = [e for e in evs if e[3] == "timeout"][0]
            t = e[0] + rng.uniform(20, 90) * 60
            nplus += 1
            out.add(t, {"kind": "complaint", "ts": fm(t, "+08:00"), "complaint_id": "C-%s-%04d" % (G.seed, nplus),
                        "from": "customer", "merchant_id": e[2], "terminal_id": e[1],
                        "text": rng.choice(COMPLAINT_TEXT["cust"])}, "people", e[2], 0)
        # technician checks and a resolution when the fault was fixed inside the window
        if f.end >= W or not evs or cause not in CHECKS:
            continue
        target_t = evs[0][1]
        T = world.tmap[target_t]
        sid = f.scope.get("site_id")
        tgt = {"site_id": sid} if sid else {"terminal_id": target_t}
        t = max(first + 60, f.end - rng.uniform(4, 20) * 60)
        for name, kind in CHECKS[cause]:
            t += rng.uniform(1, 5) * 60
            if kind == "V":
                nom = T.spec["volts"] or 5.0
                res = "%.2fV" % (nom * rng.choice([rng.uniform(0.8, 0.88), rng.uniform(1.12, 1.2)]))
            elif kind == "%":
                res = "%d%%" % rng.randint(1, 60) if name != "memory_check" else "%d%%" % rng.randint(93, 99)
            elif kind == "dBm":
                res = "%ddBm" % rng.randint(-116, -104)
            elif kind == "ver":
                res = f.p.get("newv") or f.scope.get("app_version") or f.scope.get("firmware") or T.app
            elif kind == "C":
                res = "%d" % rng.randint(62, 78)
            elif kind == "proc":
                res = rng.choice(["com.adpush.service 91%", "logd 88%", "com.sync.media 95%"])
            elif kind == "limit":
                res = "单笔限额%d元" % (f.p.get("limit", 10000) // 100)
            elif kind == "skew":
                res = "%+ds" % f.p.get("skew", 0)
            elif name == "merchant_status":
                res = f.p.get("variant", "frozen")
            elif name == "merchant_product_config":
                res = "%s disabled" % "/".join(f.p.get("types", ["preauth"]))
            elif name == "cert_validity" and f.p.get("variant") == "clock":
                res = "ok"
            elif name == "clock_check" and f.p.get("variant") == "expired":
                res = "ok"
            elif name == "key_check":
                res = "mismatch" if f.p.get("variant") != "missing" else "missing"
            else:
                res = kind
            c = {"kind": "check", "ts": fm(t, "+08:00")}
            c.update(tgt)
            c.update(name=name, result=res)
            out.add(t, c, "people", sid or target_t, 0)
        if rng.random() < 0.25 and cause.startswith("hardware"):
            out.add(t + 60, {"kind": "maintenance", "ts": fm(t + 60, "+08:00"), "terminal_id": target_t,
                             "action": rng.choice(["part_replaced", "repair"]), "notes": NOTES[cause].split(" / ")[0]},
                    "people", target_t, 0)
        if f.kind in ("sw_bug", "incompat", "config", "keys", "cert") and rng.random() < 0.4:
            out.add(t + 60, {"kind": "maintenance", "ts": fm(t + 60, "+08:00"), "terminal_id": target_t,
                             "action": "firmware_update", "notes": "回退/升级应用版本"}, "people", target_t, 0)
        if rng.random() < 0.65:
            t2 = max(t, f.end) + rng.uniform(3, 30) * 60
            rec = {"kind": "resolution", "ts": fm(t2, "+08:00")}
            rec.update(tgt)
            rec["cause"] = cause
            rec["notes"] = NOTES[cause]
            out.add(t2, rec, "people", sid or target_t, 0)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def generate(seed, outdir):
    world = build_world(seed)
    faults = plan_faults(seed, world)
    r = R(seed, "date")
    day = datetime(2026, 11, 1, 2, 0, 0, tzinfo=timezone.utc) + timedelta(days=r.randint(0, 40))
    G = Obj(seed=seed, out=Out(day), global_faults=[f for f in faults if f.kind in ("issuer", "card_batch")])
    # benign rollouts (confounders: a version change that breaks nothing)
    G.benign = []
    br = R(seed, "benign")
    free = sorted({t.model for t in world.terms} - world.rollout_models)
    for model in br.sample(free, min(len(free), br.randint(1, 2))):
        newv = NEXT_APP[model] + ".1"
        st = br.uniform(0.1, 0.7) * W
        G.benign.append((model, newv, {t.tid: st + br.uniform(0, 40) * 60 for t in world.terms
                                       if t.model == model and br.random() < 0.6}))
    for f in G.global_faults:
        f.terms_seen = set()
    out = G.out
    inv_t = -5 * 3600 - 1200
    fm = out.fmt
    for M in world.merchants:
        rec = {"kind": "merchant", "ts": fm(inv_t), "merchant_id": M.mid, "name": M.name, "mcc": M.mcc,
               "city": M.city, "settlement": M.settlement, "card_rate": M.card_rate, "qr_rate": M.qr_rate}
        if M.fixed_fee:
            rec["fixed_fee"] = M.fixed_fee
        out.add(inv_t, rec, "inv", "", 0)
    for S in world.sites:
        out.add(inv_t, {"kind": "site", "ts": fm(inv_t), "site_id": S.sid, "merchant_id": S.M.mid, "name": S.name,
                        "city": S.city, "lat": S.lat, "lon": S.lon}, "inv", "", 0)
    ir = R(seed, "inventory")
    for T in world.terms:
        rec = {"kind": "terminal", "ts": fm(inv_t), "terminal_id": T.tid, "serial": T.serial, "vendor": T.vendor,
               "model": T.model, "firmware": T.fw, "app_version": T.app, "merchant_id": T.M.mid, "site_id": T.S.sid,
               "network": T.net}
        if T.carrier:
            rec["carrier"] = T.carrier
        rec["host"] = T.host
        ce = getattr(T, "cert_exp", None)
        rec["cert_not_after"] = fm(ce) if ce is not None else T.cert
        rec["installed"] = T.installed
        if ir.random() < 0.06:   # messy inventory: some optional fields missing
            for k in ("app_version", "serial", "installed"):
                rec.pop(k, None)
        out.add(inv_t, rec, "inv", "", 0)
    for T in world.terms:
        TSim(G, T).run()
    people(G, faults, world)
    # truth
    truth = []
    for f in faults:
        scope = dict(f.scope)
        if f.kind == "cert" and f.p.get("variant") == "expired":
            scope["cert_not_after"] = fm(f.p["expiry"])
        terms = f.terms
        if f.kind in ("issuer", "card_batch"):
            terms = sorted(f.terms_seen)
        if "bins" in scope:
            scope["bins"] = list(scope["bins"])
        truth.append({"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": scope, "terminals": terms,
                      "start": fm(f.start), "end": fm(f.end), "n_events": len(f.events),
                      "mechanism": f.kind + ("/" + f.p["variant"] if isinstance(f.p.get("variant"), str) else "")})
    os.makedirs(outdir, exist_ok=True)
    recs = sorted(out.recs, key=lambda x: (x[0], x[1]))
    with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for _, _, r in recs))
    with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for r in truth:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, r in sorted(out.truth_ev, key=lambda x: (x[0], x[1])):
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(recs), len(faults), len(out.truth_ev)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    n, nf, ne = generate(a.seed, a.out)
    print("seed %s: %d records, %d faults, %d failed events -> %s" % (a.seed, n, nf, ne, a.out))


if __name__ == "__main__":
    main()
