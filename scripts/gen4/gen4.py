#!/usr/bin/env python3
"""gen4 -- an independent, blind test-data generator for posdoc record format v1.

Usage:  python3 gen4.py --seed N --out DIR

Writes DIR/records.jsonl (inventory + observations, the input of a diagnosis
system) and DIR/truth.jsonl (`truth` per injected fault, `truth_event` per
failed event).  Python 3 standard library only; deterministic per seed.

Written from FORMAT.md, example.jsonl and DIGEST.md only.  See README.md.
"""
import argparse
import bisect
import heapq
import json
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type",
    "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]

HOUR = 3600.0
MIN = 60.0

# --------------------------------------------------------------------------
# the world: cities, issuers, hosts
# --------------------------------------------------------------------------
CITIES = [
    # name, site prefix, MID area code, lat, lon
    ("shenzhen", "SZ", "4403", 22.54, 114.06),
    ("guangzhou", "GZ", "4401", 23.13, 113.26),
    ("shanghai", "SH", "3100", 31.23, 121.47),
    ("beijing", "BJ", "1100", 39.90, 116.40),
    ("hangzhou", "HZ", "3301", 30.27, 120.15),
    ("chengdu", "CD", "5101", 30.57, 104.07),
    ("wuhan", "WH", "4201", 30.59, 114.31),
    ("xian", "XA", "6101", 34.34, 108.94),
    ("nanjing", "NJ", "3201", 32.06, 118.80),
    ("changsha", "CS", "4301", 28.23, 112.94),
]
DISTRICTS = {
    "shenzhen": ["福田", "南山", "罗湖", "宝安", "龙华"],
    "guangzhou": ["天河", "越秀", "海珠", "番禺", "白云"],
    "shanghai": ["徐汇", "静安", "浦东", "长宁", "杨浦"],
    "beijing": ["朝阳", "海淀", "东城", "丰台", "西城"],
    "hangzhou": ["西湖", "上城", "拱墅", "滨江", "余杭"],
    "chengdu": ["锦江", "武侯", "青羊", "成华", "高新"],
    "wuhan": ["江汉", "武昌", "洪山", "汉阳", "江岸"],
    "xian": ["雁塔", "碑林", "未央", "莲湖", "新城"],
    "nanjing": ["鼓楼", "玄武", "秦淮", "建邺", "江宁"],
    "changsha": ["岳麓", "芙蓉", "天心", "开福", "雨花"],
}

ISSUERS = {
    # issuer: (weight, debit BINs, credit BINs)
    "icbc": (18, ["622202", "621226", "622208"], ["625330", "427020"]),
    "ccb": (16, ["621700", "622700"], ["436742", "625362"]),
    "abc": (13, ["622848", "622845", "622823"], ["625996"]),
    "boc": (10, ["621661", "601382"], ["456351", "625907"]),
    "cmb": (10, ["621483", "622588"], ["439225", "622575"]),
    "bocom": (6, ["622262", "601428"], ["521899"]),
    "psbc": (6, ["621799", "622188"], ["625919"]),
    "cib": (5, ["622909", "622908"], ["486861"]),
    "spdb": (4, ["622521", "622518"], ["625970"]),
    "citic": (4, ["622690", "621771"], ["433670"]),
    "cmbc": (4, ["622622", "621691"], ["415599"]),
    "rcb": (3, ["623058", "621530"], ["625088"]),
    "foreign": (1, [], ["453201", "542418", "356895"]),
}
ISSUER_NAMES = sorted(ISSUERS)
BIN_ISSUER = {}
for _iss, (_w, _d, _c) in ISSUERS.items():
    for _b in _d + _c:
        BIN_ISSUER[_b] = _iss

CARRIERS = ["cmcc", "unicom", "telecom"]
CARRIER_W = [0.55, 0.27, 0.18]

# response code meanings (CUPS-style field 39)
RC_TEXT = {
    "00": "承兑或交易成功", "03": "无效商户", "05": "不予承兑", "12": "无效交易",
    "13": "无效金额", "14": "无效卡号", "25": "找不到原始交易", "30": "报文格式错误",
    "34": "有作弊嫌疑", "40": "请求的功能尚不支持", "41": "挂失卡", "45": "不允许降级交易",
    "51": "余额不足", "54": "过期的卡", "55": "密码错", "57": "不允许持卡人进行的交易",
    "58": "不允许终端进行的交易", "59": "有作弊嫌疑", "61": "超出金额限制",
    "64": "原始金额错误", "65": "超出消费次数限制", "75": "允许的输入PIN次数超限",
    "91": "发卡方不能操作", "94": "重复交易", "96": "交换中心异常",
    "97": "终端号未登记", "98": "交换中心收不到发卡方应答", "99": "PIN格式错", "A0": "MAC校验错",
}

# --------------------------------------------------------------------------
# vendors: models, telemetry subsets, heartbeat periods, code tables
# --------------------------------------------------------------------------
SYMS = ["conn", "dns", "recv_to", "send", "tls", "cert_exp", "cert_untrusted", "mac",
        "keymiss", "unpack", "cardread", "nfc", "swipe", "pinpad", "paper", "prnfault",
        "lowbat", "selftest", "tamper", "storage", "journal_full", "crash", "oom", "slow",
        "display", "param", "abn_reboot", "oper"]


def _tbl(spec):
    out = {}
    for code, syms in spec:
        for s in syms.split():
            out[s] = code
    missing = [s for s in SYMS if s not in out]
    assert not missing, missing
    return out


VENDORS = {
    "pax": dict(
        hb=60, ts="Z", timeout=60, lang="mix", offline_marks=False, logs_rc=0.6, rc_fmt="{rc}",
        fields=["online", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
                "reboot", "storage_used_pct", "memory_used_pct", "key_check", "printer",
                "card_reader_errors"],
        models={
            "S90": dict(batt=True, v=9.0, nets=("cellular", "wifi", "ethernet"), android=False,
                        fw=["3.1.8", "3.2.0", "3.2.0", "3.2.2"], app=["5.0.9", "5.1.2", "5.1.2", "5.1.4"]),
            "A920": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=True,
                         fw=["PayDroid 7.1.3", "PayDroid 7.1.5", "PayDroid 7.1.5"], app=["6.2.0", "6.3.1", "6.3.1"]),
            "S58": dict(batt=False, v=12.0, nets=("ethernet",), android=False,
                        fw=["3.0.4", "3.0.6"], app=["5.1.2", "5.1.4"]),
        },
        codes=_tbl([("E1", "conn dns recv_to send"), ("E2", "unpack"), ("E3", "mac"),
                    ("E4", "keymiss tamper"), ("E5", "cardread nfc swipe"), ("E6", "paper"),
                    ("E7", "prnfault"), ("E8", "lowbat"), ("E9", "storage journal_full"),
                    ("E10", "tls cert_exp cert_untrusted"), ("E11", "param"), ("E12", "crash oom"),
                    ("E13", "pinpad"), ("E14", "selftest"), ("E15", "slow"), ("E16", "display"),
                    ("E17", "abn_reboot"), ("E18", "oper")]),
        serial=lambda r: "%010d" % r.randrange(1000000000, 9999999999),
    ),
    "newland": dict(
        hb=120, ts="+08", timeout=60, lang="zh", offline_marks=False, logs_rc=0.5, rc_fmt="R{rc}",
        fields=["online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "key_check", "printer",
                "keypad_errors", "clock_skew_s", "app_crashes", "memory_used_pct"],
        models={
            "N910": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=True,
                         fw=["2.8.1", "2.8.1", "2.9.0"], app=["3.4.0", "3.5.2", "3.5.2"]),
            "ME31": dict(batt=True, v=5.0, nets=("cellular",), android=False,
                         fw=["1.6.2", "1.6.5"], app=["2.2.7", "2.3.0"]),
            "SP630": dict(batt=False, v=12.0, nets=("ethernet", "wifi"), android=False,
                          fw=["4.0.1", "4.0.3"], app=["3.5.2"]),
        },
        codes=_tbl([("E1", "keymiss param storage journal_full tamper lowbat selftest"),
                    ("E2", "conn dns send recv_to"), ("E3", "unpack mac"), ("E4", "cardread nfc swipe"),
                    ("E6", "paper prnfault"), ("E7", "pinpad"), ("E8", "tls cert_exp cert_untrusted"),
                    ("E9", "crash oom slow display abn_reboot"), ("E10", "oper")]),
        serial=lambda r: "N%010d" % r.randrange(1000000000, 9999999999),
    ),
    "landi": dict(
        hb=300, ts="Z", timeout=45, lang="zh_en", offline_marks=True, logs_rc=0.0, rc_fmt="{rc}",
        fields=["online", "latency_ms", "supply_v", "power_events", "reboot", "printer", "temp_c",
                "storage_used_pct"],
        models={
            "A8": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=True,
                       fw=["A8-OS 2.1.0", "A8-OS 2.1.3"], app=["7.0.5", "7.1.0"]),
            "E350": dict(batt=False, v=9.0, nets=("ethernet", "wifi"), android=False,
                         fw=["1.09.2", "1.10.0"], app=["4.8.1", "4.9.0"]),
        },
        codes=_tbl([("E1", "tls cert_exp cert_untrusted mac keymiss tamper"), ("E2", "paper prnfault"),
                    ("E3", "conn dns send"), ("E4", "recv_to unpack"),
                    ("E5", "cardread nfc swipe pinpad"), ("E6", "lowbat selftest abn_reboot"),
                    ("E7", "storage journal_full crash oom slow"), ("E8", "param oper"),
                    ("E9", "display")]),
        # the legacy E350 firmware keeps the old table where E1 was "communication"
        model_codes={"E350": _tbl([("E1", "conn dns send recv_to"), ("E2", "unpack"),
                                   ("E3", "tls cert_exp cert_untrusted mac keymiss tamper"),
                                   ("E4", "paper prnfault"), ("E5", "cardread nfc swipe pinpad"),
                                   ("E6", "lowbat selftest abn_reboot"),
                                   ("E7", "storage journal_full crash oom slow"), ("E8", "param oper"),
                                   ("E9", "display")])},
        serial=lambda r: "LD%09d" % r.randrange(100000000, 999999999),
    ),
    "centerm": dict(
        hb=180, ts="+08", timeout=50, lang="zh", offline_marks=False, logs_rc=0.0, rc_fmt="{rc}",
        fields=["online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "storage_used_pct",
                "card_reader_errors", "keypad_errors", "reboot", "cpu_pct"],
        models={
            "K9": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=True,
                       fw=["K9-5.2.0", "K9-5.2.4"], app=["2.0.3", "2.1.0"]),
            "C960": dict(batt=False, v=12.0, nets=("ethernet",), android=False,
                         fw=["6.3.11", "6.3.15"], app=["2.1.0"]),
        },
        codes=_tbl([("E1", "cardread nfc swipe"), ("E2", "paper prnfault"), ("E3", "pinpad"),
                    ("E4", "conn dns send recv_to"), ("E5", "mac unpack keymiss"),
                    ("E6", "tls cert_exp cert_untrusted"),
                    ("E7", "crash oom slow storage journal_full display"),
                    ("E8", "lowbat selftest abn_reboot tamper"), ("E9", "param oper")]),
        serial=lambda r: "CT%08d" % r.randrange(10000000, 99999999),
    ),
    "sunmi": dict(
        hb=60, ts="Zms", timeout=30, lang="en", offline_marks=False, logs_rc=0.7, rc_fmt="H{rc}",
        fields=["online", "rssi_dbm", "latency_ms", "battery_pct", "cpu_pct", "memory_used_pct",
                "storage_used_pct", "temp_c", "app_crashes", "reboot", "printer", "clock_skew_s",
                "packet_loss"],
        models={
            "P2": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=True,
                       fw=["SUNMI OS 3.4.12", "SUNMI OS 3.5.1", "SUNMI OS 3.5.1"], app=["1.8.4", "1.9.0", "1.9.0"]),
            "P2PRO": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=True,
                          fw=["SUNMI OS 3.5.1", "SUNMI OS 3.6.0"], app=["1.9.0", "1.9.2"]),
        },
        codes=_tbl([("1001", "conn send"), ("1002", "recv_to"), ("1003", "unpack"), ("1004", "dns"),
                    ("4001", "tls cert_exp"), ("4005", "cert_untrusted"), ("4002", "mac"),
                    ("4003", "keymiss"), ("4004", "tamper"), ("2001", "cardread"), ("2002", "swipe"),
                    ("2003", "nfc"), ("2005", "pinpad"), ("3001", "paper"), ("3002", "prnfault"),
                    ("5001", "storage journal_full"), ("5003", "slow"), ("E1", "crash oom"),
                    ("6001", "lowbat"), ("6002", "selftest"), ("6003", "display"),
                    ("6004", "abn_reboot"), ("7001", "param"), ("7002", "oper")]),
        serial=lambda r: "P2%012d" % r.randrange(10 ** 11, 10 ** 12 - 1),
    ),
    "ingenico": dict(
        hb=240, ts="Z", timeout=40, lang="en", offline_marks=True, logs_rc=0.0, rc_fmt="{rc}",
        fields=["online", "latency_ms", "packet_loss", "supply_v", "key_check", "printer", "reboot",
                "power_events", "clock_skew_s", "keypad_errors", "card_reader_errors"],
        models={
            "Desk3500": dict(batt=False, v=12.0, nets=("ethernet",), android=False,
                             fw=["11.16.04", "11.18.02"], app=["TETRA 3.2", "TETRA 3.3"]),
            "Move5000": dict(batt=True, v=5.0, nets=("cellular", "wifi"), android=False,
                             fw=["11.18.02", "11.20.00"], app=["TETRA 3.3"]),
        },
        codes=_tbl([("E1", "tls cert_exp cert_untrusted"), ("E2", "conn dns send"), ("E3", "recv_to"),
                    ("E4", "mac"), ("E5", "keymiss tamper"), ("E6", "cardread"), ("E13", "nfc"),
                    ("E14", "swipe"), ("E7", "paper"), ("E8", "prnfault"), ("E9", "lowbat"),
                    ("E10", "storage journal_full"), ("E11", "crash oom slow"), ("E12", "unpack"),
                    ("E15", "pinpad"), ("E16", "selftest abn_reboot"), ("E17", "display"),
                    ("E18", "param oper")]),
        serial=lambda r: "%03d%09d" % (r.randrange(100, 999), r.randrange(10 ** 8, 10 ** 9 - 1)),
    ),
    "tianbo": dict(
        hb=600, ts="+08", timeout=60, lang="zh_only", offline_marks=False, logs_rc=0.8, rc_fmt="E{rc}",
        fields=["online", "rssi_dbm", "supply_v", "battery_pct", "reboot", "printer"],
        models={
            "TB-60": dict(batt=True, v=5.0, nets=("cellular",), android=False,
                          fw=["TB2.0.5", "TB2.1.0"], app=["1.2.3", "1.3.0"]),
            "TB-80": dict(batt=False, v=12.0, nets=("ethernet", "wifi"), android=False,
                          fw=["TB2.1.0"], app=["1.3.0"]),
        },
        codes=_tbl([("E01", "conn send"), ("E02", "recv_to"), ("E03", "dns"), ("E04", "unpack"),
                    ("E05", "mac"), ("E06", "keymiss"), ("E07", "cardread nfc swipe"), ("E08", "pinpad"),
                    ("E09", "paper"), ("E10", "prnfault"), ("E11", "lowbat"), ("E12", "tamper selftest"),
                    ("E13", "tls cert_exp cert_untrusted"), ("E14", "storage journal_full"),
                    ("E15", "crash oom slow"), ("E16", "param"), ("E17", "display"),
                    ("E18", "abn_reboot"), ("E19", "oper")]),
        serial=lambda r: "TB%08d" % r.randrange(10 ** 7, 10 ** 8 - 1),
    ),
}
VENDOR_W = {"pax": 26, "newland": 20, "landi": 13, "centerm": 10, "sunmi": 14, "ingenico": 6, "tianbo": 11}

SYM_TEXT = {
    "conn": ("连接主机失败", "connect to host failed"),
    "dns": ("域名解析失败", "host name resolution failed"),
    "recv_to": ("接收超时", "receive timeout"),
    "send": ("发送数据失败", "send failed"),
    "tls": ("SSL握手失败", "TLS handshake failed"),
    "cert_exp": ("证书校验失败(有效期)", "certificate validity check failed"),
    "cert_untrusted": ("服务器证书不受信任", "server certificate not trusted"),
    "mac": ("MAC校验错", "MAC verification failed"),
    "keymiss": ("工作密钥不存在,请重新签到", "working key not present, please sign on"),
    "unpack": ("接收数据解包失败", "response unpack failed"),
    "cardread": ("IC卡读卡失败,请重新插卡", "chip card read failed, reinsert"),
    "nfc": ("非接卡读卡失败", "contactless read failed"),
    "swipe": ("磁条读取失败,请重刷", "magstripe read failed"),
    "pinpad": ("密码键盘无响应", "PIN pad not responding"),
    "paper": ("打印机缺纸", "printer out of paper"),
    "prnfault": ("打印机故障", "printer error"),
    "lowbat": ("电量低,请充电后交易", "battery low, charge before transacting"),
    "selftest": ("终端自检失败", "power-on self test failed"),
    "tamper": ("安全模块触发,密钥已清除", "tamper detected, keys erased"),
    "storage": ("存储空间不足", "file system full"),
    "journal_full": ("交易流水已满,请先结算", "transaction log full, settle first"),
    "crash": ("应用异常退出", "application terminated unexpectedly"),
    "oom": ("内存不足", "out of memory"),
    "slow": ("操作超时,系统繁忙", "operation timed out, system busy"),
    "display": ("显示屏异常", "display error"),
    "param": ("终端参数错误", "terminal parameter error"),
    "abn_reboot": ("异常重启,上笔交易未完成", "abnormal restart, last transaction incomplete"),
    "oper": ("操作错误", "operation error"),
}
SYM_MOD = {
    "conn": "COMM", "dns": "COMM", "recv_to": "COMM", "send": "COMM", "unpack": "COMM",
    "tls": "SSL", "cert_exp": "SSL", "cert_untrusted": "SSL", "mac": "SEC", "keymiss": "SEC",
    "tamper": "SEC", "cardread": "ICC", "nfc": "PICC", "swipe": "MSR", "pinpad": "PED",
    "paper": "PRN", "prnfault": "PRN", "lowbat": "PWR", "selftest": "SYS", "abn_reboot": "SYS",
    "storage": "FS", "journal_full": "DB", "crash": "APP", "oom": "APP", "slow": "APP",
    "display": "LCD", "param": "CFG", "oper": "UI",
}
STAGE_OF = {
    "conn": "connect", "dns": "connect", "recv_to": "receive", "send": "send", "unpack": "receive",
    "tls": "tls", "cert_exp": "tls", "cert_untrusted": "tls", "mac": "mac", "keymiss": "mac",
    "tamper": "power_on", "cardread": "card_read", "nfc": "card_read", "swipe": "card_read",
    "pinpad": "pin", "paper": "print", "prnfault": "print", "lowbat": "app", "selftest": "power_on",
    "abn_reboot": "power_on", "storage": "app", "journal_full": "app", "crash": "app", "oom": "app",
    "slow": "app", "display": "app", "param": "connect", "oper": "app",
}

# --------------------------------------------------------------------------
# merchant categories and traffic shapes
# --------------------------------------------------------------------------
CATS = {
    # key: mcc, words, shape, rate/h per terminal, amount median fen, sigma, sites, terms/site,
    #      channel mix, network mix (eth, wifi, cell), portable share, weight
    "restaurant": dict(mcc="5812", words=["面馆", "小厨", "食府", "酒家", "粥铺", "火锅"], shape="meal",
                       rate=6.0, amt=9000, sig=0.6, sites=(1, 3), tps=(1, 3),
                       ch={"qr": .64, "card_ic": .18, "nfc": .14, "card_swipe": .04},
                       net=(.4, .35, .25), port=.5, w=18),
    "fastfood": dict(mcc="5814", words=["汉堡", "快餐", "包子铺", "米粉"], shape="meal", rate=11.0,
                     amt=3200, sig=0.4, sites=(1, 4), tps=(1, 3),
                     ch={"qr": .72, "card_ic": .12, "nfc": .14, "card_swipe": .02},
                     net=(.55, .25, .2), port=.2, w=10),
    "supermarket": dict(mcc="5411", words=["超市", "生活超市", "购物广场"], shape="retail", rate=13.0,
                        amt=8800, sig=0.9, sites=(1, 3), tps=(3, 8),
                        ch={"qr": .55, "card_ic": .27, "nfc": .15, "card_swipe": .03},
                        net=(.85, .1, .05), port=.05, w=9),
    "convenience": dict(mcc="5499", words=["便利店", "便民店", "烟酒店"], shape="conv", rate=8.0,
                        amt=2400, sig=0.7, sites=(1, 5), tps=(1, 2),
                        ch={"qr": .7, "card_ic": .14, "nfc": .14, "card_swipe": .02},
                        net=(.3, .4, .3), port=.3, w=12),
    "pharmacy": dict(mcc="5912", words=["大药房", "医药", "药店"], shape="office", rate=3.0,
                     amt=6000, sig=0.8, sites=(1, 3), tps=(1, 2),
                     ch={"qr": .5, "card_ic": .35, "nfc": .1, "card_swipe": .05},
                     net=(.5, .3, .2), port=.2, w=7),
    "clothing": dict(mcc="5651", words=["服饰", "女装", "鞋业"], shape="retail", rate=1.5,
                     amt=32000, sig=0.7, sites=(1, 2), tps=(1, 1),
                     ch={"qr": .5, "card_ic": .35, "nfc": .12, "card_swipe": .03},
                     net=(.2, .45, .35), port=.4, w=7),
    "electronics": dict(mcc="5732", words=["数码", "电器", "手机通讯"], shape="retail", rate=0.9,
                        amt=260000, sig=0.8, sites=(1, 2), tps=(1, 2),
                        ch={"qr": .3, "card_ic": .55, "nfc": .1, "card_swipe": .05},
                        net=(.5, .3, .2), port=.2, w=4),
    "hotel": dict(mcc="7011", words=["酒店", "宾馆", "商务酒店"], shape="flat", rate=0.9, amt=52000,
                  sig=0.5, sites=(1, 1), tps=(1, 2),
                  ch={"qr": .3, "card_ic": .6, "nfc": .07, "card_swipe": .03},
                  net=(.7, .2, .1), port=.2, w=4),
    "gas": dict(mcc="5541", words=["加油站"], shape="gas", rate=9.0, amt=26000, sig=0.4,
                sites=(1, 2), tps=(2, 4), ch={"qr": .45, "card_ic": .42, "nfc": .1, "card_swipe": .03},
                net=(.8, .1, .1), port=.1, w=3),
    "beauty": dict(mcc="7230", words=["美发", "美容", "美甲"], shape="office", rate=1.0, amt=15000,
                   sig=0.7, sites=(1, 2), tps=(1, 1), ch={"qr": .65, "card_ic": .25, "nfc": .08, "card_swipe": .02},
                   net=(.1, .45, .45), port=.6, w=5),
    "taxi": dict(mcc="4121", words=["出租汽车", "客运"], shape="taxi", rate=2.4, amt=3600, sig=0.5,
                 sites=(3, 7), tps=(1, 1), ch={"qr": .68, "card_ic": .1, "nfc": .2, "card_swipe": .02},
                 net=(0, 0, 1.0), port=1.0, w=3),
    "jewelry": dict(mcc="5944", words=["珠宝", "金行"], shape="retail", rate=0.4, amt=420000, sig=0.9,
                    sites=(1, 1), tps=(1, 2), ch={"qr": .25, "card_ic": .6, "nfc": .1, "card_swipe": .05},
                    net=(.6, .3, .1), port=.1, w=2),
    "bakery": dict(mcc="5462", words=["面包坊", "烘焙", "蛋糕店"], shape="conv", rate=5.0, amt=2800,
                   sig=0.5, sites=(1, 4), tps=(1, 2), ch={"qr": .72, "card_ic": .1, "nfc": .16, "card_swipe": .02},
                   net=(.3, .5, .2), port=.2, w=5),
}
NAME_PREFIX = ["老街", "金桥", "福满", "鸿运", "四季", "阿明", "好邻居", "一品", "大福", "江南", "和顺",
               "同心", "新世纪", "万家乐", "明珠", "东方", "南山", "云顶", "晨光", "百佳", "悦来", "聚福",
               "小林", "味道", "嘉禾", "开心", "华联", "鑫源", "美家", "康宁", "佳佳", "顺发", "锦绣"]


def shape_factor(shape, h):
    """traffic multiplier at local hour h (float)."""
    def bump(c, w):
        return math.exp(-((h - c) / w) ** 2)
    if shape == "meal":
        return 0.25 + 0.4 * bump(8, 1.0) + 2.8 * bump(12.3, 0.9) + 2.2 * bump(18.8, 1.2) + 0.3 * (9 < h < 21)
    if shape == "retail":
        return (0.15 if h < 9 or h > 22 else 0.9) + 0.4 * bump(12.5, 1.2) + 0.9 * bump(19.5, 1.5)
    if shape == "conv":
        return 0.5 + 1.0 * bump(8, 0.8) + 0.8 * bump(12.5, 0.8) + 0.8 * bump(18.5, 1.0)
    if shape == "office":
        return (0.1 if h < 9 or h > 21 else 1.0) + 0.3 * bump(15, 2)
    if shape == "gas":
        return 0.5 + 0.9 * bump(8, 1.0) + 0.8 * bump(18, 1.2)
    if shape == "taxi":
        return 0.4 + 1.2 * bump(8.5, 1.0) + 0.6 * bump(12.5, 1.0) + 1.2 * bump(18.3, 1.2)
    return 0.8 + 0.2 * bump(14, 3)


def wchoice(rng, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def clamp(x, a, b):
    return a if x < a else b if x > b else x


def in_eps(eps, t):
    """eps: sorted list of (a, b); is t inside one?"""
    if not eps:
        return False
    i = bisect.bisect_right(eps, (t, float("inf"))) - 1
    return i >= 0 and eps[i][0] <= t < eps[i][1]


def make_eps(rng, a, b, gap, dur):
    """random on-episodes between a and b: gaps ~exp(gap), durations ~U(dur)."""
    out = []
    t = a + rng.expovariate(1.0 / gap) * 0.5
    while t < b:
        d = rng.uniform(*dur)
        out.append((t, min(b, t + d)))
        t += d + rng.expovariate(1.0 / gap)
    return out


# --------------------------------------------------------------------------
# faults
# --------------------------------------------------------------------------
class Fault:
    def __init__(self, kind, cause, variant, scope, tids, start, end, onset="abrupt", ramp=0.0,
                 level=1.0, **params):
        self.fid = None
        self.kind = kind
        self.cause = cause
        self.variant = variant
        self.scope = scope
        self.tids = list(tids)
        self.tidset = set(self.tids)
        self.start = start
        self.end = end
        self.onset = onset
        self.ramp = ramp
        self.level = level
        self.p = params
        self.eps = None
        self.t_on = {}
        self.t_off = {}
        self.exposed = set()
        self.n_events = 0
        self.first_event = None
        self.codes = {}

    def sev(self, t, tid=None):
        if t < self.start or t >= self.end:
            return 0.0
        if self.t_on:
            a = self.t_on.get(tid)
            if a is None or t < a:
                return 0.0
            b = self.t_off.get(tid)
            if b is not None and t >= b:
                return 0.0
        if self.eps is not None and not in_eps(self.eps, t):
            return 0.0
        s = self.level
        if self.onset == "gradual" and self.ramp > 0:
            t0 = self.start
            if self.t_on and tid in self.t_on:
                t0 = max(t0, self.t_on[tid])
            s *= clamp((t - t0) / self.ramp, 0.08, 1.0)
        return s

    def note(self, tid, t, code):
        self.exposed.add(tid)
        self.n_events += 1
        if self.first_event is None or t < self.first_event:
            self.first_event = t
        self.codes.setdefault(tid, {})
        self.codes[tid][code] = self.codes[tid].get(code, 0) + 1


# --------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------
class Gen:
    def __init__(self, seed, n_terminals=300, hours=6.0, n_faults=20, bad_lines=0):
        self.seed = seed
        self.rng = random.Random("gen4/world/%s" % seed)
        self.n_target = n_terminals
        self.W = hours * HOUR
        self.n_faults = n_faults
        self.bad_lines = bad_lines
        r = self.rng
        day = datetime(2026, 1, 5, tzinfo=timezone.utc) + timedelta(days=r.randrange(0, 330))
        self.local_start = r.choice([7.5, 8, 9, 9.5, 10, 10.5, 11, 12, 13, 14])
        self.w0 = day + timedelta(hours=self.local_start - 8)
        self.out = []      # (sort key, seq, record)
        self.truth_ev = []
        self.seq = 0

    # -- time --------------------------------------------------------------
    def ts(self, t, style):
        dt = self.w0 + timedelta(seconds=t)
        if style == "Zms":
            return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)
        if style == "+08":
            return (dt + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")

    def lhour(self, t):
        return self.local_start + t / HOUR

    def emit(self, t, rec, delay=0.0):
        self.seq += 1
        self.out.append((t + delay, self.seq, rec))

    def truth_event(self, rec, cause, fault, code):
        te = {"kind": "truth_event", "ts": rec["ts"], "terminal_id": rec["terminal_id"], "cause": cause,
              "code": code}
        if rec.get("stan"):
            te["stan"] = rec["stan"]
        te["event"] = rec["kind"]
        if fault is not None:
            te["fault_id"] = fault.fid
        self.truth_ev.append((self._tsec(rec), te))

    def _tsec(self, rec):
        return rec["_t"]

    # -- world -------------------------------------------------------------
    def build_world(self):
        r = self.rng
        ncity = r.choice([3, 4, 4, 5])
        self.cities = r.sample(CITIES, ncity)
        self.city_w = [r.uniform(0.6, 2.0) for _ in self.cities]
        self.city_w[0] *= 1.8
        nh = r.choice([2, 3, 3, 4])
        self.hosts = ["H%d" % i for i in range(1, nh + 1)]
        self.host_tls = {h: (r.random() < 0.85) for h in self.hosts}
        self.host_tls[self.hosts[0]] = True
        self.host_style = {h: r.choice(["+08", "+08", "Z"]) for h in self.hosts}
        self.host_cur = {h: r.choice(["CNY", "CNY", "156"]) for h in self.hosts}
        self.host_ip = {h: "203.0.113.%d" % r.randrange(10, 250) for h in self.hosts}
        self.host_port = {h: r.choice([5000, 6001, 8583, 9001]) for h in self.hosts}
        self.merchants, self.sites, self.terms = [], [], []
        self.by_site, self.by_merchant = {}, {}
        used_tids = set()
        mseq = r.randrange(10, 200)
        cats = sorted(CATS)
        cw = [CATS[c]["w"] for c in cats]
        while len(self.terms) < self.n_target:
            cat = wchoice(r, cats, cw)
            C = CATS[cat]
            ci = r.choices(range(len(self.cities)), weights=self.city_w)[0]
            city, cpre, area, clat, clon = self.cities[ci]
            mseq += r.randrange(1, 9)
            mid = "898%s%s%04d" % (area, C["mcc"], mseq % 10000)
            name = r.choice(NAME_PREFIX) + r.choice(C["words"])
            host = r.choice(self.hosts)
            direct = r.random() < 0.8
            card_rate = r.choice([0.006, 0.006, 0.0055, 0.006, 0.0058]) if direct else r.choice([0.006, 0.0063, 0.0068])
            qr_rate = r.choice([0.0038, 0.0038, 0.0035, 0.0038]) if direct else r.choice([0.0038, 0.0045])
            fixed_fee = 0 if r.random() < 0.92 else r.choice([20, 30, 50])
            M = dict(mid=mid, name=name, cat=cat, mcc=C["mcc"], city=city, host=host, direct=direct,
                     card_rate=card_rate, qr_rate=qr_rate, fixed_fee=fixed_fee, sites=[], tids=[],
                     jump_mcc=(r.choice(["5331", "8062", "5411", "7011", "5300"]) if (not direct and r.random() < 0.25) else None),
                     vendor=wchoice(r, sorted(VENDOR_W), [VENDOR_W[v] for v in sorted(VENDOR_W)]),
                     rate_mult=math.exp(r.gauss(0, 0.45)))
            self.merchants.append(M)
            self.by_merchant[mid] = M
            nsites = r.randint(*C["sites"])
            for si in range(nsites):
                sid = "%s-%03d-%d" % (cpre, mseq % 1000, si + 1)
                dist = r.choice(DISTRICTS[city])
                S = dict(sid=sid, mid=mid, city=city, name="%s %s店" % (name, dist),
                         lat=round(clat + r.uniform(-0.12, 0.12), 4), lon=round(clon + r.uniform(-0.12, 0.12), 4),
                         tids=[], busy=math.exp(r.gauss(0, 0.35)))
                if cat == "taxi":
                    S["name"] = "%s %s车队" % (name, dist)
                M["sites"].append(sid)
                self.sites.append(S)
                self.by_site[sid] = S
                nt = r.randint(*C["tps"])
                for k in range(nt):
                    T = self._make_terminal(r, M, S, C, cat, k, used_tids)
                    self.terms.append(T)
                    S["tids"].append(T["tid"])
                    M["tids"].append(T["tid"])
        self.T = {T["tid"]: T for T in self.terms}
        self.tids = [T["tid"] for T in self.terms]

    def _make_terminal(self, r, M, S, C, cat, k, used):
        vendor = M["vendor"] if r.random() < 0.8 else wchoice(r, sorted(VENDOR_W), [VENDOR_W[v] for v in sorted(VENDOR_W)])
        V = VENDORS[vendor]
        eth, wifi, cell = C["net"]
        portable = r.random() < C["port"]
        if portable:
            net = "cellular" if r.random() < (cell + 0.3) / (cell + wifi + 0.3) else "wifi"
        else:
            net = wchoice(r, ["ethernet", "wifi", "cellular"], [eth + 1e-6, wifi + 1e-6, cell + 1e-6])
        cands = [m for m, md in sorted(V["models"].items()) if net in md["nets"] and (md["batt"] or not portable)]
        if not cands:
            cands = [m for m, md in sorted(V["models"].items()) if net in md["nets"]]
        if not cands:
            net = sorted(V["models"].items())[0][1]["nets"][0]
            cands = [sorted(V["models"])[0]]
        model = r.choice(cands)
        md = V["models"][model]
        if not md["batt"]:
            portable = False
        while True:
            tid = "%02d%06d" % (r.randrange(10, 99), r.randrange(0, 999999))
            if tid not in used:
                used.add(tid)
                break
        carrier = wchoice(r, CARRIERS, CARRIER_W) if net == "cellular" else None
        host = M["host"] if r.random() < 0.93 else r.choice(self.hosts)
        tls = self.host_tls[host]
        inst = self.w0 - timedelta(days=r.randrange(20, 1400))
        cert_na = None
        if tls:
            cert_na = (self.w0 + timedelta(days=r.randrange(40, 900))).replace(hour=0, minute=0, second=0, microsecond=0)
        base_rate = C["rate"] * M["rate_mult"] * S["busy"] * (0.55 if portable and cat in ("restaurant",) else 1.0)
        if cat == "supermarket" and k >= 5:
            base_rate *= 0.5  # the far lanes open less
        T = dict(tid=tid, vendor=vendor, model=model, serial=V["serial"](r), fw=r.choice(md["fw"]),
                 app=r.choice(md["app"]), mid=M["mid"], sid=S["sid"], net=net, carrier=carrier, host=host,
                 tls=tls, cert_na=cert_na, installed=inst.strftime("%Y-%m-%d"), batt=md["batt"], portable=portable,
                 vnom=md["v"], android=md["android"], cat=cat, city=M["city"], rate=base_rate,
                 hb=V["hb"] * r.uniform(0.97, 1.03), hb_phase=r.uniform(0, V["hb"]),
                 vfac=r.uniform(0.98, 1.035), base_rssi=(r.uniform(-88, -62) if net == "cellular" else r.uniform(-72, -45)),
                 base_lat={"ethernet": r.uniform(18, 55), "wifi": r.uniform(30, 110), "cellular": r.uniform(70, 260)}[net],
                 storage=r.uniform(18, 82), mem=r.uniform(28, 66), cpu=r.uniform(4, 30), temp=r.uniform(30, 42),
                 pinpad_ext=(not md["android"] and not portable and r.random() < 0.35),
                 skew=r.uniform(-4, 4), cashier_attn=r.uniform(0.6, 1.0), timeout=V["timeout"],
                 # inventory quirks: sometimes the export misses optional fields
                 inv_drop=set(x for x in ("carrier", "host", "cert_not_after", "app_version", "site_id")
                              if r.random() < 0.04))
        return T

    # -- fault selection -----------------------------------------------------
    CAUSE_KINDS = {
        "hardware.keypad": ["keypad"], "hardware.display": ["display"],
        "hardware.card_reader": ["card_reader"], "hardware.printer": ["printer_paper", "printer_fault"],
        "hardware.board": ["board"], "power.supply": ["site_power", "adapter", "site_power"],
        "power.battery": ["battery"], "network.signal": ["signal"], "network.lan": ["site_lan", "lan_cable", "site_lan"],
        "network.carrier": ["carrier"], "software.bug": ["fw_bug", "app_bug"],
        "software.incompatible": ["incompat"], "software.config": ["config_single", "config_push"],
        "transmission.corruption": ["corruption"], "security.keys": ["keys_single", "keys_merchant"],
        "security.certificate": ["cert_batch", "clock", "cert_untrusted"], "resource.storage": ["storage"],
        "resource.memory": ["memory"], "resource.cpu": ["cpu"], "operator.error": ["operator"],
        "business.txn_type": ["txn_type"], "business.limit": ["limit"], "business.risk": ["risk"],
        "business.merchant": ["merchant_frozen", "merchant_misreg"],
        "upstream.acquirer": ["acq_down", "acq_degraded"], "upstream.issuer": ["issuer"],
    }
    FLEET_KINDS = {"site_power", "site_lan", "carrier", "fw_bug", "app_bug", "incompat", "config_push",
                   "keys_merchant", "cert_batch", "cert_untrusted", "txn_type", "limit", "risk",
                   "merchant_frozen", "merchant_misreg", "acq_down", "acq_degraded", "issuer"}
    EXTRA_W = {"site_power": 4, "site_lan": 5, "carrier": 3, "acq_degraded": 2, "acq_down": 2, "issuer": 2,
               "printer_paper": 5, "printer_fault": 2, "signal": 5, "operator": 3, "card_reader": 3,
               "keypad": 2, "battery": 3, "adapter": 2, "lan_cable": 2, "fw_bug": 1.5, "app_bug": 1,
               "merchant_frozen": 1, "risk": 1.5, "limit": 1, "txn_type": 1, "keys_single": 1.5,
               "config_single": 1.5, "corruption": 1, "memory": 1, "storage": 1, "cpu": 1, "clock": 1,
               "board": 1, "display": 1, "cert_batch": 1, "incompat": 1, "config_push": 0.5,
               "keys_merchant": 0.5, "cert_untrusted": 0.5, "merchant_misreg": 0.5}

    def choose_kinds(self):
        r = random.Random("gen4/kinds/%s" % self.seed)
        order = sorted(self.CAUSE_KINDS)
        random.Random("gen4/rotation").shuffle(order)
        n = len(order)
        half = 16
        s = int(self.seed) if str(self.seed).lstrip("-").isdigit() else sum(map(ord, str(self.seed)))
        causes = [order[(half * s + i) % n] for i in range(half)]
        kinds = [r.choice(self.CAUSE_KINDS[c]) for c in causes]
        ks = sorted(self.EXTRA_W)
        while len(kinds) < self.n_faults:
            kinds.append(wchoice(r, ks, [self.EXTRA_W[k] for k in ks]))
        nfleet = sum(1 for k in kinds if k in self.FLEET_KINDS)
        while nfleet < 7:
            k = wchoice(r, ["site_power", "site_lan", "carrier", "acq_degraded", "issuer", "risk"], [3, 3, 2, 1, 1, 1])
            # replace a non-fleet extra
            for i in range(len(kinds) - 1, half - 1, -1):
                if kinds[i] not in self.FLEET_KINDS:
                    kinds[i] = k
                    break
            else:
                kinds.append(k)
            nfleet += 1
        r.shuffle(kinds)
        return kinds, r

    def schedule_faults(self):
        kinds, r = self.choose_kinds()
        self.frng = r
        self.faults = []
        self.used_sites = {}     # sid -> list of fault kinds (site-wide)
        self.used_terms = {}     # tid -> list of single kinds
        self.used_merch = set()
        self.cert_groups = []
        # site-wide faults first so single faults can overlap with them
        prio = {k: (0 if k in ("site_power", "site_lan") else 1) for k in kinds}
        for k in sorted(kinds, key=lambda k: prio[k]):
            f = getattr(self, "f_" + k)(r)
            if f is None:
                continue
            self.faults.append(f)
        # micro faults: short, a handful of failures
        for _ in range(r.choice([1, 2, 2, 3])):
            f = self.f_signal(r, micro=True) if r.random() < 0.6 else self.f_lan_cable(r, micro=True)
            if f is not None:
                self.faults.append(f)
        self.faults.sort(key=lambda f: (f.start, f.kind))
        for i, f in enumerate(self.faults):
            f.fid = "F%02d-%s" % (i + 1, self.seed)
        self.tfaults = {tid: [] for tid in self.tids}
        for f in self.faults:
            for tid in f.tids:
                self.tfaults[tid].append(f)

    # helpers for placement
    def _window_times(self, r, dur, pre=1.5 * HOUR, lo=None):
        lo = -pre if lo is None else lo
        start = r.uniform(lo, self.W - 45 * MIN)
        d = r.uniform(*dur)
        end = start + d
        if end < 10 * MIN:
            end = 10 * MIN + r.uniform(0, 30 * MIN)
        return start, end

    def _pick_term(self, r, pred, prefer_busy=True, overlap=0.3):
        cands = [T for T in self.terms if pred(T) and len(self.used_terms.get(T["tid"], [])) < 1]
        if not cands:
            cands = [T for T in self.terms if pred(T)]
        if not cands:
            return None
        if self.used_sites and r.random() < overlap:
            ov = [T for T in cands if T["sid"] in self.used_sites]
            if ov:
                cands = ov
        if prefer_busy and r.random() < 0.8:
            w = [min(T["rate"], 15) + 0.3 for T in cands]
            T = r.choices(cands, weights=w)[0]
        else:
            T = r.choice(cands)
        self.used_terms.setdefault(T["tid"], []).append(1)
        return T

    def _level(self, r):
        x = r.random()
        if x < 0.2:
            return r.uniform(0.15, 0.35)
        if x < 0.5:
            return r.uniform(0.4, 0.7)
        return r.uniform(0.75, 1.0)

    def _single(self, r, kind, cause, variant, T, dur, onset=None, ramp=None, level=None, pre=2 * HOUR, **p):
        if T is None:
            return None
        start, end = self._window_times(r, dur, pre=pre)
        onset = onset or ("gradual" if r.random() < 0.3 else "abrupt")
        ramp = ramp if ramp is not None else r.uniform(10, 60) * MIN
        level = level if level is not None else self._level(r)
        return Fault(kind, cause, variant, {"terminal_id": T["tid"]}, [T["tid"]], start, end, onset, ramp, level, **p)

    # -- site / fleet faults --------------------------------------------------
    def f_site_power(self, r):
        sites = [S for S in self.sites if len(S["tids"]) >= 2 and S["sid"] not in self.used_sites
                 and self.by_merchant[S["mid"]]["cat"] != "taxi"]
        if not sites:
            return None
        w = [len(S["tids"]) * S["busy"] for S in sites]
        S = r.choices(sites, weights=w)[0]
        start, end = self._window_times(r, (25 * MIN, 150 * MIN), pre=0.3 * HOUR)
        variant = r.choice(["flicker", "flicker", "sag", "outage"])
        f = Fault("site_power", "power.supply", variant, {"site_id": S["sid"]}, S["tids"], start, end,
                  "abrupt", 0, self._level(r) if variant == "sag" else 1.0)
        # mains episodes
        if variant == "outage":
            outs = [(start, min(end, start + r.uniform(8, 40) * MIN))]
            outs += make_eps(r, outs[0][1] + 5 * MIN, end, 15 * MIN, (5, 60))
        elif variant == "flicker":
            outs = make_eps(r, start, end, r.uniform(6, 20) * MIN, (2, 90))
        else:
            outs = make_eps(r, start, end, r.uniform(25, 50) * MIN, (2, 20))
        f.p["outages"] = outs
        f.p["router_down"] = [(a, b + r.uniform(50, 150)) for a, b in outs]
        f.p["sag"] = r.uniform(0.72, 0.9)
        f.p["damaged"] = [tid for tid in S["tids"] if r.random() < (0.3 if variant != "sag" else 0.15)]
        self.used_sites.setdefault(S["sid"], []).append("power")
        return f

    def f_site_lan(self, r):
        sites = [S for S in self.sites if sum(1 for t in S["tids"] if self.T[t]["net"] != "cellular") >= 1
                 and "lan" not in self.used_sites.get(S["sid"], [])]
        if not sites:
            return None
        w = [sum(1 for t in S["tids"] if self.T[t]["net"] != "cellular") * S["busy"] + 0.5 for S in sites]
        S = r.choices(sites, weights=w)[0]
        has_wifi = any(self.T[t]["net"] == "wifi" for t in S["tids"])
        variant = r.choice(["dead", "flaky", "flaky"] + (["wifi_ap"] if has_wifi else []))
        if variant == "dead":
            start, end = self._window_times(r, (12 * MIN, 70 * MIN), pre=0.2 * HOUR)
            onset, level = "abrupt", 1.0
        else:
            start, end = self._window_times(r, (30 * MIN, 200 * MIN), pre=0.5 * HOUR)
            onset, level = r.choice(["abrupt", "gradual"]), self._level(r)
        nets = ("wifi",) if variant == "wifi_ap" else ("ethernet", "wifi")
        tids = [t for t in S["tids"] if self.T[t]["net"] in nets]
        if not tids:
            tids = [t for t in S["tids"] if self.T[t]["net"] != "cellular"]
            nets = ("ethernet", "wifi")
        f = Fault("site_lan", "network.lan", variant, {"site_id": S["sid"]}, tids, start, end, onset,
                  r.uniform(10, 40) * MIN, level, nets=nets)
        f.p["drops"] = make_eps(r, start, end, r.uniform(4, 15) * MIN, (15, 150))
        self.used_sites.setdefault(S["sid"], []).append("lan")
        return f

    def f_carrier(self, r):
        groups = {}
        for T in self.terms:
            if T["net"] == "cellular":
                groups.setdefault((T["carrier"], T["city"]), []).append(T["tid"])
        keys = sorted(k for k, v in groups.items() if len(v) >= 3)
        if not keys:
            return None
        key = r.choice(keys)
        variant = r.choice(["outage", "degraded", "degraded"])
        start, end = self._window_times(r, (20 * MIN, 130 * MIN), pre=0.2 * HOUR)
        f = Fault("carrier", "network.carrier", variant, {"carrier": key[0], "city": key[1]}, groups[key],
                  start, end, "abrupt" if variant == "outage" else r.choice(["abrupt", "gradual"]),
                  r.uniform(5, 30) * MIN, 1.0 if variant == "outage" else self._level(r))
        # in an outage not every base station goes at once; in degradation the cells flap
        f.p["drops"] = make_eps(r, start, end, r.uniform(5, 15) * MIN, (20, 200))
        f.p["share"] = {t: r.random() < (0.92 if variant == "outage" else 0.85) for t in groups[key]}
        return f

    def _rollout(self, r, field, kind, cause, variant_choices):
        groups = {}
        for T in self.terms:
            groups.setdefault((T["vendor"], T["model"]), []).append(T["tid"])
        keys = sorted(k for k, v in groups.items() if len(v) >= 8)
        if not keys:
            return None
        key = r.choice(keys)
        vendor, model = key
        tids = groups[key]
        base = self.T[tids[0]][field]
        newv = self._bump_version(r, base)
        rs = r.uniform(-0.5 * HOUR, 3.5 * HOUR)
        upd = {}
        share = r.uniform(0.35, 0.9)
        for tid in tids:
            if r.random() < share:
                upd[tid] = max(r.uniform(60, 900), rs + r.expovariate(1 / (r.uniform(20, 80) * MIN)))
        upd = {k: v for k, v in upd.items() if v < self.W - 5 * MIN}
        if len(upd) < 2:
            return None
        rollback = rs + r.uniform(1.5, 4.5) * HOUR if r.random() < 0.35 else None
        if rollback is not None and rollback < self.W - 10 * MIN:
            t_off = {tid: max(a + 10 * MIN, rollback + r.uniform(0, 30) * MIN) for tid, a in upd.items()}
            end = max(t_off.values())
        else:
            rollback, t_off = None, {}
            end = self.W + r.uniform(1, 10) * HOUR
        variant = r.choice(variant_choices)
        f = Fault(kind, cause, variant, {"vendor": vendor, "model": model, field if field != "app" else "app_version": newv},
                  sorted(upd), min(upd.values()), end, "abrupt", 0, self._level(r) * 0.7 + 0.3,
                  field=field, newv=newv)
        if field == "fw":
            f.scope = {"vendor": vendor, "model": model, "firmware": newv}
        f.t_on = dict(upd)
        f.t_off = t_off
        f.p["rollback"] = rollback
        return f

    def _bump_version(self, r, v):
        parts = v.rsplit(".", 1)
        try:
            return parts[0] + "." + str(int(parts[1]) + r.choice([1, 1, 2]))
        except (ValueError, IndexError):
            return v + ".1"

    def f_fw_bug(self, r):
        return self._rollout(r, "fw", "fw_bug", "software.bug", ["nfc_crash", "leak", "print_hang", "emv", "dns"])

    def f_app_bug(self, r):
        return self._rollout(r, "app", "app_bug", "software.bug", ["qr_crash", "nfc_crash", "leak", "print_hang"])

    def f_incompat(self, r):
        groups = {}
        for T in self.terms:
            groups.setdefault((T["host"], T["vendor"], T["app"]), []).append(T["tid"])
        keys = sorted(k for k, v in groups.items() if len(v) >= 3)
        if not keys:
            return None
        key = r.choice(keys)
        host, vendor, app = key
        tids = groups[key]
        variant = r.choice(["tls_proto", "msgfmt", "qr_api"]) if self.host_tls[host] else r.choice(["msgfmt", "qr_api"])
        start = r.uniform(-1 * HOUR, 4.5 * HOUR)
        # the vendor pushes the fixed app to part of the group later
        fix = {}
        if r.random() < 0.6:
            t0 = max(start, 0) + r.uniform(40, 150) * MIN
            for tid in tids:
                if r.random() < 0.5:
                    fix[tid] = t0 + r.expovariate(1 / (30 * MIN))
        f = Fault("incompat", "software.incompatible", variant, {"host": host, "vendor": vendor, "app_version": app},
                  tids, start, self.W + 12 * HOUR, "abrupt", 0, 1.0, newapp=self._bump_version(r, app))
        f.t_on = {tid: start for tid in tids}
        f.t_off = fix
        return f

    def f_config_push(self, r):
        ms = [M for M in self.merchants if len(M["tids"]) >= 2 and M["mid"] not in self.used_merch]
        if not ms:
            return None
        M = r.choice(ms)
        self.used_merch.add(M["mid"])
        variant = r.choice(["host_ip", "keyidx", "tid_swap"])
        start, end = self._window_times(r, (30 * MIN, 200 * MIN), pre=0.2 * HOUR)
        f = Fault("config_push", "software.config", variant, {"merchant_id": M["mid"]}, M["tids"], start, end,
                  "abrupt", 0, 1.0)
        # terminals pick up the bad parameter file at their next heartbeat-ish
        f.t_on = {tid: start + r.uniform(0, 25 * MIN) for tid in M["tids"]}
        return f

    def f_keys_merchant(self, r):
        ms = [M for M in self.merchants if len(M["tids"]) >= 2 and M["mid"] not in self.used_merch]
        if not ms:
            return None
        M = r.choice(ms)
        self.used_merch.add(M["mid"])
        start, end = self._window_times(r, (30 * MIN, 180 * MIN), pre=0.3 * HOUR)
        tids = [t for t in M["tids"] if r.random() < 0.85] or M["tids"][:1]
        f = Fault("keys_merchant", "security.keys", "mismatch", {"merchant_id": M["mid"]}, tids, start, end,
                  "abrupt", 0, 1.0)
        return f

    def f_cert_batch(self, r):
        cands = [T for T in self.terms if T["tls"]]
        if len(cands) < 4:
            return None
        n = r.randint(3, 9)
        # a batch: same vendor preferred (issued together), across merchants
        v = r.choice(sorted(set(T["vendor"] for T in cands)))
        pool = [T for T in cands if T["vendor"] == v] or cands
        batch = r.sample(pool, min(n, len(pool)))
        expiry = r.uniform(-1.5 * HOUR, 5 * HOUR)
        dt = self.w0 + timedelta(seconds=expiry)
        dt = dt.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        expiry = (dt - self.w0).total_seconds()
        if expiry > self.W - 20 * MIN:
            expiry -= 2 * HOUR
        for T in batch:
            T["cert_na"] = dt
        renew = expiry + r.uniform(1, 3) * HOUR if r.random() < 0.4 else self.W + 24 * HOUR
        f = Fault("cert_batch", "security.certificate", "client_expired",
                  {"cert_not_after": dt.strftime("%Y-%m-%dT%H:%M:%SZ")}, [T["tid"] for T in batch],
                  expiry, renew, "abrupt", 0, 1.0)
        # a decoy: one terminal on a non-TLS host with the same expiry, nothing breaks there
        decoys = [T for T in self.terms if not T["tls"]]
        if decoys and r.random() < 0.5:
            d = r.choice(decoys)
            d["cert_na"] = dt
        return f

    def f_cert_untrusted(self, r):
        groups = {}
        for T in self.terms:
            if T["tls"]:
                groups.setdefault((T["host"], T["vendor"], T["fw"]), []).append(T["tid"])
        keys = sorted(k for k, v in groups.items() if len(v) >= 2)
        if not keys:
            return None
        host, vendor, fw = r.choice(keys)
        start = r.uniform(-0.5 * HOUR, 4.8 * HOUR)
        end = start + r.uniform(0.8, 4) * HOUR if r.random() < 0.5 else self.W + 6 * HOUR
        return Fault("cert_untrusted", "security.certificate", "server_ca_rotated",
                     {"host": host, "vendor": vendor, "firmware": fw}, groups[(host, vendor, fw)], start, end)

    def _merchant_for_business(self, r, pred=lambda M: True):
        ms = [M for M in self.merchants if M["mid"] not in self.used_merch and pred(M)
              and sum(self.T[t]["rate"] for t in M["tids"]) >= 3.0]
        if not ms:
            ms = [M for M in self.merchants if pred(M)] or self.merchants
        w = [math.sqrt(sum(self.T[t]["rate"] for t in M["tids"])) + 0.5 for M in ms]
        M = r.choices(ms, weights=w)[0]
        self.used_merch.add(M["mid"])
        return M

    def f_txn_type(self, r):
        M = self._merchant_for_business(r)
        if M["cat"] == "hotel":
            variant = "preauth"
        else:
            variant = r.choice(["refund", "credit", "credit", "nfc_large"])
        start, end = self._window_times(r, (40 * MIN, 5 * HOUR), pre=1 * HOUR)
        return Fault("txn_type", "business.txn_type", variant, {"merchant_id": M["mid"]}, M["tids"], start, end,
                     "abrupt", 0, 1.0, refund_boost=(variant == "refund"))

    def f_limit(self, r):
        M = self._merchant_for_business(r, lambda M: CATS[M["cat"]]["amt"] >= 6000)
        amt = CATS[M["cat"]]["amt"]
        variant = r.choice(["single", "single", "count"])
        lim = int(round(amt * r.uniform(0.7, 2.2), -2))
        if variant == "count":
            lim = 0
        start, end = self._window_times(r, (40 * MIN, 5 * HOUR), pre=1 * HOUR)
        return Fault("limit", "business.limit", variant, {"merchant_id": M["mid"]}, M["tids"], start, end,
                     "abrupt", 0, 1.0, limit=lim, count=r.randint(6, 35))

    def f_risk(self, r):
        M = self._merchant_for_business(r)
        amt = CATS[M["cat"]]["amt"]
        variant = r.choice(["hold", "large", "credit_foreign"])
        start, end = self._window_times(r, (30 * MIN, 4 * HOUR), pre=0.5 * HOUR)
        return Fault("risk", "business.risk", variant, {"merchant_id": M["mid"]}, M["tids"], start, end,
                     "abrupt", 0, max(0.5, self._level(r)), thr=int(amt * r.uniform(0.8, 2.0)))

    def f_merchant_frozen(self, r):
        M = self._merchant_for_business(r)
        start, end = self._window_times(r, (30 * MIN, 6 * HOUR), pre=2 * HOUR)
        return Fault("merchant_frozen", "business.merchant", "frozen", {"merchant_id": M["mid"]}, M["tids"],
                     start, end, "abrupt", 0, 1.0)

    def f_merchant_misreg(self, r):
        M = self._merchant_for_business(r)
        start, end = self._window_times(r, (30 * MIN, 5 * HOUR), pre=1 * HOUR)
        return Fault("merchant_misreg", "business.merchant", r.choice(["unbound", "wrong_mcc"]),
                     {"merchant_id": M["mid"]}, M["tids"], start, end, "abrupt", 0, 1.0)

    def f_acq_down(self, r):
        h = r.choice(self.hosts)
        start, end = self._window_times(r, (8 * MIN, 40 * MIN), pre=0, lo=5 * MIN)
        return Fault("acq_down", "upstream.acquirer", r.choice(["refused", "blackhole"]), {"host": h},
                     [T["tid"] for T in self.terms if T["host"] == h], start, end, "abrupt", 0, 1.0)

    def f_acq_degraded(self, r):
        h = r.choice(self.hosts)
        start, end = self._window_times(r, (25 * MIN, 150 * MIN), pre=0.2 * HOUR)
        f = Fault("acq_degraded", "upstream.acquirer", "slow", {"host": h},
                  [T["tid"] for T in self.terms if T["host"] == h], start, end,
                  r.choice(["gradual", "gradual", "abrupt"]), r.uniform(10, 40) * MIN, self._level(r))
        return f

    def f_issuer(self, r):
        cand = ["psbc", "cib", "spdb", "citic", "cmbc", "rcb", "bocom", "cmb", "abc", "boc"]
        iss = r.choice(cand)
        variant = r.choice(["down", "slow", "slow"])
        start, end = self._window_times(r, (12 * MIN, 70 * MIN), pre=0.1 * HOUR)
        bins = ISSUERS[iss][1] + ISSUERS[iss][2]
        return Fault("issuer", "upstream.issuer", variant, {"issuer": iss, "bins": bins}, self.tids, start, end,
                     "abrupt" if variant == "down" else "gradual", r.uniform(3, 12) * MIN, self._level(r) * 0.5 + 0.5)

    # -- single-terminal faults ------------------------------------------------
    def f_keypad(self, r):
        T = self._pick_term(r, lambda T: not T["android"])
        return self._single(r, "keypad", "hardware.keypad", r.choice(["stuck", "dead"]), T, (1.5 * HOUR, 8 * HOUR),
                            onset="gradual" if r.random() < 0.4 else "abrupt", pre=4 * HOUR)

    def f_display(self, r):
        T = self._pick_term(r, lambda T: True)
        return self._single(r, "display", "hardware.display", r.choice(["backlight", "touch", "lcd_ctrl"]), T,
                            (1.5 * HOUR, 8 * HOUR), pre=4 * HOUR)

    def f_card_reader(self, r):
        T = self._pick_term(r, lambda T: T["rate"] > 1.0)
        return self._single(r, "card_reader", "hardware.card_reader", r.choice(["ic", "ic", "ic", "nfc", "nfc", "mag"]), T,
                            (1.5 * HOUR, 8 * HOUR), onset="gradual" if r.random() < 0.4 else "abrupt", pre=4 * HOUR)

    def f_printer_paper(self, r):
        T = self._pick_term(r, lambda T: T["rate"] > 4.0)
        return self._single(r, "printer_paper", "hardware.printer", "paper_out", T, (6 * MIN, 45 * MIN),
                            onset="abrupt", level=1.0, pre=0.2 * HOUR)

    def f_printer_fault(self, r):
        T = self._pick_term(r, lambda T: True)
        return self._single(r, "printer_fault", "hardware.printer", r.choice(["head", "cutter", "driver"]), T,
                            (1 * HOUR, 7 * HOUR), pre=3 * HOUR)

    def f_board(self, r):
        T = self._pick_term(r, lambda T: True)
        v = r.choice(["watchdog", "tamper", "sensor"])
        f = self._single(r, "board", "hardware.board", v, T, (1.5 * HOUR, 8 * HOUR), onset="abrupt", pre=2 * HOUR)
        f.p["reboots"] = make_eps(r, f.start, f.end, r.uniform(12, 45) * MIN, (1, 2))
        return f

    def f_adapter(self, r):
        T = self._pick_term(r, lambda T: not T["portable"])
        f = self._single(r, "adapter", "power.supply", r.choice(["weak", "loose_plug"]), T, (1 * HOUR, 7 * HOUR),
                         onset="gradual" if r.random() < 0.5 else "abrupt", pre=3 * HOUR)
        f.p["vf"] = r.uniform(0.78, 0.9)
        f.p["dips"] = make_eps(r, f.start, f.end, r.uniform(8, 30) * MIN, (1, 4))
        return f

    def f_battery(self, r):
        T = self._pick_term(r, lambda T: T["portable"])
        if T is None:
            return None
        f = self._single(r, "battery", "power.battery", r.choice(["worn", "swollen"]), T, (2 * HOUR, 8 * HOUR),
                         onset="abrupt", level=1.0, pre=3 * HOUR)
        f.p["drain"] = r.uniform(0.6, 1.8)     # % per minute
        f.p["cap"] = r.uniform(45, 75)         # max % it reaches when charged
        return f

    def f_signal(self, r, micro=False):
        T = self._pick_term(r, lambda T: T["net"] in ("cellular", "wifi"), overlap=0.35)
        if T is None:
            return None
        if micro:
            f = self._single(r, "signal", "network.signal", "dip", T, (8 * MIN, 20 * MIN), onset="abrupt",
                             level=r.uniform(0.7, 1.0), pre=0)
        else:
            f = self._single(r, "signal", "network.signal", r.choice(["weak", "unstable"]), T,
                             (30 * MIN, 5 * HOUR), onset="gradual" if r.random() < 0.5 else "abrupt", pre=1 * HOUR)
        f.p["drops"] = make_eps(r, f.start, f.end, r.uniform(3, 12) * MIN, (10, 120))
        return f

    def f_lan_cable(self, r, micro=False):
        T = self._pick_term(r, lambda T: T["net"] == "ethernet")
        if T is None:
            return None
        if micro:
            f = self._single(r, "lan_cable", "network.lan", "cable", T, (6 * MIN, 18 * MIN), onset="abrupt",
                             level=1.0, pre=0)
        else:
            f = self._single(r, "lan_cable", "network.lan", "cable", T, (40 * MIN, 5 * HOUR), onset="abrupt",
                             level=1.0, pre=1 * HOUR)
        f.p["drops"] = make_eps(r, f.start, f.end, r.uniform(2, 10) * MIN, (5, 150))
        return f

    def f_config_single(self, r):
        T = self._pick_term(r, lambda T: True)
        vs = ["host_ip", "dns", "tid", "mid", "keyidx", "timeout"] + (["apn"] if T["net"] == "cellular" else [])
        return self._single(r, "config_single", "software.config", r.choice(vs), T, (30 * MIN, 5 * HOUR),
                            onset="abrupt", level=1.0, pre=1 * HOUR)

    def f_corruption(self, r):
        T = self._pick_term(r, lambda T: T["rate"] > 1.0)
        v = "pinpad_cable" if T["pinpad_ext"] and r.random() < 0.6 else "link_noise"
        return self._single(r, "corruption", "transmission.corruption", v, T, (40 * MIN, 5 * HOUR), pre=1 * HOUR)

    def f_keys_single(self, r):
        T = self._pick_term(r, lambda T: True)
        return self._single(r, "keys_single", "security.keys", r.choice(["mismatch", "mismatch", "missing"]), T,
                            (20 * MIN, 4 * HOUR), onset="abrupt", level=1.0, pre=1 * HOUR)

    def f_clock(self, r):
        T = self._pick_term(r, lambda T: T["tls"])
        if T is None:
            return None
        f = self._single(r, "clock", "security.certificate", r.choice(["rtc_reset", "rtc_ahead"]), T,
                         (40 * MIN, 6 * HOUR), onset="abrupt", level=1.0, pre=2 * HOUR)
        f.p["skew"] = -r.uniform(7.5e8, 8.5e8) if f.variant == "rtc_reset" else r.uniform(3.3e7, 9e7)
        return f

    def f_storage(self, r):
        T = self._pick_term(r, lambda T: True)
        f = self._single(r, "storage", "resource.storage", r.choice(["full", "journal"]), T, (40 * MIN, 5 * HOUR),
                         onset="gradual", ramp=r.uniform(20, 90) * MIN, level=1.0, pre=1 * HOUR)
        return f

    def f_memory(self, r):
        T = self._pick_term(r, lambda T: T["android"] or r.random() < 0.3)
        f = self._single(r, "memory", "resource.memory", "leak", T, (1.5 * HOUR, 7 * HOUR), onset="gradual",
                         level=1.0, pre=2 * HOUR)
        f.p["rate"] = r.uniform(0.3, 1.2)  # % per minute
        return f

    def f_cpu(self, r):
        T = self._pick_term(r, lambda T: T["android"] or r.random() < 0.2)
        return self._single(r, "cpu", "resource.cpu", r.choice(["bg_apps", "thermal"]), T, (40 * MIN, 5 * HOUR),
                            pre=1 * HOUR)

    def f_operator(self, r):
        T = self._pick_term(r, lambda T: T["rate"] > 2.0)
        return self._single(r, "operator", "operator.error", "trainee", T, (1.5 * HOUR, 4.5 * HOUR),
                            onset="abrupt", pre=0.5 * HOUR)

    # -- simulation ----------------------------------------------------------
    def run(self):
        self.build_world()
        self.schedule_faults()
        self.emit_inventory()
        for tid in self.tids:
            TermSim(self, self.T[tid]).run()
        self.people()
        self.noise_maintenance()

    def emit_inventory(self):
        r = self.rng
        t_inv = -r.uniform(10, 90) * MIN
        tsi = self.ts(t_inv, "Z")
        for M in self.merchants:
            rec = {"kind": "merchant", "ts": tsi, "merchant_id": M["mid"], "name": M["name"], "mcc": M["mcc"],
                   "city": M["city"], "settlement": "direct" if M["direct"] else "indirect",
                   "card_rate": M["card_rate"], "qr_rate": M["qr_rate"]}
            if M["fixed_fee"]:
                rec["fixed_fee"] = M["fixed_fee"]
            rec["_t"] = t_inv
            self.emit(t_inv, rec)
        for S in self.sites:
            rec = {"kind": "site", "ts": tsi, "site_id": S["sid"], "merchant_id": S["mid"], "name": S["name"],
                   "city": S["city"]}
            if self.by_merchant[S["mid"]]["cat"] != "taxi":
                rec["lat"], rec["lon"] = S["lat"], S["lon"]
            rec["_t"] = t_inv
            self.emit(t_inv, rec)
        for T in self.terms:
            rec = {"kind": "terminal", "ts": tsi, "terminal_id": T["tid"], "serial": T["serial"],
                   "vendor": T["vendor"], "model": T["model"], "firmware": T["fw"], "app_version": T["app"],
                   "merchant_id": T["mid"], "site_id": T["sid"], "network": T["net"]}
            if T["carrier"]:
                rec["carrier"] = T["carrier"]
            rec["host"] = T["host"]
            if T["cert_na"] is not None:
                rec["cert_not_after"] = T["cert_na"].strftime("%Y-%m-%dT%H:%M:%SZ")
            rec["installed"] = T["installed"]
            for k in T["inv_drop"]:
                rec.pop(k, None)
            rec["_t"] = t_inv
            self.emit(t_inv, rec)

    # -- people: complaints, checks, maintenance -----------------------------
    def people(self):
        r = random.Random("gen4/people/%s" % self.seed)
        for f in self.faults:
            if f.n_events == 0:
                continue
            self._checks_for(r, f)
            self._complaints_for(r, f)
            self._maint_for(r, f)
        # customer complaints about timeouts that still debited
        for tid, t, stan in getattr(self, "timeouts_debited", []):
            if r.random() < 0.08:
                T = self.T[tid]
                tc = t + r.uniform(10, 90) * MIN
                if tc < self.W:
                    self._complaint(r, tc, "customer", T, r.choice([
                        "付款时机器显示失败，但是银行卡被扣款了", "交易失败了但收到了扣款短信，要求退款",
                        "Payment failed on the terminal but my card was charged"]))

    def _complaint(self, r, t, frm, T, text, with_tid=True):
        self.cseq = getattr(self, "cseq", r.randrange(1000, 8000)) + r.randrange(1, 7)
        rec = {"kind": "complaint", "ts": self.ts(t, "+08"), "complaint_id": "C-%d" % self.cseq, "from": frm,
               "merchant_id": T["mid"], "text": text, "_t": t}
        if with_tid:
            rec["terminal_id"] = T["tid"]
        self.emit(t, rec)

    SYMPTOM_TEXT = {
        "comm": ["刷卡一直显示{code}，顾客只能扫码", "机器老是连不上，提示{code}", "收款一直转圈然后失败，屏幕显示{code}",
                 "下午开始POS一直报{code}，是不是网络问题？", "terminal keeps showing {code}, cannot take cards"],
        "power": ["店里的机器一直自己重启，显示{code}", "机器突然黑屏又自动开机，好几台都这样", "POS反复断电重启，没法收款"],
        "print": ["小票打不出来，机器提示{code}", "打印机不出纸", "签购单打印失败"],
        "card": ["插卡没反应，只能让顾客扫码", "刷卡老是读不出来，提示{code}", "闪付感应不到"],
        "decline": ["刷卡全部被拒，提示{code}", "大额交易全部失败，返回码{code}", "今天收款总被拒，客户很不满"],
        "pin": ["输密码的键盘按不动", "顾客输了好几次密码都说密码错", "密码键盘没反应"],
        "app": ["机器总是闪退，提示{code}", "收银程序卡死，重启也不行", "机器很卡，点了半天没反应"],
        "generic": ["POS显示{code}，重启了也没用", "机器报错{code}，请尽快处理", "E1?? 机器又坏了，显示{code}"],
    }
    KIND_SYMPTOM = {
        "site_power": "power", "adapter": "power", "battery": "power", "board": "power",
        "site_lan": "comm", "lan_cable": "comm", "signal": "comm", "carrier": "comm", "acq_down": "comm",
        "acq_degraded": "comm", "config_push": "comm", "config_single": "generic", "printer_paper": "print",
        "printer_fault": "print", "card_reader": "card", "keypad": "pin", "display": "generic",
        "fw_bug": "app", "app_bug": "app", "memory": "app", "cpu": "app", "storage": "generic",
        "incompat": "generic", "cert_batch": "generic", "cert_untrusted": "generic", "clock": "generic",
        "keys_single": "generic", "keys_merchant": "generic", "corruption": "generic", "operator": "generic",
        "txn_type": "decline", "limit": "decline", "risk": "decline", "merchant_frozen": "decline",
        "merchant_misreg": "decline", "issuer": "decline",
    }

    def _complaints_for(self, r, f):
        if f.kind == "issuer":
            # customers complain, spread over merchants
            for tid in sorted(f.exposed)[:3]:
                if r.random() < 0.3:
                    t = f.first_event + r.uniform(5, 60) * MIN
                    if t < self.W:
                        self._complaint(r, t, "customer", self.T[tid], r.choice([
                            "我的卡在好几家店都刷不了", "刷卡提示发卡行无法操作", "My card is declined everywhere today"]),
                            with_tid=False)
            return
        if f.n_events < 3 or r.random() > 0.55:
            return
        tid = max(sorted(f.codes), key=lambda k: sum(f.codes[k].values()))
        codes = f.codes[tid]
        code = max(sorted(codes), key=lambda c: codes[c])
        t = f.first_event + r.uniform(8, 80) * MIN
        if t >= min(self.W, f.end + 30 * MIN):
            return
        fam = self.KIND_SYMPTOM.get(f.kind, "generic")
        if r.random() < 0.15:
            fam = "generic"
        text = r.choice(self.SYMPTOM_TEXT[fam]).format(code=code if code != "timeout" else "超时")
        self._complaint(r, t, "merchant", self.T[tid], text, with_tid=r.random() < 0.7)

    def _check(self, t, target, name, result):
        rec = {"kind": "check", "ts": self.ts(t, "+08")}
        rec.update(target)
        rec["name"] = name
        rec["result"] = result
        rec["_t"] = t
        self.emit(t, rec)

    def _checks_for(self, r, f):
        if r.random() < 0.4:
            return
        tid = sorted(f.exposed)[0] if f.exposed else f.tids[0]
        T = self.T[tid]
        mid_t = f.first_event + r.uniform(10, 60) * MIN
        end_t = f.end + r.uniform(0, 4) * MIN
        in_w = lambda t: 0 < t < self.W
        k, v = f.kind, f.variant
        site = {"site_id": T["sid"]}
        term = {"terminal_id": tid}
        if k == "site_power":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, site, "mains_voltage", str(int(220 * f.p["sag"] * r.uniform(0.95, 1.02))))
                self._check(mid_t + 120, term, "adapter_voltage",
                            "%.2f" % (T["vnom"] * f.p["sag"] * r.uniform(0.97, 1.03)))
            if in_w(end_t):
                self._check(end_t, site, "power_restored", "ok")
        elif k == "adapter":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "adapter_voltage", "%.2f" % (T["vnom"] * f.p["vf"] * r.uniform(0.96, 1.02)))
            if in_w(end_t):
                self._check(end_t, term, "adapter_replaced", "ok")
        elif k == "battery":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "battery_health", "%d%%" % int(f.p["cap"] * 0.8))
        elif k == "site_lan":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "ping_gateway", "fail" if v == "dead" else "loss %d%%" % int(40 * f.level))
            if in_w(end_t):
                self._check(end_t, site, "router_restarted", "ok")
        elif k == "lan_cable":
            if in_w(end_t):
                self._check(end_t - 60, term, "cable_seated", "fail")
                self._check(end_t, term, "cable_replaced", "ok")
        elif k == "signal":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "signal_strength", str(int(T["base_rssi"] - 25 * f.level)))
        elif k == "carrier":
            if in_w(mid_t) and mid_t < f.end:
                # the shop restarts its router; it does not help
                self._check(mid_t, site, "router_restarted", "ok")
                self._check(mid_t + 300, term, "signal_strength", str(int(T["base_rssi"] + r.uniform(-3, 3))))
        elif k in ("acq_down", "acq_degraded"):
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "ping_gateway", "ok")
                self._check(mid_t + 60, term, "host_reachable", "fail" if k == "acq_down" else "slow")
        elif k in ("config_single", "config_push"):
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "param_check", "fail")
            if in_w(end_t):
                self._check(end_t, term, "params_downloaded", "ok")
        elif k == "corruption":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "cable_seated", "fail" if v == "pinpad_cable" else "ok")
        elif k in ("keys_single", "keys_merchant"):
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "sign_on", "fail")
            if in_w(end_t):
                self._check(end_t, term, "key_download", "ok")
        elif k == "clock":
            if in_w(mid_t) and mid_t < f.end:
                dt = self.w0 + timedelta(seconds=mid_t + f.p["skew"])
                self._check(mid_t, term, "terminal_clock", dt.strftime("%Y-%m-%d %H:%M"))
        elif k in ("cert_batch", "cert_untrusted"):
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "tls_test", "fail")
        elif k == "storage":
            if in_w(end_t):
                self._check(end_t, term, "storage_cleanup", "ok")
        elif k == "memory":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "app_reinstalled", "ok")
        elif k == "cpu":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "background_apps", str(r.randint(9, 31)))
        elif k == "keypad":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "keypad_test", "fail")
        elif k == "display":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "display_test", "fail")
        elif k == "card_reader":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "card_reader_test", "fail")
        elif k == "printer_paper":
            if in_w(end_t):
                self._check(end_t, term, "paper_loaded", "ok")
        elif k == "printer_fault":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "paper_loaded", "ok")
                self._check(mid_t + 90, term, "printer_test", "fail")
        elif k == "board":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "restart", "ok")
        elif k in ("fw_bug", "app_bug"):
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "restart", "ok")
        elif k == "operator":
            if in_w(mid_t) and mid_t < f.end:
                self._check(mid_t, term, "operator_id", "%02d" % r.randint(2, 9))

    def _maint_for(self, r, f):
        hw = {"keypad": "part_replaced", "display": "part_replaced", "card_reader": "part_replaced",
              "printer_fault": "repair", "board": "repair", "battery": "part_replaced", "adapter": "part_replaced"}
        if f.kind in hw and r.random() < 0.55 and 0 < f.end < self.W:
            for tid in f.tids[:1]:
                t = f.end + r.uniform(0, 3) * MIN
                rec = {"kind": "maintenance", "ts": self.ts(t, "+08"), "terminal_id": tid, "action": hw[f.kind],
                       "notes": r.choice(["上门维修", "现场处理完毕", "服务商工程师处理", "field service visit"]), "_t": t}
                self.emit(t, rec)

    def noise_maintenance(self):
        r = random.Random("gen4/maint/%s" % self.seed)
        for T in self.terms:
            x = r.random()
            if x < 0.22:
                # daily check at store opening (or whenever the manager gets to it)
                t = r.uniform(-0.5 * HOUR, 2.5 * HOUR)
                if t > 0:
                    rec = {"kind": "maintenance", "ts": self.ts(t, "+08"), "terminal_id": T["tid"],
                           "action": "daily_check",
                           "notes": r.choice(["电源、键盘、屏幕正常", "正常", "电源线、键盘、显示正常", "ok", ""]), "_t": t}
                    if not rec["notes"]:
                        del rec["notes"]
                    self.emit(t, rec)
            elif x < 0.26:
                t = r.uniform(0, self.W)
                self.emit(t, {"kind": "maintenance", "ts": self.ts(t, "+08"), "terminal_id": T["tid"],
                              "action": "weekly_clean", "notes": "清洁读卡槽和打印机", "_t": t})
            elif x < 0.275:
                t = r.uniform(0, self.W)
                self.emit(t, {"kind": "maintenance", "ts": self.ts(t, "+08"), "terminal_id": T["tid"],
                              "action": "monthly_inspection", "_t": t})
            if r.random() < 0.02:
                t = r.uniform(0, self.W)
                self._check(t, {"terminal_id": T["tid"]}, "adapter_voltage", "%.2f" % (T["vnom"] * T["vfac"]))

    # -- output -------------------------------------------------------------
    def write(self, outdir):
        os.makedirs(outdir, exist_ok=True)
        r = random.Random("gen4/order/%s" % self.seed)
        keyed = []
        for t, seq, rec in self.out:
            d = 0.0
            if rec["kind"] in ("telemetry", "txn", "error") and r.random() < 0.015:
                d = r.uniform(2, 55)    # late delivery: slightly out of order
            keyed.append((t + d, seq, rec))
        keyed.sort(key=lambda x: (x[0], x[1]))
        n = 0
        bad_at = set()
        if self.bad_lines:
            bad_at = set(r.sample(range(100, max(101, len(keyed))), min(self.bad_lines, max(0, len(keyed) - 100))))
        with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fo:
            for i, (_, _, rec) in enumerate(keyed):
                rec = {k: v for k, v in rec.items() if not k.startswith("_")}
                line = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
                if i in bad_at:
                    fo.write(line[: len(line) // 2] + "\n")
                fo.write(line + "\n")
                n += 1
        with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fo:
            for f in self.faults:
                terms = sorted(f.exposed) if f.kind == "issuer" else [
                    t for t in f.tids if not f.t_on or f.t_on[t] < min(f.end, self.W)]
                ongoing = f.end > self.W
                rec = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope,
                       "terminals": terms, "start": self.ts(f.start, "Z"),
                       "end": self.ts(min(f.end, self.W), "Z"), "ongoing": ongoing,
                       "kind_detail": f.kind + "/" + f.variant, "onset": f.onset,
                       "severity": round(f.level, 2), "n_events": f.n_events}
                fo.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            self.truth_ev.sort(key=lambda x: x[0])
            for _, te in self.truth_ev:
                fo.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
        return n


# --------------------------------------------------------------------------
# one terminal's life
# --------------------------------------------------------------------------
class TermSim:
    def __init__(self, G, T):
        self.G = G
        self.T = T
        self.tid = T["tid"]
        self.V = VENDORS[T["vendor"]]
        self.codes = self.V.get("model_codes", {}).get(T["model"], self.V["codes"])
        self.r = random.Random("gen4/term/%s/%s" % (G.seed, T["tid"]))
        self.faults = G.tfaults[T["tid"]]
        self.M = G.by_merchant[T["mid"]]
        self.down_until = -1e9
        self.down_fault = None
        self.pending_reboot = None
        self.cnt = {"power_events": 0, "keypad_errors": 0, "card_reader_errors": 0, "app_crashes": 0}
        self.stan = self.r.randrange(1, 900000)
        self.fw = T["fw"]
        self.app = T["app"]
        self.reported_fw = T["fw"]
        self.reported_app = T["app"]
        self.reversal = None
        self.streak = 0           # failures since the last approval (cashier behaviour)
        self.giveup_k = self.r.randint(3, 7)
        self.abandon_until = -1e9
        self.last_user_reboot = -1e9
        self.mem_reset = -1e9     # last reboot time (memory leaks restart)
        self.tamper_at = None
        self.day_count = self.r.randint(0, 30)
        self.style = self.V["ts"]
        self.hstyle = G.host_style[T["host"]]
        self.heap = []
        self.hseq = 0
        self.batt = None

    # -- plumbing -----------------------------------------------------------
    def push(self, t, typ, data=None):
        self.hseq += 1
        heapq.heappush(self.heap, (t, self.hseq, typ, data))

    def active(self, t):
        out = []
        for f in self.faults:
            s = f.sev(t, self.tid)
            if s > 0:
                out.append((f, s))
        return out

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return "%06d" % self.stan

    def is_down(self, t):
        return t < self.down_until

    # -- battery: precomputed on a one-minute grid ---------------------------
    def battery_grid(self):
        T, r, G = self.T, self.r, self.G
        if not T["batt"]:
            return
        n = int(G.W / 60) + 2
        lvl = r.uniform(35, 100)
        plugged = not T["portable"] or r.random() < 0.3
        plug_at = None
        grid = []
        dead_until = None
        worn = [f for f in self.faults if f.kind == "battery"]
        base_drain = r.uniform(0.05, 0.16)
        for k in range(n):
            t = k * 60.0
            mains = not self.mains_off(t)
            wf = None
            for f in worn:
                if f.sev(t, self.tid) > 0:
                    wf = f
            drain = wf.p["drain"] if wf else base_drain
            cap = wf.p["cap"] if wf else 100.0
            if dead_until is not None:
                if t >= dead_until:
                    dead_until = None
                    plugged = True
                else:
                    grid.append((0.0, False, mains, True, wf))
                    continue
            if plugged and mains:
                lvl = min(cap, lvl + r.uniform(0.5, 0.9))
            else:
                lvl -= drain * r.uniform(0.7, 1.3)
                if wf and r.random() < 0.06:
                    lvl -= r.uniform(5, 20)   # sudden collapse under load
            if T["portable"]:
                if plugged and lvl >= min(cap - 1, r.uniform(75, 95)):
                    plugged = False
                if not plugged and plug_at is None and lvl < r.uniform(14, 24):
                    plug_at = t + r.uniform(1, 8) * 60 * (3 if wf else 1)
                if plug_at is not None and t >= plug_at:
                    plugged, plug_at = True, None
            if lvl <= 0:
                lvl = 0.0
                dead_until = t + r.uniform(4, 30) * 60
                self.push(t, "reboot", ("power_loss", wf or self.site_power_fault(t), dead_until - t + r.uniform(30, 60)))
                plug_at = None
                grid.append((0.0, False, mains, True, wf))
                continue
            grid.append((lvl, plugged, mains, False, wf))
        self.batt = grid

    def batt_at(self, t):
        if not self.batt:
            return None
        k = int(clamp(t, 0, self.G.W) // 60)
        return self.batt[min(k, len(self.batt) - 1)]

    def site_power_fault(self, t):
        for f in self.faults:
            if f.kind == "site_power" and f.start <= t < f.end:
                return f
        return None

    def mains_off(self, t):
        for f in self.faults:
            if f.kind == "site_power" and in_eps(f.p["outages"], t):
                return f
        return None

    # -- network state ---------------------------------------------------------
    def net_state(self, t):
        """(down_fault, [(loss, fault)], [(lat_ms, fault)])"""
        T = self.T
        down = None
        loss, lat = [], []
        for f in self.faults:
            k = f.kind
            if k == "site_power":
                if T["net"] != "cellular" and in_eps(f.p["router_down"], t):
                    down = down or f
                continue
            if k not in ("site_lan", "lan_cable", "signal", "carrier", "config_single", "config_push", "fw_bug"):
                continue
            s = f.sev(t, self.tid)
            if s <= 0:
                continue
            if k == "site_lan":
                if f.variant == "dead":
                    down = down or f
                else:
                    if in_eps(f.p["drops"], t) and s > 0.35:
                        down = down or f
                    loss.append((0.55 * s, f))
                    lat.append((s * 1800, f))
            elif k == "lan_cable":
                if in_eps(f.p["drops"], t):
                    down = down or f
            elif k == "signal":
                if in_eps(f.p["drops"], t) and s > 0.5:
                    down = down or f
                loss.append(((0.7 if f.variant == "dip" else 0.45) * s, f))
                lat.append((s * 2600, f))
            elif k == "carrier":
                if not f.p["share"].get(self.tid, True):
                    continue
                if f.variant == "outage":
                    down = down or f
                else:
                    if in_eps(f.p["drops"], t) and s > 0.5:
                        down = down or f
                    loss.append((0.6 * s, f))
                    lat.append((s * 4500, f))
            elif k == "config_single" and f.variant == "apn":
                down = down or f
        return down, loss, lat

    # -- main loop -------------------------------------------------------------
    def run(self):
        G, T, r = self.G, self.T, self.r
        W = G.W
        # heartbeats
        t = T["hb_phase"]
        while t < W:
            self.push(t + r.uniform(-2, 2), "hb")
            t += T["hb"]
        # customers: thinned Poisson
        lam_max = T["rate"] * 4.2 / HOUR
        t = 0.0
        shape = CATS[T["cat"]]["shape"]
        while lam_max > 0:
            t += r.expovariate(lam_max)
            if t >= W:
                break
            lam = T["rate"] * shape_factor(shape, G.lhour(t) % 24) / HOUR
            if r.random() < lam / lam_max:
                self.push(t, "cust", self.new_customer(t))
        # background: a refund-heavy merchant under a txn_type fault
        for f in self.faults:
            if f.kind == "txn_type" and f.variant == "refund":
                tt = max(0, f.start)
                while tt < min(f.end, W):
                    tt += r.expovariate(1 / (r.uniform(25, 60) * MIN))
                    if tt < min(f.end, W):
                        c = self.new_customer(tt)
                        c["type"] = "refund"
                        self.push(tt, "cust", c)
        self.schedule_fault_events()
        self.battery_grid()
        # occasional benign user restart
        if r.random() < 0.04:
            self.push(r.uniform(0, W), "reboot", ("user", None, r.uniform(40, 90)))
        while self.heap:
            t, _, typ, data = heapq.heappop(self.heap)
            if t >= W or (t < 0 and typ in ("hb", "cust")):
                continue
            getattr(self, "on_" + typ)(t, data)

    def schedule_fault_events(self):
        r, G, T = self.r, self.G, self.T
        for f in self.faults:
            k = f.kind
            if k == "site_power":
                for a, b in f.p["outages"]:
                    if not T["batt"]:
                        self.push(a, "reboot", ("power_loss", f, (b - a) + r.uniform(35, 80)))
                # brown-outs during sags reset some terminals
                if f.variant == "sag":
                    tt = f.start
                    while tt < f.end:
                        tt += r.expovariate(1 / (r.uniform(15, 40) * MIN))
                        if tt < f.end and not T["batt"] and r.random() < 0.5 * f.level:
                            self.push(tt, "reboot", ("power_loss", f, r.uniform(35, 80)))
            elif k == "board" and f.variant == "watchdog":
                for a, b in f.p["reboots"]:
                    self.push(a, "reboot", ("watchdog", f, r.uniform(30, 70)))
            elif k == "board" and f.variant == "tamper":
                self.tamper_at = max(f.start, 0) + r.uniform(0, 20) * MIN if f.start > -10 * MIN else f.start
                self.push(max(0, self.tamper_at), "reboot", ("watchdog", f, r.uniform(30, 60)))
            elif k == "adapter":
                for a, b in f.p["dips"]:
                    if r.random() < 0.5 * f.level:
                        self.push(a, "reboot", ("power_loss", f, r.uniform(30, 70)))
                    else:
                        self.push(a, "pevent", f)
            elif k in ("fw_bug", "app_bug") and self.tid in f.t_on:
                self.push(max(0.0, f.t_on[self.tid]), "update", (f.p["field"], f.p["newv"], f))
                rb = f.t_off.get(self.tid)
                if rb is not None and rb < G.W:
                    old = T["fw"] if f.p["field"] == "fw" else T["app"]
                    self.push(rb, "update", (f.p["field"], old, None))
            elif k == "incompat" and self.tid in f.t_off:
                if f.t_off[self.tid] < G.W:
                    self.push(f.t_off[self.tid], "update", ("app", f.p["newapp"], None))
            elif k == "memory":
                self.mem_reset = min(self.mem_reset, f.start)
                self.schedule_leak(f, max(f.start, 0) - r.uniform(0, 40) * MIN)
        # benign rollouts for other terminals (a version that works fine)
        if r.random() < 0.05 and not any(f.kind in ("fw_bug", "app_bug") for f in self.faults):
            self.push(r.uniform(0, G.W), "update", ("app", G._bump_version(r, T["app"]), None))

    def leak_fault(self, t):
        for f in self.faults:
            if f.kind == "memory" and f.start <= t < f.end:
                return f, f.p["rate"]
            if f.kind in ("fw_bug", "app_bug") and f.variant == "leak" and f.sev(t, self.tid) > 0:
                return f, 0.25 + 0.6 * f.level
        return None, 0.0

    def mem_level(self, t):
        f, rate = self.leak_fault(t)
        base = self.T["mem"]
        if f is None:
            return base
        t0 = max(self.mem_reset, f.start if not f.t_on else f.t_on.get(self.tid, f.start))
        return min(99.0, base + rate * (t - t0) / 60.0)

    def schedule_leak(self, f, t_from):
        _, rate = (f, f.p["rate"]) if f.kind == "memory" else (f, 0.25 + 0.6 * f.level)
        base = self.T["mem"]
        t_full = t_from + (97.5 - base) / rate * 60.0
        if t_full < f.end:
            self.push(max(t_full, 0.0), "leakcrash", f)

    # -- handlers --------------------------------------------------------------
    def on_reboot(self, t, data):
        reason, f, downtime = data
        if self.is_down(t):
            self.down_until = max(self.down_until, t + downtime)
            return
        self.down_until = t + downtime
        self.down_fault = f
        inflight = False
        if f is not None and reason in ("power_loss", "watchdog", "crash") and t >= 0:
            lam = self.T["rate"] * shape_factor(CATS[self.T["cat"]]["shape"], self.G.lhour(t) % 24) / HOUR
            if self.r.random() < 1 - math.exp(-lam * 45) and t >= self.abandon_until:
                inflight = True
                cust = self.new_customer(t)
                stan = self.next_stan()
                t0 = max(0.0, t - self.r.uniform(2, 25))
                self.txn(t0, cust, stan, timed_out=True, lat=(t - t0) * 1000, fault=f, host_rec=False)
                self.reversal = (cust, stan, f)
        prio = ["power_loss", "update", "crash", "watchdog", "user"]
        if self.pending_reboot is None or prio.index(reason) < prio.index(self.pending_reboot):
            self.pending_reboot = reason
        if reason == "power_loss":
            self.cnt["power_events"] += 1
        if reason == "crash":
            self.cnt["app_crashes"] += 1
        self.mem_reset = t + downtime
        lf, _ = self.leak_fault(t)
        if lf is not None:
            self.schedule_leak(lf, t + downtime)
        # some vendors log the abnormal restart when they come back
        if f is not None and reason in ("power_loss", "watchdog", "crash"):
            p = 0.35 if reason == "power_loss" else 0.5
            if self.T["vendor"] in ("newland", "sunmi", "centerm"):
                p += 0.2
            if inflight or self.r.random() < p:
                sym = "abn_reboot"
                if f.kind == "board" and f.variant == "tamper" and self.tamper_at is not None and t >= self.tamper_at - 1:
                    sym = "tamper"
                elif f.kind == "site_power" and self.tid in f.p.get("damaged", []) and self.r.random() < 0.5:
                    sym = "selftest"
                elif f.kind == "board" and self.r.random() < 0.4:
                    sym = "selftest"
                self.err(t + downtime + self.r.uniform(3, 20), sym, f, ctx={"reason": reason})

    def on_pevent(self, t, f):
        self.cnt["power_events"] += 1

    def on_leakcrash(self, t, f):
        if f.sev(t, self.tid) <= 0 and f.kind == "memory":
            return
        self.on_reboot(t, (self.r.choice(["watchdog", "crash"]), f, self.r.uniform(40, 90)))

    def on_update(self, t, data):
        field, ver, f = data
        if self.is_down(t):
            self.push(self.down_until + 30, "update", data)
            return
        if field == "fw":
            self.fw = ver
        else:
            self.app = ver
        self.on_reboot(t, ("update", None, self.r.uniform(70, 180)))
        if self.r.random() < 0.6:
            tt = t + self.r.uniform(60, 200)
            self.G.emit(tt, {"kind": "maintenance", "ts": self.G.ts(tt, "+08"), "terminal_id": self.tid,
                             "action": "firmware_update",
                             "notes": "TMS远程升级 %s -> %s" % ("固件" if field == "fw" else "应用", ver), "_t": tt})

    def on_hb(self, t, data):
        G, T, r = self.G, self.T, self.r
        if self.is_down(t) or (self.batt_at(t) and self.batt_at(t)[3]):
            if self.V["offline_marks"]:
                self.emit_tel(t, {"online": False}, force=True)
            return
        down, loss, lat = self.net_state(t)
        if down is not None:
            if self.V["offline_marks"]:
                self.emit_tel(t, {"online": False}, force=True)
            return
        act = self.active(t)
        L = 1.0 - math.prod(1 - l for l, _ in loss) if loss else 0.0
        tel = {"online": True}
        lat_ms = T["base_lat"] * math.exp(r.gauss(0, 0.25)) + sum(x for x, _ in lat) * r.uniform(0.5, 1.4)
        if L > 0 and r.random() < L:
            lat_ms += r.choice([1000, 2000, 3000]) * r.uniform(0.8, 1.2)   # retransmissions
        tel["latency_ms"] = int(lat_ms)
        tel["packet_loss"] = round(clamp(L * r.uniform(0.6, 1.3) + abs(r.gauss(0, 0.004)), 0, 1), 3)
        if T["net"] != "ethernet":
            rssi = T["base_rssi"] + r.gauss(0, 2.5)
            for f, s in act:
                if f.kind == "signal":
                    rssi -= s * (30 if T["net"] == "cellular" else 25) * r.uniform(0.8, 1.1)
            tel["rssi_dbm"] = int(clamp(rssi, -121, -30))
        b = self.batt_at(t)
        mains_f = self.mains_off(t)
        on_mains = (not T["batt"]) or (b is not None and b[1])
        if on_mains:
            v = T["vnom"] * T["vfac"] * (1 + r.gauss(0, 0.006))
            for f, s in act:
                if f.kind == "site_power":
                    if f.variant == "sag" or r.random() < 0.4:
                        v *= f.p["sag"] + (1 - f.p["sag"]) * (1 - s) * r.uniform(0, 0.6)
                elif f.kind == "adapter":
                    v *= f.p["vf"] + (1 - f.p["vf"]) * (1 - s)
                    if r.random() < 0.3:
                        v *= r.uniform(0.88, 0.97)
            if mains_f is not None and T["batt"]:
                v = 0.0
            tel["supply_v"] = round(v, 2)
        if b is not None:
            tel["battery_pct"] = int(clamp(b[0] + r.gauss(0, 0.6), 0, 100))
        for k in ("power_events",):
            tel[k] = self.cnt[k]
        if self.pending_reboot:
            tel["reboot"] = self.pending_reboot
        st = T["storage"] + (t / HOUR) * 0.2
        for f, s in act:
            if f.kind == "storage":
                st = 88 + 12 * s if f.variant == "full" else max(st, 90 + 7 * s)
        tel["storage_used_pct"] = int(clamp(st + r.gauss(0, 0.4), 0, 100))
        tel["memory_used_pct"] = int(clamp(self.mem_level(t) + r.gauss(0, 2.0), 5, 100))
        cpu = T["cpu"] + abs(r.gauss(0, 6))
        temp = T["temp"] + r.gauss(0, 0.8)
        for f, s in act:
            if f.kind == "cpu":
                cpu = 80 + 20 * s * r.uniform(0.85, 1.0)
                temp += 15 * s if f.variant == "thermal" else 6 * s
            elif f.kind == "board" and f.variant in ("watchdog", "sensor"):
                temp += r.uniform(18, 35) if f.variant == "watchdog" else r.choice([0, 0, 60])
        tel["cpu_pct"] = int(clamp(cpu, 0, 100))
        tel["temp_c"] = round(temp, 1)
        tel["key_check"] = self.key_state(t, act)
        skew = T["skew"] + r.gauss(0, 0.3)
        for f, s in act:
            if f.kind == "clock":
                skew = f.p["skew"] + t * 0.0
        tel["clock_skew_s"] = round(skew, 1) if abs(skew) < 1e5 else int(skew)
        tel["printer"] = self.printer_state(t, act)
        for k in ("keypad_errors", "card_reader_errors", "app_crashes"):
            tel[k] = self.cnt[k]
        for f, s in act:
            if f.kind == "keypad" and r.random() < 0.5:
                tel["keypad_errors"] += r.randint(1, 6)
        # background noise: a stray count now and then
        if r.random() < 0.01:
            tel["card_reader_errors"] += 1
        if r.random() < 0.004:
            tel["keypad_errors"] += 1
        if T["android"] and r.random() < 0.003:
            tel["app_crashes"] += 1
        if self.fw != self.reported_fw or r.random() < 0.02:
            tel["firmware"] = self.fw
            self.reported_fw = self.fw
        if self.app != self.reported_app or r.random() < 0.02:
            tel["app_version"] = self.app
            self.reported_app = self.app
        self.emit_tel(t, tel)
        self.pending_reboot = None
        for k in self.cnt:
            self.cnt[k] = 0

    def key_state(self, t, act):
        for f, s in act:
            if f.kind in ("keys_single", "keys_merchant"):
                return "missing" if f.variant == "missing" else "mismatch"
            if f.kind == "board" and f.variant == "tamper" and self.tamper_at is not None and t >= self.tamper_at:
                return "missing"
        return "ok"

    def printer_state(self, t, act):
        for f, s in act:
            if f.kind == "printer_paper":
                return "paper_out"
            if f.kind == "printer_fault" and s > 0.3:
                return "fault"
        return "ok"

    def emit_tel(self, t, tel, force=False):
        T, r = self.T, self.r
        fields = self.V["fields"]
        rec = {"kind": "telemetry", "ts": self.G.ts(t, self.style), "terminal_id": self.tid}
        for k in ["online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
                  "reboot", "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check",
                  "clock_skew_s", "printer", "keypad_errors", "card_reader_errors", "app_crashes",
                  "firmware", "app_version"]:
            if k not in tel:
                continue
            if k not in fields and k not in ("firmware", "app_version", "reboot"):
                continue
            if k in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes") and tel[k] == 0 \
                    and r.random() < 0.5:
                continue   # some exports skip zero counters
            if not force and k not in ("reboot", "firmware", "app_version") and r.random() < 0.02:
                continue   # missing field
            rec[k] = tel[k]
        rec["_t"] = t
        self.G.emit(t, rec)
        if not force and r.random() < 0.002:
            self.G.emit(t, dict(rec))   # duplicated heartbeat

    # -- customers -------------------------------------------------------------
    def new_customer(self, t):
        r, T, M = self.r, self.T, self.M
        C = CATS[T["cat"]]
        ch = wchoice(r, sorted(C["ch"]), [C["ch"][k] for k in sorted(C["ch"])])
        amt = int(C["amt"] * math.exp(r.gauss(0, C["sig"])))
        amt = max(100, amt if amt < 20000 else int(round(amt, -2)))
        typ = "purchase"
        x = r.random()
        if T["cat"] == "hotel" and ch != "qr":
            typ = "preauth" if x < 0.45 else ("completion" if x < 0.75 else "purchase")
        elif x < 0.008:
            typ = "refund"
        elif x < 0.016:
            typ = "void"
        elif x < 0.021 and ch != "qr":
            typ = "balance"
            amt = 0
        cust = {"channel": ch, "amount": amt, "type": typ, "attempt": 0}
        if ch != "qr":
            iss = wchoice(r, ISSUER_NAMES, [ISSUERS[i][0] for i in ISSUER_NAMES])
            w, deb, cre = ISSUERS[iss]
            credit = (not deb) or r.random() < 0.3
            b = r.choice(cre if credit else deb)
            ln = 16 if credit else 19
            cust.update(bin=b, issuer=iss, credit=credit, foreign=(iss == "foreign"),
                        pan=b + "*" * (ln - 10) + "%04d" % r.randrange(0, 10000))
            cust["pin"] = (ch in ("card_ic", "card_swipe") and (not credit or r.random() < 0.4)) or \
                          (ch == "nfc" and amt > 100000)
            # a customer's card that will decline for ordinary reasons
            cust["decline"] = None
            if r.random() < 0.035:
                cust["decline"] = wchoice(r, ["51", "55", "54", "14", "05", "75", "61", "41", "57"],
                                          [40, 22, 8, 5, 9, 4, 5, 2, 3])
        else:
            cust["decline"] = "51" if r.random() < 0.008 else None
            cust["pin"] = False
        return cust

    def on_cust(self, t, cust):
        self.attempt(t, cust)

    def retry(self, t, cust, p=0.6, switch_qr=0.4, delay=(15, 100)):
        r = self.r
        if cust["attempt"] >= 2:
            if cust["channel"] != "qr" and r.random() < switch_qr:
                c2 = dict(cust)
                c2.update(channel="qr", attempt=0, pin=False, decline=None)
                c2.pop("pan", None)
                c2["switched"] = True
                self.push(t + r.uniform(20, 60), "cust", c2)
            return
        if r.random() < p:
            c2 = dict(cust)
            c2["attempt"] += 1
            self.push(t + r.uniform(*delay), "cust", c2)
        elif cust["channel"] != "qr" and r.random() < switch_qr:
            c2 = dict(cust)
            c2.update(channel="qr", attempt=0, pin=False, decline=None)
            c2.pop("pan", None)
            self.push(t + r.uniform(20, 60), "cust", c2)

    def note_fail(self, t, local=True):
        r = self.r
        self.streak += 1
        if self.streak >= self.giveup_k:
            # A2: stop using it, restart it; or just give up on it for a while (static QR code, cash)
            self.streak = 0
            self.giveup_k = r.randint(3, 7)
            if r.random() < 0.35 * self.T["cashier_attn"] and t - self.last_user_reboot > 20 * MIN:
                self.last_user_reboot = t
                self.push(t + r.uniform(20, 90), "reboot", ("user", None, r.uniform(45, 100)))
                self.abandon_until = t + r.uniform(2, 6) * MIN
            else:
                self.abandon_until = t + r.uniform(5, 40) * MIN

    # -- records --------------------------------------------------------------
    def err(self, t, sym, fault, ctx=None, stan=None, cause=None, code=None):
        G, T, r = self.G, self.T, self.r
        code = code or self.codes[sym]
        rec = {"kind": "error", "ts": G.ts(t, self.style), "terminal_id": self.tid, "code": code}
        if r.random() < 0.93:
            rec["stage"] = (ctx or {}).get("stage") or STAGE_OF[sym]
        if r.random() < 0.9:
            rec["detail"] = self.detail(sym, code, ctx or {})
        if stan:
            rec["stan"] = stan
        rec["_t"] = t
        G.emit(t, rec)
        c = cause or fault.cause
        G.truth_event(rec, c, fault, code)
        if fault is not None:
            fault.note(self.tid, t, code)
        return rec

    def detail(self, sym, code, ctx):
        r, T, G = self.r, self.T, self.G
        zh, en = SYM_TEXT[sym]
        if ctx.get("zh"):
            zh, en = ctx["zh"], ctx.get("en", en)
        ip = G.host_ip[T["host"]]
        port = G.host_port[T["host"]]
        ex = ""
        if sym == "conn":
            ex = "connect %s:%d errno=%d" % (ctx.get("ip", ip), port, ctx.get("errno", 110))
        elif sym == "dns":
            ex = "getaddrinfo(%s) = %d" % (ctx.get("name", "pos.%s.acq.cn" % T["host"].lower()), -2)
        elif sym == "recv_to":
            ex = "stan=%s wait=%ds" % (ctx.get("stan", "-"), ctx.get("wait", T["timeout"]))
        elif sym == "send":
            ex = "write() errno=%d sent=%d/%d" % (ctx.get("errno", 32), r.randint(0, 120), r.randint(180, 420))
        elif sym == "tls":
            ex = ctx.get("tls", "ssl_handshake ret=-0x7780 alert=handshake_failure(40)")
        elif sym == "cert_exp":
            ex = ctx.get("tls", "X509 verify error 10 (certificate has expired)")
        elif sym == "cert_untrusted":
            ex = "X509 verify error 20 (unable to get local issuer certificate) depth=1"
        elif sym == "mac":
            ex = "calc=%08X recv=%08X" % (r.getrandbits(32), r.getrandbits(32))
        elif sym == "keymiss":
            ex = "TMK/TPK slot %02d empty" % r.randint(1, 8)
        elif sym == "unpack":
            ex = "field %d len %d > remain %d" % (r.choice([35, 55, 62, 63]), r.randint(60, 400), r.randint(2, 50))
        elif sym == "cardread":
            ex = r.choice(["ATR timeout slot0", "APDU SW=6F00", "ICC power on fail vcc=%.2fV" % r.uniform(2.1, 2.8)])
        elif sym == "nfc":
            ex = r.choice(["PICC poll no response", "RF field err", "collision"])
        elif sym == "swipe":
            ex = r.choice(["track2 LRC err", "no track data", "track2 parity err"])
        elif sym == "pinpad":
            ex = ctx.get("ex", r.choice(["key scan timeout", "PED no ack", "serial PED link down"]))
        elif sym == "paper":
            ex = "paper sensor=1"
        elif sym == "prnfault":
            ex = ctx.get("ex", r.choice(["head temp %dC" % r.randint(70, 95), "cutter jam", "print timeout"]))
        elif sym == "lowbat":
            ex = "vbat=%.2fV %d%%" % (3.3 + r.uniform(0, 0.15), ctx.get("pct", 3))
        elif sym == "selftest":
            ex = ctx.get("ex", r.choice(["sensor 3 abnormal", "RTC check fail", "SAM slot err", "vdd_io low"]))
        elif sym == "tamper":
            ex = "tamper reg=0x%02X" % r.choice([1, 2, 4, 8])
        elif sym == "storage":
            ex = "free=%dKB write journal failed" % r.randint(0, 40)
        elif sym == "journal_full":
            ex = "batch count=%d max=%d" % (ctx.get("n", 500), ctx.get("n", 500))
        elif sym == "crash":
            ex = ctx.get("ex", r.choice(["SIGSEGV in libemv.so", "java.lang.NullPointerException", "ANR in com.pay.main",
                                         "abort() in qrscan"]))
        elif sym == "oom":
            ex = "malloc(%d) failed" % r.choice([4096, 65536, 262144])
        elif sym == "slow":
            ex = "main thread blocked %dms" % r.randint(8000, 30000)
        elif sym == "display":
            ex = ctx.get("ex", r.choice(["LCD ctrl timeout", "TP i2c read err", "backlight pwm fault"]))
        elif sym == "param":
            ex = ctx.get("ex", "param check failed")
        elif sym == "abn_reboot":
            ex = "reset cause=%s" % {"power_loss": "POR", "watchdog": "WDT", "crash": "SW"}.get(ctx.get("reason"), "POR")
        elif sym == "oper":
            ex = ctx.get("ex", "")
        lang = self.V["lang"]
        if lang == "mix":
            return "[%s] %s / %s; %s" % (SYM_MOD[sym], zh, en, ex)
        if lang == "zh":
            return "%s: %s" % (zh, ex)
        if lang == "zh_en":
            return "<%s> %s(%s) %s" % (code, zh, en, ex)
        if lang == "en":
            if T["vendor"] == "sunmi":
                return "PaySDK E/%s: %s (%s) %s" % (SYM_MOD[sym], en, zh, ex)
            return "%s %s" % (en.upper(), ex)
        return "%s（%s）" % (zh, ex)

    def txn(self, t, cust, stan, rc=None, timed_out=False, lat=None, fault=None, cause=None, amount=None,
            typ=None, host_rec=True):
        G, T, r, M = self.G, self.T, self.r, self.M
        style = self.hstyle if host_rec else self.style
        rec = {"kind": "txn", "ts": G.ts(t, style), "terminal_id": self.tid}
        if r.random() < 0.96:
            rec["merchant_id"] = T["mid"]
        rec["type"] = typ or cust["type"]
        rec["amount"] = cust["amount"] if amount is None else amount
        rec["currency"] = G.host_cur[T["host"]]
        rec["channel"] = cust["channel"]
        rec["stan"] = stan
        if rc is not None:
            rec["response_code"] = rc
            doy = (G.w0 + timedelta(seconds=t)).timetuple().tm_yday
            rec["rrn"] = "%03d%02d%07d" % (doy, int(G.lhour(t)) % 24, (hash_int(self.tid) + int(stan) * 7) % 10000000)
        if r.random() < 0.9:
            rec["mcc"] = M["jump_mcc"] or M["mcc"]
        if timed_out:
            rec["timed_out"] = True
        elif rc is not None and r.random() < 0.1:
            rec["timed_out"] = False
        if lat is not None and r.random() < 0.95:
            rec["latency_ms"] = int(lat)
        if rc == "00" and rec["type"] in ("purchase", "completion"):
            rate = M["qr_rate"] if cust["channel"] == "qr" else M["card_rate"]
            rec["fee"] = int(round(rec["amount"] * rate)) + M["fixed_fee"]
        if cust.get("pan"):
            rec["pan"] = cust["pan"]
        rec["_t"] = t
        G.emit(t, rec)
        if timed_out or (rc is not None and rc != "00"):
            code = rc if rc is not None else "timeout"
            c = cause or (fault.cause if fault else None)
            G.truth_event(rec, c, fault, code)
            if fault is not None:
                fault.note(self.tid, t, code)
        return rec

    def host_rc_err(self, t, rc, stan, fault, cause):
        if self.V["logs_rc"] and self.r.random() < self.V["logs_rc"]:
            code = self.V["rc_fmt"].format(rc=rc)
            ctx = {"zh": "交易失败[%s] %s" % (rc, RC_TEXT.get(rc, "")), "en": "declined rc=%s" % rc,
                   "ex": "stan=%s" % stan, "stage": "receive"}
            self.err(t + self.r.uniform(0.5, 2.5), "oper", fault, ctx=ctx, stan=stan, cause=cause, code=code)

    # -- one payment attempt ----------------------------------------------------
    def attempt(self, t, cust):
        G, T, r = self.G, self.T, self.r
        if t < self.abandon_until and cust["type"] != "reversal":
            return      # the shop has stopped using this terminal for now
        if self.is_down(t):
            # terminal dark / rebooting: the cashier waits or the customer scans the shop's static QR
            if r.random() < 0.5 and self.down_until - t < 4 * MIN:
                self.push(self.down_until + r.uniform(10, 60), "cust", cust)
            return
        b = self.batt_at(t)
        if b is not None and b[3]:
            return
        act = self.active(t)
        kinds = {}
        for f, s in act:
            kinds.setdefault(f.kind, (f, s))
        ch = cust["channel"]
        card = ch != "qr"
        prep = r.uniform(4, 12) if card else r.uniform(3, 8)
        if cust.get("pin"):
            prep += r.uniform(4, 12)
        t1 = t + prep          # when the request goes out

        # --- terminal-local problems -------------------------------------------
        if b is not None and b[0] < (10 if b[4] else 5) and not (b[1] and b[2]):
            wf = b[4] or self.site_power_fault(t)
            if wf is not None:
                self.err(t + 1, "lowbat", wf, ctx={"pct": int(b[0])})
                self.note_fail(t)
                return
        if "storage" in kinds:
            f, s = kinds["storage"]
            if s >= 0.97 or (f.variant == "journal" and s > 0.85):
                sym = "journal_full" if f.variant == "journal" else "storage"
                self.err(t + 2, sym, f, ctx={"n": r.choice([300, 500, 999])})
                self.note_fail(t)
                self.retry(t, cust, p=0.3, switch_qr=0.0)
                return
        if "display" in kinds:
            f, s = kinds["display"]
            if r.random() < 0.45 * s:
                ex = {"backlight": "backlight pwm fault", "touch": "TP i2c read err", "lcd_ctrl": "LCD ctrl timeout"}[f.variant]
                self.err(t + r.uniform(2, 15), "display", f, ctx={"ex": ex})
                self.note_fail(t)
                self.retry(t, cust, p=0.5, switch_qr=0.2)
                return
        if "board" in kinds:
            f, s = kinds["board"]
            if f.variant == "sensor" and r.random() < 0.3 * s:
                self.err(t + 1, "selftest", f)
                self.note_fail(t)
                self.retry(t, cust, p=0.6)
                return
        dmg = kinds.get("site_power")
        if dmg and self.tid in dmg[0].p["damaged"] and r.random() < 0.2:
            self.err(t + 1, "selftest", dmg[0], ctx={"ex": "vdd_io low"})
            self.note_fail(t)
            self.retry(t, cust, p=0.5)
            return
        # application defects, memory, cpu
        for k in ("fw_bug", "app_bug"):
            if k in kinds:
                f, s = kinds[k]
                trig = (f.variant == "nfc_crash" and ch == "nfc") or (f.variant == "qr_crash" and ch == "qr") or \
                       (f.variant == "emv" and ch == "card_ic")
                if trig and r.random() < 0.75 * s:
                    ex = {"nfc_crash": "SIGSEGV in libclss.so (qPBOC)", "qr_crash": "java.lang.IllegalStateException: scanner",
                          "emv": "EMV kernel exception 0x%04X" % r.randrange(0x6000, 0x6FFF)}[f.variant]
                    st = "card_read" if f.variant in ("emv", "nfc_crash") else "app"
                    self.err(t + r.uniform(2, 8), "crash", f, ctx={"ex": ex, "stage": st})
                    self.cnt["app_crashes"] += 1
                    if r.random() < 0.5:
                        self.push(t + 9, "reboot", ("crash", f, r.uniform(25, 60)))
                    self.note_fail(t)
                    self.retry(t, cust, p=0.6, switch_qr=0.5)
                    return
        mem = self.mem_level(t)
        if mem > 90:
            lf, _ = self.leak_fault(t)
            if lf is not None and r.random() < (mem - 88) / 12.0:
                self.err(t + r.uniform(1, 6), r.choice(["oom", "crash", "oom"]), lf,
                         ctx={"ex": "OutOfMemoryError" if T["android"] else "heap exhausted"})
                self.cnt["app_crashes"] += 1
                if r.random() < 0.4:
                    self.push(t + 10, "reboot", (r.choice(["crash", "watchdog"]), lf, r.uniform(30, 70)))
                self.note_fail(t)
                self.retry(t, cust, p=0.6)
                return
        cpu_f = kinds.get("cpu")
        if cpu_f and r.random() < 0.3 * cpu_f[1]:
            f = cpu_f[0]
            self.err(t + r.uniform(10, 30), "slow", f, ctx={"stage": "pin" if cust.get("pin") else "app"})
            self.note_fail(t)
            self.retry(t, cust, p=0.7)
            return
        # operator (a trainee on this terminal, or a rare slip of anyone)
        op = kinds.get("operator")
        if (op and r.random() < 0.32 * op[1]) or r.random() < 0.0025:
            self.operator_mistake(t, cust, op[0] if op else None)
            return
        # card reading
        if card:
            cr = kinds.get("card_reader")
            bad = False
            if cr:
                f, s = cr
                if (f.variant == "ic" and ch == "card_ic") or (f.variant == "nfc" and ch == "nfc") or \
                        (f.variant == "mag" and ch == "card_swipe"):
                    bad = r.random() < 0.8 * s
                elif r.random() < 0.05 * s:
                    bad = True
            if bad:
                sym = {"card_ic": "cardread", "nfc": "nfc", "card_swipe": "swipe"}[ch]
                self.err(t + r.uniform(2, 8), sym, cr[0])
                self.cnt["card_reader_errors"] += r.randint(1, 3)
                self.note_fail(t)
                if ch == "card_ic" and cust["attempt"] >= 1 and r.random() < 0.5:
                    c2 = dict(cust)
                    c2.update(channel="card_swipe", attempt=2, fallback=True)
                    self.push(t + r.uniform(10, 40), "cust", c2)
                else:
                    self.retry(t, cust, p=0.6, switch_qr=0.6, delay=(8, 40))
                return
            if ch == "card_ic" and r.random() < 0.002:
                self.cnt["card_reader_errors"] += 1   # a dirty chip, the customer reinserts: no failure
        # PIN entry
        kp = kinds.get("keypad")
        pin_wrong_hw = None
        if kp and not T["android"] and not cust.get("pin") and kp[0].variant == "dead" and r.random() < 0.35 * kp[1]:
            # the cashier cannot key in the amount: dead keys on the terminal's own keypad
            self.err(t + r.uniform(5, 20), "pinpad", kp[0], ctx={"ex": "key matrix row %d no response" % r.randint(1, 5),
                                                                   "stage": "app"})
            self.cnt["keypad_errors"] += r.randint(1, 5)
            self.note_fail(t)
            self.retry(t, cust, p=0.5, switch_qr=0.3)
            return
        if cust.get("pin") and kp:
            f, s = kp
            if f.variant == "dead" and r.random() < 0.7 * s:
                self.err(t + r.uniform(8, 25), "pinpad", f, ctx={"ex": "key scan timeout"})
                self.cnt["keypad_errors"] += r.randint(2, 9)
                self.note_fail(t)
                self.retry(t, cust, p=0.5, switch_qr=0.6)
                return
            if f.variant == "stuck" and r.random() < 0.55 * s:
                pin_wrong_hw = f
                self.cnt["keypad_errors"] += r.randint(0, 3)
        corr = kinds.get("corruption")
        if cust.get("pin") and corr and corr[0].variant == "pinpad_cable" and r.random() < 0.35 * corr[1]:
            f = corr[0]
            if r.random() < 0.5:
                self.err(t + r.uniform(5, 15), "pinpad", f, ctx={"ex": "PED frame CRC err"})
                self.note_fail(t)
                self.retry(t, cust, p=0.7)
                return
            stan = self.next_stan()
            self.txn(t1, cust, stan, rc="99", lat=self.base_latency(t, act)[0], fault=f)
            self.host_rc_err(t1 + 1, "99", stan, f, None)
            self.note_fail(t)
            self.retry(t, cust, p=0.7)
            return

        # --- security / config before the request leaves --------------------------
        ks = self.key_state(t, act)
        if ks == "missing":
            f = kinds.get("keys_single", kinds.get("board", (None, 0)))[0]
            if f is not None:
                self.err(t1, "keymiss", f)
                self.note_fail(t)
                self.retry(t, cust, p=0.3, switch_qr=0.0)
                return
        cfg = kinds.get("config_single") or kinds.get("config_push")
        if cfg:
            f = cfg[0]
            if f.variant == "host_ip":
                self.err(t1 + r.uniform(3, 20), "conn", f,
                         ctx={"ip": "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254)),
                              "errno": r.choice([110, 113])})
                self.note_fail(t)
                self.retry(t, cust, p=0.5, switch_qr=0.0)
                return
            if f.variant == "dns":
                self.err(t1 + r.uniform(1, 5), "dns", f, ctx={"name": "pos.%s.acq.cn.local" % T["host"].lower()})
                self.note_fail(t)
                self.retry(t, cust, p=0.5, switch_qr=0.0)
                return
            if f.variant == "apn":
                self.err(t1 + r.uniform(1, 6), "conn", f, ctx={"errno": 101})
                self.note_fail(t)
                self.retry(t, cust, p=0.5, switch_qr=0.0)
                return
        for k in ("fw_bug", "app_bug"):
            if k in kinds and kinds[k][0].variant == "dns" and r.random() < 0.35 * kinds[k][1]:
                f = kinds[k][0]
                self.err(t1 + r.uniform(1, 5), "dns", f, ctx={"name": "pos.%s.acq.cn" % T["host"].lower()})
                self.note_fail(t)
                self.retry(t, cust, p=0.6, switch_qr=0.1)
                return
        # TLS
        if T["tls"]:
            tf = None
            for k in ("clock", "cert_batch", "cert_untrusted"):
                if k in kinds:
                    tf = kinds[k][0]
                    break
            if tf is None:
                inc = kinds.get("incompat")
                if inc and inc[0].variant == "tls_proto":
                    tf = inc[0]
            if tf is not None:
                if tf.kind == "clock":
                    nb = "not yet valid" if tf.variant == "rtc_reset" else "has expired"
                    ctx = {"tls": "X509 verify error %d (certificate %s) now=%s" % (
                        9 if tf.variant == "rtc_reset" else 10, nb,
                        (G.w0 + timedelta(seconds=t + tf.p["skew"])).strftime("%Y-%m-%d %H:%M:%S"))}
                    sym = "cert_exp"
                elif tf.kind == "cert_batch":
                    if r.random() < 0.6:
                        sym, ctx = "tls", {"tls": "ssl_handshake ret=-0x7780 alert=certificate_expired(45) from server"}
                    else:
                        sym, ctx = "tls", {"tls": "peer closed during handshake (client cert)"}
                elif tf.kind == "cert_untrusted":
                    sym, ctx = "cert_untrusted", {}
                else:
                    sym, ctx = "tls", {"tls": "ssl_handshake ret=-0x7280 alert=protocol_version(70)"}
                down, _, _ = self.net_state(t1)
                if down is None:
                    self.err(t1 + r.uniform(0.3, 3), sym, tf, ctx=ctx)
                    self.note_fail(t)
                    self.retry(t, cust, p=0.4, switch_qr=0.0)
                    return

        # --- network ---------------------------------------------------------------
        down, loss, latl = self.net_state(t1)
        if down is not None:
            errno = 113 if down.kind in ("site_power", "site_lan", "lan_cable") else r.choice([101, 110, 113])
            self.err(t1 + r.uniform(2, 25), "conn", down, ctx={"errno": errno})
            self.note_fail(t)
            self.retry(t, cust, p=0.55, switch_qr=0.1, delay=(30, 150))
            return
        acq = kinds.get("acq_down")
        if acq:
            f = acq[0]
            if f.variant == "refused":
                self.err(t1 + r.uniform(0.2, 2), "conn", f, ctx={"errno": 111})
                self.note_fail(t)
                self.retry(t, cust, p=0.5, switch_qr=0.0, delay=(30, 150))
                return
            stan = self.next_stan()
            self.timeout(t1, cust, stan, f)
            return
        # packet loss / latency: timeouts, send failures
        Lp = 1.0 - math.prod(1 - l for l, _ in loss) if loss else 0.0
        base_lat, net_lat = self.base_latency(t1, act, latl)
        p_fail = min(0.92, 1.25 * Lp ** 1.4) if Lp > 0 else 0.0
        if p_fail > 0 and r.random() < p_fail:
            f = r.choices([x[1] for x in loss], weights=[x[0] for x in loss])[0]
            x = r.random()
            if x < 0.2:
                self.err(t1 + r.uniform(3, 20), "conn", f, ctx={"errno": 110})
            elif x < 0.32:
                self.err(t1 + r.uniform(1, 6), "send", f)
            else:
                stan = self.next_stan()
                self.timeout(t1, cust, stan, f)
                return
            self.note_fail(t)
            self.retry(t, cust, p=0.6, switch_qr=0.1, delay=(20, 120))
            return
        if corr and corr[0].variant == "link_noise" and r.random() < 0.4 * corr[1]:
            f = corr[0]
            x = r.random()
            stan = self.next_stan()
            if x < 0.4:
                self.txn(t1, cust, stan, rc="30", lat=base_lat, fault=f)
                self.host_rc_err(t1 + 1, "30", stan, f, None)
            elif x < 0.75:
                self.err(t1 + base_lat / 1000 + 0.3, "unpack", f, stan=stan)
                self.reversal = (cust, stan, f)
            else:
                self.txn(t1, cust, stan, rc="A0", lat=base_lat, fault=f)
                if r.random() < 0.5:
                    self.err(t1 + base_lat / 1000 + 0.2, "mac", f, stan=stan)
            self.note_fail(t)
            self.retry(t, cust, p=0.7, delay=(10, 60))
            return

        # --- the request reaches the acquirer host ------------------------------
        self.send_reversal(t1 - 1.0)
        stan = self.next_stan()
        lat = base_lat + self.confirm_wait(cust)
        deg = kinds.get("acq_degraded")
        host_rc, hf, hcause = None, None, None
        if deg:
            f, s = deg
            lat += s * r.uniform(1500, 45000) * (r.random() < 0.7)
            if r.random() < 0.22 * s:
                host_rc, hf = "96", f
        # issuer first needs the host to be up; business rules are checked at the host
        if host_rc is None:
            host_rc, hf, hcause, lat = self.host_decision(t1, cust, act, kinds, lat)
        if cust.get("fallback") and host_rc is None and r.random() < 0.6:
            host_rc, hf = "45", kinds.get("card_reader", (None, 0))[0]
            if hf is None:
                host_rc = None
        if pin_wrong_hw is not None and host_rc is None:
            host_rc, hf = "55", pin_wrong_hw
        # terminal-side timeout (slow host, slow issuer, mis-set timeout, loaded CPU)
        tout = T["timeout"]
        cfg_to = cfg and cfg[0].variant == "timeout"
        if cfg_to:
            tout = r.choice([5, 6, 8])
        if cpu_f and r.random() < 0.2 * cpu_f[1]:
            lat += r.uniform(3000, 12000)
        if lat / 1000.0 > tout:
            # which fault made it slow?
            if cfg_to and lat / 1000.0 <= T["timeout"]:
                tf = cfg[0]
            elif deg and hf is None:
                tf = deg[0]
            elif hf is not None and hf.kind == "issuer":
                tf = hf
            elif latl:
                tf = max(latl, key=lambda x: x[0])[1]
            elif deg:
                tf = deg[0]
            elif cpu_f:
                tf = cpu_f[0]
            else:
                tf = hf
            if tf is None:
                lat = tout * 1000 * r.uniform(0.5, 0.9)
            else:
                self.timeout(t1, cust, stan, tf, wait=tout, debited=(host_rc is None))
                return
        if host_rc is None:
            self.txn(t1, cust, stan, rc="00", lat=lat)
            if card and cust["type"] in ("purchase", "completion"):
                self.day_count += 1
            self.streak = 0
            self.after_approval(t1 + lat / 1000.0, cust, stan, act, kinds)
            return
        cause = hcause
        self.txn(t1, cust, stan, rc=host_rc, lat=lat, fault=hf, cause=cause)
        self.host_rc_err(t1 + lat / 1000.0, host_rc, stan, hf, cause)
        if hf is not None and hf.kind in ("keys_single", "keys_merchant", "config_single", "config_push") and \
                host_rc == "A0" and r.random() < 0.4:
            self.err(t1 + lat / 1000.0 + 0.4, "mac", hf, stan=stan)
        if hf is not None:
            self.note_fail(t, local=False)
        # customer reaction
        if host_rc in ("51", "05", "14", "41", "54", "57", "62", "91", "98", "45"):
            self.retry(t, cust, p=0.15, switch_qr=0.75)
        elif host_rc in ("55",):
            self.retry(t, cust, p=0.75, switch_qr=0.3, delay=(10, 40))
        elif host_rc in ("61", "65", "59", "34"):
            self.retry(t, cust, p=0.1, switch_qr=0.6)
        else:
            self.retry(t, cust, p=0.45, switch_qr=0.3)

    def base_latency(self, t, act, latl=None):
        T, r = self.T, self.r
        if latl is None:
            _, _, latl = self.net_state(t)
        net = T["base_lat"] * 3 * math.exp(r.gauss(0, 0.3)) + sum(x for x, _ in latl) * r.uniform(1.0, 4.0)
        host = r.uniform(250, 900)
        return net + host, net

    def confirm_wait(self, cust):
        # a QR payment above the password-free limit waits for the payer to confirm on the phone
        if cust["channel"] == "qr" and cust["amount"] > 20000 and self.r.random() < 0.6:
            return self.r.uniform(4000, 20000)
        if cust["channel"] == "qr" and self.r.random() < 0.08:
            return self.r.uniform(3000, 12000)
        return 0.0

    def host_decision(self, t, cust, act, kinds, lat):
        """business rules, keys, config as seen by the host; issuer; ordinary declines."""
        r, T = self.r, self.T
        ch, typ, amt = cust["channel"], cust["type"], cust["amount"]
        card = ch != "qr"
        # keys / MAC
        kf = kinds.get("keys_single") or kinds.get("keys_merchant")
        if kf and kf[0].variant == "mismatch":
            return "A0", kf[0], None, lat
        cfg = kinds.get("config_single") or kinds.get("config_push")
        if cfg:
            f = cfg[0]
            if f.variant == "keyidx":
                return "A0", f, None, lat
            if f.variant in ("tid", "tid_swap"):
                return "97", f, None, lat
            if f.variant == "mid":
                return "03", f, None, lat
        inc = kinds.get("incompat")
        if inc:
            f = inc[0]
            if f.variant == "msgfmt":
                return "30", f, None, lat
            if f.variant == "qr_api" and ch == "qr":
                return "40", f, None, lat
        # merchant status
        mf = kinds.get("merchant_frozen")
        if mf:
            return "03", mf[0], None, lat
        mm = kinds.get("merchant_misreg")
        if mm:
            f = mm[0]
            if f.variant == "unbound":
                return "97" if r.random() < 0.7 else "03", f, None, lat
            if card and (cust.get("credit") or typ != "purchase" or r.random() < 0.5):
                return "58", f, None, lat
        tt = kinds.get("txn_type")
        if tt:
            f = tt[0]
            if f.variant == "preauth" and typ in ("preauth", "completion"):
                return r.choice(["40", "58"]), f, None, lat
            if f.variant == "refund" and typ in ("refund", "void"):
                return "40" if typ == "refund" else "12", f, None, lat
            if f.variant == "credit" and card and cust.get("credit"):
                return "57", f, None, lat
            if f.variant == "nfc_large" and ch == "nfc" and amt > 30000:
                return "58", f, None, lat
        lim = kinds.get("limit")
        if lim and typ in ("purchase", "preauth", "completion"):
            f = lim[0]
            if f.variant == "single" and amt > f.p["limit"]:
                return "61", f, None, lat
            if f.variant == "count" and card and self.day_count >= f.p["count"]:
                return "65", f, None, lat
        rk = kinds.get("risk")
        if rk and typ in ("purchase", "preauth"):
            f, s = rk
            p = 0.0
            if f.variant == "hold":
                p = 0.9 if amt > f.p["thr"] else 0.25
            elif f.variant == "large":
                p = 0.95 if amt > f.p["thr"] else 0.0
            else:
                p = 0.9 if (cust.get("credit") or cust.get("foreign")) else 0.03
            if r.random() < p * s:
                return r.choice(["59", "59", "34"]), f, None, lat
        # issuer
        if card and cust.get("bin"):
            for f, s in act:
                if f.kind == "issuer" and cust["bin"] in f.scope["bins"]:
                    if f.variant == "down":
                        if r.random() < 0.9 * s:
                            return "91", f, None, lat + r.uniform(100, 600)
                    else:
                        if r.random() < 0.8 * s:
                            wait = r.uniform(18000, 40000)
                            return "98", f, None, lat + wait
                        lat += s * r.uniform(2000, 9000)
        # ordinary declines
        if typ == "void" and r.random() < 0.01:
            return "25", None, "operator.error", lat
        if cust.get("decline"):
            rc = cust["decline"]
            if rc == "55" and cust["attempt"] >= 2 and r.random() < 0.5:
                rc = "75"
            if ch != "qr" or rc == "51":
                # the customer retries with another card/qr: this card does not come back
                return rc, None, "card.decline", lat
        return None, None, None, lat

    def timeout(self, t1, cust, stan, f, wait=None, debited=False):
        r = self.r
        wait = wait or self.T["timeout"]
        self.txn(t1, cust, stan, timed_out=True, lat=wait * 1000, fault=f, host_rec=False)
        if r.random() < 0.85:
            self.err(t1 + wait + r.uniform(0.2, 2.0), "recv_to", f, ctx={"stan": stan, "wait": wait}, stan=stan)
        self.reversal = (cust, stan, f)
        if debited:
            self.G.__dict__.setdefault("timeouts_debited", []).append((self.tid, t1, stan))
        self.note_fail(t1)
        self.retry(t1, cust, p=0.55, switch_qr=0.2, delay=(30, 120))

    def send_reversal(self, t):
        if self.reversal is None:
            return
        cust, stan, f = self.reversal
        self.reversal = None
        if cust["type"] not in ("purchase", "preauth", "completion"):
            return
        s2 = self.next_stan()
        self.txn(t, cust, s2, rc="00", typ="reversal", lat=self.r.uniform(200, 900))

    def after_approval(self, t, cust, stan, act, kinds):
        r = self.r
        if cust["type"] == "balance":
            return
        tp = t + r.uniform(0.5, 3)
        pp = kinds.get("printer_paper")
        if pp:
            self.err(tp, "paper", pp[0], stan=stan)
            return
        pf = kinds.get("printer_fault")
        if pf and r.random() < 0.8 * pf[1]:
            ex = {"head": "head temp %dC" % r.randint(75, 98), "cutter": "cutter jam",
                  "driver": "print timeout"}[pf[0].variant]
            self.err(tp, "prnfault", pf[0], stan=stan, ctx={"ex": ex})
            return
        for k in ("fw_bug", "app_bug"):
            if k in kinds and kinds[k][0].variant == "print_hang" and r.random() < 0.3 * kinds[k][1]:
                f = kinds[k][0]
                self.err(tp + r.uniform(5, 20), "crash", f, stan=stan,
                         ctx={"ex": "watchdog: print thread hung", "stage": "print"})
                self.push(tp + 20, "reboot", ("watchdog", f, r.uniform(30, 60)))
                return
        ad = kinds.get("adapter")
        if ad and r.random() < 0.25 * ad[1]:
            # the thermal head pulls current; the weak adapter browns out
            self.push(tp + 0.5, "reboot", ("power_loss", ad[0], r.uniform(30, 70)))
            return
        sp = kinds.get("site_power")
        if sp and sp[0].variant == "sag" and not self.T["batt"] and r.random() < 0.12 * sp[1]:
            self.push(tp + 0.5, "reboot", ("power_loss", sp[0], r.uniform(30, 70)))

    def operator_mistake(self, t, cust, f):
        r = self.r
        cause = None if f else "operator.error"
        stan = self.next_stan()
        lat = self.base_latency(t, [])[0]
        x = r.random()
        if x < 0.25:
            c2 = dict(cust)
            c2.update(type="void")
            self.txn(t + 8, c2, stan, rc="25", lat=lat, fault=f, cause=cause)
            self.host_rc_err(t + 9, "25", stan, f, cause)
        elif x < 0.42:
            c2 = dict(cust)
            c2.update(type="refund", amount=cust["amount"] * r.choice([2, 10]))
            self.txn(t + 10, c2, stan, rc=r.choice(["64", "13"]), lat=lat, fault=f, cause=cause)
        elif x < 0.55:
            self.txn(t + 6, cust, stan, rc="94", lat=lat, fault=f, cause=cause)
        elif x < 0.68 and cust["type"] == "purchase":
            c2 = dict(cust)
            c2["amount"] = cust["amount"] * 100
            self.txn(t + 9, c2, stan, rc=r.choice(["61", "13"]), lat=lat, fault=f, cause=cause)
            self.push(t + r.uniform(30, 90), "cust", dict(cust, attempt=cust["attempt"] + 1))
            return
        else:
            ex = r.choice([("主管密码错误", "supervisor password wrong"), ("操作员未签到", "operator not signed in"),
                           ("原交易不存在", "original transaction not found"), ("密码输入超时", "PIN entry timeout"),
                           ("退货金额大于原交易金额", "refund amount exceeds original")])
            stage = "pin" if "PIN" in ex[1] else "app"
            self.err(t + r.uniform(3, 20), "oper", f, ctx={"zh": ex[0], "en": ex[1], "stage": stage}, cause=cause)
        self.push(t + r.uniform(30, 90), "cust", dict(cust, attempt=cust["attempt"] + 1))


def hash_int(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1000000007
    return h


def main(argv=None):
    ap = argparse.ArgumentParser(description="gen4: blind POS-fleet test-data generator (posdoc format v1)")
    ap.add_argument("--seed", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--terminals", type=int, default=300)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--faults", type=int, default=20)
    ap.add_argument("--bad-lines", type=int, default=0, help="also write N truncated lines (parser robustness)")
    a = ap.parse_args(argv)
    g = Gen(a.seed, a.terminals, a.hours, a.faults, a.bad_lines)
    g.run()
    n = g.write(a.out)
    print("seed %s: %d terminals, %d records, %d faults, %d truth_events -> %s" % (
        a.seed, len(g.terms), n, len(g.faults), len(g.truth_ev), a.out))


if __name__ == "__main__":
    main()
