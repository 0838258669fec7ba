#!/usr/bin/env python3
"""gen13 -- an independent fault-injection generator for a POS fleet.

Writes posdoc record format v1 (see FORMAT.md):
    python3 gen13.py --seed N --out DIR
produces DIR/records.jsonl (inventory + observations) and DIR/truth.jsonl
(one `truth` per injected fault, one `truth_event` per failed event).

Standard library only.  Everything depends on the seed alone: every random
draw comes from random.Random instances seeded with strings; no hash(), no
set iteration.
"""
import argparse
import heapq
import json
import math
import os
import random
import time
from datetime import datetime, timedelta, timezone

MIN = 60.0
HOUR = 3600.0

CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate",
    "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant",
    "upstream.acquirer", "upstream.issuer", "card.decline",
]

# --------------------------------------------------------------------------
# the world's static tables
# --------------------------------------------------------------------------

CITIES = [
    # name, area code, id prefix, tid prefix, lat, lon, districts
    ("shenzhen", "4403", "SZ", "44", 22.54, 114.06, ["福田", "南山", "罗湖", "宝安", "龙华"]),
    ("guangzhou", "4401", "GZ", "45", 23.13, 113.26, ["天河", "越秀", "海珠", "番禺"]),
    ("shanghai", "3100", "SH", "31", 31.23, 121.47, ["浦东", "徐汇", "静安", "黄浦", "闵行"]),
    ("hangzhou", "3301", "HZ", "33", 30.27, 120.15, ["西湖", "上城", "滨江", "余杭"]),
    ("chengdu", "5101", "CD", "51", 30.57, 104.07, ["锦江", "武侯", "青羊", "高新"]),
]
CITY_W = [0.28, 0.2, 0.24, 0.14, 0.14]

CARRIERS = [("cmcc", 0.55), ("unicom", 0.28), ("telecom", 0.17)]

HOSTS = {
    "H1": ("10.18.1.20", 8583, 0.40),
    "H2": ("10.18.2.31", 8583, 0.30),
    "H3": ("172.20.4.11", 5000, 0.18),
    "H4": ("172.21.9.7", 9001, 0.12),
}

# issuer -> market share, [(bin, credit, pan length)]
ISSUERS = [
    ("icbc", 0.20, [("622202", False, 19), ("621226", False, 19), ("625330", True, 16)]),
    ("ccb", 0.17, [("621700", False, 19), ("436742", True, 16), ("622280", False, 19)]),
    ("abc", 0.14, [("622848", False, 19), ("622845", False, 19), ("622836", True, 16)]),
    ("boc", 0.11, [("621661", False, 19), ("621785", False, 19), ("625907", True, 16)]),
    ("cmb", 0.10, [("622588", False, 16), ("621483", False, 16), ("439225", True, 16)]),
    ("bocom", 0.07, [("622260", False, 19), ("622262", False, 19)]),
    ("psbc", 0.07, [("621799", False, 19), ("622188", False, 19)]),
    ("cib", 0.05, [("622909", False, 18), ("622908", False, 18)]),
    ("citic", 0.05, [("622690", False, 16), ("622696", True, 16)]),
    ("spdb", 0.04, [("622521", False, 16), ("622518", True, 16)]),
]

# mcc -> label, weight, amount median (fen), amount sigma, base rate/h, diurnal profile, handheld share
MTYPES = {
    "5812": ("restaurant", 0.21, 9000, 0.7, 11, "meal", 0.6),
    "5814": ("fastfood", 0.08, 3500, 0.5, 18, "meal", 0.2),
    "5411": ("supermarket", 0.13, 8000, 0.9, 20, "noon", 0.05),
    "5311": ("department", 0.05, 45000, 0.9, 8, "afternoon", 0.2),
    "5912": ("pharmacy", 0.10, 6000, 0.8, 7, "flat", 0.1),
    "7011": ("hotel", 0.05, 60000, 0.6, 4, "hotel", 0.3),
    "5541": ("gas", 0.06, 30000, 0.4, 12, "flat", 0.1),
    "5691": ("clothing", 0.12, 35000, 0.7, 5, "afternoon", 0.3),
    "5732": ("electronics", 0.06, 150000, 0.9, 4, "afternoon", 0.2),
    "5999": ("retail", 0.14, 5000, 0.9, 6, "flat", 0.3),
}
MNAMES = {
    "5812": ["老街面馆", "川味小厨", "湘里人家", "粤海茶餐厅", "西北拉面馆", "蜀香阁", "江南小馆", "潮汕牛肉火锅", "东北饺子馆", "渔家小院"],
    "5814": ["快乐汉堡", "一品包子", "米线先生", "鲜榨果汁铺", "阿婆早点", "煎饼工坊"],
    "5411": ["惠民超市", "万家便利", "好邻居便利店", "家乐购", "鲜丰生鲜", "邻里优选"],
    "5311": ["华联商厦", "新世界百货", "东方百货", "时代广场百货"],
    "5912": ["康宁大药房", "百姓药房", "仁心药店", "济生堂药房"],
    "7011": ["锦程商务酒店", "悦来宾馆", "城市之家酒店", "云栖客栈"],
    "5541": ["顺达加油站", "通衢加油站", "路安加油站"],
    "5691": ["潮流服饰", "优衣坊", "丽人衣橱", "运动先锋", "童趣童装"],
    "5732": ["数码港", "星辰电器", "极客数码", "万象电器城"],
    "5999": ["文具小铺", "花语花店", "茗香茶庄", "书香书店", "五金杂货", "礼品小屋"],
}

# vendor -> [(model, kind, network weights, nominal supply V, battery)]
MODELS = {
    "pax": [("S80", "counter", {"ethernet": 0.7, "cellular": 0.2, "wifi": 0.1}, 12.0, False),
            ("S90", "portable", {"cellular": 0.6, "wifi": 0.25, "ethernet": 0.15}, 5.0, True),
            ("A920", "android", {"cellular": 0.55, "wifi": 0.45}, 5.0, True)],
    "newland": [("SP930", "counter", {"ethernet": 0.7, "wifi": 0.2, "cellular": 0.1}, 9.0, False),
                ("N910", "android", {"cellular": 0.6, "wifi": 0.4}, 5.0, True)],
    "landi": [("E550", "counter", {"ethernet": 0.5, "cellular": 0.5}, 9.0, False),
              ("A8", "android", {"cellular": 0.7, "wifi": 0.3}, 5.0, True)],
    "verifone": [("VX520", "counter", {"ethernet": 0.8, "cellular": 0.2}, 12.0, False),
                 ("V200c", "counter", {"ethernet": 0.6, "wifi": 0.4}, 12.0, False)],
    "sunmi": [("P2", "android", {"wifi": 0.5, "cellular": 0.5}, 5.0, True),
              ("T2", "desk", {"ethernet": 0.6, "wifi": 0.4}, 24.0, False)],
    "centerm": [("K9", "counter", {"ethernet": 0.5, "cellular": 0.5}, 9.0, False),
                ("C960", "portable", {"cellular": 0.8, "wifi": 0.2}, 5.0, True)],
    "ingenico": [("Desk3500", "counter", {"ethernet": 0.8, "wifi": 0.2}, 12.0, False),
                 ("Move5000", "portable", {"wifi": 0.4, "cellular": 0.6}, 5.0, True)],
}
VENDOR_W = [("pax", 0.22), ("newland", 0.19), ("landi", 0.14), ("sunmi", 0.14),
            ("verifone", 0.10), ("centerm", 0.10), ("ingenico", 0.11)]

# vendor configuration: log language, heartbeat period, host timeout, whether the
# TMS writes online:false rows when a heartbeat is missed, whether host declines
# are echoed as an error line, reported telemetry fields, versions
VCFG = {
    "pax": dict(lang="en", hb=120, tmo=60000, offline=True, echo=False, stage_p=1.0, log_tmo=0.9,
                fields=("online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct",
                        "power_events", "reboot", "storage_used_pct", "memory_used_pct", "key_check",
                        "printer", "app_crashes"),
                fw=[("3.2.0", 0.6), ("3.1.4", 0.3), ("3.0.9", 0.1)], fw_new="3.3.0",
                app=[("5.1.2", 0.55), ("5.0.8", 0.28), ("4.2.1", 0.17)], serial="18"),
    "newland": dict(lang="zh", hb=180, tmo=60000, offline=False, echo=True, stage_p=0.9, log_tmo=0.95,
                    fields=("online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "cpu_pct", "temp_c",
                            "memory_used_pct", "card_reader_errors", "keypad_errors", "printer"),
                    fw=[("2.8.1", 0.65), ("2.7.5", 0.35)], fw_new="2.9.0",
                    app=[("V2.4.0", 0.5), ("V2.3.6", 0.32), ("V2.1.0", 0.18)], serial="N9"),
    "landi": dict(lang="terse", hb=300, tmo=45000, offline=True, echo=False, stage_p=0.55, log_tmo=0.8,
                  fields=("online", "supply_v", "power_events", "reboot", "storage_used_pct", "cpu_pct",
                          "clock_skew_s", "printer", "rssi_dbm"),
                  fw=[("1.9.3", 0.7), ("1.8.7", 0.3)], fw_new="2.0.0",
                  app=[("3.6.1", 0.55), ("3.5.0", 0.27), ("3.2.2", 0.18)], serial="LD"),
    "verifone": dict(lang="en", hb=90, tmo=30000, offline=True, echo=False, stage_p=1.0, log_tmo=0.9,
                     fields=("online", "latency_ms", "packet_loss", "key_check", "clock_skew_s",
                             "card_reader_errors", "keypad_errors", "temp_c", "reboot", "supply_v"),
                     fw=[("24.1.0", 0.6), ("23.6.2", 0.4)], fw_new="24.2.0",
                     app=[("VX-8.2", 0.5), ("VX-8.0", 0.3), ("VX-7.4", 0.2)], serial="VF"),
    "sunmi": dict(lang="mix", hb=120, tmo=60000, offline=False, echo=True, stage_p=0.95, log_tmo=0.9,
                  fields=("online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "storage_used_pct",
                          "memory_used_pct", "cpu_pct", "app_crashes", "printer", "reboot"),
                  fw=[("3.1.2", 0.6), ("3.0.8", 0.4)], fw_new="3.2.0",
                  app=[("6.4.0", 0.5), ("6.2.3", 0.32), ("5.9.1", 0.18)], serial="V2"),
    "centerm": dict(lang="terse", hb=600, tmo=50000, offline=True, echo=False, stage_p=0.5, log_tmo=0.7,
                    fields=("online", "supply_v", "power_events", "reboot", "key_check"),
                    fw=[("1.4.2", 0.7), ("1.3.9", 0.3)], fw_new="1.5.0",
                    app=[("2.2.0", 0.5), ("2.1.5", 0.3), ("1.8.0", 0.2)], serial="CT", tz8=True),
    "ingenico": dict(lang="en", hb=240, tmo=45000, offline=False, echo=False, stage_p=0.8, log_tmo=0.85,
                     fields=("online", "rssi_dbm", "latency_ms", "battery_pct", "supply_v", "reboot",
                             "keypad_errors", "card_reader_errors", "memory_used_pct", "temp_c"),
                     fw=[("11.16.3", 0.6), ("11.14.0", 0.4)], fw_new="11.18.0",
                     app=[("4.7.2", 0.5), ("4.5.0", 0.3), ("4.1.8", 0.2)], serial="IG"),
}

# --------------------------------------------------------------------------
# error conditions, per-vendor code tables, log texts
# --------------------------------------------------------------------------

COND_STAGE = {
    "conn": "connect", "conn_refused": "connect", "send": "send", "recv_to": "receive", "tls_to": "tls",
    "tls_expired": "tls", "tls_notyet": "tls", "tls_proto": "tls", "tls_bad": "tls",
    "mac": "mac", "key_missing": "mac",
    "ic_fail": "card_read", "msr_fail": "card_read", "nfc_fail": "card_read", "wrong_insert": "card_read",
    "pin_timeout": "pin", "key_stuck": "pin", "paper_out": "print", "prn_fault": "print",
    "selftest": "power_on", "low_volt": "power_on", "low_batt": "power_on", "power_recover": "power_on",
    "tamper": "power_on", "sensor": "power_on",
    "storage_full": "app", "oom": "app", "crash": "app", "slow": "app", "display": "app",
    "format": "receive", "cancel": "app", "no_orig": "app", "op_pwd": "app",
}

_NET = ["conn", "conn_refused", "send"]
_TLS = ["tls_expired", "tls_notyet", "tls_proto", "tls_bad", "tls_to"]
_CARD = ["ic_fail", "msr_fail", "nfc_fail", "wrong_insert"]
_PRN = ["paper_out", "prn_fault"]
_PIN = ["pin_timeout", "key_stuck"]
_RES = ["storage_full", "oom", "crash", "slow"]
_PWR = ["low_volt", "low_batt", "power_recover"]
_OP = ["cancel", "no_orig", "op_pwd"]

# The same code means different things on different vendors (E1 especially).
VENDOR_CODES = {
    "pax": {"E1": _NET + ["recv_to", "format"], "E2": _TLS, "E3": ["mac", "key_missing"], "E4": _CARD,
            "E5": _PRN, "E6": _PIN, "E7": _RES, "E8": _PWR + ["selftest"],
            "E9": ["display", "tamper", "sensor"], "E0": _OP},
    "newland": {"E1": ["tamper", "sensor", "key_missing", "storage_full", "selftest", "display"],
                "E2": _NET, "E3": ["recv_to", "format"], "E4": _TLS + ["mac"], "E5": _CARD, "E6": _PRN,
                "E7": _PIN, "E8": _PWR, "E9": ["oom", "crash", "slow"], "E0": _OP},
    "landi": {"E1": ["selftest", "low_volt", "power_recover", "tamper", "sensor", "display", "low_batt"],
              "E2": _CARD, "E3": _NET + ["recv_to"], "E4": _TLS + ["mac", "key_missing"], "E5": _PRN,
              "E6": _PIN, "E7": _RES, "E8": ["format"], "E0": _OP},
    "verifone": {"E1": _TLS + ["mac", "key_missing"], "E2": _NET, "E3": ["recv_to"], "E4": _CARD, "E5": _PRN,
                 "E6": _PIN, "E7": _RES, "E8": _PWR, "E9": ["selftest", "tamper", "sensor", "display"],
                 "E11": ["format"], "E0": _OP},
    "sunmi": {"E1": ["crash", "oom", "storage_full", "slow"], "E2": _NET + ["recv_to"],
              "E3": _TLS + ["mac", "key_missing"], "E4": _CARD, "E5": _PRN, "E6": _PIN + ["display"],
              "E7": _PWR, "E8": ["selftest", "tamper", "sensor"], "E9": ["format"], "E0": _OP},
    "centerm": {"E1": ["mac", "key_missing", "tamper"], "E2": ["recv_to"], "E3": _NET, "E4": _TLS,
                "E5": _CARD, "E6": _PRN, "E7": _PWR + ["selftest"], "E8": _RES,
                "E9": ["display", "sensor"] + _PIN, "E10": ["format"], "E0": _OP},
    "ingenico": {"E1": _CARD, "E2": _NET, "E3": ["recv_to", "format"], "E4": _PRN, "E5": _TLS + ["mac", "key_missing"],
                 "E6": _PIN, "E7": _RES, "E8": _PWR, "E9": ["selftest", "tamper", "sensor", "display"], "E0": _OP},
}
COND_CODE = {v: {c: code for code, cs in tab.items() for c in cs} for v, tab in VENDOR_CODES.items()}

T_EN = {
    "conn": ["connect {host} failed: errno=113 No route to host", "socket connect to {host} timed out after {ms}ms"],
    "conn/gw": ["connect {host} failed: gateway {gw} unreachable (no ARP reply)", "DHCP renew failed, no lease; network down"],
    "conn/link": ["eth0: link down (no carrier)", "network interface down, cable or switch port?"],
    "conn/wlan": ["wlan0: AP '{ssid}' not found, association failed", "wifi disconnected: beacon timeout"],
    "conn/pdp": ["PDP context activation failed, cause #{pdp}", "modem registered (csq {csq2}) but data attach rejected"],
    "conn/weak": ["modem csq={csq}, connect {host} failed", "radio link lost during connect, rssi {rssi}dBm"],
    "conn/wweak": ["wlan0: rssi {rssi}dBm, association lost", "wifi link unstable (rssi {rssi}dBm), connect {host} failed"],
    "conn/board": ["modem not responding to AT commands", "comm module reset during connect"],
    "conn_refused": ["connect {host} refused: errno=111", "TCP RST received from {host}"],
    "conn_refused/cfg": ["connect {badhost} refused: errno=111", "connect {badhost} timed out after {ms}ms"],
    "send": ["send failed: errno=32 Broken pipe", "socket write timeout"],
    "recv_to": ["no response from host within {sec}s (stan {stan}), reversal queued", "receive timeout, stan {stan}"],
    "tls_to": ["TLS handshake with {host} timed out"],
    "tls_expired": ["TLS alert 45 certificate_expired: client cert notAfter {exp}", "handshake failed: terminal certificate expired"],
    "tls_notyet": ["X509 verify error 9: certificate is not yet valid (local time {local})", "server certificate not yet valid, check clock"],
    "tls_proto": ["TLS alert 70 protocol_version (client offered TLSv1.0)", "handshake failure: no shared cipher suite"],
    "tls_bad": ["TLS record error: bad_record_mac, session aborted", "SSL_read failed (-1), alert decrypt_error"],
    "mac": ["response MAC mismatch (stan {stan})", "host returned A0: MAC check failed"],
    "key_missing": ["working key slot {slot} empty, please sign on", "PED: TPK/TAK not loaded"],
    "ic_fail": ["ICC power-up failed: no ATR", "chip read error SW=6F00", "ICC communication error, retry"],
    "ic_fail/board": ["card reader not responding (SAM bus error)"],
    "msr_fail": ["MSR read error: track2 LRC", "swipe unreadable, please retry"],
    "nfc_fail": ["CTLS: no card detected (field off)", "contactless read timeout", "CTLS carrier lost"],
    "wrong_insert": ["card inserted incorrectly, chip not detected", "chip card must be inserted, swipe refused"],
    "pin_timeout": ["PIN entry timeout ({sec}s)", "PED input timeout"],
    "key_stuck": ["keypad: key '{key}' stuck", "PED keyscan error, key matrix fault"],
    "paper_out": ["printer: paper out", "PRN status 0x02 no paper"],
    "prn_fault": ["printer: head overheat", "printer cutter jam", "printer not ready (status 0x{hex})"],
    "prn_fault/bug": ["print job failed: font id 0x{hex} not found", "receipt template render error"],
    "selftest": ["power-on self test failed: {part}", "POST warning: {part}"],
    "low_volt": ["supply voltage low {v}V at boot", "brown-out reset detected ({v}V)"],
    "low_batt": ["battery {batt}%: transaction refused, please charge", "battery critically low ({batt}%)"],
    "power_recover": ["power lost during transaction stan {stan}, reversal queued", "unexpected shutdown detected, pending reversal"],
    "tamper": ["SECURITY: tamper switch triggered, keys erased", "tamper detected (sensor {n})"],
    "sensor": ["board temperature {temp}C over limit", "board sensor fault: {part}"],
    "storage_full": ["journal write failed: No space left on device", "flash {pct}% used, cannot save transaction"],
    "oom": ["OutOfMemoryError: failed to allocate {kb}KB", "heap exhausted, task aborted"],
    "crash": ["app crashed (SIGSEGV) in {mod}", "fatal exception in main thread, restarting app"],
    "slow": ["local processing timeout ({ms}ms)", "UI task blocked {ms}ms, watchdog warning"],
    "display": ["LCD controller not responding", "display init error 0x{hex}"],
    "format": ["unpack error: field {fld} length mismatch", "response bitmap invalid, discarded"],
    "cancel": ["cancelled by operator", "transaction cancelled (key CANCEL)"],
    "no_orig": ["original transaction not found (trace {stan})"],
    "op_pwd": ["supervisor password incorrect"],
}
T_ZH = {
    "conn": ["连接主机{host}失败：网络不可达", "连接主机超时({ms}ms)"],
    "conn/gw": ["网关{gw}无响应，无法连接主机", "获取IP地址失败(DHCP)"],
    "conn/link": ["以太网链路断开", "网线未连接或交换机端口故障"],
    "conn/wlan": ["无法连接WiFi热点{ssid}", "WiFi连接断开"],
    "conn/pdp": ["PDP激活失败(原因{pdp})", "无线拨号失败，请检查SIM卡"],
    "conn/weak": ["信号弱(CSQ={csq})，连接失败", "无线信号中断"],
    "conn/wweak": ["WiFi信号弱({rssi}dBm)，连接断开", "WiFi连接不稳定，连接主机失败"],
    "conn/board": ["通讯模块无响应", "通讯模块异常复位"],
    "conn_refused": ["主机{host}拒绝连接", "连接被主机重置"],
    "conn_refused/cfg": ["主机{badhost}拒绝连接", "连接{badhost}超时"],
    "send": ["发送数据失败", "发送超时"],
    "recv_to": ["接收超时，流水号{stan}，已生成冲正", "接收超时"],
    "tls_to": ["SSL握手超时"],
    "tls_expired": ["终端证书已过期({exp})", "SSL握手失败：证书过期"],
    "tls_notyet": ["证书尚未生效，请检查系统时间({local})", "SSL证书校验失败：时间无效"],
    "tls_proto": ["SSL握手失败：协议版本不支持", "SSL握手失败：无共同加密套件"],
    "tls_bad": ["SSL读取错误：记录MAC错误", "SSL会话异常中断"],
    "mac": ["MAC校验错(流水号{stan})", "响应报文MAC校验失败"],
    "key_missing": ["工作密钥不存在，请重新签到", "密钥丢失"],
    "ic_fail": ["读IC卡失败，请重新插卡", "IC卡上电失败", "芯片卡通讯错误"],
    "ic_fail/board": ["读卡模块无响应"],
    "msr_fail": ["读磁条卡失败，请重新刷卡", "磁道数据错误"],
    "nfc_fail": ["非接读卡失败", "未检测到非接卡片", "非接卡通讯超时"],
    "wrong_insert": ["请正确插卡", "芯片卡请插卡交易"],
    "pin_timeout": ["密码输入超时", "输入密码超时，交易取消"],
    "key_stuck": ["按键{key}异常", "键盘扫描错误"],
    "paper_out": ["打印机缺纸", "请装纸"],
    "prn_fault": ["打印机过热", "打印机故障", "切纸刀卡纸"],
    "prn_fault/bug": ["打印失败：字库错误", "小票模板解析错误"],
    "selftest": ["开机自检失败：{partzh}", "自检异常：{partzh}"],
    "low_volt": ["电源电压低({v}V)", "检测到掉电复位"],
    "low_batt": ["电量低({batt}%)，请充电后交易", "电池电量不足"],
    "power_recover": ["上次交易异常断电(流水号{stan})，发起冲正", "检测到异常关机"],
    "tamper": ["安全触发，密钥已清除", "终端被锁定：安全模块触发"],
    "sensor": ["温度过高({temp}℃)", "传感器异常：{partzh}"],
    "storage_full": ["存储空间不足，流水保存失败", "存储已满({pct}%)"],
    "oom": ["内存不足，交易中断", "系统内存不足"],
    "crash": ["应用异常退出", "程序崩溃，正在重启"],
    "slow": ["处理超时", "系统繁忙，请稍后"],
    "display": ["显示屏故障", "屏幕初始化失败"],
    "format": ["报文解包错误：域{fld}长度错", "响应报文格式错误"],
    "cancel": ["交易已取消", "操作员取消"],
    "no_orig": ["原交易不存在(凭证号{stan})"],
    "op_pwd": ["主管密码错误"],
}
T_TERSE = {
    "conn": ["CONN FAIL 113", "CONN TMO"], "conn/gw": ["NET GW DOWN", "DHCP FAIL"],
    "conn/link": ["ETH LINK DOWN"], "conn/wlan": ["WLAN ASSOC FAIL"], "conn/pdp": ["PDP REJ {pdp}", "PPP FAIL"],
    "conn/weak": ["CSQ {csq} CONN FAIL"], "conn/wweak": ["WLAN RSSI {rssi}"], "conn/board": ["MDM NO RESP"],
    "conn_refused": ["CONN RST 111"], "conn_refused/cfg": ["CONN RST {badhost}"],
    "send": ["TX FAIL 32"], "recv_to": ["RX TMO {sec}S T{stan}"], "tls_to": ["SSL HS TMO"],
    "tls_expired": ["SSL CERT EXP"], "tls_notyet": ["SSL CERT NYV"], "tls_proto": ["SSL ALERT 70"],
    "tls_bad": ["SSL ALERT 20"], "mac": ["MAC ERR T{stan}"], "key_missing": ["KEY NONE {slot}"],
    "ic_fail": ["ICC ATR FAIL", "ICC 6F00"], "ic_fail/board": ["ICC BUS ERR"], "msr_fail": ["MSR LRC"],
    "nfc_fail": ["CL NO CARD", "CL TMO"], "wrong_insert": ["ICC NOT IN"], "pin_timeout": ["PIN TMO"],
    "key_stuck": ["KBD {key} STUCK"], "paper_out": ["PRN NO PAPER"], "prn_fault": ["PRN HOT", "PRN ERR {hex}"],
    "prn_fault/bug": ["PRN FONT {hex}"], "selftest": ["POST FAIL {partc}"], "low_volt": ["PWR LOW {v}V", "BOR RST"],
    "low_batt": ["BAT LOW {batt}"], "power_recover": ["PWR LOST T{stan} REV"], "tamper": ["TAMPER {n}"],
    "sensor": ["TEMP {temp}C"], "storage_full": ["FS FULL {pct}"], "oom": ["MEM FULL"], "crash": ["APP ABORT {sig}"],
    "slow": ["PROC TMO"], "display": ["LCD ERR"], "format": ["UNPACK F{fld}"], "cancel": ["USER CANCEL"],
    "no_orig": ["NO ORIG T{stan}"], "op_pwd": ["PWD ERR"],
}
TEXTS = {"en": T_EN, "zh": T_ZH, "terse": T_TERSE}

RC_TEXT = {
    "00": ("approved", "交易成功"), "03": ("invalid merchant", "无效商户"), "05": ("do not honor", "不予承兑"),
    "12": ("invalid transaction", "无效交易"), "13": ("invalid amount", "无效金额"),
    "14": ("invalid card number", "无效卡号"), "25": ("original not found", "找不到原始交易"),
    "30": ("format error", "报文格式错误"), "34": ("suspected fraud", "有作弊嫌疑"),
    "40": ("function not supported", "请求的功能尚不支持"), "41": ("lost card", "挂失卡"),
    "51": ("insufficient funds", "余额不足"), "54": ("expired card", "过期卡"), "55": ("incorrect PIN", "密码错"),
    "57": ("not permitted to cardholder", "不允许持卡人进行的交易"),
    "58": ("not permitted to terminal", "不允许终端进行的交易"), "59": ("suspected fraud", "有作弊嫌疑"),
    "61": ("exceeds amount limit", "超出金额限制"), "62": ("restricted card", "受限制的卡"),
    "64": ("original amount incorrect", "原始金额不正确"), "65": ("exceeds frequency limit", "超出次数限制"),
    "75": ("PIN tries exceeded", "密码错误次数超限"), "91": ("issuer inoperative", "发卡方状态不正常"),
    "96": ("system malfunction", "系统异常"), "97": ("terminal not registered", "终端号未登记"),
    "98": ("issuer no response", "银联收不到发卡行应答"), "A0": ("MAC verify failed", "MAC校验错"),
}
DECLINE_RC = [("51", 40), ("55", 24), ("05", 10), ("54", 8), ("14", 5), ("62", 4), ("75", 3), ("41", 2)]

PARTS = [("RTC", "时钟", "RTC"), ("flash", "存储器", "FLS"), ("SAM slot", "SAM卡座", "SAM"),
         ("audio", "蜂鸣器", "BZR"), ("touch panel", "触摸屏", "TP")]


def wchoice(rng, pairs):
    tot = sum(w for _, w in pairs)
    x = rng.random() * tot
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def vol(terms):
    """expected customer volume of a group of terminals (for choosing fault targets)"""
    return sum(t.merchant.rate * t.busy for t in terms)


def wpick(rng, items, weight):
    return wchoice(rng, [(x, max(0.01, weight(x))) for x in items])


def clamp(x, a, b):
    return a if x < a else b if x > b else x


_TS_CACHE = {}


def fmt_ts(t, tz8=False):
    k = (int(t), tz8)
    s = _TS_CACHE.get(k)
    if s is None:
        if tz8:
            s = datetime.fromtimestamp(int(t), timezone(timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        else:
            s = datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        _TS_CACHE[k] = s
    return s


# --------------------------------------------------------------------------
# entities
# --------------------------------------------------------------------------

class Merchant:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.sites = []
        self.terms = []
        self.flags = {}


class Site:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.terms = []


class Term:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.faults = []
        self.downs = []          # [start, end, reason, fault, cond, stan]
        self.ev = {"power_events": [], "app_crashes": [], "keypad_errors": [], "card_reader_errors": []}
        self.fw_changes = []     # (t, firmware|None, app|None)
        self.busy_until = 0.0
        self.fail_secs = set()
        self.approved = []
        self.preauths = []
        self.txn_times = []
        self.injected = []
        self.mains_off = []
        self.batt_series = None
        self.tmo_override = None
        self.fail_streak = 0
        self.avoid_until = 0.0

    def next_stan(self):
        self.stan = self.stan + 1 if self.stan < 999999 else 1
        return "%06d" % self.stan

    def is_down(self, t):
        for d in self.downs:
            if d[0] <= t < d[1]:
                return d
        return None

    def down_between(self, a, b):
        best = None
        for d in self.downs:
            if a < d[0] <= b and (best is None or d[0] < best[0]):
                best = d
        return best

    def add_down(self, start, dur, reason, fault, cond=None, stan=None):
        d = [start, start + dur, reason, fault, cond, stan]
        self.downs.append(d)
        return d

    def fw_at(self, t):
        fw, app = self.firmware, self.app_version
        for (tc, f, a) in self.fw_changes:
            if tc <= t:
                fw = f or fw
                app = a or app
        return fw, app


class Out:
    __slots__ = ("kind", "fault", "cond", "hint", "rc", "extra")

    def __init__(self, kind, fault, cond=None, hint=None, rc=None, extra=None):
        self.kind, self.fault, self.cond, self.hint, self.rc, self.extra = kind, fault, cond, hint, rc, extra


class NS:
    __slots__ = ("up", "loss", "floss", "rtt", "rssi", "blame", "hint", "imp", "extra")

    def __init__(self, rtt, rssi, loss):
        self.up, self.loss, self.floss, self.rtt, self.rssi = True, loss, 0.0, rtt, rssi
        self.blame, self.hint, self.imp, self.extra = None, None, 0.0, None

    def hurt(self, f, loss=0.0, rtt=0.0, down=False, hint=None, extra=None):
        imp = (2.0 if down else 0.0) + loss + rtt / 4000.0
        if down:
            self.up = False
        if loss:
            self.floss = 1 - (1 - self.floss) * (1 - loss)
            self.loss = 1 - (1 - self.loss) * (1 - loss)
        self.rtt += rtt
        if imp > self.imp:
            self.imp, self.blame, self.hint, self.extra = imp, f, hint, extra


class Res:
    __slots__ = ("kind", "t", "out", "print_err", "rc")

    def __init__(self, kind, t, out=None, rc=None):
        self.kind, self.t, self.out, self.print_err, self.rc = kind, t, out, False, rc


# --------------------------------------------------------------------------
# faults
# --------------------------------------------------------------------------

class Fault:
    cause = None
    stages = ()
    prio = 50

    def __init__(self, sim, fid, variant=""):
        self.sim = sim
        self.fid = fid
        self.rng = random.Random("gen13:%s:%s" % (sim.seed, fid))
        self.scope = {}
        self.tids = []
        self.start = sim.W0
        self.end = sim.W1
        self.variant = variant
        self.detail = ""
        self.hit = {}
        self.use_hit = False

    def attach(self, terms):
        for t in terms:
            if self not in t.faults:
                t.faults.append(self)
        self.tids = [t.tid for t in terms]
        self.terms = list(terms)

    def on(self, t):
        return self.start <= t < self.end

    def E(self, cond, hint=None, extra=None):
        return Out("err", self, cond=cond, hint=hint, extra=extra)

    def R(self, rc, cond=None):
        return Out("rc", self, rc=rc, cond=cond)

    def setup(self):
        pass

    def net(self, term, t, ns):
        pass

    def stage(self, st, term, t, ctx):
        return None

    def telem(self, term, t, s):
        pass

    def rate(self, term, t):
        return 1.0

    def aftermath(self):
        return []

    # helpers for aftermath records
    def rec_check(self, t, target, name, result):
        r = {"kind": "check", "name": name, "result": result}
        r.update(target)
        return (t, r)

    def rec_maint(self, t, tid, action, notes=None):
        r = {"kind": "maintenance", "terminal_id": tid, "action": action}
        if notes:
            r["notes"] = notes
        return (t, r)

    def rec_resolution(self, t, target, notes):
        r = {"kind": "resolution", "cause": self.cause, "notes": notes}
        r.update(target)
        return (t, r)

    def rec_complaint(self, t, merchant, text, tid=None, frm="merchant"):
        r = {"kind": "complaint", "complaint_id": self.sim.next_complaint_id(), "from": frm,
             "merchant_id": merchant.mid, "text": text}
        if tid:
            r["terminal_id"] = tid
        return (t, r)


class BgOperator(Fault):
    """ordinary cashier mistakes anywhere in the fleet (fault_id null)"""
    cause = "operator.error"
    stages = ("entry", "card_read", "host")
    prio = 8

    def __init__(self, sim):
        Fault.__init__(self, sim, "bg-op")
        self.fid = None

    def stage(self, st, term, t, ctx):
        rng = term.rng
        if st == "entry":
            if ctx["type"] in ("purchase", "refund") and rng.random() < 0.0035:
                return self.E("cancel")
            if ctx["type"] == "void" and rng.random() < 0.04:
                ctx["op_mistake"] = ("void_noorig", self)
            if ctx["type"] == "void" and rng.random() < 0.03:
                return self.E("op_pwd")
        elif st == "card_read":
            if ctx["channel"] == "card_swipe" and ctx.get("card") and not ctx.get("fallback") \
                    and rng.random() < 0.06:
                return self.E("wrong_insert")
            if ctx["channel"] == "card_ic" and rng.random() < 0.004:
                return self.E("wrong_insert")
        elif st == "host":
            m = ctx.get("op_mistake")
            if m and m[1] is self and m[0] == "void_noorig":
                return self.R("25")
        return None


class BgDecline(Fault):
    """ordinary issuer declines (fault_id null)"""
    cause = "card.decline"
    stages = ("host",)
    prio = 99

    def __init__(self, sim):
        Fault.__init__(self, sim, "bg-dec")
        self.fid = None

    def stage(self, st, term, t, ctx):
        if ctx["type"] in ("reversal", "void"):
            return None
        rng = term.rng
        if ctx.get("card"):
            p = 0.034 if ctx["type"] != "completion" else 0.008
            if ctx["amount"] > 200000:
                p += 0.03
            if rng.random() < p:
                return self.R(wchoice(rng, DECLINE_RC))
        elif ctx["channel"] == "qr" and rng.random() < 0.006:
            return self.R("51")
        return None


# ----- power -------------------------------------------------------------

class PowerSite(Fault):
    cause = "power.supply"
    stages = ("card_read",)

    def __init__(self, sim, fid, site, start, end):
        Fault.__init__(self, sim, fid, "site_mains")
        self.site, self.start, self.end = site, start, end
        self.scope = {"site_id": site.sid}
        self.detail = "unstable mains at the site: sags, short outages and surges; router on the same circuit"

    def setup(self):
        rng = self.rng
        self.attach(self.site.terms)
        eps = []
        gap = rng.uniform(200, 480)
        t = self.start + rng.uniform(0, 90)
        while t < self.end:
            k = wchoice(rng, [("sag", 0.5), ("outage", 0.3), ("surge", 0.2)])
            dur = {"sag": rng.uniform(2, 25), "outage": rng.uniform(5, 150), "surge": rng.uniform(1, 4)}[k]
            f = {"sag": rng.uniform(0.55, 0.82), "outage": 0.0, "surge": rng.uniform(1.15, 1.32)}[k]
            eps.append((t, min(t + dur, self.end), k, f))
            t += dur + rng.expovariate(1.0 / gap)
        self.eps = eps
        self.router_down = []
        for (a, b, k, f) in eps:
            if k == "outage" or (k == "sag" and f < 0.68 and rng.random() < 0.5):
                self.router_down.append((a, b + rng.uniform(60, 150)))
        for term in self.site.terms:
            for (a, b, k, f) in eps:
                term.ev["power_events"].append(a + rng.uniform(0, 1))
                if k == "sag" and rng.random() < 0.3:
                    term.ev["power_events"].append(a + rng.uniform(1, 3))
                if not term.battery:
                    if k == "outage" or (k == "sag" and f < 0.75 and rng.random() < 0.7) or \
                            (k == "surge" and rng.random() < 0.15):
                        reason = "power_loss" if k != "surge" else "crash"
                        cond = wchoice(rng, [(None, 0.35), ("low_volt", 0.35), ("selftest", 0.3)])
                        term.add_down(a, (b - a) + rng.uniform(40, 90), reason, self, cond)
                elif k == "outage":
                    term.mains_off.append((a, b))
        self.damaged = {}
        surges = [e for e in eps if e[2] == "surge"]
        cands = [t for t in self.site.terms if not t.battery]
        if surges and cands and rng.random() < 0.6:
            self.damaged[rng.choice(cands).tid] = surges[0][0]

    def net(self, term, t, ns):
        if term.network != "cellular":
            for a, b in self.router_down:
                if a <= t < b:
                    ns.hurt(self, down=True, hint="gw")
                    return

    def stage(self, st, term, t, ctx):
        d = self.damaged.get(term.tid)
        if d is not None and self.on(t) and t >= d and ctx["channel"] in ("card_ic", "nfc") and term.rng.random() < 0.35:
            term.ev["card_reader_errors"].append(t)
            return self.E("ic_fail" if ctx["channel"] == "card_ic" else "nfc_fail")
        return None

    def telem(self, term, t, s):
        if not self.on(t) or s.get("supply_v") is None:
            return
        rng = term.rng
        nom = term.nominal
        for a, b, k, f in self.eps:
            if a - 5 <= t <= b + 20:
                s["supply_v"] = round(nom * f * rng.uniform(0.97, 1.03), 2)
                return
        if rng.random() < 0.3:
            s["supply_v"] = round(nom * rng.uniform(0.76, 0.9), 2)
        else:
            s["supply_v"] = round(nom * (1 + rng.gauss(0, 0.04)), 2)

    def aftermath(self):
        rng = self.rng
        out = []
        m = self.site.merchant
        term = rng.choice(self.site.terms)
        code = self.sim.code_for(term.vendor, "low_volt")
        tc = self.start + rng.uniform(12, 40) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, m, rng.choice([
                "%s 今天下午店里几台POS机反复重启，一直报%s，顾客付不了款" % (self.site.name, code),
                "收银台POS机时不时黑屏重启，屏幕显示%s，请尽快处理" % code,
                "All terminals at %s keep restarting and show %s" % (self.site.name, code)]), term.tid))
        tr = self.start + rng.uniform(20, 50) * MIN
        if tr < self.end and rng.random() < 0.6:
            out.append(self.rec_check(tr, {"site_id": self.site.sid}, "router_restarted", "ok"))
        if self.end < self.sim.W1:
            t2 = self.end - rng.uniform(2, 10) * MIN
            nt = [x for x in self.site.terms if not x.battery] or self.site.terms
            out.append(self.rec_check(t2, {"terminal_id": rng.choice(nt).tid}, "adapter_voltage",
                                      "%.1fV" % (nt[0].nominal * rng.uniform(0.7, 0.85))))
            out.append(self.rec_check(self.end + 60, {"site_id": self.site.sid}, "mains_stabilizer_installed", "ok"))
            if rng.random() < 0.65:
                out.append(self.rec_resolution(self.end + rng.uniform(5, 25) * MIN, {"site_id": self.site.sid},
                                               rng.choice(["市电电压不稳，加装稳压电源/UPS后恢复",
                                                           "mains voltage unstable; UPS installed, terminals stable"])))
        return out


class PowerAdapter(Fault):
    cause = "power.supply"
    stages = ("print",)

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "adapter")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "failing power adapter: low output voltage, brown-out resets under load (printing)"

    def setup(self):
        rng = self.rng
        self.attach([self.term])
        t = self.start + rng.uniform(3, 15) * MIN
        while t < self.end:
            self.term.ev["power_events"].append(t)
            self.term.add_down(t, rng.uniform(40, 80), "power_loss", self,
                               wchoice(rng, [(None, 0.4), ("low_volt", 0.6)]))
            t += rng.uniform(15, 50) * MIN

    def stage(self, st, term, t, ctx):
        if self.on(t) and term.rng.random() < 0.3:
            term.ev["power_events"].append(t)
            return Out("reboot", self, cond="low_volt")
        return None

    def telem(self, term, t, s):
        if self.on(t) and s.get("supply_v") is not None:
            s["supply_v"] = round(term.nominal * term.rng.uniform(0.76, 0.88), 2)

    def aftermath(self):
        out = []
        rng = self.rng
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 120, {"terminal_id": self.term.tid}, "adapter_voltage",
                                      "%.1fV" % (self.term.nominal * rng.uniform(0.78, 0.86))))
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced",
                                      rng.choice(["更换电源适配器", "replaced power adapter"])))
            if rng.random() < 0.6:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid},
                                               "电源适配器输出电压偏低，更换后恢复"))
        return out


class BatteryWorn(Fault):
    cause = "power.battery"
    stages = ("local",)

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "worn_battery")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "worn battery: fast drain and sudden shutdowns off the cradle"

    def setup(self):
        rng = self.rng
        term = self.term
        self.attach([term])
        n = int((self.end - self.start) // 60) + 2
        self.pct = []
        self.dock = []
        pct = rng.uniform(35, 60)
        docked = False
        left = rng.uniform(8, 20)
        dead_until = None
        for i in range(n):
            t = self.start + i * 60
            if dead_until is not None and t >= dead_until:
                dead_until = None
            left -= 1
            if left <= 0:
                docked = not docked
                left = rng.uniform(4, 14) if docked else rng.uniform(8, 25)
            if docked:
                pct = min(100, pct + rng.uniform(1.5, 3.0))
                if dead_until is not None:
                    # back on the cradle: boots after ~40 s
                    for d in term.downs:
                        if d[3] is self and d[1] > t + 40:
                            d[1] = t + 40
                    dead_until = None
            else:
                pct = max(0, pct - rng.uniform(1.0, 2.2))
                if dead_until is None and (pct < 5 or (pct < 24 and rng.random() < 0.12)):
                    dead_until = t + 4 * HOUR
                    term.add_down(t, 4 * HOUR, "power_loss", self,
                                  wchoice(rng, [(None, 0.5), ("low_batt", 0.5)]))
                    pct = 0
            self.pct.append(pct)
            self.dock.append(docked)
        # clip shutdowns at the end of the fault (battery swapped)
        for d in term.downs:
            if d[3] is self and d[1] > self.end + 40:
                d[1] = max(d[0] + 40, self.end + 40)

    def _i(self, t):
        return clamp(int((t - self.start) // 60), 0, len(self.pct) - 1)

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        i = self._i(t)
        if not self.dock[i] and self.pct[i] < 12 and term.rng.random() < 0.8:
            return self.E("low_batt", extra={"batt": int(self.pct[i])})
        return None

    def telem(self, term, t, s):
        if self.on(t):
            i = self._i(t)
            p = self.pct[i]
            if term.rng.random() < 0.25:
                p = clamp(p + term.rng.choice([-1, 1]) * term.rng.uniform(12, 30), 1, 100)
            s["battery_pct"] = int(p)
            if not self.dock[i]:
                s["supply_v"] = None

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 300, {"terminal_id": self.term.tid}, "battery_health",
                                      "%d%%" % self.rng.randint(28, 45)))
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced", "更换电池 / battery replaced"))
            if self.rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 600, {"terminal_id": self.term.tid},
                                               "电池老化，离座后很快关机；已更换电池"))
        tc = self.start + self.rng.uniform(30, 90) * MIN
        if tc < self.end and self.rng.random() < 0.5:
            out.append(self.rec_complaint(tc, self.term.merchant,
                                          "手持POS机拿到桌边结账经常自己关机", self.term.tid))
        return out


# ----- network -----------------------------------------------------------

class WeakSignal(Fault):
    cause = "network.signal"

    def __init__(self, sim, fid, term, start, end, why="position"):
        Fault.__init__(self, sim, fid, why)
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "weak %s signal at the terminal (%s)" % (
            "cellular" if term.network == "cellular" else "Wi-Fi", why)

    def setup(self):
        rng = self.rng
        self.attach([self.term])
        n = int((self.end - self.start) // 60) + 2
        cell = self.term.network == "cellular"
        c = rng.uniform(-110, -104) if cell else rng.uniform(-86, -80)
        x = 0.0
        self.rs = []
        for i in range(n):
            x = 0.85 * x + rng.gauss(0, 3.0)
            self.rs.append(c + x)

    def net(self, term, t, ns):
        if not self.on(t):
            return
        r = self.rs[clamp(int((t - self.start) // 60), 0, len(self.rs) - 1)]
        ns.rssi = r
        if term.network == "cellular":
            loss = clamp((-r - 97) / 22.0, 0, 0.85)
            down = r < -113
            rtt = max(0.0, (-r - 95)) * 45
        else:
            loss = clamp((-r - 75) / 16.0, 0, 0.85)
            down = r < -89
            rtt = max(0.0, (-r - 72)) * 30
        csq = int(clamp((r + 113) // 2, 0, 31))
        ns.hurt(self, loss=loss, rtt=rtt, down=down, hint="weak" if term.network == "cellular" else "wweak",
                extra={"rssi": int(r), "csq": csq})

    def aftermath(self):
        out = []
        rng = self.rng
        tc = self.start + rng.uniform(20, 60) * MIN
        if tc < self.end:
            out.append(self.rec_check(tc, {"terminal_id": self.term.tid}, "signal_test",
                                      "%ddBm" % int(self.rs[min(len(self.rs) - 1, int((tc - self.start) // 60))])))
        if self.end < self.sim.W1:
            out.append(self.rec_maint(self.end, self.term.tid, "repair",
                                      rng.choice(["加装外置天线", "moved terminal near the window",
                                                  "终端移至靠近路由器的位置"])))
            if rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid},
                                               "收银台位置信号弱，调整位置后恢复"))
        return out


class LanFault(Fault):
    cause = "network.lan"

    def __init__(self, sim, fid, site, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.site, self.start, self.end = site, start, end
        self.scope = {"site_id": site.sid}
        self.nets = {"router": ("ethernet", "wifi"), "ap": ("wifi",), "switch": ("ethernet",)}[variant]
        self.hint = {"router": "gw", "ap": "wlan", "switch": "link"}[variant]
        self.detail = {"router": "site router hanging / rebooting", "ap": "Wi-Fi access point failing",
                       "switch": "site switch / cabling failing"}[variant]

    def setup(self):
        rng = self.rng
        terms = [t for t in self.site.terms if t.network in self.nets]
        self.attach(terms)
        segs = []
        t = self.start
        mode = "degr"
        while t < self.end:
            dur = {"down": rng.uniform(60, 420), "degr": rng.uniform(120, 700), "ok": rng.uniform(60, 300)}[mode]
            segs.append((t, min(self.end, t + dur), mode, rng.uniform(0.12, 0.5), rng.uniform(300, 2600)))
            t += dur
            mode = wchoice(rng, [("down", 0.45), ("degr", 0.4), ("ok", 0.15)]) if mode != "down" else \
                wchoice(rng, [("degr", 0.6), ("ok", 0.4)])
        self.segs = segs

    def net(self, term, t, ns):
        if not self.on(t) or term.network not in self.nets:
            return
        for a, b, mode, loss, rtt in self.segs:
            if a <= t < b:
                if mode == "down":
                    if self.variant == "ap":
                        ns.rssi = None
                    ns.hurt(self, down=True, hint=self.hint)
                elif mode == "degr":
                    ns.hurt(self, loss=loss, rtt=rtt, hint=self.hint)
                return

    def aftermath(self):
        out = []
        rng = self.rng
        m = self.site.merchant
        if self.terms:
            term = rng.choice(self.terms)
            tc = self.start + rng.uniform(10, 35) * MIN
            code = self.sim.code_for(term.vendor, "conn")
            if tc < self.end:
                out.append(self.rec_complaint(tc, m, rng.choice([
                    "%s 刷卡一直显示%s，顾客只能扫码或付现金" % (self.site.name, code),
                    "收银台POS老是连不上网，报%s" % code,
                    "card payments at %s fail with %s, phones work fine" % (self.site.name, code)]), term.tid))
        if self.end < self.sim.W1:
            name = {"router": "router_restarted", "ap": "access_point_restarted", "switch": "cable_seated"}[self.variant]
            if rng.random() < 0.5:
                out.append(self.rec_check(self.end - rng.uniform(10, 25) * MIN, {"site_id": self.site.sid},
                                          "adapter_voltage", "ok"))
            out.append(self.rec_check(self.end, {"site_id": self.site.sid}, name, "ok"))
            if rng.random() < 0.7:
                out.append(self.rec_resolution(self.end + rng.uniform(3, 15) * MIN, {"site_id": self.site.sid},
                                               {"router": "路由器重启后恢复 / recovered after router restart",
                                                "ap": "无线AP故障，重启后恢复",
                                                "switch": "交换机端口松动，重新插拔后恢复"}[self.variant]))
        return out


class CarrierOutage(Fault):
    cause = "network.carrier"

    def __init__(self, sim, fid, carrier, city, terms, start, end):
        Fault.__init__(self, sim, fid, "area_outage")
        self.carrier, self.city, self.start, self.end = carrier, city, start, end
        self.scope = {"carrier": carrier, "city": city}
        self.cand = terms
        self.detail = "%s packet-data outage in %s; radio signal normal" % (carrier, city)

    def setup(self):
        rng = self.rng
        self.attach(self.cand)
        self.mode = {t.tid: ("full" if rng.random() < 0.7 else "degr") for t in self.cand}
        self.ramp = (self.end - self.start) * 0.12

    def net(self, term, t, ns):
        if not self.on(t):
            return
        mode = self.mode.get(term.tid)
        if t < self.start + self.ramp or t > self.end - self.ramp:
            mode = "degr"
        if mode == "full":
            ns.hurt(self, down=True, hint="pdp", extra={"pdp": 38})
        else:
            ns.hurt(self, loss=0.35, rtt=3500, hint="pdp", extra={"pdp": 33})

    def aftermath(self):
        out = []
        rng = self.rng
        if self.terms:
            term = rng.choice(self.terms)
            tc = self.start + rng.uniform(10, 30) * MIN
            if tc < self.end:
                out.append(self.rec_complaint(tc, term.merchant, rng.choice([
                    "移动POS一直提示%s，信号是满格的" % self.sim.code_for(term.vendor, "conn"),
                    "wireless POS cannot connect, signal bars are full"]), term.tid))
                out.append(self.rec_check(tc + 600, {"terminal_id": term.tid}, "signal_test",
                                          "%ddBm" % int(term.base_rssi)))
        return out


# ----- software ----------------------------------------------------------

class FirmwareBug(Fault):
    cause = "software.bug"
    prio = 30

    def __init__(self, sim, fid, vendor, models, terms, t0, variant, rollback):
        Fault.__init__(self, sim, fid, variant)
        self.vendor, self.cand, self.t0 = vendor, terms, t0
        self.fw = VCFG[vendor]["fw_new"]
        self.scope = {"vendor": vendor, "firmware": self.fw}
        self.rollback = rollback
        self.stages = {"nfc_crash": ("card_read",), "mem_leak": ("local", "resp", "transport"),
                       "print_bug": ("print",), "tls_bug": ("tls",)}[variant]
        self.detail = "firmware %s %s rolled out with a defect: %s" % (vendor, self.fw, {
            "nfc_crash": "app crashes on contactless reads", "mem_leak": "memory leak -> OOM / watchdog resets",
            "print_bug": "receipt printing fails (font table)", "tls_bug": "TLS session resumption corrupts records"}[variant])

    def setup(self):
        rng = self.rng
        self.upd = {}
        for term in self.cand:
            tu = self.t0 + rng.uniform(0, 100) * MIN
            if tu >= self.sim.W1 - 20 * MIN:
                continue
            self.upd[term.tid] = tu
            term.add_down(tu, rng.uniform(100, 220), "update", None)
            term.fw_changes.append((tu + 200, self.fw, None))
        upd_terms = [t for t in self.cand if t.tid in self.upd]
        self.attach(upd_terms)
        self.start = min(self.upd.values()) if self.upd else self.sim.W1 - 1
        self.end = self.sim.W1
        if self.rollback:
            self.end = self.start + rng.uniform(140, 220) * MIN
            if self.end >= self.sim.W1 - 10 * MIN:
                self.end = self.sim.W1
                self.rollback = False
            else:
                for term in upd_terms:
                    tr = self.end + rng.uniform(0, 8) * MIN
                    term.add_down(tr, rng.uniform(100, 200), "update", None)
                    term.fw_changes.append((tr + 200, term.firmware, None))
                self.end += 12 * MIN
        # per terminal: the moment the new firmware runs, and memory trajectories
        self.mem = {}
        self.leak_reboots = {}
        if self.variant == "mem_leak":
            for term in upd_terms:
                t = self.upd[term.tid] + 230
                base = term.mem_base
                m = base
                series = []
                rate = rng.uniform(0.35, 0.8)   # % per minute
                while t < self.end:
                    m += rate * rng.uniform(0.6, 1.4)
                    if m >= 98.5:
                        term.add_down(t, rng.uniform(50, 90), "watchdog", self, wchoice(rng, [(None, 0.4), ("oom", 0.6)]))
                        term.ev["app_crashes"].append(t)
                        m = base + rng.uniform(0, 5)
                    series.append(m)
                    t += 60
                self.mem[term.tid] = (self.upd[term.tid] + 230, series)

    def running(self, term, t):
        tu = self.upd.get(term.tid)
        return tu is not None and tu + 200 <= t < self.end

    def memory(self, term, t):
        st = self.mem.get(term.tid)
        if not st:
            return None
        t0, series = st
        if t < t0 or not series:
            return None
        return series[min(len(series) - 1, int((t - t0) // 60))]

    def stage(self, st, term, t, ctx):
        if not self.running(term, t):
            return None
        rng = term.rng
        v = self.variant
        if v == "nfc_crash" and st == "card_read" and ctx["channel"] == "nfc" and rng.random() < 0.55:
            term.ev["app_crashes"].append(t)
            term.add_down(t + 1, rng.uniform(12, 30), "crash", None)
            return self.E("crash", extra={"mod": "libemvctls.so"})
        if v == "mem_leak":
            m = self.memory(term, t)
            if m is None:
                return None
            if st == "local" and m > 91 and rng.random() < (m - 90) / 25.0:
                term.ev["app_crashes"].append(t)
                return self.E("oom")
            if st == "transport" and m > 82:
                ctx["extra"].append(((m - 80) * 250 * rng.uniform(0.5, 1.5), self))
            if st == "resp" and m > 92 and rng.random() < 0.06:
                term.ev["app_crashes"].append(t)
                return Out("crash", self, cond="oom")
        if v == "print_bug" and st == "print" and rng.random() < 0.4:
            return self.E("prn_fault", hint="bug")
        if v == "tls_bug" and st == "tls" and rng.random() < 0.2:
            return self.E("tls_bad")
        return None

    def telem(self, term, t, s):
        if self.variant == "mem_leak":
            m = self.memory(term, t)
            if m is not None and self.running(term, t):
                s["memory_used_pct"] = int(clamp(m + term.rng.gauss(0, 1), 1, 100))

    def aftermath(self):
        out = []
        rng = self.rng
        for term in self.terms:
            out.append(self.rec_maint(self.upd[term.tid] - 5, term.tid, "firmware_update",
                                      "TMS push %s -> %s" % (term.firmware, self.fw)))
        if self.rollback:
            for term in self.terms[: max(1, len(self.terms) // 2)]:
                out.append(self.rec_maint(self.end - 12 * MIN, term.tid, "firmware_update",
                                          "rollback %s -> %s" % (self.fw, term.firmware)))
        cond = {"nfc_crash": "crash", "mem_leak": "oom", "print_bug": "prn_fault", "tls_bug": "tls_bad"}[self.variant]
        for term in rng.sample(self.terms, min(2, len(self.terms))):
            tc = self.upd[term.tid] + rng.uniform(30, 120) * MIN
            if tc < self.end:
                out.append(self.rec_complaint(tc, term.merchant, rng.choice([
                    "升级后POS经常报%s" % self.sim.code_for(term.vendor, cond),
                    "since this morning's update the terminal shows %s" % self.sim.code_for(term.vendor, cond)]),
                    term.tid))
        return out


class Incompatible(Fault):
    cause = "software.incompatible"
    prio = 15

    def __init__(self, sim, fid, host, app, vendor, terms, cutoff, variant):
        Fault.__init__(self, sim, fid, variant)
        self.host, self.app, self.vendor, self.cand = host, app, vendor, terms
        self.start = cutoff
        self.scope = {"host": host, "app_version": app, "vendor": vendor}
        self.stages = ("tls",) if variant == "tls" else ("host",)
        self.detail = "host %s stops accepting app %s (%s)" % (
            host, app, "TLS 1.0 disabled" if variant == "tls" else "old message spec rejected")

    def setup(self):
        rng = self.rng
        self.attach(self.cand)
        self.fixed = {}
        tpush = self.start + rng.uniform(50, 130) * MIN
        newapp = VCFG[self.vendor]["app"][0][0]
        for term in self.cand:
            tf = tpush + rng.uniform(0, 80) * MIN
            if tf < self.sim.W1 - 5 * MIN and rng.random() < 0.8:
                self.fixed[term.tid] = tf + 180
                term.add_down(tf, rng.uniform(90, 180), "update", None)
                term.fw_changes.append((tf + 180, None, newapp))
        self.end = self.sim.W1 if len(self.fixed) < len(self.cand) else max(self.fixed.values())

    def stage(self, st, term, t, ctx):
        if not self.on(t) or t >= self.fixed.get(term.tid, 1e18):
            return None
        if st == "tls":
            return self.E("tls_proto")
        if st == "host":
            return self.R("40")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        for tid, tf in self.fixed.items():
            out.append(self.rec_maint(tf - 180, tid, "firmware_update", "app -> %s (TMS)" % VCFG[self.vendor]["app"][0][0]))
        if self.terms:
            term = rng.choice(self.terms)
            tc = self.start + rng.uniform(15, 45) * MIN
            if tc < self.end:
                cond = "tls_proto" if self.variant == "tls" else None
                code = self.sim.code_for(term.vendor, cond) if cond else "40"
                out.append(self.rec_complaint(tc, term.merchant, "中午以后所有刷卡和扫码都失败，提示%s" % code, term.tid))
        return out


class ConfigFault(Fault):
    cause = "software.config"
    prio = 30

    def __init__(self, sim, fid, term, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.stages = {"host_addr": ("connect",), "tid": ("host",), "mid": ("host",), "key_index": ("host",),
                       "timeout": ("transport",)}[variant]
        self.detail = {"host_addr": "parameter push set a wrong host address",
                       "tid": "terminal id mistyped in parameters", "mid": "merchant id mistyped in parameters",
                       "key_index": "wrong master-key index in parameters (MAC mismatch)",
                       "timeout": "receive timeout parameter set to 2 s"}[variant]
        ip, port, _ = HOSTS[term.host]
        parts = ip.split(".")
        parts[-1] = str((int(parts[-1]) + sim.rng.choice([1, 3, 10, 100])) % 250 + 1)
        self.badhost = "%s:%d" % (".".join(parts), port)

    def setup(self):
        self.attach([self.term])
        self.term.add_down(self.start - 100, self.rng.uniform(50, 90), "update", None)
        if self.end < self.sim.W1:
            self.term.add_down(self.end - 60, self.rng.uniform(50, 80), "update", None)

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        v = self.variant
        if v == "host_addr":
            return self.E("conn_refused", hint="cfg", extra={"badhost": self.badhost})
        if v == "tid":
            return self.R("97")
        if v == "mid" and ctx["type"] != "reversal":
            return self.R("03")
        if v == "key_index":
            return self.R("A0", cond="mac")
        if v == "timeout":
            ctx["tmo"] = (2000, self)
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 60, {"terminal_id": self.term.tid}, "param_download", "ok"))
            if rng.random() < 0.6:
                out.append(self.rec_resolution(self.end + 400, {"terminal_id": self.term.tid},
                                               "参数配置错误(%s)，重新下载参数后恢复" % self.variant))
        tc = self.start + rng.uniform(15, 40) * MIN
        if tc < self.end and rng.random() < 0.6:
            out.append(self.rec_complaint(tc, self.term.merchant, "今天早上开始这台POS一笔都刷不了", self.term.tid))
        return out


# ----- transmission / security ------------------------------------------

class Corruption(Fault):
    cause = "transmission.corruption"
    stages = ("transport",)
    prio = 10

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "cable")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "damaged data cable / connector: frames corrupted or truncated"

    def setup(self):
        self.attach([self.term])

    def net(self, term, t, ns):
        if self.on(t):
            ns.loss = 1 - (1 - ns.loss) * (1 - self.rng.uniform(0.01, 0.05))

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        rng = term.rng
        if rng.random() < 0.28:
            k = wchoice(rng, [("30", 0.5), ("fmt", 0.3), ("A0", 0.2)])
            if k == "fmt":
                return self.E("format", extra={"fld": rng.choice([4, 11, 35, 55, 62, 64])})
            if k == "A0":
                return self.R("A0", cond="mac")
            return self.R("30")
        return None

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 400, {"terminal_id": self.term.tid}, "cable_seated", "fail"))
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced", "更换网线/串口线 replaced data cable"))
            if self.rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid},
                                               "数据线接头氧化松动，报文损坏；更换后正常"))
        return out


class KeysSync(Fault):
    cause = "security.keys"
    prio = 20

    def __init__(self, sim, fid, terms, start, end, variant, scope):
        Fault.__init__(self, sim, fid, variant)
        self.cand, self.start, self.end = terms, start, end
        self.scope = scope
        self.stages = ("host",) if variant == "fleet" else ("local",)
        self.detail = {"fleet": "host key database migration left working keys out of sync",
                       "single": "working keys lost from the terminal's secure memory"}[variant]

    def setup(self):
        rng = self.rng
        self.attach(self.cand)
        self.fix = {}
        self.seen = {}
        for term in self.cand:
            self.seen[term.tid] = self.start + rng.uniform(1, 12) * MIN
            tf = self.end - rng.uniform(0, 25) * MIN if self.end < self.sim.W1 else 1e18
            self.fix[term.tid] = max(self.start + 5 * MIN, tf)
        if self.variant == "single":
            term = self.cand[0]
            term.add_down(self.start - 70, 60, "crash", None)

    def active_for(self, term, t):
        return self.on(t) and t < self.fix.get(term.tid, 0)

    def stage(self, st, term, t, ctx):
        if not self.active_for(term, t):
            return None
        if st == "host":
            return self.R("A0", cond="mac" if term.rng.random() < 0.75 else None)
        if st == "local":
            return self.E("key_missing", extra={"slot": term.rng.choice([1, 2, 3])})
        return None

    def telem(self, term, t, s):
        if self.active_for(term, t) and t >= self.seen.get(term.tid, 1e18):
            s["key_check"] = "mismatch" if self.variant == "fleet" else "missing"

    def aftermath(self):
        out = []
        rng = self.rng
        for tid, tf in self.fix.items():
            if tf < self.sim.W1:
                out.append(self.rec_check(tf, {"terminal_id": tid}, "key_download", "ok"))
        if self.terms:
            term = rng.choice(self.terms)
            tc = self.start + rng.uniform(10, 40) * MIN
            if tc < self.end:
                out.append(self.rec_complaint(tc, term.merchant, rng.choice([
                    "POS提示%s，交易都不成功" % self.sim.code_for(term.vendor, "mac" if self.variant == "fleet" else "key_missing"),
                    "terminal says MAC error on every payment"]), term.tid))
        if self.end < self.sim.W1 and rng.random() < 0.4 and self.variant == "single":
            out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.cand[0].tid}, "重新灌装密钥后恢复"))
        return out


class CertFault(Fault):
    cause = "security.certificate"
    stages = ("tls",)
    prio = 20

    def __init__(self, sim, fid, terms, start, end, variant, scope):
        Fault.__init__(self, sim, fid, variant)
        self.cand, self.start, self.end, self.scope = terms, start, end, scope
        self.detail = {"expiry": "terminal client certificates of one batch expire mid-day",
                       "clock": "RTC reset: terminal clock years behind, certificates appear not yet valid"}[variant]

    def setup(self):
        rng = self.rng
        self.attach(self.cand)
        self.fix = {}
        if self.variant == "expiry":
            for term in self.cand:
                term.cert_not_after = fmt_ts(self.start)
                tf = self.start + rng.uniform(60, 200) * MIN
                self.fix[term.tid] = tf if tf < self.sim.W1 - 5 * MIN else 1e18
            fixed = [v for v in self.fix.values() if v < 1e17]
            self.end = self.sim.W1 if len(fixed) < len(self.cand) else max(fixed) + 1
        else:
            term = self.cand[0]
            self.skew = -rng.choice([1, 2, 6, 9]) * 365 * 86400 - rng.randint(0, 86400 * 30)
            term.add_down(self.start - 80, 70, "power_loss", None)
            self.fix[term.tid] = self.end

    def stage(self, st, term, t, ctx):
        if not self.on(t) or t >= self.fix.get(term.tid, 1e18):
            return None
        if self.variant == "expiry":
            return self.E("tls_expired", extra={"exp": fmt_ts(self.start)})
        return self.E("tls_notyet", extra={"local": fmt_ts(t + self.skew)})

    def telem(self, term, t, s):
        if self.variant == "clock" and self.on(t):
            s["clock_skew_s"] = int(self.skew + term.rng.uniform(-2, 2))

    def aftermath(self):
        out = []
        rng = self.rng
        if self.variant == "expiry":
            for term in self.cand:
                tf = self.fix[term.tid]
                if tf < 1e17:
                    out.append(self.rec_check(tf, {"terminal_id": term.tid}, "certificate_renewed", "ok"))
                    rec = self.sim.terminal_record(term)
                    rec["cert_not_after"] = fmt_ts(self.sim.W0 + 2 * 365 * 86400 + rng.randint(0, 86400))
                    out.append((tf + 5, rec))
        else:
            if self.end < self.sim.W1:
                out.append(self.rec_check(self.end - 60, {"terminal_id": self.cand[0].tid}, "clock_sync", "ok"))
                out.append(self.rec_maint(self.end, self.cand[0].tid, "part_replaced", "更换RTC纽扣电池 / RTC battery replaced"))
        if self.terms:
            term = rng.choice(self.terms)
            tc = self.start + rng.uniform(10, 40) * MIN
            if tc < self.end:
                cond = "tls_expired" if self.variant == "expiry" else "tls_notyet"
                out.append(self.rec_complaint(tc, term.merchant, "POS突然报%s，刷卡扫码都不行" % self.sim.code_for(term.vendor, cond),
                                              term.tid))
        return out


# ----- upstream ---------------------------------------------------------

class AcquirerOutage(Fault):
    cause = "upstream.acquirer"
    stages = ("connect", "transport", "host")
    prio = 5

    def __init__(self, sim, fid, host, terms, start, end):
        Fault.__init__(self, sim, fid, "host_outage")
        self.host, self.cand, self.start, self.end = host, terms, start, end
        self.scope = {"host": host}
        self.detail = "acquirer host %s overloaded then down" % host

    def setup(self):
        self.attach(self.cand)
        d = self.end - self.start
        self.a = self.start + d * self.rng.uniform(0.15, 0.3)
        self.b = self.end - d * self.rng.uniform(0.1, 0.25)

    def phase(self, t):
        if not self.on(t):
            return None
        return "down" if self.a <= t < self.b else "degr"

    def stage(self, st, term, t, ctx):
        ph = self.phase(t)
        if ph is None:
            return None
        rng = term.rng
        if st == "connect" and ph == "down" and rng.random() < 0.25:
            return self.E("conn_refused")
        if st == "transport":
            if ph == "down":
                if rng.random() < 0.9:
                    ctx["extra"].append((rng.uniform(90000, 200000), self))
                else:
                    ctx["extra"].append((rng.uniform(2000, 9000), self))
            else:
                ctx["extra"].append((rng.expovariate(1 / 9000.0), self))
        if st == "host":
            if rng.random() < (0.15 if ph == "degr" else 0.6):
                return self.R("96")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        for term in rng.sample(self.terms, min(3, len(self.terms))):
            tc = self.start + rng.uniform(8, 30) * MIN
            if tc < self.end:
                out.append(self.rec_complaint(tc, term.merchant, rng.choice([
                    "刷卡一直转圈然后超时，扫码也不行", "交易提示%s，已经好几笔了" % self.sim.code_for(term.vendor, "recv_to"),
                    "payments time out since a few minutes"]), term.tid))
        return out


class IssuerOutage(Fault):
    cause = "upstream.issuer"
    stages = ("transport", "host")
    prio = 60

    def __init__(self, sim, fid, issuer, start, end):
        Fault.__init__(self, sim, fid, "issuer_down")
        self.issuer, self.start, self.end = issuer, start, end
        self.scope = {"issuer": issuer}
        self.use_hit = True
        self.detail = "card issuer %s authorisation system unavailable" % issuer

    def setup(self):
        self.attach(self.sim.terms)
        self.tids = []

    def stage(self, st, term, t, ctx):
        c = ctx.get("card")
        if not self.on(t) or not c or c["issuer"] != self.issuer or ctx["type"] in ("reversal", "void"):
            return None
        rng = term.rng
        if st == "transport" and rng.random() < 0.22:
            ctx["extra"].append((rng.uniform(20000, 70000), self))
        if st == "host":
            r = rng.random()
            if r < 0.7:
                return self.R("91")
            if r < 0.82:
                return self.R("98")
        return None


# ----- business ---------------------------------------------------------

class MerchantFrozen(Fault):
    cause = "business.merchant"
    stages = ("host",)
    prio = 30

    def __init__(self, sim, fid, merchant, start, end):
        Fault.__init__(self, sim, fid, "frozen")
        self.merchant, self.start, self.end = merchant, start, end
        self.scope = {"merchant_id": merchant.mid}
        self.detail = "merchant frozen by the acquirer (compliance review)"

    def setup(self):
        self.attach(self.merchant.terms)

    def stage(self, st, term, t, ctx):
        if self.on(t) and ctx["type"] != "reversal":
            return self.R("03")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        term = rng.choice(self.merchant.terms)
        tc = self.start + rng.uniform(10, 30) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, self.merchant, rng.choice([
                "所有门店的POS都提示03无效商户，扫码也不行，是不是被冻结了？",
                "every shop of ours gets response 03 'invalid merchant' since noon"]), term.tid))
        if self.end < self.sim.W1 and rng.random() < 0.5:
            out.append(self.rec_resolution(self.end + 600, {"site_id": self.merchant.sites[0].sid},
                                           "商户资料复核后解冻"))
        return out


class TxnTypeFault(Fault):
    cause = "business.txn_type"
    stages = ("host",)
    prio = 40

    def __init__(self, sim, fid, merchant, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.merchant, self.start, self.end = merchant, start, end
        self.scope = {"merchant_id": merchant.mid}
        self.detail = {"refund_off": "refund disabled in the merchant's acquiring profile",
                       "preauth_off": "pre-authorisation not enabled for the merchant",
                       "credit_off": "merchant profile no longer allows credit cards"}[variant]

    def setup(self):
        self.attach(self.merchant.terms)
        if self.variant == "refund_off":
            self.merchant.flags["refund_boost"] = (self.start, self.end)
        if self.variant == "preauth_off":
            self.merchant.flags["preauth_boost"] = (self.start, self.end)

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        v = self.variant
        if v == "refund_off" and ctx["type"] == "refund":
            return self.R("58" if term.rng.random() < 0.8 else "40")
        if v == "preauth_off" and ctx["type"] in ("preauth", "completion"):
            return self.R("58")
        if v == "credit_off" and ctx.get("card") and ctx["card"]["credit"] and ctx["type"] != "reversal":
            return self.R("57")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        term = rng.choice(self.merchant.terms)
        tc = self.start + rng.uniform(30, 90) * MIN
        if tc < self.end:
            txt = {"refund_off": "退货交易一直提示58，不允许终端进行的交易",
                   "preauth_off": "预授权做不了，提示58", "credit_off": "信用卡都刷不了，提示57，借记卡可以"}[self.variant]
            out.append(self.rec_complaint(tc, self.merchant, txt, term.tid))
        if self.end < self.sim.W1 and rng.random() < 0.5:
            out.append(self.rec_resolution(self.end + 300, {"terminal_id": term.tid}, "开通相应交易权限后恢复"))
        return out


class LimitFault(Fault):
    cause = "business.limit"
    stages = ("host",)
    prio = 45

    def __init__(self, sim, fid, target, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.start, self.end = start, end
        self.target = target
        if variant == "amount":
            self.scope = {"merchant_id": target.mid}
            self.limit = target.rng_limit
            self.detail = "merchant single-transaction limit lowered to %d fen" % self.limit
        else:
            self.scope = {"terminal_id": target.tid}
            self.detail = "terminal daily transaction-count limit reached"

    def setup(self):
        if self.variant == "amount":
            self.attach(self.target.terms)
            self.target.flags["big_boost"] = (self.start, self.end, self.limit)
        else:
            self.attach([self.target])

    def stage(self, st, term, t, ctx):
        if not self.on(t) or ctx["type"] in ("reversal", "void", "balance") or not ctx.get("card"):
            return None
        if self.variant == "amount":
            if ctx["amount"] > self.limit:
                return self.R("61")
        else:
            return self.R("65")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        m = self.target if self.variant == "amount" else self.target.merchant
        tc = self.start + rng.uniform(20, 60) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, m, rng.choice([
                "大额刷卡提示61超限，小额可以", "顾客刷大额被拒，提示超出金额限制"]) if self.variant == "amount"
                else "下午开始刷卡都提示65，扫码可以"))
        return out


class RiskFault(Fault):
    cause = "business.risk"
    stages = ("host",)
    prio = 50

    def __init__(self, sim, fid, merchant, start, end):
        Fault.__init__(self, sim, fid, "risk_hold")
        self.merchant, self.start, self.end = merchant, start, end
        self.scope = {"merchant_id": merchant.mid}
        self.detail = "acquirer risk engine holds the merchant's large / credit card transactions"

    def setup(self):
        rng = self.rng
        self.attach(self.merchant.terms)
        # the pattern that triggered it: a burst of large round credit-card sales
        term = rng.choice(self.merchant.terms)
        t = self.start - rng.uniform(15, 30) * MIN
        for i in range(rng.randint(6, 11)):
            term.injected.append((t, {"amount": rng.choice([4999900, 4990000, 2999900, 1999900, 4980000]),
                                      "credit": True, "type": "purchase", "channel": "card_ic"}))
            t += rng.uniform(40, 150)

    def stage(self, st, term, t, ctx):
        if not self.on(t) or ctx["type"] in ("reversal", "void") or not ctx.get("card"):
            return None
        if ctx["amount"] >= 50000 or ctx["card"]["credit"]:
            r = term.rng.random()
            if r < 0.75:
                return self.R("59")
            if r < 0.85:
                return self.R("34")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        tc = self.start + rng.uniform(20, 70) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, self.merchant, rng.choice([
                "稍大一点的金额都提示59有作弊嫌疑，信用卡全被拒", "high-value card payments rejected with 59 since noon"])))
        return out


# ----- hardware ----------------------------------------------------------

class KeypadFault(Fault):
    cause = "hardware.keypad"
    stages = ("entry", "pin", "host")
    prio = 70

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "stuck_key")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.key = sim.rng.choice(["5", "8", "0", "2", "OK", "CLR"])
        self.detail = "keypad membrane worn, key '%s' intermittent" % self.key

    def setup(self):
        rng = self.rng
        self.attach([self.term])
        t = self.start
        while t < self.end:
            t += rng.expovariate(1 / 420.0)
            self.term.ev["keypad_errors"].append(t)

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        rng = term.rng
        if st == "entry" and rng.random() < 0.05:
            term.ev["keypad_errors"].append(t)
            return self.E("cancel")
        if st == "pin":
            r = rng.random()
            if r < 0.3:
                term.ev["keypad_errors"].append(t)
                return self.E("key_stuck" if rng.random() < 0.55 else "pin_timeout", extra={"key": self.key})
            if r < 0.45:
                ctx["pin_wrong"] = self
        if st == "host" and ctx.get("pin_wrong") is self:
            return self.R("55")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        tc = self.start + rng.uniform(30, 80) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, self.term.merchant, rng.choice([
                "顾客说密码输不进去，按键没反应", "customer says PIN keys don't respond, PIN wrong again"]),
                self.term.tid, frm=rng.choice(["merchant", "customer"])))
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 300, {"terminal_id": self.term.tid}, "keypad_test", "fail"))
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced", "更换键盘膜 / keypad replaced"))
            if rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid}, "按键失灵，更换键盘"))
        return out


class DisplayFault(Fault):
    cause = "hardware.display"
    stages = ("entry", "pin")

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "lcd")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "screen flickers / goes blank (LCD flex cable)"

    def setup(self):
        rng = self.rng
        self.attach([self.term])
        t = self.start + rng.uniform(10, 40) * MIN
        while t < self.end:
            self.term.add_down(t, rng.uniform(50, 90), "user", self, "display" if rng.random() < 0.7 else None)
            t += rng.uniform(30, 70) * MIN

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        rng = term.rng
        if st == "entry":
            r = rng.random()
            if r < 0.12:
                return self.E("display")
            if r < 0.24:
                return self.E("cancel")
        if st == "pin" and rng.random() < 0.12:
            return self.E("pin_timeout")
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        tc = self.start + rng.uniform(20, 60) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, self.term.merchant, rng.choice([
                "屏幕花屏，看不清金额，顾客不敢输密码", "the screen goes blank now and then"]), self.term.tid))
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 200, {"terminal_id": self.term.tid}, "display_test", "fail"))
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced", "更换显示屏 / LCD replaced"))
        return out


class CardReaderFault(Fault):
    cause = "hardware.card_reader"
    stages = ("card_read",)

    def __init__(self, sim, fid, term, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.ch = {"ic": ("card_ic",), "combo": ("card_ic", "card_swipe"), "nfc": ("nfc",)}[variant]
        self.cond = {"card_ic": "ic_fail", "card_swipe": "msr_fail", "nfc": "nfc_fail"}
        self.p = sim.rng.uniform(0.5, 0.8)
        self.detail = {"ic": "IC contacts worn/dirty", "combo": "card reader module failing (chip and stripe)",
                       "nfc": "contactless antenna detached"}[variant]

    def setup(self):
        rng = self.rng
        self.attach([self.term])
        t = self.start
        while t < self.end:
            t += rng.expovariate(1 / 900.0)
            self.term.ev["card_reader_errors"].append(t)

    def stage(self, st, term, t, ctx):
        if self.on(t) and ctx["channel"] in self.ch and term.rng.random() < self.p:
            term.ev["card_reader_errors"].append(t)
            return self.E(self.cond[ctx["channel"]])
        return None

    def aftermath(self):
        out = []
        rng = self.rng
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end - 600, {"terminal_id": self.term.tid}, "card_reader_cleaned", "fail"))
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced", "更换读卡模块 / card reader replaced"))
            if rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid}, "读卡器触点磨损，更换后正常"))
        return out


class PrinterFault(Fault):
    cause = "hardware.printer"
    stages = ("print",)

    def __init__(self, sim, fid, term, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = {"paper_out": "receipt paper ran out", "head": "print head overheating / cutter jam"}[variant]
        self.nfail = 0
        self.notice = sim.rng.randint(1, 4)
        if variant == "paper_out":
            self.end = sim.W1     # until somebody notices

    def setup(self):
        self.attach([self.term])

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        if self.variant == "paper_out":
            self.nfail += 1
            if self.nfail >= self.notice:
                # the cashier notices and loads a new roll
                self.end = min(self.end, t + term.rng.uniform(2, 10) * MIN)
            return self.E("paper_out")
        if term.rng.random() < 0.45:
            return self.E("prn_fault", extra={"hex": "%02X" % term.rng.choice([0x11, 0x24, 0x40])})
        return None

    def telem(self, term, t, s):
        if self.on(t):
            if self.variant == "paper_out":
                s["printer"] = "paper_out"
            elif term.rng.random() < 0.6:
                s["printer"] = "fault"

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            if self.variant == "paper_out":
                out.append(self.rec_check(self.end, {"terminal_id": self.term.tid}, "paper_loaded", "ok"))
            else:
                out.append(self.rec_maint(self.end, self.term.tid, "repair", "清洁打印头、更换切刀"))
        return out


class BoardFault(Fault):
    cause = "hardware.board"

    def __init__(self, sim, fid, term, start, end, variant):
        Fault.__init__(self, sim, fid, variant)
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.stages = ("card_read", "local", "transport", "pin") if variant == "overheat" else ("card_read", "local")
        self.detail = {"overheat": "main board component failing: overheating, random resets",
                       "tamper": "board sensor fault triggered tamper, keys erased"}[variant]

    def setup(self):
        rng = self.rng
        term = self.term
        self.attach([term])
        if self.variant == "overheat":
            t = self.start + rng.uniform(5, 25) * MIN
            while t < self.end:
                term.add_down(t, rng.uniform(45, 100), rng.choice(["watchdog", "crash"]), self,
                              wchoice(rng, [(None, 0.3), ("sensor", 0.4), ("selftest", 0.3)]))
                term.ev["app_crashes"].append(t)
                t += rng.uniform(12, 45) * MIN
        else:
            term.add_down(self.start, rng.uniform(60, 120), "crash", self, "tamper")

    def rate(self, term, t):
        if self.variant == "tamper" and self.on(t):
            return 0.3
        return 1.0

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        rng = term.rng
        if self.variant == "tamper":
            if st == "card_read" and ctx["channel"] != "qr":
                return self.E("tamper", extra={"n": rng.randint(1, 4)})
            if st == "local":
                return self.E("key_missing", extra={"slot": 1})
            return None
        if st == "card_read" and rng.random() < 0.12:
            term.ev["card_reader_errors"].append(t)
            return self.E("ic_fail", hint="board")
        if st == "pin" and rng.random() < 0.05:
            return self.E("sensor", extra={"temp": rng.randint(71, 84)})
        if st == "local" and rng.random() < 0.08:
            term.ev["app_crashes"].append(t)
            term.add_down(t + 1, rng.uniform(30, 60), "crash", None)
            return self.E("crash", extra={"mod": "kernel"})
        if st == "transport" and rng.random() < 0.08:
            return self.E("send")
        return None

    def telem(self, term, t, s):
        if not self.on(t):
            return
        if self.variant == "overheat":
            s["temp_c"] = int(term.rng.uniform(63, 82))
        else:
            s["key_check"] = "missing"

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            out.append(self.rec_maint(self.end, self.term.tid, "part_replaced", "更换主板 / main board replaced"))
            if self.rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 600, {"terminal_id": self.term.tid}, "主板元件损坏，返厂维修"))
        tc = self.start + self.rng.uniform(20, 60) * MIN
        if tc < self.end:
            out.append(self.rec_complaint(tc, self.term.merchant, "POS机发烫，经常自己重启" if self.variant == "overheat"
                                          else "POS显示安全触发，什么交易都做不了", self.term.tid))
        return out


# ----- resources --------------------------------------------------------

class StorageFull(Fault):
    cause = "resource.storage"
    stages = ("local",)

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "journal_full")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "flash filled by un-purged journal / logs"
        self.ramp = sim.rng.uniform(40, 100) * MIN

    def setup(self):
        self.attach([self.term])

    def pct(self, t):
        if t >= self.end:
            return None
        if t < self.start:
            return 86 + 9 * clamp((t - (self.start - 3 * HOUR)) / (3 * HOUR), 0, 1)
        return min(100.0, 95 + 5 * (t - self.start) / self.ramp)

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        p = self.pct(t)
        if p >= 96.5 and term.rng.random() < (p - 96) / 4.0:
            return self.E("storage_full", extra={"pct": int(p)})
        return None

    def telem(self, term, t, s):
        p = self.pct(t)
        if p is not None:
            s["storage_used_pct"] = int(p)
        elif t >= self.end and self.end < self.sim.W1:
            s["storage_used_pct"] = int(40 + term.rng.uniform(-2, 2))

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end, {"terminal_id": self.term.tid}, "storage_cleanup", "ok"))
            if self.rng.random() < 0.5:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid}, "存储空间满，清理日志后恢复"))
        return out


class MemoryFault(Fault):
    cause = "resource.memory"
    stages = ("local", "resp", "transport")

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "apps_hog")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "too many background apps: memory exhausted, OOM kills and watchdog resets"

    def setup(self):
        rng = self.rng
        self.attach([self.term])
        t = self.start + rng.uniform(10, 30) * MIN
        while t < self.end:
            self.term.add_down(t, rng.uniform(50, 90), "watchdog", self, "oom" if rng.random() < 0.5 else None)
            self.term.ev["app_crashes"].append(t)
            t += rng.uniform(25, 60) * MIN

    def mem(self, term, t):
        return clamp(93 + 3 * math.sin((t - self.start) / 700.0) + term.rng.gauss(0, 1.5), 85, 99.5)

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        rng = term.rng
        m = self.mem(term, t)
        if st == "local" and rng.random() < 0.17:
            term.ev["app_crashes"].append(t)
            return self.E("oom", extra={"kb": rng.choice([256, 512, 1024, 2048])})
        if st == "transport":
            ctx["extra"].append(((m - 80) * 180, self))
        if st == "resp" and rng.random() < 0.08:
            term.ev["app_crashes"].append(t)
            return Out("crash", self, cond="oom")
        return None

    def telem(self, term, t, s):
        if self.on(t):
            s["memory_used_pct"] = int(self.mem(term, t))

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end, {"terminal_id": self.term.tid}, "background_apps_removed", "ok"))
        return out


class CpuFault(Fault):
    cause = "resource.cpu"
    stages = ("pin", "local", "transport")

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "runaway_task")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "runaway background task (log uploader) pins the CPU"

    def setup(self):
        self.attach([self.term])

    def stage(self, st, term, t, ctx):
        if not self.on(t):
            return None
        rng = term.rng
        if st == "pin" and rng.random() < 0.12:
            return self.E("pin_timeout")
        if st == "local" and rng.random() < 0.12:
            return self.E("slow", extra={"ms": rng.randint(8000, 30000)})
        if st == "transport":
            if rng.random() < 0.2:
                ctx["extra"].append((rng.uniform(35000, 90000), self))
            else:
                ctx["extra"].append((rng.uniform(2500, 15000), self))
        return None

    def telem(self, term, t, s):
        if self.on(t):
            s["cpu_pct"] = int(term.rng.uniform(93, 100))
            if s.get("temp_c") is not None:
                s["temp_c"] = int(s["temp_c"] + term.rng.uniform(7, 13))

    def aftermath(self):
        out = []
        if self.end < self.sim.W1:
            out.append(self.rec_check(self.end, {"terminal_id": self.term.tid}, "app_restarted", "ok"))
            if self.rng.random() < 0.4:
                out.append(self.rec_resolution(self.end + 300, {"terminal_id": self.term.tid}, "后台日志上传进程占满CPU，重启后恢复"))
        return out


# ----- operator ----------------------------------------------------------

class OperatorFault(Fault):
    cause = "operator.error"
    stages = ("entry", "card_read", "pin", "host")
    prio = 8

    def __init__(self, sim, fid, term, start, end):
        Fault.__init__(self, sim, fid, "trainee")
        self.term, self.start, self.end = term, start, end
        self.scope = {"terminal_id": term.tid}
        self.detail = "new cashier on shift: wrong procedures"

    def setup(self):
        self.attach([self.term])

    def stage(self, st, term, t, ctx):
        if not self.on(t) or ctx["type"] == "reversal":
            return None
        rng = term.rng
        if st == "entry":
            r = rng.random()
            if r < 0.10:
                return self.E("cancel")
            if r < 0.13:
                return self.E("op_pwd")
            if r < 0.17:
                ctx["type"] = "void"
                ctx["op_mistake"] = ("void_noorig", self)
            elif r < 0.20 and ctx.get("card"):
                ctx["type"] = "refund"
                ctx["op_mistake"] = ("refund_amt", self)
        if st == "card_read" and ctx.get("card") and rng.random() < 0.12:
            return self.E("wrong_insert")
        if st == "pin" and rng.random() < 0.06:
            return self.E("pin_timeout")
        if st == "host":
            m = ctx.get("op_mistake")
            if m and m[1] is self:
                return self.R("25" if m[0] == "void_noorig" else "64")
        return None

    def aftermath(self):
        out = []
        if self.rng.random() < 0.5:
            out.append(self.rec_resolution(self.end + 600, {"terminal_id": self.term.tid},
                                           "新收银员操作不熟练，已培训 / cashier retrained"))
        return out


# --------------------------------------------------------------------------
# the simulator
# --------------------------------------------------------------------------

PRINT_TYPES = ("purchase", "refund", "void", "preauth", "completion")
CARD_CH = ("card_ic", "card_swipe", "nfc")


class Sim:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random("gen13:world:%s" % seed)
        day = datetime(2026, 10, 5, tzinfo=timezone.utc) + timedelta(days=(seed * 7) % 45)
        self.W0 = day.timestamp() + 2 * HOUR        # 10:00 local (UTC+8)
        self.W1 = self.W0 + 6 * HOUR                # 16:00 local
        self.records = []
        self.tevents = []
        self.faults = []
        self.ncomplaint = 0
        self.bg = [BgOperator(self), BgDecline(self)]

    def next_complaint_id(self):
        self.ncomplaint += 1
        return "C-%d%04d" % (self.seed % 1000, self.ncomplaint)

    def code_for(self, vendor, cond):
        return COND_CODE[vendor].get(cond, "E0")

    # ---------------------------------------------------------------- world
    def build_world(self):
        rng = self.rng
        target = rng.randint(290, 312)
        self.merchants, self.sites, self.terms = [], [], []
        tid_seen = set()
        midx = 0
        mtypes = list(MTYPES.items())
        used_names = {}
        while len(self.terms) < target:
            midx += 1
            mcc, (label, _w, amed, asig, rate, prof, hand) = wchoice(rng, [((k, v), v[1]) for k, v in mtypes])
            ci = wchoice(rng, list(zip(range(len(CITIES)), CITY_W)))
            city = CITIES[ci]
            chain = rng.random() < 0.38
            nsites = rng.randint(2, 5) if chain else 1
            base = rng.choice(MNAMES[mcc])
            used_names[base] = used_names.get(base, 0) + 1
            name = base if used_names[base] == 1 else base + ("(%s)" % city[6][used_names[base] % len(city[6])])
            mid = "898%s%s%04d" % (city[1], mcc, midx)
            m = Merchant(mid=mid, mcc=mcc, label=label, name=name, city=city[0], amed=amed, asig=asig,
                         rate=rate, prof=prof, hand=hand, chain=chain,
                         settlement="direct" if rng.random() < 0.8 else "indirect",
                         card_rate=rng.choice([0.006, 0.006, 0.0055, 0.0058, 0.0060]),
                         qr_rate=rng.choice([0.0038, 0.0038, 0.0035, 0.003]),
                         host=wchoice(rng, [(h, v[2]) for h, v in HOSTS.items()]),
                         idx=midx)
            m.rng_limit = rng.choice([200000, 300000, 500000]) if amed >= 30000 else rng.choice([50000, 100000])
            m.mcc_jump = rng.random() < 0.03
            # vendor mix
            if chain:
                combos = []
                for _ in range(rng.randint(1, 2)):
                    v = wchoice(rng, VENDOR_W)
                    combos.append((v, self._pick_model(rng, v, hand)))
            self.merchants.append(m)
            for s in range(nsites):
                scity = city
                if chain and s > 0 and rng.random() < 0.2:
                    scity = CITIES[wchoice(rng, list(zip(range(len(CITIES)), CITY_W)))]
                dist = rng.choice(scity[6])
                sid = "%s-%03d-%d" % (scity[2], midx, s + 1)
                site = Site(sid=sid, merchant=m, name="%s %s店" % (name, dist), city=scity[0],
                            lat=round(scity[4] + rng.uniform(-0.08, 0.08), 4),
                            lon=round(scity[5] + rng.uniform(-0.08, 0.08), 4))
                m.sites.append(site)
                self.sites.append(site)
                lo, hi = {"supermarket": (2, 6), "department": (2, 6), "restaurant": (1, 4), "fastfood": (1, 3),
                          "gas": (1, 3)}.get(label, (1, 3))
                nt = rng.randint(lo, hi)
                for k in range(nt):
                    if chain and rng.random() < 0.85:
                        v, mdl = rng.choice(combos)
                    else:
                        v = wchoice(rng, VENDOR_W)
                        mdl = self._pick_model(rng, v, hand)
                    tid = "%s%03d%03d" % (scity[3], midx % 1000, len(m.terms) + 1)
                    while tid in tid_seen:
                        tid = "%s%06d" % (scity[3], rng.randint(0, 999999))
                    tid_seen.add(tid)
                    term = self._make_term(rng, tid, v, mdl, m, site, scity)
                    m.terms.append(term)
                    site.terms.append(term)
                    self.terms.append(term)
        self.by_tid = {t.tid: t for t in self.terms}

    def _pick_model(self, rng, vendor, hand):
        models = MODELS[vendor]
        ws = []
        for mdl in models:
            mobile = mdl[4]
            ws.append((mdl, (hand if mobile else 1 - hand) + 0.05))
        return wchoice(rng, ws)

    def _make_term(self, rng, tid, vendor, mdl, m, site, city):
        name, kind, nets, nominal, battery = mdl
        cfg = VCFG[vendor]
        net = wchoice(rng, list(nets.items()))
        carrier = wchoice(rng, CARRIERS) if net == "cellular" else None
        host = m.host if rng.random() < 0.9 else wchoice(rng, [(h, v[2]) for h, v in HOSTS.items()])
        term = Term(tid=tid, vendor=vendor, model=name, kind=kind, network=net, carrier=carrier, host=host,
                    nominal=nominal, battery=battery, merchant=m, site=site, city=city[0],
                    firmware=wchoice(rng, cfg["fw"]), app_version=wchoice(rng, cfg["app"]),
                    serial="%s%08d" % (cfg["serial"], rng.randint(0, 99999999)),
                    installed=(datetime.fromtimestamp(self.W0, timezone.utc) -
                               timedelta(days=rng.randint(40, 1500))).strftime("%Y-%m-%d"),
                    rng=random.Random("gen13:%s:term:%s" % (self.seed, tid)),
                    stan=rng.randint(1, 600000))
        term.cert_not_after = fmt_ts(self.W0 + rng.randint(60, 900) * 86400 + rng.randint(0, 86400)) \
            if rng.random() < 0.85 else None
        term.base_rtt = {"ethernet": rng.uniform(18, 55), "wifi": rng.uniform(25, 80),
                         "cellular": rng.uniform(70, 220)}[net]
        term.base_rssi = {"ethernet": None, "wifi": rng.uniform(-68, -42), "cellular": rng.uniform(-92, -62)}[net]
        term.base_loss = {"ethernet": 0.0, "wifi": 0.004, "cellular": 0.01}[net] * rng.random()
        term.mem_base = rng.uniform(45, 68) if kind == "android" else rng.uniform(22, 50)
        term.sto_base = rng.uniform(18, 78)
        term.cpu_base = rng.uniform(3, 18)
        term.temp_base = rng.uniform(30, 40)
        term.skew0 = rng.uniform(-3, 3)
        term.busy = rng.uniform(0.6, 1.4)
        term.tmo = cfg["tmo"]
        term.tz8 = cfg.get("tz8", False)
        return term

    # ---------------------------------------------------------------- faults
    def plan_faults(self):
        rng = random.Random("gen13:plan:%s" % self.seed)
        W0, W1 = self.W0, self.W1
        fleet_opt = ["network.carrier", "software.bug", "software.incompatible", "upstream.acquirer",
                     "upstream.issuer", "business.merchant", "security.certificate", "security.keys"]
        single_opt = ["hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
                      "hardware.board", "power.battery", "network.signal", "resource.storage",
                      "resource.memory", "resource.cpu", "software.config", "transmission.corruption",
                      "operator.error", "business.txn_type", "business.limit", "business.risk"]
        # which causes sit this seed out: a fixed rotation (so that every cause turns up over a run of
        # seeds) plus a little randomness
        rot = random.Random("gen13:rotation")
        fo, so = fleet_opt[:], single_opt[:]
        rot.shuffle(fo)
        rot.shuffle(so)
        kf, ks = 1 + (rng.random() < 0.3), 2 + (rng.random() < 0.5)
        drop = set(fo[(self.seed * 3 + i) % len(fo)] for i in range(kf)) | \
            set(so[(self.seed * 3 + i) % len(so)] for i in range(ks))
        self.used = set()  # terminals given a single-terminal fault
        n = [0]

        def fid():
            n[0] += 1
            return "F%03d-%02d" % (self.seed % 1000, n[0])

        def span(lo, hi, early=0.0):
            d = rng.uniform(lo, hi) * MIN
            if rng.random() < early:
                s = W0
            else:
                s = W0 + rng.uniform(0, max(1.0, (W1 - W0) - d))
            e = s + d
            return s, (e if e < W1 - 5 * MIN else W1)

        def pick_term(pred, avoid_sites=()):
            c = [t for t in self.terms if t.tid not in self.used and pred(t) and t.site.sid not in avoid_sites]
            if not c:
                c = [t for t in self.terms if pred(t)]
            if not c:
                return None
            busy = [x for x in c if x.merchant.rate * x.busy >= 6]
            if busy and rng.random() < 0.9:
                c = busy
            t = rng.choice(c)
            self.used.add(t.tid)
            return t

        F = []
        busy_sites = set()
        # --- site power (always) + a weak-signal terminal inside it
        sites = [s for s in self.sites if len(s.terms) >= 3 and any(not t.battery for t in s.terms)]
        sites_c = [s for s in sites if any(t.network == "cellular" for t in s.terms)]
        psite = wpick(rng, sites_c or sites, lambda x: vol(x.terms))
        busy_sites.add(psite.sid)
        s, e = span(50, 140)
        F.append(PowerSite(self, fid(), psite, s, e))
        cell = [t for t in psite.terms if t.network in ("cellular", "wifi") and t.battery] or \
               [t for t in psite.terms if t.network in ("cellular", "wifi")]
        if cell:
            t = rng.choice(cell)
            self.used.add(t.tid)
            F.append(WeakSignal(self, fid(), t, W0, W1, "inside a site with power trouble; terminal in the back room"))
        if rng.random() < 0.45:
            t = pick_term(lambda t: not t.battery, busy_sites)
            if t:
                s, e = span(60, 240, 0.3)
                F.append(PowerAdapter(self, fid(), t, s, e))
        # --- site LAN (always)
        lsites = [x for x in self.sites if x.sid not in busy_sites and
                  sum(1 for t in x.terms if t.network != "cellular") >= 2]
        lsites_mix = [x for x in lsites if any(t.network == "cellular" for t in x.terms)]
        lsite = wpick(rng, lsites_mix or lsites, lambda x: vol([t for t in x.terms if t.network != "cellular"]))
        busy_sites.add(lsite.sid)
        nets = set(t.network for t in lsite.terms)
        variant = "router"
        if "wifi" in nets and "ethernet" in nets and rng.random() < 0.3:
            variant = rng.choice(["ap", "switch"])
        s, e = span(25, 100)
        F.append(LanFault(self, fid(), lsite, s, e, variant))
        # --- fleet faults
        if "network.carrier" not in drop:
            groups = {}
            for t in self.terms:
                if t.network == "cellular" and t.carrier:
                    groups.setdefault((t.carrier, t.city), []).append(t)
            ok = sorted([k for k, v in groups.items() if len(v) >= 6])
            if ok:
                k = rng.choice(ok)
                s, e = span(25, 80)
                F.append(CarrierOutage(self, fid(), k[0], k[1], groups[k], s, e))
        if "software.bug" not in drop:
            counts = {}
            for t in self.terms:
                counts.setdefault(t.vendor, []).append(t)
            vs = sorted([v for v, ts in counts.items() if len(ts) >= 14])
            v = rng.choice(vs)
            ts = counts[v]
            models = sorted(set(t.model for t in ts))
            if len(models) > 1 and rng.random() < 0.5:
                mdl = rng.choice(models)
                if sum(1 for t in ts if t.model == mdl) >= 8:
                    ts = [t for t in ts if t.model == mdl]
            frac = rng.uniform(0.55, 0.85)
            cand = [t for t in ts if rng.random() < frac]
            variant = rng.choice(["nfc_crash", "mem_leak", "print_bug", "tls_bug"])
            t0 = W0 + rng.uniform(20, 110) * MIN
            F.append(FirmwareBug(self, fid(), v, models, cand, t0, variant, rng.random() < 0.4))
            # a benign rollout of another vendor as a confounder
            others = [x for x in vs if x != v]
            if others:
                self.benign = (rng.choice(others), W0 + rng.uniform(30, 200) * MIN)
        if "software.incompatible" not in drop:
            groups = {}
            for t in self.terms:
                oldest = VCFG[t.vendor]["app"][-1][0]
                if t.app_version == oldest:
                    groups.setdefault((t.host, t.vendor, t.app_version), []).append(t)
            ok = sorted([k for k, v in groups.items() if len(v) >= 3])
            if ok:
                k = rng.choice(ok)
                F.append(Incompatible(self, fid(), k[0], k[2], k[1], groups[k], W0 + rng.uniform(60, 210) * MIN,
                                      rng.choice(["tls", "msg"])))
                self.block(groups[k])
        acq_host = None
        if "upstream.acquirer" not in drop:
            acq_host = wchoice(rng, [("H1", 0.15), ("H2", 0.35), ("H3", 0.3), ("H4", 0.2)])
            s, e = span(10, 35)
            F.append(AcquirerOutage(self, fid(), acq_host, [t for t in self.terms if t.host == acq_host], s, e))
        if "upstream.issuer" not in drop:
            iss = rng.choice([i[0] for i in ISSUERS[1:8]])
            s, e = span(20, 70)
            F.append(IssuerOutage(self, fid(), iss, s, e))
        if "business.merchant" not in drop:
            ms = [m for m in self.merchants if len(m.sites) >= 2 and len(m.terms) <= 9] or \
                [m for m in self.merchants if len(m.terms) <= 9]
            m = wpick(rng, ms, lambda x: vol(x.terms))
            s = W0 + rng.uniform(40, 250) * MIN
            e = W1 if rng.random() < 0.5 else min(W1, s + rng.uniform(60, 140) * MIN)
            F.append(MerchantFrozen(self, fid(), m, s, e))
            self.block(m.terms)
            self.frozen = m
        if "security.certificate" not in drop:
            mode = rng.random()
            if mode < 0.75:
                groups = {}
                for t in self.terms:
                    if t.cert_not_after and t.tid not in self.used:
                        groups.setdefault((t.merchant.mid, t.vendor), []).append(t)
                ok = sorted([k for k, v in groups.items() if len(v) >= 3])
                if ok:
                    k = rng.choice(ok)
                    s = W0 + rng.uniform(30, 200) * MIN
                    s = s - (s % HOUR)
                    F.append(CertFault(self, fid(), groups[k], s, W1, "expiry",
                                       {"merchant_id": k[0], "vendor": k[1]}))
                    self.block(groups[k])
            if mode >= 0.6:
                t = pick_term(lambda t: t.vendor in ("landi", "verifone") or rng.random() < 0.3)
                if t:
                    s, e = span(60, 200, 0.2)
                    F.append(CertFault(self, fid(), [t], s, e, "clock", {"terminal_id": t.tid}))
        if "security.keys" not in drop:
            if rng.random() < 0.65:
                h = rng.choice(sorted(HOSTS))
                pool = [t for t in self.terms if t.host == h]
                pool.sort(key=lambda t: t.tid)
                k = rng.randint(5, 12)
                i = rng.randint(0, max(0, len(pool) - k))
                cand = pool[i:i + k]
                s, e = span(40, 150)
                F.append(KeysSync(self, fid(), cand, s, e, "fleet",
                                  {"host": h, "tid_range": [cand[0].tid, cand[-1].tid]}))
                self.block(cand)
            else:
                t = pick_term(lambda t: True)
                s, e = span(40, 180)
                F.append(KeysSync(self, fid(), [t], s, e, "single", {"terminal_id": t.tid}))
        # --- single-terminal faults
        if "hardware.keypad" not in drop:
            t = pick_term(lambda t: True)
            s, e = span(90, 300, 0.4)
            F.append(KeypadFault(self, fid(), t, s, e))
        if "hardware.display" not in drop:
            t = pick_term(lambda t: True)
            s, e = span(90, 300, 0.4)
            F.append(DisplayFault(self, fid(), t, s, e))
        if "hardware.card_reader" not in drop:
            for _ in range(1 if rng.random() < 0.7 else 2):
                t = pick_term(lambda t: True)
                s, e = span(90, 330, 0.4)
                F.append(CardReaderFault(self, fid(), t, s, e, wchoice(rng, [("ic", 0.6), ("nfc", 0.25), ("combo", 0.15)])))
        if "hardware.printer" not in drop:
            for _ in range(rng.randint(1, 3)):
                t = pick_term(lambda t: True)
                v = "paper_out" if rng.random() < 0.6 else "head"
                s, e = span(60, 200)
                F.append(PrinterFault(self, fid(), t, s, e, v))
        if "hardware.board" not in drop:
            t = pick_term(lambda t: True)
            v = rng.choice(["overheat", "overheat", "tamper"])
            s, e = span(60, 240, 0.2)
            F.append(BoardFault(self, fid(), t, s, e, v))
        if "power.battery" not in drop:
            t = pick_term(lambda t: t.battery and t.merchant.hand >= 0.3)
            t = t or pick_term(lambda t: t.battery)
            if t:
                s, e = span(120, 330, 0.5)
                F.append(BatteryWorn(self, fid(), t, s, e))
        if "network.signal" not in drop:
            t = pick_term(lambda t: t.network in ("cellular", "wifi"), busy_sites)
            s, e = span(60, 300, 0.3)
            F.append(WeakSignal(self, fid(), t, s, e, rng.choice(["basement shop", "metal counter", "far from the AP"])))
        if "resource.storage" not in drop:
            t = pick_term(lambda t: True)
            s, e = span(60, 200)
            F.append(StorageFull(self, fid(), t, s, e))
        if "resource.memory" not in drop:
            t = pick_term(lambda t: t.kind == "android")
            s, e = span(60, 240, 0.3)
            F.append(MemoryFault(self, fid(), t, s, e))
        if "resource.cpu" not in drop:
            t = pick_term(lambda t: True)
            s, e = span(40, 180)
            F.append(CpuFault(self, fid(), t, s, e))
        if "software.config" not in drop:
            t = pick_term(lambda t: True)
            s, e = span(40, 200)
            s = max(s, W0 + 3 * MIN)
            F.append(ConfigFault(self, fid(), t, s, e, rng.choice(["host_addr", "tid", "mid", "key_index", "timeout"])))
        if "transmission.corruption" not in drop:
            t = pick_term(lambda t: t.network == "ethernet" or rng.random() < 0.2)
            s, e = span(60, 240, 0.3)
            F.append(Corruption(self, fid(), t, s, e))
        if "operator.error" not in drop:
            t = pick_term(lambda t: t.merchant.rate >= 7)
            s, e = span(80, 200)
            F.append(OperatorFault(self, fid(), t, s, e))
        frozen = getattr(self, "frozen", None)
        if "business.txn_type" not in drop:
            hotels = [m for m in self.merchants if m.mcc == "7011" and m is not frozen]
            if hotels and rng.random() < 0.5:
                m, v = rng.choice(hotels), "preauth_off"
            else:
                m = wpick(rng, [m for m in self.merchants if m is not frozen], lambda x: vol(x.terms))
                v = rng.choice(["refund_off", "credit_off"])
            s = W0 + rng.uniform(10, 200) * MIN
            e = W1 if rng.random() < 0.6 else min(W1, s + rng.uniform(60, 150) * MIN)
            F.append(TxnTypeFault(self, fid(), m, s, e, v))
        if "business.limit" not in drop:
            if rng.random() < 0.6:
                ms = [m for m in self.merchants if m.amed >= 30000 and m is not frozen]
                m = wpick(rng, ms, lambda x: vol(x.terms))
                s = W0 + rng.uniform(10, 200) * MIN
                F.append(LimitFault(self, fid(), m, s, W1, "amount"))
            else:
                t = pick_term(lambda t: t.merchant.rate >= 11)
                s = W0 + rng.uniform(120, 280) * MIN
                F.append(LimitFault(self, fid(), t, s, W1, "count"))
        if "business.risk" not in drop:
            ms = [m for m in self.merchants if m.amed >= 8000 and m is not frozen and len(m.terms) <= 12]
            m = wpick(rng, ms, lambda x: vol(x.terms))
            s = W0 + rng.uniform(60, 250) * MIN
            e = W1 if rng.random() < 0.6 else min(W1, s + rng.uniform(60, 120) * MIN)
            F.append(RiskFault(self, fid(), m, s, e))
        self.faults = F
        for f in F:
            f.setup()

    def block(self, terms):
        """terminals taken by a fleet fault that stops everything are not given a single-terminal fault"""
        for t in terms:
            self.used.add(t.tid)

    # ---------------------------------------------------------------- helpers
    def netstate(self, term, t):
        rng = term.rng
        rssi = None
        if term.base_rssi is not None:
            rssi = term.base_rssi + rng.gauss(0, 2.0)
        ns = NS(term.base_rtt * rng.lognormvariate(0, 0.2), rssi, term.base_loss)
        for f in term.faults:
            if f.start <= t < f.end:
                f.net(term, t, ns)
        return ns

    def battery(self, term, t):
        if term.batt_series is None:
            return None
        i = clamp(int((t - term.batt_t0) // 60), 0, len(term.batt_series) - 1)
        return term.batt_series[i]

    def build_batteries(self):
        for term in self.terms:
            if not term.battery:
                continue
            rng = random.Random("gen13:%s:batt:%s" % (self.seed, term.tid))
            t0 = self.W0 - HOUR
            n = int((self.W1 + HOUR - t0) // 60) + 2
            pct = rng.uniform(45, 100)
            docked = True
            left = rng.uniform(5, 30)
            roam = term.merchant.hand
            ser = []
            for i in range(n):
                t = t0 + i * 60
                left -= 1
                if left <= 0:
                    docked = (not docked) if rng.random() < roam else True
                    left = rng.uniform(10, 40)
                mains = not any(a <= t < b for a, b in term.mains_off)
                if docked and mains:
                    pct = min(100, pct + rng.uniform(0.5, 1.2))
                else:
                    pct = max(3, pct - rng.uniform(0.12, 0.35))
                ser.append((pct, docked and mains))
            term.batt_t0 = t0
            term.batt_series = ser

    def supply(self, term, t):
        if term.battery:
            b = self.battery(term, t)
            if b is None or not b[1]:
                return None
            return round(5.0 + term.rng.gauss(0.05, 0.05), 2)
        return round(term.nominal * (1 + term.rng.gauss(0.01, 0.012)), 2)

    # ---------------------------------------------------------------- records
    def add(self, t, rec, truth=None):
        rec["_t"] = t
        self.records.append(rec)
        if truth is not None:
            self.tevents.append((rec, truth))
        return rec

    def uniq(self, term, t):
        t = int(t)
        while t in term.fail_secs:
            t += 1
        term.fail_secs.add(t)
        return t

    def tvars(self, term, ctx, out):
        rng = term.rng
        ip, port, _ = HOSTS[term.host]
        p = rng.choice(PARTS)
        v = {
            "host": "%s:%d" % (ip, port), "badhost": "%s:%d" % (ip, port), "gw": "192.168.%d.1" % rng.choice([0, 1, 10]),
            "ssid": "%s-POS" % term.site.sid, "pdp": rng.choice([33, 38, 29]), "csq": rng.randint(2, 8),
            "csq2": rng.randint(16, 28), "rssi": rng.randint(-115, -104), "ms": rng.choice([15000, 20000, 30000]),
            "sec": int(term.tmo // 1000), "stan": (ctx or {}).get("stan") or "000000", "exp": "?", "local": "?",
            "slot": 2, "key": rng.choice(["5", "8", "0", "OK"]), "hex": "%02X" % rng.randint(1, 255),
            "part": p[0], "partzh": p[1], "partc": p[2], "v": "%.1f" % (term.nominal * rng.uniform(0.6, 0.82)),
            "batt": rng.randint(2, 9), "n": rng.randint(1, 4), "temp": rng.randint(70, 85),
            "pct": rng.randint(97, 100), "kb": rng.choice([256, 512, 1024]),
            "mod": rng.choice(["libemv.so", "libiso8583.so", "PaymentService"]), "sig": rng.choice([6, 11]),
            "fld": rng.choice([4, 11, 39, 55, 62]),
        }
        if out is not None and out.extra:
            v.update(out.extra)
        return v

    def detail(self, term, cond, hint, vars_):
        lang = VCFG[term.vendor]["lang"]
        if lang == "mix":
            lang = "zh" if term.rng.random() < 0.5 else "en"
        tab = TEXTS[lang]
        tpl = tab.get("%s/%s" % (cond, hint)) if hint else None
        if tpl is None:
            tpl = tab.get(cond) or T_EN.get(cond) or [cond]
        s = term.rng.choice(tpl).format(**vars_)
        if term.vendor == "pax":
            s = "[%s] %s" % ({"connect": "COMM", "send": "COMM", "receive": "COMM", "tls": "SSL"}.get(
                COND_STAGE.get(cond), "SYS"), s)
        elif term.vendor == "verifone":
            s = "VFI %s" % s
        return s

    def emit_error(self, term, t, cond, hint, fault, ctx=None, out=None, stan=None):
        cfg = VCFG[term.vendor]
        rng = term.rng
        t = self.uniq(term, t)
        code = self.code_for(term.vendor, cond)
        rec = {"kind": "error", "terminal_id": term.tid, "code": code}
        if rng.random() < cfg["stage_p"]:
            rec["stage"] = COND_STAGE[cond]
        if rng.random() < 0.92:
            rec["detail"] = self.detail(term, cond, hint, self.tvars(term, ctx, out))
        st = stan or (ctx or {}).get("stan")
        if st and rng.random() < 0.9:
            rec["stan"] = st
        rec["_tz8"] = term.tz8
        if fault is not None and fault.fid is not None:
            fault.hit[term.tid] = 1
        return self.add(t, rec, (fault.cause, fault.fid))

    def emit_echo(self, term, t, rc, fault, ctx):
        lang = VCFG[term.vendor]["lang"]
        if lang == "mix":
            lang = "zh" if term.rng.random() < 0.6 else "en"
        en, zh = RC_TEXT.get(rc, ("declined", "交易失败"))
        t = self.uniq(term, t)
        rec = {"kind": "error", "terminal_id": term.tid, "code": rc, "stage": "receive",
               "detail": ("交易失败[%s]%s" % (rc, zh)) if lang == "zh" else ("DECLINED (%s) %s" % (rc, en.upper())),
               "stan": ctx.get("stan"), "_tz8": term.tz8}
        if fault.fid is not None:
            fault.hit[term.tid] = 1
        return self.add(t, rec, (fault.cause, fault.fid))

    def txn_record(self, term, t, ctx, rc=None, timed_out=False, latency=None, fault=None):
        rng = term.rng
        m = term.merchant
        rec = {"kind": "txn", "terminal_id": term.tid, "type": ctx["type"], "amount": int(ctx["amount"]),
               "currency": "156" if term.host == "H3" else "CNY"}
        if rng.random() < 0.95:
            rec["merchant_id"] = m.mid
        if ctx.get("stan"):
            rec["stan"] = ctx["stan"]
        if rng.random() < 0.97:
            rec["channel"] = ctx["channel"]
        if rng.random() < 0.9:
            rec["mcc"] = m.mcc if not (m.mcc_jump and rng.random() < 0.4) else rng.choice(["5411", "5311", "5999"])
        if timed_out:
            rec["timed_out"] = True
        else:
            rec["response_code"] = rc
            if rng.random() < 0.97:
                doy = datetime.fromtimestamp(t, timezone.utc).timetuple().tm_yday
                hh = datetime.fromtimestamp(t, timezone.utc).hour
                rec["rrn"] = "%03d%02d%d%s" % (doy, hh, int(term.host[1]), ctx["stan"])
        if latency is not None and rng.random() < 0.93:
            rec["latency_ms"] = int(latency)
        if rc == "00" and ctx["type"] in ("purchase", "completion"):
            rate = m.qr_rate if ctx["channel"] == "qr" else m.card_rate
            rec["fee"] = int(round(ctx["amount"] * rate))
        if ctx.get("card"):
            rec["pan"] = ctx["card"]["pan"]
        t = self.uniq(term, t) if (timed_out or rc != "00") else int(t)
        if fault is not None and fault.fid is not None:
            fault.hit[term.tid] = 1
        term.txn_times.append(t)
        return self.add(t, rec, (fault.cause, fault.fid) if fault is not None else None)

    # ---------------------------------------------------------------- txns
    def profile(self, prof, t):
        h = (t - self.W0) / HOUR + 10.0   # local hour
        if prof == "meal":
            return 0.35 + 1.6 * math.exp(-((h - 12.1) / 0.75) ** 2) + 0.2 * math.exp(-((h - 15.5) / 0.6) ** 2)
        if prof == "noon":
            return 0.8 + 0.5 * math.exp(-((h - 12.3) / 1.0) ** 2)
        if prof == "afternoon":
            return 0.45 + 0.12 * (h - 10)
        if prof == "hotel":
            return 0.4 + 0.9 * math.exp(-((h - 12.0) / 0.6) ** 2)
        return 0.9

    def make_card(self, rng, credit=None):
        iss = wchoice(rng, [(i, i[1]) for i in ISSUERS])
        bins = iss[2]
        if credit is not None:
            b2 = [b for b in bins if b[1] == credit]
            bins = b2 or bins
        b, cr, ln = rng.choice(bins)
        last4 = "%04d" % rng.randint(0, 9999)
        return {"issuer": iss[0], "bin": b, "credit": cr, "pan": b + "*" * (ln - 10) + last4}

    def new_ctx(self, term, t, inj=None):
        rng = term.rng
        m = term.merchant
        typ = "purchase"
        r = rng.random()
        fl = m.flags
        if inj:
            r = 1.0
        rb = fl.get("refund_boost")
        pb = fl.get("preauth_boost")
        if m.mcc == "7011" or (pb and pb[0] <= t < pb[1]):
            if r < 0.3:
                typ = "preauth"
            elif r < 0.45 and term.preauths:
                typ = "completion"
        if typ == "purchase" and not inj:
            r = rng.random()
            refund_p = 0.015 + (0.1 if rb and rb[0] <= t < rb[1] else 0)
            if r < 0.022 and term.approved:
                typ = "void"
            elif r < 0.022 + refund_p:
                typ = "refund"
            elif r < 0.032 + refund_p:
                typ = "balance"
        ch = wchoice(rng, [("card_ic", 0.42), ("nfc", 0.16), ("card_swipe", 0.04), ("qr", 0.38)])
        if typ in ("balance", "preauth", "completion") and ch == "qr":
            ch = "card_ic"
        amount = int(m.amed * rng.lognormvariate(0, m.asig))
        amount = max(100, amount - amount % 10)
        bb = fl.get("big_boost")
        if bb and bb[0] <= t < bb[1] and rng.random() < 0.3:
            amount = int(bb[2] * rng.uniform(1.05, 3.0))
        ctx = {"type": typ, "channel": ch, "amount": amount, "try": 0}
        if inj:
            ctx.update({k: v for k, v in inj.items() if k != "credit"})
        if typ == "void":
            o = rng.choice(term.approved)
            ctx["amount"], ctx["channel"] = o["amount"], o["channel"]
            ctx["card"] = o.get("card")
            if ctx["channel"] == "qr":
                ctx["card"] = None
        elif typ == "completion":
            o = term.preauths.pop(0)
            ctx["amount"], ctx["card"], ctx["channel"] = o["amount"], o["card"], o["channel"]
        elif typ == "balance":
            ctx["amount"] = 0
        if ctx["channel"] != "qr" and not ctx.get("card"):
            ctx["card"] = self.make_card(rng, credit=(inj or {}).get("credit"))
        if ctx["channel"] == "qr":
            ctx["card"] = None
        self.set_pin(ctx, rng)
        return ctx

    def set_pin(self, ctx, rng):
        c = ctx.get("card")
        ch = ctx["channel"]
        if not c or ctx["type"] in ("void", "completion"):
            ctx["pin"] = False
        elif ch == "nfc":
            ctx["pin"] = ctx["amount"] > 100000 and not c["credit"]
        else:
            ctx["pin"] = (not c["credit"]) or rng.random() < 0.5

    def arrivals(self, term):
        rng = term.rng
        m = term.merchant
        lam_max = m.rate * term.busy * 2.2 / HOUR
        t = self.W0
        out = []
        facs = [f for f in term.faults if type(f).rate is not Fault.rate]
        while True:
            t += rng.expovariate(lam_max)
            if t >= self.W1:
                break
            lam = m.rate * term.busy * self.profile(m.prof, t) / HOUR
            for f in facs:
                lam *= f.rate(term, t)
            if rng.random() < lam / lam_max:
                out.append(t)
        return out

    def run_stage(self, fl, st, term, t, ctx):
        for f in fl:
            if st in f.stages:
                o = f.stage(st, term, t, ctx)
                if o is not None:
                    return o
        return None

    def attempt(self, term, t0, ctx):
        rng = term.rng
        if term.is_down(t0):
            return Res("lost", t0)
        fl = [f for f in term.faults if f.start - 60 <= t0 < f.end + 300] + self.bg
        fl.sort(key=lambda f: f.prio)
        ctx["extra"] = []
        ctx.pop("tmo", None)
        typ = ctx["type"]
        tt = t0
        if typ == "reprint":
            o = self.run_stage(fl, "print", term, tt, ctx)
            if o is not None and o.kind == "err":
                self.emit_error(term, tt, o.cond, o.hint, o.fault, ctx, o)
                r = Res("ok", tt + 3)
                r.print_err = True
                return r
            return Res("ok", tt + 5)
        if typ != "reversal":
            tt += rng.uniform(3, 9)
            o = self.run_stage(fl, "entry", term, tt, ctx)
            if o is not None:
                return self.fail_local(term, tt, ctx, o)
            if ctx["channel"] != "qr":
                tt += rng.uniform(2, 6)
                o = self.run_stage(fl, "card_read", term, tt, ctx)
                if o is not None:
                    return self.fail_local(term, tt, ctx, o)
                if ctx["pin"]:
                    tt += rng.uniform(4, 14)
                    o = self.run_stage(fl, "pin", term, tt, ctx)
                    if o is not None:
                        return self.fail_local(term, tt, ctx, o)
            else:
                tt += rng.uniform(3, 8)
            tt += rng.uniform(0.2, 1.0)
            o = self.run_stage(fl, "local", term, tt, ctx)
            if o is not None:
                return self.fail_local(term, tt, ctx, o)
        d = term.down_between(t0, tt)
        if d is not None:
            return Res("lost", d[1])
        ctx["stan"] = term.next_stan()
        tt += 0.3
        ns = self.netstate(term, tt)
        o = None
        if not ns.up:
            o = Out("err", ns.blame, cond="conn", hint=ns.hint, extra=ns.extra)
        elif ns.blame is not None and rng.random() < ns.floss ** 1.5:
            o = Out("err", ns.blame, cond="conn", hint=ns.hint, extra=ns.extra)
        if o is None:
            o = self.run_stage(fl, "connect", term, tt, ctx)
        if o is not None:
            return self.fail_local(term, tt + rng.uniform(1, 20), ctx, o)
        tt += ns.rtt / 1000.0 * 2
        if ns.blame is not None and rng.random() < 0.2 * ns.floss:
            o = Out("err", ns.blame, cond="tls_to")
        else:
            o = self.run_stage(fl, "tls", term, tt, ctx)
        if o is not None:
            return self.fail_local(term, tt + rng.uniform(0.2, 3), ctx, o)
        tt += ns.rtt / 1000.0 * 2
        if ns.blame is not None and rng.random() < 0.2 * ns.floss:
            o = Out("err", ns.blame, cond="send")
        elif ns.blame is not None and rng.random() < 0.35 * ns.floss:
            # connection dropped after the request went out: the terminal waits for its timeout
            o = Out("timeout", ns.blame)
        else:
            o = self.run_stage(fl, "transport", term, tt, ctx)
        if o is not None:
            return self.fail_local(term, tt + rng.uniform(0.5, 3), ctx, o)
        # latency and timeouts
        lat = ns.rtt * 4 + rng.uniform(350, 1400) * rng.lognormvariate(0, 0.25) + \
            (rng.uniform(300, 1800) if ctx.get("card") else rng.uniform(200, 900))
        retr = 0.0
        if ns.floss > 0:
            rto0 = max(1000.0, 3 * ns.rtt)
            for _ in range(6):
                k = 0
                while k < 7 and rng.random() < ns.floss:
                    retr += rto0 * (2 ** k)
                    k += 1
        extras = ctx["extra"]
        total = lat + retr + sum(ms for ms, _ in extras)
        tmo = term.tmo
        tmo_by = None
        if ctx.get("tmo"):
            tmo, tmo_by = ctx["tmo"]
        d = term.down_between(tt, tt + min(total, tmo) / 1000.0)
        if d is not None:
            return self.interrupted(term, tt, ctx, d, lat)
        if total > tmo:
            contrib = [(retr, ns.blame)] + [(ms, f) for ms, f in extras]
            contrib = [c for c in contrib if c[1] is not None]
            blame = tmo_by
            if blame is None and contrib:
                blame = max(contrib, key=lambda c: c[0])[1]
            if blame is not None:
                return self.timeout(term, tt + tmo / 1000.0, ctx, blame, tmo)
            total = tmo * rng.uniform(0.6, 0.95)
        tr = tt + total / 1000.0
        o = self.run_stage(fl, "host", term, tr, ctx)
        if o is not None:
            if o.kind == "rc":
                self.txn_record(term, tr, ctx, rc=o.rc, latency=total, fault=o.fault)
                if o.cond and rng.random() < 0.85:
                    self.emit_error(term, tr + rng.uniform(0.5, 2), o.cond, o.hint, o.fault, ctx, o)
                elif VCFG[term.vendor]["echo"] and rng.random() < 0.9 and typ != "reversal":
                    self.emit_echo(term, tr + rng.uniform(0.5, 2), o.rc, o.fault, ctx)
                return Res("rc", tr + 2, o, rc=o.rc)
            if o.kind == "err":
                return self.fail_local(term, tr, ctx, o)
        o = self.run_stage(fl, "resp", term, tr, ctx)
        if o is not None and o.kind == "crash":
            # host approved, the app died before completing: host journal has the approval
            self.txn_record(term, tr, ctx, rc="00", latency=total)
            self.emit_error(term, tr + rng.uniform(1, 3), o.cond or "crash", o.hint, o.fault, ctx, o)
            term.add_down(tr + 2, rng.uniform(15, 40), "crash", None)
            term.ev["app_crashes"].append(tr)
            return Res("crash", tr + 45, o)
        self.txn_record(term, tr, ctx, rc="00", latency=total)
        res = Res("ok", tr + 2, rc="00")
        if typ in ("purchase", "completion"):
            term.approved.append({"amount": ctx["amount"], "channel": ctx["channel"], "card": ctx.get("card")})
            if len(term.approved) > 30:
                term.approved.pop(0)
        if typ == "preauth":
            term.preauths.append({"amount": ctx["amount"], "card": ctx.get("card"), "channel": ctx["channel"]})
        if typ in PRINT_TYPES:
            tp = tr + rng.uniform(0.5, 2.5)
            o = self.run_stage(fl, "print", term, tp, ctx)
            if o is not None:
                if o.kind == "reboot":
                    term.add_down(tp, rng.uniform(40, 80), "power_loss", o.fault, o.cond)
                    res.t = tp + 90
                else:
                    self.emit_error(term, tp, o.cond, o.hint, o.fault, ctx, o)
                    res.print_err = True
                    res.t = tp + 5
        return res

    def fail_local(self, term, t, ctx, o):
        d = term.is_down(t)
        if d is not None:
            return Res("lost", d[1])
        if o.kind == "timeout":
            tmo = ctx["tmo"][0] if ctx.get("tmo") else term.tmo
            return self.timeout(term, t + tmo / 1000.0, ctx, o.fault, tmo)
        if o.kind == "rc":
            self.txn_record(term, t, ctx, rc=o.rc, latency=None, fault=o.fault)
            return Res("rc", t + 2, o, rc=o.rc)
        if ctx["type"] == "reversal" and term.rng.random() < 0.5:
            return Res("err", t + 2, o)          # silent retry of a reversal
        self.emit_error(term, t, o.cond, o.hint, o.fault, ctx, o)
        return Res("err", t + 3, o)

    def timeout(self, term, t, ctx, fault, tmo):
        rng = term.rng
        rev = ctx["type"] == "reversal"
        if rev and rng.random() < 0.6:
            return Res("timeout", t + 3, Out("timeout", fault))   # retried silently, nothing journaled
        self.txn_record(term, t, ctx, timed_out=True, latency=tmo, fault=fault)
        if rng.random() < VCFG[term.vendor]["log_tmo"] * (0.4 if rev else 1.0):
            self.emit_error(term, t + rng.uniform(0.5, 2), "recv_to", None, fault, ctx)
        return Res("timeout", t + 3, Out("timeout", fault))

    def interrupted(self, term, tt, ctx, d, lat):
        rng = term.rng
        # the request may have reached the host before the terminal died
        if d[0] - tt > lat / 1000.0 * 0.6 and rng.random() < 0.7:
            self.txn_record(term, tt + lat / 1000.0, ctx, rc="00", latency=lat)
        if d[3] is not None:
            d[4] = "power_recover"
            d[5] = ctx.get("stan")
        return Res("interrupt", d[1], Out("interrupt", d[3]))

    def simulate_terminal(self, term):
        rng = term.rng
        heap = []
        seq = 0
        for t in self.arrivals(term):
            heap.append((t, seq, None))
            seq += 1
        for (t, inj) in term.injected:
            heap.append((t, seq, {"inject": inj}))
            seq += 1
        heapq.heapify(heap)
        while heap:
            t, _, a = heapq.heappop(heap)
            if t >= self.W1:
                continue
            if t < term.busy_until:
                seq += 1
                heapq.heappush(heap, (term.busy_until + rng.uniform(1, 12), seq, a))
                continue
            if a is None and term.fail_streak >= 4:
                # the cashier has given up on this terminal for a while (cash / personal QR instead)
                if t < term.avoid_until:
                    if rng.random() < 0.9:
                        continue
                else:
                    term.avoid_until = t + rng.uniform(10, 25) * MIN
            if a is None:
                ctx = self.new_ctx(term, t)
            elif "inject" in a:
                ctx = self.new_ctx(term, t, a["inject"])
            else:
                ctx = a["ctx"]
            res = self.attempt(term, t, ctx)
            term.busy_until = res.t + rng.uniform(1, 6)
            if ctx["type"] not in ("reversal", "reprint"):
                if res.kind == "ok":
                    term.fail_streak = 0
                elif res.kind != "lost" and not (res.out is not None and res.out.fault is not None
                                                 and res.out.fault.fid is None):
                    term.fail_streak += 1
            for (tn, cn) in self.follow_ups(term, ctx, res):
                seq += 1
                heapq.heappush(heap, (tn, seq, {"ctx": cn}))

    def follow_ups(self, term, ctx, res):
        rng = term.rng
        out = []
        typ = ctx["type"]
        k = res.kind
        if typ == "reversal":
            if k in ("err", "timeout", "interrupt") and ctx["rev_n"] < 3:
                c = dict(ctx)
                c["rev_n"] += 1
                out.append((res.t + rng.uniform(60, 180), c))
            elif k == "rc" and res.rc == "A0" and ctx["rev_n"] < 1:
                c = dict(ctx)
                c["rev_n"] += 1
                out.append((res.t + rng.uniform(120, 300), c))
            return out
        if typ == "reprint":
            return out
        if k in ("timeout", "interrupt", "crash"):
            rv = {"type": "reversal", "channel": ctx["channel"], "amount": ctx["amount"], "card": ctx.get("card"),
                  "pin": False, "rev_n": 0, "try": 0}
            out.append((res.t + rng.uniform(10, 60), rv))
        if k == "ok":
            if res.print_err and rng.random() < 0.5:
                out.append((res.t + rng.uniform(10, 40), {"type": "reprint", "channel": ctx["channel"],
                                                          "amount": ctx["amount"], "try": 0}))
            return out
        if k == "lost":
            if rng.random() < 0.4:
                c = self.retry_ctx(term, ctx, same=True)
                c["try"] = 0
                out.append((res.t + rng.uniform(5, 60), c))
            return out
        n = ctx.get("try", 0)
        if n >= 3 or (term.fail_streak >= 4 and rng.random() < 0.8):
            return out
        o = res.out
        cond = o.cond if o is not None else None
        rc = res.rc
        r = rng.random()
        if rc is not None and o is not None and o.fault is not None and o.fault.cause == "card.decline":
            if r < 0.45:
                c = self.retry_ctx(term, ctx, same=False)
            elif r < 0.7:
                c = self.retry_ctx(term, ctx, same=True, qr=True)
            else:
                return out
            out.append((res.t + rng.uniform(15, 60), c))
            return out
        if cond in ("ic_fail", "msr_fail", "nfc_fail", "wrong_insert", "tamper"):
            if n < 1 or r < 0.5:
                c = self.retry_ctx(term, ctx, same=True)
            elif ctx["channel"] == "card_ic" and r < 0.8:
                c = self.retry_ctx(term, ctx, same=True)
                c["channel"] = "card_swipe"
                c["fallback"] = True
            else:
                c = self.retry_ctx(term, ctx, same=True, qr=True)
            out.append((res.t + rng.uniform(5, 25), c))
            return out
        if cond == "cancel" or cond == "op_pwd":
            if r < 0.8:
                out.append((res.t + rng.uniform(8, 40), self.retry_ctx(term, ctx, same=True)))
            return out
        if r < 0.55 or (n == 0 and r < 0.8):
            c = self.retry_ctx(term, ctx, same=True)
        elif r < 0.85 and ctx["channel"] != "qr":
            c = self.retry_ctx(term, ctx, same=True, qr=True)
        else:
            return out
        out.append((res.t + rng.uniform(15, 70), c))
        return out

    def retry_ctx(self, term, ctx, same=True, qr=False):
        rng = term.rng
        c = {"type": ctx["type"], "channel": ctx["channel"], "amount": ctx["amount"], "try": ctx.get("try", 0) + 1,
             "card": ctx.get("card")}
        if c["type"] == "void" and ctx.get("op_mistake"):
            c["type"] = "purchase"
        if c["type"] == "refund" and ctx.get("op_mistake"):
            c["type"] = "purchase"
        if not same and c["channel"] != "qr":
            c["card"] = self.make_card(rng)
        if qr:
            if c["type"] in ("balance", "preauth", "completion"):
                c["channel"] = "card_ic"
            else:
                c["channel"] = "qr"
                c["card"] = None
                c["type"] = "purchase" if c["type"] not in ("refund",) else c["type"]
        if c["channel"] != "qr" and not c.get("card"):
            c["card"] = self.make_card(rng)
        self.set_pin(c, rng)
        return c

    # ---------------------------------------------------------------- boot errors, telemetry
    def boot_errors(self, term):
        rng = term.rng
        for d in sorted(term.downs, key=lambda d: d[0]):
            f, cond = d[3], d[4]
            if f is None or cond is None:
                continue
            if d[1] >= self.W1 + 600 or d[1] < self.W0 - 600:
                continue
            extra = {}
            if cond == "low_volt":
                extra["v"] = "%.1f" % (term.nominal * rng.uniform(0.62, 0.84))
            out = Out("err", f, cond=cond, extra=extra)
            self.emit_error(term, d[1] + rng.uniform(2, 10), cond, None, f, {"stan": d[5]} if d[5] else None, out,
                            stan=d[5])

    def telemetry(self, term):
        cfg = VCFG[term.vendor]
        fields = cfg["fields"]
        rng = random.Random("gen13:%s:tel:%s" % (self.seed, term.tid))
        term.rng_tel = rng
        for k in term.ev:
            term.ev[k].sort()
        term.txn_times.sort()
        downs = sorted(term.downs, key=lambda d: d[1])
        hb = cfg["hb"]
        t = self.W0 - rng.uniform(0, hb)
        prev = t - hb
        first = True
        fw_seen = (term.firmware, term.app_version)
        while t < self.W1:
            tnext = t + hb * rng.uniform(0.93, 1.07)
            if rng.random() < 0.015:        # a lost heartbeat
                t = tnext
                continue
            dn = term.is_down(t)
            ns = None if dn else self.netstate(term, t)
            if dn or not ns.up:
                if cfg["offline"] and rng.random() < 0.85:
                    self.add(t, {"kind": "telemetry", "terminal_id": term.tid, "online": False})
                t = tnext
                continue
            s = {"online": True}
            if term.network != "ethernet":
                s["rssi_dbm"] = int(round(ns.rssi)) if ns.rssi is not None else None
            lat = ns.rtt * (1 + ns.floss * 4) * rng.lognormvariate(0, 0.15)
            s["latency_ms"] = int(lat)
            s["packet_loss"] = round(clamp(ns.loss + (rng.uniform(0, 0.004) if term.network != "ethernet" else 0)
                                           + rng.gauss(0, 0.02) * ns.floss, 0, 1), 3)
            s["supply_v"] = self.supply(term, t)
            if term.battery:
                b = self.battery(term, t)
                s["battery_pct"] = int(b[0]) if b else None
            pe = self._count(term.ev["power_events"], prev, t)
            s["power_events"] = pe
            rb = None
            for d in downs:
                if prev < d[1] <= t:
                    rb = d[2]
            if rb:
                s["reboot"] = rb
            s["storage_used_pct"] = int(clamp(term.sto_base + (t - self.W0) / HOUR * 0.15 + rng.gauss(0, 0.3), 1, 100))
            s["memory_used_pct"] = int(clamp(term.mem_base + rng.gauss(0, 3), 5, 100))
            i = self._count(term.txn_times, t - 30, t + 30)
            cpu = term.cpu_base + rng.uniform(0, 8) + (rng.uniform(20, 45) if i else 0)
            s["cpu_pct"] = int(clamp(cpu, 1, 100))
            s["temp_c"] = int(term.temp_base + cpu / 10 + rng.gauss(0, 1))
            s["key_check"] = "ok"
            s["clock_skew_s"] = int(round(term.skew0 + rng.gauss(0, 1.2)))
            s["printer"] = "ok"
            s["keypad_errors"] = self._count(term.ev["keypad_errors"], prev, t) + (1 if rng.random() < 0.003 else 0)
            s["card_reader_errors"] = self._count(term.ev["card_reader_errors"], prev, t) + \
                (1 if rng.random() < 0.01 else 0)
            s["app_crashes"] = self._count(term.ev["app_crashes"], prev, t)
            fw = term.fw_at(t)
            for f in term.faults:
                f.telem(term, t, s)
            rec = {"kind": "telemetry", "terminal_id": term.tid}
            for k in fields:
                v = s.get(k)
                if v is None:
                    continue
                if k != "online" and rng.random() < 0.03:
                    continue
                if k in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes") and v == 0 \
                        and rng.random() < 0.5:
                    continue
                rec[k] = v
            if fw != fw_seen or (first and term.vendor in ("pax", "sunmi")):
                if fw[0] != fw_seen[0] or first:
                    rec["firmware"] = fw[0]
                if fw[1] != fw_seen[1] or first:
                    rec["app_version"] = fw[1]
                fw_seen = fw
            first = False
            self.add(t, rec)
            prev = t
            t = tnext

    @staticmethod
    def _count(lst, a, b):
        import bisect
        return bisect.bisect_right(lst, b) - bisect.bisect_right(lst, a)

    # ---------------------------------------------------------------- background
    def background(self):
        rng = random.Random("gen13:bg:%s" % self.seed)
        # a harmless firmware rollout of another vendor
        b = getattr(self, "benign", None)
        if b:
            v, t0 = b
            cand = [t for t in self.terms if t.vendor == v]
            newfw = VCFG[v]["fw"][0][0]
            for term in cand:
                if term.firmware == newfw or rng.random() < 0.5:
                    continue
                tu = t0 + rng.uniform(0, 90) * MIN
                if tu > self.W1 - 10 * MIN:
                    continue
                term.add_down(tu, rng.uniform(100, 200), "update", None)
                term.fw_changes.append((tu + 200, newfw, None))
                self.add(tu - 5, {"kind": "maintenance", "terminal_id": term.tid, "action": "firmware_update",
                                  "notes": "TMS push %s -> %s" % (term.firmware, newfw)})
        # user reboots
        for term in self.terms:
            if rng.random() < 0.04:
                term.add_down(self.W0 + rng.uniform(0, 6 * HOUR), rng.uniform(40, 80), "user", None)

    def inventory(self):
        t = self.W0 - 90 * MIN
        for m in self.merchants:
            rec = {"kind": "merchant", "merchant_id": m.mid, "mcc": m.mcc, "name": m.name, "city": m.city,
                   "settlement": m.settlement, "card_rate": m.card_rate, "qr_rate": m.qr_rate}
            if self.rng.random() < 0.1:
                rec["fixed_fee"] = 0
            self.add(t, rec)
            for s in m.sites:
                self.add(t, {"kind": "site", "site_id": s.sid, "merchant_id": m.mid, "name": s.name,
                             "city": s.city, "lat": s.lat, "lon": s.lon})
        for term in self.terms:
            self.add(t, self.terminal_record(term))

    def terminal_record(self, term):
        rng = self.rng
        rec = {"kind": "terminal", "terminal_id": term.tid, "vendor": term.vendor, "model": term.model,
               "serial": term.serial, "firmware": term.firmware, "app_version": term.app_version,
               "merchant_id": term.merchant.mid, "site_id": term.site.sid, "network": term.network,
               "host": term.host, "installed": term.installed}
        if term.carrier and rng.random() < 0.95:
            rec["carrier"] = term.carrier
        if term.cert_not_after:
            rec["cert_not_after"] = term.cert_not_after
        for k in ("serial", "installed", "host"):
            if rng.random() < 0.03:
                rec.pop(k, None)
        return rec

    def people(self):
        rng = random.Random("gen13:people:%s" % self.seed)
        # morning daily checks
        for term in self.terms:
            if rng.random() < 0.35:
                t = self.W0 - rng.uniform(5, 55) * MIN
                notes = rng.choice(["电源、键盘、屏幕正常", "daily check ok", "外观正常，打印正常", None])
                for f in term.faults:
                    if f.start <= self.W0 + 5 * MIN and rng.random() < 0.6:
                        if f.cause == "hardware.keypad":
                            notes = "按键%s偶尔不灵" % f.key
                        elif f.cause == "hardware.display":
                            notes = "屏幕偶有闪烁"
                        elif f.cause == "power.battery":
                            notes = "电池掉电快"
                rec = {"kind": "maintenance", "terminal_id": term.tid, "action": "daily_check"}
                if notes:
                    rec["notes"] = notes
                self.add(t, rec)
            elif rng.random() < 0.03:
                self.add(self.W0 + rng.uniform(0, 6 * HOUR), {"kind": "maintenance", "terminal_id": term.tid,
                                                              "action": rng.choice(["weekly_clean", "monthly_inspection"])})
        # customers complaining about ordinary declines
        decl = [(rec, tr) for rec, tr in self.tevents if tr[0] == "card.decline" and rec["kind"] == "txn"
                and rec.get("response_code") == "51"]
        for rec, tr in rng.sample(decl, min(len(decl), rng.randint(1, 3))):
            term = self.by_tid[rec["terminal_id"]]
            self.add(rec["_t"] + rng.uniform(10, 60) * MIN, {
                "kind": "complaint", "complaint_id": self.next_complaint_id(), "from": "customer",
                "merchant_id": term.merchant.mid, "terminal_id": term.tid,
                "text": rng.choice(["卡里明明有钱，刷卡却提示余额不足", "my card was declined but I have money on it"])})
        # a few "double charge" worries after timeouts
        tos = [rec for rec, tr in self.tevents if rec["kind"] == "txn" and rec.get("timed_out")]
        for rec in rng.sample(tos, min(len(tos), rng.randint(0, 2))):
            term = self.by_tid[rec["terminal_id"]]
            self.add(rec["_t"] + rng.uniform(30, 120) * MIN, {
                "kind": "complaint", "complaint_id": self.next_complaint_id(), "from": "customer",
                "merchant_id": term.merchant.mid, "terminal_id": term.tid,
                "text": "付款时POS超时，但是银行扣了钱，担心重复扣款"})

    # ---------------------------------------------------------------- run
    def run(self):
        self.build_world()
        self.plan_faults()
        self.background()
        self.build_batteries()
        for term in self.terms:
            self.simulate_terminal(term)
            self.boot_errors(term)
        for term in self.terms:
            self.telemetry(term)
        self.inventory()
        for f in self.faults:
            for (t, rec) in f.aftermath():
                self.add(t, rec)
        self.people()

    def write(self, out):
        os.makedirs(out, exist_ok=True)
        rng = random.Random("gen13:order:%s" % self.seed)
        buckets = {}
        keyed = []
        for i, r in enumerate(self.records):
            k = r["kind"]
            t = r["_t"]
            if k in ("merchant", "site") or (k == "terminal" and t < self.W0):
                lag = 0.0
            elif k == "telemetry":
                lag = rng.uniform(0, 3)
            elif k == "txn":
                lag = rng.uniform(0, 4) if rng.random() > 0.05 else rng.uniform(5, 40)
            elif k == "error":
                bk = (r["terminal_id"], int(t // 600))
                if bk not in buckets:
                    buckets[bk] = rng.uniform(10, 50) if rng.random() < 0.15 else rng.uniform(0, 3)
                lag = buckets[bk]
            else:
                lag = rng.uniform(0, 20)
            keyed.append((int(t) + lag, i, r))
        keyed.sort(key=lambda x: (x[0], x[1]))
        with open(os.path.join(out, "records.jsonl"), "w", encoding="utf-8") as fh:
            for _, _, r in keyed:
                ts = fmt_ts(r["_t"], r.get("_tz8", False))
                r["ts"] = ts
                o = {"kind": r["kind"], "ts": ts}
                for k, v in r.items():
                    if k[0] != "_" and k not in ("kind", "ts"):
                        o[k] = v
                fh.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
        nfail = {}
        for rec, tr in self.tevents:
            nfail[tr[1]] = nfail.get(tr[1], 0) + 1
        with open(os.path.join(out, "truth.jsonl"), "w", encoding="utf-8") as fh:
            for f in self.faults:
                tids = sorted(f.hit) if f.use_hit else sorted(f.tids)
                o = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope, "terminals": tids,
                     "start": fmt_ts(f.start), "end": fmt_ts(min(f.end, self.W1)), "variant": f.variant,
                     "detail": f.detail, "failed_events": nfail.get(f.fid, 0)}
                fh.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
            evs = sorted(self.tevents, key=lambda x: (x[0]["_t"], x[0]["terminal_id"]))
            for rec, (cause, fid) in evs:
                o = {"kind": "truth_event", "ts": rec["ts"], "terminal_id": rec["terminal_id"], "cause": cause,
                     "fault_id": fid}
                if rec["kind"] == "error":
                    o["code"] = rec["code"]
                    o["event"] = "error"
                else:
                    o["code"] = "timeout" if rec.get("timed_out") else rec.get("response_code")
                    o["event"] = "txn"
                if rec.get("stan"):
                    o["stan"] = rec["stan"]
                fh.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    ap = argparse.ArgumentParser(description="gen13: POS fleet fault generator (posdoc format v1)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    t0 = time.time()
    sim = Sim(a.seed)
    sim.run()
    sim.write(a.out)
    nrec = len(sim.records)
    print("gen13 seed=%d: %d records, %d faults, %d failed events, %.1fs -> %s" % (
        a.seed, nrec, len(sim.faults), len(sim.tevents), time.time() - t0, a.out))


if __name__ == "__main__":
    main()
