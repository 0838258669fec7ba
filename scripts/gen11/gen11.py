#!/usr/bin/env python3
"""gen11 -- independent test-data generator for a POS terminal fleet (posdoc format v1).

World: "Tianfu CloudPay" (天府云付), a licensed direct-settlement acquirer in Sichuan
(Chengdu, Mianyang, Deyang, Leshan) with three host channels.  About 300 terminals of
seven vendors, six hours of telemetry / transactions / terminal error logs, about 20
injected faults that act through physical state, plus ordinary background failures.

usage: python3 gen11.py --seed N --out DIR      (standard library only, deterministic)
"""
import argparse
import bisect
import calendar
import json
import math
import os
import random
import time

TZOFF = 8 * 3600
_FMT = {}


def fmt(t):
    t = int(t)
    s = _FMT.get(t)
    if s is None:
        s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + TZOFF)) + "+08:00"
        _FMT[t] = s
    return s


def fmt_utc_day(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def wpick(rng, items, weights):
    tot = float(sum(weights))
    x = rng.random() * tot
    for it, w in zip(items, weights):
        x -= w
        if x < 0:
            return it
    return items[-1]


def clamp(x, a=0.0, b=1.0):
    return a if x < a else (b if x > b else x)


CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer",
    "hardware.board", "power.supply", "power.battery", "network.signal", "network.lan",
    "network.carrier", "software.bug", "software.incompatible", "software.config",
    "transmission.corruption", "security.keys", "security.certificate", "resource.storage",
    "resource.memory", "resource.cpu", "operator.error", "business.txn_type",
    "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer", "card.decline",
]

# --------------------------------------------------------------------------- world data
CITIES = [  # name, UnionPay area code, lat, lon, weight, site prefix
    ("chengdu", "6510", 30.66, 104.07, 0.66, "CD"),
    ("mianyang", "6590", 31.47, 104.68, 0.13, "MY"),
    ("deyang", "6580", 31.13, 104.40, 0.12, "DY"),
    ("leshan", "6650", 29.55, 103.77, 0.09, "LS"),
]
DISTRICTS = {"chengdu": ["锦江", "青羊", "武侯", "金牛", "成华", "高新", "双流", "郫都", "温江"],
             "mianyang": ["涪城", "游仙", "科创园"], "deyang": ["旌阳", "广汉", "什邡"],
             "leshan": ["市中", "峨眉", "五通桥"]}
NAME_HEAD = ["蜀香", "锦城", "天府", "宽窄", "春熙", "老码头", "川味", "巴山", "芙蓉", "竹林", "青城",
             "蓉城", "玉林", "望江", "太古", "金沙", "峨眉", "剑南", "蜀韵", "红星", "府河", "九眼桥",
             "东郊", "西岭", "百花", "银杏", "杜甫", "文殊", "琴台", "浣花"]
# mcc: label, name tails, sites, terms/site, rate/h/terminal, median fen, sigma,
#      channel mix (ic, swipe, nfc, qr), curve, portable share, extra type mix
PROFILES = {
    "5411": ("supermarket", ["超市", "生活超市", "惠民超市"], (1, 4), (2, 6), 20, 6800, 0.9, (0.30, 0.02, 0.10, 0.58), "retail", 0.1, {}),
    "5812": ("restaurant", ["火锅", "川菜馆", "中餐厅", "烤鱼"], (1, 2), (1, 3), 7, 16000, 0.7, (0.42, 0.02, 0.08, 0.48), "meal", 0.7, {}),
    "5814": ("snack", ["小吃", "面馆", "串串香", "冒菜"], (1, 3), (1, 2), 11, 3200, 0.6, (0.15, 0.01, 0.06, 0.78), "meal", 0.4, {}),
    "5499": ("convenience", ["便利店", "24小时店"], (1, 5), (1, 2), 11, 2200, 0.7, (0.12, 0.01, 0.12, 0.75), "conv", 0.15, {}),
    "5912": ("pharmacy", ["大药房", "药店"], (1, 3), (1, 2), 5, 7800, 0.8, (0.40, 0.03, 0.07, 0.50), "retail", 0.2, {}),
    "5311": ("department", ["百货", "购物中心"], (1, 1), (4, 8), 5, 42000, 0.9, (0.55, 0.02, 0.08, 0.35), "retail", 0.15, {}),
    "7011": ("hotel", ["酒店", "宾馆"], (1, 1), (1, 2), 1.6, 52000, 0.6, (0.80, 0.05, 0.05, 0.10), "flat", 0.2, {"preauth": 0.33, "completion": 0.2}),
    "5541": ("fuel", ["加油站"], (1, 2), (2, 4), 10, 26000, 0.5, (0.40, 0.03, 0.07, 0.50), "flat", 0.5, {"preauth": 0.05}),
    "5732": ("electronics", ["数码", "手机城"], (1, 1), (1, 2), 1.8, 180000, 0.9, (0.70, 0.04, 0.06, 0.20), "retail", 0.2, {}),
    "5691": ("clothing", ["服饰", "鞋服"], (1, 2), (1, 1), 2.5, 32000, 0.7, (0.45, 0.02, 0.05, 0.48), "retail", 0.3, {}),
    "8062": ("hospital", ["医院门诊", "口腔医院"], (1, 1), (3, 6), 8, 21000, 0.9, (0.60, 0.03, 0.05, 0.32), "clinic", 0.1, {}),
    "5999": ("misc", ["商行", "杂货"], (1, 1), (1, 1), 2, 9000, 1.0, (0.25, 0.03, 0.05, 0.67), "retail", 0.3, {}),
}
PROFILE_W = {"5411": 10, "5812": 18, "5814": 14, "5499": 12, "5912": 7, "5311": 3, "7011": 5,
             "5541": 4, "5732": 4, "5691": 8, "8062": 2, "5999": 6}

HOSTS = {"TFP-A": ("10.50.1.12", 8583), "TFP-B": ("10.50.2.12", 8583), "CUP-D": ("172.20.8.5", 5000)}
HOST_W = {"TFP-A": 0.45, "TFP-B": 0.35, "CUP-D": 0.20}
CARRIERS = {"cmcc": 0.55, "unicom": 0.25, "telecom": 0.20}
APN = {"cmcc": "tfpay.sc", "unicom": "tfpay.uni", "telecom": "tfpay.ctnet"}

# model: vendor, form, nominal supply volts (0 = battery), android, network weights, firmware list
MODELS = {
    "A920": ("pax", "portable", 0.0, True, {"cellular": 0.7, "wifi": 0.3}, ["PD10-V3.08.11", "PD10-V3.08.14"]),
    "S90": ("pax", "counter", 5.0, False, {"ethernet": 0.55, "wifi": 0.15, "cellular": 0.30}, ["Prolin-2.6.42", "Prolin-2.6.47"]),
    "N910": ("newland", "portable", 0.0, True, {"cellular": 0.75, "wifi": 0.25}, ["NLD-5.2.4", "NLD-5.2.7"]),
    "SP630": ("newland", "counter", 12.0, False, {"ethernet": 0.6, "cellular": 0.4}, ["NLP-3.1.9", "NLP-3.2.0"]),
    "ME31": ("newland", "portable", 0.0, False, {"cellular": 1.0}, ["NLP-3.1.9", "NLP-3.2.0"]),
    "A8": ("landi", "portable", 0.0, True, {"cellular": 0.6, "wifi": 0.4}, ["LDA-8.1.07", "LDA-8.1.09"]),
    "E550": ("landi", "counter", 9.0, False, {"ethernet": 0.7, "cellular": 0.3}, ["LDL-4.3.2", "LDL-4.3.5"]),
    "V200c": ("verifone", "counter", 12.0, False, {"ethernet": 0.8, "wifi": 0.2}, ["VOS2-31020500", "VOS2-31030100"]),
    "X990": ("verifone", "portable", 0.0, True, {"cellular": 0.5, "wifi": 0.5}, ["VAOS-1.6.3", "VAOS-1.7.0"]),
    "Move5000": ("ingenico", "portable", 0.0, False, {"cellular": 0.8, "wifi": 0.2}, ["TETRA-11.20.04", "TETRA-11.22.00"]),
    "Desk5000": ("ingenico", "counter", 12.0, False, {"ethernet": 0.85, "wifi": 0.15}, ["TETRA-11.20.04", "TETRA-11.22.00"]),
    "P2": ("sunmi", "portable", 0.0, True, {"cellular": 0.55, "wifi": 0.45}, ["SUNMI-OS-3.2.15", "SUNMI-OS-3.3.02"]),
    "T2s": ("sunmi", "counter", 24.0, True, {"ethernet": 0.5, "wifi": 0.5}, ["SUNMI-OS-2.9.8", "SUNMI-OS-3.0.1"]),
    "K9": ("centerm", "portable", 0.0, True, {"cellular": 0.7, "wifi": 0.3}, ["CTA-2.10.1", "CTA-2.11.0"]),
    "C960": ("centerm", "counter", 5.0, False, {"ethernet": 0.5, "cellular": 0.5}, ["CTL-1.9.5", "CTL-1.9.8"]),
}
APP_ANDROID = (["7.4.2", "7.5.0", "7.5.3"], [0.2, 0.5, 0.3])   # "TFPay" Android cashier app
APP_CLASSIC = (["5.8.2", "6.0.1", "6.1.0"], [0.2, 0.45, 0.35])  # "TFPos" app for classic OS

TELE_ALL = ["online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
            "reboot", "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check", "clock_skew_s",
            "printer", "keypad_errors", "card_reader_errors", "app_crashes"]
VENDOR = {
    "pax": dict(w=25, cad=60, timeout=60, e1="COMM", mode="group",
                fields=["online", "latency_ms", "packet_loss", "rssi_dbm", "supply_v", "battery_pct", "power_events",
                        "reboot", "storage_used_pct", "memory_used_pct", "key_check", "printer", "app_crashes"]),
    "newland": dict(w=20, cad=120, timeout=60, e1="SEC", mode="group",
                    fields=["online", "rssi_dbm", "latency_ms", "battery_pct", "supply_v", "cpu_pct", "temp_c",
                            "keypad_errors", "card_reader_errors", "reboot", "printer"]),
    "landi": dict(w=14, cad=300, timeout=45, e1="STATE", mode="group",
                  fields=["online", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events", "reboot",
                          "storage_used_pct", "key_check", "clock_skew_s"]),
    "verifone": dict(w=8, cad=180, timeout=60, e1="COMM", mode="cond",
                     fields=["online", "supply_v", "battery_pct", "power_events", "reboot", "key_check", "clock_skew_s",
                             "keypad_errors", "card_reader_errors", "printer", "temp_c"]),
    "ingenico": dict(w=10, cad=300, timeout=50, e1="CARD", mode="cond",
                     fields=["online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "memory_used_pct",
                             "cpu_pct", "app_crashes", "reboot", "key_check"]),
    "sunmi": dict(w=12, cad=60, timeout=60, e1="APP", mode="group",
                  fields=["online", "rssi_dbm", "latency_ms", "battery_pct", "storage_used_pct", "memory_used_pct",
                          "cpu_pct", "temp_c", "app_crashes", "reboot", "printer"]),
    "centerm": dict(w=11, cad=240, timeout=45, e1="POWER", mode="group",
                    fields=["online", "latency_ms", "rssi_dbm", "supply_v", "battery_pct", "power_events", "reboot",
                            "keypad_errors", "card_reader_errors", "printer", "storage_used_pct"]),
}
VENDOR_MODELS = {}
for _m, _s in MODELS.items():
    VENDOR_MODELS.setdefault(_s[0], []).append(_m)

BINS = [  # bin, issuer, kind, weight
    ("621700", "ccb", "debit", 10), ("436742", "ccb", "credit", 4), ("622700", "ccb", "debit", 3),
    ("622202", "icbc", "debit", 11), ("625330", "icbc", "credit", 3), ("621226", "icbc", "debit", 4),
    ("622848", "abc", "debit", 10), ("622836", "abc", "credit", 2),
    ("621661", "boc", "debit", 5), ("625907", "boc", "credit", 2),
    ("622588", "cmb", "debit", 5), ("439225", "cmb", "credit", 4),
    ("622260", "bocom", "debit", 3), ("521899", "bocom", "credit", 1.5),
    ("621799", "psbc", "debit", 6), ("623190", "cdrcb", "debit", 4), ("622147", "bocd", "debit", 3),
    ("622909", "cib", "debit", 2), ("628288", "citic", "credit", 1.5),
]
BIN_W = [b[3] for b in BINS]

# ------------------------------------------------------------------ vendor error tables
COND = {
    "CONNECT_FAIL": ("connect", "连接主机失败", "connect host failed"),
    "RECV_TIMEOUT": ("receive", "接收超时", "receive timeout"),
    "SEND_FAIL": ("send", "发送数据失败", "send failed"),
    "DIAL_FAIL": ("connect", "无线拨号失败", "PDP context activation failed"),
    "LINK_DOWN": ("connect", "网络未连接", "network link down"),
    "TLS_CERT": ("tls", "证书校验失败", "certificate verify failed"),
    "TLS_HANDSHAKE": ("tls", "SSL握手失败", "TLS handshake failure"),
    "MAC_ERR": ("mac", "MAC校验错", "MAC verify error"),
    "KEY_MISSING": ("mac", "工作密钥不存在,请重新签到", "working key missing"),
    "PACKET_ERR": ("receive", "报文解包失败", "unpack response failed"),
    "HOST_REJECT": ("receive", "主机拒绝:终端版本不支持", "host rejected terminal version"),
    "STATE_ERR": ("app", "终端状态异常", "terminal state error"),
    "PARAM_ERR": ("connect", "终端参数错误", "terminal parameter error"),
    "TAMPER": ("power_on", "安全模块触发,密钥已清除", "tamper triggered, keys erased"),
    "CARD_READ": ("card_read", "读卡失败,请重试", "card read error"),
    "CARD_REMOVED": ("card_read", "卡片移出过早", "card removed too early"),
    "PIN_ERR": ("pin", "密码键盘异常", "PIN pad error"),
    "PIN_TIMEOUT": ("pin", "输入超时", "input timeout"),
    "PAPER_OUT": ("print", "打印机缺纸", "printer out of paper"),
    "PRINTER_FAULT": ("print", "打印机故障", "printer fault"),
    "APP_CRASH": ("app", "应用异常退出", "application crashed"),
    "DISPLAY_ERR": ("app", "显示屏异常", "display error"),
    "STORAGE_FULL": ("app", "存储空间已满,流水保存失败", "storage full"),
    "MEM_LOW": ("app", "内存不足", "out of memory"),
    "SYS_BUSY": ("app", "系统繁忙,处理超时", "system busy"),
    "LOW_VOLTAGE": ("power_on", "电源电压异常", "supply voltage abnormal"),
    "BATTERY_LOW": ("power_on", "电池电量过低,请充电", "battery low"),
    "HW_FAULT": ("power_on", "硬件自检失败", "hardware self-test failed"),
    "ORIG_NOT_FOUND": ("app", "原交易不存在", "original transaction not found"),
    "PWD_ERR": ("app", "主管密码错误", "supervisor password wrong"),
}
GROUPS = [
    ("COMM", ["CONNECT_FAIL", "RECV_TIMEOUT", "SEND_FAIL", "DIAL_FAIL", "LINK_DOWN"]),
    ("SEC", ["TLS_CERT", "TLS_HANDSHAKE", "MAC_ERR"]),
    ("STATE", ["STATE_ERR", "KEY_MISSING", "PARAM_ERR", "TAMPER"]),
    ("PACKET", ["PACKET_ERR", "HOST_REJECT"]),
    ("CARD", ["CARD_READ", "CARD_REMOVED"]),
    ("PIN", ["PIN_ERR", "PIN_TIMEOUT"]),
    ("PRINT", ["PAPER_OUT", "PRINTER_FAULT"]),
    ("APP", ["APP_CRASH", "DISPLAY_ERR"]),
    ("RES", ["STORAGE_FULL", "MEM_LOW", "SYS_BUSY"]),
    ("POWER", ["LOW_VOLTAGE", "BATTERY_LOW"]),
    ("HW", ["HW_FAULT"]),
    ("OPER", ["ORIG_NOT_FOUND", "PWD_ERR"]),
]
GROUPD = dict(GROUPS)


def build_code_tables():
    tab = {}
    for v in sorted(VENDOR):
        spec = VENDOR[v]
        r = random.Random("gen11-codes:" + v)
        rest = [g for g, _ in GROUPS if g != spec["e1"]]
        r.shuffle(rest)
        order = [spec["e1"]] + rest
        m = {}
        if spec["mode"] == "group":
            for i, g in enumerate(order):
                for c in GROUPD[g]:
                    m[c] = "E%d" % (i + 1)
        else:
            i = 0
            for g in order:
                conds = list(GROUPD[g])
                if i > 0:
                    r.shuffle(conds)
                for c in conds:
                    i += 1
                    m[c] = ("-%d" % (1000 + 3 * i - 2)) if v == "verifone" else ("E%d" % i)
        tab[v] = m
    return tab


CODES = build_code_tables()
MOD = {"connect": "COMM", "send": "COMM", "receive": "COMM", "tls": "SSL", "mac": "SEC", "card_read": "CARD",
       "pin": "PED", "print": "PRN", "app": "APP", "power_on": "SYS"}


def detail_text(v, code, cond, extra):
    stage, zh, en = COND[cond]
    m = MOD[stage]
    x = (" " + extra) if extra else ""
    if v == "pax":
        return "[%s] %s (%s)%s" % (m, zh, en, x)
    if v == "newland":
        return "NL_%s: %s%s" % (m.lower(), en, (";" + extra) if extra else "")
    if v == "landi":
        return "%s|ret=%s%s" % (zh, code, ("|" + extra) if extra else "")
    if v == "verifone":
        return "VFI %s ERR %s: %s%s" % (m, code, en.upper(), x)
    if v == "ingenico":
        return "T3/%s %s %s%s" % (m, code, en, x)
    if v == "sunmi":
        return "E/PaySDK: %s - %s%s" % (en, zh, x)
    return "%s%s" % (zh, (" [" + extra + "]") if extra else "")


# ----------------------------------------------------------------------------- classes
class Merchant:
    pass


class Site:
    pass


class St:
    """Physical / logical state of one terminal at one instant (background + faults)."""
    __slots__ = ("app", "card", "pin", "down", "tls", "xchg", "host", "prn", "wrongpin", "loss", "lat", "hostms",
                 "local", "rate", "rssi", "rssi_abs", "supply", "storage", "mem", "cpu", "temp", "key", "skew",
                 "printer", "timeout", "extra_void")

    def __init__(s):
        s.app = []; s.card = []; s.pin = []; s.down = []; s.tls = []; s.xchg = []; s.host = []; s.prn = []
        s.wrongpin = []; s.loss = []; s.lat = []; s.hostms = []; s.local = []
        s.rate = {"keypad_errors": 0.0, "card_reader_errors": 0.0, "app_crashes": 0.0}
        s.rssi = 0.0; s.rssi_abs = None; s.supply = None; s.storage = None; s.mem = None
        s.cpu = 0.0; s.temp = 0.0; s.key = "ok"; s.skew = None; s.printer = None; s.timeout = None
        s.extra_void = 0.0


class Term:
    def __init__(self):
        self.faults = []
        self.offline = []     # (a, b, reason, cause, fid)
        self.linkdown = []    # (a, b, cond, cause, fid, extra)
        self.power_ev = []
        self.spont = []       # (t, cond, cause, fid, extra)
        self.vers = []        # (t, fw, app)
        self.inject = []      # (t, intent)
        self.ev = {"keypad_errors": [], "card_reader_errors": [], "app_crashes": []}
        self.battery = None
        self.damage = {}
        self.paper_out_until = 0
        self.maint = []

    # --- timelines
    def add_off(self, a, b, reason, cause, fid):
        self.offline.append((a, b, reason, cause, fid))

    def finalize(self):
        self.offline.sort(key=lambda x: (x[0], x[1]))
        self._off_a = [x[0] for x in self.offline]
        self.linkdown.sort(key=lambda x: (x[0], x[1]))
        self._ld_a = [x[0] for x in self.linkdown]
        self.power_ev.sort()
        self.vers.sort(key=lambda x: x[0])
        self._ver_t = [x[0] for x in self.vers]
        for k in self.ev:
            self.ev[k].sort()

    def off_at(self, t):
        i = bisect.bisect_right(self._off_a, t)
        j = i - 1
        while j >= 0 and j >= i - 6:
            o = self.offline[j]
            if o[0] <= t < o[1]:
                return o
            j -= 1
        return None

    def next_online(self, t):
        o = self.off_at(t)
        while o is not None:
            t = o[1] + 1
            o = self.off_at(t)
        return t

    def link_at(self, t):
        i = bisect.bisect_right(self._ld_a, t)
        j = i - 1
        while j >= 0 and j >= i - 8:
            o = self.linkdown[j]
            if o[0] <= t < o[1]:
                return o
            j -= 1
        return None

    def ver_at(self, t):
        i = bisect.bisect_right(self._ver_t, t)
        if i == 0:
            return self.fw, self.app
        return self.vers[i - 1][1], self.vers[i - 1][2]

    def reboots_between(self, a, b):
        """last reboot (completed in (a, b]) -> reason"""
        best = None
        for o in self.offline:
            if a < o[1] <= b:
                if best is None or o[1] > best[1]:
                    best = o
        return best[2] if best else None

    def bat_at(self, t):
        if self.battery is None:
            return None
        i = int((t - self.t0) // 60)
        if i < 0:
            i = 0
        if i >= len(self.battery):
            i = len(self.battery) - 1
        return self.battery[i]

    def docked_at(self, t):
        if self.battery is None:
            return True
        i = min(max(0, int((t - self.t0) // 60)), len(self.docked) - 1)
        return self.docked[i]

    def next_stan(self):
        self.stan = self.stan + 1 if self.stan < 999999 else 1
        return "%06d" % self.stan

    # --- state
    def state(self, t):
        st = St()
        bg = "network.lan" if self.network == "ethernet" else "network.signal"
        st.loss.append((self.bg_loss, bg, None))
        st.xchg.append((self.bg_to, "timeout", bg, None, None, None))
        b = self.bat_at(t)
        if b is not None and b < 10 and not self.docked_at(t):
            worn = None
            for f in self.faults:
                if f.cause == "power.battery" and f.lvl(self, t) > 0:
                    worn = f
            if worn is None:
                st.app.append((0.5, "BATTERY_LOW", "power.battery", None, "bat=%d%%" % b, None))
        for f in self.faults:
            APPLY[f.cause](f, self, t, st, f.lvl(self, t))
        return st


class Fault:
    def __init__(self, fid, cause):
        self.fid = fid
        self.cause = cause
        self.variant = ""
        self.scope = {}
        self.terms = []
        self.on = {}
        self.off = {}
        self.ramp = 0
        self.sev = 0.5
        self.p = {}
        self.start = 0
        self.end = 0
        self.events = 0
        self.codes = {}
        self.affected = []

    def lvl(self, T, t):
        a = self.on.get(T.tid, self.start)
        b = self.off.get(T.tid, self.end)
        if t < a or t >= b:
            return 0.0
        if self.ramp > 0 and t < a + self.ramp:
            return max(0.05, (t - a) / self.ramp)
        return 1.0

    def timing(self, W, r, dmin, dmax, chronic=0.15, earliest=5, latest=25):
        if r.random() < chronic:
            self.start = W.t0
        else:
            self.start = W.t0 + r.uniform(earliest * 60, W.t1 - W.t0 - latest * 60)
        self.start = int(self.start)
        self.end = int(min(W.t1, self.start + r.uniform(dmin, dmax) * 60))

    def attach(self, terms):
        self.terms = list(terms)
        for T in self.terms:
            T.faults.append(self)


# ----------------------------------------------------------------------------- world
def curve(kind, h):
    def g(mu, s):
        return math.exp(-0.5 * ((h - mu) / s) ** 2)
    if kind == "meal":
        v = 0.12 + 1.0 * g(12.3, 0.8) + 0.8 * g(18.6, 1.0)
    elif kind == "retail":
        v = 0.3 + 0.5 * g(12.0, 1.5) + 0.75 * g(19.0, 1.8) + 0.2 * g(15.5, 1.5)
    elif kind == "conv":
        v = 0.3 + 0.6 * g(8.0, 1.0) + 0.6 * g(12.2, 1.0) + 0.7 * g(18.5, 1.5)
    elif kind == "clinic":
        v = 0.2 + 1.0 * g(9.8, 1.3) + 0.6 * g(15.0, 1.5)
    else:
        v = 0.6 + 0.2 * g(11.0, 3.0)
    if h < 8.5 and kind in ("retail", "meal"):
        v *= 0.3
    return v


class World:
    pass


def build_world(seed):
    r = random.Random("gen11:%d:world" % seed)
    W = World()
    W.seed = seed
    base = calendar.timegm((2026, 11, 2, 0, 0, 0))
    day = (seed * 13) % 47
    hour = [9, 10, 11, 12, 10, 9, 11][seed % 7]
    W.t0 = base + day * 86400 + hour * 3600 - TZOFF
    W.t1 = W.t0 + 6 * 3600
    W.merchants, W.sites, W.terms = [], [], []
    W.by_site, W.by_merchant, W.by_host = {}, {}, {}
    target = r.randint(285, 318)
    mseq = 0
    used_tid = {}
    vendors = sorted(VENDOR)
    vweights = [VENDOR[v]["w"] for v in vendors]
    while len(W.terms) < target:
        mseq += 1
        mcc = wpick(r, list(PROFILE_W), list(PROFILE_W.values()))
        prof = PROFILES[mcc]
        city = wpick(r, CITIES, [c[4] for c in CITIES])
        M = Merchant()
        M.mcc = mcc
        M.prof = prof
        M.city = city[0]
        M.area = city[1]
        M.mid = "898%s%s%04d" % (city[1], mcc, (mseq * 37 + r.randint(0, 36)) % 10000)
        while M.mid in used_tid:
            M.mid = "898%s%s%04d" % (city[1], mcc, r.randint(0, 9999))
        used_tid[M.mid] = 1
        head = r.choice(NAME_HEAD)
        M.name = head + r.choice(prof[1])
        M.settlement = "direct" if r.random() < 0.85 else "indirect"
        M.card_rate = r.choice([0.0055, 0.006, 0.006, 0.0058])
        M.qr_rate = r.choice([0.0038, 0.0038, 0.0035])
        M.host = wpick(r, list(HOST_W), list(HOST_W.values()))
        M.vendor = wpick(r, vendors, vweights)
        M.terms = []
        M.sites = []
        M.profile = mcc
        W.merchants.append(M)
        W.by_merchant[M.mid] = M.terms
        nsite = r.randint(*prof[2])
        tseq = 0
        for k in range(nsite):
            S = Site()
            scity = city if r.random() < 0.9 else wpick(r, CITIES, [c[4] for c in CITIES])
            S.city = scity[0]
            S.sid = "%s-%03d-%d" % (scity[5], mseq, k + 1)
            S.mid = M.mid
            S.merchant = M
            S.name = "%s %s店" % (M.name, r.choice(DISTRICTS[scity[0]]))
            S.lat = round(scity[2] + r.uniform(-0.12, 0.12), 4)
            S.lon = round(scity[3] + r.uniform(-0.12, 0.12), 4)
            S.terms = []
            W.sites.append(S)
            M.sites.append(S)
            W.by_site[S.sid] = S.terms
            nt = r.randint(*prof[3])
            site_busy = r.lognormvariate(0, 0.35)
            for j in range(nt):
                tseq += 1
                T = Term()
                T.t0 = W.t0
                T.merchant = M
                T.site = S
                T.city = S.city
                T.vendor = M.vendor if r.random() < 0.75 else wpick(r, vendors, vweights)
                models = VENDOR_MODELS[T.vendor]
                portable_pref = prof[9]
                mw = [(portable_pref if MODELS[m][1] == "portable" else 1 - portable_pref) + 0.02 for m in models]
                T.model = wpick(r, models, mw)
                spec = MODELS[T.model]
                T.form = spec[1]
                T.nominal_v = spec[2]
                T.android = spec[3]
                nets = spec[4]
                T.network = wpick(r, list(nets), list(nets.values()))
                T.carrier = wpick(r, list(CARRIERS), list(CARRIERS.values())) if T.network == "cellular" else None
                T.fw = r.choice(spec[5])
                apps = APP_ANDROID if T.android else APP_CLASSIC
                T.app = wpick(r, apps[0], apps[1])
                T.host = M.host if r.random() < 0.95 else wpick(r, list(HOST_W), list(HOST_W.values()))
                tid = "%s%03d%03d" % (city[1][:2], mseq % 1000, tseq)
                T.tid = tid
                T.serial = {"pax": "18%08d", "newland": "N9%09d", "landi": "LD%08d", "verifone": "4%08d",
                            "ingenico": "2%010d", "sunmi": "P2%08d", "centerm": "CT%09d"}[T.vendor] % r.randrange(10 ** 8)
                inst = calendar.timegm((2022, 1, 1, 0, 0, 0)) + r.randrange(0, 1360) * 86400
                T.installed = inst
                T.cert = inst + 5 * 365 * 86400 + 86400
                T.cert_batch = False
                T.timeout = VENDOR[T.vendor]["timeout"]
                if T.network == "cellular":
                    T.rssi0 = r.uniform(-95, -62) if r.random() < 0.93 else r.uniform(-101, -95)
                    T.rtt = r.uniform(80, 160) + max(0, (-T.rssi0 - 80)) * 6
                    T.bg_loss = r.uniform(0.003, 0.012) + (r.uniform(0.01, 0.03) if T.rssi0 < -95 else 0)
                    T.bg_to = 0.0015 + (0.004 if T.rssi0 < -95 else 0)
                elif T.network == "wifi":
                    T.rssi0 = r.uniform(-72, -42)
                    T.rtt = r.uniform(30, 90)
                    T.bg_loss = r.uniform(0.002, 0.008)
                    T.bg_to = 0.001
                else:
                    T.rssi0 = None
                    T.rtt = r.uniform(20, 55)
                    T.bg_loss = r.uniform(0.0005, 0.003)
                    T.bg_to = 0.0005
                T.storage0 = r.uniform(25, 78)
                T.mem0 = r.uniform(35, 62) + (8 if T.android else 0)
                T.cpu0 = r.uniform(4, 20)
                T.temp0 = r.uniform(31, 41)
                T.skew0 = r.uniform(-2.5, 2.5)
                T.drain = r.uniform(0.07, 0.16)
                T.base_rate = prof[4]
                if r.random() < 0.08:
                    T.factor = r.uniform(0.02, 0.08)
                else:
                    T.factor = site_busy * r.lognormvariate(0, 0.4) * (0.55 if j > 0 and nt > 3 else 1.0)
                T.curve = prof[8]
                T.peak = T.base_rate * T.factor * max(curve(T.curve, h / 4.0) for h in range(0, 96)) * 1.05
                T.stan = r.randint(1, 900000)
                T.mix = prof[7]
                T.card_share = 1 - prof[7][3]
                T.rng = random.Random("gen11:%d:term:%s" % (seed, tid))
                S.terms.append(T)
                M.terms.append(T)
                W.terms.append(T)
                W.by_host.setdefault(T.host, []).append(T)
    W.tid = {T.tid: T for T in W.terms}
    W.single_used = {}
    W.scopes_used = {}
    W.version_locked = {}
    return W


def pick_term(W, r, pred, busy=True, allow_used=False):
    cands = [T for T in W.terms if pred(T) and (allow_used or T.tid not in W.single_used)]
    if not cands:
        return None
    ws = [((T.base_rate * T.factor) ** 0.8 + 0.05) if busy else 1.0 for T in cands]
    T = wpick(r, cands, ws)
    W.single_used[T.tid] = 1
    return T


def single(f, T):
    f.scope = {"terminal_id": T.tid}
    f.attach([T])


def newver(v, bump=3):
    i = len(v) - 1
    while i >= 0 and v[i].isdigit():
        i -= 1
    num = v[i + 1:]
    n = int(num) + bump
    return v[:i + 1] + str(n).zfill(len(num))


# ------------------------------------------------------------------- fault setup / apply
def H(p, cond, cause, fid, extra=None, filt=None):
    return (p, cond, cause, fid, extra, filt)


IS_CARD = lambda it: it["channel"] != "qr"


def su_keypad(W, f, r):
    T = pick_term(W, r, lambda T: T.card_share > 0.25)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["stuck_key", "membrane_wear", "pinpad_cable"])
    f.timing(W, r, 60, 330, chronic=0.25)
    f.sev = r.uniform(0.15, 1.0)
    f.ramp = int(r.uniform(0, 40) * 60)
    f.p = dict(pin=0.06 + 0.5 * f.sev, wrong=0.05 + 0.3 * f.sev, rate=0.2 + 2.5 * f.sev, key=r.choice("0123456789"))
    return True


def ap_keypad(f, T, t, st, L):
    if L <= 0:
        return
    ex = "key[%s] stuck" % f.p["key"] if f.variant == "stuck_key" else ("row scan err" if f.variant == "membrane_wear" else "PED link lost")
    st.pin.append(H(f.p["pin"] * L, "PIN_ERR", f.cause, f.fid, ex))
    st.wrongpin.append((f.p["wrong"] * L, f.cause, f.fid))
    st.rate["keypad_errors"] += f.p["rate"] * L
    st.local.append((2500 * L, f.cause, f.fid))


def su_display(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["lcd_driver", "touch_panel", "backlight"])
    f.timing(W, r, 60, 360, chronic=0.25)
    f.sev = r.uniform(0.15, 1.0)
    f.p = dict(disp=0.03 + 0.25 * f.sev, pto=0.05 + 0.35 * f.sev)
    return True


def ap_display(f, T, t, st, L):
    if L <= 0:
        return
    ex = {"lcd_driver": "lcd init ret=-5", "touch_panel": "tp i2c nack", "backlight": "bl pwm 0"}[f.variant]
    st.app.append(H(f.p["disp"] * L, "DISPLAY_ERR", f.cause, f.fid, ex))
    st.pin.append(H(f.p["pto"] * L, "PIN_TIMEOUT", f.cause, f.fid, "t=60s"))
    st.local.append((4000 * L, f.cause, f.fid))


def su_reader(W, f, r):
    T = pick_term(W, r, lambda T: T.card_share > 0.3)
    if not T:
        return False
    single(f, T)
    f.variant = wpick(r, ["ic_contact", "reader_module", "nfc_antenna"], [0.55, 0.25, 0.2])
    f.timing(W, r, 90, 330, chronic=0.2, latest=60)
    f.sev = r.uniform(0.2, 1.0)
    f.ramp = int(r.uniform(0, 60) * 60)
    f.p = dict(p=0.15 + 0.75 * f.sev, rate=0.3 + 2 * f.sev)
    return True


def ap_reader(f, T, t, st, L):
    if L <= 0:
        return
    chs = {"ic_contact": ("card_ic",), "reader_module": ("card_ic", "card_swipe"), "nfc_antenna": ("nfc",)}[f.variant]
    for ch in chs:
        ex = {"card_ic": "IC ATR timeout", "card_swipe": "MSR track2 LRC err", "nfc": "NFC no RF field resp"}[ch]
        st.card.append(H(f.p["p"] * L, "CARD_READ", f.cause, f.fid, ex, lambda it, ch=ch: it["channel"] == ch))
    st.rate["card_reader_errors"] += f.p["rate"] * L


def su_printer(W, f, r):
    T = pick_term(W, r, lambda T: VENDOR[T.vendor]["fields"].count("printer") or r.random() < 0.5)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["paper_out", "print_head", "cutter_jam"])
    if f.variant == "paper_out":
        f.timing(W, r, 10, 60, chronic=0.05)
    else:
        f.timing(W, r, 60, 300, chronic=0.2)
    f.sev = r.uniform(0.3, 1.0)
    f.p = dict(p=1.0 if f.variant == "paper_out" else 0.25 + 0.7 * f.sev)
    return True


def ap_printer(f, T, t, st, L):
    if L <= 0:
        return
    if f.variant == "paper_out":
        st.printer = "paper_out"
        st.prn.append(H(f.p["p"], "PAPER_OUT", f.cause, f.fid, "sensor=no_paper"))
    else:
        st.printer = "fault"
        st.prn.append(H(f.p["p"] * L, "PRINTER_FAULT", f.cause, f.fid,
                        "head temp 78C" if f.variant == "print_head" else "cutter jam"))


def su_board(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["overheat_reboot", "sensor_fault", "tamper_trigger"])
    f.timing(W, r, 60, 330, chronic=0.2)
    f.sev = r.uniform(0.2, 1.0)
    f.ramp = int(r.uniform(0, 30) * 60)
    f.p = dict(hw=0.02 + 0.15 * f.sev, wd=0.5 + 2.5 * f.sev, temp=10 + 25 * f.sev)
    if f.variant == "tamper_trigger":
        f.p["tamper_t"] = f.start + r.uniform(0, min(3600, f.end - f.start))
    return True


def pr_board(W, f, r):
    T = f.terms[0]
    t = f.start
    while True:
        t += r.expovariate(f.p["wd"] / 3600)
        if t >= f.end:
            break
        up = t + r.uniform(40, 90)
        T.add_off(t, up, "watchdog", f.cause, f.fid)
        if r.random() < 0.6:
            T.spont.append((up + r.uniform(2, 10), "HW_FAULT", f.cause, f.fid, "selftest=%s" % r.choice(["SE", "RTC", "TEMP", "MSR"])))
    if f.variant == "tamper_trigger":
        T.spont.append((f.p["tamper_t"], "TAMPER", f.cause, f.fid, "tamper=0x%02X" % r.choice([4, 8, 16])))


def ap_board(f, T, t, st, L):
    if L <= 0:
        return
    st.temp += f.p["temp"] * L
    st.app.append(H(f.p["hw"] * L, "HW_FAULT", f.cause, f.fid, "sensor=TEMP"))
    if f.variant == "sensor_fault":
        st.card.append(H(0.15 * L, "CARD_READ", f.cause, f.fid, "reader power fail"))
    if f.variant == "overheat_reboot":
        st.local.append((1500 * L, f.cause, f.fid))
    if f.variant == "tamper_trigger" and t >= f.p["tamper_t"]:
        st.key = "missing"
        st.app.append(H(1.0, "KEY_MISSING", f.cause, f.fid, "TMK index 01 empty"))


def su_power(W, f, r):
    sites = [S for S in W.sites if len([T for T in S.terms if T.form == "counter"]) >= 2 and S.sid not in W.scopes_used]
    if not sites:
        sites = [S for S in W.sites if any(T.form == "counter" for T in S.terms) and S.sid not in W.scopes_used]
    if not sites:
        return False
    S = wpick(r, sites, [sum(T.factor for T in S.terms) + 0.2 for S in sites])
    W.scopes_used[S.sid] = 1
    f.site = S
    f.scope = {"site_id": S.sid}
    f.attach([T for T in S.terms if T.form == "counter"])
    f.variant = r.choice(["unstable_mains", "adapter_output", "shared_socket_overload"])
    f.timing(W, r, 25, 160, chronic=0.05)
    f.sev = r.uniform(0.2, 1.0)
    f.p = dict(rate=2 + 16 * f.sev, dmg=0.05 + 0.25 * f.sev, noise=0.015 + 0.05 * f.sev)
    return True


def pr_power(W, f, r):
    evs = []
    t = f.start
    while True:
        t += r.expovariate(f.p["rate"] / 3600)
        if t >= f.end:
            break
        k = wpick(r, ["sag", "outage", "surge"], [0.55, 0.2 + 0.2 * f.sev, 0.2])
        d = r.uniform(0.1, 0.55) if k == "sag" else (1.0 if k == "outage" else r.uniform(0.12, 0.3))
        evs.append((t, k, d))
    f.brown = []
    nb = r.randint(1, 3)
    for _ in range(nb):
        a = r.uniform(f.start, max(f.start + 1, f.end - 300))
        b = min(f.end, a + r.uniform(300, 1500))
        f.brown.append((a, b, r.uniform(0.08, 0.2)))
    f.pev = evs
    for T in f.terms:
        tol = r.uniform(0.2, 0.45)
        for (t, k, d) in evs:
            T.power_ev.append(t)
            if k == "outage" or (k == "sag" and d > tol):
                up = t + r.uniform(35, 95)
                T.add_off(t, up, "power_loss", f.cause, f.fid)
                if r.random() < 0.7:
                    v = T.nominal_v * (1 - r.uniform(0.12, 0.3))
                    T.spont.append((up + r.uniform(3, 20), "LOW_VOLTAGE", f.cause, f.fid, "V=%.2f" % v))
            if k == "surge" and r.random() < f.p["dmg"] and f.fid not in T.damage:
                T.damage[f.fid] = t


def ap_power(f, T, t, st, L):
    if L <= 0:
        return
    r = T.rng
    depth = 0.0
    for (a, b, d) in f.brown:
        if a <= t < b:
            depth = d
    if depth > 0:
        st.supply = T.nominal_v * (1 - depth + r.gauss(0, 0.01))
        st.down.append(H(0.06 + 0.15 * f.sev, "LINK_DOWN", f.cause, f.fid, "modem brownout"))
        st.prn.append(H(0.2 + 0.3 * f.sev, "PRINTER_FAULT", f.cause, f.fid, "V=%.2f" % st.supply))
        st.card.append(H(0.05 + 0.1 * f.sev, "CARD_READ", f.cause, f.fid, "reader Vcc low"))
    else:
        x = r.gauss(0, f.p["noise"])
        if r.random() < 0.25:
            x = r.choice([-1, 1]) * r.uniform(0.04, 0.15) * (0.5 + f.sev)
        st.supply = T.nominal_v * (1 + x)
    dt = T.damage.get(f.fid)
    if dt is not None and t >= dt:
        st.card.append(H(0.25, "CARD_READ", f.cause, f.fid, "reader no ATR"))
        st.app.append(H(0.06, "HW_FAULT", f.cause, f.fid, "selftest=SAM"))


def su_battery(W, f, r):
    T = pick_term(W, r, lambda T: T.form == "portable")
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["worn_cell", "swollen_cell", "charger_contact"])
    f.timing(W, r, 120, 360, chronic=0.4)
    f.sev = r.uniform(0.3, 1.0)
    f.p = dict(drain=0.25 + 0.7 * f.sev, jump=0.005 + 0.03 * f.sev, charge=0.1 + 0.2 * (1 - f.sev))
    return True


def ap_battery(f, T, t, st, L):
    if L <= 0:
        return
    b = T.bat_at(t)
    if b is not None and b < 12:
        p = (0.35 + 0.5 * f.sev) if not T.docked_at(t) else 0.04
        st.app.append(H(p, "BATTERY_LOW", f.cause, f.fid, "bat=%d%%" % b))
    if b is not None and b < 25:
        st.down.append(H(0.05 * f.sev, "LINK_DOWN", f.cause, f.fid, "radio off: low power"))


def battery_sim(W, T):
    r = T.rng
    f = None
    for x in T.faults:
        if x.cause == "power.battery":
            f = x
    n = int((W.t1 - W.t0) // 60) + 2
    pct = r.uniform(35, 100)
    docked = r.random() < 0.3
    arr = []
    dock = []
    dead = None
    for i in range(n):
        t = W.t0 + 60 * i
        worn = f is not None and f.start <= t < f.end
        if dead is not None:
            if r.random() < (1 / 12.0 if worn else 1 / 6.0):
                up = t + r.uniform(40, 90)
                T.add_off(dead, up, "power_loss", "power.battery", f.fid if (f and worn) else None)
                if worn and r.random() < 0.5:
                    T.spont.append((up + r.uniform(2, 8), "BATTERY_LOW", f.cause, f.fid, "bat=1%"))
                dead = None
                docked = True
                pct = 1
            arr.append(0)
            dock.append(False)
            continue
        if docked:
            pct = min(100.0, pct + (f.p["charge"] if worn else 0.7))
            if pct > (35 if worn else 55) and r.random() < 1 / 40.0:
                docked = False
        else:
            pct -= (f.p["drain"] if worn else T.drain) * r.uniform(0.6, 1.4)
            if worn and r.random() < f.p["jump"]:
                pct -= r.uniform(8, 20)
            p_dock = 1 / 300.0 + ((1 / 25.0 if worn else 1 / 5.0) if pct < 15 else 0)
            if r.random() < p_dock:
                docked = True
            if pct <= 1:
                pct = 0
                dead = t
        arr.append(int(max(0, pct)))
        dock.append(docked and not (worn and f.variant == "charger_contact" and r.random() < 0.6))
    if dead is not None:
        T.add_off(dead, W.t1 + 3600, "power_loss", "power.battery", f.fid if f else None)
    T.battery = arr
    T.docked = dock


def su_signal(W, f, r, T=None):
    if T is None:
        T = pick_term(W, r, lambda T: T.network != "ethernet")
    if not T:
        return False
    single(f, T)
    f.variant = "cell_coverage" if T.network == "cellular" else "wifi_coverage"
    f.timing(W, r, 30, 260, chronic=0.25)
    f.sev = r.uniform(0.15, 1.0)
    f.ramp = int(r.uniform(0, 30) * 60)
    if T.network == "cellular":
        f.p = dict(rssi=-97 - 14 * f.sev)
    else:
        f.p = dict(rssi=-76 - 13 * f.sev)
    f.p.update(loss=0.03 + 0.4 * f.sev, lat=150 + 2000 * f.sev, drops=0.3 + 3 * f.sev, ph=r.uniform(0, 6.28))
    return True


def pr_signal(W, f, r):
    T = f.terms[0]
    t = f.start
    cond = "DIAL_FAIL" if T.network == "cellular" else "LINK_DOWN"
    while True:
        t += r.expovariate(f.p["drops"] / 3600)
        if t >= f.end:
            break
        b = min(f.end, t + r.uniform(30, 240))
        ex = ("apn=%s csq=%d" % (APN[T.carrier], max(0, int((f.p["rssi"] + 113) / 2)))) if cond == "DIAL_FAIL" else "wlan0 disconnected rssi=%d" % f.p["rssi"]
        T.linkdown.append((t, b, cond, f.cause, f.fid, ex))


def ap_signal(f, T, t, st, L):
    if L <= 0:
        return
    wave = 0.5 + 0.5 * math.sin(t / 900.0 + f.p["ph"])
    q = L * (0.6 + 0.4 * wave)
    base = T.rssi0
    st.rssi_abs = base + (f.p["rssi"] - base) * q
    st.loss.append((f.p["loss"] * q, f.cause, f.fid))
    st.lat.append((f.p["lat"] * q, f.cause, f.fid))
    cond = "DIAL_FAIL" if T.network == "cellular" else "LINK_DOWN"
    st.down.append(H(0.05 * q, cond, f.cause, f.fid, "rssi=%d" % st.rssi_abs))


def su_lan(W, f, r):
    sites = [S for S in W.sites if any(T.network != "cellular" for T in S.terms) and S.sid not in W.scopes_used]
    if not sites:
        return False
    # prefer mixed sites (wired + cellular) so the cellular terminal is an in-site control
    ws = [(3 if any(T.network == "cellular" for T in S.terms) else 1) *
          (3 if len([T for T in S.terms if T.network != "cellular"]) >= 2 else 1) *
          (sum(T.factor * T.base_rate for T in S.terms if T.network != "cellular") + 0.5) for S in sites]
    S = wpick(r, sites, ws)
    W.scopes_used[S.sid] = 1
    f.site = S
    f.scope = {"site_id": S.sid}
    f.variant = r.choice(["router_flapping", "router_degraded", "wifi_ap", "switch_port"])
    if f.variant == "wifi_ap" and not any(T.network == "wifi" for T in S.terms):
        f.variant = "router_degraded"
    nets = ("wifi",) if f.variant == "wifi_ap" else ("wifi", "ethernet")
    f.attach([T for T in S.terms if T.network in nets])
    f.timing(W, r, 15, 130, chronic=0.05)
    f.sev = r.uniform(0.15, 1.0)
    f.ramp = int(r.uniform(0, 15) * 60)
    f.p = dict(loss=0.04 + 0.45 * f.sev, lat=100 + 2500 * f.sev, flaps=0.5 + 4 * f.sev)
    return True


def pr_lan(W, f, r):
    if f.variant not in ("router_flapping", "switch_port", "wifi_ap"):
        return
    t = f.start
    while True:
        t += r.expovariate(f.p["flaps"] / 3600)
        if t >= f.end:
            break
        b = min(f.end, t + r.uniform(45, 420))
        for T in f.terms:
            if T.network == "ethernet":
                T.linkdown.append((t, b, "CONNECT_FAIL", f.cause, f.fid, "%s:%d errno=113 no route to host" % HOSTS[T.host]))
            else:
                T.linkdown.append((t, b, "LINK_DOWN", f.cause, f.fid, "wlan0 disconnected reason=4"))


def ap_lan(f, T, t, st, L):
    if L <= 0:
        return
    st.loss.append((f.p["loss"] * L, f.cause, f.fid))
    st.lat.append((f.p["lat"] * L * T.rng.uniform(0.5, 1.5), f.cause, f.fid))
    if f.variant == "wifi_ap" and T.rssi0 is not None:
        st.rssi -= 4 * L


def su_carrier(W, f, r):
    combos = {}
    for T in W.terms:
        if T.network == "cellular":
            combos.setdefault((T.carrier, T.city), []).append(T)
    keys = [k for k in sorted(combos) if len(combos[k]) >= 3 and ("%s|%s" % k) not in W.scopes_used]
    if not keys:
        return False
    k = wpick(r, keys, [len(combos[k]) ** 0.5 for k in keys])
    W.scopes_used["%s|%s" % k] = 1
    f.scope = {"carrier": k[0], "city": k[1]}
    f.attach(combos[k])
    f.variant = r.choice(["core_network", "base_station_cluster", "transport_link"])
    f.timing(W, r, 20, 110, chronic=0.0)
    f.sev = r.uniform(0.2, 1.0)
    f.ramp = int(r.uniform(0, 20) * 60)
    f.p = dict(loss=0.05 + 0.5 * f.sev, lat=300 + 4000 * f.sev, dial=0.05 + 0.5 * f.sev, hard=0.1 + 0.5 * f.sev)
    return True


def pr_carrier(W, f, r):
    # hard outage windows for the whole area
    t = f.start
    wins = []
    while True:
        t += r.expovariate(3.0 / 3600)
        if t >= f.end:
            break
        b = min(f.end, t + r.uniform(60, 600) * f.p["hard"] * 2)
        wins.append((t, b))
    for T in f.terms:
        for (a, b) in wins:
            if r.random() < 0.85:
                T.linkdown.append((a + r.uniform(0, 20), b, "DIAL_FAIL", f.cause, f.fid,
                                   "apn=%s ret=-%d" % (APN[T.carrier], r.choice([33, 29, 55]))))


def ap_carrier(f, T, t, st, L):
    if L <= 0:
        return
    st.loss.append((f.p["loss"] * L, f.cause, f.fid))
    st.lat.append((f.p["lat"] * L * T.rng.uniform(0.6, 1.4), f.cause, f.fid))
    st.down.append(H(f.p["dial"] * L, "DIAL_FAIL", f.cause, f.fid, "apn=%s ret=-33 csq=%d" % (APN[T.carrier], int((T.rssi0 + 113) / 2))))


def rollout_population(W, r, kind):
    """kind 'firmware' or 'app'. returns (attr, old->new mapping filter, terms)"""
    if kind == "firmware":
        fams = {}
        for T in W.terms:
            if T.tid in W.version_locked:
                continue
            fams.setdefault(T.fw, []).append(T)
        keys = [k for k in sorted(fams) if len(fams[k]) >= 4]
        if not keys:
            return None
        k = wpick(r, keys, [len(fams[k]) for k in keys])
        return "firmware", k, newver(k), fams[k]
    fams = {}
    for T in W.terms:
        if T.tid in W.version_locked:
            continue
        fams.setdefault(T.app, []).append(T)
    keys = [k for k in sorted(fams) if len(fams[k]) >= 5]
    if not keys:
        return None
    k = wpick(r, keys, [len(fams[k]) for k in keys])
    return "app_version", k, newver(k, 2), fams[k]


def do_rollout(W, f, r, attr, old, new, pop, frac, spread):
    chosen = [T for T in pop if r.random() < frac]
    if len(chosen) < 3:
        chosen = pop[:max(3, len(chosen))]
    aff = []
    for T in chosen:
        u = f.start + r.uniform(0, spread)
        if u >= W.t1 - 300:
            continue
        d = r.uniform(60, 150)
        T.add_off(u, u + d, "update", f.cause, f.fid)
        fw, app = (new, T.app) if attr == "firmware" else (T.fw, new)
        T.vers.append((u + d, fw, app))
        T.maint = getattr(T, "maint", [])
        T.maint.append((u - r.uniform(5, 60), "firmware_update", "TMS推送升级 %s %s -> %s" % (attr, old, new)))
        f.on[T.tid] = int(u + d)
        W.version_locked[T.tid] = 1
        aff.append(T)
    return aff


def su_bug(W, f, r):
    kind = r.choice(["firmware", "app"])
    x = rollout_population(W, r, kind)
    if x is None:
        return False
    attr, old, new, pop = x
    f.attr, f.old, f.new = attr, new, new
    f.scope = {attr: new}
    f.variant = r.choice(["crash_on_contactless", "memory_leak", "bad_icc_field55", "tls_session_reuse", "refund_crash"])
    f.sev = r.uniform(0.2, 1.0)
    f.timing(W, r, 120, 360, chronic=0.0, earliest=10, latest=90)
    f.p = dict(frac=r.uniform(0.35, 1.0), spread=r.uniform(20, 120) * 60, p=0.1 + 0.7 * f.sev,
               leak=8 + 30 * f.sev, old=old)
    f.pop = pop
    return True


def pr_bug(W, f, r):
    aff = do_rollout(W, f, r, f.attr, f.p["old"], f.new, f.pop, f.p["frac"], f.p["spread"])
    fixed = r.random() < 0.4 and f.end < W.t1
    if fixed:
        fixv = newver(f.new, 1)
        for T in aff:
            u = max(f.on[T.tid] + 600, f.end + r.uniform(0, 1800))
            if u >= W.t1 - 200:
                continue
            d = r.uniform(60, 150)
            T.add_off(u, u + d, "update", f.cause, f.fid)
            T.vers.append((u + d, fixv if f.attr == "firmware" else T.fw, fixv if f.attr != "firmware" else T.app))
            T.maint.append((u - 30, "firmware_update", "TMS推送修复版本 %s" % fixv))
            f.off[T.tid] = int(u + d)
    else:
        f.end = W.t1
    f.attach(aff)
    if aff:
        f.start = min(f.on.values())
        f.end = max(f.off.get(T.tid, f.end) for T in aff)


def ap_bug(f, T, t, st, L):
    if L <= 0:
        if f.variant == "memory_leak":
            pass
        return
    v = f.variant
    if v == "crash_on_contactless":
        st.app.append(H(f.p["p"], "APP_CRASH", f.cause, f.fid, "SIGSEGV in emv_cl_kernel", lambda it: it["channel"] in ("nfc", "qr")))
        st.rate["app_crashes"] += 0.05
    elif v == "refund_crash":
        st.app.append(H(min(1, f.p["p"] + 0.3), "APP_CRASH", f.cause, f.fid, "NullPointerException RefundActivity",
                        lambda it: it["type"] in ("refund", "void")))
        st.app.append(H(0.02 * f.sev, "APP_CRASH", f.cause, f.fid, "ANR main thread"))
    elif v == "bad_icc_field55":
        st.host.append((0.2, f.p["p"], "30", f.cause, f.fid, lambda it: it["channel"] in ("card_ic", "nfc"), None))
    elif v == "tls_session_reuse":
        st.xchg.append((0.05 + 0.3 * f.sev, "timeout", f.cause, f.fid, "SSL_read err=5", None))
    elif v == "memory_leak":
        m = mem_level(f, T, t)
        st.mem = m
        memory_hazards(f, st, m)


def mem_level(f, T, t):
    resets = f.resets.get(T.tid, [])
    i = bisect.bisect_right(resets, t)
    r0 = resets[i - 1] if i > 0 else f.on.get(T.tid, f.start)
    onset = f.on.get(T.tid, f.start)
    if r0 <= onset:
        m0 = f.p.get("m_on", T.mem0)
        r0 = onset
    else:
        m0 = f.p.get("m_boot", T.mem0)
    return min(99.5, m0 + f.p["leak"] * (t - r0) / 3600.0)


def memory_hazards(f, st, m):
    if m > 86:
        st.app.append(H(clamp((m - 86) / 12) * 0.5, "MEM_LOW", f.cause, f.fid, "avail=%dMB" % max(2, int((100 - m) * 4))))
    if m > 93:
        st.app.append(H(clamp((m - 93) / 6) * 0.4, "APP_CRASH", f.cause, f.fid, "OOM killer: com.tfpay.pos"))
    if m > 80:
        st.local.append(((m - 80) * 250, f.cause, f.fid))


def pr_memory_saw(W, f, r):
    """walk the sawtooth: crash when reaching the limit, any reboot resets memory"""
    f.resets = {}
    for T in f.terms:
        a = f.on.get(T.tid, f.start)
        b = f.off.get(T.tid, f.end)
        if a >= W.t1:
            continue
        others = sorted(o[1] for o in T.offline if o[1] > a)
        resets = []
        r0 = a
        lim = r.uniform(97.5, 99.3)
        m0 = f.p.get("m_on", T.mem0)
        while r0 < b:
            tc = r0 + (lim - m0) / f.p["leak"] * 3600
            nxt = [x for x in others if r0 < x < tc]
            if nxt:
                r0 = nxt[0]
                resets.append(r0)
                continue
            if tc >= b:
                break
            up = tc + r.uniform(30, 75)
            T.add_off(tc, up, r.choice(["crash", "watchdog"]), f.cause, f.fid)
            T.spont.append((tc - r.uniform(1, 5), "APP_CRASH", f.cause, f.fid, "OOM: lowmemorykiller"))
            T.ev["app_crashes"].append(tc)
            resets.append(up)
            r0 = up
            m0 = f.p.get("m_boot", T.mem0)
        f.resets[T.tid] = resets


def su_incompat(W, f, r):
    f.variant = r.choice(["host_drops_old_version", "host_drops_old_version", "new_version_rejected"])
    f.sev = r.uniform(0.4, 1.0)
    if f.variant == "host_drops_old_version":
        combos = {}
        for T in W.terms:
            if T.tid in W.version_locked:
                continue
            combos.setdefault((T.app, T.host), []).append(T)
        keys = [k for k in sorted(combos) if len(combos[k]) >= 3 and k[0] in ("5.8.2", "7.4.2", "6.0.1", "7.5.0")]
        if not keys:
            return False
        k = wpick(r, keys, [1.0 / len(combos[k]) ** 0.3 for k in keys])
        f.scope = {"app_version": k[0], "host": k[1]}
        f.timing(W, r, 360, 360, chronic=0.0, earliest=20, latest=60)
        f.ramp = int(r.uniform(0, 30) * 60)
        f.pop = combos[k]
        f.p = dict(old=k[0], mode=r.choice(["tls", "rc"]), fix=r.random() < 0.6)
        for T in f.pop:
            W.version_locked[T.tid] = 1
        return True
    x = rollout_population(W, r, "app")
    if x is None:
        return False
    attr, old, new, pop = x
    f.attr, f.new = attr, new
    f.scope = {attr: new}
    f.timing(W, r, 60, 300, chronic=0.0, earliest=10, latest=90)
    f.pop = pop
    f.p = dict(old=old, frac=r.uniform(0.3, 0.9), spread=r.uniform(20, 100) * 60, hostset=sorted(HOSTS)[:r.randint(1, 3)])
    return True


def pr_incompat(W, f, r):
    if f.variant == "host_drops_old_version":
        f.attach(f.pop)
        if f.p["fix"]:
            newv = newver(f.p["old"], 4)
            for T in f.pop:
                if r.random() < 0.7:
                    u = f.start + r.uniform(1200, 3 * 3600)
                    if u < W.t1 - 300:
                        d = r.uniform(60, 150)
                        T.add_off(u, u + d, "update", f.cause, f.fid)
                        T.vers.append((u + d, T.fw, newv))
                        T.maint = getattr(T, "maint", [])
                        T.maint.append((u - 40, "firmware_update", "TMS紧急升级 app %s -> %s" % (f.p["old"], newv)))
                        f.off[T.tid] = int(u + d)
        return
    aff = do_rollout(W, f, r, f.attr, f.p["old"], f.new, f.pop, f.p["frac"], f.p["spread"])
    aff = [T for T in aff if T.host in f.p["hostset"]] or aff
    # rollback of the version once the incident is recognised
    if f.end < W.t1:
        for T in aff:
            u = max(f.on[T.tid] + 300, f.end + r.uniform(0, 1200))
            if u < W.t1 - 200:
                d = r.uniform(60, 150)
                T.add_off(u, u + d, "update", f.cause, f.fid)
                T.vers.append((u + d, T.fw, f.p["old"]))
                T.maint.append((u - 30, "firmware_update", "TMS回退版本 %s" % f.p["old"]))
                f.off[T.tid] = int(u + d)
    f.attach(aff)
    if aff:
        f.start = min(f.on.values())
        f.end = max(f.off.get(T.tid, W.t1) for T in aff)


def ap_incompat(f, T, t, st, L):
    if L <= 0:
        return
    if f.variant == "host_drops_old_version":
        if T.ver_at(t)[1] != f.p["old"]:
            return
        if f.p["mode"] == "tls":
            st.tls.append(H(L, "TLS_HANDSHAKE", f.cause, f.fid, "alert protocol_version (client TLSv1.0)"))
        else:
            st.host.append((0.1, L, "40", f.cause, f.fid, None, "HOST_REJECT"))
    else:
        if T.host in f.p["hostset"]:
            st.host.append((0.1, 0.9, "30", f.cause, f.fid, None, "HOST_REJECT"))


def su_config(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["wrong_host_ip", "wrong_tid", "wrong_key_index", "short_timeout"])
    f.timing(W, r, 25, 300, chronic=0.2)
    f.p = dict(ip="10.50.%d.%d" % (r.choice([3, 9, 11]), r.randint(2, 250)), to=r.uniform(1.4, 2.6))
    return True


def ap_config(f, T, t, st, L):
    if L <= 0:
        return
    v = f.variant
    if v == "wrong_host_ip":
        st.down.append(H(1.0, "CONNECT_FAIL", f.cause, f.fid, "%s:%d errno=110" % (f.p["ip"], HOSTS[T.host][1])))
    elif v == "wrong_tid":
        st.host.append((2, 1.0, "97", f.cause, f.fid, None, None))
    elif v == "wrong_key_index":
        st.host.append((1.5, 1.0, "A0", f.cause, f.fid, None, "MAC_ERR"))
    else:
        st.timeout = (f.p["to"] * 1000, f.cause, f.fid)


def su_corrupt(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = {"ethernet": "loose_cable", "wifi": "rf_interference", "cellular": "modem_uart"}[T.network]
    f.timing(W, r, 40, 300, chronic=0.2)
    f.sev = r.uniform(0.15, 1.0)
    f.ramp = int(r.uniform(0, 20) * 60)
    f.p = dict(pkt=0.03 + 0.25 * f.sev, r30=0.02 + 0.15 * f.sev, mac=0.02 + 0.1 * f.sev, trunc=0.01 + 0.08 * f.sev,
               loss=0.005 + 0.03 * f.sev)
    return True


def ap_corrupt(f, T, t, st, L):
    if L <= 0:
        return
    st.xchg.append((f.p["pkt"] * L, "packet", f.cause, f.fid, "len=%d expect=%d" % (T.rng.randint(100, 300), T.rng.randint(301, 420)), None))
    st.xchg.append((f.p["mac"] * L, "respmac", f.cause, f.fid, None, None))
    st.xchg.append((f.p["trunc"] * L, "timeout", f.cause, f.fid, None, None))
    st.host.append((0.5, f.p["r30"] * L, "30", f.cause, f.fid, None, None))
    st.loss.append((f.p["loss"] * L, f.cause, f.fid))


def su_keys(W, f, r):
    if r.random() < 0.7:
        f.variant = "host_key_rotation"
        hosts = [h for h in sorted(W.by_host) if ("keys|" + h) not in W.scopes_used]
        if not hosts:
            return False
        h = r.choice(hosts)
        W.scopes_used["keys|" + h] = 1
        pool = W.by_host[h]
        mode = r.choice(["vendor", "random", "merchants"])
        if mode == "vendor":
            v = r.choice(sorted(set(T.vendor for T in pool)))
            aff = [T for T in pool if T.vendor == v]
        elif mode == "merchants":
            ms = sorted(set(T.merchant.mid for T in pool))
            pickm = set(r.sample(ms, max(1, len(ms) // 5)))
            aff = [T for T in pool if T.merchant.mid in pickm]
        else:
            aff = [T for T in pool if r.random() < r.uniform(0.1, 0.5)]
        if len(aff) < 2:
            aff = pool[:3]
        f.scope = {"host": h}
        f.attach(aff)
        f.timing(W, r, 40, 300, chronic=0.0, earliest=10, latest=60)
        f.p = dict(mode=mode)
    else:
        f.variant = "key_lost_single"
        T = pick_term(W, r, lambda T: True)
        if not T:
            return False
        single(f, T)
        f.timing(W, r, 30, 240, chronic=0.2)
    return True


def pr_keys(W, f, r):
    if f.variant != "host_key_rotation":
        return
    for T in f.terms:
        fix = f.end
        reb = [o[1] for o in T.offline if o[1] > f.start]
        if reb and r.random() < 0.8:
            fix = min(fix, min(reb) + r.uniform(30, 120))
        if r.random() < 0.5:
            fix = min(fix, f.start + r.uniform(15, 240) * 60)
        f.off[T.tid] = int(fix)
    f.end = max(f.off.values())


def ap_keys(f, T, t, st, L):
    if L <= 0:
        return
    if f.variant == "host_key_rotation":
        st.key = "mismatch"
        st.host.append((1, 1.0, "A0", f.cause, f.fid, None, "MAC_ERR"))
    else:
        st.key = "missing"
        st.app.append(H(1.0, "KEY_MISSING", f.cause, f.fid, "TAK index 03 empty"))


def su_cert(W, f, r):
    if r.random() < 0.7:
        f.variant = "client_cert_expired"
        pool = [T for T in W.terms if not T.cert_batch]
        n = r.randint(6, 36)
        # a batch installed on the same day five years earlier (same vendor mostly)
        v = r.choice(sorted(VENDOR))
        cand = [T for T in pool if T.vendor == v] or pool
        r.shuffle(cand)
        aff = cand[:n]
        if len(aff) < n:
            extra = [T for T in pool if T not in aff]
            r.shuffle(extra)
            aff += extra[:n - len(aff)]
        f.timing(W, r, 360, 360, chronic=0.0, earliest=10, latest=60)
        texp = f.start
        for T in aff:
            T.cert = texp
            T.installed = texp - 5 * 365 * 86400 - 86400
            T.cert_batch = True
        f.scope = {"cert_not_after": fmt_utc_day(texp)}
        f.attach(aff)
        f.p = dict(renew=r.random() < 0.4)
    else:
        f.variant = "clock_skew"
        T = pick_term(W, r, lambda T: True)
        if not T:
            return False
        single(f, T)
        f.timing(W, r, 60, 300, chronic=0.2)
        f.p = dict(skew=-r.choice([1, 2, 3]) * 86400 * 365 - r.randint(0, 86400 * 200))
    return True


def pr_cert(W, f, r):
    if f.variant == "client_cert_expired" and f.p["renew"]:
        t0 = f.start + r.uniform(3600, 4 * 3600)
        for T in f.terms:
            u = t0 + r.uniform(0, 3600)
            if u < W.t1:
                f.off[T.tid] = int(u)
                T.maint = getattr(T, "maint", [])
                T.maint.append((u - 20, "firmware_update", "TMS下发新终端证书"))
        if f.off:
            f.end = min(W.t1, max(f.off.values()))
    elif f.variant == "clock_skew":
        T = f.terms[0]
        T.add_off(f.start - 70, f.start, "power_loss", f.cause, f.fid)


def ap_cert(f, T, t, st, L):
    if L <= 0:
        return
    if f.variant == "client_cert_expired":
        st.tls.append(H(1.0, "TLS_CERT", f.cause, f.fid, "X509_V_ERR_CERT_HAS_EXPIRED notAfter=%s" % fmt_utc_day(T.cert)))
    else:
        st.skew = f.p["skew"]
        st.tls.append(H(1.0, "TLS_CERT", f.cause, f.fid, "X509_V_ERR_CERT_NOT_YET_VALID now=%s" % fmt_utc_day(t + f.p["skew"])[:10]))


def su_storage(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["journal_not_purged", "log_flood", "ad_cache"])
    f.timing(W, r, 60, 300, chronic=0.1, earliest=30, latest=30)
    f.p = dict(rate=r.uniform(1.5, 6.0))
    T.storage0 = 96 - f.p["rate"] * (f.start - W.t0) / 3600.0
    if T.storage0 < 20:
        T.storage0 = 20
        f.p["rate"] = 76 / max(0.5, (f.start - W.t0) / 3600.0)
    return True


def ap_storage(f, T, t, st, L):
    if t >= f.end:
        st.storage = 61.0
        return
    s = min(100.0, T.storage0 + f.p["rate"] * (t - T.t0) / 3600.0)
    st.storage = s
    if L > 0:
        st.app.append(H(clamp((s - 96) / 3.5) * 0.95, "STORAGE_FULL", f.cause, f.fid, "free=%dKB /data/journal" % max(0, int((100 - s) * 300))))


def su_memory(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["background_service_leak", "too_many_apps", "fragmentation"])
    f.timing(W, r, 90, 360, chronic=0.3)
    f.sev = r.uniform(0.3, 1.0)
    f.p = dict(leak=8 + 30 * f.sev, m_on=r.uniform(72, 88), m_boot=min(85, T.mem0 + r.uniform(10, 25)))
    return True


def ap_memory(f, T, t, st, L):
    if L <= 0:
        return
    m = mem_level(f, T, t)
    st.mem = m
    memory_hazards(f, st, m)


def su_cpu(W, f, r):
    T = pick_term(W, r, lambda T: True)
    if not T:
        return False
    single(f, T)
    f.variant = r.choice(["runaway_process", "thermal_throttle", "malware_scan"])
    f.timing(W, r, 40, 300, chronic=0.2)
    f.sev = r.uniform(0.2, 1.0)
    f.ramp = int(r.uniform(0, 30) * 60)
    f.p = dict(cpu=55 + 40 * f.sev, busy=0.03 + 0.25 * f.sev, local=2000 + 40000 * f.sev ** 2)
    return True


def pr_cpu(W, f, r):
    T = f.terms[0]
    t = f.start
    while True:
        t += r.expovariate((0.1 + 0.6 * f.sev) / 3600)
        if t >= f.end:
            break
        T.add_off(t, t + r.uniform(40, 80), "watchdog", f.cause, f.fid)


def ap_cpu(f, T, t, st, L):
    if L <= 0:
        return
    st.cpu += f.p["cpu"] * L
    st.temp += 9 * L
    st.local.append((f.p["local"] * L * T.rng.uniform(0.5, 1.5), f.cause, f.fid))
    st.app.append(H(f.p["busy"] * L, "SYS_BUSY", f.cause, f.fid, "cpu=%d%%" % min(100, int(T.cpu0 + f.p["cpu"] * L))))
    st.pin.append(H(0.04 * L, "PIN_TIMEOUT", f.cause, f.fid, "PED resp slow"))
    st.card.append(H(0.04 * L, "CARD_READ", f.cause, f.fid, "APDU timeout"))


def su_operator(W, f, r):
    if r.random() < 0.75:
        T = pick_term(W, r, lambda T: T.factor > 0.4)
        if not T:
            return False
        single(f, T)
        f.variant = "new_cashier"
        f.new_cashier = True
    else:
        sites = [S for S in W.sites if len(S.terms) >= 2 and S.sid not in W.scopes_used]
        if not sites:
            return False
        S = wpick(r, sites, [sum(T.factor for T in S.terms) for S in sites])
        W.scopes_used[S.sid] = 1
        f.scope = {"site_id": S.sid}
        f.attach(S.terms)
        f.variant = "untrained_shift"
    f.timing(W, r, 60, 300, chronic=0.08)
    f.sev = r.uniform(0.2, 1.0)
    f.p = dict(rm=0.03 + 0.12 * f.sev, pto=0.02 + 0.08 * f.sev, pwd=0.2 + 0.5 * f.sev, orig=0.2 + 0.4 * f.sev,
               r25=0.15 + 0.4 * f.sev, r94=0.01 + 0.04 * f.sev, void=0.03 + 0.08 * f.sev)
    return True


def ap_operator(f, T, t, st, L):
    if L <= 0:
        return
    prog = (t - f.start) / max(1.0, f.end - f.start)
    L = L * (1 - 0.6 * prog)  # the cashier learns
    st.card.append(H(f.p["rm"] * L, "CARD_REMOVED", f.cause, f.fid, None))
    st.pin.append(H(f.p["pto"] * L, "PIN_TIMEOUT", f.cause, f.fid, "t=60s"))
    st.app.append(H(f.p["pwd"] * L, "PWD_ERR", f.cause, f.fid, "op=01", lambda it: it["type"] in ("refund", "void")))
    st.app.append(H(f.p["orig"] * L * 0.5, "ORIG_NOT_FOUND", f.cause, f.fid, "trace not in batch", lambda it: it["type"] == "void"))
    st.host.append((9, f.p["r25"] * L, "25", f.cause, f.fid, lambda it: it["type"] in ("refund", "void"), None))
    st.host.append((9, f.p["r94"] * L, "94", f.cause, f.fid, None, None))
    st.host.append((9, 0.3 * L, "13", f.cause, f.fid, lambda it: it["type"] == "refund", None))
    st.extra_void += f.p["void"] * L


def pick_merchant(W, r, pred, key):
    ms = [M for M in W.merchants if pred(M) and (key + M.mid) not in W.scopes_used]
    if not ms:
        return None
    M = wpick(r, ms, [sum(T.factor * T.base_rate for T in M.terms) ** 0.7 + 0.1 for M in ms])
    W.scopes_used[key + M.mid] = 1
    W.scopes_used["biz" + M.mid] = 1
    return M


def su_txntype(W, f, r):
    f.variant = r.choice(["preauth_not_permitted", "credit_not_permitted", "refund_not_permitted", "nfc_not_enabled"])
    if f.variant == "preauth_not_permitted":
        M = pick_merchant(W, r, lambda M: M.mcc in ("7011", "5541") and ("biz" + M.mid) not in W.scopes_used, "tt")
        if M is None:
            f.variant = "credit_not_permitted"
    if f.variant != "preauth_not_permitted":
        M = pick_merchant(W, r, lambda M: ("biz" + M.mid) not in W.scopes_used and M.prof[7][3] < 0.7, "tt")
    if M is None:
        return False
    f.scope = {"merchant_id": M.mid}
    f.attach(M.terms)
    f.timing(W, r, 60, 360, chronic=0.2)
    return True


def ap_txntype(f, T, t, st, L):
    if L <= 0:
        return
    v = f.variant
    if v == "preauth_not_permitted":
        st.host.append((4, 1.0, "58", f.cause, f.fid, lambda it: it["type"] in ("preauth", "completion"), None))
    elif v == "credit_not_permitted":
        st.host.append((4, 1.0, "57", f.cause, f.fid, lambda it: it.get("kind") == "credit", None))
    elif v == "refund_not_permitted":
        st.host.append((4, 1.0, "40", f.cause, f.fid, lambda it: it["type"] == "refund", None))
    else:
        st.host.append((4, 1.0, "58", f.cause, f.fid, lambda it: it["channel"] == "nfc", None))


def su_limit(W, f, r):
    M = pick_merchant(W, r, lambda M: ("biz" + M.mid) not in W.scopes_used, "lim")
    if M is None:
        return False
    f.scope = {"merchant_id": M.mid}
    f.attach(M.terms)
    f.variant = r.choice(["single_amount_limit", "single_amount_limit", "daily_quota_exhausted"])
    if f.variant == "single_amount_limit":
        f.timing(W, r, 60, 300, chronic=0.25)
    else:
        f.timing(W, r, 30, 180, chronic=0.0)
    med = M.prof[5]
    f.p = dict(lim=int(med * r.uniform(1.0, 4.0) / 100) * 100, rc=r.choice(["61", "65"]))
    return True


def ap_limit(f, T, t, st, L):
    if L <= 0:
        return
    if f.variant == "single_amount_limit":
        st.host.append((6, 1.0, "61", f.cause, f.fid, lambda it: it["channel"] != "qr" and it["amount"] > f.p["lim"] and it["type"] in ("purchase", "preauth"), None))
    else:
        st.host.append((6, 1.0, f.p["rc"], f.cause, f.fid, lambda it: it["type"] in ("purchase", "preauth", "completion"), None))


def su_risk(W, f, r):
    M = pick_merchant(W, r, lambda M: ("biz" + M.mid) not in W.scopes_used, "risk")
    if M is None:
        return False
    f.scope = {"merchant_id": M.mid}
    f.attach(M.terms)
    f.variant = r.choice(["large_amount_rule", "credit_cashout_rule", "velocity_rule", "merchant_watchlist"])
    f.timing(W, r, 30, 240, chronic=0.1)
    f.sev = r.uniform(0.15, 1.0)
    f.p = dict(amt=int(M.prof[5] * r.uniform(1.2, 3.5)), p=0.1 + 0.8 * f.sev, rc=r.choice(["59", "59", "34"]))
    return True


def ap_risk(f, T, t, st, L):
    if L <= 0:
        return
    v = f.variant
    if v == "large_amount_rule":
        st.host.append((5, f.p["p"] * L, f.p["rc"], f.cause, f.fid, lambda it: it["amount"] > f.p["amt"] and it["type"] == "purchase", None))
    elif v == "credit_cashout_rule":
        st.host.append((5, f.p["p"] * L, f.p["rc"], f.cause, f.fid, lambda it: it.get("kind") == "credit" and it["type"] == "purchase", None))
    elif v == "velocity_rule":
        st.host.append((5, f.p["p"] * 0.5 * L, f.p["rc"], f.cause, f.fid, lambda it: it["type"] in ("purchase", "preauth"), None))
    else:
        st.host.append((5, f.p["p"] * L, f.p["rc"], f.cause, f.fid, lambda it: it["channel"] != "qr" and it["type"] == "purchase", None))


def su_merchant(W, f, r):
    M = pick_merchant(W, r, lambda M: ("biz" + M.mid) not in W.scopes_used, "mer")
    if M is None:
        return False
    f.scope = {"merchant_id": M.mid}
    f.attach(M.terms)
    f.variant = r.choice(["frozen_by_risk_team", "licence_expired", "closed_in_error"])
    f.timing(W, r, 20, 150, chronic=0.1)
    return True


def ap_merchant(f, T, t, st, L):
    if L <= 0:
        return
    st.host.append((3, 1.0, "03", f.cause, f.fid, None, None))


def su_acquirer(W, f, r):
    hosts = [h for h in sorted(W.by_host) if ("acq|" + h) not in W.scopes_used]
    if not hosts:
        return False
    h = wpick(r, hosts, [len(W.by_host[x]) ** 0.5 for x in hosts])
    W.scopes_used["acq|" + h] = 1
    f.scope = {"host": h}
    f.attach(W.by_host[h])
    f.variant = r.choice(["outage", "overload", "overload"])
    f.sev = r.uniform(0.2, 1.0)
    if f.variant == "outage":
        f.timing(W, r, 6, 40, chronic=0.0)
        f.ramp = int(r.uniform(0, 3) * 60)
    else:
        f.timing(W, r, 20, 80, chronic=0.0)
        f.ramp = int(r.uniform(8, 30) * 60)
    f.p = dict(refuse=0.5 + 0.5 * f.sev, to=0.2 + 0.5 * f.sev, ms=6000 + 60000 * f.sev, r96=0.03 + 0.25 * f.sev)
    return True


def ap_acquirer(f, T, t, st, L):
    if L <= 0:
        return
    ip, port = HOSTS[T.host]
    if f.variant == "outage":
        st.down.append(H(f.p["refuse"] * L, "CONNECT_FAIL", f.cause, f.fid, "%s:%d errno=111 connection refused" % (ip, port)))
        st.xchg.append((f.p["to"] * L, "timeout", f.cause, f.fid, None, None))
    else:
        st.hostms.append((f.p["ms"] * L * L, f.cause, f.fid))
        st.host.append((7, f.p["r96"] * L, "96", f.cause, f.fid, None, None))


def su_issuer(W, f, r):
    iss = sorted(set(b[1] for b in BINS))
    iss = [i for i in iss if ("iss|" + i) not in W.scopes_used]
    if not iss:
        return False
    ws = [sum(b[3] for b in BINS if b[1] == i) for i in iss]
    i = wpick(r, iss, ws)
    W.scopes_used["iss|" + i] = 1
    f.issuer = i
    f.scope = {"issuer": i}
    f.variant = r.choice(["issuer_down", "issuer_slow", "issuer_partial"])
    f.timing(W, r, 15, 100, chronic=0.0)
    f.sev = r.uniform(0.25, 1.0)
    f.ramp = int(r.uniform(0, 15) * 60)
    f.p = dict(p={"issuer_down": 0.9, "issuer_slow": 0.6, "issuer_partial": 0.3}[f.variant] * (0.6 + 0.4 * f.sev),
               to={"issuer_down": 0.25, "issuer_slow": 0.6, "issuer_partial": 0.35}[f.variant])
    W.global_faults.append(f)
    return True


def ap_issuer(f, T, t, st, L):
    if L <= 0:
        return
    filt = lambda it: it.get("issuer") == f.issuer and it["type"] != "reversal"
    st.host.append((8, f.p["p"] * L * f.p["to"], "TO", f.cause, f.fid, filt, None))
    st.host.append((8, f.p["p"] * L * (1 - f.p["to"]), "91", f.cause, f.fid, filt, None))


def su_decline(W, f, r):
    if r.random() < 0.55:
        f.variant = r.choice(["bin_batch_expired", "prepaid_program_depleted", "bin_reissue_blocked"])
        cands = [b for b in BINS if b[3] >= 2 and ("bin|" + b[0]) not in W.scopes_used]
        b = wpick(r, cands, [x[3] for x in cands])
        W.scopes_used["bin|" + b[0]] = 1
        f.bin = b[0]
        f.scope = {"issuer": b[1], "bin": b[0]}
        f.timing(W, r, 60, 360, chronic=0.2)
        f.sev = r.uniform(0.2, 1.0)
        f.p = dict(p=0.15 + 0.6 * f.sev, rc={"bin_batch_expired": "54", "prepaid_program_depleted": "51", "bin_reissue_blocked": "14"}[f.variant])
        W.global_faults.append(f)
    else:
        f.variant = "customer_retries_declined_card"
        T = pick_term(W, r, lambda T: T.card_share > 0.3 and T.factor > 0.3, allow_used=True)
        if not T:
            return False
        single(f, T)
        f.timing(W, r, 4, 15, chronic=0.0, latest=30)
        b = wpick(r, BINS, BIN_W)
        f.pan = "%s******%04d" % (b[0], r.randrange(10000))
        f.bininfo = b
        f.p = dict(rc=r.choice(["51", "51", "55", "75", "05"]), n=r.randint(3, 8))
    return True


def pr_decline(W, f, r):
    if f.variant != "customer_retries_declined_card":
        return
    T = f.terms[0]
    b = f.bininfo
    amt = int(T.merchant.prof[5] * r.uniform(0.8, 3.0))
    it = dict(type="purchase", channel="card_ic", amount=amt, bin=b[0], issuer=b[1], kind=b[2], pan=f.pan,
              pin=True, insist=f.p["n"], forced=f.fid)
    T.inject.append((f.start + 5, it))


def ap_decline(f, T, t, st, L):
    if f.variant == "customer_retries_declined_card":
        st.host.append((10, 1.0, f.p["rc"], f.cause, f.fid, lambda it: it.get("pan") == f.pan and it["type"] != "reversal", None))
        return
    if L <= 0:
        return
    st.host.append((10, f.p["p"] * L, f.p["rc"], f.cause, f.fid, lambda it: it.get("bin") == f.bin and it["type"] in ("purchase", "preauth", "balance"), None))


SETUP = {
    "hardware.keypad": su_keypad, "hardware.display": su_display, "hardware.card_reader": su_reader,
    "hardware.printer": su_printer, "hardware.board": su_board, "power.supply": su_power,
    "power.battery": su_battery, "network.signal": su_signal, "network.lan": su_lan,
    "network.carrier": su_carrier, "software.bug": su_bug, "software.incompatible": su_incompat,
    "software.config": su_config, "transmission.corruption": su_corrupt, "security.keys": su_keys,
    "security.certificate": su_cert, "resource.storage": su_storage, "resource.memory": su_memory,
    "resource.cpu": su_cpu, "operator.error": su_operator, "business.txn_type": su_txntype,
    "business.limit": su_limit, "business.risk": su_risk, "business.merchant": su_merchant,
    "upstream.acquirer": su_acquirer, "upstream.issuer": su_issuer, "card.decline": su_decline,
}
APPLY = {
    "hardware.keypad": ap_keypad, "hardware.display": ap_display, "hardware.card_reader": ap_reader,
    "hardware.printer": ap_printer, "hardware.board": ap_board, "power.supply": ap_power,
    "power.battery": ap_battery, "network.signal": ap_signal, "network.lan": ap_lan,
    "network.carrier": ap_carrier, "software.bug": ap_bug, "software.incompatible": ap_incompat,
    "software.config": ap_config, "transmission.corruption": ap_corrupt, "security.keys": ap_keys,
    "security.certificate": ap_cert, "resource.storage": ap_storage, "resource.memory": ap_memory,
    "resource.cpu": ap_cpu, "operator.error": ap_operator, "business.txn_type": ap_txntype,
    "business.limit": ap_limit, "business.risk": ap_risk, "business.merchant": ap_merchant,
    "upstream.acquirer": ap_acquirer, "upstream.issuer": ap_issuer, "card.decline": ap_decline,
}
FILL_W = {
    "hardware.keypad": 1.3, "hardware.display": 1.0, "hardware.card_reader": 1.5, "hardware.printer": 1.3,
    "hardware.board": 1.0, "power.supply": 2.5, "power.battery": 1.3, "network.signal": 2.0, "network.lan": 2.5,
    "network.carrier": 1.8, "software.bug": 1.8, "software.incompatible": 1.2, "software.config": 1.2,
    "transmission.corruption": 1.1, "security.keys": 1.3, "security.certificate": 1.3, "resource.storage": 1.0,
    "resource.memory": 1.0, "resource.cpu": 1.0, "operator.error": 1.4, "business.txn_type": 1.2,
    "business.limit": 1.3, "business.risk": 1.3, "business.merchant": 1.2, "upstream.acquirer": 1.6,
    "upstream.issuer": 1.6, "card.decline": 1.2,
}
MAX_PER_SEED = {"network.signal": 3, "network.lan": 3, "power.supply": 3}


def choose_faults(W):
    r = random.Random("gen11:%d:faults" % W.seed)
    W.global_faults = []
    res = (W.seed - 1) % 10
    mandatory = [c for i, c in enumerate(CAUSES) if i % 10 == res or (i + 5) % 10 == res]
    n = r.randint(18, 22)
    causes = list(mandatory)
    counts = {}
    for c in causes:
        counts[c] = counts.get(c, 0) + 1
    while len(causes) < n:
        c = wpick(r, CAUSES, [FILL_W[x] for x in CAUSES])
        if counts.get(c, 0) >= MAX_PER_SEED.get(c, 2):
            continue
        counts[c] = counts.get(c, 0) + 1
        causes.append(c)
    r.shuffle(causes)
    faults = []
    k = 0
    for c in causes:
        for attempt in range(4):
            f = Fault("F%d-%02d" % (W.seed, k + 1), c)
            fr = random.Random("gen11:%d:fault:%d:%d" % (W.seed, k, attempt))
            if SETUP[c](W, f, fr):
                f.rng = fr
                faults.append(f)
                k += 1
                break
    # confounder: a weak-signal terminal inside a site with a power fault
    for f in list(faults):
        if f.cause == "power.supply" and r.random() < 0.6:
            wl = [T for T in f.site.terms if T.network != "ethernet" and T.tid not in W.single_used]
            if wl:
                T = r.choice(wl)
                W.single_used[T.tid] = 1
                g = Fault("F%d-%02d" % (W.seed, k + 1), "network.signal")
                fr = random.Random("gen11:%d:fault:%d:c" % (W.seed, k))
                su_signal(W, g, fr, T)
                g.start = int(max(W.t0, f.start - fr.uniform(0, 1800)))
                g.end = int(min(W.t1, max(g.end, f.end + fr.uniform(0, 1800))))
                g.rng = fr
                g.confounder_of = f.fid
                faults.append(g)
                k += 1
    for f in W.global_faults:
        if f in faults:
            for T in W.terms:
                T.faults.append(f)
    for f in faults:
        f.events = 0
    return faults


PREP = {"hardware.board": pr_board, "power.supply": pr_power, "network.signal": pr_signal, "network.lan": pr_lan,
        "network.carrier": pr_carrier, "software.bug": pr_bug, "software.incompatible": pr_incompat,
        "resource.cpu": pr_cpu, "card.decline": pr_decline, "security.certificate": pr_cert}


def prepare(W, faults):
    for f in faults:
        if f.cause in PREP:
            PREP[f.cause](W, f, f.rng)
    # background: occasional user reboots, short wireless drop-outs
    for T in W.terms:
        r = T.rng
        t = W.t0
        while True:
            t += r.expovariate(0.025 / 3600)
            if t >= W.t1:
                break
            T.add_off(t, t + r.uniform(45, 90), "user", None, None)
        if T.network != "ethernet":
            t = W.t0
            rate = 0.08 if (T.rssi0 or -60) > -95 else 0.5
            while True:
                t += r.expovariate(rate / 3600)
                if t >= W.t1:
                    break
                cond = "DIAL_FAIL" if T.network == "cellular" else "LINK_DOWN"
                T.linkdown.append((t, t + r.uniform(20, 120), cond, "network.signal", None, "rssi=%d" % (T.rssi0 - r.uniform(8, 15))))
    for T in W.terms:
        if T.form == "portable":
            battery_sim(W, T)
    for f in faults:
        if f.cause == "security.keys":
            pr_keys(W, f, f.rng)
    for f in faults:
        if f.cause == "resource.memory" or (f.cause == "software.bug" and f.variant == "memory_leak"):
            pr_memory_saw(W, f, f.rng)
    for T in W.terms:
        T.finalize()


# ------------------------------------------------------------------------ simulation
BG_DECLINE = [  # code, prob, cause, needs
    ("51", 0.012, "card.decline", None), ("55", 0.009, "card.decline", "pin"), ("54", 0.003, "card.decline", None),
    ("05", 0.003, "card.decline", None), ("14", 0.001, "card.decline", None), ("75", 0.0006, "card.decline", "pin"),
    ("61", 0.0015, "business.limit", None), ("59", 0.0005, "business.risk", None),
]
DECLINE_RC = {"51", "55", "54", "05", "14", "75"}


class Sim:
    def __init__(self, W):
        self.W = W
        self.recs = []
        self.truth_ev = []
        self.fmap = {}

    def add(self, T, t, rec):
        self.recs.append((t, rec))

    def event(self, T, t, code, stan, cause, fid, kind):
        e = {"kind": "truth_event", "ts": fmt(t), "terminal_id": T.tid, "cause": cause, "code": code}
        if stan:
            e["stan"] = stan
        e["record"] = kind
        e["fault_id"] = fid
        self.truth_ev.append((int(t), T.tid, e))
        if fid is not None:
            f = self.fmap[fid]
            f.events += 1
            f.codes[code] = f.codes.get(code, 0) + 1
            f.affected.append((int(t), T.tid, code))

    def error(self, T, t, cond, stan, cause, fid, extra=None):
        t = int(t)
        code = CODES[T.vendor][cond]
        rec = {"kind": "error", "ts": fmt(t), "terminal_id": T.tid, "code": code, "stage": COND[cond][0],
               "detail": detail_text(T.vendor, code, cond, extra)}
        if stan:
            rec["stan"] = stan
        r = T.rng.random()
        if r < 0.015:
            del rec["stage"]
        elif r < 0.03:
            del rec["detail"]
        self.add(T, t, rec)
        self.event(T, t, code, stan, cause, fid, "error")
        if cond == "APP_CRASH":
            T.ev["app_crashes"].append(t)
        elif cond == "CARD_READ":
            T.ev["card_reader_errors"].append(t)
        elif cond == "PIN_ERR":
            T.ev["keypad_errors"].append(t)

    def txn(self, T, t, it, stan, rc=None, timed_out=False, lat=None, cause=None, fid=None, ttype=None):
        t = int(t)
        M = T.merchant
        typ = ttype or it["type"]
        rec = {"kind": "txn", "ts": fmt(t), "terminal_id": T.tid, "merchant_id": M.mid, "type": typ,
               "amount": int(it["amount"]), "currency": "156" if T.host == "CUP-D" else "CNY", "channel": it["channel"],
               "stan": stan}
        if rc is not None and not timed_out:
            rec["rrn"] = "%03d%02d%s%s" % (time.gmtime(t + TZOFF).tm_yday, time.gmtime(t + TZOFF).tm_hour, "0", stan)
        rec["mcc"] = M.mcc
        if timed_out:
            rec["timed_out"] = True
        else:
            rec["response_code"] = rc
        if lat is not None:
            rec["latency_ms"] = int(lat)
        if rc == "00" and typ in ("purchase", "completion"):
            rate = M.qr_rate if it["channel"] == "qr" else M.card_rate
            rec["fee"] = int(round(it["amount"] * rate))
        if it.get("pan"):
            rec["pan"] = it["pan"]
        r = T.rng.random()
        if r < 0.012:
            del rec["merchant_id"]
        elif r < 0.022 and "latency_ms" in rec:
            del rec["latency_ms"]
        elif r < 0.03:
            del rec["mcc"]
        self.add(T, t, rec)
        if timed_out:
            self.event(T, t, "timeout", stan, cause, fid, "txn")
        elif rc != "00":
            self.event(T, t, rc, stan, cause, fid, "txn")


def pick(rng, hz):
    if not hz:
        return None
    q = 1.0
    tot = 0.0
    for h in hz:
        p = h[0]
        if p > 0:
            q *= (1 - min(p, 1.0))
            tot += p
    if tot <= 0 or rng.random() >= 1 - q:
        return None
    x = rng.random() * tot
    for h in hz:
        if h[0] > 0:
            x -= h[0]
            if x <= 0:
                return h
    return hz[-1]


def filt_ok(h, it):
    return h[5] is None or h[5](it)


def make_intent(W, T, t, r, void_extra=0.0):
    M = T.merchant
    prof = M.prof
    extra = prof[10]
    x = r.random()
    typ = "purchase"
    acc = 0.0
    for k, p in (("preauth", extra.get("preauth", 0)), ("completion", extra.get("completion", 0)),
                 ("refund", 0.015 + void_extra * 0.4), ("void", 0.02 + void_extra), ("balance", 0.005)):
        acc += p
        if x < acc:
            typ = k
            break
    mix = prof[7]
    ch = wpick(r, ["card_ic", "card_swipe", "nfc", "qr"], list(mix))
    if typ in ("preauth", "completion", "balance") and ch == "qr":
        ch = "card_ic"
    amt = int(prof[5] * r.lognormvariate(0, prof[6]))
    amt = max(100, min(amt, 5000000))
    if r.random() < 0.5:
        amt = max(100, amt // 100 * 100)
    if typ == "refund":
        amt = max(100, int(amt * r.uniform(0.2, 1.0)))
    if typ == "void" and getattr(T, "last_ok", None):
        amt = T.last_ok[0]
        ch = T.last_ok[1]
    if typ == "balance":
        amt = 0
    it = dict(type=typ, channel=ch, amount=amt)
    if ch != "qr":
        b = wpick(r, BINS, BIN_W)
        it.update(bin=b[0], issuer=b[1], kind=b[2], pan="%s******%04d" % (b[0], r.randrange(10000)))
        it["pin"] = typ in ("purchase", "preauth", "balance") and (
            (b[2] == "debit" and ch != "nfc") or amt > 100000 or ch == "card_swipe" or typ == "balance")
    else:
        it["pin"] = False
    return it


def attempt(S, W, T, t, it):
    """one attempt of a transaction; returns (t_end, outcome, needs_reversal, info)"""
    r = T.rng
    st = T.state(t)
    T.last_st = st
    hz = [h for h in st.app if filt_ok(h, it)]
    h = pick(r, hz)
    if h:
        te = t + r.uniform(2, 8)
        S.error(T, te, h[1], None, h[2], h[3], h[4])
        return te, "local", False, h
    card = it["channel"] != "qr"
    tl = t + (r.uniform(3, 9) if card else r.uniform(4, 12))
    if card:
        hz = [h for h in st.card if filt_ok(h, it)]
        ch = it["channel"]
        bg = {"card_ic": 0.004, "card_swipe": 0.012, "nfc": 0.003}[ch]
        hz.append(H(bg, "CARD_READ", "operator.error", None, {"card_ic": "card inserted wrong way", "card_swipe": "swipe too fast", "nfc": "card moved away"}[ch]))
        hz.append(H(0.0015, "CARD_REMOVED", "operator.error", None, None))
        h = pick(r, hz)
        if h:
            S.error(T, tl, h[1], None, h[2], h[3], h[4])
            return tl, "card", False, h
    if it.get("pin"):
        tl += r.uniform(4, 12)
        hz = [h for h in st.pin if filt_ok(h, it)]
        hz.append(H(0.002, "PIN_TIMEOUT", "operator.error", None, "t=60s"))
        h = pick(r, hz)
        if h:
            tl += 30
            S.error(T, tl, h[1], None, h[2], h[3], h[4])
            return tl, "pin", False, h
    tl += sum(x[0] for x in st.local) / 1000.0 * r.uniform(0.3, 0.7)
    stan = T.next_stan()
    return exchange(S, W, T, tl, it, st, stan, False)


def exchange(S, W, T, ts, it, st, stan, reversal):
    r = T.rng
    ld = T.link_at(ts)
    if ld:
        te = ts + r.uniform(1, 6)
        S.error(T, te, ld[2], stan, ld[3], ld[4], ld[5])
        return te, "net", False, ld
    hz = list(st.down)
    Lq = 1.0
    sl = 0.0
    for (l, c, fid) in st.loss:
        Lq *= (1 - l)
        sl += l
    Ltot = 1 - Lq
    if Ltot > 0:
        pc = 1 - (1 - Ltot * Ltot) ** 2
        cond = "CONNECT_FAIL" if T.network == "ethernet" else ("DIAL_FAIL" if T.network == "cellular" else "CONNECT_FAIL")
        ip, port = HOSTS[T.host]
        for (l, c, fid) in st.loss:
            if l > 0:
                hz.append(H(pc * l / sl, cond, c, fid, "%s:%d errno=110 timeout" % (ip, port)))
    h = pick(r, hz)
    if h:
        ex = h[4] or ""
        te = ts + (r.uniform(0.3, 2.5) if "refused" in ex else r.uniform(8, 30))
        S.error(T, te, h[1], stan, h[2], h[3], h[4])
        return te, "net", False, h
    h = pick(r, st.tls)
    if h:
        te = ts + r.uniform(0.5, 3)
        S.error(T, te, h[1], stan, h[2], h[3], h[4])
        return te, "net", False, h
    # host decision
    rc, hc, hf, herr = "00", None, None, None
    extra_ms = None
    checks = sorted(st.host, key=lambda c: c[0])
    for c in checks:
        if reversal and c[0] > 1.5:
            continue
        if c[5] is not None and not c[5](it):
            continue
        if r.random() < c[1]:
            rc, hc, hf, herr = c[2], c[3], c[4], c[6]
            break
    if rc == "00" and not reversal:
        if st.wrongpin and it.get("pin"):
            hw = pick(r, [(p, c, f) for (p, c, f) in st.wrongpin])
            if hw:
                rc, hc, hf = "55", hw[1], hw[2]
        if rc == "00":
            x = r.random()
            acc = 0.0
            if it["channel"] != "qr" and it["type"] in ("purchase", "preauth", "balance"):
                for code, p, cause, need in BG_DECLINE:
                    if need == "pin" and not it.get("pin"):
                        continue
                    acc += p
                    if x < acc:
                        rc, hc = code, cause
                        break
            elif it["channel"] == "qr" and it["type"] == "purchase":
                if x < 0.006:
                    rc, hc = "51", "card.decline"
            elif it["type"] in ("refund", "void"):
                if x < 0.01:
                    rc, hc = "25", "operator.error"
    if rc == "91":
        extra_ms = (r.uniform(6000, 25000), hc, hf)
    # transport
    hz = list(st.xchg)
    if Ltot > 0:
        pto = 1 - (1 - Ltot ** 2.5) ** 5
        for (l, c, fid) in st.loss:
            if l > 0:
                hz.append((pto * l / sl, "timeout", c, fid, None, None))
    hx = pick(r, hz)
    comps = []
    base = T.rtt * 3 * r.lognormvariate(0, 0.2) + r.uniform(150, 450)
    if not reversal:
        base += r.lognormvariate(6.55, 0.55) if it["channel"] != "qr" else r.lognormvariate(6.8, 0.5)
    for (ms, c, fid) in st.lat:
        comps.append((ms * 3, c, fid))
    for (ms, c, fid) in st.hostms:
        comps.append((ms * r.lognormvariate(0, 0.35), c, fid))
    for (ms, c, fid) in st.local:
        comps.append((ms * 0.3, c, fid))
    if extra_ms:
        comps.append(extra_ms)
    if Ltot > 0:
        retr = Ltot / max(0.05, 1 - Ltot) * 5 * r.uniform(400, 1400)
        big = max(st.loss, key=lambda x: x[0])
        comps.append((retr, big[1], big[2]))
    total = base + sum(c[0] for c in comps)
    tmo = T.timeout * 1000.0
    if st.timeout:
        tmo = st.timeout[0]
    to_cause = None
    if hx is not None:
        kind = hx[1]
        if kind == "timeout":
            to_cause = (hx[2], hx[3])
        elif kind == "packet":
            te = ts + min(total, tmo) / 1000.0
            S.error(T, te, "PACKET_ERR", stan, hx[2], hx[3], hx[4])
            return te, "net", (it["type"] in ("purchase", "preauth", "completion", "void")), hx
        elif kind == "respmac" and rc == "00":
            te = ts + min(total, tmo) / 1000.0
            S.txn(T, te, it, stan, "00", lat=total, ttype="reversal" if reversal else None)
            S.error(T, te + r.uniform(0, 1.5), "MAC_ERR", stan, hx[2], hx[3], "resp MAC mismatch")
            return te + 1, "net", (not reversal and it["type"] in ("purchase", "preauth", "completion", "void")), hx
    if to_cause is None and rc == "TO":
        to_cause = (hc, hf)
    if to_cause is None and total > tmo:
        if st.timeout and total <= T.timeout * 1000.0:
            to_cause = (st.timeout[1], st.timeout[2])
        else:
            fc = [c for c in comps if c[2] is not None]
            if fc:
                m = max(fc, key=lambda c: c[0])
                to_cause = (m[1], m[2])
            elif comps:
                m = max(comps, key=lambda c: c[0])
                to_cause = (m[1], m[2])
            else:
                to_cause = ("network.lan" if T.network == "ethernet" else "network.signal", None)
    if to_cause is not None:
        te = ts + tmo / 1000.0
        S.txn(T, te, it, stan, None, True, tmo, to_cause[0], to_cause[1], ttype="reversal" if reversal else None)
        if r.random() < 0.92:
            ex = "wait %ds" % int(tmo / 1000)
            if hx is not None and hx[1] == "timeout" and hx[4]:
                ex += " " + hx[4]
            S.error(T, te + r.uniform(0, 2), "RECV_TIMEOUT", stan, to_cause[0], to_cause[1], ex)
        return te + 2, "timeout", (not reversal and it["type"] in ("purchase", "preauth", "completion", "void")), to_cause
    te = ts + total / 1000.0
    S.txn(T, te, it, stan, rc, False, total, hc, hf, ttype="reversal" if reversal else None)
    if rc != "00":
        if rc == "A0":
            S.error(T, te + r.uniform(0, 1.5), "MAC_ERR", stan, hc, hf, "rc=A0")
        elif herr:
            S.error(T, te + r.uniform(0, 1.5), herr, stan, hc, hf, "rc=%s ver=%s" % (rc, T.ver_at(ts)[1]))
        return te + 1, ("decline" if rc in DECLINE_RC else "host"), False, (rc, hc)
    if not reversal and it["type"] not in ("balance",):
        # receipt printing
        hz = list(st.prn)
        if T.paper_out_until > te:
            hz.append(H(1.0, "PAPER_OUT", "hardware.printer", None, "sensor=no_paper"))
        elif r.random() < 0.0012:
            T.paper_out_until = te + r.uniform(60, 420)
            hz.append(H(1.0, "PAPER_OUT", "hardware.printer", None, "sensor=no_paper"))
        h = pick(r, hz)
        if h:
            S.error(T, te + r.uniform(2, 6), h[1], stan, h[2], h[3], h[4])
        if it["type"] in ("purchase", "preauth", "completion"):
            T.last_ok = (it["amount"], it["channel"])
    return te + 1, "ok", False, None


def sim_terminal(S, W, T):
    r = T.rng
    arr = []
    t = W.t0
    lam = max(T.peak, 0.01)
    while True:
        t += r.expovariate(lam / 3600.0)
        if t >= W.t1:
            break
        h = ((t + TZOFF) % 86400) / 3600.0
        if r.random() < T.base_rate * T.factor * curve(T.curve, h) / lam:
            arr.append((t, None))
    arr.extend(T.inject)
    arr.sort(key=lambda x: x[0])
    now = W.t0
    pending = None  # [due, intent, tries]
    recent_fail = []  # times of recent non-decline failures: staff stop using a terminal that keeps failing

    def do_rev(tr):
        nonlocal pending
        if T.off_at(tr):
            pending[0] = T.next_online(tr) + r.uniform(20, 60)
            return tr
        st = T.state(tr)
        it = dict(pending[1])
        stan = T.next_stan()
        te, out, _, _ = exchange(S, W, T, tr, it, st, stan, True)
        if out == "ok":
            pending = None
        else:
            pending[2] += 1
            pending[0] = te + r.uniform(60, 180)
            if pending[2] >= 3:
                pending = None
        return te

    for (ta, it0) in arr:
        t = max(ta, now)
        if t >= W.t1 - 90:
            break
        while pending is not None and pending[0] <= t:
            now = do_rev(max(pending[0], now))
            t = max(t, now + 1)
        if T.off_at(t):
            continue
        if it0 is None and recent_fail:
            k = len([x for x in recent_fail[-12:] if x > t - 900])
            if k >= 3 and r.random() < min(0.85, 0.15 * k):
                continue  # customer pays with cash / the shop's own QR sticker
        st0 = T.state(t)
        it = it0 if it0 is not None else make_intent(W, T, t, r, st0.extra_void)
        insist = it.get("insist", 0)
        tries = 0
        while True:
            if t >= W.t1 - 60 or T.off_at(t):
                break
            if pending is not None:
                now = do_rev(t)
                t = now + r.uniform(1, 4)
            te, out, rev, info = attempt(S, W, T, t, it)
            now = te
            tries += 1
            if out not in ("ok", "decline"):
                recent_fail.append(te)
            if rev:
                pending = [te + r.uniform(5, 40), dict(it), 0]
            if out == "ok":
                break
            if insist and tries < insist:
                t = te + r.uniform(15, 90)
                continue
            if tries >= 3:
                break
            x = r.random()
            if out == "decline":
                if x < 0.25 and it["channel"] != "qr":
                    it = dict(make_intent(W, T, t, r), type=it["type"], amount=it["amount"], channel=it["channel"])
                elif x < 0.55:
                    it = dict(type=it["type"] if it["type"] in ("purchase", "refund") else "purchase", channel="qr", amount=it["amount"], pin=False)
                elif x < 0.65:
                    pass
                else:
                    break
            elif out == "host":
                if x < 0.3:
                    pass
                elif x < 0.65 and it["channel"] != "qr" and it["type"] in ("purchase",):
                    it = dict(type="purchase", channel="qr", amount=it["amount"], pin=False)
                else:
                    break
            elif out == "card":
                if x < 0.45 and it["channel"] == "card_ic":
                    it = dict(it, channel="card_swipe", pin=True)
                elif x < 0.75:
                    pass
                elif x < 0.9 and it["type"] == "purchase":
                    it = dict(type="purchase", channel="qr", amount=it["amount"], pin=False)
                else:
                    break
            else:
                if x < 0.55:
                    pass
                elif x < 0.8 and it["channel"] != "qr" and it["type"] == "purchase":
                    it = dict(type="purchase", channel="qr", amount=it["amount"], pin=False)
                else:
                    break
            t = te + r.uniform(8, 60)
        now = max(now, t)
    while pending is not None and pending[0] < W.t1 - 30:
        now = do_rev(max(pending[0], now))
    # spontaneous errors (boot-time self tests, crashes) -- only when powered
    for (t, cond, cause, fid, extra) in T.spont:
        if W.t0 <= t < W.t1 and not T.off_at(t):
            S.error(T, t, cond, None, cause, fid, extra)


# ----------------------------------------------------------------------------- telemetry
def telemetry(S, W, T):
    r = random.Random("gen11:%d:tele:%s" % (W.seed, T.tid))
    T.rng_save = T.rng
    T.rng = r  # telemetry noise does not disturb the transaction stream
    spec = VENDOR[T.vendor]
    cad = spec["cad"]
    fields = spec["fields"]
    t = W.t0 + r.uniform(0, cad)
    last_ok = W.t0
    last_ver = (T.fw, T.app)
    while t < W.t1:
        ts = int(t)
        rec = {"kind": "telemetry", "ts": fmt(ts), "terminal_id": T.tid}
        off = T.off_at(ts)
        ld = T.link_at(ts)
        st = None
        if off is None and ld is None:
            st = T.state(ts)
            lq = 1.0
            for (l, c, fid) in st.loss:
                lq *= (1 - l)
            ltot = 1 - lq
            if r.random() < ltot ** 1.5:
                st = None
        if st is None:
            rec["online"] = False
            S.add(T, ts, rec)
            t += cad + r.uniform(-3, 3)
            continue
        rec["online"] = True
        dtm = (ts - last_ok) / 60.0
        for fld in fields:
            if fld == "online":
                continue
            if r.random() < 0.012:
                continue  # occasional missing field
            v = None
            if fld == "rssi_dbm":
                if T.network != "ethernet":
                    base = st.rssi_abs if st.rssi_abs is not None else T.rssi0
                    v = int(round(base + st.rssi + r.gauss(0, 2)))
            elif fld == "latency_ms":
                lat = T.rtt + sum(x[0] for x in st.lat)
                lq = 1.0
                for (l, c, fid) in st.loss:
                    lq *= (1 - l)
                lat += (1 - lq) * 3000 * r.random()
                v = int(lat * r.lognormvariate(0, 0.15))
            elif fld == "packet_loss":
                lq = 1.0
                for (l, c, fid) in st.loss:
                    lq *= (1 - l)
                v = round(clamp((1 - lq) * r.uniform(0.7, 1.3) + abs(r.gauss(0, 0.002))), 3)
            elif fld == "supply_v":
                if T.form == "counter":
                    sv = st.supply if st.supply is not None else T.nominal_v * (1 + r.gauss(0, 0.006))
                    v = round(sv, 2)
            elif fld == "battery_pct":
                if T.battery is not None:
                    v = T.bat_at(ts)
            elif fld == "power_events":
                if T.form == "counter":
                    i = bisect.bisect_right(T.power_ev, last_ok)
                    j = bisect.bisect_right(T.power_ev, ts)
                    v = j - i
            elif fld == "reboot":
                v = T.reboots_between(last_ok, ts)
            elif fld == "storage_used_pct":
                s = st.storage if st.storage is not None else T.storage0 + (ts - W.t0) / 3600.0 * 0.05
                v = int(min(100, s))
            elif fld == "memory_used_pct":
                m = st.mem if st.mem is not None else T.mem0 + r.gauss(0, 3)
                v = int(clamp(m, 5, 100))
            elif fld == "cpu_pct":
                v = int(clamp(T.cpu0 + st.cpu + r.uniform(0, 12), 1, 100))
            elif fld == "temp_c":
                v = round(T.temp0 + st.temp + r.gauss(0, 0.8), 1)
            elif fld == "key_check":
                v = st.key
            elif fld == "clock_skew_s":
                v = int(st.skew if st.skew is not None else T.skew0 + r.gauss(0, 0.7))
            elif fld == "printer":
                if T.paper_out_until > ts and st.printer is None:
                    v = "paper_out"
                else:
                    v = st.printer or "ok"
            elif fld in ("keypad_errors", "card_reader_errors", "app_crashes"):
                lst = T.ev[fld]
                n = bisect.bisect_right(lst, ts) - bisect.bisect_right(lst, last_ok)
                rate = st.rate[fld] * dtm
                if rate > 0:
                    # Poisson draw for spontaneous counts
                    k, p, L = 0, 1.0, math.exp(-min(rate, 50))
                    while True:
                        p *= r.random()
                        if p < L:
                            break
                        k += 1
                    n += k
                v = n
            if v is not None:
                rec[fld] = v
        ver = T.ver_at(ts)
        if ver != last_ver:
            if ver[0] != last_ver[0]:
                rec["firmware"] = ver[0]
            if ver[1] != last_ver[1]:
                rec["app_version"] = ver[1]
            last_ver = ver
        if rec.get("reboot") is None:
            rec.pop("reboot", None)
        S.add(T, ts, rec)
        last_ok = ts
        t += cad + r.uniform(-3, 3)
    T.rng = T.rng_save


# ---------------------------------------------------------------- people: checks etc.
COMPLAINT_TXT = {
    "power.supply": "今天店里几台POS老是自己重启,刷卡报{code},顾客排长队",
    "network.lan": "收银台刷卡一直显示{code},扫码的那台手持机倒是能用",
    "network.carrier": "手持POS下午开始连不上网,提示{code}",
    "upstream.acquirer": "所有POS刷卡都转圈很久然后失败,显示{code}",
    "upstream.issuer": "好几个顾客的卡刷不了,返回码{code},换别的银行卡就可以",
    "business.merchant": "所有交易都提示{code}无效商户,我们是正规商户,请尽快处理",
    "business.limit": "大额交易一直失败返回{code},小额可以",
    "business.risk": "交易被拒绝返回{code},说是风险交易,我们的交易都是真实的",
    "business.txn_type": "某些交易类型做不了,返回{code}",
    "software.bug": "升级以后POS经常闪退,报{code}",
    "software.incompatible": "今天开始POS一直报{code}交易不了",
    "security.certificate": "机器突然报{code},网络是好的",
    "security.keys": "刷卡全部失败,屏幕显示{code}",
    "hardware.card_reader": "插卡老是读不出来,提示{code},只能刷磁条",
    "hardware.printer": "小票打不出来,显示{code}",
    "hardware.keypad": "顾客输密码老是提示{code}",
    "power.battery": "手持机电池不耐用,一会儿就关机",
}


def people(S, W, faults):
    r = random.Random("gen11:%d:people" % W.seed)
    out = []
    # daily checks in the morning
    for T in W.terms:
        if r.random() < 0.25:
            t = W.t0 + r.uniform(0, 2400)
            note = "电源、键盘、屏幕正常"
            for f in T.faults:
                if f.lvl(T, t) > 0 and f.cause.startswith("hardware") and r.random() < 0.5:
                    note = {"hardware.keypad": "部分按键按下不灵敏", "hardware.display": "屏幕偶尔花屏",
                            "hardware.card_reader": "IC卡槽有异物感", "hardware.printer": "打印机打印浅",
                            "hardware.board": "机身发烫"}[f.cause]
            out.append((t, {"kind": "maintenance", "ts": fmt(t), "terminal_id": T.tid, "action": "daily_check", "notes": note}))
        elif r.random() < 0.03:
            t = W.t0 + r.uniform(0, W.t1 - W.t0)
            out.append((t, {"kind": "maintenance", "ts": fmt(t), "terminal_id": T.tid, "action": "weekly_clean", "notes": "清洁读卡器和键盘"}))
        for (t, action, notes) in getattr(T, "maint", []):
            if W.t0 <= t < W.t1:
                out.append((t, {"kind": "maintenance", "ts": fmt(t), "terminal_id": T.tid, "action": action, "notes": notes}))
    cid = r.randint(1000, 5000)
    for f in faults:
        ended = f.end < W.t1 - 600
        # checks during/after the fault
        if f.cause == "power.supply" and r.random() < 0.6:
            t = f.start + (f.end - f.start) * r.uniform(0.3, 0.9)
            T = f.terms[0]
            out.append((t, {"kind": "check", "ts": fmt(t), "site_id": f.site.sid, "name": "adapter_voltage",
                            "result": "%.2fV" % (T.nominal_v * (1 - r.uniform(0.06, 0.18)))}))
        if f.cause == "network.lan" and ended and r.random() < 0.7:
            out.append((f.end + 30, {"kind": "check", "ts": fmt(f.end + 30), "site_id": f.site.sid, "name": "router_restarted", "result": "ok"}))
        if f.cause == "transmission.corruption" and ended and r.random() < 0.6:
            out.append((f.end - 60, {"kind": "check", "ts": fmt(f.end - 60), "terminal_id": f.terms[0].tid, "name": "cable_seated", "result": "fail"}))
        if f.cause == "network.signal" and r.random() < 0.4:
            t = f.start + (f.end - f.start) * r.uniform(0.2, 0.8)
            out.append((t, {"kind": "check", "ts": fmt(t), "terminal_id": f.terms[0].tid, "name": "signal_test", "result": "%ddBm" % int(f.p["rssi"])}))
        if f.cause in ("hardware.keypad", "hardware.card_reader", "hardware.printer", "hardware.board", "hardware.display", "power.battery") and ended and r.random() < 0.7:
            act = "part_replaced" if f.cause != "hardware.printer" or f.variant != "paper_out" else "repair"
            note = {"hardware.keypad": "更换键盘膜", "hardware.card_reader": "更换IC卡座", "hardware.printer": "更换打印纸/打印头",
                    "hardware.board": "返厂更换主板", "hardware.display": "更换显示屏", "power.battery": "更换电池"}[f.cause]
            out.append((f.end, {"kind": "maintenance", "ts": fmt(f.end), "terminal_id": f.terms[0].tid, "action": act, "notes": note}))
        # merchant complaint
        if f.cause in COMPLAINT_TXT and f.events >= 3 and r.random() < 0.6:
            f.affected.sort()
            t0, tid, code = f.affected[min(2, len(f.affected) - 1)]
            t = t0 + r.uniform(300, 1800)
            if t < W.t1:
                T = W.tid[tid]
                cid += r.randint(1, 40)
                out.append((t, {"kind": "complaint", "ts": fmt(t), "complaint_id": "C-%d" % cid, "from": "merchant",
                                "merchant_id": T.merchant.mid, "terminal_id": tid,
                                "text": COMPLAINT_TXT[f.cause].format(code=code)}))
        # confirmed resolution for some faults
        if ended and r.random() < 0.4:
            t = f.end + r.uniform(300, 1500)
            if t < W.t1:
                if "terminal_id" in f.scope:
                    tgt = {"terminal_id": f.scope["terminal_id"]}
                elif "site_id" in f.scope:
                    tgt = {"site_id": f.scope["site_id"]}
                else:
                    tgt = None
                if tgt:
                    rec = {"kind": "resolution", "ts": fmt(t)}
                    rec.update(tgt)
                    rec["cause"] = f.cause
                    rec["notes"] = "已确认 / confirmed: %s" % f.variant
                    out.append((t, rec))
    # customer complaints about "charged but failed" after timeouts
    tos = [e for e in S.truth_ev if e[2]["code"] == "timeout"]
    for _ in range(min(3, len(tos))):
        e = r.choice(tos)
        t = e[0] + r.uniform(600, 3600)
        if t < W.t1:
            T = W.tid[e[1]]
            cid += r.randint(1, 40)
            out.append((t, {"kind": "complaint", "ts": fmt(t), "complaint_id": "C-%d" % cid, "from": "customer",
                            "merchant_id": T.merchant.mid, "terminal_id": T.tid, "text": "POS显示交易失败,但是银行卡被扣款了"}))
    return out


# ------------------------------------------------------------------------------ output
def inventory(W):
    out = []
    its = fmt(W.t0 - 3 * 3600)
    for M in W.merchants:
        out.append({"kind": "merchant", "ts": its, "merchant_id": M.mid, "name": M.name, "mcc": M.mcc, "city": M.city,
                    "settlement": M.settlement, "card_rate": M.card_rate, "qr_rate": M.qr_rate})
    for S in W.sites:
        out.append({"kind": "site", "ts": its, "site_id": S.sid, "merchant_id": S.mid, "name": S.name, "city": S.city,
                    "lat": S.lat, "lon": S.lon})
    r = random.Random("gen11:%d:inv" % W.seed)
    for T in W.terms:
        rec = {"kind": "terminal", "ts": its, "terminal_id": T.tid, "serial": T.serial, "vendor": T.vendor,
               "model": T.model, "firmware": T.fw, "app_version": T.app, "merchant_id": T.merchant.mid,
               "site_id": T.site.sid, "network": T.network}
        if T.carrier:
            rec["carrier"] = T.carrier
        rec["host"] = T.host
        rec["cert_not_after"] = fmt_utc_day(T.cert)
        rec["installed"] = fmt_utc_day(T.installed)[:10]
        if r.random() < 0.03 and not T.cert_batch:
            del rec["cert_not_after"]
        out.append(rec)
    return out


def finalize_truth(W, faults, S):
    out = []
    for f in faults:
        if f.cause in ("upstream.issuer",) or (f.cause == "card.decline" and f.variant != "customer_retries_declined_card"):
            tids = sorted(set(a[1] for a in f.affected))
        elif f.cause in ("software.bug",) or (f.cause == "software.incompatible" and f.variant == "new_version_rejected"):
            tids = [T.tid for T in f.terms if f.on.get(T.tid, f.start) < W.t1]
        else:
            tids = [T.tid for T in f.terms]
        start = max(W.t0, min(f.start, W.t1))
        end = max(start, min(f.end, W.t1))
        if f.affected:
            end = max(end, max(a[0] for a in f.affected))
            start = min(start, min(a[0] for a in f.affected))
        rec = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope, "terminals": sorted(tids),
               "start": fmt(start), "end": fmt(end), "variant": f.variant, "failed_events": f.events}
        if getattr(f, "sev", None) is not None:
            rec["severity"] = round(f.sev, 2)
        if getattr(f, "confounder_of", None):
            rec["note"] = "weak-signal terminal inside the site of %s" % f.confounder_of
        out.append(rec)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    W = build_world(a.seed)
    faults = choose_faults(W)
    prepare(W, faults)
    S = Sim(W)
    S.fmap = {f.fid: f for f in faults}
    for T in W.terms:
        sim_terminal(S, W, T)
    for T in W.terms:
        telemetry(S, W, T)
    extra = people(S, W, faults)
    # order: inventory first, then observations by time; a few records arrive late (<= 58 s)
    r = random.Random("gen11:%d:order" % a.seed)
    obs = []
    seq = 0
    for (t, rec) in S.recs + extra:
        seq += 1
        key = t + (r.uniform(1, 58) if r.random() < 0.04 else 0)
        obs.append((key, seq, rec))
    obs.sort(key=lambda x: (x[0], x[1]))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "records.jsonl"), "w", encoding="utf-8") as fh:
        for rec in inventory(W):
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        for (_, _, rec) in obs:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    truth = finalize_truth(W, faults, S)
    tev = sorted(S.truth_ev, key=lambda e: (e[0], e[1], e[2]["code"], e[2].get("stan", "")))
    with open(os.path.join(a.out, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for rec in truth:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        for (_, _, e) in tev:
            fh.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
    n_obs = len(obs)
    print("seed %d: %d terminals, %d records (%d inventory), %d faults, %d truth_events" % (
        a.seed, len(W.terms), n_obs + len(W.merchants) + len(W.sites) + len(W.terms),
        len(W.merchants) + len(W.sites) + len(W.terms), len(faults), len(tev)))


if __name__ == "__main__":
    main()
