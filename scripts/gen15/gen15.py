#!/usr/bin/env python3
"""gen15 -- independent test-data generator for posdoc (record format v1).

Simulates a southern-China payment company's POS fleet over six summer
business hours, injects 15-25 overlapping faults that act only through
physics and symptoms, and writes

    DIR/records.jsonl   what a diagnosis system ingests (FORMAT.md v1)
    DIR/truth.jsonl     `truth` (one per fault) and `truth_event` (one per
                        failed event) records

Standard library only.  Deterministic by seed: every random stream is a
random.Random seeded with a string, no hash(), no iteration over sets.
"""
import argparse
import json
import math
import os
import random
import sys
from datetime import datetime, timezone, timedelta

TZ8 = timezone(timedelta(hours=8))

CAUSES = (
    "hardware.keypad", "hardware.display", "hardware.card_reader",
    "hardware.printer", "hardware.board", "power.supply", "power.battery",
    "network.signal", "network.lan", "network.carrier", "software.bug",
    "software.incompatible", "software.config", "transmission.corruption",
    "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type",
    "business.limit", "business.risk", "business.merchant",
    "upstream.acquirer", "upstream.issuer", "card.decline",
)

# --------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------
# name: (province code, admin code, abbreviation, lat, lon, chinese, coastal)
CITIES = {
    "guangzhou": ("44", "4401", "GZ", 23.13, 113.26, "广州", False),
    "shenzhen": ("44", "4403", "SZ", 22.54, 114.06, "深圳", True),
    "dongguan": ("44", "4419", "DG", 23.02, 113.75, "东莞", False),
    "foshan": ("44", "4406", "FS", 23.02, 113.12, "佛山", False),
    "zhuhai": ("44", "4404", "ZH", 22.27, 113.58, "珠海", True),
    "shantou": ("44", "4405", "ST", 23.35, 116.68, "汕头", True),
    "zhanjiang": ("44", "4408", "ZJ", 21.27, 110.36, "湛江", True),
    "nanning": ("45", "4501", "NN", 22.82, 108.37, "南宁", False),
    "guilin": ("45", "4503", "GL", 25.27, 110.29, "桂林", False),
    "beihai": ("45", "4505", "BH", 21.48, 109.12, "北海", True),
    "haikou": ("46", "4601", "HK", 20.04, 110.34, "海口", True),
    "sanya": ("46", "4602", "SY", 18.25, 109.51, "三亚", True),
    "xiamen": ("35", "3502", "XM", 24.48, 118.09, "厦门", True),
    "fuzhou": ("35", "3501", "FZ", 26.07, 119.30, "福州", True),
    "quanzhou": ("35", "3505", "QZ", 24.87, 118.68, "泉州", True),
}
CITY_ORDER = tuple(CITIES.keys())

CARRIERS = (("cmcc", 55), ("cucc", 25), ("ctcc", 20))
HOSTS = (("H1", 38), ("H2", 30), ("H3", 20), ("H4", 12))
HOST_CURRENCY = {"H1": "CNY", "H2": "CNY", "H3": "156", "H4": "CNY"}
HOST_TS = {"H1": "Z", "H2": "L", "H3": "Z", "H4": "Z"}

# --------------------------------------------------------------------------
# Card issuers (BINs are illustrative; local banks weigh more at home)
# slug, bin, credit, weight, home province or "", pan length
# --------------------------------------------------------------------------
ISSUERS = (
    ("icbc", "622202", False, 10, "", 19),
    ("icbc", "625330", True, 4, "", 16),
    ("ccb", "621700", False, 10, "", 19),
    ("ccb", "625966", True, 3, "", 16),
    ("abc", "622848", False, 10, "", 19),
    ("boc", "621661", False, 6, "", 19),
    ("boc", "625907", True, 3, "", 16),
    ("cmb", "621483", False, 6, "", 16),
    ("cmb", "622588", True, 5, "", 16),
    ("bocom", "622262", False, 4, "", 19),
    ("psbc", "621799", False, 6, "", 19),
    ("cgb", "625809", True, 3, "", 16),
    ("pab", "623058", False, 4, "", 19),
    ("cib", "622909", False, 3, "35", 18),
    ("gd_rcu", "623595", False, 3, "44", 19),
    ("gx_rcu", "623599", False, 3, "45", 19),
    ("hn_rcu", "623586", False, 3, "46", 19),
    ("fj_rcu", "621267", False, 3, "35", 19),
    ("gz_bank", "621018", False, 1, "44", 16),
    ("xm_bank", "622399", False, 1, "35", 16),
)

# --------------------------------------------------------------------------
# Merchant types
# --------------------------------------------------------------------------
# forms: weights countertop / desktop(android, mains) / handheld
MTYPES = {
    "restaurant": dict(mcc="5812", names=("海鲜酒家", "粥粉面馆", "烧腊快餐", "大排档", "砂锅粥", "牛肉火锅", "茶餐厅"),
                       terms=(1, 4), forms=(40, 20, 40), outdoor=False, amt=(8500, 0.7), peak=12, share=17),
    "tea_house": dict(mcc="5812", names=("早茶茶楼", "点心茶楼", "老字号茶楼"),
                      terms=(1, 3), forms=(40, 0, 60), outdoor=False, amt=(12000, 0.6), peak=10, share=7),
    "fuel": dict(mcc="5541", names=("加油站", "石化加油站", "能源加油站"),
                 terms=(2, 5), forms=(50, 0, 50), outdoor=True, amt=(26000, 0.55), peak=16, share=6),
    "wet_market": dict(mcc="5411", names=("菜市场档口", "海鲜档", "猪肉档", "果蔬档", "干货档"),
                       terms=(1, 1), forms=(0, 0, 100), outdoor=True, amt=(2600, 0.8), peak=11, share=11),
    "pharmacy": dict(mcc="5912", names=("大药房", "药店", "医药连锁"),
                     terms=(1, 2), forms=(55, 45, 0), outdoor=False, amt=(6000, 0.7), peak=6, share=8),
    "hotel": dict(mcc="7011", names=("大酒店", "商务酒店", "度假酒店", "精品民宿"),
                  terms=(2, 4), forms=(80, 0, 20), outdoor=False, amt=(45000, 0.6), peak=4, share=6),
    "supermarket": dict(mcc="5411", names=("超市", "生活超市", "便利超市"),
                        terms=(2, 6), forms=(60, 40, 0), outdoor=False, amt=(9000, 0.85), peak=18, share=8),
    "parking": dict(mcc="7523", names=("停车场", "地下停车场", "商业广场停车场"),
                    terms=(2, 4), forms=(70, 0, 30), outdoor=True, amt=(1000, 0.5), peak=16, share=6),
    "bubble_tea": dict(mcc="5814", names=("奶茶", "茶饮", "鲜果茶"),
                       terms=(1, 2), forms=(0, 70, 30), outdoor=False, amt=(1800, 0.35), peak=18, share=9),
    "night_market": dict(mcc="5499", names=("夜市小吃", "烧烤摊", "糖水铺", "炒冰档"),
                         terms=(1, 1), forms=(0, 0, 100), outdoor=True, amt=(3500, 0.6), peak=10, share=6),
    "logistics": dict(mcc="4215", names=("快递驿站", "物流网点", "货运部"),
                      terms=(1, 3), forms=(30, 0, 70), outdoor=False, amt=(2500, 0.9), peak=8, share=6),
}
MTYPE_ORDER = tuple(MTYPES.keys())


def rate_curve(mtype, h):
    """Relative activity (0..1) of a merchant type at local hour h (float)."""
    def band(a, b):
        return a <= h < b
    if mtype == "restaurant":
        return 1.0 if band(11.5, 13.5) or band(17.5, 20.5) else (0.45 if band(10, 11.5) else 0.22)
    if mtype == "tea_house":
        return 1.0 if band(7.5, 11.5) else (0.8 if band(11.5, 14) else 0.3)
    if mtype == "fuel":
        return 1.0 if band(7, 9) or band(17, 19.5) else 0.6
    if mtype == "wet_market":
        return 1.0 if band(6, 10) else (0.75 if band(15.5, 18.5) else (0.6 if band(10, 12) else 0.3))
    if mtype == "pharmacy":
        return 0.9 if band(9, 11) or band(19, 21) else 0.55
    if mtype == "hotel":
        return 1.0 if band(11, 13) else (0.85 if band(14, 18.5) else 0.3)
    if mtype == "supermarket":
        return 1.0 if band(17, 21) else (0.8 if band(10, 12.5) else 0.5)
    if mtype == "parking":
        return 1.0 if band(17, 19.5) else (0.85 if band(11, 14) else 0.45)
    if mtype == "bubble_tea":
        return 1.0 if band(13.5, 17.5) else (0.9 if band(19, 22) else (0.7 if band(11, 13.5) else 0.35))
    if mtype == "night_market":
        return 1.0 if band(18, 24) else (0.45 if band(16.5, 18) else 0.04)
    if mtype == "logistics":
        return 1.0 if band(14, 18) else (0.85 if band(9, 12) else 0.3)
    return 0.5


# --------------------------------------------------------------------------
# Terminal models.  ff: countertop (mains, classic OS) / desktop (mains,
# Android) / handheld (battery).  vn: nominal supply voltage.
# --------------------------------------------------------------------------
MODELS = {
    "S90":      dict(vendor="pax", ff="countertop", android=False, vn=9.0, keys=True,
                     fw=("PX.S90.3.2.0", "PX.S90.3.1.8", "PX.S90.3.0.5")),
    "A920":     dict(vendor="pax", ff="handheld", android=True, vn=None, keys=False,
                     fw=("PayDroid-A920-7.3.2", "PayDroid-A920-7.3.0", "PayDroid-A920-7.1.9")),
    "N910":     dict(vendor="newland", ff="handheld", android=True, vn=None, keys=True,
                     fw=("NL910_V2.8.1", "NL910_V2.8.0", "NL910_V2.6.7")),
    "N5":       dict(vendor="newland", ff="desktop", android=True, vn=12.0, keys=False,
                     fw=("NL5_V1.4.3", "NL5_V1.4.1")),
    "A8":       dict(vendor="landi", ff="handheld", android=True, vn=None, keys=True,
                     fw=("LA8-5.10.2", "LA8-5.10.0", "LA8-5.9.6")),
    "E350":     dict(vendor="landi", ff="countertop", android=False, vn=5.0, keys=True,
                     fw=("LE350-2.21", "LE350-2.19", "LE350-2.14")),
    "VX520":    dict(vendor="verifone", ff="countertop", android=False, vn=12.0, keys=True,
                     fw=("QT5200R9", "QT5200R8", "QT5200R6")),
    "V240m":    dict(vendor="verifone", ff="handheld", android=False, vn=None, keys=True,
                     fw=("VOS2-30910600", "VOS2-30910400")),
    "Desk3500": dict(vendor="ingenico", ff="countertop", android=False, vn=12.0, keys=True,
                     fw=("TETRA-11.20.3", "TETRA-11.16.1", "TETRA-11.10.0")),
    "Move5000": dict(vendor="ingenico", ff="handheld", android=False, vn=None, keys=True,
                     fw=("TETRA-M-11.20.3", "TETRA-M-11.16.1")),
    "K9":       dict(vendor="centerm", ff="countertop", android=False, vn=12.0, keys=True,
                     fw=("CTK9_04.07", "CTK9_04.05", "CTK9_03.11")),
    "C960F":    dict(vendor="centerm", ff="desktop", android=True, vn=12.0, keys=False,
                     fw=("CT-OS 9.2.16", "CT-OS 9.2.12")),
    "P2":       dict(vendor="sunmi", ff="handheld", android=True, vn=None, keys=False,
                     fw=("SUNMI-P2-2.4.11", "SUNMI-P2-2.4.7", "SUNMI-P2-2.3.30")),
    "T2s":      dict(vendor="sunmi", ff="desktop", android=True, vn=24.0, keys=False,
                     fw=("SUNMI-T2S-3.1.18", "SUNMI-T2S-3.1.12")),
    "V2s":      dict(vendor="sunmi", ff="handheld", android=True, vn=None, keys=False,
                     fw=("SUNMI-V2S-2.9.5", "SUNMI-V2S-2.9.1")),
    "K370":     dict(vendor="xgd", ff="countertop", android=False, vn=9.0, keys=True,
                     fw=("XGD-K370-V1.9.7", "XGD-K370-V1.9.2", "XGD-K370-V1.8.0")),
    "G3":       dict(vendor="xgd", ff="handheld", android=False, vn=None, keys=True,
                     fw=("XGD-G3-V3.3.1", "XGD-G3-V3.2.9")),
    "KS8223":   dict(vendor="szzt", ff="handheld", android=True, vn=None, keys=True,
                     fw=("ZT8223_A11_1.0.19", "ZT8223_A11_1.0.15", "ZT8223_A11_1.0.11")),
    "i9100":    dict(vendor="urovo", ff="handheld", android=True, vn=None, keys=True,
                     fw=("UBX-i9100-11.1.42", "UBX-i9100-11.1.37")),
    "i9000s":   dict(vendor="urovo", ff="handheld", android=True, vn=None, keys=True,
                     fw=("UBX-i9000s-9.0.88", "UBX-i9000s-9.0.81")),
}
MODEL_ORDER = tuple(MODELS.keys())
VENDOR_SHARE = {"pax": 18, "newland": 16, "landi": 12, "centerm": 10, "sunmi": 12,
                "xgd": 9, "verifone": 6, "ingenico": 6, "szzt": 6, "urovo": 5}
ANDROID_APPS = ("5.2.1", "5.2.0", "5.1.4", "4.9.8")
ANDROID_APP_W = (48, 26, 16, 10)
CLASSIC_APPS = {"pax": ("PXPAY-2.6.3", "PXPAY-2.6.1"), "landi": ("LDPAY-1.17", "LDPAY-1.15"),
                "verifone": ("VFCUP-4.02", "VFCUP-4.01"), "ingenico": ("ICUP-3.3.0", "ICUP-3.2.8"),
                "centerm": ("CTPAY-6.1", "CTPAY-6.0"), "xgd": ("XGPAY-2.05", "XGPAY-2.03"),
                "newland": ("NLPAY-3.1", "NLPAY-3.0")}

# --------------------------------------------------------------------------
# Error kinds (internal only; never written) and their default stage
# --------------------------------------------------------------------------
KIND_STAGE = {
    "COMM_CONNECT": "connect", "COMM_REFUSED": "connect", "COMM_DNS": "connect",
    "COMM_NO_NET": "connect", "COMM_CELL_REG": "connect", "COMM_SEND": "send",
    "COMM_RECV_TO": "receive", "HB_FAIL": "connect",
    "TLS_EXPIRED": "tls", "TLS_NOTYETVALID": "tls", "TLS_UNTRUSTED": "tls", "TLS_PROTO": "tls",
    "MSG_FORMAT": "receive", "MSG_VERSION": "receive", "MAC_ERR": "mac", "KEY_MISSING": "mac",
    "PINPAD_COMM": "pin", "POWER_LOW_V": "power_on", "POWER_OVER_V": "power_on",
    "POWER_RESET": "power_on", "BATT_LOW": "power_on", "BATT_FAULT": "power_on",
    "PRN_PAPER": "print", "PRN_FAULT": "print", "ICC_FAIL": "card_read", "MSR_FAIL": "card_read",
    "NFC_FAIL": "card_read", "CARD_REMOVED": "card_read", "KEY_STUCK": "pin",
    "DISP_FAULT": "app", "BOARD_SENSOR": "power_on", "BOARD_THERMAL": "app",
    "APP_CRASH": "app", "APP_ANR": "app", "STORAGE_FULL": "app", "MEM_LOW": "app",
    "CPU_SLOW": "app", "USER_CANCEL": "app", "PIN_TIMEOUT": "pin", "INPUT_INVALID": "app",
    "PARAM_INVALID": "app",
}
MOD = {"COMM": ("COMM_CONNECT", "COMM_REFUSED", "COMM_DNS", "COMM_NO_NET", "COMM_CELL_REG",
                "COMM_SEND", "COMM_RECV_TO", "HB_FAIL"),
       "SSL": ("TLS_EXPIRED", "TLS_NOTYETVALID", "TLS_UNTRUSTED", "TLS_PROTO"),
       "ISO": ("MSG_FORMAT", "MSG_VERSION"),
       "SEC": ("MAC_ERR", "KEY_MISSING", "PINPAD_COMM"),
       "PWR": ("POWER_LOW_V", "POWER_OVER_V", "POWER_RESET", "BATT_LOW", "BATT_FAULT"),
       "PRN": ("PRN_PAPER", "PRN_FAULT"),
       "CARD": ("ICC_FAIL", "MSR_FAIL", "NFC_FAIL", "CARD_REMOVED"),
       "HMI": ("KEY_STUCK", "DISP_FAULT", "USER_CANCEL", "PIN_TIMEOUT", "INPUT_INVALID"),
       "SYS": ("BOARD_SENSOR", "BOARD_THERMAL", "APP_CRASH", "APP_ANR", "STORAGE_FULL",
               "MEM_LOW", "CPU_SLOW", "PARAM_INVALID")}
KIND_MOD = {}
for _m, _ks in MOD.items():
    for _k in _ks:
        KIND_MOD[_k] = _m

# Raw reasons: English, Chinese, terse.  Placeholders filled per event.
MSG = {
    "COMM_CONNECT": (("connect to {host} {ip}:{port} failed: timeout {cto}ms", "tcp connect errno=110 (ETIMEDOUT) host={host}"),
                     ("连接主机失败({host}) 连接超时", "网络连接失败,请检查网络"), ("COMMS ERR - NO CONNECT", "CONN FAIL")),
    "COMM_REFUSED": (("connect {ip}:{port} refused (ECONNREFUSED)",), ("主机拒绝连接 {ip}:{port}",), ("CONN REFUSED",)),
    "COMM_DNS": (("getaddrinfo({hostname}) failed: EAI_NONAME",), ("域名解析失败 {hostname}",), ("DNS FAIL",)),
    "COMM_NO_NET": (("network unavailable ({net})", "no route to host, link down"), ("网络未连接({netcn})", "无可用网络,链路断开"), ("NO LINE", "NO NETWORK")),
    "COMM_CELL_REG": (("PDP context activation failed, CSQ={csq}", "modem: +CGATT: 0, +CSQ: {csq},99"), ("无线拨号失败 CSQ={csq}", "PDP激活失败 信号强度{csq}"), ("GPRS ATTACH FAIL", "PPP FAIL")),
    "COMM_SEND": (("send {n} bytes failed: broken pipe (EPIPE)", "send failed errno=104 (ECONNRESET)"), ("发送数据失败", "数据发送失败,连接被重置"), ("SEND ERR",)),
    "COMM_RECV_TO": (("recv timeout after {to}ms, stan={stan}", "no response from host {host} within {to}ms"), ("接收超时", "主机无应答,超时{tos}秒"), ("HOST TIMEOUT", "NO ANSWER")),
    "HB_FAIL": (("TMS heartbeat failed, retry in 60s",), ("TMS心跳上送失败",), ("TMS FAIL",)),
    "TLS_EXPIRED": (("SSL handshake failed: certificate has expired (X509 err 10)",), ("证书校验失败:证书已过期",), ("SSL ERR 10",)),
    "TLS_NOTYETVALID": (("SSL handshake failed: certificate is not yet valid (X509 err 9), systime {systime}",), ("证书校验失败:证书尚未生效 系统时间{systime}",), ("SSL ERR 9",)),
    "TLS_UNTRUSTED": (("SSL verify failed: unable to get local issuer certificate (X509 err 20)",), ("证书校验失败:无法验证服务器证书颁发者",), ("SSL ERR 20",)),
    "TLS_PROTO": (("SSL handshake failed: tlsv1 alert protocol version (alert 70)",), ("SSL握手失败:协议版本不被支持",), ("SSL ALERT 70",)),
    "MSG_FORMAT": (("unpack failed: field {f} length mismatch ({n} bytes)", "response frame check failed, {n} bytes received"), ("报文解包失败:第{f}域长度错误", "报文校验失败,收到{n}字节"), ("UNPACK ERR", "BAD RESP")),
    "MSG_VERSION": (("host rejected: message spec {spec} not supported (rc=30)",), ("主机拒绝:报文规范{spec}不再支持",), ("FORMAT ERR 30",)),
    "MAC_ERR": (("MAC verify failed, host rc=A0",), ("MAC校验错(A0),请重新签到",), ("MAC ERR",)),
    "KEY_MISSING": (("working key not loaded (TPK/TAK idx {ki}), logon required",), ("工作密钥未下载,请先签到",), ("NO KEYS",)),
    "PINPAD_COMM": (("PIN pad link error on {port2}: no ACK", "PIN pad frame CRC error on {port2}"), ("密码键盘通讯错误", "密码键盘数据校验错"), ("PINPAD ERR",)),
    "POWER_LOW_V": (("supply voltage low VIN={v}V",), ("电源电压过低 {v}V",), ("LOW POWER",)),
    "POWER_OVER_V": (("supply over-voltage VIN={v}V, input protection",), ("电源电压过高 {v}V",), ("OVER VOLT",)),
    "POWER_RESET": (("abnormal shutdown detected (brown-out reset), journal recovered",), ("检测到异常掉电,流水已恢复",), ("PWR FAIL RESTART",)),
    "BATT_LOW": (("battery low {batt}%, transaction refused",), ("电量不足({batt}%),请充电",), ("LOW BATTERY",)),
    "BATT_FAULT": (("battery fault: charging stopped, NTC {btemp}C",), ("电池异常,已停止充电 电池温度{btemp}℃",), ("BATT FAULT",)),
    "PRN_PAPER": (("printer out of paper",), ("打印机缺纸",), ("PAPER OUT",)),
    "PRN_FAULT": (("printer head overheat {ptemp}C", "printer jam / motor stall"), ("打印头过热", "打印机卡纸"), ("PRINTER ERR",)),
    "ICC_FAIL": (("ICC power-on failed: no ATR (slot 0)", "ICC APDU error SW=6F00"), ("IC卡读卡失败,请重新插卡", "IC卡上电失败"), ("ICC PWR FAIL", "CHIP ERR")),
    "MSR_FAIL": (("MSR read error: track 2 LRC",), ("磁条卡读取失败,请重刷",), ("MSR ERR", "SWIPE AGAIN")),
    "NFC_FAIL": (("contactless: no card / collision, field off",), ("非接读卡失败",), ("CTLS ERR",)),
    "CARD_REMOVED": (("card removed during transaction",), ("卡片被拔出,交易终止",), ("CARD REMOVED",)),
    "KEY_STUCK": (("keypad: key '{k}' stuck, scan abnormal",), ("按键{k}卡住/无响应",), ("KEY ERR",)),
    "DISP_FAULT": (("LCD controller init failed", "touch panel no response"), ("显示屏驱动异常", "触摸屏无响应"), ("DISPLAY ERR",)),
    "BOARD_SENSOR": (("tamper sensor {n} triggered, secure keys erased", "RTC/sensor read failure on I2C bus"), ("安全触发(防拆{n}),密钥已清除", "主板传感器读取失败"), ("TAMPER", "HW FAULT")),
    "BOARD_THERMAL": (("board temperature {temp}C exceeds limit, throttling",), ("主板温度过高({temp}℃)",), ("OVERHEAT",)),
    "APP_CRASH": (("payment app crashed: SIGSEGV in {lib}", "FATAL EXCEPTION: main java.lang.NullPointerException at {cls}"), ("支付应用异常退出({lib})",), ("APP FAULT",)),
    "APP_ANR": (("watchdog: task {task} not responding {ms}ms",), ("应用无响应,看门狗复位",), ("WDT RESET",)),
    "STORAGE_FULL": (("write journal failed: no space left on device ({kb}KB free)",), ("存储空间不足,流水写入失败(剩余{kb}KB)",), ("MEM FULL",)),
    "MEM_LOW": (("java.lang.OutOfMemoryError: Failed to allocate a {bytes} byte allocation", "low memory: {kb}KB free"), ("内存不足,剩余{kb}KB",), ("LOW RAM",)),
    "CPU_SLOW": (("operation timeout: {task} took {ms}ms (cpu {cpu}%)",), ("处理超时({task} {ms}ms)",), ("TIMEOUT",)),
    "USER_CANCEL": (("transaction cancelled by operator",), ("交易已取消",), ("CANCELLED",)),
    "PIN_TIMEOUT": (("PIN entry timeout (60s)",), ("输入密码超时",), ("PIN TIMEOUT",)),
    "INPUT_INVALID": (("invalid input: {what}",), ("输入有误:{whatcn}",), ("INVALID ENTRY",)),
    "PARAM_INVALID": (("terminal parameters invalid: {what}",), ("终端参数错误:{whatcn}",), ("PARAM ERR",)),
}


def _codes(spec):
    out = {}
    for code, kinds in spec:
        for k in kinds.split():
            out[k] = code
    return out


TLS4 = "TLS_EXPIRED TLS_NOTYETVALID TLS_UNTRUSTED TLS_PROTO"
VENDORS = {
    # pax: display codes E1..E26; E1 = communication failure of any kind
    "pax": dict(style="mixed", stage=True, ts="L", hb=120, to=60000, hb_log=True,
                tele=("online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
                      "reboot", "storage_used_pct", "memory_used_pct", "key_check", "printer", "app_crashes"),
                codes=_codes((("E1", "COMM_CONNECT COMM_REFUSED COMM_DNS COMM_NO_NET COMM_CELL_REG COMM_RECV_TO HB_FAIL"),
                              ("E2", "COMM_SEND"), ("E3", TLS4), ("E4", "MSG_FORMAT"), ("E5", "MAC_ERR KEY_MISSING"),
                              ("E6", "MSG_VERSION"), ("E7", "PRN_PAPER"), ("E8", "PRN_FAULT"), ("E9", "PINPAD_COMM"),
                              ("E10", "POWER_LOW_V POWER_OVER_V"), ("E11", "POWER_RESET"), ("E12", "BATT_LOW BATT_FAULT"),
                              ("E13", "ICC_FAIL MSR_FAIL"), ("E14", "NFC_FAIL"), ("E15", "CARD_REMOVED"), ("E16", "KEY_STUCK"),
                              ("E17", "DISP_FAULT"), ("E18", "BOARD_SENSOR"), ("E19", "BOARD_THERMAL"),
                              ("E20", "APP_CRASH APP_ANR"), ("E21", "STORAGE_FULL"), ("E22", "MEM_LOW"), ("E23", "CPU_SLOW"),
                              ("E00", "USER_CANCEL"), ("E24", "PIN_TIMEOUT"), ("E25", "INPUT_INVALID"), ("E26", "PARAM_INVALID")))),
    # newland: E1 = terminal state error (keys not loaded, params invalid, journal full)
    "newland": dict(style="cn_bracket", stage=True, ts="L", hb=180, to=60000, hb_log=False,
                    tele=("online", "rssi_dbm", "latency_ms", "battery_pct", "supply_v", "power_events", "reboot",
                          "printer", "key_check", "card_reader_errors", "keypad_errors"),
                    codes=_codes((("E1", "KEY_MISSING PARAM_INVALID STORAGE_FULL"),
                                  ("E2", "COMM_CONNECT COMM_REFUSED COMM_DNS COMM_NO_NET COMM_CELL_REG COMM_SEND"),
                                  ("E3", "COMM_RECV_TO"), ("E4", "MSG_FORMAT MSG_VERSION"), ("E5", "MAC_ERR"), ("E6", TLS4),
                                  ("E7", "PINPAD_COMM"), ("E8", "PRN_PAPER"), ("E9", "PRN_FAULT"), ("E10", "ICC_FAIL MSR_FAIL"),
                                  ("E11", "NFC_FAIL"), ("E12", "CARD_REMOVED"), ("E13", "KEY_STUCK"), ("E14", "DISP_FAULT"),
                                  ("E15", "BOARD_SENSOR BOARD_THERMAL"), ("E16", "POWER_LOW_V POWER_OVER_V POWER_RESET"),
                                  ("E17", "BATT_LOW BATT_FAULT"), ("E18", "APP_CRASH APP_ANR"), ("E19", "MEM_LOW CPU_SLOW"),
                                  ("E20", "USER_CANCEL"), ("E21", "PIN_TIMEOUT"), ("E22", "INPUT_INVALID")))),
    # landi: E1 = security (certificate, MAC, keys, PIN encryption)
    "landi": dict(style="syslog_en", stage=True, ts="Z", hb=300, to=45000, hb_log=False,
                  tele=("online", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot", "storage_used_pct",
                        "temp_c", "key_check", "clock_skew_s"),
                  codes=_codes((("E1", TLS4 + " MAC_ERR KEY_MISSING PINPAD_COMM"),
                                ("E2", "COMM_CONNECT COMM_REFUSED COMM_DNS COMM_NO_NET COMM_CELL_REG COMM_SEND"),
                                ("E3", "COMM_RECV_TO"), ("E4", "MSG_FORMAT MSG_VERSION"), ("E5", "PRN_PAPER PRN_FAULT"),
                                ("E6", "ICC_FAIL MSR_FAIL NFC_FAIL"), ("E7", "CARD_REMOVED"), ("E8", "KEY_STUCK DISP_FAULT"),
                                ("E9", "BOARD_SENSOR BOARD_THERMAL"), ("E10", "POWER_LOW_V POWER_OVER_V POWER_RESET"),
                                ("E11", "BATT_LOW BATT_FAULT"), ("E12", "APP_CRASH APP_ANR"),
                                ("E13", "STORAGE_FULL MEM_LOW CPU_SLOW"), ("E14", "USER_CANCEL PIN_TIMEOUT"),
                                ("E15", "INPUT_INVALID"), ("E16", "PARAM_INVALID")))),
    # verifone: terse English, no stage; E1 = card could not be read
    "verifone": dict(style="terse", stage=False, ts="Z", hb=300, to=30000, hb_log=False,
                     tele=("online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "printer",
                           "card_reader_errors", "keypad_errors"),
                     codes=_codes((("E1", "ICC_FAIL MSR_FAIL NFC_FAIL CARD_REMOVED"),
                                   ("E2", "COMM_CONNECT COMM_REFUSED COMM_DNS COMM_NO_NET COMM_CELL_REG COMM_SEND"),
                                   ("E3", "COMM_RECV_TO MSG_FORMAT MSG_VERSION"), ("E4", TLS4), ("E5", "MAC_ERR KEY_MISSING"),
                                   ("E6", "PRN_PAPER PRN_FAULT"), ("E7", "POWER_LOW_V BATT_LOW BATT_FAULT"),
                                   ("E8", "KEY_STUCK DISP_FAULT PINPAD_COMM"),
                                   ("E9", "BOARD_SENSOR BOARD_THERMAL APP_CRASH APP_ANR STORAGE_FULL MEM_LOW CPU_SLOW PARAM_INVALID"),
                                   ("E0", "USER_CANCEL PIN_TIMEOUT INPUT_INVALID")))),
    # ingenico: four-digit numeric, English "ERROR nnnn [MOD]" lines
    "ingenico": dict(style="en_plain", stage=True, ts="Z", hb=240, to=45000, hb_log=False,
                     tele=("online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "supply_v", "reboot",
                           "key_check", "clock_skew_s", "card_reader_errors"),
                     codes=_codes((("1001", "COMM_NO_NET COMM_CELL_REG"), ("1002", "COMM_CONNECT"), ("1003", "COMM_REFUSED"),
                                   ("1004", "COMM_DNS"), ("2003", "COMM_SEND"), ("2004", "COMM_RECV_TO"), ("2101", "MSG_FORMAT"),
                                   ("2102", "MSG_VERSION"), ("3101", "TLS_EXPIRED"), ("3102", "TLS_UNTRUSTED"),
                                   ("3103", "TLS_NOTYETVALID"), ("3104", "TLS_PROTO"), ("3201", "MAC_ERR"), ("3202", "KEY_MISSING"),
                                   ("4001", "ICC_FAIL"), ("4002", "MSR_FAIL"), ("4003", "NFC_FAIL"), ("4004", "CARD_REMOVED"),
                                   ("4101", "PINPAD_COMM"), ("5001", "PRN_PAPER"), ("5002", "PRN_FAULT"), ("6001", "BATT_LOW"),
                                   ("6002", "BATT_FAULT"), ("6101", "POWER_LOW_V POWER_OVER_V"), ("6102", "POWER_RESET"),
                                   ("7001", "APP_CRASH"), ("7002", "APP_ANR"), ("7003", "MEM_LOW"), ("7004", "STORAGE_FULL"),
                                   ("7005", "CPU_SLOW"), ("8001", "KEY_STUCK"), ("8002", "DISP_FAULT"), ("8101", "BOARD_SENSOR"),
                                   ("8102", "BOARD_THERMAL"), ("9001", "USER_CANCEL"), ("9002", "PIN_TIMEOUT"),
                                   ("9003", "INPUT_INVALID"), ("9101", "PARAM_INVALID")))),
    # centerm: hex codes, JSON-in-a-string detail with Chinese message
    "centerm": dict(style="json_cn", stage=True, ts="L", hb=60, to=60000, hb_log=True,
                    tele=("online", "latency_ms", "packet_loss", "supply_v", "power_events", "reboot", "storage_used_pct",
                          "memory_used_pct", "cpu_pct", "temp_c", "printer", "key_check"),
                    codes=_codes((("0x1F01", "COMM_CONNECT"), ("0x1F02", "COMM_REFUSED COMM_DNS"), ("0x1F03", "COMM_RECV_TO"),
                                  ("0x1F04", "COMM_SEND"), ("0x1F05", "COMM_NO_NET COMM_CELL_REG"), ("0x1F06", "HB_FAIL"),
                                  ("0x2A01", "PRN_PAPER"), ("0x2A02", "PRN_FAULT"), ("0x3C01", "ICC_FAIL"), ("0x3C02", "MSR_FAIL"),
                                  ("0x3C03", "NFC_FAIL"), ("0x3C04", "CARD_REMOVED"), ("0x4B01", "TLS_EXPIRED"),
                                  ("0x4B02", "TLS_UNTRUSTED TLS_NOTYETVALID"), ("0x4B03", "TLS_PROTO"), ("0x4D01", "MAC_ERR"),
                                  ("0x4D02", "KEY_MISSING"), ("0x5E01", "POWER_LOW_V"), ("0x5E02", "POWER_OVER_V"),
                                  ("0x5E03", "POWER_RESET"), ("0x5E04", "BATT_LOW BATT_FAULT"), ("0x00E1", "BOARD_THERMAL"),
                                  ("0x00E2", "BOARD_SENSOR"), ("0x6A01", "STORAGE_FULL"), ("0x6A02", "MEM_LOW"),
                                  ("0x6A03", "CPU_SLOW"), ("0x6A04", "APP_CRASH APP_ANR"), ("0x7001", "KEY_STUCK"),
                                  ("0x7002", "DISP_FAULT"), ("0x8001", "USER_CANCEL"), ("0x8002", "PIN_TIMEOUT"),
                                  ("0x8003", "INPUT_INVALID"), ("0x9001", "PARAM_INVALID"), ("0x9002", "MSG_FORMAT"),
                                  ("0x9003", "MSG_VERSION"), ("0x9004", "PINPAD_COMM")))),
    # sunmi: ERR-xxxx codes, Android logcat in English
    "sunmi": dict(style="logcat_en", stage=True, ts="Zms", hb=120, to=30000, hb_log=False,
                  tele=("online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "reboot", "storage_used_pct",
                        "memory_used_pct", "cpu_pct", "temp_c", "printer", "app_crashes"),
                  codes=_codes((("ERR-1001", "COMM_NO_NET COMM_CELL_REG"), ("ERR-1002", "COMM_CONNECT"), ("ERR-1003", "COMM_REFUSED"),
                                ("ERR-1004", "COMM_DNS"), ("ERR-1005", "COMM_RECV_TO"), ("ERR-1006", "COMM_SEND"),
                                ("ERR-1101", TLS4), ("ERR-1201", "MSG_FORMAT"), ("ERR-1202", "MSG_VERSION"),
                                ("ERR-1301", "MAC_ERR"), ("ERR-1302", "KEY_MISSING"), ("ERR-2001", "ICC_FAIL"),
                                ("ERR-2002", "MSR_FAIL"), ("ERR-2003", "NFC_FAIL"), ("ERR-2004", "CARD_REMOVED"),
                                ("ERR-2101", "PIN_TIMEOUT"), ("ERR-2102", "USER_CANCEL"), ("ERR-2103", "PINPAD_COMM"),
                                ("ERR-2104", "INPUT_INVALID"), ("ERR-3001", "PRN_PAPER"), ("ERR-3002", "PRN_FAULT"),
                                ("ERR-4001", "BATT_LOW"), ("ERR-4002", "BATT_FAULT"), ("ERR-4101", "POWER_LOW_V POWER_OVER_V"),
                                ("ERR-4102", "POWER_RESET"), ("ERR-5001", "APP_CRASH"), ("ERR-5002", "APP_ANR"),
                                ("ERR-5003", "MEM_LOW"), ("ERR-5004", "STORAGE_FULL"), ("ERR-5005", "CPU_SLOW"),
                                ("ERR-6001", "DISP_FAULT"), ("ERR-6002", "KEY_STUCK"), ("ERR-6003", "BOARD_SENSOR"),
                                ("ERR-6004", "BOARD_THERMAL"), ("ERR-7001", "PARAM_INVALID")))),
    # xgd: two-character numeric codes that collide with ISO 8583 field 39
    "xgd": dict(style="numeric_cn", stage=False, ts="L", hb=180, to=60000, hb_log=False,
                tele=("online", "latency_ms", "supply_v", "battery_pct", "power_events", "reboot", "printer",
                      "keypad_errors", "card_reader_errors"),
                codes=_codes((("05", "ICC_FAIL"), ("06", "MSR_FAIL"), ("07", "NFC_FAIL"), ("08", "CARD_REMOVED"),
                              ("51", "PRN_FAULT"), ("52", "PRN_PAPER"), ("91", "BATT_LOW"), ("92", "BATT_FAULT"),
                              ("96", "POWER_LOW_V POWER_OVER_V"), ("97", "POWER_RESET"), ("30", "BOARD_SENSOR"),
                              ("31", "BOARD_THERMAL"), ("55", "KEY_STUCK"), ("56", "DISP_FAULT"),
                              ("66", "COMM_NO_NET COMM_CELL_REG"), ("67", "COMM_CONNECT"), ("65", "COMM_SEND"),
                              ("68", "COMM_RECV_TO"), ("69", "COMM_DNS COMM_REFUSED"), ("A0", "MAC_ERR"), ("A1", "KEY_MISSING"),
                              ("A2", TLS4), ("A3", "MSG_FORMAT"), ("22", "MSG_VERSION"), ("12", "PARAM_INVALID"),
                              ("13", "STORAGE_FULL"), ("14", "MEM_LOW"), ("15", "APP_CRASH APP_ANR"), ("16", "CPU_SLOW"),
                              ("01", "USER_CANCEL"), ("02", "PIN_TIMEOUT"), ("03", "INPUT_INVALID"), ("99", "PINPAD_COMM")))),
    # szzt: letter-prefixed codes, Android logcat in Chinese; E1 = power low (battery or mains)
    "szzt": dict(style="logcat_cn", stage=True, ts="Lms", hb=120, to=45000, hb_log=False,
                 tele=("online", "rssi_dbm", "latency_ms", "battery_pct", "reboot", "memory_used_pct", "cpu_pct",
                       "temp_c", "app_crashes"),
                 codes=_codes((("E1", "BATT_LOW POWER_LOW_V"), ("E2", "BATT_FAULT"), ("E3", "POWER_OVER_V POWER_RESET"),
                               ("N01", "COMM_NO_NET"), ("N02", "COMM_CONNECT"), ("N03", "COMM_RECV_TO"), ("N04", "COMM_SEND"),
                               ("N05", "COMM_DNS COMM_REFUSED"), ("N06", "COMM_CELL_REG"), ("S01", TLS4), ("S02", "MAC_ERR"),
                               ("S03", "KEY_MISSING"), ("S04", "PINPAD_COMM"), ("H01", "ICC_FAIL"), ("H02", "MSR_FAIL"),
                               ("H03", "NFC_FAIL"), ("H04", "PRN_PAPER"), ("H05", "PRN_FAULT"), ("H06", "KEY_STUCK"),
                               ("H07", "DISP_FAULT"), ("H08", "BOARD_SENSOR"), ("H09", "BOARD_THERMAL"), ("A01", "APP_CRASH"),
                               ("A02", "APP_ANR"), ("A03", "MEM_LOW"), ("A04", "STORAGE_FULL"), ("A05", "CPU_SLOW"),
                               ("A06", "PARAM_INVALID"), ("A07", "MSG_FORMAT"), ("A08", "MSG_VERSION"), ("U01", "USER_CANCEL"),
                               ("U02", "PIN_TIMEOUT"), ("U03", "CARD_REMOVED"), ("U04", "INPUT_INVALID")))),
    # urovo: logistics handhelds, JSON-in-a-string English; E1 = printer (paper/head)
    "urovo": dict(style="json_en", stage=True, ts="Zms", hb=90, to=30000, hb_log=True,
                  tele=("online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "reboot", "storage_used_pct",
                        "memory_used_pct", "cpu_pct", "temp_c", "printer", "app_crashes"),
                  codes=_codes((("E1", "PRN_PAPER PRN_FAULT"), ("W1", "COMM_NO_NET COMM_CELL_REG"), ("W2", "COMM_CONNECT"),
                                ("W3", "COMM_RECV_TO"), ("W4", "COMM_SEND"), ("W5", "COMM_DNS COMM_REFUSED"), ("W6", "HB_FAIL"),
                                ("S1", TLS4), ("S2", "MAC_ERR"), ("S3", "KEY_MISSING"), ("S4", "PINPAD_COMM"),
                                ("C1", "ICC_FAIL"), ("C2", "MSR_FAIL"), ("C3", "NFC_FAIL"), ("C4", "CARD_REMOVED"),
                                ("B1", "BATT_LOW"), ("B2", "BATT_FAULT"), ("P1", "POWER_LOW_V POWER_OVER_V"), ("P2", "POWER_RESET"),
                                ("K1", "KEY_STUCK"), ("D1", "DISP_FAULT"), ("H1", "BOARD_SENSOR"), ("H2", "BOARD_THERMAL"),
                                ("A1", "APP_CRASH"), ("A2", "APP_ANR"), ("A3", "MEM_LOW"), ("A4", "STORAGE_FULL"),
                                ("A5", "CPU_SLOW"), ("A6", "PARAM_INVALID"), ("A7", "MSG_FORMAT"), ("A8", "MSG_VERSION"),
                                ("U1", "USER_CANCEL"), ("U2", "PIN_TIMEOUT"), ("U3", "INPUT_INVALID")))),
}
VENDOR_ORDER = tuple(VENDORS.keys())
TELE_ORDER = ("online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events", "reboot",
              "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check", "clock_skew_s", "printer",
              "keypad_errors", "card_reader_errors", "app_crashes", "firmware", "app_version")


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
class SafeDict(dict):
    def __missing__(self, key):
        return "?"


def wchoice(rng, pairs):
    """Weighted choice from a sequence of (item, weight)."""
    tot = 0.0
    for _, w in pairs:
        tot += w
    x = rng.random() * tot
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


def val(x, t):
    return x(t) if callable(x) else x


def iso(t, style="Z"):
    """RFC 3339 text of epoch seconds t.  style: Z, Zms, L (+08:00), Lms."""
    ms = int(round(t * 1000))
    sec, frac = divmod(ms, 1000)
    if style.startswith("L"):
        dt = datetime.fromtimestamp(sec, TZ8)
        base = dt.strftime("%Y-%m-%dT%H:%M:%S")
        suf = "+08:00"
    else:
        dt = datetime.fromtimestamp(sec, timezone.utc)
        base = dt.strftime("%Y-%m-%dT%H:%M:%S")
        suf = "Z"
    if style.endswith("ms"):
        return "%s.%03d%s" % (base, frac, suf)
    return base + suf


def local_hour(t):
    dt = datetime.fromtimestamp(t, TZ8)
    return dt.hour + dt.minute / 60.0


def csq_of(rssi):
    if rssi is None:
        return 99
    return max(0, min(31, int(round((rssi + 113) / 2.0))))


HOST_ADDR = {"H1": ("h1.posp.nanyuepay.cn", "10.40.12.31", 8583), "H2": ("h2.posp.nanyuepay.cn", "10.40.22.17", 9600),
             "H3": ("cup-gw3.nanyuepay.cn", "10.52.3.8", 8583), "H4": ("h4.posp.nanyuepay.cn", "10.40.41.5", 7001)}
PROC = {"COMM": "commd", "SSL": "sslsvc", "ISO": "isod", "SEC": "secd", "PWR": "pwrmgr", "PRN": "prnd",
        "CARD": "emvd", "HMI": "uisvc", "SYS": "payapp"}
TAG = {"COMM": "NetClient", "SSL": "SSLChannel", "ISO": "Iso8583", "SEC": "KeyManager", "PWR": "PowerMonitor",
       "PRN": "PrinterService", "CARD": "EmvKernel", "HMI": "PayActivity", "SYS": "PayApplication"}


def render_detail(vendor, model, kind, code, t_local, fill, rng, pick=None):
    en, cn, terse = MSG[kind]
    if pick is not None:
        en, cn, terse = (en[min(pick, len(en) - 1)],), (cn[min(pick, len(cn) - 1)],), (terse[min(pick, len(terse) - 1)],)
    fill = SafeDict(fill)
    mod = KIND_MOD[kind]
    st = VENDORS[vendor]["style"]
    dt = datetime.fromtimestamp(int(t_local), TZ8)
    ms = int((t_local % 1) * 1000)
    if st == "mixed":
        return "%s %s | %s %s" % (code, rng.choice(cn).format_map(fill), mod, rng.choice(en).format_map(fill))
    if st == "cn_bracket":
        return "[%s][ERR][%s] %s" % (dt.strftime("%Y-%m-%d %H:%M:%S"), mod, rng.choice(cn).format_map(fill))
    if st == "syslog_en":
        return "<%d>%s %s %s %s %s[%d]: %s %s" % (131 if mod != "PWR" else 130, dt.strftime("%b"), ("%2d" % dt.day),
                                               dt.strftime("%H:%M:%S"), model, PROC[mod], 300 + (sum(map(ord, mod)) % 600),
                                               code, rng.choice(en).format_map(fill))
    if st == "terse":
        s = rng.choice(terse)
        return s if rng.random() < 0.6 else "*** %s ***" % s
    if st == "en_plain":
        return "ERROR %s [%s] %s" % (code, mod, rng.choice(en).format_map(fill))
    if st == "json_cn":
        d = {"mod": mod, "err": code, "msg": rng.choice(cn).format_map(fill)}
        extra = {"PWR": ("v",), "COMM": ("csq", "to", "stan"), "SYS": ("temp", "kb", "cpu")}.get(mod, ())
        for k in extra:
            if k in fill and fill[k] not in (None, "?") and rng.random() < 0.6:
                d[k] = fill[k]
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))
    if st == "logcat_en":
        return "%s.%03d %5d %5d E %s: %s [code=%s]" % (dt.strftime("%m-%d %H:%M:%S"), ms, 2311, 2400 + len(mod),
                                                      TAG[mod], rng.choice(en).format_map(fill), code)
    if st == "numeric_cn":
        return "错误%s:%s" % (code, rng.choice(cn).format_map(fill))
    if st == "logcat_cn":
        return "%s.%03d E/ZTPay( 1874): [%s] %s" % (dt.strftime("%m-%d %H:%M:%S"), ms, code, rng.choice(cn).format_map(fill))
    if st == "json_en":
        return json.dumps({"lvl": "E", "src": mod, "code": code, "msg": rng.choice(en).format_map(fill)},
                          separators=(",", ":"))
    return code


# --------------------------------------------------------------------------
# World
# --------------------------------------------------------------------------
class World:
    pass


def build_world(seed):
    rng = random.Random("gen15/world/%d" % seed)
    W = World()
    W.seed = seed
    month = rng.choice((6, 7, 7, 8, 8, 9))
    day = rng.randint(1, 28)
    hs = rng.choice((9, 10, 10, 11, 12, 13, 14))
    W.date = (2026, month, day)
    W.W0 = int(datetime(2026, month, day, hs, 0, tzinfo=TZ8).timestamp())
    W.W1 = W.W0 + 6 * 3600
    W.start_hour = hs
    W.n_target = rng.randint(250, 350)
    # cities: always guangzhou + shenzhen, then a mix across the four provinces
    rest = [c for c in CITY_ORDER if c not in ("guangzhou", "shenzhen")]
    rng.shuffle(rest)
    n_c = rng.randint(6, 9)
    chosen = ["guangzhou", "shenzhen"]
    provs_needed = ["45", "46", "35"]
    for p in provs_needed:
        for c in rest:
            if CITIES[c][0] == p and c not in chosen:
                chosen.append(c)
                break
    for c in rest:
        if len(chosen) >= n_c:
            break
        if c not in chosen:
            chosen.append(c)
    W.cities = chosen
    # weather: a typhoon landfall or an afternoon thunderstorm over one coastal city
    coastal = [c for c in chosen if CITIES[c][6]]
    W.storm_kind = "typhoon" if rng.random() < 0.45 else "thunderstorm"
    W.storm_city = rng.choice(coastal) if coastal else chosen[0]
    s0 = W.W0 + rng.randint(3600, 3 * 3600)
    W.storm = (s0, s0 + rng.randint(90, 150) * 60)
    W.heat_c = rng.randint(33, 37)

    W.merchants, W.sites, W.terms = [], [], []
    W.m_by_id, W.s_by_id, W.t_by_id = {}, {}, {}
    W.mseq = rng.randint(11, 60)
    W.tseq = {p: rng.randint(1000, 8000) for p in ("44", "45", "46", "35")}
    W.sn = rng.randint(100000, 900000)
    city_w = [(c, 6 if c in ("guangzhou", "shenzhen") else (4 if CITIES[c][0] == "44" else 3)) for c in chosen]

    def new_merchant(mtype, city, chain_name=None):
        W.mseq += 1
        mt = MTYPES[mtype]
        prov, admin, abbr = CITIES[city][0], CITIES[city][1], CITIES[city][2]
        mid = "898" + admin + mt["mcc"] + "%04d" % W.mseq
        direct = chain_name is not None or rng.random() < 0.55
        m = dict(merchant_id=mid, mtype=mtype, mcc=mt["mcc"], city=city, host=wchoice(rng, HOSTS),
                 settlement="direct" if direct else "indirect",
                 card_rate=0.0055 if (direct and rng.random() < 0.5) else (0.006 if rng.random() < 0.85 else 0.0063),
                 qr_rate=0.0038, fixed_fee=0 if (direct or rng.random() < 0.8) else rng.choice((100, 200)),
                 sites=[], seq=W.mseq, chain=chain_name is not None, mcc_jump=None)
        base = chain_name or (rng.choice(("老", "阿", "新", "好", "福", "金", "客家", "潮汕", "海", "南")) +
                              rng.choice(("记", "兴", "隆", "发", "顺", "旺", "福", "满", "香", "源")))
        m["name"] = base + (rng.choice(mt["names"]) if not chain_name else "")
        W.merchants.append(m)
        W.m_by_id[mid] = m
        return m

    def new_site(m, city, nterm=None):
        k = len(m["sites"]) + 1
        abbr = CITIES[city][2]
        sid = "%s-%03d-%d" % (abbr, m["seq"] % 1000, k)
        mt = MTYPES[m["mtype"]]
        lat, lon = CITIES[city][3], CITIES[city][4]
        s = dict(site_id=sid, merchant_id=m["merchant_id"], city=city, mtype=m["mtype"],
                 name=m["name"] + " " + CITIES[city][5] + rng.choice(("天河", "福田", "南山", "城东", "城西", "江南", "滨海",
                                                                     "中山路", "人民路", "解放路", "东门", "北站")) + "店",
                 lat=round(lat + rng.uniform(-0.12, 0.12), 4), lon=round(lon + rng.uniform(-0.12, 0.12), 4),
                 outdoor=mt["outdoor"], terms=[])
        m["sites"].append(sid)
        W.sites.append(s)
        W.s_by_id[sid] = s
        n = nterm if nterm is not None else rng.randint(*mt["terms"])
        for _ in range(n):
            new_term(m, s)
        return s

    def pick_model(ff, mtype):
        cands = []
        for mname in MODEL_ORDER:
            md = MODELS[mname]
            if md["ff"] != ff:
                continue
            w = VENDOR_SHARE[md["vendor"]]
            if md["vendor"] == "urovo":
                w = 45 if mtype == "logistics" else 5
            if md["vendor"] == "szzt":
                w = 10
            cands.append((mname, w))
        return wchoice(rng, cands)

    def new_term(m, s):
        mt = MTYPES[m["mtype"]]
        ff = wchoice(rng, (("countertop", mt["forms"][0]), ("desktop", mt["forms"][1]), ("handheld", mt["forms"][2])))
        model = pick_model(ff, m["mtype"])
        md = MODELS[model]
        vendor = md["vendor"]
        prov = CITIES[s["city"]][0]
        W.tseq[prov] += 1
        tid = prov + "%06d" % W.tseq[prov]
        if ff == "countertop":
            net = wchoice(rng, (("ethernet", 55), ("cellular", 30), ("wifi", 15)))
        elif ff == "desktop":
            net = wchoice(rng, (("wifi", 55), ("ethernet", 45)))
        else:
            net = wchoice(rng, (("cellular", 90), ("wifi", 10))) if mt["outdoor"] else \
                wchoice(rng, (("cellular", 70), ("wifi", 30)))
        fwl = md["fw"]
        fw = wchoice(rng, [(fwl[i], (60, 28, 12)[i]) for i in range(len(fwl))])
        if md["android"]:
            app = wchoice(rng, list(zip(ANDROID_APPS, ANDROID_APP_W)))
        else:
            apps = CLASSIC_APPS.get(vendor, ("PAY-1.0",))
            app = wchoice(rng, [(apps[i], (70, 30)[i]) for i in range(len(apps))])
        W.sn += rng.randint(1, 97)
        serial = {"pax": "18%08d", "newland": "N%09d", "landi": "LD%08d", "verifone": "%03d-%03d-%03d",
                  "ingenico": "2%010d", "centerm": "CT%08d", "sunmi": "V%d%09d", "xgd": "XG%08d",
                  "szzt": "ZT%08d", "urovo": "UR%08d"}[vendor]
        if vendor == "verifone":
            sn = serial % ((W.sn // 1000000) % 1000, (W.sn // 1000) % 1000, W.sn % 1000)
        elif vendor == "sunmi":
            sn = serial % (rng.randint(1, 2), W.sn)
        else:
            sn = serial % W.sn
        inst_y = rng.choice((2022, 2023, 2024, 2025, 2025, 2026))
        inst = datetime(inst_y, rng.randint(1, 12), rng.randint(1, 28), 10, 0, tzinfo=TZ8)
        if inst.timestamp() > W.W0 - 86400 * 10:
            inst = datetime(2026, 1, rng.randint(1, 28), 10, 0, tzinfo=TZ8)
        cert = datetime(rng.choice((2027, 2027, 2028)), rng.randint(1, 12), rng.randint(1, 28), 0, 0, tzinfo=timezone.utc)
        outdoor = mt["outdoor"]
        t = dict(terminal_id=tid, serial=sn, vendor=vendor, model=model, ff=ff, android=md["android"], firmware=fw,
                 app_version=app, merchant_id=m["merchant_id"], site_id=s["site_id"], city=s["city"], network=net,
                 carrier=wchoice(rng, CARRIERS) if net == "cellular" else None, host=m["host"],
                 cert_not_after=cert.timestamp(), installed=inst.timestamp(), vn=md["vn"],
                 battery=(ff == "handheld"), keys=md["keys"],
                 ext_pinpad=(ff == "countertop" and rng.random() < 0.35), outdoor=outdoor, mtype=m["mtype"])
        # baselines for the simulation
        t["rssi0"] = rng.uniform(-92, -63) if net == "cellular" else (rng.uniform(-68, -44) if net == "wifi" else None)
        t["lat0"] = {"ethernet": rng.uniform(22, 60), "wifi": rng.uniform(35, 95), "cellular": rng.uniform(90, 240)}[net]
        t["sto0"] = rng.uniform(18, 72)
        t["mem0"] = rng.uniform(30, 64) if md["android"] else rng.uniform(22, 48)
        t["cpu0"] = rng.uniform(6, 28)
        t["temp0"] = rng.uniform(36, 44) if outdoor else rng.uniform(31, 39)
        t["skew"] = (rng.choice((-1, 1)) * rng.uniform(1.5, 5.5)) if rng.random() < 0.12 else 0.0
        t["hb"] = VENDORS[vendor]["hb"]
        t["hb_phase"] = rng.uniform(0, t["hb"])
        t["batt0"] = rng.uniform(45, 100)
        t["drain"] = rng.uniform(3.5, 9.0)
        t["busy"] = rng.uniform(0.6, 1.4)
        s["terms"].append(tid)
        W.terms.append(t)
        W.t_by_id[tid] = t
        return t

    # chains first
    for _ in range(rng.randint(1, 2)):
        nm = rng.choice(("茶里", "鲜柠", "椰风", "一点甜", "古茗", "柠檬茶研所", "糖水记")) + "茶饮"
        m = new_merchant("bubble_tea", rng.choice(chosen), chain_name=nm)
        for _ in range(rng.randint(4, 8)):
            new_site(m, wchoice(rng, city_w))
    m = new_merchant("pharmacy", rng.choice(chosen), chain_name=rng.choice(("大参林", "海王星辰", "老百姓", "一心堂", "益丰")) + "大药房")
    for _ in range(rng.randint(3, 6)):
        new_site(m, wchoice(rng, city_w))
    m = new_merchant("supermarket", rng.choice(chosen), chain_name=rng.choice(("百佳惠", "天虹优选", "美宜家", "新一佳")) + "超市")
    for _ in range(rng.randint(2, 4)):
        new_site(m, wchoice(rng, city_w))
    m = new_merchant("fuel", rng.choice(chosen), chain_name=rng.choice(("南油", "粤海能源", "中联石化")) + "加油站")
    for _ in range(rng.randint(2, 3)):
        new_site(m, wchoice(rng, city_w))
    # a restaurant group with a handheld-rich site in the storm city (case 1 / case 2 material)
    m = new_merchant("restaurant", W.storm_city, chain_name=rng.choice(("海港", "渔村", "顺德", "潮皇")) + "大酒楼")
    new_site(m, W.storm_city, nterm=rng.randint(4, 6))
    new_site(m, wchoice(rng, city_w), nterm=rng.randint(3, 5))
    tw = [(k, MTYPES[k]["share"]) for k in MTYPE_ORDER]
    while len(W.terms) < W.n_target:
        mtype = wchoice(rng, tw)
        city = wchoice(rng, city_w)
        m = new_merchant(mtype, city)
        nsites = 1 if rng.random() < 0.85 else 2
        for _ in range(nsites):
            new_site(m, city)
    # trim to target
    while len(W.terms) > W.n_target:
        t = W.terms.pop()
        del W.t_by_id[t["terminal_id"]]
        s = W.s_by_id[t["site_id"]]
        s["terms"].remove(t["terminal_id"])
    empty = [s for s in W.sites if not s["terms"]]
    for s in empty:
        W.sites.remove(s)
        del W.s_by_id[s["site_id"]]
        W.m_by_id[s["merchant_id"]]["sites"].remove(s["site_id"])
    for m in list(W.merchants):
        if not m["sites"]:
            W.merchants.remove(m)
            del W.m_by_id[m["merchant_id"]]
    # guarantee a handheld on cellular in the storm restaurant's first site (power+signal confounder)
    # a small indirect merchant whose journal carries another merchant's MCC ("跳码", not a fault)
    cands = [m for m in W.merchants if m["settlement"] == "indirect" and m["mtype"] in ("restaurant", "night_market")]
    if cands:
        rng.choice(cands)["mcc_jump"] = "5411"
    return W


# --------------------------------------------------------------------------
# Fault machinery.  A fault never writes a label: it adds physical effects
# (power off intervals, network degradation, telemetry changes, failure
# rules at pipeline stages, spontaneous log events) to the terminals it
# touches.  The simulation then produces records from those effects.
# --------------------------------------------------------------------------
class TE:
    """Effects on one terminal."""
    __slots__ = ("off", "net", "tele", "rules", "spont", "pe", "fw", "inject", "bias")

    def __init__(self):
        self.off = []      # [a, b, fault, reason, power_events]
        self.net = []      # (a, b, fault, params)
        self.tele = []     # (a, b, fault, fn(sample, t, rng))
        self.rules = {}    # stage -> [(a, b, fault, p, out, cond)]
        self.spont = []    # (t, fault, kind, out)
        self.pe = []       # (t, n) power glitches without reboot
        self.fw = []       # (t, field, value)
        self.inject = []   # (t, fault, customer overrides)
        self.bias = []     # (a, b, bin, share): more cardholders of one bank shop here


class Fault:
    def __init__(self, fid, cause, variant, scope, terms, t0, t1, notes, event_driven):
        self.fid, self.cause, self.variant, self.scope = fid, cause, variant, scope
        self.terms, self.t0, self.t1, self.notes = list(terms), t0, t1, notes
        self.event_driven = event_driven
        self.n_events = 0
        self.ev_terms = {}
        self.complain = True


STAGES = ("pre", "card", "pin", "connect", "tls", "keys", "host_fmt", "host_mac", "host_term", "host_merch",
          "host_type", "host_limit", "host_risk", "acq", "issuer", "decline", "resp", "print")


class Gen:
    def __init__(self, W):
        self.W = W
        self.rng = random.Random("gen15/faults/%d" % W.seed)
        self.te = {t["terminal_id"]: TE() for t in W.terms}
        self.faults = []
        self.used = {}
        self.people = []     # check / maintenance / resolution records (dicts with _t)
        self.fseq = 0

    # ---- fault creation -------------------------------------------------
    def new(self, cause, variant, scope, terms, t0, t1, notes, event_driven=False):
        self.fseq += 1
        f = Fault("F%02d-%03d" % (self.W.seed, self.fseq), cause, variant, scope, terms, t0, t1, notes, event_driven)
        self.faults.append(f)
        return f

    def window(self, dmin, dmax, early=False, late=False, min_left=1800):
        W, r = self.W, self.rng
        dur = r.randint(dmin, dmax) * 60
        lo = W.W0 - (2400 if early else 0)
        hi = min(W.W1 - min(dur, 5400) // 2 - 600, W.W1 - min_left)
        if late:
            lo = max(lo, W.W0 + 3600)
        if hi <= lo:
            hi = lo + 600
        t0 = r.uniform(lo, hi)
        return t0, t0 + dur

    def storm_window(self, dmin, dmax):
        r = self.rng
        s0, s1 = self.W.storm
        t0 = r.uniform(s0, s0 + (s1 - s0) * 0.5)
        return t0, t0 + r.randint(dmin, dmax) * 60

    # ---- effect adders ---------------------------------------------------
    def off(self, tid, a, b, f, reason, pe=0):
        self.te[tid].off.append([a, b, f, reason, pe])

    def net(self, tid, a, b, f, **p):
        self.te[tid].net.append((a, b, f, p))

    def tele(self, tid, a, b, f, fn):
        self.te[tid].tele.append((a, b, f, fn))

    def rule(self, tid, a, b, f, stage, p, out, cond=None):
        self.te[tid].rules.setdefault(stage, []).append((a, b, f, p, out, cond))

    def spont(self, tid, t, f, kind, **out):
        self.te[tid].spont.append((t, f, kind, out))

    def person(self, t, rec):
        rec["_t"] = t
        self.people.append(rec)

    # ---- selection helpers ----------------------------------------------
    def T(self, tid):
        return self.W.t_by_id[tid]

    def pick_single(self, pred, prefer=None):
        c = [t for t in self.W.terms if pred(t) and t["terminal_id"] not in self.used]
        if not c:
            return None
        # faults on busy terminals get noticed; quiet ones sometimes too
        busy = [t for t in c if MTYPES[t["mtype"]]["peak"] * t["busy"] >= 9]
        if busy and self.rng.random() < 0.8:
            c = busy
        if prefer:
            p = [t for t in c if prefer(t)]
            if p and self.rng.random() < 0.8:
                c = p
        t = self.rng.choice(c)
        self.used[t["terminal_id"]] = True
        return t

    def site_terms(self, sid, pred=None):
        return [self.T(x) for x in self.W.s_by_id[sid]["terms"] if pred is None or pred(self.T(x))]


def mains(t):
    return t["ff"] in ("countertop", "desktop")


def wired_or_wifi(t):
    return t["network"] in ("ethernet", "wifi")


def tids(ts):
    return [t["terminal_id"] for t in ts]


def noisy(lo, hi, seed):
    """A deterministic wobbly function of time with values in [lo, hi]."""
    r = random.Random(seed)
    ph1, ph2, p1, p2 = r.uniform(0, 6.28), r.uniform(0, 6.28), r.uniform(300, 900), r.uniform(1200, 3000)

    def fn(t):
        x = 0.5 + 0.3 * math.sin(t / p1 + ph1) + 0.2 * math.sin(t / p2 + ph2)
        return lo + (hi - lo) * max(0.0, min(1.0, x))
    return fn


def bursts(G, a, b, n, dmin, dmax):
    out = []
    for _ in range(n):
        s = G.rng.uniform(a, b - dmin)
        out.append((s, min(b, s + G.rng.uniform(dmin, dmax))))
    out.sort()
    return out


def in_any(t, ivs):
    for a, b in ivs:
        if a <= t < b:
            return True
    return False


# ---------------------------------------------------------------------------
# Fault makers, one function per cause; each returns the Fault or None.
# ---------------------------------------------------------------------------
def mk_keypad(G, variant):
    r = G.rng
    t = G.pick_single(lambda t: MODELS[t["model"]]["keys"],
                      prefer=lambda t: t["mtype"] in ("bubble_tea", "night_market", "wet_market", "restaurant"))
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(90, 330, early=True)
    key = r.choice(("5", "8", "0", "确认", "OK", "2"))
    notes = {"stuck": "按键被糖浆/油污粘住(%s键),受潮后时好时坏" % key,
             "worn": "键盘导电胶老化,输入密码常无响应"}[variant]
    f = G.new("hardware.keypad", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    if variant == "stuck":
        G.rule(tid, t0, t1, f, "pin", 0.55, dict(kind="KEY_STUCK", fill={"k": key}), cond=lambda c: c["pin"])
        G.rule(tid, t0, t1, f, "pre", 0.08, dict(kind="KEY_STUCK", fill={"k": key}))
    else:
        G.rule(tid, t0, t1, f, "pin", 0.5,
               lambda c, rr: dict(kind="PIN_TIMEOUT") if rr.random() < 0.6 else dict(kind="KEY_STUCK", fill={"k": key}),
               cond=lambda c: c["pin"])

    def tm(s, tt, rr):
        s["keypad_errors"] = s.get("keypad_errors", 0) + rr.randint(1, 7)
    G.tele(tid, t0, t1, f, tm)
    G.person(t1 - 300, {"kind": "check", "terminal_id": tid, "name": "keypad_test", "result": "fail"})
    G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "part_replaced", "notes": "更换键盘膜"})
    if r.random() < 0.5:
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "hardware.keypad", "notes": notes})
    return f


def mk_display(G, variant):
    r = G.rng
    if variant == "lcd":
        t = G.pick_single(lambda t: not t["android"])
    else:
        t = G.pick_single(lambda t: t["android"])
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(60, 300, early=True)
    notes = {"lcd": "液晶屏排线受潮,显示花屏/黑屏", "touch": "触摸屏受潮漂移,点击无响应"}[variant]
    f = G.new("hardware.display", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    pick = 0 if variant == "lcd" else 1
    G.rule(tid, t0, t1, f, "pre", 0.2, dict(kind="DISP_FAULT", pick=pick))
    if variant == "lcd":
        G.rule(tid, t0, t1, f, "pre", 0.22, dict(kind="USER_CANCEL"))
    else:
        G.rule(tid, t0, t1, f, "pin", 0.4, dict(kind="PIN_TIMEOUT"), cond=lambda c: c["pin"])
    tt = t0 + r.uniform(60, 600)
    while tt < t1:
        G.spont(tid, tt, f, "DISP_FAULT", pick=pick)
        tt += r.uniform(900, 2700)
    G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "part_replaced", "notes": "更换显示屏"})
    if r.random() < 0.4:
        G.person(t1 + 600, {"kind": "resolution", "terminal_id": tid, "cause": "hardware.display", "notes": notes})
    return f


def mk_card_reader(G, variant):
    r = G.rng
    t = G.pick_single(lambda t: t["mtype"] not in ("wet_market", "night_market", "parking"),
                      prefer=lambda t: t["mtype"] in ("restaurant", "tea_house", "fuel", "hotel", "supermarket", "pharmacy"))
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(120, 360, early=True)
    notes = {"ic_contact": "IC卡座触点潮湿氧化,插卡读卡失败,刷磁条/挥卡正常",
             "nfc_antenna": "非接天线虚焊,挥卡无反应",
             "reader_module": "读卡模块老化,IC/磁条/非接都时常失败"}[variant]
    f = G.new("hardware.card_reader", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    if variant == "ic_contact":
        G.rule(tid, t0, t1, f, "card", 0.72, dict(kind="ICC_FAIL"), cond=lambda c: c["channel"] == "card_ic")
    elif variant == "nfc_antenna":
        G.rule(tid, t0, t1, f, "card", 0.85, dict(kind="NFC_FAIL"), cond=lambda c: c["channel"] == "nfc")
    else:
        G.rule(tid, t0, t1, f, "card", 0.5, dict(kind="ICC_FAIL"), cond=lambda c: c["channel"] == "card_ic")
        G.rule(tid, t0, t1, f, "card", 0.6, dict(kind="MSR_FAIL"), cond=lambda c: c["channel"] == "card_swipe")
        G.rule(tid, t0, t1, f, "card", 0.35, dict(kind="NFC_FAIL"), cond=lambda c: c["channel"] == "nfc")

    def tm(s, tt, rr):
        s["card_reader_errors"] = s.get("card_reader_errors", 0) + rr.randint(0, 4)
    G.tele(tid, t0, t1, f, tm)
    G.person(t1 - 200, {"kind": "check", "terminal_id": tid, "name": "ic_reader_cleaned", "result": "fail"})
    G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "part_replaced", "notes": "更换读卡模块"})
    if r.random() < 0.4:
        G.person(t1 + 400, {"kind": "resolution", "terminal_id": tid, "cause": "hardware.card_reader", "notes": notes})
    return f


def mk_printer(G, variant):
    r = G.rng
    if variant == "damp_paper":
        sites = [s for s in G.W.sites if len(s["terms"]) >= 2]
        if not sites:
            return None
        s = r.choice(sites)
        ts = G.site_terms(s["site_id"])
        t0, t1 = G.window(90, 300, early=True)
        notes = "仓库返潮,整批热敏纸受潮发粘,各台打印机频繁卡纸"
        f = G.new("hardware.printer", variant, {"site_id": s["site_id"]}, tids(ts), t0, t1, notes)
        for t in ts:
            tid = t["terminal_id"]
            G.rule(tid, t0, t1, f, "print", 0.38, dict(kind="PRN_FAULT", pick=1))

            def tm(sm, tt, rr):
                if rr.random() < 0.3:
                    sm["printer"] = "fault"
            G.tele(tid, t0, t1, f, tm)
        G.person(t1, {"kind": "check", "site_id": s["site_id"], "name": "paper_replaced", "result": "ok"})
        if r.random() < 0.5:
            G.person(t1 + 300, {"kind": "resolution", "site_id": s["site_id"], "cause": "hardware.printer", "notes": notes})
        return f
    t = G.pick_single(lambda t: True, prefer=(lambda t: t["outdoor"]) if variant == "head_overheat" else None)
    if not t:
        return None
    tid = t["terminal_id"]
    if variant == "paper_out":
        t0 = r.uniform(G.W.W0, G.W.W1 - 1800)
        t1 = t0 + r.randint(10, 50) * 60
        notes = "打印纸用完,店员未及时更换"
    else:
        t0, t1 = G.window(60, 240)
        notes = "午后高温,打印头过热保护,间歇性无法打印"
    f = G.new("hardware.printer", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    if variant == "paper_out":
        G.rule(tid, t0, t1, f, "print", 1.0, dict(kind="PRN_PAPER"))
        G.tele(tid, t0, t1, f, lambda s, tt, rr: s.__setitem__("printer", "paper_out"))
        G.person(t1, {"kind": "check", "terminal_id": tid, "name": "paper_loaded", "result": "ok"})
    else:
        G.rule(tid, t0, t1, f, "print", 0.45, dict(kind="PRN_FAULT", pick=0, fill={"ptemp": r.randint(62, 75)}))

        def tm(s, tt, rr):
            s["printer"] = "fault" if rr.random() < 0.5 else "ok"
            s["temp_c"] = s.get("temp_c", 40) + rr.uniform(6, 12)
        G.tele(tid, t0, t1, f, tm)
        G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "repair", "notes": "清洁打印头,移到阴凉处"})
    return f


def mk_board(G, variant):
    r = G.rng
    W = G.W
    if variant == "flooded":
        t = G.pick_single(lambda t: mains(t),
                          prefer=lambda t: t["city"] == W.storm_city and (t["outdoor"] or t["mtype"] in ("parking", "fuel", "wet_market")))
        if not t:
            return None
        tid = t["terminal_id"]
        t0 = max(W.W0 - 1800, W.storm[0] - r.uniform(0, 3600)) if t["city"] == W.storm_city else r.uniform(W.W0 - 1800, W.W0 + 3600)
        t1 = min(W.W1, t0 + r.randint(150, 330) * 60)
        notes = "%s雨水倒灌进收银亭,主板进水腐蚀,随机重启、防拆触发" % ("台风" if W.storm_kind == "typhoon" else "暴雨")
        f = G.new("hardware.board", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
        tt = t0 + r.uniform(300, 1200)
        tamper_at = None
        while tt < t1 - 300:
            d = r.uniform(50, 140)
            G.off(tid, tt, tt + d, f, r.choice(("crash", "watchdog")))
            G.spont(tid, tt + d + r.uniform(3, 15), f, "BOARD_SENSOR", pick=1)
            if tamper_at is None and r.random() < 0.45:
                tamper_at = tt + d + 20
                G.spont(tid, tamper_at, f, "BOARD_SENSOR", pick=0, fill={"n": r.randint(1, 3)})
            tt += r.uniform(900, 2400)
        if tamper_at:
            G.rule(tid, tamper_at, t1, f, "keys", 1.0, dict(kind="KEY_MISSING", fill={"ki": r.randint(1, 9)}))
            G.tele(tid, tamper_at, t1, f, lambda s, x, rr: s.__setitem__("key_check", "missing"))
        G.rule(tid, t0, t1, f, "card", 0.2, dict(kind="ICC_FAIL"), cond=lambda c: c["channel"] == "card_ic")
        G.person(t1 - 600, {"kind": "check", "terminal_id": tid, "name": "board_inspection", "result": "fail"})
        G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "repair", "notes": "主板进水,更换主板并重新灌密钥"})
        if r.random() < 0.6:
            G.person(t1 + 600, {"kind": "resolution", "terminal_id": tid, "cause": "hardware.board", "notes": notes})
        return f
    # overheat: outdoor terminal in afternoon sun
    t = G.pick_single(lambda t: t["outdoor"] and t["ff"] != "handheld") or G.pick_single(lambda t: t["outdoor"])
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(120, 300)
    notes = "收费亭/加油岛烈日直晒,机身温度超限,降频并热保护关机"
    f = G.new("hardware.board", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    hot = noisy(66, 82, "%s/heat" % f.fid)
    G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("temp_c", hot(x) + rr.uniform(-1, 1)))
    G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("cpu_pct", min(100, s.get("cpu_pct", 20) + 25)))
    tt = t0 + r.uniform(300, 900)
    while tt < t1:
        G.spont(tid, tt, f, "BOARD_THERMAL", fill={"temp": int(hot(tt))})
        if r.random() < 0.35:
            d = r.uniform(180, 480)
            G.off(tid, tt + 30, tt + 30 + d, f, "watchdog")
        tt += r.uniform(700, 1600)
    G.rule(tid, t0, t1, f, "pre", 0.15, dict(kind="BOARD_THERMAL"), )
    G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "repair", "notes": "加装遮阳罩,清理散热孔"})
    return f


def mk_power(G, variant):
    r = G.rng
    W = G.W
    if variant == "storm_site":
        def ok(s):
            ts = G.site_terms(s["site_id"])
            return sum(1 for t in ts if mains(t)) >= 2 and any(t["network"] == "cellular" and t["battery"] for t in ts)
        cands = [s for s in W.sites if ok(s)]
        if not cands:
            cands = [s for s in W.sites if sum(1 for t in G.site_terms(s["site_id"]) if mains(t)) >= 2]
        if not cands:
            return None
        pref = [s for s in cands if s["city"] == W.storm_city]
        s = r.choice(pref) if pref and r.random() < 0.85 else r.choice(cands)
        sid = s["site_id"]
        ts = G.site_terms(sid)
        if s["city"] == W.storm_city:
            t0, t1 = G.storm_window(30, 80)
        else:
            t0, t1 = G.window(30, 80)
        aff = [t for t in ts if mains(t) or wired_or_wifi(t)]
        notes = ("%s期间市电不稳:多次电压跌落/瞬断和浪涌,全店POS反复掉电重启,路由器同时掉电" %
                 ("台风" if W.storm_kind == "typhoon" and s["city"] == W.storm_city else "雷雨"))
        f = G.new("power.supply", variant, {"site_id": sid}, tids(aff), t0, t1, notes)
        eps = []
        n = r.randint(3, 7)
        for _ in range(n):
            te = r.uniform(t0, t1 - 120)
            kind = wchoice(r, (("dip", 55), ("cut", 25), ("surge", 20)))
            eps.append((te, kind))
        eps.sort()
        dips = []
        router_down = []
        damaged = None
        for te, kind in eps:
            if kind == "dip":
                d = r.uniform(20, 200)
                lvl = r.uniform(0.70, 0.86)
                dips.append((te, te + d, lvl))
                for t in ts:
                    if not mains(t):
                        continue
                    tid = t["terminal_id"]
                    if r.random() < 0.5:
                        dd = r.uniform(35, 120)
                        G.off(tid, te + r.uniform(0, 5), te + dd, f, "power_loss", 1)
                        G.spont(tid, te + dd + r.uniform(3, 20), f, "POWER_RESET")
                    else:
                        G.te[tid].pe.append((te, r.randint(1, 3)))
                        G.spont(tid, te + r.uniform(1, 8), f, "POWER_LOW_V", fill={"v": round(t["vn"] * lvl, 2)})
                if r.random() < 0.4:
                    router_down.append((te, te + r.uniform(90, 170)))
            elif kind == "cut":
                d = r.uniform(60, 540)
                for t in ts:
                    if not mains(t):
                        continue
                    tid = t["terminal_id"]
                    boot = r.uniform(25, 70)
                    G.off(tid, te, te + d + boot, f, "power_loss", 1)
                    if r.random() < 0.7:
                        G.spont(tid, te + d + boot + r.uniform(3, 20), f, "POWER_RESET")
                router_down.append((te, te + d + r.uniform(100, 200)))
            else:
                lvl = r.uniform(1.16, 1.32)
                dips.append((te, te + r.uniform(5, 40), lvl))
                for t in ts:
                    if not mains(t):
                        continue
                    tid = t["terminal_id"]
                    G.te[tid].pe.append((te, r.randint(1, 2)))
                    G.spont(tid, te + r.uniform(1, 5), f, "POWER_OVER_V", fill={"v": round(t["vn"] * lvl, 2)})
                    if damaged is None and r.random() < 0.35:
                        damaged = tid
                        # surge damaged the reader front-end (the article's case 1)
                        G.rule(tid, te, t1, f, "card", 0.45, dict(kind="ICC_FAIL"), cond=lambda c: c["channel"] in ("card_ic", "nfc"))
                        G.spont(tid, te + r.uniform(30, 90), f, "BOARD_SENSOR", pick=1)
        for t in ts:
            tid = t["terminal_id"]
            if mains(t):
                vn = t["vn"]
                wob = noisy(0.86, 0.97, "%s/%s" % (f.fid, tid))

                def tm(s, x, rr, vn=vn, wob=wob, dips=dips):
                    v = vn * wob(x)
                    for a, b, lvl in dips:
                        if a - 60 <= x < b + 60:
                            v = vn * lvl
                    s["supply_v"] = v + rr.uniform(-0.05, 0.05)
                G.tele(tid, t0, t1, f, tm)

                def inside(c, dips=dips):
                    return in_any(c["t"], [(a, b) for a, b, l in dips])
                G.rule(tid, t0, t1, f, "pre", 0.45, dict(kind="POWER_LOW_V", fill={"v": round(vn * 0.8, 2)}), cond=inside)
                G.rule(tid, t0, t1, f, "print", 0.5, dict(kind="PRN_FAULT", pick=1), cond=inside)
            if wired_or_wifi(t):
                for a, b in router_down:
                    G.net(tid, a, b, f, down=1.0, ckind="COMM_NO_NET")
        G.person(t1 - 300, {"kind": "check", "site_id": sid, "name": "adapter_voltage",
                            "result": "%.1fV" % (ts[0]["vn"] * 0.82 if ts[0]["vn"] else 4.1)})
        G.person(t1 + 120, {"kind": "check", "site_id": sid, "name": "ups_installed", "result": "ok"})
        if r.random() < 0.6:
            G.person(t1 + 900, {"kind": "resolution", "site_id": sid, "cause": "power.supply", "notes": notes})
        f.site = sid
        return f
    # single terminal: sagging adapter or wrong adapter
    t = G.pick_single(lambda t: mains(t), prefer=lambda t: "supply_v" in VENDORS[t["vendor"]]["tele"])
    if not t:
        return None
    tid = t["terminal_id"]
    vn = t["vn"]
    t0, t1 = G.window(90, 330, early=True)
    if variant == "adapter_sag":
        notes = "电源适配器老化,输出电压偏低,打印时大电流导致掉电重启"
        lvl = noisy(0.78, 0.88, "%s/v" % tid)
        f = G.new("power.supply", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
        G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("supply_v", vn * lvl(x) + rr.uniform(-0.04, 0.04)))
        G.rule(tid, t0, t1, f, "print", 0.35, dict(reboot=("power_loss", 40, 95), after="POWER_RESET"))
        G.rule(tid, t0, t1, f, "pre", 0.1, dict(kind="POWER_LOW_V", fill={"v": round(vn * 0.8, 2)}))
        tt = t0 + r.uniform(60, 900)
        while tt < t1:
            G.spont(tid, tt, f, "POWER_LOW_V", fill={"v": round(vn * lvl(tt), 2)})
            G.te[tid].pe.append((tt, 1))
            tt += r.uniform(900, 2400)
    else:
        notes = "误用其他机型的适配器,输入电压过高,过压保护反复重启"
        lvl = noisy(1.22, 1.36, "%s/v" % tid)
        f = G.new("power.supply", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
        G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("supply_v", vn * lvl(x) + rr.uniform(-0.05, 0.05)))
        tt = t0 + r.uniform(120, 900)
        while tt < t1:
            d = r.uniform(30, 90)
            G.spont(tid, tt - 5, f, "POWER_OVER_V", fill={"v": round(vn * lvl(tt), 2)})
            G.off(tid, tt, tt + d, f, "power_loss", 1)
            tt += r.uniform(900, 2600)
        G.rule(tid, t0, t1, f, "print", 0.25, dict(kind="PRN_FAULT", pick=1))
    G.person(t1 - 240, {"kind": "check", "terminal_id": tid, "name": "adapter_voltage",
                        "result": "%.1fV" % (vn * (0.82 if variant == "adapter_sag" else 1.3))})
    G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "part_replaced", "notes": "更换原装电源适配器"})
    if r.random() < 0.5:
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "power.supply", "notes": notes})
    return f


def battery_profile(G, t, t0, t1, f, variant):
    """Battery level function for a faulty battery; adds shutdowns."""
    r = G.rng
    tid = t["terminal_id"]
    pts = []   # (time, level) knots
    lvl = r.uniform(45, 80) if variant == "worn" else r.uniform(24, 42)
    x = t0
    pts.append((x, lvl))
    if variant == "worn":
        rate = r.uniform(30, 45) / 3600.0
        while x < t1:
            cut = r.uniform(14, 28)
            dt = (lvl - cut) / rate
            x2 = x + dt
            if x2 >= t1:
                pts.append((t1, lvl - rate * (t1 - x)))
                break
            pts.append((x2, cut))
            d = r.uniform(600, 1500)   # dead until the cashier puts it on the dock
            G.off(tid, x2, x2 + d, f, "power_loss", 0)
            G.spont(tid, x2 - r.uniform(60, 240), f, "BATT_LOW", fill={"batt": int(cut + 6)})
            lvl = r.uniform(55, 80)
            x = x2 + d
            pts.append((x, lvl))
    else:
        rate = r.uniform(11, 16) / 3600.0
        G.spont(tid, t0 + r.uniform(60, 300), f, "BATT_FAULT", fill={"btemp": r.randint(49, 56)})
        x2 = x + (lvl - 2) / rate
        if x2 < t1:
            pts.append((x2, 2))
            G.off(tid, x2, t1, f, "power_loss", 0)
            pts.append((t1, 2))
        else:
            pts.append((t1, lvl - rate * (t1 - x)))

    def level(tt):
        if tt <= pts[0][0]:
            return pts[0][1]
        for i in range(1, len(pts)):
            if tt <= pts[i][0]:
                a, la = pts[i - 1]
                b, lb = pts[i]
                if b - a < 1e-6:
                    return lb
                if la > lb or variant != "worn":
                    return la + (lb - la) * (tt - a) / (b - a)
                return lb if tt >= b else la   # jump after re-dock
        return pts[-1][1]
    return level


def mk_battery(G, variant):
    r = G.rng
    t = G.pick_single(lambda t: t["battery"], prefer=lambda t: t["outdoor"] or t["mtype"] in ("restaurant", "tea_house", "logistics"))
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(150, 330, early=True, min_left=9000)
    notes = {"worn": "电池老化鼓包(高温),电量显示虚高,发送/打印时突然关机",
             "no_charge": "电池温度过高触发充电保护,底座充电无效,电量持续下降直到关机"}[variant]
    f = G.new("power.battery", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    level = battery_profile(G, t, t0, t1, f, variant)
    G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("battery_pct", max(0, level(x) + rr.uniform(-1, 1))))
    if variant == "no_charge":
        G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("temp_c", s.get("temp_c", 38) + rr.uniform(7, 12)))
        G.rule(tid, t0, t1, f, "pre", lambda x: 0.9 if level(x) < 11 else 0.0, lambda c, rr: dict(kind="BATT_LOW", fill={"batt": int(level(c["t"]))}))
    else:
        G.rule(tid, t0, t1, f, "pre", lambda x: 0.45 if level(x) < 32 else 0.0,
               lambda c, rr: dict(kind="BATT_LOW", fill={"batt": int(level(c["t"]))}))
        G.rule(tid, t0, t1, f, "print", 0.18, dict(reboot=("power_loss", 300, 900)))
    G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "part_replaced", "notes": "更换电池"})
    if r.random() < 0.5:
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "power.battery", "notes": notes})
    return f


def add_signal(G, t, variant, t0, t1, companion=False):
    r = G.rng
    tid = t["terminal_id"]
    notes = {"basement": "终端被移到地下车库出口/负一层,4G信号极弱",
             "cold_room": "档口在冷库铁皮房内,信号被屏蔽",
             "wifi_far": "终端离无线路由器太远,隔两堵墙,Wi-Fi信号弱",
             "antenna": "摔机后天线座松脱,信号长期偏弱"}[variant]
    if companion:
        notes += "(与同店电源故障同时发生,易被误判)"
    f = G.new("network.signal", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    if variant == "wifi_far":
        rs = noisy(-90, -79, "%s/rssi" % tid)
    else:
        rs = noisy(-115, -103, "%s/rssi" % tid)
    lossf = noisy(0.12, 0.5, "%s/loss" % tid)
    ck = "COMM_CONNECT" if t["network"] == "wifi" else "COMM_CELL_REG"
    G.net(tid, t0, t1, f, down=lambda x: 0.25 if rs(x) < -110 or rs(x) < -88 else 0.06, loss=lossf,
          lat=lambda x: 300 + 2200 * lossf(x), rssi=rs, ckind=ck)
    G.person(t1 - 300, {"kind": "check", "terminal_id": tid, "name": "signal_test", "result": "%ddBm" % int(rs(t1 - 300))})
    if r.random() < 0.4:
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "network.signal", "notes": notes})
    return f


def mk_signal(G, variant):
    if variant == "wifi_far":
        t = G.pick_single(lambda t: t["network"] == "wifi")
    elif variant == "cold_room":
        t = G.pick_single(lambda t: t["network"] == "cellular", prefer=lambda t: t["mtype"] in ("wet_market", "supermarket", "logistics"))
    else:
        t = G.pick_single(lambda t: t["network"] == "cellular", prefer=lambda t: t["mtype"] in ("parking", "restaurant", "hotel"))
    if not t:
        return None
    t0, t1 = G.window(150, 400, early=True)
    return add_signal(G, t, variant, t0, t1)


def mk_lan(G, variant):
    r = G.rng
    W = G.W
    if variant == "cable":
        t = G.pick_single(lambda t: t["network"] == "ethernet")
        if not t:
            return None
        tid = t["terminal_id"]
        t0, t1 = G.window(60, 240, early=True)
        notes = "收银台网线被老鼠咬破/水晶头受潮,链路时通时断"
        f = G.new("network.lan", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
        fl = noisy(0.15, 0.75, "%s/flap" % tid)
        G.net(tid, t0, t1, f, down=fl, loss=lambda x: 0.1 + 0.3 * fl(x), lat=200, ckind="COMM_NO_NET")
        G.person(t1 - 200, {"kind": "check", "terminal_id": tid, "name": "cable_seated", "result": "fail"})
        G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "repair", "notes": "重做水晶头,更换网线"})
        if r.random() < 0.5:
            G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "network.lan", "notes": notes})
        return f
    need = (lambda t: t["network"] == "wifi") if variant == "ap_hang" else wired_or_wifi
    cands = [s for s in W.sites if sum(1 for t in G.site_terms(s["site_id"]) if need(t)) >= 2]
    if not cands:
        return None
    s = r.choice(cands)
    sid = s["site_id"]
    aff = G.site_terms(sid, need)
    t0, t1 = G.window(30, 150)
    notes = {"router_heat": "店内路由器放在灶台边/闷热弱电箱里,过热后丢包严重,重启路由器后恢复",
             "ap_hang": "无线AP死机,已连接但不转发数据,有线和4G终端正常"}[variant]
    f = G.new("network.lan", variant, {"site_id": sid}, tids(aff), t0, t1, notes)
    bs = bursts(G, t0, t1, r.randint(3, 6), 240, 900)
    for t in aff:
        tid = t["terminal_id"]
        if variant == "router_heat":
            G.net(tid, t0, t1, f, down=lambda x, bs=bs: 0.35 if in_any(x, bs) else 0.03,
                  loss=lambda x, bs=bs: 0.55 if in_any(x, bs) else 0.12,
                  lat=lambda x, bs=bs: 2400 if in_any(x, bs) else 600, ckind="COMM_CONNECT")
        else:
            G.net(tid, t0, t1, f, down=0.75, loss=0.6, lat=900, ckind="COMM_CONNECT")
    # a false lead: someone restarted the router once early and it did not hold
    G.person(t0 + (t1 - t0) * 0.4, {"kind": "check", "site_id": sid, "name": "router_restarted", "result": "ok"})
    G.person(t1, {"kind": "check", "site_id": sid, "name": "router_restarted", "result": "ok"})
    if r.random() < 0.6:
        G.person(t1 + 300, {"kind": "resolution", "site_id": sid, "cause": "network.lan", "notes": notes})
    return f


def mk_carrier(G, variant):
    r = G.rng
    W = G.W
    groups = []
    for city in W.cities:
        for car, _ in CARRIERS:
            ts = [t for t in W.terms if t["city"] == city and t["carrier"] == car]
            if len(ts) >= 3:
                groups.append((city, car, ts))
    if not groups:
        return None
    pref = [g for g in groups if g[0] == W.storm_city]
    city, car, ts = r.choice(pref) if pref and r.random() < 0.6 else r.choice(groups)
    if city == W.storm_city and variant == "bts_outage":
        t0, t1 = G.storm_window(30, 100)
    else:
        t0, t1 = G.window(30, 120)
    notes = {"bts_outage": "%s %s多个基站因%s停电/传输中断,终端驻网但数据业务不通" % (CITIES[city][5], car.upper(),
                                                                       "台风" if W.storm_kind == "typhoon" else "雷击"),
             "pdp_core": "%s %s 核心网(APN)故障,PDP激活大量失败,信号正常" % (CITIES[city][5], car.upper())}[variant]
    f = G.new("network.carrier", variant, {"carrier": car, "city": city}, tids(ts), t0, t1, notes)
    ramp = noisy(0.55, 0.95, "%s/c" % f.fid)
    for t in ts:
        if variant == "bts_outage":
            G.net(t["terminal_id"], t0, t1, f, down=ramp, loss=0.5, lat=1500, ckind="COMM_NO_NET")
        else:
            G.net(t["terminal_id"], t0, t1, f, down=lambda x: 0.5 * ramp(x), loss=0.35, lat=2500, ckind="COMM_CELL_REG")
    if r.random() < 0.5:
        x = r.choice(ts)
        G.person(t0 + (t1 - t0) * 0.5, {"kind": "check", "terminal_id": x["terminal_id"], "name": "sim_reseated", "result": "fail"})
    return f


def rollout(G, f, ts, new_field, new_val, t_first, t_last):
    """Schedule an update of ts to new_val; returns {tid: update time}."""
    r = G.rng
    W = G.W
    when = {}
    for t in ts:
        tu = r.uniform(t_first, t_last)
        when[t["terminal_id"]] = tu
        if tu <= W.W0 - 3600:
            t[new_field] = new_val        # inventory already shows it
        else:
            G.te[t["terminal_id"]].fw.append((tu, new_field, new_val))
            G.off(t["terminal_id"], tu, tu + r.uniform(60, 150), f, "update")
            G.person(tu - 5, {"kind": "maintenance", "terminal_id": t["terminal_id"], "action": "firmware_update",
                              "notes": "TMS推送 %s %s" % ("固件" if new_field == "firmware" else "应用", new_val)})
    return when


def mk_bug(G, variant):
    r = G.rng
    W = G.W
    if variant in ("fw_nfc_crash", "fw_print_wdt"):
        cands = []
        for mname in MODEL_ORDER:
            ts = [t for t in W.terms if t["model"] == mname]
            if len(ts) >= 5:
                cands.append((mname, ts))
        if not cands:
            return None
        mname, ts = r.choice(cands)
        base = MODELS[mname]["fw"][0]
        if "." in base:
            head, tail = base.rsplit(".", 1)
            newv = head + "." + str(int(tail) + 1).zfill(len(tail))
        else:
            newv = base + "b"
        k = max(3, int(len(ts) * r.uniform(0.45, 0.8)))
        r.shuffle(ts)
        ts = ts[:k]
        ts.sort(key=lambda t: t["terminal_id"])
        t_first = W.W0 - r.uniform(2 * 3600, 14 * 3600)
        t_last = W.W0 + r.uniform(1800, 3 * 3600)
        t1 = W.W1 if r.random() < 0.6 else t_last + r.uniform(2 * 3600, 3 * 3600)
        notes = {"fw_nfc_crash": "%s 新固件 %s 的非接内核缺陷:挥卡交易时支付进程崩溃重启" % (mname, newv),
                 "fw_print_wdt": "%s 新固件 %s 打印驱动缺陷:打印长签购单时看门狗复位" % (mname, newv)}[variant]
        f = G.new("software.bug", variant, {"firmware": newv}, tids(ts), t_first, min(t1, W.W1), notes)
        when = rollout(G, f, ts, "firmware", newv, t_first, t_last)
        for t in ts:
            tid = t["terminal_id"]
            a = when[tid] + 150
            if variant == "fw_nfc_crash":
                G.rule(tid, a, f.t1, f, "card", 0.7,
                       dict(kind="APP_CRASH", fill={"lib": "libemv_ctls.so", "cls": "com.pay.emv.CtlsKernel.onTlv"},
                            reboot=("crash", 35, 80)), cond=lambda c: c["channel"] == "nfc")
            else:
                G.rule(tid, a, f.t1, f, "print", 0.45, dict(kind="APP_ANR", fill={"task": "prn_task", "ms": 8000},
                                                          reboot=("watchdog", 30, 70)))
        return f
    # app-version bugs across the Android fleet
    ts = [t for t in W.terms if t["android"]]
    if len(ts) < 6:
        return None
    newv = "5.3.0" if variant == "app_mem_leak" else "5.2.2"
    if any(t["app_version"] == newv for t in W.terms) or any(f.scope.get("app_version") == newv for f in G.faults):
        newv = "5.3.1" if variant == "app_mem_leak" else "5.2.3"
    frac = r.uniform(0.12, 0.25) if variant == "app_qr_crash" else r.uniform(0.15, 0.3)
    k = max(4, int(len(ts) * frac))
    r.shuffle(ts)
    ts = ts[:k]
    ts.sort(key=lambda t: t["terminal_id"])
    t_first = W.W0 - r.uniform(1800, 3 * 3600)
    t_last = W.W0 + r.uniform(1.5 * 3600, 3 * 3600)
    notes = {"app_mem_leak": "收单App %s 内存泄漏(交易流水缓存未释放),运行数小时后OOM崩溃" % newv,
             "app_qr_crash": "收单App %s 扫码支付模块空指针,扫码交易经常闪退" % newv}[variant]
    f = G.new("software.bug", variant, {"app_version": newv}, tids(ts), t_first, W.W1, notes)
    when = rollout(G, f, ts, "app_version", newv, t_first, t_last)
    for t in ts:
        tid = t["terminal_id"]
        a = when[tid] + 150
        if variant == "app_qr_crash":
            G.rule(tid, a, W.W1, f, "pre", 0.3, dict(kind="APP_CRASH", fill={"lib": "libqrpay.so", "cls": "com.pay.qr.ScanFragment.onResult"}),
                   cond=lambda c: c["channel"] == "qr")

            def tm(s, x, rr):
                s["app_crashes"] = s.get("app_crashes", 0) + rr.randint(0, 2)
            G.tele(tid, a, W.W1, f, tm)
        else:
            period = r.uniform(2.2, 3.5) * 3600
            m0 = t["mem0"]
            start = a
            peaks = []
            x = start
            while x < W.W1 + period:
                peaks.append(x + period)
                x += period + 60

            def mem(tt, start=start, period=period, m0=m0):
                if tt < start:
                    return m0
                ph = ((tt - start) % (period + 60)) / period
                return min(99.0, m0 + (97 - m0) * min(1.0, ph))
            for pk in peaks:
                if pk < W.W1:
                    G.spont(tid, pk - r.uniform(120, 400), f, "MEM_LOW", fill={"kb": r.randint(900, 4000), "bytes": r.randint(65536, 4194304)})
                    G.spont(tid, pk - 8, f, "APP_CRASH", fill={"lib": "libart.so", "cls": "com.pay.journal.TxnCache.put"})
                    G.off(tid, pk, pk + 60, f, "crash")
            G.tele(tid, a, W.W1, f, lambda s, x, rr, mem=mem: s.__setitem__("memory_used_pct", mem(x) + rr.uniform(-1.5, 1.5)))
            G.rule(tid, a, W.W1, f, "pre", lambda x, mem=mem: 0.35 if mem(x) > 91 else 0.0,
                   dict(kind="MEM_LOW", fill={"kb": 2100, "bytes": 1048576}))
    return f


def mk_incompatible(G, variant):
    r = G.rng
    W = G.W
    if variant == "tls_policy":
        # host stops accepting TLS 1.0; the oldest firmware of some models only speaks TLS 1.0
        best = None
        for h, _ in HOSTS:
            for mname in MODEL_ORDER:
                old = MODELS[mname]["fw"][-1]
                ts = [t for t in W.terms if t["host"] == h and t["model"] == mname and t["firmware"] == old]
                if len(ts) >= 2 and (best is None or len(ts) > len(best[2]) or r.random() < 0.3):
                    best = (h, old, ts)
        t0 = W.W0 + r.uniform(1800, 3 * 3600)
        if best:
            h, fw, ts = best
            scope = {"host": h, "firmware": fw}
            notes = "收单主机 %s 安全加固,关闭TLS1.0;旧固件 %s 仅支持TLS1.0,握手被拒" % (h, fw)
        else:
            # the shared front-end gateway of all hosts drops TLS 1.0
            groups = []
            for mname in MODEL_ORDER:
                old = MODELS[mname]["fw"][-1]
                ts = [t for t in W.terms if t["model"] == mname and t["firmware"] == old]
                if len(ts) >= 2:
                    groups.append((old, ts))
            if not groups:
                return None
            fw, ts = r.choice(groups)
            scope = {"firmware": fw}
            notes = "收单前置网关统一关闭TLS1.0;旧固件 %s 仅支持TLS1.0,所有主机通道握手被拒" % fw
        f = G.new("software.incompatible", variant, scope, tids(ts), t0, W.W1, notes, event_driven=True)
        for t in ts:
            G.rule(t["terminal_id"], t0, W.W1, f, "tls", 1.0, dict(kind="TLS_PROTO"))
        return f
    best = None
    for h, _ in HOSTS:
        ts = [t for t in W.terms if t["host"] == h and t["app_version"] == "4.9.8"]
        if len(ts) >= 2 and (best is None or len(ts) > len(best[1])):
            best = (h, ts)
    if not best:
        return None
    h, ts = best
    t0 = W.W0 + r.uniform(1800, 3.5 * 3600)
    notes = "收单主机 %s 切换新版报文规范(55域/60域),App 4.9.8 仍按旧规范组包,全部被拒(30)" % h
    f = G.new("software.incompatible", variant, {"host": h, "app_version": "4.9.8"}, tids(ts), t0, W.W1, notes, event_driven=True)
    for t in ts:
        G.rule(t["terminal_id"], t0, W.W1, f, "host_fmt", 1.0, dict(rc="30", kind="MSG_VERSION", fill={"spec": "2.0"}))
    return f


def mk_config(G, variant):
    r = G.rng
    W = G.W
    if variant == "host_addr":
        cands = [m for m in W.merchants if 2 <= sum(len(W.s_by_id[s]["terms"]) for s in m["sites"]) <= 12]
        if not cands:
            return None
        m = r.choice(cands)
        ts = [G.T(x) for s in m["sites"] for x in W.s_by_id[s]["terms"]]
        t0, t1 = G.window(60, 200)
        dns = r.random() < 0.5
        notes = "TMS批量下发参数时把主机地址写成了测试环境%s,该商户所有终端连不上主机" % ("域名" if dns else "IP")
        f = G.new("software.config", variant, {"merchant_id": m["merchant_id"]}, tids(ts), t0, t1, notes, event_driven=True)
        for t in ts:
            tid = t["terminal_id"]
            if dns:
                G.rule(tid, t0, t1, f, "connect", 1.0, dict(kind="COMM_DNS", fill={"hostname": "posp-uat.nanyuepay.cn"}))
            else:
                G.rule(tid, t0, t1, f, "connect", 1.0, dict(kind="COMM_REFUSED", fill={"ip": "10.40.99.12", "port": 8583}))
            G.te[tid].fw.append((t0, "_param", 1))
        G.person(t1 - 120, {"kind": "check", "terminal_id": ts[0]["terminal_id"], "name": "param_download", "result": "ok"})
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": ts[0]["terminal_id"], "cause": "software.config.host_address",
                            "notes": notes})
        return f
    t = G.pick_single(lambda t: True)
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(90, 330, early=True)
    if variant == "tid_unregistered":
        notes = "终端从另一商户调拨过来,终端号/商户号参数未更新,主机返回97(终端未登记)"
        f = G.new("software.config", variant, {"terminal_id": tid}, [tid], t0, t1, notes, event_driven=True)
        G.rule(tid, t0, t1, f, "host_term", 1.0, dict(rc="97"))
    else:
        notes = "参数里主密钥索引配错(应为3),计算的MAC与主机不一致,全部返回A0;密钥本身已下载"
        f = G.new("software.config", variant, {"terminal_id": tid}, [tid], t0, t1, notes, event_driven=True)
        G.rule(tid, t0, t1, f, "host_mac", 1.0, dict(rc="A0", kind="MAC_ERR"))
    G.person(t1, {"kind": "check", "terminal_id": tid, "name": "param_download", "result": "ok"})
    if r.random() < 0.5:
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "software.config", "notes": notes})
    return f


def mk_corruption(G, variant):
    r = G.rng
    W = G.W
    if variant == "pinpad_cable":
        t = G.pick_single(lambda t: t["ext_pinpad"])
        if not t:
            return None
        tid = t["terminal_id"]
        t0, t1 = G.window(90, 300, early=True)
        notes = "外接密码键盘串口线接头松动/受潮,PIN密文传输出错,主机返回99(PIN格式错)"
        f = G.new("transmission.corruption", variant, {"terminal_id": tid}, [tid], t0, t1, notes, event_driven=True)
        G.rule(tid, t0, t1, f, "pin", 0.3, dict(kind="PINPAD_COMM", fill={"port2": "COM2"}), cond=lambda c: c["pin"])
        G.rule(tid, t0, t1, f, "host_fmt", 0.4, dict(rc="99"), cond=lambda c: c["pin"])
        G.person(t1, {"kind": "check", "terminal_id": tid, "name": "cable_seated", "result": "ok"})
        return f
    if variant == "site_switch":
        cands = [s for s in W.sites if sum(1 for t in G.site_terms(s["site_id"]) if t["network"] == "ethernet") >= 2]
        if not cands:
            return None
        s = r.choice(cands)
        aff = G.site_terms(s["site_id"], lambda t: t["network"] == "ethernet")
        t0, t1 = G.window(60, 200)
        notes = "店内老旧交换机端口故障(雷击后),以太网帧误码,报文被截断/错位;延迟正常"
        f = G.new("transmission.corruption", variant, {"site_id": s["site_id"]}, tids(aff), t0, t1, notes)
        for t in aff:
            tid = t["terminal_id"]
            G.rule(tid, t0, t1, f, "host_fmt", 0.22, dict(rc="30"))
            G.rule(tid, t0, t1, f, "resp", 0.18, dict(kind="MSG_FORMAT", host_ok=True, fill={"f": r.choice((55, 60, 62)), "n": r.randint(40, 180)}))
            G.tele(tid, t0, t1, f, lambda sm, x, rr: sm.__setitem__("packet_loss", sm.get("packet_loss", 0) + rr.uniform(0.01, 0.04)))
        G.person(t1, {"kind": "check", "site_id": s["site_id"], "name": "switch_replaced", "result": "ok"})
        return f
    # carrier + city: a middlebox truncating large packets (chip data in field 55)
    groups = []
    for city in W.cities:
        for car, _ in CARRIERS:
            ts = [t for t in W.terms if t["city"] == city and t["carrier"] == car]
            if len(ts) >= 3:
                groups.append((city, car, ts))
    if not groups:
        return None
    city, car, ts = r.choice(groups)
    t0, t1 = G.window(60, 180)
    notes = "%s %s 城域网关割接后MTU配置错误,大于1400字节的报文(IC卡55域)被截断,扫码和小报文正常" % (CITIES[city][5], car.upper())
    f = G.new("transmission.corruption", variant, {"carrier": car, "city": city}, tids(ts), t0, t1, notes, event_driven=True)
    for t in ts:
        tid = t["terminal_id"]
        G.rule(tid, t0, t1, f, "host_fmt", 0.4, dict(rc="30"), cond=lambda c: c["big"])
        G.rule(tid, t0, t1, f, "resp", 0.45, dict(kind="MSG_FORMAT", host_ok=True, fill={"f": 55, "n": 1400}), cond=lambda c: c["big"])
    return f


def mk_keys(G, variant):
    r = G.rng
    W = G.W
    if variant == "rotation_missed":
        h = wchoice(r, HOSTS)
        ts = [t for t in W.terms if t["host"] == h]
        if len(ts) < 6:
            return None
        k = min(len(ts), r.randint(2, 5))
        r.shuffle(ts)
        ts = sorted(ts[:k], key=lambda t: t["terminal_id"])
        t0 = W.W0 + r.uniform(0, 2 * 3600)
        notes = "主机 %s 凌晨轮换工作密钥,部分终端当时离线/签到失败,仍用旧MAK计算MAC,主机返回A0" % h
        f = G.new("security.keys", variant, {"host": h}, tids(ts), t0, W.W1, notes)
        last_fix = t0
        for t in ts:
            tid = t["terminal_id"]
            fix = t0 + r.uniform(900, 4800)
            last_fix = max(last_fix, fix)
            G.rule(tid, t0, min(fix, W.W1), f, "host_mac", 1.0, dict(rc="A0", kind="MAC_ERR"))
            G.tele(tid, t0, min(fix, W.W1), f, lambda s, x, rr: s.__setitem__("key_check", "mismatch"))
            if fix < W.W1:
                G.person(fix, {"kind": "check", "terminal_id": tid, "name": "key_download", "result": "ok"})
        f.t1 = min(W.W1, last_fix)
        return f
    t = G.pick_single(lambda t: True)
    if not t:
        return None
    tid = t["terminal_id"]
    t0, t1 = G.window(60, 240, early=True)
    notes = "重新灌装主密钥后签到失败,工作密钥未下发,终端提示需要签到"
    f = G.new("security.keys", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
    G.rule(tid, t0, t1, f, "keys", 1.0, dict(kind="KEY_MISSING", fill={"ki": r.randint(1, 9)}))
    G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("key_check", "missing"))
    G.person(t1, {"kind": "check", "terminal_id": tid, "name": "key_download", "result": "ok"})
    if r.random() < 0.5:
        G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "security.keys", "notes": notes})
    return f


def mk_cert(G, variant):
    r = G.rng
    W = G.W
    if variant == "batch_expired":
        cands = [m for m in W.merchants if 2 <= sum(len(W.s_by_id[s]["terms"]) for s in m["sites"]) <= 16]
        if not cands:
            return None
        m = r.choice(cands)
        ts = [G.T(x) for s in m["sites"] for x in W.s_by_id[s]["terms"]]
        exp = float(int(W.W0 + r.uniform(1200, 4 * 3600)) // 3600 * 3600)
        inst = ts[0]["installed"]
        for t in ts:
            t["cert_not_after"] = exp
            t["installed"] = inst
        notes = "同一批次安装的终端客户端证书同时到期,到期后TLS握手失败,其余一切正常"
        f = G.new("security.certificate", variant, {"cert_not_after": iso(exp)}, tids(ts), exp, W.W1, notes)
        for t in ts:
            G.rule(t["terminal_id"], exp, W.W1, f, "tls", 1.0, dict(kind="TLS_EXPIRED"))
        return f
    if variant == "rtc_reset":
        t = G.pick_single(lambda t: True, prefer=lambda t: t["vendor"] in ("landi", "ingenico", "centerm"))
        if not t:
            return None
        tid = t["terminal_id"]
        t0, t1 = G.window(90, 300, early=True)
        notes = "RTC纽扣电池耗尽,重启后系统时间回到出厂时间,证书“尚未生效”"
        f = G.new("security.certificate", variant, {"terminal_id": tid}, [tid], t0, t1, notes)
        G.off(tid, t0 - 90, t0, f, "power_loss", 1)
        skew = -(W.W0 - datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
        G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("clock_skew_s", int(skew + (x - t0))))
        G.rule(tid, t0, t1, f, "tls", 1.0, dict(kind="TLS_NOTYETVALID", fill={"systime": "2020-01-01 08:%02d" % r.randint(0, 59)}))
        G.person(t1, {"kind": "maintenance", "terminal_id": tid, "action": "part_replaced", "notes": "更换RTC电池并同步时间"})
        if r.random() < 0.5:
            G.person(t1 + 300, {"kind": "resolution", "terminal_id": tid, "cause": "security.certificate.clock", "notes": notes})
        return f
    # new CA on a host: one model's trust store lacks the new root
    best = None
    for h, _ in HOSTS:
        for mname in MODEL_ORDER:
            ts = [t for t in W.terms if t["host"] == h and t["model"] == mname]
            if 2 <= len(ts) <= 14 and (best is None or r.random() < 0.3):
                best = (h, mname, ts)
    if not best:
        return None
    h, mname, ts = best
    t0 = W.W0 + r.uniform(1200, 3 * 3600)
    t1 = min(W.W1, t0 + r.uniform(1.5, 3.5) * 3600)
    notes = "主机 %s 更换服务器证书到新CA,%s 机型内置根证书未更新,无法验证服务器证书" % (h, mname)
    f = G.new("security.certificate", variant, {"host": h, "model": mname}, tids(ts), t0, t1, notes, event_driven=True)
    for t in ts:
        G.rule(t["terminal_id"], t0, t1, f, "tls", 1.0, dict(kind="TLS_UNTRUSTED"))
    return f


def mk_storage(G, variant):
    r = G.rng
    W = G.W
    if variant == "ad_cache_chain":
        cands = [m for m in W.merchants if m["chain"] and sum(1 for s in m["sites"] for x in W.s_by_id[s]["terms"] if G.T(x)["android"]) >= 2]
        if not cands:
            return None
        m = r.choice(cands)
        ts = [G.T(x) for s in m["sites"] for x in W.s_by_id[s]["terms"] if G.T(x)["android"]]
        notes = "连锁总部推送的点单广告视频缓存不清理,存储写满,交易流水写入失败"
        scope = {"merchant_id": m["merchant_id"]}
    else:
        t = G.pick_single(lambda t: True)
        if not t:
            return None
        ts = [t]
        notes = "日志级别被调成DEBUG后日志暴涨,存储写满,交易流水写入失败"
        scope = {"terminal_id": t["terminal_id"]}
    t0 = W.W0 + r.uniform(-1800, 3 * 3600)
    t1 = min(W.W1, t0 + r.uniform(1.5, 4.5) * 3600)
    f = G.new("resource.storage", variant, scope, tids(ts), t0, t1, notes)
    for t in ts:
        tid = t["terminal_id"]
        full = t0 + r.uniform(0, 1800)
        st0 = r.uniform(88, 95)

        def sto(x, full=full, st0=st0, t0=t0):
            if x >= full:
                return 100.0
            return st0 + (100 - st0) * (x - t0) / max(1.0, full - t0)
        G.tele(tid, t0, t1, f, lambda s, x, rr, sto=sto: s.__setitem__("storage_used_pct", min(100.0, sto(x))))
        G.rule(tid, full, t1, f, "pre", 0.85, dict(kind="STORAGE_FULL", fill={"kb": r.randint(0, 60)}))
        tt = full + r.uniform(30, 300)
        while tt < t1:
            G.spont(tid, tt, f, "STORAGE_FULL", fill={"kb": r.randint(0, 40)})
            tt += r.uniform(1500, 3600)
        G.person(t1, {"kind": "check", "terminal_id": tid, "name": "storage_cleanup", "result": "ok"})
    return f


def mk_memory(G, variant):
    r = G.rng
    W = G.W
    if variant == "site_apps":
        cands = [s for s in W.sites if sum(1 for t in G.site_terms(s["site_id"]) if t["android"]) >= 2]
        if not cands:
            return None
        s = r.choice(cands)
        ts = G.site_terms(s["site_id"], lambda t: t["android"])
        scope = {"site_id": s["site_id"]}
        notes = "店家在所有安卓终端上装了点餐+会员+外卖三个第三方App常驻后台,内存耗尽"
    else:
        t = G.pick_single(lambda t: t["android"])
        if not t:
            return None
        ts = [t]
        scope = {"terminal_id": t["terminal_id"]}
        notes = "商户自行安装多个App(直播/短视频)常驻后台,内存长期95%以上"
    t0, t1 = G.window(120, 330, early=True)
    f = G.new("resource.memory", variant, scope, tids(ts), t0, t1, notes)
    for t in ts:
        tid = t["terminal_id"]
        mf = noisy(91, 99, "%s/mem" % tid)
        G.tele(tid, t0, t1, f, lambda s, x, rr, mf=mf: s.__setitem__("memory_used_pct", mf(x)))
        G.rule(tid, t0, t1, f, "pre", 0.22, lambda c, rr: dict(kind="MEM_LOW", fill={"kb": rr.randint(1500, 9000), "bytes": rr.randint(65536, 2097152)}))
        G.rule(tid, t0, t1, f, "print", 0.1, dict(kind="APP_CRASH", fill={"lib": "libhwui.so", "cls": "com.pay.print.Bitmap.render"}))
        tt = t0 + r.uniform(300, 1500)
        while tt < t1:
            G.spont(tid, tt, f, "MEM_LOW", fill={"kb": r.randint(1500, 9000), "bytes": r.randint(65536, 2097152)})
            tt += r.uniform(1200, 3000)
        G.person(t1, {"kind": "check", "terminal_id": tid, "name": "apps_uninstalled", "result": "ok"})
    return f


def mk_cpu(G, variant):
    r = G.rng
    W = G.W
    if variant == "loyalty_plugin":
        cands = [m for m in W.merchants if 2 <= sum(1 for s in m["sites"] for x in W.s_by_id[s]["terms"] if G.T(x)["android"]) <= 14]
        if not cands:
            return None
        m = r.choice(cands)
        ts = [G.T(x) for s in m["sites"] for x in W.s_by_id[s]["terms"] if G.T(x)["android"]]
        scope = {"merchant_id": m["merchant_id"]}
        notes = "商户总部推的会员积分插件后台死循环同步,CPU长期满载,交易处理慢/超时"
    else:
        t = G.pick_single(lambda t: t["android"])
        if not t:
            return None
        ts = [t]
        scope = {"terminal_id": t["terminal_id"]}
        notes = "广告轮播程序后台解码视频,CPU 95%以上,读卡和算PIN超时"
    t0, t1 = G.window(90, 300, early=True)
    f = G.new("resource.cpu", variant, scope, tids(ts), t0, t1, notes)
    for t in ts:
        tid = t["terminal_id"]
        cf = noisy(88, 100, "%s/cpu" % tid)
        G.tele(tid, t0, t1, f, lambda s, x, rr, cf=cf: s.__setitem__("cpu_pct", cf(x)))
        G.tele(tid, t0, t1, f, lambda s, x, rr: s.__setitem__("temp_c", s.get("temp_c", 38) + rr.uniform(3, 7)))
        G.rule(tid, t0, t1, f, "card", 0.25, lambda c, rr: dict(kind="CPU_SLOW", fill={"task": "emv_kernel", "ms": rr.randint(6000, 15000), "cpu": rr.randint(95, 100)}),
               cond=lambda c: c["channel"] != "qr")
        G.rule(tid, t0, t1, f, "pre", 0.12, lambda c, rr: dict(kind="APP_ANR", fill={"task": "PayActivity", "ms": rr.randint(5000, 12000)}))
        G.rule(tid, t0, t1, f, "pin", 0.15, lambda c, rr: dict(kind="CPU_SLOW", fill={"task": "pin_entry", "ms": rr.randint(8000, 20000), "cpu": 99}),
               cond=lambda c: c["pin"])
        G.person(t1, {"kind": "check", "terminal_id": tid, "name": "background_apps_stopped", "result": "ok"})
    return f


def mk_operator(G, variant):
    r = G.rng
    W = G.W
    if variant == "trainee_site":
        cands = [s for s in W.sites if len(s["terms"]) >= 2 and s["mtype"] in ("hotel", "supermarket", "restaurant", "fuel")]
        if not cands:
            return None
        s = r.choice(cands)
        ts = G.site_terms(s["site_id"])
        ts = ts[:r.randint(1, len(ts))]
        scope = {"site_id": s["site_id"]}
        notes = "新来的实习收银员未经培训上岗:插卡未等提示就拔卡、输错金额取消、用错原凭证号撤销/预授权完成"
    else:
        t = G.pick_single(lambda t: True)
        if not t:
            return None
        ts = [t]
        scope = {"terminal_id": t["terminal_id"]}
        notes = "新收银员不熟悉流程,频繁取消、拔卡过早、撤销时输错原凭证号"
    t0, t1 = G.window(120, 300, early=True)
    f = G.new("operator.error", variant, scope, tids(ts), t0, t1, notes, event_driven=True)
    for t in ts:
        tid = t["terminal_id"]
        G.rule(tid, t0, t1, f, "pre", 0.08, lambda c, rr: dict(kind="INPUT_INVALID", fill={"what": "amount exceeds 999999.99", "whatcn": "金额超限"}) if rr.random() < 0.5 else dict(kind="USER_CANCEL"))
        G.rule(tid, t0, t1, f, "card", 0.12, dict(kind="CARD_REMOVED"), cond=lambda c: c["channel"] == "card_ic")
        G.rule(tid, t0, t1, f, "host_type", 1.0, lambda c, rr: dict(rc=("25" if c["type"] != "refund" else "64")),
               cond=lambda c, fid=f.fid: c.get("force") == fid)
        tt = t0 + r.uniform(200, 900)
        while tt < t1:
            typ = "completion" if t["mtype"] == "hotel" and r.random() < 0.5 else r.choice(("void", "void", "refund"))
            G.te[tid].inject.append((tt, f, {"type": typ, "force": f.fid}))
            tt += r.uniform(900, 2400)
    G.person(t1, {"kind": "check", "terminal_id": ts[0]["terminal_id"], "name": "cashier_retrained", "result": "ok"})
    return f


def merchant_terms(G, m):
    return [G.T(x) for s in m["sites"] for x in G.W.s_by_id[s]["terms"]]


def mk_txn_type(G, variant):
    r = G.rng
    W = G.W
    if variant == "preauth_disabled":
        cands = [m for m in W.merchants if m["mtype"] == "hotel"]
        if not cands:
            return None
        m = r.choice(cands)
        notes = "酒店商户变更后收单系统未开通预授权类交易,预授权/预授权完成返回58"
        cond = lambda c: c["type"] in ("preauth", "completion")
        rc = "58"
    elif variant == "refund_disabled":
        cands = [m for m in W.merchants if m["mtype"] in ("supermarket", "pharmacy", "restaurant")]
        if not cands:
            return None
        m = r.choice(cands)
        notes = "商户开户时漏开退货权限,退货交易全部返回58,需线下退款"
        cond = lambda c: c["type"] == "refund"
        rc = "58"
    else:
        cands = [m for m in W.merchants if m["mtype"] in ("wet_market", "fuel", "pharmacy", "logistics")]
        if not cands:
            return None
        m = r.choice(cands)
        notes = "该商户类别被设置为不受理贷记卡(信用卡),信用卡交易返回57"
        cond = lambda c: c.get("credit")
        rc = "57"
    ts = merchant_terms(G, m)
    t0 = W.W0 - r.uniform(0, 3600)
    t1 = min(W.W1, t0 + r.uniform(3, 6) * 3600)
    f = G.new("business.txn_type", variant, {"merchant_id": m["merchant_id"]}, tids(ts), t0, t1, notes, event_driven=True)
    for t in ts:
        G.rule(t["terminal_id"], t0, t1, f, "host_type", 1.0, dict(rc=rc), cond=cond)
        if variant == "refund_disabled":
            tt = t0 + r.uniform(300, 3000)
            while tt < t1:
                G.te[t["terminal_id"]].inject.append((tt, f, {"type": "refund"}))
                tt += r.uniform(1800, 5400)
    return f


def mk_limit(G, variant):
    r = G.rng
    W = G.W
    if variant == "fuel_single":
        cands = [m for m in W.merchants if m["mtype"] == "fuel"]
        if not cands:
            return None
        m = r.choice(cands)
        notes = "加油站单笔限额被风控参数误设为3000元,货车大额加油返回61"
        ts = merchant_terms(G, m)
        t0 = W.W0 - r.uniform(0, 3600)
        t1 = min(W.W1, t0 + r.uniform(3, 6) * 3600)
        f = G.new("business.limit", variant, {"merchant_id": m["merchant_id"]}, tids(ts), t0, t1, notes, event_driven=True)
        for t in ts:
            G.rule(t["terminal_id"], t0, t1, f, "host_limit", 1.0, dict(rc="61"), cond=lambda c: c["amount"] > 300000 and c["type"] in ("purchase", "preauth"))
            tt = t0 + r.uniform(300, 2400)
            while tt < t1:
                G.te[t["terminal_id"]].inject.append((tt, f, {"amount": r.randint(320000, 760000)}))
                tt += r.uniform(1500, 4000)
        return f
    cands = [m for m in W.merchants if m["mtype"] in ("wet_market", "night_market", "bubble_tea", "restaurant") and not m["chain"]
             and m["settlement"] == "indirect"]
    if not cands:
        cands = [m for m in W.merchants if not m["chain"]]
    m = r.choice(cands)
    ts = merchant_terms(G, m)
    t0 = W.W0 + r.uniform(1800, 4 * 3600)
    if variant == "daily_count":
        notes = "小微商户单日交易笔数上限(日累计笔数)触顶,此后交易返回65"
        rc = "65"
    else:
        notes = "小微商户日累计金额达到上限,此后贷记卡/借记卡交易返回61"
        rc = "61"
    f = G.new("business.limit", variant, {"merchant_id": m["merchant_id"]}, tids(ts), t0, W.W1, notes, event_driven=True)
    for t in ts:
        G.rule(t["terminal_id"], t0, W.W1, f, "host_limit", 1.0, dict(rc=rc), cond=lambda c: c["type"] == "purchase" and c["channel"] != "qr")
    return f


def mk_risk(G, variant):
    r = G.rng
    W = G.W
    if variant == "split_pattern":
        cands = [m for m in W.merchants if m["mtype"] in ("night_market", "wet_market", "restaurant", "tea_house") and not m["chain"]]
        notes = "风控模型识别到疑似拆单/套现(同卡短时多笔整数金额),对该商户交易拦截,返回59"
        rc = "59"
    else:
        cands = [m for m in W.merchants if m["mtype"] in ("pharmacy", "supermarket", "hotel")]
        notes = "商户被风控系统列入观察名单(大额贷记卡交易异常),贷记卡大额交易返回34"
        rc = "34"
    if not cands:
        return None
    m = r.choice(cands)
    ts = merchant_terms(G, m)
    t0 = W.W0 + r.uniform(0, 3.5 * 3600)
    t1 = min(W.W1, t0 + r.uniform(1.5, 4) * 3600)
    f = G.new("business.risk", variant, {"merchant_id": m["merchant_id"]}, tids(ts), t0, t1, notes, event_driven=True)
    for t in ts:
        if rc == "59":
            G.rule(t["terminal_id"], t0, t1, f, "host_risk", 0.85, dict(rc=rc), cond=lambda c: c["channel"] != "qr")
        else:
            G.rule(t["terminal_id"], t0, t1, f, "host_risk", 1.0, dict(rc=rc), cond=lambda c: c.get("credit") and c["amount"] >= 20000)
            G.rule(t["terminal_id"], t0, t1, f, "host_risk", 0.3, dict(rc=rc), cond=lambda c: c["channel"] != "qr")
    return f


def mk_merchant(G, variant):
    r = G.rng
    W = G.W
    if variant == "chain_frozen":
        cands = [m for m in W.merchants if m["chain"]]
        notes = "连锁商户营业执照年检资料过期,收单机构冻结商户号,所有门店所有交易返回03"
    else:
        cands = [m for m in W.merchants if not m["chain"]]
        notes = "商户信息登记错误(MCC与实际经营不符)被收单行暂停受理,交易返回03"
    if not cands:
        return None
    m = r.choice(cands)
    ts = merchant_terms(G, m)
    t0 = W.W0 + r.uniform(-1800, 3.5 * 3600)
    t1 = min(W.W1, t0 + r.uniform(1, 4) * 3600)
    f = G.new("business.merchant", variant, {"merchant_id": m["merchant_id"]}, tids(ts), t0, t1, notes, event_driven=True)
    for t in ts:
        G.rule(t["terminal_id"], t0, t1, f, "host_merch", 1.0, dict(rc="03"))
    return f


def mk_acquirer(G, variant):
    r = G.rng
    W = G.W
    taken = [f.scope.get("host") for f in G.faults if f.cause == "upstream.acquirer"]
    hs = [(h, w) for h, w in HOSTS if h not in taken]
    if not hs:
        return None
    h = wchoice(r, hs)
    ts = [t for t in W.terms if t["host"] == h]
    if len(ts) < 5:
        return None
    t0, t1 = G.window(15, 45)
    ov = t0 + (t1 - t0) * r.uniform(0.3, 0.6)
    notes = "收单主机 %s 数据库连接池耗尽:先是响应变慢、部分96,随后前置无应答" % h
    f = G.new("upstream.acquirer", variant, {"host": h}, tids(ts), t0, t1, notes, event_driven=True)

    def out(c, rr):
        x = c["t"]
        if x < ov:
            return dict(rc="96", lat=rr.uniform(4000, 12000)) if rr.random() < 0.5 else dict(timeout=True)
        u = rr.random()
        if u < 0.55:
            return dict(timeout=True)
        if u < 0.9:
            return dict(rc="96", lat=rr.uniform(1500, 9000))
        return dict(rc="91", lat=rr.uniform(800, 3000))
    for t in ts:
        G.rule(t["terminal_id"], t0, t1, f, "acq", lambda x: 0.35 if x < ov else 0.8, out)
        G.rule(t["terminal_id"], ov, t1, f, "connect", 0.06, dict(kind="COMM_CONNECT"))
        # slow host: approved transactions take longer; the network itself is fine
        G.net(t["terminal_id"], t0, t1, f, lat=lambda x: 2500 if x < ov else 5000, txn_only=True)
    return f


def mk_issuer(G, variant):
    r = G.rng
    W = G.W
    provs = []
    for c in W.cities:
        if CITIES[c][0] not in provs:
            provs.append(CITIES[c][0])
    cands = [i for i in ISSUERS if (i[4] == "" and i[3] >= 6) or i[4] in provs]
    taken = [f.scope.get("issuer_bin") for f in G.faults]
    cands = [i for i in cands if i[1] not in taken]
    if not cands:
        return None
    iss = r.choice(cands)
    t0, t1 = G.window(30, 110)
    notes = "发卡行 %s(BIN %s)核心系统升级延期,授权不可用,银联返回91/98" % (iss[0], iss[1])
    f = G.new("upstream.issuer", variant, {"issuer_bin": iss[1]}, [], t0, t1, notes, event_driven=True)

    def out(c, rr):
        if rr.random() < 0.6:
            return dict(rc="91", lat=rr.uniform(600, 2000))
        return dict(rc="98", lat=rr.uniform(28000, 31000))
    for t in W.terms:
        G.rule(t["terminal_id"], t0, t1, f, "issuer", 0.95, out, cond=lambda c, b=iss[1]: c.get("bin") == b)
    f.bin = iss[1]
    return f


def mk_decline(G, variant):
    r = G.rng
    W = G.W
    if variant == "stubborn_card":
        t = G.pick_single(lambda t: t["mtype"] in ("restaurant", "supermarket", "hotel", "fuel", "pharmacy"))
        if not t:
            return None
        tid = t["terminal_id"]
        t0 = r.uniform(W.W0 + 600, W.W1 - 1800)
        iss = r.choice(ISSUERS[:13])
        n = iss[5]
        pan = iss[1] + "".join(str(r.randint(0, 9)) for _ in range(n - 10)) + "%04d" % r.randint(0, 9999)
        masked = pan[:6] + "*" * (n - 10) + pan[-4:]
        notes = "顾客记错密码反复尝试(55,超过次数75),又换了一张余额不足的卡(51)"
        f = G.new("card.decline", variant, {"terminal_id": tid, "pan": masked}, [tid], t0, t0 + 600, notes, event_driven=True)
        G.te[tid].inject.append((t0, f, {"pan": masked, "bin": iss[1], "credit": iss[2], "channel": "card_ic", "pin": True,
                                         "force": f.fid, "stubborn": 0}))
        seq = ["55", "55", "55", "75"]
        G.rule(tid, t0, t0 + 600, f, "decline", 1.0,
               lambda c, rr, seq=seq: dict(rc=seq[min(c.get("stubborn", 0), 3)]), cond=lambda c, fid=f.fid: c.get("force") == fid)
        f.t1 = t0 + 600
        return f
    # payday delayed: many workers' payroll debit cards of one bank are empty in one city
    city = r.choice(W.cities)
    iss = r.choice([i for i in ISSUERS if not i[2] and i[3] >= 6])
    ts = [t for t in W.terms if t["city"] == city and t["mtype"] in ("wet_market", "night_market", "restaurant", "supermarket",
                                                                       "bubble_tea", "tea_house", "logistics", "pharmacy")]
    if len(ts) < 3:
        return None
    t0, t1 = G.window(90, 240)
    notes = "%s 某工业园区工厂工资延迟发放(代发行 %s),大量工人借记卡余额不足,周边商户51集中出现" % (CITIES[city][5], iss[0])
    f = G.new("card.decline", variant, {"city": city, "issuer_bin": iss[1]}, [], t0, t1, notes, event_driven=True)
    for t in ts:
        G.rule(t["terminal_id"], t0, t1, f, "decline", 0.6, dict(rc="51"), cond=lambda c, b=iss[1]: c.get("bin") == b)
        G.te[t["terminal_id"]].bias.append((t0, t1, iss[1], 0.3))
    f.bin = iss[1]
    f.bin_city = city
    f.complain = False
    return f


MAKERS = {
    "hardware.keypad": (("stuck", 2, mk_keypad), ("worn", 1, mk_keypad)),
    "hardware.display": (("lcd", 1, mk_display), ("touch", 1, mk_display)),
    "hardware.card_reader": (("ic_contact", 3, mk_card_reader), ("nfc_antenna", 1, mk_card_reader), ("reader_module", 1, mk_card_reader)),
    "hardware.printer": (("paper_out", 3, mk_printer), ("head_overheat", 1, mk_printer), ("damp_paper", 1, mk_printer)),
    "hardware.board": (("flooded", 2, mk_board), ("overheat", 1, mk_board)),
    "power.supply": (("storm_site", 4, mk_power), ("adapter_sag", 2, mk_power), ("wrong_adapter", 1, mk_power)),
    "power.battery": (("worn", 2, mk_battery), ("no_charge", 1, mk_battery)),
    "network.signal": (("basement", 2, mk_signal), ("cold_room", 1, mk_signal), ("wifi_far", 1, mk_signal), ("antenna", 1, mk_signal)),
    "network.lan": (("router_heat", 3, mk_lan), ("ap_hang", 1, mk_lan), ("cable", 1, mk_lan)),
    "network.carrier": (("bts_outage", 2, mk_carrier), ("pdp_core", 1, mk_carrier)),
    "software.bug": (("fw_nfc_crash", 1, mk_bug), ("fw_print_wdt", 1, mk_bug), ("app_mem_leak", 1, mk_bug), ("app_qr_crash", 1, mk_bug)),
    "software.incompatible": (("tls_policy", 1, mk_incompatible), ("msg_spec", 1, mk_incompatible)),
    "software.config": (("host_addr", 1, mk_config), ("tid_unregistered", 1, mk_config), ("key_index", 1, mk_config)),
    "transmission.corruption": (("pinpad_cable", 1, mk_corruption), ("site_switch", 1, mk_corruption), ("carrier_mtu", 1, mk_corruption)),
    "security.keys": (("rotation_missed", 1, mk_keys), ("keys_missing", 1, mk_keys)),
    "security.certificate": (("batch_expired", 2, mk_cert), ("rtc_reset", 1, mk_cert), ("new_ca", 1, mk_cert)),
    "resource.storage": (("log_bloat", 2, mk_storage), ("ad_cache_chain", 1, mk_storage)),
    "resource.memory": (("extra_apps", 2, mk_memory), ("site_apps", 1, mk_memory)),
    "resource.cpu": (("bg_app", 2, mk_cpu), ("loyalty_plugin", 1, mk_cpu)),
    "operator.error": (("trainee_site", 1, mk_operator), ("new_cashier", 1, mk_operator)),
    "business.txn_type": (("preauth_disabled", 1, mk_txn_type), ("refund_disabled", 1, mk_txn_type), ("credit_blocked", 1, mk_txn_type)),
    "business.limit": (("fuel_single", 1, mk_limit), ("daily_count", 1, mk_limit), ("daily_amount", 1, mk_limit)),
    "business.risk": (("split_pattern", 1, mk_risk), ("cashout_flag", 1, mk_risk)),
    "business.merchant": (("chain_frozen", 1, mk_merchant), ("closed", 1, mk_merchant)),
    "upstream.acquirer": (("host_outage", 1, mk_acquirer),),
    "upstream.issuer": (("bin_outage", 1, mk_issuer),),
    "card.decline": (("payday_cluster", 1, mk_decline), ("stubborn_card", 1, mk_decline)),
}
CAUSE_WEIGHT = {"network.lan": 1.5, "hardware.printer": 1.4, "network.signal": 1.3, "upstream.acquirer": 0.8,
                "power.supply": 1.2, "hardware.card_reader": 1.3, "operator.error": 1.5, "network.carrier": 1.3}


def make_fault(G, cause):
    r = G.rng
    opts = list(MAKERS[cause])
    used = [f.variant for f in G.faults if f.cause == cause]
    favour = opts[(G.W.seed + len(used)) % len(opts)][0]   # rotate variants across seeds
    while opts:
        wl = []
        for o in opts:
            w = o[1] * (0.25 if o[0] in used else 1.0) * (3.0 if o[0] == favour else 1.0)
            wl.append((o, w))
        variant, _, fn = wchoice(r, wl)
        opts.remove((variant, _, fn))
        n_before = len(G.faults)
        f = fn(G, variant)
        if f is not None:
            return G.faults[n_before:]
    return []


# variants that random picks reach rarely: four of them are planted in every seed
VARIANT_ROTATION = (
    ("power.supply", "adapter_sag"), ("network.signal", "wifi_far"), ("hardware.card_reader", "nfc_antenna"),
    ("software.config", "key_index"), ("power.supply", "wrong_adapter"), ("network.signal", "cold_room"),
    ("network.lan", "cable"), ("software.config", "tid_unregistered"), ("business.merchant", "closed"),
    ("network.carrier", "pdp_core"), ("business.limit", "fuel_single"), ("business.txn_type", "refund_disabled"),
    ("software.bug", "fw_nfc_crash"), ("hardware.printer", "paper_out"), ("security.keys", "keys_missing"),
    ("power.battery", "no_charge"), ("resource.memory", "site_apps"), ("transmission.corruption", "pinpad_cable"),
    ("hardware.board", "overheat"), ("resource.storage", "log_bloat"),
    ("security.certificate", "rtc_reset"), ("software.bug", "app_qr_crash"), ("hardware.display", "lcd"),
    ("hardware.keypad", "worn"), ("resource.cpu", "loyalty_plugin"), ("business.risk", "split_pattern"),
    ("card.decline", "stubborn_card"), ("network.lan", "ap_hang"), ("software.incompatible", "tls_policy"),
    ("hardware.card_reader", "reader_module"),
    ("operator.error", "trainee_site"), ("network.carrier", "bts_outage"), ("transmission.corruption", "carrier_mtu"),
    ("business.risk", "cashout_flag"), ("operator.error", "new_cashier"), ("business.limit", "daily_count"),
    ("hardware.printer", "damp_paper"), ("transmission.corruption", "site_switch"), ("hardware.printer", "head_overheat"),
    ("upstream.issuer", "bin_outage"),
)


def make_variant(G, cause, variant):
    for v, _, fn in MAKERS[cause]:
        if v == variant:
            n_before = len(G.faults)
            if fn(G, variant) is not None:
                return G.faults[n_before:]
    return make_fault(G, cause)


def plan_faults(G, extra=0):
    W, r = G.W, G.rng
    n = min(25, r.randint(15, 25) + extra)
    order = ["power.supply", "network.lan"]
    for i, c in enumerate(CAUSES):
        if i % 10 == (W.seed - 1) % 10 and c not in order:
            order.append(c)
    # first power fault of a seed is the site-wide storm one, with the weak-signal confounder inside
    made = 0
    for c in order:
        if c == "power.supply" and made == 0:
            f = mk_power(G, "storm_site")
            if f:
                made += 1
                sid = f.site
                cands = [t for t in G.site_terms(sid) if t["network"] == "cellular" and t["battery"]
                         and t["terminal_id"] not in G.used]
                if cands:
                    t = r.choice(cands)
                    G.used[t["terminal_id"]] = True
                    a = min(f.t0 - r.uniform(1800, 5400), W.W0 + 600)
                    add_signal(G, t, "basement" if r.random() < 0.5 else "antenna", a, max(f.t1 + 1800, a + 3 * 3600), companion=True)
                    made += 1
                continue
        made += len(make_fault(G, c))
    k = (W.seed - 1) * 4
    for j in (k, k + 1, k + 2, k + 3):
        c, v = VARIANT_ROTATION[j % len(VARIANT_ROTATION)]
        made += len(make_variant(G, c, v))
    tries = 0
    while len(G.faults) < n and tries < 200:
        tries += 1
        have = {}
        for f in G.faults:
            have[f.cause] = have.get(f.cause, 0) + 1
        pool = [(c, CAUSE_WEIGHT.get(c, 1.0) / (1.0 + 3.0 * have.get(c, 0))) for c in CAUSES]
        c = wchoice(r, pool)
        # keep host outages rare: at most one per seed
        if c == "upstream.acquirer" and any(f.cause == c for f in G.faults):
            continue
        make_fault(G, c)
    # clip truth windows to the observed day
    for f in G.faults:
        f.t1 = min(f.t1, W.W1)


# --------------------------------------------------------------------------
# Simulation of one terminal
# --------------------------------------------------------------------------
PRINTABLE = ("purchase", "refund", "void", "preauth", "completion")
HOST_STAGES = ("host_fmt", "host_mac", "host_term", "host_merch", "host_type", "host_limit", "host_risk", "acq",
               "issuer", "decline")
BIZ_RC = ("03", "12", "13", "25", "30", "34", "57", "58", "59", "61", "64", "65", "97", "99")


class Sim:
    def __init__(self, W, G, t):
        self.W, self.G, self.t = W, G, t
        self.tid = t["terminal_id"]
        self.te = G.te[self.tid]
        self.rng = random.Random("gen15/sim/%d/%s" % (W.seed, self.tid))
        self.v = VENDORS[t["vendor"]]
        self.m = W.m_by_id[t["merchant_id"]]
        self.recs = []
        self.off = [list(x) for x in self.te.off]
        self.off.sort(key=lambda x: x[0])
        self.stan = self.rng.randint(1, 400000)
        self.pending_rev = None
        self.fails = []
        self.last_user_reboot = -1e18
        self.errkeys = {}
        self.prov = CITIES[t["city"]][0]
        self.iss_w = []
        for i in ISSUERS:
            w = i[3]
            if i[4]:
                w = i[3] * 5 if i[4] == self.prov else 0.2
            self.iss_w.append((i, w))
        self.batt = self.battery_curve()
        r = self.rng
        # harmless noise: an occasional user restart
        if r.random() < 0.12:
            x = r.uniform(W.W0, W.W1)
            self.off.append([x, x + r.uniform(50, 110), None, "user", 0])
            self.off.sort(key=lambda x: x[0])

    # ---- helpers --------------------------------------------------------
    def off_at(self, x):
        for iv in self.off:
            if iv[0] <= x < iv[1]:
                return iv
            if iv[0] > x:
                break
        return None

    def add_off(self, a, b, f, reason, pe=0):
        self.off.append([a, b, f, reason, pe])
        self.off.sort(key=lambda x: x[0])

    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return "%06d" % self.stan

    def check(self, stage, x, c):
        lst = self.te.rules.get(stage)
        if not lst:
            return None
        for a, b, f, p, out, cond in lst:
            if a <= x < b and (cond is None or cond(c)):
                if self.rng.random() < val(p, x):
                    o = out(c, self.rng) if callable(out) else out
                    return f, o
        return None

    def net_at(self, x, tele=False):
        down_f = None
        loss, loss_f, lat, rssi, ck = 0.0, None, 0.0, None, None
        worst = 0.0
        for a, b, f, p in self.te.net:
            if not (a <= x < b):
                continue
            if tele and p.get("txn_only"):
                continue
            d = val(p.get("down", 0.0), x)
            if down_f is None and d > 0 and self.rng.random() < d:
                down_f = f
                ck = p.get("ckind", "COMM_CONNECT")
            l_ = val(p.get("loss", 0.0), x)
            loss = 1 - (1 - loss) * (1 - l_)
            if l_ > worst:
                worst, loss_f = l_, f
                if down_f is None:
                    ck = p.get("ckind", "COMM_CONNECT")
            lat += val(p.get("lat", 0.0), x)
            if p.get("rssi") is not None:
                rssi = val(p["rssi"], x)
        return down_f, loss, loss_f, lat, rssi, ck

    def battery_curve(self):
        t = self.t
        if not t["battery"]:
            return None
        r = random.Random("gen15/batt/%d/%s" % (self.W.seed, self.tid))
        start = self.W.W0 - 3600
        n = int((self.W.W1 - start) / 60) + 120
        lvl = t["batt0"]
        arr = []
        charging = False
        thr = r.uniform(15, 28)
        for _ in range(n):
            arr.append(lvl)
            if charging:
                lvl += r.uniform(0.45, 0.7)
                if lvl >= r.uniform(92, 100):
                    charging = False
                    thr = r.uniform(15, 28)
                lvl = min(100.0, lvl)
            else:
                lvl -= t["drain"] / 60.0 * r.uniform(0.5, 1.5)
                if lvl <= thr:
                    charging = True
        return (start, arr)

    def batt_at(self, x):
        start, arr = self.batt
        i = int((x - start) / 60)
        i = max(0, min(len(arr) - 1, i))
        return arr[i]

    # ---- record builders ------------------------------------------------
    def err(self, x, kind, f, cause, stan=None, fill=None, pick=None):
        code = self.v["codes"].get(kind)
        if code is None:
            return None
        while (int(x), code) in self.errkeys:
            x += 1.0
        self.errkeys[(int(x), code)] = True
        t = self.t
        host = t["host"]
        hn, ip, port = HOST_ADDR[host]
        d = {"host": host, "ip": ip, "port": port, "hostname": hn, "cto": 15000,
             "net": {"ethernet": "eth0", "wifi": "wlan0", "cellular": "ppp0"}[t["network"]],
             "netcn": {"ethernet": "有线", "wifi": "WiFi", "cellular": "4G"}[t["network"]],
             "csq": csq_of(t["rssi0"]) if t["network"] == "cellular" else 99, "n": self.rng.randint(180, 420),
             "to": self.v["to"], "tos": self.v["to"] // 1000, "ki": 1, "port2": "COM1",
             "v": t["vn"] or 4.9, "batt": 8, "btemp": 52, "ptemp": 68, "k": "8", "temp": 75, "n2": 1,
             "lib": "libpay.so", "cls": "com.pay.Main", "task": "trans_task", "ms": 9000, "kb": 0, "bytes": 1048576,
             "cpu": 98, "what": "bad amount", "whatcn": "金额错误", "f": 55, "spec": "1.0", "systime": "2020-01-01 08:00"}
        if stan:
            d["stan"] = stan
        if t["network"] != "cellular":
            d["csq"] = None
        if kind == "BOARD_SENSOR":
            d["n"] = self.rng.randint(1, 3)
        if fill:
            d.update(fill)
        rec = {"kind": "error", "terminal_id": self.tid, "code": code}
        if self.v["stage"]:
            rec["stage"] = KIND_STAGE[kind]
        rec["detail"] = render_detail(t["vendor"], t["model"], kind, code, x + t["skew"], d, self.rng, pick)
        if stan:
            rec["stan"] = stan
        rec["_t"] = x
        rec["_src"] = "err"
        rec["_kind"] = kind
        rec["_fail"] = (cause, f.fid if f else None)
        self.recs.append(rec)
        return rec

    def txn(self, x, c, stan, rc=None, timeout=False, lat=None, cause=None, f=None, typ=None):
        m = self.m
        t = self.t
        typ = typ or c["type"]
        rec = {"kind": "txn", "terminal_id": self.tid, "merchant_id": m["merchant_id"], "type": typ,
               "amount": int(c["amount"]), "currency": HOST_CURRENCY[t["host"]], "channel": c["channel"], "stan": stan}
        if rc is not None:
            rec["rrn"] = "%06d%s" % (int(x) % 1000000, stan)
        rec["mcc"] = m["mcc_jump"] or m["mcc"]
        if timeout:
            rec["timed_out"] = True
            rec["latency_ms"] = self.v["to"]
        else:
            rec["response_code"] = rc
            rec["latency_ms"] = int(lat)
        if rc == "00" and typ in ("purchase", "completion") and c["amount"] > 0:
            rate = m["qr_rate"] if c["channel"] == "qr" else m["card_rate"]
            rec["fee"] = int(round(c["amount"] * rate)) + m["fixed_fee"]
        if c.get("pan"):
            rec["pan"] = c["pan"]
        rec["_t"] = x
        rec["_src"] = "txn"
        if timeout or rc != "00":
            rec["_fail"] = (cause, f.fid if f else None)
        self.recs.append(rec)
        return rec

    # ---- customers ------------------------------------------------------
    def new_card(self, c):
        r = self.rng
        i = wchoice(r, self.iss_w)
        for a, b, bn, share in self.te.bias:
            if a <= c.get("t0", 0) < b and r.random() < share:
                for j in ISSUERS:
                    if j[1] == bn:
                        i = j
        n = i[5]
        c["bin"], c["credit"] = i[1], i[2]
        c["pan"] = i[1] + "*" * (n - 10) + "%04d" % r.randint(0, 9999)
        ch = c["channel"]
        if ch == "card_ic":
            c["pin"] = r.random() < (0.35 if c["credit"] else 0.9)
        elif ch == "card_swipe":
            c["pin"] = r.random() < 0.8
        elif ch == "nfc":
            c["pin"] = c["amount"] > 100000
        c["forgot"] = c["pin"] and r.random() < 0.025
        c["wrong"] = 0

    def customer(self, x):
        r = self.rng
        mt = self.t["mtype"]
        qr_w = {"wet_market": 62, "night_market": 66, "bubble_tea": 60, "parking": 55, "logistics": 50}.get(mt, 36)
        ch = wchoice(r, (("qr", qr_w), ("card_ic", 34), ("nfc", 24), ("card_swipe", 4)))
        typ = "purchase"
        if mt == "hotel":
            u = r.random()
            typ = "preauth" if u < 0.22 else ("completion" if u < 0.36 else "purchase")
        elif r.random() < 0.01:
            typ = "refund"
        med, sg = MTYPES[mt]["amt"]
        amount = int(max(100, med * math.exp(r.gauss(0, sg))))
        if typ == "preauth":
            amount = int(amount * r.uniform(1.5, 3))
        if mt == "fuel" and r.random() < 0.06:
            amount = r.randint(150000, 700000)
        if mt == "parking":
            amount = int(round(amount / 100.0)) * 100 or 500
        if typ in ("preauth", "completion") and ch == "qr":
            ch = "card_ic"
        c = {"t0": x, "channel": ch, "type": typ, "amount": amount, "pin": False, "big": ch in ("card_ic", "nfc"),
             "credit": False, "bin": None, "pan": None, "forgot": False, "wrong": 0, "tries": 0}
        if ch != "qr":
            self.new_card(c)
            if r.random() < 0.006:
                c["type"] = "balance"
                c["amount"] = 0
        return c

    # ---- one attempt of a customer's payment --------------------------------
    def fail_local(self, x, hit, c, cls, stan=None):
        f, o = hit
        self.err(x, o.get("kind", "USER_CANCEL"), f, f.cause, stan=stan, fill=o.get("fill"), pick=o.get("pick"))
        self.post_out(x, f, o)
        return {"ok": False, "cls": cls, "t_end": x + self.rng.uniform(1, 4), "f": f}

    def post_out(self, x, f, o):
        if o.get("reboot"):
            reason, dmin, dmax = o["reboot"]
            d = self.rng.uniform(dmin, dmax)
            self.add_off(x + 1, x + 1 + d, f, reason, 1 if reason == "power_loss" else 0)
            if o.get("after"):
                self.err(x + 1 + d + self.rng.uniform(4, 15), o["after"], f, f.cause)

    def bg(self, x, kind, c, stan=None, cls="op"):
        self.err(x, kind, None, "operator.error", stan=stan)
        return {"ok": False, "cls": cls, "t_end": x + self.rng.uniform(1, 3), "f": None}

    def attempt(self, x, c):
        r = self.rng
        c["t"] = x
        c["tries"] += 1
        hit = self.check("pre", x, c)
        if hit:
            return self.fail_local(x + r.uniform(0.5, 3), hit, c, "local")
        if r.random() < 0.0025:
            return self.bg(x + r.uniform(2, 8), "USER_CANCEL", c)
        if r.random() < 0.001:
            return self.bg(x + r.uniform(2, 8), "INPUT_INVALID", c)
        if c["channel"] != "qr":
            x += r.uniform(2, 6)
            c["t"] = x
            hit = self.check("card", x, c)
            if hit:
                return self.fail_local(x, hit, c, "card")
            if c["channel"] == "card_ic" and r.random() < 0.0035:
                return self.bg(x + r.uniform(1, 4), "CARD_REMOVED", c)
        else:
            x += r.uniform(1.5, 4)
        if c["pin"]:
            x += r.uniform(4, 12)
            c["t"] = x
            hit = self.check("pin", x, c)
            if hit:
                return self.fail_local(x, hit, c, "pin")
            if r.random() < 0.002:
                return self.bg(x + 50, "PIN_TIMEOUT", c)
        stan = self.next_stan()
        c["t"] = x
        hit = self.check("connect", x, c)
        if hit:
            return self.fail_local(x + r.uniform(1, 15), hit, c, "net", stan)
        down_f, loss, loss_f, nlat, rssi, ck = self.net_at(x)
        cell = self.t["network"] == "cellular"
        if down_f is not None:
            fill = {"csq": csq_of(rssi if rssi is not None else self.t["rssi0"])} if cell else None
            self.err(x + r.uniform(2, 20), ck or "COMM_CONNECT", down_f, down_f.cause, stan=stan, fill=fill)
            return {"ok": False, "cls": "net", "t_end": x + 20, "f": down_f}
        if loss_f is not None and r.random() < loss * 0.45:
            fill = {"csq": csq_of(rssi if rssi is not None else self.t["rssi0"])} if cell else None
            self.err(x + r.uniform(5, 15), ck or "COMM_CONNECT", loss_f, loss_f.cause, stan=stan, fill=fill)
            return {"ok": False, "cls": "net", "t_end": x + 15, "f": loss_f}
        x += 0.3
        if self.pending_rev:
            pc, pst = self.pending_rev
            self.txn(x, pc, self.next_stan(), rc="00", lat=r.uniform(300, 900), typ="reversal")
            self.pending_rev = None
            x += 1.0
        hit = self.check("tls", x, c)
        if hit:
            return self.fail_local(x + r.uniform(0.5, 2), hit, c, "tls", stan)
        hit = self.check("keys", x, c)
        if hit:
            return self.fail_local(x + r.uniform(0.2, 1), hit, c, "tls", stan)
        lat = r.uniform(250, 650) + 3 * self.t["lat0"] * math.exp(r.gauss(0, 0.2)) + nlat
        for st in HOST_STAGES:
            c["t"] = x
            hit = self.check(st, x, c)
            if hit:
                return self.host_fail(x, hit, c, stan, lat)
        rc = self.bg_decline(c)
        if rc:
            end = x + lat / 1000.0
            self.txn(end, c, stan, rc=rc, lat=lat, cause="card.decline")
            return {"ok": False, "cls": "decline", "rc": rc, "t_end": end + 2, "f": None}
        if loss_f is not None and r.random() < loss * 0.5:
            end = x + self.v["to"] / 1000.0
            self.txn(end, c, stan, timeout=True, cause=loss_f.cause, f=loss_f)
            self.err(end + r.uniform(0.2, 2), "COMM_RECV_TO", loss_f, loss_f.cause, stan=stan)
            self.pending_rev = (c, stan)
            return {"ok": False, "cls": "net", "t_end": end + 3, "f": loss_f}
        end = x + lat / 1000.0
        hit = self.check("resp", x, c)
        if hit:
            f, o = hit
            self.txn(end, c, stan, rc="00", lat=lat)
            self.err(end + r.uniform(0.1, 1.5), o.get("kind", "MSG_FORMAT"), f, f.cause, stan=stan, fill=o.get("fill"))
            self.pending_rev = (c, stan)
            return {"ok": False, "cls": "net", "t_end": end + 3, "f": f}
        self.txn(end, c, stan, rc="00", lat=lat)
        x = end
        if c["type"] in PRINTABLE:
            x += r.uniform(1, 3)
            c["t"] = x
            hit = self.check("print", x, c)
            if hit:
                f, o = hit
                if o.get("kind"):
                    self.err(x, o["kind"], f, f.cause, fill=o.get("fill"), pick=o.get("pick"))
                self.post_out(x, f, o)
                return {"ok": True, "cls": "print", "t_end": x + 5, "f": f}
            # noise: the cashier keyed a wrong amount and voids it at once (approved)
            if c["type"] == "purchase" and r.random() < 0.006:
                x += r.uniform(20, 60)
                st2 = self.next_stan()
                self.txn(x, c, st2, rc="00", lat=r.uniform(300, 900), typ="void")
        return {"ok": True, "cls": "ok", "t_end": x + r.uniform(3, 8), "f": None}

    def host_fail(self, x, hit, c, stan, lat):
        r = self.rng
        f, o = hit
        if o.get("timeout"):
            end = x + self.v["to"] / 1000.0
            self.txn(end, c, stan, timeout=True, cause=f.cause, f=f)
            self.err(end + r.uniform(0.2, 2), "COMM_RECV_TO", f, f.cause, stan=stan)
            self.pending_rev = (c, stan)
            return {"ok": False, "cls": "host", "t_end": end + 3, "f": f}
        lt = o.get("lat", lat)
        end = x + lt / 1000.0
        rc = o["rc"]
        self.txn(end, c, stan, rc=rc, lat=lt, cause=f.cause, f=f)
        if o.get("kind"):
            self.err(end + r.uniform(0.2, 1.5), o["kind"], f, f.cause, stan=stan, fill=o.get("fill"))
        cls = "biz" if rc in BIZ_RC else "host"
        if f.cause == "card.decline":
            cls = "decline"
        return {"ok": False, "cls": cls, "rc": rc, "t_end": end + 2, "f": f}

    def bg_decline(self, c):
        r = self.rng
        if c["type"] in ("void", "reversal"):
            return None
        if c["channel"] == "qr":
            return "51" if r.random() < 0.005 else None
        if c["forgot"]:
            if r.random() < 0.7:
                c["wrong"] += 1
                return "75" if c["wrong"] >= 3 else "55"
            c["forgot"] = False
        u = r.random()
        if c["type"] == "balance":
            return None
        if u < 0.016:
            return "51"
        if u < 0.0175:
            return "54"
        if u < 0.0195:
            return "05"
        if u < 0.0200:
            return "14"
        if u < 0.0203:
            return "41"
        return None

    def next_try(self, res, c):
        r = self.rng
        cls = res["cls"]
        if res["ok"]:
            return None
        if "stubborn" in c:
            c["stubborn"] += 1
            if c["stubborn"] > 4:
                return None
            if c["stubborn"] == 4:
                i = r.choice(ISSUERS[:13])
                c["pan"] = i[1] + "*" * (i[5] - 10) + "%04d" % r.randint(0, 9999)
                c["bin"], c["credit"] = i[1], i[2]
            return r.uniform(15, 40), c
        if c["tries"] >= 4:
            return None
        if cls == "decline":
            if res.get("rc") == "55" and c["forgot"]:
                return (r.uniform(8, 25), c) if r.random() < 0.8 else None
            if res.get("rc") == "51" and r.random() < 0.3:
                c = dict(c)
                c["channel"] = "qr"
                c["pan"] = c["bin"] = None
                c["pin"] = c["forgot"] = False
                c["big"] = False
                return r.uniform(20, 60), c
            return None
        if cls == "card":
            if r.random() < 0.75:
                if c["channel"] == "card_ic" and c["tries"] >= 2 and r.random() < 0.5:
                    c["channel"] = "card_swipe"
                    c["big"] = False
                elif c["channel"] == "nfc" and r.random() < 0.5:
                    c["channel"] = "card_ic"
                return r.uniform(5, 20), c
            return None
        if cls in ("op", "pin", "local"):
            return (r.uniform(5, 30), c) if r.random() < 0.7 else None
        if cls == "print":
            return None
        if cls == "biz":
            if c.get("force"):
                return None
            return (r.uniform(20, 60), c) if r.random() < 0.25 else None
        # net / host / tls: try again, then try the customer's QR code through the terminal
        if r.random() < 0.6:
            if c["tries"] >= 2 and c["channel"] != "qr" and r.random() < 0.5:
                c = dict(c)
                c["channel"] = "qr"
                c["pan"] = c["bin"] = None
                c["pin"] = c["forgot"] = False
                c["big"] = False
            return r.uniform(20, 90), c
        return None

    def run_txns(self):
        W, r, t = self.W, self.rng, self.t
        peak = MTYPES[t["mtype"]]["peak"] * t["busy"]
        lam = peak / 3600.0
        arr = []
        x = W.W0
        while True:
            x += r.expovariate(lam)
            if x >= W.W1:
                break
            if r.random() < rate_curve(t["mtype"], local_hour(x)):
                arr.append((x, None, None))
        for (ti, f, ov) in self.te.inject:
            if W.W0 <= ti < W.W1:
                arr.append((ti, f, ov))
        arr.sort(key=lambda e: e[0])
        t_free = W.W0
        for ta, f, ov in arr:
            x = max(ta, t_free)
            if x >= W.W1:
                break
            if self.off_at(x):
                continue
            c = self.customer(x)
            if ov:
                c.update(ov)
                if ov.get("channel") == "card_ic" or (ov.get("type") in ("void", "completion", "refund") and c["channel"] == "qr"):
                    c["channel"] = "card_ic"
                    c["big"] = True
                    if not c.get("pan"):
                        self.new_card(c)
                    c.update(ov)
            while True:
                res = self.attempt(x, c)
                x = res["t_end"]
                if not res["ok"] and res["cls"] in ("net", "host", "tls", "local", "card", "pin"):
                    self.fails.append(x)
                    self.maybe_user_reboot(x)
                nxt = self.next_try(res, c)
                if not nxt:
                    break
                d, c = nxt
                x += d
                if x >= W.W1 or self.off_at(x):
                    break
            t_free = x + r.uniform(5, 25)

    def maybe_user_reboot(self, x):
        recent = [y for y in self.fails if x - 600 <= y <= x]
        if len(recent) >= 3 and x - self.last_user_reboot > 1800 and self.rng.random() < 0.3:
            self.last_user_reboot = x
            a = x + self.rng.uniform(15, 40)
            self.add_off(a, a + self.rng.uniform(50, 110), None, "user")

    def run_spont(self):
        W = self.W
        for (x, f, kind, o) in sorted(self.te.spont, key=lambda e: e[0]):
            if x < W.W0 - 900 or x >= W.W1:
                continue
            if self.off_at(x):
                continue
            self.err(x, kind, f, f.cause, fill=o.get("fill"), pick=o.get("pick"))

    # ---- telemetry ------------------------------------------------------
    def run_tele(self):
        W, r, t = self.W, self.rng, self.t
        hb = t["hb"]
        fields = self.v["tele"]
        counters = {"card_reader_errors": ("ICC_FAIL", "MSR_FAIL", "NFC_FAIL"), "keypad_errors": ("KEY_STUCK",),
                    "app_crashes": ("APP_CRASH", "APP_ANR")}
        kinds_t = []
        for rec in self.recs:
            if rec["kind"] == "error":
                kinds_t.append((rec["_t"], rec["_kind"]))
        code_kind = None
        x = W.W0 - hb + t["hb_phase"]
        last = x - hb
        while x < W.W1:
            if self.tele_sample(x, last, fields, counters, kinds_t, code_kind):
                last = x       # counts are "since the last full sample"
            x += hb + r.uniform(-3, 3)

    def tele_sample(self, x, last, fields, counters, kinds_t, code_kind):
        r, t, W = self.rng, self.t, self.W
        iv = self.off_at(x)
        rec = {"kind": "telemetry", "terminal_id": self.tid}
        if iv:
            rec["online"] = False
            rec["_t"] = x
            rec["_src"] = "tms"
            self.recs.append(rec)
            return False
        down_f, loss, loss_f, nlat, rssi_o, ck = self.net_at(x, tele=True)
        if down_f is not None:
            rec["online"] = False
            rec["_t"] = x
            rec["_src"] = "tms"
            self.recs.append(rec)
            if self.v["hb_log"]:
                self.err(x + r.uniform(1, 10), "HB_FAIL", down_f, down_f.cause)
            return False
        s = {"online": True}
        if t["network"] != "ethernet":
            s["rssi_dbm"] = (rssi_o if rssi_o is not None else t["rssi0"]) + r.gauss(0, 2.2)
        s["latency_ms"] = t["lat0"] * math.exp(r.gauss(0, 0.2)) + nlat * r.uniform(0.7, 1.3)
        s["packet_loss"] = max(0.0, r.gauss(0.002, 0.002)) + loss * r.uniform(0.7, 1.2)
        if r.random() < 0.01:      # harmless spike
            s["latency_ms"] *= r.uniform(3, 6)
            s["packet_loss"] += r.uniform(0.01, 0.05)
        if t["vn"]:
            s["supply_v"] = t["vn"] * (1 + r.gauss(0, 0.006))
        if t["battery"]:
            s["battery_pct"] = self.batt_at(x)
        pe = 0
        reboot = None
        for a, b, f, reason, n in self.off:
            if last < a <= x and reason == "power_loss":
                pe += max(1, n)
            if last < b <= x:
                reboot = reason
        for tt, n in self.te.pe:
            if last < tt <= x:
                pe += n
        if t["vn"] and r.random() < 0.004:
            pe += 1                 # a fridge compressor starting; harmless
        s["power_events"] = pe
        if reboot:
            s["reboot"] = reboot
        s["storage_used_pct"] = min(97.0, t["sto0"] + 0.3 * (x - W.W0) / 3600.0)
        s["memory_used_pct"] = max(5.0, min(90.0, t["mem0"] + r.gauss(0, 3)))
        s["cpu_pct"] = max(1.0, min(85.0, t["cpu0"] + r.gauss(0, 6)))
        h = local_hour(x)
        sun = max(0.0, math.sin(math.pi * (h - 8) / 11.0)) if 8 <= h <= 19 else 0.0
        s["temp_c"] = t["temp0"] + (7.0 if t["outdoor"] else 2.0) * sun + r.gauss(0, 0.6)
        s["key_check"] = "ok"
        s["clock_skew_s"] = int(round(t["skew"])) if t["skew"] else r.choice((0, 0, 0, 1, -1))
        s["printer"] = "ok"
        for fld, kinds in counters.items():
            n = 0
            for tt, kind in kinds_t:
                if last < tt <= x and kind in kinds:
                    n += 1
            s[fld] = n
        for a, b, f, fn in self.te.tele:
            if a <= x < b:
                fn(s, x, r)
        for tt, fld, v in self.te.fw:
            if last < tt <= x and fld in ("firmware", "app_version"):
                s[fld] = v
        for fld in TELE_ORDER:
            if fld not in s:
                continue
            if fld in ("firmware", "app_version") or fld in fields:
                if fld == "rssi_dbm" and t["network"] == "ethernet":
                    continue
                if fld == "supply_v" and not t["vn"]:
                    continue
                if fld == "battery_pct" and not t["battery"]:
                    continue
                if fld == "reboot" and not s.get("reboot"):
                    continue
                rec[fld] = self.round_field(fld, s[fld])
        rec["_t"] = x
        rec["_src"] = "tms"
        self.recs.append(rec)
        return True

    @staticmethod
    def round_field(fld, v):
        if fld in ("rssi_dbm", "latency_ms", "battery_pct", "storage_used_pct", "memory_used_pct", "cpu_pct"):
            v = int(round(v))
            if fld in ("battery_pct", "storage_used_pct", "memory_used_pct", "cpu_pct"):
                v = max(0, min(100, v))
            if fld == "latency_ms":
                v = max(1, v)
            return v
        if fld == "packet_loss":
            return round(max(0.0, min(1.0, v)), 3)
        if fld == "supply_v":
            return round(v, 2)
        if fld == "temp_c":
            return round(v, 1)
        return v

    def run(self):
        self.run_txns()
        self.run_spont()
        self.run_tele()
        return self.recs


# --------------------------------------------------------------------------
# People: complaints, routine maintenance
# --------------------------------------------------------------------------
def shown(rec):
    if rec["kind"] == "error":
        return rec["code"]
    if rec.get("timed_out"):
        return "超时"
    return rec["response_code"]


def complaints(W, G, recs, rng):
    out = []
    by_f = {}
    for rec in recs:
        fl = rec.get("_fail")
        if fl and fl[1]:
            by_f.setdefault(fl[1], []).append(rec)
    n = 0
    fmap = {f.fid: f for f in G.faults}
    for fid in sorted(by_f):
        f = fmap[fid]
        evs = sorted(by_f[fid], key=lambda r_: r_["_t"])
        if len(evs) < 3 or not f.complain or rng.random() < 0.45:
            continue
        picks = [evs[min(len(evs) - 1, 2)]]
        if f.cause in ("upstream.acquirer", "network.carrier", "business.merchant", "upstream.issuer") and len(evs) > 10:
            picks.append(evs[len(evs) // 2])
        for ev in picks:
            t = W.t_by_id[ev["terminal_id"]]
            n += 1
            code = shown(ev)
            hh = datetime.fromtimestamp(ev["_t"], TZ8).strftime("%H点%M分")
            if f.cause.startswith("hardware.printer"):
                txt = rng.choice(("刷卡成功了但小票打不出来,提示%s" % code, "打印机一直报%s,客人要小票没法给" % code))
            elif f.cause.startswith("business."):
                txt = rng.choice(("从%s开始刷卡老是交易失败,显示%s,是不是我们商户号出问题了?" % (hh, code),
                                  "顾客刷卡被拒,提示代码%s,银行说卡没问题" % code))
            elif f.cause == "power.supply" and "site_id" in f.scope:
                txt = "今天下午店里所有POS机都时好时坏,一直提示%s,重启也没用" % code
            else:
                txt = rng.choice(("%s左右开始刷卡一直显示%s,顾客只能扫码,麻烦尽快处理" % (hh, code),
                                  "机器老是报%s,重启了也不行" % code,
                                  "POS机提示%s,交易做不了,影响营业" % code))
            rec = {"kind": "complaint", "complaint_id": "C-%d%04d" % (W.seed, n), "from": "merchant",
                   "merchant_id": t["merchant_id"], "terminal_id": t["terminal_id"], "text": txt,
                   "_t": ev["_t"] + rng.uniform(300, 1800), "_src": "person_l"}
            out.append(rec)
    # customers: debited although the terminal said failed (timeouts before the reversal)
    tos = [r_ for r_ in recs if r_["kind"] == "txn" and r_.get("timed_out") and r_["channel"] != "qr"]
    for ev in tos:
        if rng.random() < 0.04:
            n += 1
            t = W.t_by_id[ev["terminal_id"]]
            m = W.m_by_id[t["merchant_id"]]
            out.append({"kind": "complaint", "complaint_id": "C-%d%04d" % (W.seed, n), "from": "customer",
                        "merchant_id": m["merchant_id"], "terminal_id": t["terminal_id"],
                        "text": "在%s刷卡付%.2f元,机器显示交易失败,但银行卡已经扣款" % (m["name"], ev["amount"] / 100.0),
                        "_t": ev["_t"] + rng.uniform(600, 3600), "_src": "person_l"})
    # business-layer noise (C3): fee questions from indirect merchants on the higher rate
    for m in W.merchants:
        if m["card_rate"] > 0.006 and rng.random() < 0.5:
            n += 1
            out.append({"kind": "complaint", "complaint_id": "C-%d%04d" % (W.seed, n), "from": "merchant",
                        "merchant_id": m["merchant_id"], "text": "对账发现刷卡费率是0.63%,当初说好0.6%,怎么悄悄涨了?",
                        "_t": rng.uniform(W.W0, W.W1), "_src": "person_l"})
    return out


def routine(W, rng):
    out = []
    for t in W.terms:
        u = rng.random()
        x = W.W0 + rng.uniform(-1800, 2400)
        if u < 0.35:
            out.append({"kind": "maintenance", "terminal_id": t["terminal_id"], "action": "daily_check",
                        "notes": rng.choice(("电源、键盘、屏幕正常", "电源连接牢固,按键顺畅,显示清晰", "日检正常"))})
        elif u < 0.41:
            out.append({"kind": "maintenance", "terminal_id": t["terminal_id"], "action": "weekly_clean",
                        "notes": rng.choice(("清洁读卡槽和打印机", "除尘,清洁键盘"))})
        elif u < 0.43:
            out.append({"kind": "maintenance", "terminal_id": t["terminal_id"], "action": "monthly_inspection",
                        "notes": "内部检查无异常"})
        else:
            continue
        out[-1]["_t"] = x
        out[-1]["_src"] = "person"
    for s in W.sites:
        if rng.random() < 0.05:
            out.append({"kind": "check", "site_id": s["site_id"], "name": rng.choice(("router_restarted", "network_test")),
                        "result": "ok", "_t": rng.uniform(W.W0, W.W1), "_src": "person"})
    return out


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def inventory(W):
    x = W.W0 - 3600
    out = []
    for m in W.merchants:
        out.append({"kind": "merchant", "merchant_id": m["merchant_id"], "name": m["name"], "mcc": m["mcc"],
                    "city": m["city"], "settlement": m["settlement"], "card_rate": m["card_rate"],
                    "qr_rate": m["qr_rate"], "fixed_fee": m["fixed_fee"], "_t": x, "_src": "inv"})
    for s in W.sites:
        out.append({"kind": "site", "site_id": s["site_id"], "merchant_id": s["merchant_id"], "name": s["name"],
                    "city": s["city"], "lat": s["lat"], "lon": s["lon"], "_t": x, "_src": "inv"})
    for t in W.terms:
        d = {"kind": "terminal", "terminal_id": t["terminal_id"], "serial": t["serial"], "vendor": t["vendor"],
             "model": t["model"], "firmware": t["firmware"], "app_version": t["app_version"],
             "merchant_id": t["merchant_id"], "site_id": t["site_id"], "network": t["network"]}
        if t["carrier"]:
            d["carrier"] = t["carrier"]
        d["host"] = t["host"]
        d["cert_not_after"] = iso(t["cert_not_after"])
        d["installed"] = iso(t["installed"])
        d["_t"] = x
        d["_src"] = "inv"
        out.append(d)
    return out


def ts_of(W, rec):
    src = rec["_src"]
    x = rec["_t"]
    if src == "err":
        t = W.t_by_id[rec["terminal_id"]]
        return iso(x + t["skew"], VENDORS[t["vendor"]]["ts"])
    if src == "tms":
        t = W.t_by_id[rec["terminal_id"]]
        return iso(x + t["skew"], "Z")
    if src == "txn":
        t = W.t_by_id[rec["terminal_id"]]
        return iso(x, HOST_TS[t["host"]])
    if src == "person_l":
        return iso(x, "L")
    return iso(x, "Z")


def simulate(seed, extra):
    W = build_world(seed)
    G = Gen(W)
    plan_faults(G, extra)
    sims = []
    for t in W.terms:
        sims.extend(Sim(W, G, t).run())
    n_ok = 0
    cnt = {}
    for rec in sims:
        fl = rec.get("_fail")
        if fl and fl[1]:
            cnt[fl[1]] = cnt.get(fl[1], 0) + 1
    for f in G.faults:
        if not f.event_driven or cnt.get(f.fid):
            n_ok += 1
    return W, G, sims, n_ok


def generate(seed, outdir):
    for extra in (0, 2, 4, 6, 8):
        W, G, sims, n_ok = simulate(seed, extra)
        if n_ok >= 15:
            break
    recs = inventory(W)
    recs.extend(sims)
    for p in G.people:
        p["_src"] = "person"
        if W.W0 - 3600 < p["_t"] < W.W1 + 3600:
            recs.append(p)
    rng = random.Random("gen15/people/%d" % seed)
    recs.extend(routine(W, rng))
    recs.extend(complaints(W, G, sims, rng))
    # faults: which terminals really showed it
    fmap = {f.fid: f for f in G.faults}
    for rec in sims:
        fl = rec.get("_fail")
        if fl and fl[1]:
            f = fmap[fl[1]]
            f.n_events += 1
            f.ev_terms[rec["terminal_id"]] = True
    keep = []
    for f in G.faults:
        if f.event_driven:
            if f.n_events == 0:
                continue
            f.terms = sorted(f.ev_terms.keys())
        keep.append(f)
    # timestamps and delivery order
    orng = random.Random("gen15/order/%d" % seed)
    lines = []
    truth_events = []
    for i, rec in enumerate(recs):
        ts = ts_of(W, rec)
        out = {"kind": rec["kind"], "ts": ts}
        for k, v in rec.items():
            if k in ("kind", "_t", "_src", "_fail", "_kind"):
                continue
            out[k] = v
        if rec["_src"] == "inv":
            key = rec["_t"] + i * 1e-6
        else:
            u = orng.random()
            delay = orng.uniform(0, 3) if u < 0.93 else orng.uniform(5, 35)
            key = rec["_t"] + delay
        line = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
        lines.append((key, i, line))
        fl = rec.get("_fail")
        if fl:
            te = {"kind": "truth_event", "ts": ts, "terminal_id": rec["terminal_id"], "cause": fl[0]}
            if rec["kind"] == "error":
                te["code"] = rec["code"]
            elif rec.get("timed_out"):
                te["code"] = "timeout"
            else:
                te["code"] = rec["response_code"]
            if rec.get("stan"):
                te["stan"] = rec["stan"]
            te["fault_id"] = fl[1]
            truth_events.append((rec["_t"], rec["terminal_id"], te))
        # a few duplicates: telemetry and approved transactions resent, rarely a failed one
        if rec["_src"] in ("tms", "txn") and orng.random() < (0.004 if not fl else 0.0008):
            lines.append((key + orng.uniform(1, 10), i + 0.5, line))
    lines.sort(key=lambda e: (e[0], e[1]))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fh:
        for _, _, line in lines:
            fh.write(line + "\n")
    truth_events.sort(key=lambda e: (e[0], e[1]))
    with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for f in keep:
            d = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope, "terminals": sorted(f.terms),
                 "start": iso(f.t0), "end": iso(f.t1), "variant": f.variant, "notes": f.notes, "events": f.n_events}
            fh.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, te in truth_events:
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
    return W, keep, len(lines), len(truth_events)


def main(argv=None):
    ap = argparse.ArgumentParser(description="posdoc independent test-data generator (gen15)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    W, faults, nrec, nte = generate(a.seed, a.out)
    causes = {}
    for f in faults:
        causes[f.cause] = causes.get(f.cause, 0) + 1
    print("seed %d: %d terminals, %d records, %d faults, %d truth_events -> %s" %
          (a.seed, len(W.terms), nrec, len(faults), nte, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
