#!/usr/bin/env python3
"""gen3 -- an independent synthetic POS-fleet generator for posdoc record format v1.

    python3 gen3.py --seed 3 --out /tmp/g3/3

writes DIR/records.jsonl (inventory + observations, no causes anywhere) and
DIR/truth.jsonl (`truth` per injected fault, `truth_event` per failed event).
Stdlib only, deterministic per seed.  See README.md for the modelled world.
"""
import argparse
import heapq
import json
import math
import os
import random
import sys
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate",
    "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant",
    "upstream.acquirer", "upstream.issuer", "card.decline",
]

# ---------------------------------------------------------------------------
# geography
# ---------------------------------------------------------------------------
# name, site prefix, MID area code, TID province prefix, lat, lon, districts
CITIES = [
    ("shenzhen", "SZ", "4403", "44", 22.54, 114.06, ["福田", "南山", "罗湖", "宝安", "龙华"]),
    ("guangzhou", "GZ", "4401", "45", 23.13, 113.26, ["天河", "越秀", "海珠", "番禺"]),
    ("shanghai", "SH", "3100", "31", 31.23, 121.47, ["浦东", "徐汇", "静安", "杨浦", "闵行"]),
    ("beijing", "BJ", "1100", "11", 39.90, 116.40, ["朝阳", "海淀", "东城", "丰台"]),
    ("chengdu", "CD", "5101", "51", 30.66, 104.06, ["锦江", "武侯", "青羊", "成华"]),
    ("hangzhou", "HZ", "3301", "33", 30.27, 120.15, ["西湖", "上城", "拱墅", "滨江"]),
]
CITY_W = [0.22, 0.16, 0.2, 0.16, 0.13, 0.13]

# ---------------------------------------------------------------------------
# merchant categories: local opening hours (CST), attempts/hour/terminal,
# amount median (fen) and spread, share of QR, type mix
# ---------------------------------------------------------------------------
CATS = {
    "restaurant": dict(mcc="5812", w=0.17, open=(10.25, 11.0), close=(21.0, 22.0), rate=5.0,
                       peak=[(11.4, 13.3, 3.2)], med=8500, sig=0.6, qr=0.5, sites=(1, 2),
                       tps=(1, 3), names=["面馆", "小厨", "茶餐厅", "饺子馆", "火锅", "米线", "烧腊"]),
    "breakfast": dict(mcc="5814", w=0.07, open=(5.5, 6.5), close=(10.0, 11.2), rate=12.0,
                      peak=[(7.0, 9.0, 1.6)], med=1400, sig=0.45, qr=0.8, sites=(1, 1),
                      tps=(1, 2), names=["早餐店", "包子铺", "豆浆油条", "肠粉店"]),
    "supermarket": dict(mcc="5411", w=0.12, open=(7.5, 8.6), close=(21.5, 22.5), rate=14.0,
                        peak=[(10.0, 12.0, 1.3)], med=8800, sig=0.9, qr=0.55, sites=(1, 4),
                        tps=(2, 5), names=["生活超市", "惠民超市", "优购超市", "家家福超市"]),
    "convenience": dict(mcc="5499", w=0.12, open=(0.0, 0.0), close=(24.0, 24.0), rate=8.0,
                        peak=[(8.0, 9.0, 1.8), (12.0, 13.0, 1.5)], med=2300, sig=0.6, qr=0.7,
                        sites=(2, 4), tps=(1, 2), names=["便利店", "24小时便利"]),
    "pharmacy": dict(mcc="5912", w=0.08, open=(7.8, 9.0), close=(21.0, 22.0), rate=4.0,
                     peak=[], med=6500, sig=0.7, qr=0.5, sites=(1, 3), tps=(1, 2),
                     names=["大药房", "医药连锁", "健康药房"]),
    "clothing": dict(mcc="5651", w=0.08, open=(9.8, 10.6), close=(21.5, 22.0), rate=2.5,
                     peak=[], med=32000, sig=0.6, qr=0.4, sites=(1, 2), tps=(1, 2),
                     names=["服饰", "时装", "鞋业"]),
    "hotel": dict(mcc="7011", w=0.06, open=(0.0, 0.0), close=(24.0, 24.0), rate=2.0,
                  peak=[(11.0, 13.0, 1.8)], med=42000, sig=0.5, qr=0.2, sites=(1, 1),
                  tps=(2, 3), names=["商务酒店", "大酒店", "精品酒店"]),
    "gas": dict(mcc="5541", w=0.06, open=(0.0, 0.0), close=(24.0, 24.0), rate=7.0,
                peak=[(8.0, 9.5, 1.4)], med=28000, sig=0.4, qr=0.45, sites=(1, 2), tps=(2, 4),
                names=["加油站", "能源加油站"]),
    "department": dict(mcc="5311", w=0.05, open=(9.9, 10.1), close=(22.0, 22.0), rate=5.0,
                       peak=[(12.0, 14.0, 1.3)], med=48000, sig=0.8, qr=0.35, sites=(1, 1),
                       tps=(4, 7), names=["百货", "购物中心"]),
    "electronics": dict(mcc="5732", w=0.05, open=(9.8, 10.5), close=(21.0, 21.5), rate=1.6,
                        peak=[], med=220000, sig=0.8, qr=0.3, sites=(1, 2), tps=(1, 2),
                        names=["数码广场", "手机专卖", "电器"]),
    "market": dict(mcc="5422", w=0.07, open=(5.8, 7.0), close=(12.0, 13.3), rate=9.0,
                   peak=[(7.5, 10.0, 1.5)], med=3600, sig=0.6, qr=0.75, sites=(1, 1),
                   tps=(1, 2), names=["生鲜", "鲜肉铺", "水果店"]),
    "bakery": dict(mcc="5462", w=0.07, open=(7.0, 8.5), close=(20.0, 21.5), rate=5.0,
                   peak=[(8.0, 9.0, 1.5)], med=3200, sig=0.5, qr=0.65, sites=(1, 3), tps=(1, 2),
                   names=["面包坊", "烘焙", "西饼屋"]),
}
NAME_PREFIX = ["老街", "湘里", "川味", "粤香", "江南", "北方", "和记", "福满", "鸿运", "金牌",
               "聚福", "好运来", "阿婆", "新华", "东方", "四季", "万家", "百姓", "佳佳",
               "乐购", "华联", "旺角", "合兴", "永和", "德昌", "顺发", "同心", "安康"]

# acquirer host channels (address is what the terminal dials)
HOSTS = {"H1": "10.18.4.21:5000", "H2": "10.22.7.5:8583", "H3": "172.16.30.8:9001",
         "H4": "10.18.9.40:5000"}
HOST_W = [0.38, 0.27, 0.2, 0.15]
CARRIERS = ["cmcc", "unicom", "telecom"]
CARRIER_W = [0.52, 0.3, 0.18]

# issuers: bin, credit?, weight
ISSUERS = [
    ("622202", False, 0.12), ("621226", False, 0.06), ("625965", True, 0.03),   # icbc
    ("621700", False, 0.11), ("436742", True, 0.04),                               # ccb
    ("622848", False, 0.11), ("622845", False, 0.03),                              # abc
    ("621661", False, 0.07), ("625907", True, 0.02),                               # boc
    ("621483", False, 0.06), ("622588", True, 0.06),                               # cmb
    ("622262", False, 0.04), ("621799", False, 0.07), ("623058", False, 0.03),     # bocom psbc pingan
    ("622908", True, 0.03), ("621771", False, 0.03), ("622126", False, 0.03),      # cib citic city bank
    ("623668", False, 0.02),
]

# ---------------------------------------------------------------------------
# vendors: models, versions, telemetry subset, heartbeat period, host timeout,
# whether the TMS reports missed heartbeats as online:false, log time zone
# ---------------------------------------------------------------------------
# model: (name, form, nominal supply V or None for battery units, weight, has_physical_keys)
VENDORS = {
    "pax": dict(w=0.24, hb=60, to=60, tms_off=1.0, tz=None,
                models=[("S90", "counter", 5.0, 0.45), ("A920", "smart", None, 0.4),
                        ("D210", "hand", None, 0.15)],
                fw=["3.1.4", "3.2.0", "3.2.1"], app=["5.1.2", "5.2.0", "5.2.1"],
                next_fw="3.3.0", next_app="5.3.0",
                fields=["online", "latency_ms", "packet_loss", "rssi_dbm", "supply_v",
                        "battery_pct", "power_events", "reboot", "storage_used_pct",
                        "memory_used_pct", "key_check", "printer", "app_crashes"]),
    "newland": dict(w=0.2, hb=120, to=30, tms_off=0.0, tz=CST,
                    models=[("N910", "smart", None, 0.45), ("ME31", "counter", 5.0, 0.35),
                            ("SP630", "counter", 9.0, 0.2)],
                    fw=["2.8.1", "2.9.0", "2.9.3"], app=["NL4.3.1", "NL4.4.0", "NL4.4.2"],
                    next_fw="2.10.0", next_app="NL4.5.0",
                    fields=["online", "rssi_dbm", "latency_ms", "battery_pct", "temp_c", "reboot",
                            "card_reader_errors", "keypad_errors", "power_events"]),
    "landi": dict(w=0.14, hb=90, to=45, tms_off=0.6, tz=None,
                  models=[("A8", "smart", None, 0.5), ("E550", "counter", 9.0, 0.5)],
                  fw=["L1.6.2", "L1.7.0"], app=["LD2.0.8", "LD2.1.0", "LD2.1.3"],
                  next_fw="L1.8.0", next_app="LD2.2.0",
                  fields=["online", "latency_ms", "supply_v", "power_events", "reboot",
                          "clock_skew_s", "key_check", "cpu_pct", "memory_used_pct"]),
    "verifone": dict(w=0.1, hb=300, to=60, tms_off=1.0, tz=None,
                     models=[("VX520", "counter", 12.0, 0.6), ("V240m", "hand", None, 0.4)],
                     fw=["VOS2-30410", "VOS2-30500"], app=["VF7.3.0", "VF7.4.1"],
                     next_fw="VOS2-30610", next_app="VF7.5.0",
                     fields=["online", "latency_ms", "packet_loss", "storage_used_pct", "cpu_pct",
                             "memory_used_pct", "temp_c", "printer", "app_crashes", "reboot",
                             "supply_v", "battery_pct"]),
    "ingenico": dict(w=0.09, hb=180, to=45, tms_off=0.0, tz=None,
                     models=[("ICT250", "counter", 9.0, 0.55), ("Move5000", "hand", None, 0.45)],
                     fw=["T3-11.2", "T3-12.0"], app=["ING9.12", "ING9.14"],
                     next_fw="T3-12.4", next_app="ING9.16",
                     fields=["online", "rssi_dbm", "battery_pct", "supply_v", "card_reader_errors",
                             "keypad_errors", "printer", "reboot", "power_events"]),
    "sunmi": dict(w=0.15, hb=60, to=60, tms_off=1.0, tz=CST,
                  models=[("P2", "smart", None, 0.55), ("P2 Pro", "smart", None, 0.25),
                          ("T2s", "counter", 12.0, 0.2)],
                  fw=["2.6.4", "2.7.1"], app=["SM1.9.8", "SM2.0.1", "SM2.0.3"],
                  next_fw="2.7.5", next_app="SM2.1.0",
                  fields=["online", "rssi_dbm", "latency_ms", "battery_pct", "storage_used_pct",
                          "memory_used_pct", "cpu_pct", "temp_c", "app_crashes", "reboot",
                          "clock_skew_s", "printer", "supply_v"]),
    "centerm": dict(w=0.08, hb=300, to=40, tms_off=0.5, tz=None,
                    models=[("K9", "hand", None, 0.5), ("C960", "counter", 5.0, 0.5)],
                    fw=["K-1.2.7", "K-1.3.0"], app=["CT3.3.0", "CT3.4.0"],
                    next_fw="K-1.3.2", next_app="CT3.5.0",
                    fields=["online", "latency_ms", "reboot"]),
}
VERSION_FIELDS = {"pax": ("firmware", "app_version"), "newland": ("firmware",),
                  "landi": ("app_version",), "verifone": ("firmware",), "ingenico": (),
                  "sunmi": ("firmware", "app_version"), "centerm": ()}

# ---------------------------------------------------------------------------
# vendor error tables: symptom -> (code as displayed, stage, [log lines])
# The same code means different things on different vendors:
#   pax E1 = receive timeout, newland E1 = "terminal state error",
#   landi E1 = security (certificate / MAC), ingenico E1 = peripheral fault,
#   centerm E1 = any communication error.
# ---------------------------------------------------------------------------
CODES = {
    "pax": {
        "recv_timeout": ("E1", "receive", ["接收超时", "RECV TIMEOUT {to}s, no response from {ip}"]),
        "connect_fail": ("E2", "connect", ["CONNECT FAIL {ip} errno={errno}", "连接主机失败 {ip}"]),
        "send_fail": ("E3", "send", ["SEND FAIL ret=-2", "发送失败"]),
        "tls_expired": ("E4", "tls", ["SSL handshake fail: certificate has expired (-9984)", "SSL证书过期"]),
        "tls_notyet": ("E4", "tls", ["SSL handshake fail: certificate is not yet valid (-9984)"]),
        "tls_protocol": ("E4", "tls", ["SSL handshake fail: protocol version alert (70)"]),
        "mac_error": ("E5", "mac", ["MAC ERR", "MAC校验错"]),
        "key_missing": ("E5", "mac", ["TWK not found idx={kidx}", "工作密钥不存在"]),
        "card_ic": ("E6", "card_read", ["IC card power-up fail", "IC卡读卡失败"]),
        "card_nfc": ("E6", "card_read", ["CTLS read fail, present card again", "非接读卡失败"]),
        "card_msr": ("E6", "card_read", ["MSR track2 read err", "磁条读卡失败"]),
        "print_paper": ("E7", "print", ["PRINTER OUT OF PAPER", "打印机缺纸"]),
        "print_fault": ("E7", "print", ["PRN HEAT ERR", "打印机故障"]),
        "low_batt": ("E8", "power_on", ["LOW BATTERY {pct}%, charge now", "电量低，请充电"]),
        "power_reset": ("E16", "power_on", ["Abnormal power down detected, journal recovered"]),
        "storage_full": ("E9", "app", ["FILE WRITE FAIL: no space left", "存储空间不足"]),
        "mem_low": ("E9", "app", ["malloc fail, free={free}KB"]),
        "app_crash": ("E9", "app", ["App crashed: SIGSEGV in libemv.so", "应用异常退出"]),
        "proc_timeout": ("E11", "app", ["TXN PROCESS TIMEOUT", "交易处理超时"]),
        "keypad": ("E12", "pin", ["PINPAD NOT RESPONDING", "KEY STUCK 0x{key}"]),
        "display": ("E13", "app", ["LCD ERR", "显示屏初始化失败"]),
        "selftest": ("E14", "power_on", ["SELF TEST FAIL: SEC CHIP", "TAMPER/SENSOR ERR 0x{key}"]),
        "unpack": ("E15", "receive", ["UNPACK ERR field 39", "LRC ERR, discard response"]),
        "op_pwd": ("E20", "app", ["OPERATOR PWD ERR", "操作员密码错误"]),
        "op_proc": ("E21", "app", ["ORIGINAL TXN NOT FOUND", "原交易不存在"]),
    },
    "newland": {
        "recv_timeout": ("C3", "receive", ["接收数据超时", "通讯超时，请重试"]),
        "connect_fail": ("C1", "connect", ["连接主机失败 {ip} ({errno})", "网络连接失败"]),
        "send_fail": ("C2", "send", ["发送数据失败"]),
        "tls_expired": ("S2", "tls", ["SSL证书校验失败：证书已过期"]),
        "tls_notyet": ("S2", "tls", ["SSL证书校验失败：证书尚未生效"]),
        "tls_protocol": ("S2", "tls", ["SSL握手失败：协议版本不支持"]),
        "mac_error": ("S1", "mac", ["MAC校验错"]),
        "key_missing": ("S1", "mac", ["工作密钥不存在，请签到"]),
        "card_ic": ("R1", "card_read", ["IC卡上电失败", "读卡失败，请重新插卡"]),
        "card_nfc": ("R1", "card_read", ["非接读卡失败"]),
        "card_msr": ("R1", "card_read", ["磁条卡读取失败，请重刷"]),
        "print_paper": ("P1", "print", ["打印机缺纸"]),
        "print_fault": ("P1", "print", ["打印机故障，请检查打印头"]),
        "low_batt": ("E1", "power_on", ["终端状态异常：电量不足({pct}%)"]),
        "power_reset": ("E1", "power_on", ["终端状态异常：检测到异常掉电"]),
        "storage_full": ("E1", "app", ["终端状态异常：存储空间不足"]),
        "mem_low": ("A2", "app", ["内存不足"]),
        "app_crash": ("A1", "app", ["应用异常退出"]),
        "proc_timeout": ("A3", "app", ["交易处理超时"]),
        "keypad": ("E1", "pin", ["终端状态异常：密码键盘无响应"]),
        "display": ("E1", "app", ["终端状态异常：显示模块故障"]),
        "selftest": ("E1", "power_on", ["终端状态异常：安全芯片自检失败", "终端状态异常：传感器异常"]),
        "unpack": ("C4", "receive", ["解包失败", "报文长度错误"]),
        "op_pwd": ("U1", "app", ["操作员密码错误"]),
        "op_proc": ("U2", "app", ["原交易不存在"]),
    },
    "landi": {
        "recv_timeout": ("E3", "receive", ["通讯超时", "接收超时 {to}s"]),
        "connect_fail": ("E2", "connect", ["连接失败 {ip} errno={errno}"]),
        "send_fail": ("E2", "send", ["发送失败"]),
        "tls_expired": ("E1", "tls", ["E1 证书验证失败 verify=10 (certificate has expired)"]),
        "tls_notyet": ("E1", "tls", ["E1 证书验证失败 verify=9 (certificate is not yet valid)"]),
        "tls_protocol": ("E1", "tls", ["E1 加密握手失败 unsupported protocol"]),
        "mac_error": ("E1", "mac", ["E1 数据加密/MAC校验失败"]),
        "key_missing": ("E1", "mac", ["E1 密钥丢失 key index {kidx}"]),
        "card_ic": ("E5", "card_read", ["IC卡读卡错"]),
        "card_nfc": ("E5", "card_read", ["非接卡读卡错"]),
        "card_msr": ("E5", "card_read", ["磁卡读卡错"]),
        "print_paper": ("E7", "print", ["打印机缺纸"]),
        "print_fault": ("E7", "print", ["打印机过热/故障"]),
        "low_batt": ("E8", "power_on", ["电池电量低"]),
        "power_reset": ("E8", "power_on", ["掉电恢复，正在检查流水"]),
        "storage_full": ("E6", "app", ["存储已满，无法保存流水"]),
        "mem_low": ("E6", "app", ["内存不足"]),
        "app_crash": ("E4", "app", ["程序异常"]),
        "proc_timeout": ("E4", "app", ["处理超时"]),
        "keypad": ("E10", "pin", ["密码键盘错误"]),
        "display": ("E11", "app", ["显示异常"]),
        "selftest": ("E9", "power_on", ["硬件自检失败"]),
        "unpack": ("E3", "receive", ["收包格式错"]),
        "op_pwd": ("E12", "app", ["操作员密码错"]),
        "op_proc": ("E12", "app", ["无此原交易"]),
    },
    "verifone": {
        "recv_timeout": ("ERR 11", "receive", ["No response from host"]),
        "connect_fail": ("ERR 10", "connect", ["Connect failed {ip} ({errno})"]),
        "send_fail": ("ERR 12", "send", ["Send failed"]),
        "tls_expired": ("ERR 21", "tls", ["SSL: certificate expired"]),
        "tls_notyet": ("ERR 21", "tls", ["SSL: certificate not yet valid"]),
        "tls_protocol": ("ERR 21", "tls", ["SSL: handshake failure, protocol version"]),
        "mac_error": ("ERR 22", "mac", ["MAC verify failed"]),
        "key_missing": ("ERR 23", "mac", ["No working key loaded (slot {kidx})"]),
        "card_ic": ("ERR 41", "card_read", ["Chip read error - use magstripe"]),
        "card_nfc": ("ERR 41", "card_read", ["Contactless read error"]),
        "card_msr": ("ERR 41", "card_read", ["Card read failed, swipe again"]),
        "print_paper": ("ERR 51", "print", ["Paper out"]),
        "print_fault": ("ERR 51", "print", ["Printer failure"]),
        "low_batt": ("ERR 61", "power_on", ["Battery low, connect charger"]),
        "power_reset": ("ERR 62", "power_on", ["Power failure recovery"]),
        "storage_full": ("ERR 71", "app", ["Flash full"]),
        "mem_low": ("ERR 72", "app", ["Out of memory"]),
        "app_crash": ("ERR 73", "app", ["Application fault, restarting"]),
        "proc_timeout": ("ERR 74", "app", ["Processing timeout"]),
        "keypad": ("ERR 42", "pin", ["Keypad error"]),
        "display": ("ERR 43", "app", ["Display error"]),
        "selftest": ("ERR 63", "power_on", ["Selftest failed"]),
        "unpack": ("ERR 13", "receive", ["Invalid response format"]),
        "op_pwd": ("ERR 81", "app", ["Invalid password"]),
        "op_proc": ("ERR 82", "app", ["Original transaction not found"]),
    },
    "ingenico": {
        "recv_timeout": ("E2", "receive", ["E2 COMM: NO ANSWER"]),
        "connect_fail": ("E3", "connect", ["E3 COMM: CONNECT {ip} KO ({errno})"]),
        "send_fail": ("E3", "send", ["E3 COMM: SEND KO"]),
        "tls_expired": ("E4", "tls", ["E4 SSL: CERT EXPIRED"]),
        "tls_notyet": ("E4", "tls", ["E4 SSL: CERT NOT YET VALID"]),
        "tls_protocol": ("E4", "tls", ["E4 SSL: HANDSHAKE KO (VERSION)"]),
        "mac_error": ("E5", "mac", ["E5 SEC: MAC KO"]),
        "key_missing": ("E5", "mac", ["E5 SEC: NO KEY {kidx}"]),
        "card_ic": ("E1", "card_read", ["E1 PERIPH: CAM0 READ ERROR"]),
        "card_nfc": ("E1", "card_read", ["E1 PERIPH: CLESS ERROR"]),
        "card_msr": ("E1", "card_read", ["E1 PERIPH: SWIPE ERROR"]),
        "print_paper": ("E1", "print", ["E1 PERIPH: PRINTER PAPER OUT"]),
        "print_fault": ("E1", "print", ["E1 PERIPH: PRINTER ERROR"]),
        "low_batt": ("E6", "power_on", ["E6 POWER: BATTERY LOW"]),
        "power_reset": ("E6", "power_on", ["E6 POWER: RESTART AFTER POWER FAIL"]),
        "storage_full": ("E7", "app", ["E7 SYS: FILE SYSTEM FULL"]),
        "mem_low": ("E7", "app", ["E7 SYS: MEMORY LOW"]),
        "app_crash": ("E8", "app", ["E8 APP: EXCEPTION, RESTART"]),
        "proc_timeout": ("E8", "app", ["E8 APP: TIMEOUT"]),
        "keypad": ("E1", "pin", ["E1 PERIPH: KEYBOARD"]),
        "display": ("E1", "app", ["E1 PERIPH: DISPLAY"]),
        "selftest": ("E1", "power_on", ["E1 PERIPH: BOOSTER SELFTEST"]),
        "unpack": ("E2", "receive", ["E2 COMM: BAD MESSAGE"]),
        "op_pwd": ("E9", "app", ["E9 USER: BAD PASSWORD"]),
        "op_proc": ("E9", "app", ["E9 USER: TRANSACTION NOT FOUND"]),
    },
    "sunmi": {
        "recv_timeout": ("NET-02", "receive", ["java.net.SocketTimeoutException: Read timed out"]),
        "connect_fail": ("NET-01", "connect", ["java.net.ConnectException: failed to connect to {ip} ({errno})"]),
        "send_fail": ("NET-03", "send", ["java.net.SocketException: Broken pipe"]),
        "tls_expired": ("SSL-01", "tls", ["javax.net.ssl.SSLHandshakeException: CertificateExpiredException"]),
        "tls_notyet": ("SSL-01", "tls", ["javax.net.ssl.SSLHandshakeException: CertificateNotYetValidException"]),
        "tls_protocol": ("SSL-02", "tls", ["javax.net.ssl.SSLHandshakeException: protocol_version"]),
        "mac_error": ("SEC-01", "mac", ["MAC校验失败"]),
        "key_missing": ("SEC-02", "mac", ["PinPad: key not exist, index={kidx}"]),
        "card_ic": ("CARD-01", "card_read", ["IC卡读卡失败 ret=-2101"]),
        "card_nfc": ("CARD-02", "card_read", ["非接卡读卡失败 ret=-2203"]),
        "card_msr": ("CARD-03", "card_read", ["磁条卡读卡失败"]),
        "print_paper": ("PRN-01", "print", ["Printer: out of paper"]),
        "print_fault": ("PRN-02", "print", ["Printer: overheated"]),
        "low_batt": ("PWR-01", "power_on", ["电量过低({pct}%)，请充电"]),
        "power_reset": ("PWR-02", "power_on", ["上次异常关机，已恢复流水"]),
        "storage_full": ("SYS-01", "app", ["SQLiteFullException: database or disk is full"]),
        "mem_low": ("SYS-02", "app", ["java.lang.OutOfMemoryError"]),
        "app_crash": ("APP-CRASH", "app", ["FATAL EXCEPTION: main java.lang.NullPointerException"]),
        "proc_timeout": ("APP-ANR", "app", ["ANR in com.sunmi.pay (input dispatching timed out)"]),
        "keypad": ("HW-02", "pin", ["PinPad: keyboard no response"]),
        "display": ("HW-03", "app", ["SurfaceFlinger: display HAL error"]),
        "selftest": ("HW-01", "power_on", ["SP self-check failed: tamper"]),
        "unpack": ("MSG-01", "receive", ["ISO8583 unpack failed: field 55"]),
        "op_pwd": ("OP-01", "app", ["操作员密码错误"]),
        "op_proc": ("OP-02", "app", ["原交易不存在"]),
    },
    "centerm": {
        "recv_timeout": ("E1", "receive", ["通讯错误：接收超时"]),
        "connect_fail": ("E1", "connect", ["通讯错误：连接失败 {ip}"]),
        "send_fail": ("E1", "send", ["通讯错误：发送失败"]),
        "tls_expired": ("E2", "tls", ["安全错误：证书过期"]),
        "tls_notyet": ("E2", "tls", ["安全错误：证书未生效"]),
        "tls_protocol": ("E2", "tls", ["安全错误：握手失败"]),
        "mac_error": ("E2", "mac", ["安全错误：MAC错"]),
        "key_missing": ("E2", "mac", ["安全错误：无工作密钥"]),
        "card_ic": ("E3", "card_read", ["读卡错误"]),
        "card_nfc": ("E3", "card_read", ["非接读卡错误"]),
        "card_msr": ("E3", "card_read", ["刷卡错误"]),
        "print_paper": ("E4", "print", ["打印机缺纸"]),
        "print_fault": ("E4", "print", ["打印机故障"]),
        "low_batt": ("E5", "power_on", ["电量低"]),
        "power_reset": ("E5", "power_on", ["异常掉电重启"]),
        "storage_full": ("E6", "app", ["系统错误：存储满"]),
        "mem_low": ("E6", "app", ["系统错误：内存不足"]),
        "app_crash": ("E6", "app", ["系统错误：程序异常"]),
        "proc_timeout": ("E6", "app", ["系统错误：处理超时"]),
        "keypad": ("E7", "pin", ["硬件错误：键盘"]),
        "display": ("E7", "app", ["硬件错误：显示"]),
        "selftest": ("E7", "power_on", ["硬件错误：自检失败"]),
        "unpack": ("E8", "receive", ["报文错误"]),
        "op_pwd": ("E9", "app", ["操作错误：密码错"]),
        "op_proc": ("E9", "app", ["操作错误：无原交易"]),
    },
}

# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def iso(t, tz=None):
    dt = datetime.fromtimestamp(int(t), timezone.utc)
    if tz is not None:
        return dt.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def wpick(rng, items, weights):
    return rng.choices(items, weights)[0]


def clip(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def rssi_loss(rssi):
    """packet loss caused by a radio link at this RSSI (dBm)"""
    if rssi > -95:
        return 0.0
    return min(0.95, ((-95.0 - rssi) / 15.0) ** 1.4)


def pfail(loss):
    """probability that a transaction exchange fails on a path with this loss"""
    if loss < 0.03:
        return 0.0
    return min(1.0, (loss - 0.03) * 1.25)


def draw_sev(rng):
    r = rng.random()
    if r < 0.3:
        return round(rng.uniform(0.12, 0.35), 2)     # weak, sparse
    if r < 0.7:
        return round(rng.uniform(0.35, 0.7), 2)
    return round(rng.uniform(0.7, 1.0), 2)


def make_episodes(rng, a, b, sev, mode):
    """on/off activity of a fault; each episode carries an intensity k in (0,1]"""
    if mode == "steady":
        return [(a, b, 1.0)]
    out, t = [], a
    on_mean = 300 + 1500 * sev
    off_mean = 200 + 1000 * (1 - sev)
    while t < b:
        d = max(40.0, rng.expovariate(1.0 / on_mean))
        k = clip(0.45 + 0.55 * sev + rng.uniform(-0.2, 0.2), 0.2, 1.0)
        out.append((int(t), int(min(b, t + d)), round(k, 2)))
        t += d + max(60.0, rng.expovariate(1.0 / off_mean))
    return out


class Fault:
    def __init__(self, fid, cause, scope, terms, start, end, sev, episodes=None, variant=None, **p):
        self.fid, self.cause, self.scope = fid, cause, scope
        self.terms = list(terms)
        self.start, self.end, self.sev = int(start), int(end), sev
        self.episodes = episodes or [(int(start), int(end), 1.0)]
        self.variant = variant
        self.p = p
        self.tstart, self.tend = {}, {}
        self.note = ""
        self.related = None

    def level(self, t, tid=None):
        a = self.tstart.get(tid, self.start)
        b = self.tend.get(tid, self.end)
        if t < a or t >= b:
            return 0.0
        for x, y, k in self.episodes:
            if x <= t < y:
                return k
            if x > t:
                break
        return 0.0


# ---------------------------------------------------------------------------
# the world: merchants, sites, terminals
# ---------------------------------------------------------------------------
def local_to_utc(ws, h):
    """window starts at 08:00 CST; convert a local hour of that day to epoch"""
    return int(ws + (h - 8.0) * 3600)


def build_world(seed, n_term, hours):
    rng = random.Random(f"gen3-world:{seed}")
    day = datetime(2026, 11, 2, tzinfo=timezone.utc) + timedelta(days=(seed * 7) % 26)
    W = Obj(seed=seed, ws=int(day.timestamp()), hours=hours)
    W.we = W.ws + int(hours * 3600)
    W.merchants, W.sites, W.terms = [], [], []
    W.tmap, W.mmap, W.smap = {}, {}, {}
    target = n_term + rng.randint(-6, 12)
    mseq = rng.randint(11, 60)
    cat_names, cat_w = list(CATS), [CATS[c]["w"] for c in CATS]
    vnames, vw = list(VENDORS), [VENDORS[v]["w"] for v in VENDORS]
    used_names = set()
    while len(W.terms) < target:
        ci = wpick(rng, list(range(len(CITIES))), CITY_W)
        city, cpre, area, prov, lat0, lon0, dists = CITIES[ci]
        cat = wpick(rng, cat_names, cat_w)
        C = CATS[cat]
        mseq += 1
        for _ in range(20):
            name = rng.choice(NAME_PREFIX) + rng.choice(C["names"])
            if name not in used_names:
                break
        used_names.add(name)
        mid = "898" + area + C["mcc"] + f"{mseq % 10000:04d}"
        jump = rng.random() < 0.04
        M = Obj(mid=mid, name=name, cat=cat, mcc=C["mcc"], city=city, cpre=cpre, prov=prov,
                settlement="direct" if rng.random() < 0.8 else "indirect",
                card_rate=rng.choice([0.0055, 0.006, 0.006, 0.006, 0.0063]),
                qr_rate=0.0038, host=wpick(rng, list(HOSTS), HOST_W),
                mcc_txn=rng.choice(["8062", "4900", "5331", "7011", "5411"]) if jump else C["mcc"],
                open_h=rng.uniform(*C["open"]), close_h=rng.uniform(*C["close"]),
                vendor=wpick(rng, vnames, vw), sites=[], terms=[], seq=mseq)
        if M.mcc_txn == M.mcc:
            M.mcc_txn = C["mcc"]
        W.merchants.append(M)
        W.mmap[mid] = M
        n_sites = rng.randint(*C["sites"])
        tix = 0
        for k in range(n_sites):
            dist = rng.choice(dists)
            S = Obj(site_id=f"{cpre}-{mseq:03d}-{k + 1}", mid=mid, name=f"{name} {dist}店",
                    city=city, lat=round(lat0 + rng.uniform(-0.12, 0.12), 4),
                    lon=round(lon0 + rng.uniform(-0.12, 0.12), 4), terms=[],
                    open_h=M.open_h + (rng.uniform(-0.3, 0.3) if C["open"][1] > 0 else 0),
                    close_h=M.close_h)
            M.sites.append(S)
            W.sites.append(S)
            W.smap[S.site_id] = S
            nt = rng.randint(*C["tps"])
            site_vendor = M.vendor if rng.random() < 0.8 else wpick(rng, vnames, vw)
            for j in range(nt):
                tix += 1
                vendor = site_vendor if rng.random() < 0.75 else wpick(rng, vnames, vw)
                T = make_terminal(rng, W, M, S, vendor, f"{prov}{mseq % 1000:03d}{tix:03d}")
                S.terms.append(T)
                M.terms.append(T)
                W.terms.append(T)
                W.tmap[T.tid] = T
    return W


def make_terminal(rng, W, M, S, vendor, tid):
    V = VENDORS[vendor]
    mname, form, nominal, _ = wpick(rng, V["models"], [m[3] for m in V["models"]])
    battery = nominal is None
    if form == "counter":
        network = wpick(rng, ["ethernet", "wifi", "cellular"], [0.55, 0.25, 0.2])
    else:
        network = wpick(rng, ["cellular", "wifi"], [0.6, 0.4])
    fw = wpick(rng, V["fw"], [1.0 / (i + 1.5) for i in range(len(V["fw"]))][::-1])
    app = wpick(rng, V["app"], [1.0 / (i + 1.5) for i in range(len(V["app"]))][::-1])
    if vendor == "pax":
        serial = "18" + "".join(rng.choice("0123456789") for _ in range(8))
    elif vendor == "newland":
        serial = "N" + mname[-3:] + "".join(rng.choice("0123456789") for _ in range(7))
    elif vendor == "verifone":
        serial = f"{rng.randint(200, 499)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}"
    elif vendor == "sunmi":
        serial = "PB" + "".join(rng.choice("0123456789ABCDEF") for _ in range(12))
    else:
        serial = vendor[:2].upper() + "".join(rng.choice("0123456789") for _ in range(9))
    wireless = network != "ethernet"
    if network == "cellular":
        rssi0 = clip(rng.gauss(-76, 7), -92, -55)
    elif network == "wifi":
        rssi0 = clip(rng.gauss(-58, 7), -85, -38)
    else:
        rssi0 = None
    if wireless and rng.random() < 0.09:          # weak-signal spots that still mostly work
        rssi0 = rng.uniform(-97, -90)
    lat0 = {"ethernet": rng.uniform(20, 55), "wifi": rng.uniform(30, 85),
            "cellular": rng.uniform(85, 230)}[network]
    host = M.host if rng.random() < 0.9 else wpick(rng, list(HOSTS), HOST_W)
    cert_days = rng.uniform(30, 900)
    if rng.random() < 0.04:                        # expires soon but not today
        cert_days = rng.uniform(1.5, 10)
    C = CATS[M.cat]
    always_on = C["open"][1] == 0 or rng.random() < 0.4
    oa = local_to_utc(W.ws, S.open_h) if C["open"][1] > 0 else W.ws - 3600
    ob = local_to_utc(W.ws, S.close_h) if C["open"][1] > 0 else W.we + 3600
    if always_on:
        pon = (W.ws - 3600, W.we + 3600)
    else:
        pon = (oa - int(rng.uniform(4, 25) * 60), ob + int(rng.uniform(3, 20) * 60))
    inst = datetime.fromtimestamp(W.ws, timezone.utc) - timedelta(days=rng.randint(40, 2200))
    T = Obj(tid=tid, vendor=vendor, model=mname, form=form, nominal=nominal, battery=battery,
            serial=serial, firmware=fw, app_version=app, mid=M.mid, site_id=S.site_id,
            network=network, carrier=wpick(rng, CARRIERS, CARRIER_W) if network == "cellular" else None,
            host=host, cert_not_after=W.ws + int(cert_days * 86400), installed=inst.strftime("%Y-%m-%d"),
            wireless=wireless, rssi0=rssi0, lat0=lat0, open=(oa, ob), pon=pon,
            cold_boot_reason="user" if rng.random() < 0.7 else "power_loss",
            act=math.exp(rng.gauss(0, 0.35)), s0=rng.uniform(18, 78), m0=rng.uniform(30, 62),
            c0=rng.uniform(4, 22), temp0=rng.uniform(30, 40), faults=[], city=M.city,
            kidx=rng.randint(1, 9))
    T.rate = C["rate"] * T.act
    return T


def traffic(T):
    """expected customer attempts per hour at this terminal"""
    return T.rate


def open_frac(T, a, b):
    oa, ob = T.open
    x, y = max(a, oa), min(b, ob)
    return max(0, y - x) / max(1, b - a)


# ---------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------
POOL = [c for c in CAUSES if c not in ("card.decline", "power.supply")]
random.Random(20261125).shuffle(POOL)        # fixed order; each seed leaves out a rotating window
EXTRA = ["network.signal", "network.lan", "power.supply", "hardware.printer", "upstream.acquirer",
         "software.bug", "hardware.card_reader", "business.risk", "network.carrier",
         "security.certificate", "resource.memory", "transmission.corruption", "power.battery"]


class FaultMaker:
    def __init__(self, W, seed):
        self.W = W
        self.rng = random.Random(f"gen3-faults:{seed}")
        self.n = 0
        self.busy = set()
        self.faults = []
        W.version_changes = {}
        W.param_pushes = {}

    def fid(self):
        self.n += 1
        return f"F{self.W.seed:02d}-{self.n:02d}"

    def span(self, dmin, dmax, early=0.15):
        rng, W = self.rng, self.W
        dur = math.exp(rng.uniform(math.log(dmin), math.log(dmax))) * 60
        if rng.random() < early:
            a = W.ws
        else:
            a = W.ws + rng.uniform(0, 0.92) * (W.we - W.ws - 600)
        return int(a), int(min(W.we, a + dur))

    def pick_term(self, pred, dmin, dmax):
        rng = self.rng
        for _ in range(60):
            a, b = self.span(dmin, dmax)
            c = [T for T in self.W.terms if pred(T) and open_frac(T, a, b) >= 0.6
                 and (T.tid not in self.busy or rng.random() < 0.12)]
            busy = [T for T in c if T.rate >= 4.0]
            if busy and rng.random() < 0.85:
                c = busy
            if c:
                T = rng.choices(c, [traffic(x) ** 1.5 for x in c])[0]
                self.busy.add(T.tid)
                return T, a, b
        return None

    def pick_group(self, groups, dmin, dmax, minn=2):
        """groups: list of (scope, [terminals]); choose one with >=minn terminals open in span"""
        rng = self.rng
        groups = [g for g in groups if len(g[1]) >= minn]
        if not groups:
            return None
        gw = [sum(traffic(T) for T in g[1]) ** 0.5 for g in groups]
        for _ in range(60):
            a, b = self.span(dmin, dmax)
            scope, terms = rng.choices(groups, gw)[0]
            live = [T for T in terms if open_frac(T, a, b) >= 0.3]
            if len(live) >= minn:
                return scope, terms, a, b
        return None

    def add(self, f):
        self.faults.append(f)
        for tid in f.terms:
            self.W.tmap[tid].faults.append(f)
        return f

    # -- one fault of a cause ------------------------------------------------
    def make(self, cause, variant=None):
        rng, W = self.rng, self.W
        sev = draw_sev(rng)
        flap = "flap" if sev < 0.45 or rng.random() < 0.25 else "steady"
        tscope = lambda T: {"terminal_id": T.tid}

        if cause == "hardware.keypad":
            r = self.pick_term(lambda T: True, 60, 360)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, flap), "stuck_key", p_amt=0.08 + 0.25 * sev,
                                  p_err=0.08 + 0.45 * sev, p_pin=0.1 + 0.5 * sev, idle=1 + 6 * sev))
        if cause == "hardware.display":
            r = self.pick_term(lambda T: True, 50, 300)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, flap), "lcd", p=0.3 + 0.6 * sev))
        if cause == "hardware.card_reader":
            v = variant or wpick(rng, ["ic", "module", "nfc", "msr"], [0.5, 0.2, 0.2, 0.1])
            r = self.pick_term(lambda T: True, 60, 360)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, "steady" if sev > 0.4 else "flap"),
                                  v, p=0.35 + 0.6 * sev))
        if cause == "hardware.printer":
            v = variant or wpick(rng, ["paper_out", "head"], [0.45, 0.55])
            if v == "paper_out":
                r = self.pick_term(lambda T: True, 12, 60)
                if not r: return None
                T, a, b = r
                return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, 1.0, None, v, p=1.0))
            r = self.pick_term(lambda T: True, 60, 300)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, flap), v, p=0.25 + 0.7 * sev))
        if cause == "hardware.board":
            r = self.pick_term(lambda T: True, 90, 360)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "aging",
                                  p=0.12 + 0.35 * sev, wd=0.5 + 3 * sev))
        if cause == "power.supply":
            v = variant or ("site" if rng.random() < 0.75 else "adapter")
            if v == "site":
                return self.make_site_power(sev if variant is None else max(sev, round(rng.uniform(0.55, 0.95), 2)))
            r = self.pick_term(lambda T: not T.battery, 60, 360)
            if not r: return None
            T, a, b = r
            low = rng.random() < 0.8
            fac = rng.uniform(0.82, 0.88) if low else rng.uniform(1.12, 1.18)
            nres = int(1 + 6 * sev * rng.random() + 2 * sev)
            resets = sorted(int(rng.uniform(a, b)) for _ in range(nres))
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "adapter",
                                  factor=fac, resets=resets))
        if cause == "power.battery":
            r = self.pick_term(lambda T: T.battery, 90, 360)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "worn",
                                  drain=0.45 + 1.4 * sev))
        if cause == "network.signal":
            r = self.pick_term(lambda T: T.wireless, 40, 300)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, "steady" if sev > 0.85 else "flap"),
                                  T.network, rssi=-99 - 15 * sev))
        if cause == "network.lan":
            v = variant or wpick(rng, ["router", "ap", "switch"], [0.6, 0.2, 0.2])
            nets = {"router": ("ethernet", "wifi"), "ap": ("wifi",), "switch": ("ethernet",)}[v]
            groups = [({"site_id": S.site_id}, [T for T in S.terms if T.network in nets]) for S in W.sites]
            r = self.pick_group(groups, 30, 180)
            if not r:
                v, nets = "router", ("ethernet", "wifi")
                groups = [({"site_id": S.site_id}, [T for T in S.terms if T.network in nets]) for S in W.sites]
                r = self.pick_group(groups, 30, 180)
                if not r: return None
            scope, terms, a, b = r
            return self.add(Fault(self.fid(), cause, scope, [T.tid for T in terms], a, b, sev,
                                  make_episodes(rng, a, b, sev, flap), v, nets=nets,
                                  loss=0.5 + 0.5 * sev))
        if cause == "network.carrier":
            g = {}
            for T in W.terms:
                if T.network == "cellular":
                    g.setdefault((T.carrier, T.city), []).append(T)
            groups = [({"carrier": k[0], "city": k[1]}, v) for k, v in sorted(g.items())]
            r = self.pick_group(groups, 20, 120, minn=3)
            if not r: return None
            scope, terms, a, b = r
            return self.add(Fault(self.fid(), cause, scope, [T.tid for T in terms], a, b, sev,
                                  make_episodes(rng, a, b, sev, "steady" if sev > 0.5 else "flap"),
                                  "outage", loss=0.55 + 0.45 * sev))
        if cause == "software.bug":
            return self.make_bug(sev, variant)
        if cause == "software.incompatible":
            g = {}
            for T in W.terms:
                V = VENDORS[T.vendor]
                if T.firmware == V["fw"][0]:
                    g.setdefault((T.host, "firmware", T.firmware), []).append(T)
                if T.app_version == V["app"][0]:
                    g.setdefault((T.host, "app_version", T.app_version), []).append(T)
            groups = [({"host": k[0], k[1]: k[2]}, v) for k, v in sorted(g.items())]
            r = self.pick_group(groups, 60, 300)
            if not r: return None
            scope, terms, a, b = r
            v = variant or ("tls" if rng.random() < 0.5 else "msg")
            f = Fault(self.fid(), cause, scope, [T.tid for T in terms], a, b, sev, None, v,
                      p=0.75 + 0.25 * sev)
            fld = "firmware" if "firmware" in scope else "app_version"
            nv = VENDORS[terms[0].vendor]["fw" if fld == "firmware" else "app"][-1]
            for T in terms:             # the fix: terminals get the current version one by one
                if rng.random() < 0.55:
                    tu = int(a + rng.uniform(40, 260) * 60)
                    if tu < b:
                        f.tend[T.tid] = tu
                        W.version_changes.setdefault(T.tid, []).append((tu, fld, nv, "TMS升级 / TMS upgrade"))
            return self.add(f)
        if cause == "software.config":
            v = variant or wpick(rng, ["host_addr", "tid", "mid"], [0.45, 0.35, 0.2])
            r = self.pick_term(lambda T: True, 30, 240)
            if not r: return None
            T, a, b = r
            wrong = rng.choice(["10.18.4.12:5000", "192.168.1.100:8583", "10.22.7.50:8583",
                                "172.16.30.80:9001", "10.18.9.4:5000"])
            W.param_pushes.setdefault(T.tid, []).append(a)
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, v,
                                  wrong_ip=wrong, p=0.97))
        if cause == "transmission.corruption":
            r = self.pick_term(lambda T: True, 60, 300)
            if not r: return None
            T, a, b = r
            v = "loose_cable" if T.network == "ethernet" else "rf_noise"
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, flap), v, p=0.15 + 0.4 * sev,
                                  loss=rng.uniform(0.005, 0.04)))
        if cause == "security.keys":
            if (variant or ("shared" if rng.random() < 0.3 else "term")) == "shared":
                g = {}
                for T in W.terms:
                    g.setdefault((T.host, T.vendor), []).append(T)
                groups = [({"host": k[0], "vendor": k[1]}, v) for k, v in sorted(g.items())]
                r = self.pick_group(groups, 40, 240)
                if r:
                    scope, terms, a, b = r
                    return self.add(Fault(self.fid(), cause, scope, [T.tid for T in terms], a, b, sev,
                                          None, "key_sync", p=0.9))
            v = "mismatch" if rng.random() < 0.6 else "missing"
            r = self.pick_term(lambda T: True, 30, 240)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, v, p=0.95))
        if cause == "security.certificate":
            if (variant or ("batch" if rng.random() < 0.7 else "skew")) == "batch":
                g = {}
                for T in W.terms:
                    g.setdefault((T.vendor, T.host), []).append(T)
                groups = [({"vendor": k[0], "host": k[1]}, v) for k, v in sorted(g.items())]
                r = self.pick_group(groups, 60, 300)
                if r:
                    scope, terms, a, b = r
                    if len(terms) > 8:
                        terms = sorted(rng.sample(terms, rng.randint(3, 8)), key=lambda T: T.tid)
                    exp = a
                    for T in terms:
                        T.cert_not_after = exp
                    scope = {"cert_not_after": iso(exp), "vendor": terms[0].vendor}
                    f = Fault(self.fid(), cause, scope, [T.tid for T in terms], a, b, sev, None,
                              "expired", p=1.0, sym="tls_expired")
                    for T in terms:
                        if rng.random() < 0.5:
                            tu = int(a + rng.uniform(30, 240) * 60)
                            if tu < b:
                                f.tend[T.tid] = tu
                    return self.add(f)
            r = self.pick_term(lambda T: True, 60, 300)
            if not r: return None
            T, a, b = r
            back = rng.random() < 0.7
            skew = -int(rng.uniform(1.1, 2.5) * 365 * 86400) if back else int(rng.uniform(1.2, 3) * 365 * 86400)
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "clock_skew",
                                  p=1.0, skew=skew, sym="tls_notyet" if back else "tls_expired"))
        if cause == "resource.storage":
            r = self.pick_term(lambda T: True, 60, 360)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "full",
                                  p=0.3 + 0.65 * sev))
        if cause == "resource.memory":
            r = self.pick_term(lambda T: True, 60, 360)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "exhausted",
                                  p=0.12 + 0.3 * sev, wd=0.3 + 2 * sev))
        if cause == "resource.cpu":
            r = self.pick_term(lambda T: True, 45, 240)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev,
                                  make_episodes(rng, a, b, sev, flap), "runaway",
                                  p=0.12 + 0.35 * sev, lat=2000 + 12000 * sev))
        if cause == "operator.error":
            r = self.pick_term(lambda T: True, 60, 300)
            if not r: return None
            T, a, b = r
            return self.add(Fault(self.fid(), cause, tscope(T), [T.tid], a, b, sev, None, "new_cashier",
                                  p=0.1 + 0.25 * sev))
        if cause.startswith("business."):
            groups = [({"merchant_id": M.mid}, M.terms) for M in W.merchants]
            if cause == "business.txn_type":
                v = variant or ("preauth_refund" if rng.random() < 0.55 else "credit")
                if v == "preauth_refund":
                    groups = [g for g in groups if W.mmap[g[0]["merchant_id"]].cat in
                              ("hotel", "department", "clothing", "electronics", "supermarket", "restaurant")]
                else:
                    groups = [g for g in groups if W.mmap[g[0]["merchant_id"]].cat in HIGH_TICKET]
            r = self.pick_group(groups, 60, 330)
            if not r: return None
            scope, terms, a, b = r
            M = W.mmap[scope["merchant_id"]]
            tids = [T.tid for T in terms]
            if cause == "business.txn_type":
                return self.add(Fault(self.fid(), cause, scope, tids, a, b, sev, None, v, p=1.0))
            if cause == "business.limit":
                v = variant or ("single" if rng.random() < 0.7 else "count")
                lim = int(CATS[M.cat]["med"] * rng.uniform(0.5, 1.3) / 100) * 100
                return self.add(Fault(self.fid(), cause, scope, tids, a, b, sev, None, v,
                                      limit=lim, p=0.4 + 0.6 * sev))
            if cause == "business.risk":
                return self.add(Fault(self.fid(), cause, scope, tids, a, b, sev,
                                      make_episodes(rng, a, b, sev, "steady" if sev > 0.5 else "flap"),
                                      "flagged", p=0.35 + 0.55 * sev))
            if cause == "business.merchant":
                return self.add(Fault(self.fid(), cause, scope, tids, a, b, sev, None,
                                      rng.choice(["frozen", "closed", "misregistered"]), p=0.98))
        if cause == "upstream.acquirer":
            v = variant or ("down" if rng.random() < 0.45 else "overload")
            groups = [({"host": h}, [T for T in W.terms if T.host == h]) for h in sorted(HOSTS)]
            r = self.pick_group(groups, 15, 60) if v == "down" else self.pick_group(groups, 30, 150)
            if not r: return None
            scope, terms, a, b = r
            return self.add(Fault(self.fid(), cause, scope, [T.tid for T in terms], a, b, sev,
                                  make_episodes(rng, a, b, sev, "steady" if v == "down" else "flap"),
                                  v, p=0.3 + 0.7 * sev, lat=6000 + 20000 * sev))
        if cause == "upstream.issuer":
            bins = [b for b, cr, w in ISSUERS if w >= 0.06]
            bn = rng.choice(bins)
            a, b = self.span(30, 120)
            f = Fault(self.fid(), cause, {"issuer_bin": bn}, [], a, b, sev,
                      make_episodes(rng, a, b, sev, "steady" if sev > 0.5 else "flap"), "outage",
                      p=0.5 + 0.5 * sev)
            W.bin_faults.setdefault(bn, []).append(f)
            self.faults.append(f)
            return f
        raise ValueError(cause)

    def make_site_power(self, sev):
        rng, W = self.rng, self.W
        groups = [({"site_id": S.site_id}, S.terms) for S in W.sites
                  if len(S.terms) >= 2 and any(not T.battery for T in S.terms)
                  and sum(T.rate for T in S.terms) >= 8]
        r = self.pick_group(groups, 40, 160)
        if not r: return None
        scope, terms, a, b = r
        sev = max(sev, 0.3)
        cuts, sags = [], []
        rate = (4 + 20 * sev) / 3600.0           # dips per second while the supply is unstable
        t = a + rng.expovariate(rate) * 0.3
        while t < b - 20:
            r = rng.random()
            if r < 0.35:                          # short cut: everything on mains resets
                d = int(rng.uniform(1, 25)) if rng.random() < 0.8 else int(rng.uniform(60, 120 + 480 * sev))
                cuts.append((int(t), int(min(b, t + d))))
            else:                                 # sag (or surge) that keeps things running
                fac = rng.uniform(0.72, 0.9) if rng.random() < 0.85 else rng.uniform(1.1, 1.22)
                sags.append((int(t), int(min(b, t + rng.uniform(10, 150))), round(fac, 3)))
            t += rng.expovariate(rate)
        if not cuts:
            c0 = int(rng.uniform(a, b - 30))
            cuts.append((c0, c0 + int(rng.uniform(3, 30))))
        cuts.sort()
        sags.sort()
        f = Fault(self.fid(), "power.supply", scope, [T.tid for T in terms], a, b, sev,
                  [(x, y, 1.0) for x, y in cuts], "site_mains", cuts=cuts, sags=sags,
                  router_boot=int(rng.uniform(50, 150)))
        self.add(f)
        # one counter-top terminal's board is damaged by a surge when power returns
        ct = [T for T in terms if not T.battery]
        if ct:
            T = rng.choice(ct)
            dmg = cuts[min(len(cuts) - 1, 1)][1] + 2
            if dmg < W.we - 300:
                end = W.we if rng.random() < 0.6 else min(W.we, b + int(rng.uniform(30, 120) * 60))
                bf = Fault(self.fid(), "hardware.board", {"terminal_id": T.tid}, [T.tid], dmg, end,
                           max(0.4, sev), None, "surge_damage", p=0.12 + 0.3 * sev, wd=1.0 + 3 * sev)
                bf.related = f.fid
                self.add(bf)
                self.busy.add(T.tid)
        return f

    def make_bug(self, sev, variant):
        rng, W = self.rng, self.W
        v = variant or wpick(rng, ["crash_qr", "leak", "pack55"], [0.4, 0.3, 0.3])
        if rng.random() < 0.5:          # a release pushed during the window
            vend = {}
            for T in W.terms:
                vend.setdefault(T.vendor, []).append(T)
            cands = [k for k in sorted(vend) if len(vend[k]) >= 4]
            vn = rng.choice(cands)
            fld = "app_version" if v != "leak" or rng.random() < 0.6 else "firmware"
            V = VENDORS[vn]
            nv = V["next_app"] if fld == "app_version" else V["next_fw"]
            a, b = self.span(90, 330, early=0.0)
            pool = [T for T in vend[vn] if open_frac(T, a, b) > 0.5]
            if len(pool) < 2:
                pool = vend[vn]
            terms = sorted(rng.sample(pool, min(len(pool), rng.randint(3, 9))), key=lambda T: T.tid)
            f = Fault(self.fid(), "software.bug", {fld: nv, "vendor": vn}, [T.tid for T in terms], a, b,
                      sev, None, v, p=0.15 + 0.75 * sev, leak=0.6 + 2.5 * sev, rollout=True)
            first = None
            for T in terms:
                tu = int(a + rng.uniform(0, 35) * 60)
                first = tu if first is None else min(first, tu)
                f.tstart[T.tid] = tu
                W.version_changes.setdefault(T.tid, []).append((tu, fld, nv, f"TMS推送 {nv}"))
                if b < W.we:       # rolled back
                    old = T.app_version if fld == "app_version" else T.firmware
                    f.tend[T.tid] = b + int(rng.uniform(0, 20) * 60)
                    W.version_changes[T.tid].append((f.tend[T.tid], fld, old, f"回退 rollback to {old}"))
            f.start = first
            f.end = max(f.tend.values()) if f.tend else b
            return self.add(f)
        g = {}
        for T in W.terms:
            g.setdefault(("app_version", T.app_version), []).append(T)
            g.setdefault(("firmware", T.firmware), []).append(T)
        groups = [({k[0]: k[1], "vendor": v[0].vendor}, v) for k, v in sorted(g.items()) if len(v) <= 40]
        r = self.pick_group(groups, 60, 330)
        if not r: return None
        scope, terms, a, b = r
        return self.add(Fault(self.fid(), "software.bug", scope, [T.tid for T in terms], a, b, sev,
                              make_episodes(rng, a, b, sev, "steady" if sev > 0.5 else "flap")
                              if v != "leak" else None, v, p=0.15 + 0.75 * sev, leak=0.6 + 2.5 * sev,
                              rollout=False))


def plan_faults(W, seed):
    W.bin_faults = {}
    fm = FaultMaker(W, seed)
    rng = fm.rng
    k = 8
    off = (seed * k) % len(POOL)
    excl = {POOL[(off + i) % len(POOL)] for i in range(k)}
    plan = [("power.supply", "site")] + [(c, None) for c in POOL if c not in excl]
    plan += [(c, None) for c in rng.sample(EXTRA, rng.randint(2, 3))]
    for cause, variant in plan:
        f = None
        for _ in range(3):
            f = fm.make(cause, variant)
            if f is not None:
                break
    W.faults = fm.faults
    return fm.faults


# ---------------------------------------------------------------------------
# per-terminal simulation
# ---------------------------------------------------------------------------
CARD_DECLINES = [("51", 0.4), ("55", 0.22), ("05", 0.14), ("54", 0.08), ("14", 0.07), ("75", 0.04),
                 ("41", 0.02), ("33", 0.03)]
ISSUER_BINS = [i[0] for i in ISSUERS]
ISSUER_W = [i[2] for i in ISSUERS]
ISSUER_CREDIT = {i[0]: i[1] for i in ISSUERS}
CREDIT_BINS = [i[0] for i in ISSUERS if i[1]]
HIGH_TICKET = ("department", "electronics", "hotel", "clothing", "gas")


class Sim:
    def __init__(self, W, T, salt=0):
        self.W, self.T = W, T
        self.M = W.mmap[T.mid]
        self.C = CATS[self.M.cat]
        self.V = VENDORS[T.vendor]
        self.codes = CODES[T.vendor]
        self.tz = self.V["tz"]
        self.rng = random.Random(f"gen3-sim:{W.seed}:{T.tid}:{salt}")
        self.recs, self.tevents, self.fail_log, self.issuer_hits = [], [], {}, []
        rng = self.rng
        self.fbc = {}
        for f in T.faults:
            self.fbc.setdefault(f.cause, []).append(f)
        self.stan = rng.randint(100, 800000)
        self.down_until = -1
        self.pending_reboot = None
        self.cnt = {"keypad_errors": 0, "card_reader_errors": 0, "app_crashes": 0, "power_events": 0}
        self.batt = rng.uniform(55, 100)
        self.batt_t = T.pon[0]
        self.dead_until = None
        self.dead_cause = None
        self.mem_extra = 0.0
        self.ntx = 0
        self.streak = 0
        self.heap = []
        self.seq = 0
        self.busy_until = 0
        self.fw, self.app = T.firmware, T.app_version
        self.ver_dirty = False
        self.last_hb = T.pon[0]
        self.approved = []     # (stan, amount) for voids
        self.hb_missed = 0
        self.used = set()
        self.batt_hit = set()
        # power: mains-off intervals at the site, counter-top down intervals, router down
        self.mains_off, self.cuts, self.router_down, self.pe_times = [], [], [], []
        for f in self.fbc.get("power.supply", []):
            if f.variant == "site_mains":
                for a, b in f.p["cuts"]:
                    self.mains_off.append((a, b, f.fid))
                    self.pe_times.append(a)
                    if not T.battery:
                        boot = int(rng.uniform(40, 95))
                        self.cuts.append((a, b + boot, f.fid))
                        self.push(b + boot, "boot", ("power_loss", "power.supply", f.fid, "power_reset", 0.55))
                    if T.network != "cellular":
                        self.router_down.append((a, b + f.p["router_boot"], f.fid))
                if not T.battery:
                    for a, b, fac in f.p["sags"]:
                        self.pe_times.append(a)
                        if fac < 0.8 and rng.random() < 0.5:        # deep sag resets the unit
                            boot = int(rng.uniform(40, 95))
                            self.cuts.append((a, a + boot, f.fid))
                            self.push(a + boot, "boot", ("power_loss", "power.supply", f.fid, "power_reset", 0.5))
            else:
                for r in f.p["resets"]:
                    boot = int(rng.uniform(40, 95))
                    self.cuts.append((r, r + boot, f.fid))
                    self.pe_times.append(r)
                    self.push(r + boot, "boot", ("power_loss", "power.supply", f.fid, "power_reset", 0.6))
        self.pe_times.sort()
        self.cuts.sort()
        # scheduled events
        for tu, fld, nv, note in W.version_changes.get(T.tid, []):
            self.push(tu, "ver", (fld, nv, note))
        for tp in W.param_pushes.get(T.tid, []):
            self.push(tp, "ver", (None, None, None))
        for f in self.fbc.get("security.certificate", []):
            if f.variant == "clock_skew":
                self.push(f.start - 30, "boot", ("power_loss", None, None, None, 0))
        for f in self.fbc.get("security.keys", []):
            if f.variant in ("mismatch", "missing") and rng.random() < 0.6:
                self.push(f.start - 20, "boot", (rng.choice(["crash", "user", "power_loss"]), None, None, None, 0))

    # -- plumbing -------------------------------------------------------------
    def push(self, t, kind, payload=None):
        self.seq += 1
        heapq.heappush(self.heap, (int(t), self.seq, kind, payload))

    def act(self, cause, t):
        out = []
        for f in self.fbc.get(cause, ()):
            k = f.level(t, self.T.tid)
            if k > 0:
                out.append((f, k))
        return out

    def emit(self, t, rec):
        self.recs.append((int(t), rec))

    def truth(self, rec, code, cause, fid):
        te = {"kind": "truth_event", "ts": rec["ts"], "terminal_id": self.T.tid, "cause": cause,
              "code": code}
        if rec.get("stan"):
            te["stan"] = rec["stan"]
        if fid:
            te["fault_id"] = fid
        te["record"] = rec["kind"]
        self.tevents.append((rec["_t"], te))
        self.fail_log.setdefault(fid or cause, []).append((rec["_t"], self.T.tid, code))

    def err(self, t, sym, cause, fid, stan=None, **vals):
        code, stage, lines = self.codes[sym]
        rng = self.rng
        vals.setdefault("ip", HOSTS[self.T.host])
        vals.setdefault("errno", rng.choice([110, 110, 101, 113]))
        vals.setdefault("to", self.V["to"])
        vals.setdefault("kidx", self.T.kidx)
        vals.setdefault("pct", int(self.batt))
        vals.setdefault("free", rng.randint(12, 300))
        vals.setdefault("key", f"{rng.randint(0x30, 0x39):02X}")
        detail = rng.choice(lines).format(**vals)
        t = self.slot(t, code)
        rec = {"kind": "error", "ts": iso(t, self.tz), "terminal_id": self.T.tid, "code": code}
        if rng.random() < 0.95:
            rec["stage"] = stage
        rec["detail"] = detail
        if stan:
            rec["stan"] = stan
        rec["_t"] = int(t)
        self.emit(t, rec)
        self.truth(rec, code, cause, fid)
        if sym.startswith("card_"):
            self.cnt["card_reader_errors"] += 1
        elif sym == "keypad":
            self.cnt["keypad_errors"] += 1
        elif sym in ("app_crash",):
            self.cnt["app_crashes"] += 1
        return int(t)

    def slot(self, t, code):
        """one failed event per terminal, second and code (so truth can be matched)"""
        t = int(t)
        while (t, code) in self.used:
            t += 1
        self.used.add((t, code))
        return t

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return f"{self.stan:06d}"

    # -- physical state ---------------------------------------------------------
    def planned_on(self, t):
        return self.T.pon[0] <= t < self.T.pon[1]

    def mains_off_at(self, t):
        for a, b, fid in self.mains_off:
            if a <= t < b:
                return fid
        return None

    def batt_update(self, t):
        T = self.T
        if not T.battery or t <= self.batt_t:
            return
        if self.dead_until is not None:
            if t < self.dead_until:
                self.batt_t = t
                return
            tr = self.dead_until
            self.dead_until = None
            self.batt = self.rng.uniform(8, 22)
            self.batt_t = tr
            self.pending_reboot = "power_loss"
            self.cnt["power_events"] += 1
            cause, fid = self.dead_cause
            if self.rng.random() < 0.5 and self.planned_on(tr):
                self.err(tr + 5, "low_batt", cause, fid, pct=int(self.batt))
        dtm = (t - self.batt_t) / 60.0
        mfid = self.mains_off_at(t)
        bf = self.act("power.battery", t)
        if bf and bf[0][0].fid not in self.batt_hit:
            # a worn cell: the gauge collapses once the load rises
            self.batt_hit.add(bf[0][0].fid)
            self.batt = min(self.batt, self.rng.uniform(12, 35))
        if not self.planned_on(t):
            rate = 0.3 if mfid is None else 0.0
        elif bf:
            rate = -bf[0][0].p["drain"] * bf[0][1] + (0.05 if mfid is None else 0)
        else:
            rate = 0.12 if mfid is None else -0.3
        nb = self.batt + rate * dtm
        if nb <= 0 and rate < 0:
            tdie = self.batt_t + int(self.batt / -rate * 60)
            self.batt = 0.0
            if bf:
                self.dead_cause = ("power.battery", bf[0][0].fid)
                wait = self.rng.uniform(12, 40)
            elif mfid:
                self.dead_cause = ("power.supply", mfid)
                wait = self.rng.uniform(5, 20)
            else:
                self.dead_cause = ("power.battery", None)
                wait = self.rng.uniform(10, 30)
            self.dead_until = max(t, tdie) + int(wait * 60)
            self.batt_t = t
            return
        self.batt = clip(nb, 0.0, 100.0)
        self.batt_t = t

    def up(self, t):
        if t < self.down_until:
            return False
        if self.T.battery:
            self.batt_update(t)
            return self.dead_until is None
        for a, b, fid in self.cuts:
            if a <= t < b:
                return False
            if a > t:
                break
        return True

    def reboot(self, t, reason, cause=None, fid=None, sym=None, p_err=0.0):
        d = int(self.rng.uniform(35, 95))
        self.down_until = max(self.down_until, t + d)
        self.push(t + d, "boot", (reason, cause, fid, sym, p_err))
        self.mem_extra = 0.0

    def vfactor(self, t):
        rng = self.rng
        for f in self.fbc.get("power.supply", ()):
            if f.variant == "site_mains" and f.start <= t < f.end:
                for a, b, fac in f.p["sags"]:
                    if a <= t < b:
                        return fac + rng.gauss(0, 0.01), f.fid
                return 1 + rng.gauss(0, 0.03 * f.sev + 0.01), f.fid
            if f.variant == "adapter" and f.start <= t < f.end:
                return f.p["factor"] + rng.gauss(0, 0.02), f.fid
        return 1 + rng.gauss(0, 0.008), None

    def memory(self, t):
        rng = self.rng
        m = self.T.m0 + 4 * math.sin((t - self.W.ws) / 5400.0) + self.mem_extra + rng.gauss(0, 1.5)
        for f, k in self.act("resource.memory", t):
            m = max(m, 91 + 8 * k * rng.random())
        return clip(m, 5, 99.9)

    def cpu(self, t):
        rng = self.rng
        c = self.T.c0 + abs(rng.gauss(0, 6))
        for f, k in self.act("resource.cpu", t):
            c = max(c, 86 + 14 * k * rng.random())
        if self.mem_extra > 30:
            c += 15
        return clip(c, 1, 100)

    def net(self, t):
        T, rng = self.T, self.rng
        comps = []
        lat = T.lat0 * math.exp(rng.gauss(0, 0.25))
        rssi = None
        if T.wireless and T.rssi0 is not None:
            rssi = T.rssi0 + rng.gauss(0, 2.5)
            sfid = None
            for f, k in self.act("network.signal", t):
                rssi = f.p["rssi"] + (1 - k) * 6 + rng.gauss(0, 3)
                sfid = f.fid
            ls = rssi_loss(rssi)
            if ls > 0:
                comps.append((ls, ls * 2500, "network.signal", sfid))
        if T.network != "cellular":
            for a, b, fid in self.router_down:
                if a <= t < b:
                    comps.append((1.0, 0, "power.supply", fid))
            for f, k in self.act("network.lan", t):
                if T.network in f.p["nets"]:
                    ll = min(1.0, f.p["loss"] * k * rng.uniform(0.85, 1.1))
                    comps.append((ll, 300 + 3000 * ll, "network.lan", f.fid))
        else:
            for f, k in self.act("network.carrier", t):
                ll = min(1.0, f.p["loss"] * k * rng.uniform(0.85, 1.1))
                comps.append((ll, 800 + 4000 * ll, "network.carrier", f.fid))
        for f, k in self.act("transmission.corruption", t):
            comps.append((f.p["loss"] * k, 20, "transmission.corruption", f.fid))
        keep = 1.0
        for c in comps:
            keep *= (1 - c[0])
            lat += c[1] * rng.uniform(0.6, 1.3)
        L = 1 - keep
        return L, lat, rssi, comps

    def blame(self, comps):
        c = [x for x in comps if x[0] > 0.02]
        if not c:
            return ("network.signal" if self.T.wireless else "network.lan"), None
        x = self.rng.choices(c, [y[0] for y in c])[0]
        return x[2], x[3]

    # -- transactions -----------------------------------------------------------
    def new_ctx(self, t):
        rng, M, C = self.rng, self.M, self.C
        typ = "purchase"
        r = rng.random()
        p_ref = 0.008
        for f, k in self.act("business.txn_type", t):
            if f.variant == "preauth_refund":
                p_ref = 0.15
        if M.cat == "hotel":
            typ = "preauth" if r < 0.3 else "completion" if r < 0.55 else "purchase"
        elif r < p_ref:
            typ = "refund"
        elif r < p_ref + 0.004:
            typ = "balance"
        elif M.cat in ("department", "electronics", "restaurant") and r < p_ref + 0.004 + p_ref * 0.6:
            typ = "preauth"
        if rng.random() < C["qr"] and typ in ("purchase", "refund"):
            ch = "qr"
        else:
            ch = wpick(rng, ["card_ic", "nfc", "card_swipe"], [0.64, 0.29, 0.07])
        amt = int(C["med"] * math.exp(rng.gauss(0, C["sig"])))
        if rng.random() < 0.5:
            amt = max(100, round(amt, -2))
        amt = max(50, amt)
        if typ == "balance":
            amt = 0
        ctx = {"type": typ, "amount": amt, "channel": ch, "retry": 0, "kind": "normal"}
        if ch != "qr":
            self.give_card(ctx)
        return ctx

    def give_card(self, ctx):
        rng = self.rng
        if "bin" not in ctx:
            if self.M.cat in HIGH_TICKET and rng.random() < 0.4:
                bn = rng.choice(CREDIT_BINS)
            else:
                bn = wpick(rng, ISSUER_BINS, ISSUER_W)
            ctx["bin"] = bn
            ctx["credit"] = ISSUER_CREDIT[bn]
            ctx["pan"] = f"{bn}******{rng.randint(0, 9999):04d}"
        ch = ctx["channel"]
        if ch == "card_swipe":
            ctx["pin"] = True
        elif ch == "card_ic":
            ctx["pin"] = rng.random() < (0.25 if ctx["credit"] else 0.85)
        else:
            ctx["pin"] = ctx["amount"] > 100000

    def txn_rec(self, t, ctx, stan, rc=None, timed_out=False, lat=None):
        M, T = self.M, self.T
        rec = {"kind": "txn", "ts": iso(t), "terminal_id": T.tid, "merchant_id": M.mid,
               "type": ctx["type"], "amount": ctx["amount"],
               "currency": "156" if T.host == "H3" else "CNY", "channel": ctx["channel"],
               "stan": stan, "mcc": M.mcc_txn}
        if rc is not None:
            rec["response_code"] = rc
            rec["rrn"] = f"{datetime.fromtimestamp(t, timezone.utc).strftime('%j%H')}{self.rng.randint(0, 9999999):07d}"
            if rc == "00" and ctx["type"] in ("purchase", "completion") and ctx["amount"] > 0:
                rate = M.qr_rate if ctx["channel"] == "qr" else M.card_rate
                rec["fee"] = int(round(ctx["amount"] * rate))
        if timed_out:
            rec["timed_out"] = True
        if lat is not None:
            rec["latency_ms"] = int(lat)
        if ctx.get("pan"):
            rec["pan"] = ctx["pan"]
        rec["_t"] = int(t)
        return rec

    def after_fail(self, t, ctx, alt=None, retry=True):
        rng = self.rng
        self.streak += 1
        if retry and ctx.get("kind") in ("normal", "normal_noop") and ctx["retry"] < 2 and rng.random() < 0.6:
            c2 = dict(ctx)
            c2["retry"] += 1
            c2.pop("force", None)
            if alt:
                c2["channel"] = alt
                if alt == "qr":
                    for k in ("pan", "bin", "credit", "pin"):
                        c2.pop(k, None)
                    if c2["type"] not in ("purchase", "refund"):
                        c2["type"] = "purchase"
                else:
                    self.give_card(c2)
            self.push(t + int(rng.uniform(12, 75)), "txn", c2)
        # cashier's reactions when failures pile up
        if self.streak >= 2 and rng.random() < 0.22:
            r = rng.random()
            tt = t + int(rng.uniform(8, 40))
            if r < 0.45:
                self.push(tt, "user_reboot")
            elif r < 0.8 and ctx.get("stan") and ctx["type"] == "purchase":
                c3 = {"type": "void", "amount": ctx["amount"], "channel": ctx["channel"], "retry": 9,
                      "kind": "cashier", "pan": ctx.get("pan"), "orig_ok": ctx.get("host_ok", False)}
                if not c3["orig_ok"]:
                    c3["force"] = ("25", "operator.error", None)
                self.push(tt, "txn", c3)
            else:
                self.push(tt, "op_pwd")

    def operator_mistake(self, t, ctx, fid):
        """a cashier mistake at the start of a sale; the sale itself follows"""
        rng = self.rng
        r = rng.random()
        nxt = dict(ctx)
        nxt["kind"] = "normal_noop"
        self.push(t + int(rng.uniform(15, 70)), "txn", nxt)
        if r < 0.35:
            self.err(t, "op_pwd", "operator.error", fid)
            return
        if r < 0.5:
            self.err(t, "op_proc", "operator.error", fid)
            return
        c = dict(ctx)
        c["kind"] = "mistake"
        c["retry"] = 9
        if self.M.cat == "hotel" and r < 0.75:
            c["type"], c["amount"], rc = "completion", int(ctx["amount"] * rng.uniform(1.2, 1.6)), "64"
        elif r < 0.75:
            c["type"], rc = "void", "25"
        elif r < 0.88:
            c["type"], c["amount"], rc = "refund", int(ctx["amount"] * rng.uniform(1.5, 4)), "64"
        else:
            c["type"], rc = "purchase", "94"
        if c["channel"] == "qr" and c["type"] == "completion":
            c["channel"] = "card_ic"
        c["force"] = (rc, "operator.error", fid)
        self.attempt(t, c)

    def attempt(self, t, ctx):
        rng, T = self.rng, self.T
        kind = ctx.get("kind", "normal")
        if not self.up(t):
            # the customer waits for the terminal to come back, or pays some other way
            if kind in ("normal", "normal_noop") and ctx["retry"] < 2 and rng.random() < 0.6:
                c2 = dict(ctx)
                c2["retry"] += 1
                self.push(max(t, self.down_until) + int(rng.uniform(45, 150)), "txn", c2)
            return
        ch = ctx["channel"]
        card = ch != "qr"
        # battery
        if T.battery and self.batt < 15:
            bf = self.act("power.battery", t)
            mfid = self.mains_off_at(t)
            cause, fid = ("power.battery", bf[0][0].fid) if bf else \
                ("power.supply", mfid) if mfid else ("power.battery", None)
            if self.batt < 6 and rng.random() < 0.85:
                self.err(t, "low_batt", cause, fid, pct=int(self.batt))
                self.after_fail(t, ctx, retry=False)
                return
            if rng.random() < 0.3:              # warning on screen, the sale goes on
                self.err(t, "low_batt", cause, fid, pct=int(self.batt))
                t += int(rng.uniform(3, 8))
        # cashier mistakes (background and a new cashier)
        if kind == "normal" and ctx["retry"] == 0:
            pf = 0.0
            ofs = self.act("operator.error", t)
            if ofs:
                pf = ofs[0][0].p["p"] * ofs[0][1]
            if rng.random() < 0.0025 + pf:
                fid = ofs[0][0].fid if ofs and rng.random() < pf / (pf + 0.0025) else None
                self.operator_mistake(t, ctx, fid)
                return
        # display / board
        for f, k in self.act("hardware.display", t):
            if rng.random() < f.p["p"] * k:
                self.err(t, "display", f.cause, f.fid)
                if rng.random() < 0.3:
                    self.push(t + int(rng.uniform(10, 40)), "user_reboot")
                self.after_fail(t, ctx)
                return
        for f, k in self.act("hardware.board", t):
            if rng.random() < f.p["p"] * k:
                r = rng.random()
                if r < 0.4 and card:
                    self.err(t, "card_ic" if ch == "card_ic" else "card_nfc" if ch == "nfc" else "card_msr",
                             f.cause, f.fid)
                elif r < 0.75:
                    self.err(t, "selftest", f.cause, f.fid)
                    self.reboot(t + 2, "watchdog", f.cause, f.fid, "selftest", 0.5)
                else:
                    self.err(t, "app_crash", f.cause, f.fid)
                    self.reboot(t + 2, "crash", f.cause, f.fid, "selftest", 0.3)
                self.after_fail(t, ctx)
                return
        # supply voltage
        if not T.battery:
            fac, pfid = self.vfactor(t)
            if pfid and card and ch != "card_swipe" and fac < 0.9 and rng.random() < (0.9 - fac) * 5:
                self.err(t, "card_ic" if ch == "card_ic" else "card_nfc", "power.supply", pfid)
                self.after_fail(t, ctx, alt="qr" if rng.random() < 0.5 else None)
                return
            if pfid and fac < 0.86 and rng.random() < 0.2:
                self.reboot(t, "power_loss", "power.supply", pfid, "power_reset", 0.7)
                self.after_fail(t, ctx)
                return
        # card reader
        if card:
            for f, k in self.act("hardware.card_reader", t):
                if f.variant == "module":
                    hit = 1.0 if ch == "card_ic" else 0.6
                else:
                    hit = 1.0 if {"ic": "card_ic", "nfc": "nfc", "msr": "card_swipe"}[f.variant] == ch else 0.0
                if hit and rng.random() < f.p["p"] * k * hit:
                    sym = {"card_ic": "card_ic", "nfc": "card_nfc", "card_swipe": "card_msr"}[ch]
                    self.err(t, sym, f.cause, f.fid)
                    alt = {"card_ic": rng.choice(["card_swipe", "qr", "card_ic"]),
                           "nfc": rng.choice(["card_ic", "qr"]), "card_swipe": "card_ic"}[ch]
                    self.after_fail(t, ctx, alt=alt)
                    return
        # amount typed on the keypad (every sale), then PIN entry
        for f, k in self.act("hardware.keypad", t):
            if rng.random() < f.p["p_amt"] * k:
                self.err(t, "keypad", f.cause, f.fid)
                self.after_fail(t, ctx)
                return
        wrongpin = None
        if ctx.get("pin"):
            for f, k in self.act("hardware.keypad", t):
                if rng.random() < f.p["p_err"] * k:
                    self.err(t, "keypad", f.cause, f.fid)
                    self.after_fail(t, ctx)
                    return
                if rng.random() < f.p["p_pin"] * k:
                    wrongpin = f.fid
        # local resources
        for f, k in self.act("resource.storage", t):
            if rng.random() < f.p["p"] * k:
                self.err(t, "storage_full", f.cause, f.fid)
                self.after_fail(t, ctx)
                return
        for f, k in self.act("resource.memory", t):
            if rng.random() < f.p["p"] * k:
                if rng.random() < 0.5:
                    self.err(t, "mem_low", f.cause, f.fid)
                else:
                    self.err(t, "app_crash", f.cause, f.fid)
                    self.reboot(t + 2, rng.choice(["watchdog", "crash"]))
                self.after_fail(t, ctx)
                return
        for f, k in self.act("software.bug", t):
            if f.variant == "leak" and self.mem_extra + self.T.m0 > 96:
                self.err(t, rng.choice(["app_crash", "mem_low"]), f.cause, f.fid)
                self.reboot(t + 2, "crash")
                self.after_fail(t, ctx)
                return
            if f.variant == "crash_qr" and ch == "qr" and rng.random() < f.p["p"] * k:
                self.err(t, "app_crash", f.cause, f.fid)
                self.reboot(t + 2, "crash")
                self.after_fail(t, ctx, alt="card_ic" if rng.random() < 0.3 else None)
                return
        extra = rng.uniform(250, 900)
        for f, k in self.act("resource.cpu", t):
            if rng.random() < f.p["p"] * k:
                self.err(t, "proc_timeout", f.cause, f.fid)
                self.after_fail(t, ctx)
                return
            extra += f.p["lat"] * k * rng.uniform(0.4, 1.3)
        # from here the message goes out
        stan = self.next_stan()
        ctx["stan"] = stan
        ctx["host_ok"] = False
        for f, k in self.act("software.config", t):
            if f.variant == "host_addr":
                self.err(t + int(rng.uniform(3, 20)), "connect_fail", f.cause, f.fid, stan=stan,
                         ip=f.p["wrong_ip"], errno=rng.choice([111, 113, 110]))
                self.after_fail(t, ctx)
                return
        for f, k in self.act("security.keys", t):
            if f.variant == "missing":
                self.err(t, "key_missing", f.cause, f.fid, stan=stan)
                self.after_fail(t, ctx)
                return
        L, nlat, rssi, comps = self.net(t)
        blip = 0.0008 if T.wireless else 0.0003
        pf = pfail(L) + blip
        recv_fail = None
        if rng.random() < pf:
            cause, fid = self.blame(comps)
            r = rng.random()
            if L > 0.95:
                stage = "connect" if r < 0.8 else "recv"
            else:
                stage = "connect" if r < 0.35 else "send" if r < 0.5 else "recv"
            if stage == "recv":
                recv_fail = (cause, fid)
            else:
                te = t + int(rng.uniform(5, 30) if stage == "connect" else rng.uniform(2, 10))
                self.err(te, "connect_fail" if stage == "connect" else "send_fail", cause, fid, stan=stan)
                self.after_fail(te, ctx)
                return
        # TLS
        for f, k in self.act("security.certificate", t):
            if rng.random() < f.p["p"] * k:
                self.err(t + int(rng.uniform(1, 3)), f.p["sym"], f.cause, f.fid, stan=stan)
                self.after_fail(t, ctx)
                return
        for f, k in self.act("software.incompatible", t):
            if f.variant == "tls" and rng.random() < f.p["p"] * k:
                self.err(t + int(rng.uniform(1, 3)), "tls_protocol", f.cause, f.fid, stan=stan)
                self.after_fail(t, ctx)
                return
        # at the acquirer host
        lat = nlat * 4 + rng.uniform(250, 700) + extra
        if card:
            lat += rng.uniform(150, 650)
        to_ms = self.V["to"] * 1000
        rc, cause, fid = None, None, None
        host_to = False
        for f, k in self.act("upstream.acquirer", t):
            if f.variant == "down":
                if rng.random() < f.p["p"] * k:
                    if rng.random() < 0.6:
                        host_to = True
                    else:
                        rc = "96"
                    cause, fid = f.cause, f.fid
            else:
                lat += f.p["lat"] * k * rng.uniform(0.4, 1.4)
                if lat >= to_ms:
                    host_to, cause, fid = True, f.cause, f.fid
                elif rng.random() < 0.2 * f.p["p"] * k:
                    rc, cause, fid = "96", f.cause, f.fid
        if not host_to:
            ctx["host_ok"] = True
        if rc is None and not host_to:
            rc, cause, fid = self.host_decide(t, ctx, card, wrongpin)
            if rc == "98":
                lat += rng.uniform(20000, 30000)
                if lat >= to_ms:
                    host_to = True
                    rc = None
        # the way back
        unpack = False
        if not host_to and recv_fail is None:
            for f, k in self.act("transmission.corruption", t):
                if rng.random() < f.p["p"] * k * 0.35:
                    recv_fail, unpack = (f.cause, f.fid), True
            for f, k in self.act("resource.cpu", t):
                if rng.random() < f.p["p"] * k * 0.3 and lat > 0.5 * to_ms:
                    recv_fail = (f.cause, f.fid)
        if host_to or recv_fail:
            if recv_fail:
                cause, fid = recv_fail
            tt = self.slot(t + int(to_ms / 1000) + int(rng.uniform(0, 3)), "timeout")
            rec = self.txn_rec(tt, ctx, stan, None, True, to_ms + rng.uniform(0, 900))
            self.emit(tt, rec)
            self.truth(rec, "timeout", cause, fid)
            self.err(tt + int(rng.uniform(1, 3)), "unpack" if unpack else "recv_timeout", cause, fid, stan=stan)
            if ctx["type"] in ("purchase", "preauth", "completion", "refund") and ctx.get("kind") != "reversal":
                self.push(tt + int(rng.uniform(20, 90)), "rev", (dict(ctx), 0))
            self.busy_until = tt + 3
            self.after_fail(tt, ctx)
            return
        tt = t + int(lat / 1000) + 1
        if rc != "00":
            tt = self.slot(tt, rc)
        rec = self.txn_rec(tt, ctx, stan, rc, False, lat)
        self.emit(tt, rec)
        self.busy_until = tt + 2
        self.ntx += 1
        if T.battery:
            bf = self.act("power.battery", t)
            self.batt = max(0.0, self.batt - (0.8 if bf else 0.15))
        for f, k in self.act("software.bug", t):
            if f.variant == "leak":
                self.mem_extra += f.p["leak"] * rng.uniform(0.5, 1.5)
        if rc != "00":
            self.truth(rec, rc, cause, fid)
            if rc == "A0" and rng.random() < 0.6:
                self.err(tt + 1, "mac_error", cause, fid, stan=stan)
            if rc == "30" and rng.random() < 0.3:
                self.err(tt + 1, "unpack", cause, fid, stan=stan)
            retry = rc in ("96", "91", "98", "A0", "30", "55", "94") or kind != "normal"
            self.after_fail(tt, ctx, retry=retry)
            return
        self.streak = 0
        self.approved.append((stan, ctx["amount"]))
        # receipt
        for f, k in self.act("hardware.printer", t):
            if rng.random() < f.p["p"] * k:
                self.err(tt + int(rng.uniform(1, 4)), "print_paper" if f.variant == "paper_out" else "print_fault",
                         f.cause, f.fid, stan=stan)
                break
        if kind in ("normal", "normal_noop") and ctx["type"] == "purchase" and rng.random() < 0.012:
            c = dict(ctx)
            c.update(type="void", kind="void", retry=9)
            c.pop("force", None)
            self.push(tt + int(rng.uniform(30, 240)), "txn", c)

    def host_decide(self, t, ctx, card, wrongpin):
        """what the acquirer, the card scheme and the issuer answer"""
        rng, T, M = self.rng, self.T, self.M
        typ, amt = ctx["type"], ctx["amount"]
        for f, k in self.act("transmission.corruption", t):
            if rng.random() < f.p["p"] * k * 0.6:
                return ("30" if rng.random() < 0.6 else "A0"), f.cause, f.fid
        for f, k in self.act("software.bug", t):
            if f.variant == "pack55" and ctx["channel"] in ("card_ic", "nfc") and rng.random() < f.p["p"] * k:
                return "30", f.cause, f.fid
        for f, k in self.act("software.incompatible", t):
            if f.variant == "msg" and rng.random() < f.p["p"] * k:
                return "40", f.cause, f.fid
        for f, k in self.act("security.keys", t):
            if f.variant in ("mismatch", "key_sync") and rng.random() < f.p["p"] * k:
                return "A0", f.cause, f.fid
        for f, k in self.act("software.config", t):
            if f.variant == "tid":
                return "97", f.cause, f.fid
            if f.variant == "mid":
                return "03", f.cause, f.fid
        if ctx.get("force"):
            return ctx["force"]
        if typ == "reversal":
            return "00", None, None
        for f, k in self.act("business.merchant", t):
            if rng.random() < f.p["p"]:
                return "03", f.cause, f.fid
        for f, k in self.act("business.txn_type", t):
            if f.variant == "preauth_refund" and typ in ("preauth", "refund", "completion"):
                return "58", f.cause, f.fid
            if f.variant == "credit" and ctx.get("credit"):
                return "57", f.cause, f.fid
        for f, k in self.act("business.limit", t):
            if f.variant == "single" and amt > f.p["limit"] and typ in ("purchase", "preauth"):
                return "61", f.cause, f.fid
            if f.variant == "count" and typ == "purchase" and rng.random() < f.p["p"] * k:
                return "65", f.cause, f.fid
        for f, k in self.act("business.risk", t):
            if typ in ("purchase", "preauth") and amt > 0.4 * self.C["med"] and rng.random() < f.p["p"] * k:
                return ("59" if rng.random() < 0.7 else "34"), f.cause, f.fid
        # background business rules
        if typ == "purchase" and amt > 5_000_000 and rng.random() < 0.5:
            return "61", "business.limit", None
        if rng.random() < 0.0007 and typ == "purchase":
            return "59", "business.risk", None
        if card and ctx.get("credit") and self.M.mcc in ("5541", "5422") and rng.random() < 0.02:
            return "57", "business.txn_type", None
        if typ in ("void", "balance"):
            return "00", None, None
        # issuer
        if card:
            for f in self.W.bin_faults.get(ctx.get("bin"), ()):
                k = f.level(t)
                if k > 0 and rng.random() < f.p["p"] * k:
                    self.issuer_hits.append(f)
                    return ("91" if rng.random() < 0.7 else "98"), f.cause, f.fid
            if wrongpin:
                return "55", "hardware.keypad", wrongpin
            if rng.random() < 0.028:
                return wpick(rng, [c for c, w in CARD_DECLINES], [w for c, w in CARD_DECLINES]), "card.decline", None
        elif rng.random() < 0.008:
            return "51", "card.decline", None
        return "00", None, None

    def reversal(self, t, ctx, n):
        rng = self.rng
        if not self.up(t):
            if n < 6:
                self.push(t + int(rng.uniform(60, 180)), "rev", (ctx, n + 1))
            return
        if t < self.busy_until:
            self.push(self.busy_until + 5, "rev", (ctx, n))
            return
        c = dict(ctx)
        c["type"], c["kind"] = "reversal", "reversal"
        c.pop("force", None)
        stan = self.next_stan()
        L, nlat, rssi, comps = self.net(t)
        fail, cause, fid = None, None, None
        if rng.random() < pfail(L):
            cause, fid = self.blame(comps)
            fail = True
        for f, k in self.act("security.certificate", t):
            if not fail and rng.random() < f.p["p"] * k:
                fail, cause, fid = "tls", f.cause, f.fid
        for f, k in self.act("upstream.acquirer", t):
            if not fail and f.variant == "down" and rng.random() < f.p["p"] * k:
                fail, cause, fid = True, f.cause, f.fid
        for f, k in self.act("software.config", t):
            if not fail and f.variant == "host_addr":
                fail, cause, fid = "cfg", f.cause, f.fid
        if fail:
            if fail is True:
                tt = self.slot(t + self.V["to"], "timeout")
                rec = self.txn_rec(tt, c, stan, None, True, self.V["to"] * 1000 + rng.uniform(0, 800))
                self.emit(tt, rec)
                self.truth(rec, "timeout", cause, fid)
                self.busy_until = tt + 2
            if n < 6:
                self.push(t + int(rng.uniform(90, 300)), "rev", (ctx, n + 1))
            return
        lat = nlat * 4 + rng.uniform(200, 600)
        tt = t + int(lat / 1000) + 1
        self.emit(tt, self.txn_rec(tt, c, stan, "00", False, lat))
        self.busy_until = tt + 2

    # -- heartbeats and housekeeping -----------------------------------------------
    def hb(self, t):
        rng, T, V = self.rng, self.T, self.V
        if not self.planned_on(t):
            return
        # idle effects of faults
        for f, k in self.act("hardware.keypad", t):
            self.cnt["keypad_errors"] += int(rng.random() * f.p["idle"] * k * V["hb"] / 120)
        for f, k in self.act("hardware.card_reader", t):
            if rng.random() < 0.3 * k:
                self.cnt["card_reader_errors"] += 1
        for f, k in self.act("hardware.board", t):
            if self.up(t) and rng.random() < f.p["wd"] * V["hb"] / 3600:
                self.reboot(t, "watchdog", f.cause, f.fid, "selftest", 0.4)
                self.cnt["card_reader_errors"] += rng.randint(0, 2)
        for f, k in self.act("resource.memory", t):
            if self.up(t) and rng.random() < f.p["wd"] * V["hb"] / 3600:
                self.cnt["app_crashes"] += 1
                self.reboot(t, "watchdog", f.cause, f.fid, "mem_low", 0.25)
        for f, k in self.act("software.bug", t):
            if f.variant == "leak":
                self.mem_extra += f.p["leak"] * 0.15 * V["hb"] / 60
                if self.T.m0 + self.mem_extra > 99 and self.up(t):
                    self.cnt["app_crashes"] += 1
                    self.reboot(t, "crash", f.cause, f.fid, "app_crash", 0.5)
        if not self.up(t):
            if rng.random() < V["tms_off"]:
                self.emit(t, {"kind": "telemetry", "ts": iso(t, self.tz), "terminal_id": T.tid, "online": False})
            return
        L, lat, rssi, comps = self.net(t)
        if rng.random() < pfail(L) * 0.9:
            if rng.random() < V["tms_off"]:
                self.emit(t, {"kind": "telemetry", "ts": iso(t, self.tz), "terminal_id": T.tid, "online": False})
            return
        F = V["fields"]
        r = {"kind": "telemetry", "ts": iso(t, self.tz), "terminal_id": T.tid}
        vals = {"online": True}
        if rssi is not None:
            vals["rssi_dbm"] = int(round(rssi))
        cpu = self.cpu(t)
        vals["latency_ms"] = int(lat + (cpu - 60) * 8 if cpu > 85 else lat)
        vals["packet_loss"] = round(sum(1 for _ in range(20) if rng.random() < L) / 20.0, 2)
        board = self.act("hardware.board", t)
        if not T.battery:
            fac, _ = self.vfactor(t)
            v = T.nominal * fac
            if board and rng.random() < 0.3:
                v = rng.choice([0.0, 9.99, T.nominal * 1.6, 3.1])
            vals["supply_v"] = round(v, 2)
        else:
            vals["battery_pct"] = int(self.batt)
        pe = self.cnt["power_events"]
        lo = self.last_hb
        for x in self.pe_times:
            if lo < x <= t:
                pe += 1
        vals["power_events"] = pe
        if self.pending_reboot:
            vals["reboot"] = self.pending_reboot
        st = T.s0 + self.ntx * 0.01
        for f, k in self.act("resource.storage", t):
            st = 97 + 3 * k * rng.random()
        vals["storage_used_pct"] = int(clip(st, 1, 100))
        vals["memory_used_pct"] = int(self.memory(t))
        vals["cpu_pct"] = int(cpu)
        temp = T.temp0 + cpu / 12 + rng.gauss(0, 0.7)
        if board:
            temp = rng.uniform(68, 86) if rng.random() < 0.7 else -40.0
        vals["temp_c"] = round(temp, 1)
        kc = "ok"
        for f, k in self.act("security.keys", t):
            kc = "missing" if f.variant == "missing" else "mismatch"
        vals["key_check"] = kc
        sk = int(round(rng.gauss(0, 1.2)))
        for f, k in self.act("security.certificate", t):
            if f.variant == "clock_skew":
                sk = f.p["skew"] + int(rng.gauss(0, 2))
        vals["clock_skew_s"] = sk
        pr = "ok"
        for f, k in self.act("hardware.printer", t):
            pr = "paper_out" if f.variant == "paper_out" else ("fault" if rng.random() < 0.5 + 0.5 * k else "ok")
        vals["printer"] = pr
        for c in ("keypad_errors", "card_reader_errors", "app_crashes"):
            vals[c] = self.cnt[c]
        for fld in F:
            if fld in vals and (fld == "online" or rng.random() > 0.03):
                r[fld] = vals[fld]
        if self.ver_dirty:
            for fld in VERSION_FIELDS[T.vendor]:
                r[fld] = self.fw if fld == "firmware" else self.app
            self.ver_dirty = False
        self.emit(t, r)
        self.last_hb = t
        self.pending_reboot = None
        for c in self.cnt:
            self.cnt[c] = 0

    def boot(self, t, payload):
        reason, cause, fid, sym, p_err = payload
        self.pending_reboot = reason
        if self.planned_on(t) and sym and cause and self.rng.random() < p_err:
            if self.T.battery and sym == "power_reset":
                return
            self.err(t, sym, cause, fid)

    def version(self, t, payload):
        fld, nv, note = payload
        rng = self.rng
        if fld is None:                            # parameter push from the TMS
            if self.planned_on(t):
                self.down_until = max(self.down_until, t + int(rng.uniform(30, 70)))
                self.pending_reboot = "update"
            return
        old = self.fw if fld == "firmware" else self.app
        if fld == "firmware":
            self.fw = nv
        else:
            self.app = nv
        self.ver_dirty = True
        self.pending_reboot = "update"
        if self.planned_on(t):
            self.down_until = max(self.down_until, t + int(rng.uniform(60, 150)))
        self.emit(t, {"kind": "maintenance", "ts": iso(t), "terminal_id": self.T.tid,
                      "action": "firmware_update",
                      "notes": f"{'固件' if fld == 'firmware' else '应用'} {old} -> {nv}; {note}"})

    def run(self):
        T, W, rng = self.T, self.W, self.rng
        V = self.V
        a, b = max(W.ws, T.pon[0]), min(W.we, T.pon[1])
        if T.pon[0] > W.ws and T.pon[0] < W.we:
            self.pending_reboot = T.cold_boot_reason
        # heartbeats
        per = V["hb"]
        t = a + rng.uniform(0, per)
        while t < b:
            self.push(int(t), "hb")
            t += per * rng.uniform(0.97, 1.03)
        # customers
        oa, ob = max(W.ws, T.open[0]), min(W.we, T.open[1])
        C = self.C
        pk = max([1.0] + [x[2] for x in C["peak"]])
        lam_max = C["rate"] * T.act * pk / 3600.0
        t = oa
        while lam_max > 0:
            t += rng.expovariate(lam_max)
            if t >= ob:
                break
            h = 8 + (t - W.ws) / 3600.0
            m = 1.0
            for x, y, z in C["peak"]:
                if x <= h < y:
                    m = z
            if rng.random() < m / pk:
                self.push(int(t), "txn", None)
        # housekeeping records
        if rng.random() < 0.25 and oa < ob:
            tt = oa + int(rng.uniform(0, 25) * 60)
            self.emit(tt, {"kind": "maintenance", "ts": iso(tt), "terminal_id": T.tid, "action": "daily_check",
                           "notes": rng.choice(["电源、键盘、屏幕正常", "daily check: power, keys, display ok",
                                                "开机检查正常", "电源线、网线连接正常"])})
        if rng.random() < 0.03 and oa < ob:
            tt = int(rng.uniform(oa, ob))
            self.emit(tt, {"kind": "maintenance", "ts": iso(tt), "terminal_id": T.tid, "action": "weekly_clean",
                           "notes": rng.choice(["清洁读卡槽和键盘", "cleaned card slot and keypad"])})
        while self.heap:
            t, _, kind, payload = heapq.heappop(self.heap)
            if t >= W.we:
                break
            if t < W.ws:
                if kind == "boot":
                    self.pending_reboot = payload[0]
                continue
            if kind == "hb":
                self.hb(t)
            elif kind == "txn":
                if t < self.busy_until:
                    self.push(self.busy_until + int(rng.uniform(3, 25)), kind, payload)
                    continue
                if t >= T.open[1] and (payload is None or payload.get("kind") != "void"):
                    continue
                ctx = payload if payload is not None else self.new_ctx(t)
                self.attempt(t, ctx)
            elif kind == "rev":
                self.reversal(t, *payload)
            elif kind == "boot":
                self.boot(t, payload)
            elif kind == "ver":
                self.version(t, payload)
            elif kind == "user_reboot":
                if self.up(t) and self.planned_on(t):
                    self.reboot(t, "user")
            elif kind == "op_pwd":
                if self.up(t) and self.planned_on(t):
                    self.err(t, "op_pwd", "operator.error", None)


def simulate(W, T):
    """simulate one terminal; a terminal-level fault that happened to leave no failed
    event at all is re-drawn (other random draws) up to three times"""
    own = [f for f in T.faults if "terminal_id" in f.scope]
    best = None
    for salt in range(4):
        s = Sim(W, T, salt)
        s.run()
        score = min([len(s.fail_log.get(f.fid, ())) for f in own] or [99])
        if best is None or score > best[0]:
            best = (score, s)
        if score >= 2:
            break
    s = best[1]
    W.recs.extend(s.recs)
    W.tevents.extend(s.tevents)
    for k, v in s.fail_log.items():
        W.fail_log.setdefault(k, []).extend(v)
    for f in s.issuer_hits:
        f.terms.append(T.tid)


# ---------------------------------------------------------------------------
# people: complaints, technicians' checks, repairs
# ---------------------------------------------------------------------------
COMPLAINT_TEXT = {
    "generic": ["刷卡一直显示{code}，顾客只能扫码", "POS机老是提示{code}，好几笔没成功",
                "今天收款一直失败，屏幕显示{code}", "机器提示{code}，交易做不了，请尽快处理",
                "Terminal keeps showing {code}, card payments fail"],
    "timeout": ["交易特别慢，转半天然后失败", "顾客说钱扣了但机器显示交易失败", "一直显示{code}，网络好像有问题"],
    "reboot": ["机器反复重启，没法收款", "POS自己关机好几次了", "开机后提示{code}，然后又重启"],
    "printer": ["打印不出小票", "小票打不出来，顾客要发票"],
    "display": ["屏幕花屏看不清金额", "显示屏时有时无"],
    "keypad": ["按键失灵，顾客输不了密码", "密码老是输错，按键不灵"],
    "card": ["插卡读不出来，只能扫码", "卡刷不了，提示{code}"],
    "decline": ["好多顾客的卡都被拒了，返回码{code}", "交易被拒绝，提示{code}，银行说卡没问题"],
    "battery": ["手持POS电池不耐用，一会儿就没电关机"],
}
CAUSE_COMPLAINT = {
    "hardware.printer": "printer", "hardware.display": "display", "hardware.keypad": "keypad",
    "hardware.card_reader": "card", "power.battery": "battery", "hardware.board": "reboot",
    "power.supply": "reboot", "resource.memory": "reboot", "network.lan": "timeout",
    "network.carrier": "timeout", "network.signal": "timeout", "upstream.acquirer": "timeout",
    "business.merchant": "decline", "business.risk": "decline", "business.limit": "decline",
    "business.txn_type": "decline", "upstream.issuer": "decline", "security.keys": "generic",
}
# cause -> (check name, result generator, target: site or terminal)
CHECKS = {
    "power.supply": [("adapter_voltage", lambda r, T: f"{(T.nominal or 5.0) * r.uniform(0.8, 0.87):.2f}V"),
                     ("mains_voltage", lambda r, T: f"{int(r.uniform(176, 196))}V")],
    "network.lan": [("router_restarted", lambda r, T: "ok"), ("cable_seated", lambda r, T: "ok")],
    "network.carrier": [("sim_status", lambda r, T: "ok"), ("carrier_hotline", lambda r, T: "fail")],
    "network.signal": [("signal_strength", lambda r, T: f"{int(r.uniform(-116, -103))}dBm"),
                       ("antenna_check", lambda r, T: "fail")],
    "hardware.keypad": [("keypad_test", lambda r, T: "fail")],
    "hardware.display": [("screen_test", lambda r, T: "fail")],
    "hardware.card_reader": [("card_reader_test", lambda r, T: "fail")],
    "hardware.printer": [("paper_loaded", lambda r, T: "ok"), ("print_test", lambda r, T: "fail")],
    "hardware.board": [("self_test", lambda r, T: "fail"), ("adapter_voltage", lambda r, T: f"{(T.nominal or 5.0) * r.uniform(0.98, 1.03):.2f}V")],
    "power.battery": [("battery_health", lambda r, T: f"{int(r.uniform(22, 48))}%")],
    "software.config": [("terminal_params", lambda r, T: "fail"), ("param_download", lambda r, T: "ok")],
    "transmission.corruption": [("cable_seated", lambda r, T: "fail")],
    "security.keys": [("key_download", lambda r, T: "ok")],
    "security.certificate": [("cert_valid", lambda r, T: "fail"), ("time_sync", lambda r, T: "ok")],
    "resource.storage": [("storage_cleanup", lambda r, T: "ok")],
    "resource.memory": [("app_restart", lambda r, T: "ok")],
    "resource.cpu": [("background_tasks", lambda r, T: "fail")],
    "software.bug": [("app_reinstall", lambda r, T: "ok")],
    "software.incompatible": [("version_check", lambda r, T: "fail")],
    "operator.error": [("cashier_retrained", lambda r, T: "ok")],
    "business.merchant": [("merchant_status", lambda r, T: "fail")],
    "upstream.acquirer": [("host_ping", lambda r, T: "fail")],
}
REPAIR = {
    "hardware.keypad": ("part_replaced", "更换键盘膜 / keypad membrane replaced"),
    "hardware.display": ("part_replaced", "更换显示屏"),
    "hardware.card_reader": ("part_replaced", "更换IC卡座"),
    "hardware.printer": ("repair", "装纸/清洁打印头"),
    "hardware.board": ("part_replaced", "更换主板 / main board replaced"),
    "power.battery": ("part_replaced", "更换电池"),
    "power.supply": ("repair", "更换电源适配器"),
}


def people(W):
    rng = random.Random(f"gen3-people:{W.seed}")
    cseq = rng.randint(1000, 5000)
    for f in W.faults:
        fails = sorted(W.fail_log.get(f.fid, []))
        terms = [W.tmap[x] for x in f.terms if x in W.tmap]
        if len(fails) >= 3 and rng.random() < 0.6:
            t0, tid, code = fails[min(len(fails) - 1, rng.randint(2, 8))]
            tc = t0 + int(rng.uniform(5, 45) * 60)
            if tc < W.we:
                fam = CAUSE_COMPLAINT.get(f.cause, "generic")
                if code == "timeout":
                    fam = "timeout" if rng.random() < 0.7 else "generic"
                txt = rng.choice(COMPLAINT_TEXT[fam]).format(code=code)
                cseq += 1
                T = W.tmap[tid]
                frm = "customer" if fam == "timeout" and "扣" in txt else "merchant"
                rec = {"kind": "complaint", "ts": iso(tc), "complaint_id": f"C-{cseq}", "from": frm,
                       "merchant_id": T.mid, "text": txt}
                if rng.random() < 0.7:
                    rec["terminal_id"] = tid
                W.recs.append((tc, rec))
        if f.cause in CHECKS and f.end < W.we - 60 and rng.random() < 0.6 and terms:
            tk = max(f.start + 60, f.end - int(rng.uniform(0, 8) * 60))
            T = W.tmap[fails[0][1]] if fails else terms[0]
            for name, gen in CHECKS[f.cause][:rng.randint(1, 2)]:
                rec = {"kind": "check", "ts": iso(tk)}
                if "site_id" in f.scope:
                    rec["site_id"] = f.scope["site_id"]
                else:
                    rec["terminal_id"] = T.tid
                rec["name"], rec["result"] = name, gen(rng, T)
                W.recs.append((tk, rec))
                tk += int(rng.uniform(60, 300))
        if f.cause in REPAIR and f.end < W.we and rng.random() < 0.7 and terms:
            act, note = REPAIR[f.cause]
            if f.cause == "power.supply" and f.variant == "site_mains":
                continue
            if f.cause == "hardware.printer" and f.variant == "paper_out":
                act, note = "daily_check", "更换打印纸 / paper roll replaced"
            T = terms[0]
            W.recs.append((f.end, {"kind": "maintenance", "ts": iso(f.end), "terminal_id": T.tid,
                                   "action": act, "notes": note}))
    # red herrings and background people
    for _ in range(rng.randint(2, 5)):
        S = rng.choice(W.sites)
        t = int(rng.uniform(W.ws, W.we))
        W.recs.append((t, {"kind": "check", "ts": iso(t), "site_id": S.site_id,
                           "name": rng.choice(["router_restarted", "cable_seated"]), "result": "ok"}))
    for _ in range(rng.randint(3, 8)):
        T = rng.choice(W.terms)
        t = int(rng.uniform(W.ws, W.we))
        if T.battery:
            rec = {"kind": "check", "ts": iso(t), "terminal_id": T.tid, "name": "battery_health",
                   "result": f"{int(rng.uniform(70, 96))}%"}
        else:
            rec = {"kind": "check", "ts": iso(t), "terminal_id": T.tid, "name": "adapter_voltage",
                   "result": f"{T.nominal * rng.uniform(0.98, 1.04):.2f}V"}
        W.recs.append((t, rec))
    for _ in range(rng.randint(1, 4)):
        M = rng.choice(W.merchants)
        t = int(rng.uniform(W.ws, W.we))
        cseq += 1
        W.recs.append((t, {"kind": "complaint", "ts": iso(t), "complaint_id": f"C-{cseq}",
                           "from": rng.choice(["merchant", "customer"]), "merchant_id": M.mid,
                           "text": rng.choice(["手续费怎么比上个月高了", "到账时间比以前慢",
                                               "收银员操作太慢，排队很久", "想开通预授权功能"])}))


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------
def inventory(W):
    rng = random.Random(f"gen3-inv:{W.seed}")
    t0 = W.ws - 7200
    out = []
    for M in W.merchants:
        r = {"kind": "merchant", "ts": iso(t0), "merchant_id": M.mid, "name": M.name, "mcc": M.mcc,
             "city": M.city, "settlement": M.settlement, "card_rate": M.card_rate, "qr_rate": M.qr_rate}
        out.append((t0, r))
    for S in W.sites:
        out.append((t0, {"kind": "site", "ts": iso(t0), "site_id": S.site_id, "merchant_id": S.mid,
                         "name": S.name, "city": S.city, "lat": S.lat, "lon": S.lon}))
    for T in W.terms:
        r = {"kind": "terminal", "ts": iso(t0), "terminal_id": T.tid, "serial": T.serial,
             "vendor": T.vendor, "model": T.model, "firmware": T.firmware, "app_version": T.app_version,
             "merchant_id": T.mid, "site_id": T.site_id, "network": T.network}
        if T.carrier:
            r["carrier"] = T.carrier
        r["host"] = T.host
        if rng.random() < 0.93:
            r["cert_not_after"] = iso(T.cert_not_after)
        r["installed"] = T.installed
        if rng.random() < 0.04:
            del r["serial"]
        out.append((t0, r))
    return out


def generate(seed, out_dir, n_term=300, hours=6.0):
    W = build_world(seed, n_term, hours)
    W.recs, W.tevents, W.fail_log = [], [], {}
    plan_faults(W, seed)
    for T in W.terms:
        simulate(W, T)
    people(W)
    rng = random.Random(f"gen3-order:{seed}")
    recs = []
    for i, (t, rec) in enumerate(W.recs):
        r = rng.random()
        d = 0 if r < 0.965 else rng.uniform(1, 25) if r < 0.99 else rng.uniform(25, 55)
        recs.append((t + d, i, rec))
    recs.sort(key=lambda x: (x[0], x[1]))
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    with open(os.path.join(out_dir, "records.jsonl"), "w", encoding="utf-8") as fh:
        for t, rec in inventory(W):
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
        for _, _, rec in recs:
            rec.pop("_t", None)
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
    nt = 0
    with open(os.path.join(out_dir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for f in sorted(W.faults, key=lambda f: (f.start, f.fid)):
            terms = sorted(set(f.terms))
            rec = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope,
                   "terminals": terms, "start": iso(f.start), "end": iso(f.end),
                   "variant": f.variant, "severity": f.sev,
                   "failed_events": len(W.fail_log.get(f.fid, []))}
            if f.related:
                rec["related_fault"] = f.related
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
            nt += 1
        for t, te in sorted(W.tevents, key=lambda x: (x[0], x[1]["terminal_id"])):
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
            nt += 1
    return W, n, nt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--terminals", type=int, default=300)
    ap.add_argument("--hours", type=float, default=6.0)
    a = ap.parse_args(argv)
    W, n, nt = generate(a.seed, a.out, a.terminals, a.hours)
    print(f"gen3 seed={a.seed}: {len(W.terms)} terminals, {len(W.faults)} faults, "
          f"{n} records, {nt} truth lines -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
