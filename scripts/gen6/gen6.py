#!/usr/bin/env python3
"""gen6 -- independent blind test-data generator for posdoc (FORMAT.md v1).

python3 gen6.py --seed N --out DIR   ->  DIR/records.jsonl, DIR/truth.jsonl

Stdlib only. Deterministic per seed: every RNG is seeded from a string.
"""
import argparse, json, math, os, random
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
CST = timezone(timedelta(hours=8))


def R(seed, *parts):
    return random.Random("gen6|%s|%s" % (seed, "|".join(str(p) for p in parts)))


def iso(t, off=False):
    """t: epoch seconds (int/float). Z form, or +08:00 form if off."""
    t = int(round(t))
    if off:
        return datetime.fromtimestamp(t, CST).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_str(t):
    return datetime.fromtimestamp(int(t), CST).strftime("%Y-%m-%d %H:%M:%S")


def local_hour(t):
    d = datetime.fromtimestamp(int(t), CST)
    return d.hour + d.minute / 60.0


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def in_eps(eps, t):
    for a, b in eps:
        if a <= t < b:
            return True
        if a > t:
            break
    return False


def make_eps(rng, start, end, on_min, on_max, off_min, off_max, first_on=True):
    eps, t, on = [], start, first_on
    while t < end:
        if on:
            d = rng.uniform(on_min, on_max)
            eps.append((t, min(end, t + d)))
        else:
            d = rng.uniform(off_min, off_max)
        t += d
        on = not on
    return eps

# ---------------------------------------------------------------- world data

CITIES = {
    # slug: (chinese, area code digits for ids, lat, lon)
    "luoyang": ("洛阳", "3790", 34.62, 112.45),
    "ganzhou": ("赣州", "7970", 25.83, 114.93),
    "mianyang": ("绵阳", "8160", 31.47, 104.68),
    "yichang": ("宜昌", "7170", 30.69, 111.29),
    "zhuzhou": ("株洲", "7330", 27.83, 113.13),
    "jining": ("济宁", "5370", 35.41, 116.59),
    "baoding": ("保定", "3120", 38.87, 115.46),
}
CARRIERS = [("cmcc", 0.55), ("cucc", 0.25), ("ctcc", 0.20)]

# mcc: (label, names, open, close, peak rate per terminal-hour, median fen, sigma, refund p, preauth p)
MCCS = {
    "5812": ("餐馆", ["面馆", "小炒", "火锅", "烧烤", "米粉店", "饺子馆", "川菜馆", "酒楼"], 10.0, 21.5, 14, 9000, 0.7, 0.004, 0.0),
    "5814": ("快餐", ["包子铺", "快餐店", "奶茶店", "早餐店"], 7.0, 21.0, 16, 2500, 0.6, 0.003, 0.0),
    "5411": ("超市", ["便民超市", "生活超市", "购物广场", "惠民超市"], 8.0, 22.0, 22, 6000, 0.9, 0.01, 0.0),
    "5499": ("便利店", ["便利店", "烟酒店", "副食店"], 7.0, 23.0, 12, 2800, 0.8, 0.004, 0.0),
    "5912": ("药店", ["大药房", "药店", "医药连锁"], 8.0, 21.0, 7, 7000, 0.8, 0.01, 0.0),
    "5651": ("服装", ["服饰", "鞋店", "童装店", "女装"], 9.5, 21.5, 4, 32000, 0.6, 0.03, 0.0),
    "5732": ("电器", ["电器行", "手机店", "数码城"], 9.0, 21.0, 3, 160000, 0.9, 0.03, 0.0),
    "7011": ("酒店", ["商务酒店", "宾馆", "快捷酒店"], 0.0, 24.0, 4, 26000, 0.5, 0.02, 0.35),
    "5541": ("加油站", ["加油站"], 0.0, 24.0, 10, 28000, 0.4, 0.002, 0.0),
    "5331": ("杂货", ["五金店", "日杂店", "百货店"], 8.5, 20.5, 6, 3500, 0.8, 0.01, 0.0),
    "7230": ("理发", ["美发", "理发店", "美容院"], 9.5, 21.0, 3, 6000, 0.6, 0.01, 0.0),
}
MCC_W = {"5812": 24, "5814": 12, "5411": 12, "5499": 12, "5912": 8, "5651": 8, "5732": 4,
         "7011": 5, "5541": 3, "5331": 7, "7230": 5}
SURN = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"

# banks: slug -> (bins [(bin, credit?, len)], weight, home city or None)
BANKS = {
    "icbc": ([("622202", False, 19), ("625330", True, 16)], 20, None),
    "ccb": ([("621700", False, 19), ("436742", True, 16)], 18, None),
    "abc": ([("622848", False, 19), ("622836", True, 16)], 18, None),
    "boc": ([("621661", False, 19), ("625907", True, 16)], 10, None),
    "cmb": ([("621483", False, 16), ("622588", True, 16)], 8, None),
    "psbc": ([("621799", False, 19)], 10, None),
    "lyccb": ([("623595", False, 19)], 14, "luoyang"),
    "gzrcu": ([("621561", False, 19)], 14, "ganzhou"),
    "myccb": ([("623168", False, 19)], 14, "mianyang"),
    "hbrcu": ([("621796", False, 19)], 14, "yichang"),
    "hnrcu": ([("623090", False, 19)], 14, "zhuzhou"),
    "sdrcu": ([("623193", False, 19)], 14, "jining"),
    "hebrcu": ([("621021", False, 19)], 14, "baoding"),
}

HOSTS = {  # id: (tls, currency style, label)
    "H1": (True, "CNY", "银联直连"),
    "H2": (True, "CNY", "收单机构B"),
    "H3": (False, "156", "专线前置"),
    "H4": (True, "CNY", "聚合前置"),
}
HOST_W = [("H1", 35), ("H2", 25), ("H3", 25), ("H4", 15)]

ALL_TELE = ["online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
            "reboot", "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check", "clock_skew_s",
            "printer", "keypad_errors", "card_reader_errors", "app_crashes"]

# vendor: models [(model, cls, keys, weight, nominal_v)], hb seconds, sparse skip prob, fields, field drop prob,
# firmware choices [(fw, weight)], offset style for telemetry times
VENDORS = {
    "pax": dict(models=[("A920", "smart", False, 6, 5.0), ("S80", "counter", True, 4, 9.0)],
                hb=300, skip=0.02, drop=0.03, off=False,
                fields=["online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
                        "reboot", "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "key_check", "printer",
                        "keypad_errors", "card_reader_errors", "app_crashes"],
                fw={"smart": [("PayDroid_8.1_3.2.7", 5), ("PayDroid_8.1_3.2.5", 3)],
                    "counter": [("S80_V1.08.12", 6), ("S80_V1.07.03", 2)]}),
    "newland": dict(models=[("N910", "smart", True, 7, 5.0), ("SP630", "counter", True, 3, 12.0)],
                    hb=180, skip=0.03, drop=0.02, off=False,
                    fields=["online", "rssi_dbm", "latency_ms", "supply_v", "battery_pct", "reboot",
                            "storage_used_pct", "memory_used_pct", "key_check", "printer", "card_reader_errors",
                            "app_crashes", "clock_skew_s"],
                    fw={"smart": [("NLOS_2.8.1", 6), ("NLOS_2.7.9", 2)],
                        "counter": [("SP630_4.1.0", 5), ("SP630_4.0.6", 2)]}),
    "landi": dict(models=[("A8", "smart", True, 5, 5.0), ("E550", "counter", True, 4, 9.0)],
                  hb=600, skip=0.05, drop=0.08, off=False,
                  fields=["online", "rssi_dbm", "latency_ms", "packet_loss", "supply_v", "battery_pct", "power_events",
                          "reboot", "storage_used_pct", "cpu_pct", "temp_c", "printer", "keypad_errors"],
                  fw={"smart": [("LandiOS_7.2.3", 5), ("LandiOS_7.1.8", 2)],
                      "counter": [("E550_2.3.1", 5), ("E550_2.2.4", 2)]}),
    "sunmi": dict(models=[("P2", "smart", False, 8, 5.0)],
                  hb=120, skip=0.01, drop=0.02, off=False,
                  fields=["online", "rssi_dbm", "latency_ms", "packet_loss", "battery_pct", "reboot",
                          "storage_used_pct", "memory_used_pct", "cpu_pct", "temp_c", "printer", "app_crashes",
                          "clock_skew_s", "key_check"],
                  fw={"smart": [("SUNMI_OS_3.1.22", 6), ("SUNMI_OS_3.0.17", 3)]}),
    "centerm": dict(models=[("C960", "counter", True, 5, 12.0)],
                    hb=900, skip=0.30, drop=0.15, off=True,
                    fields=["online", "supply_v", "power_events", "reboot", "printer", "key_check"],
                    fw={"counter": [("C960_R5.2", 5), ("C960_R5.0", 3)]}),
    "verifone": dict(models=[("VX520", "counter", True, 4, 12.0)],
                     hb=900, skip=0.25, drop=0.1, off=False,
                     fields=["online", "latency_ms", "reboot", "printer", "keypad_errors", "card_reader_errors"],
                     fw={"counter": [("QT5200_10.2", 5), ("QT5200_10.1", 3)]}),
}
SMART_APPS = [("5.1.2", 6), ("5.1.0", 3), ("4.9.8", 2)]
COUNTER_APPS = [("V2.3.5", 6), ("V2.2.8", 3), ("V2.1.9", 2)]

# ---------------------------------------------------------------- vendor code tables

SYM_STAGE = {
    "conn_fail": "connect", "conn_refused": "connect", "dns_fail": "connect", "link_down": "connect",
    "pdp_fail": "connect", "no_signal": "connect", "modem": "connect",
    "recv_timeout": "receive", "send_fail": "send", "unpack": "receive",
    "tls_srv_expired": "tls", "tls_own_expired": "tls", "tls_proto": "tls", "tls_time": "tls",
    "mac_fail": "mac", "key_missing": "mac",
    "ic_fail": "card_read", "mag_fail": "card_read", "nfc_fail": "card_read", "insert_ic": "card_read",
    "pin_timeout": "pin", "key_stuck": "pin", "pinpad_comm": "pin",
    "paper_out": "print", "printer_fault": "print",
    "app_crash": "app", "oom": "app", "storage_full": "app", "busy": "app", "touch": "app", "oper_pwd": "app",
    "void_ref": "app",
    "lcd": "power_on", "low_batt": "power_on", "power_fail_recover": "power_on", "self_test": "power_on",
    "tamper": "power_on", "low_voltage": "power_on",
}
GROUP = {}
for s in ["conn_fail", "conn_refused", "dns_fail", "link_down", "pdp_fail", "no_signal", "modem"]:
    GROUP[s] = "CONN"
for s in ["recv_timeout", "send_fail", "unpack"]:
    GROUP[s] = "IO"
for s in ["tls_srv_expired", "tls_own_expired", "tls_proto", "tls_time"]:
    GROUP[s] = "TLS"
for s in ["mac_fail", "key_missing"]:
    GROUP[s] = "MAC"
for s in ["ic_fail", "mag_fail", "nfc_fail", "insert_ic"]:
    GROUP[s] = "CARD"
for s in ["pin_timeout", "key_stuck", "pinpad_comm"]:
    GROUP[s] = "PIN"
for s in ["paper_out", "printer_fault"]:
    GROUP[s] = "PRN"
for s in ["app_crash", "oom", "storage_full", "busy", "touch"]:
    GROUP[s] = "APP"
for s in ["oper_pwd", "void_ref"]:
    GROUP[s] = "OPER"
for s in ["lcd", "low_batt", "power_fail_recover", "self_test", "tamper", "low_voltage"]:
    GROUP[s] = "DEV"

VCODE = {
    "pax": {"CONN": "E1", "IO": "E2", "TLS": "E3", "MAC": "E4", "CARD": "E5", "PIN": "E6", "PRN": "E7",
            "APP": "E8", "DEV": "E9", "OPER": "E0"},
    "newland": {"TLS": "E1", "MAC": "E1", "tamper": "E1", "CONN": "E2", "IO": "E2", "CARD": "E3", "PRN": "E4",
                "DEV": "E5", "APP": "E5", "PIN": "E6", "OPER": "E7"},
    "landi": {"conn_fail": "ERR-03", "conn_refused": "ERR-04", "dns_fail": "ERR-05", "link_down": "ERR-02",
              "pdp_fail": "ERR-06", "no_signal": "ERR-06", "modem": "ERR-07", "recv_timeout": "ERR-10",
              "send_fail": "ERR-09", "unpack": "ERR-11", "tls_srv_expired": "ERR-20", "tls_own_expired": "ERR-20",
              "tls_proto": "ERR-20", "tls_time": "ERR-21", "mac_fail": "ERR-30", "key_missing": "ERR-31",
              "ic_fail": "ERR-40", "mag_fail": "ERR-41", "nfc_fail": "ERR-42", "insert_ic": "ERR-43",
              "pin_timeout": "ERR-50", "key_stuck": "ERR-51", "pinpad_comm": "ERR-52", "paper_out": "ERR-60",
              "printer_fault": "ERR-61", "app_crash": "ERR-70", "oom": "ERR-71", "storage_full": "ERR-72",
              "busy": "ERR-73", "touch": "ERR-74", "oper_pwd": "ERR-80", "void_ref": "ERR-81", "lcd": "ERR-90",
              "low_batt": "ERR-91", "power_fail_recover": "ERR-92", "self_test": "ERR-93", "tamper": "ERR-94",
              "low_voltage": "ERR-95"},
    "sunmi": {"DEV": "E1", "APP": "E1", "CONN": "N01", "IO": "N02", "TLS": "S01", "MAC": "S02", "CARD": "C01",
              "PIN": "K01", "PRN": "P01", "OPER": "U01"},
    "centerm": {"CONN": "E1", "IO": "E1", "TLS": "E1", "MAC": "E1", "CARD": "E2", "PRN": "E3", "DEV": "E4",
                "APP": "E4", "PIN": "E5", "OPER": "E6"},
    "verifone": {"conn_fail": "NO LINE", "link_down": "NO LINE", "no_signal": "NO LINE", "pdp_fail": "NO LINE",
                 "modem": "NO LINE", "conn_refused": "COMM ERR", "dns_fail": "COMM ERR", "IO": "COMM ERR",
                 "TLS": "SSL ERR", "MAC": "MAC ERR", "CARD": "CARD ERR", "PIN": "PIN ERR",
                 "paper_out": "PAPER OUT", "printer_fault": "PRN ERR", "APP": "SYS ERR", "DEV": "SYS ERR",
                 "OPER": "CANCELLED"},
}

DETAIL = {
    "conn_fail": ["connect {ip}:{port} fail errno=110 连接超时", "TCP连接失败 timeout 15s host={ip}",
                  "socket connect() -1 ETIMEDOUT"],
    "conn_refused": ["connect {ip}:{port} fail errno=111 ECONNREFUSED", "连接被拒绝 Connection refused {ip}",
                     "TCP RST received from {ip}:{port}"],
    "dns_fail": ["getaddrinfo({dn}) failed: EAI_NONAME 域名解析失败", "DNS resolve {dn} fail"],
    "link_down": ["eth0 link down, no carrier 网线未连接", "网络未连接 NET_UNREACHABLE", "dhcp: no lease, ip=0.0.0.0"],
    "pdp_fail": ["AT+CGACT=1,1 ERROR PDP激活失败 CSQ={csq}", "PPP拨号失败 LCP timeout, CSQ={csq}",
                 "data call setup failed cause=0x21 CSQ={csq}"],
    "no_signal": ["无线信号弱 CSQ={csq} rssi={rssi}dBm 无法建立连接", "signal too weak rssi={rssi} registration lost",
                  "GPRS detached, CSQ={csq}"],
    "modem": ["AT command timeout 模块无响应 CSQ=99", "modem not ready, AT+CPIN? no response", "无线模块初始化失败 CSQ=99"],
    "recv_timeout": ["接收超时 recv timeout {to}s stan={stan}", "等待主机应答超时 STAN={stan}", "read() timeout, 0 bytes rcvd"],
    "send_fail": ["发送失败 send() errno=32 EPIPE", "报文发送失败 broken pipe"],
    "unpack": ["解包失败 unpack error: field 39 len mismatch", "报文格式错 bitmap invalid, rcv len={n}",
               "response MAC absent / 报文不完整 len={n}"],
    "tls_srv_expired": ["SSL handshake fail: certificate has expired (X509_V_ERR 10) peer={ip}",
                        "服务器证书已过期 verify error:num=10", "ssl3_get_server_certificate:certificate verify failed"],
    "tls_own_expired": ["SSL alert 45 certificate_expired from peer 终端证书过期",
                        "client cert rejected: sslv3 alert certificate expired notAfter={na}"],
    "tls_proto": ["SSL routines:ssl3_read_bytes:tlsv1 alert protocol version", "握手失败 unsupported protocol TLSv1.0",
                  "SSL handshake fail alert 70 (protocol_version)"],
    "tls_time": ["certificate is not yet valid (X509_V_ERR 9) 系统时间={lt2}", "证书校验失败 时间错误 clock={lt2}"],
    "mac_fail": ["MAC校验错 resp MAC mismatch stan={stan}", "MAC error: calc={hx} recv={hx2}", "应答MAC验证失败"],
    "key_missing": ["工作密钥不存在 请重新签到", "PIK/MAK not loaded, slot {slot} empty", "密钥校验值错误 KCV mismatch, 请下载密钥"],
    "ic_fail": ["IC卡上电失败 ATR timeout", "ICC power on fail SW=6F00", "读IC卡失败 请重新插卡 ret=-1012"],
    "mag_fail": ["磁条读取失败 track2 LRC error", "MSR read error, no track data"],
    "nfc_fail": ["非接读卡失败 RF timeout", "PICC detect fail, collision / 请重新挥卡", "NFC antenna error ret=-2101"],
    "insert_ic": ["该卡为IC卡 请插卡 service code 2xx", "Chip card: please insert, fallback not allowed"],
    "pin_timeout": ["密码输入超时 PIN entry timeout 60s", "PED input timeout"],
    "key_stuck": ["按键无响应 key scan abnormal code=0x{hx}", "keypad matrix error, key[{k}] held", "键盘扫描异常"],
    "pinpad_comm": ["密码键盘通讯失败 COM2 no response", "PINPAD link error, checksum err"],
    "paper_out": ["打印机缺纸 printer out of paper", "PRN: paper end detected 请装纸"],
    "printer_fault": ["打印机故障 head overheat", "printer cutter jam 切刀故障", "PRN error 0x{hx} 打印失败"],
    "app_crash": ["FATAL EXCEPTION: main java.lang.NullPointerException at com.ylpay.emv.EmvFlow.onCardRead",
                  "应用异常退出 Process com.ylpay.pos died, signal 11", "ANR in com.ylpay.pos (input dispatching timed out)"],
    "oom": ["java.lang.OutOfMemoryError: Failed to allocate 2097168 bytes", "lowmemorykiller: kill com.ylpay.pos adj 0",
            "内存不足 应用被系统结束"],
    "storage_full": ["写流水失败 No space left on device (ENOSPC)", "SQLiteFullException: database or disk is full",
                     "存储空间不足 交易记录无法保存"],
    "busy": ["系统繁忙 处理超时 card wait 30s", "EMV处理超时 processing too slow", "CPU load high, task watchdog warn"],
    "touch": ["触摸屏无响应 tp i2c error", "touch panel ctrl reset"],
    "oper_pwd": ["操作员密码错误 op={op}", "主管密码错误"],
    "void_ref": ["原交易不存在 凭证号={vn}", "撤销失败 原凭证号错"],
    "lcd": ["LCD init fail 显示屏初始化失败", "屏幕驱动异常 backlight off"],
    "low_batt": ["电池电量低 请充电 batt={b}%", "battery low, shutdown", "电量不足自动关机 batt={b}%"],
    "power_fail_recover": ["掉电恢复 上笔交易未完成 STAN={stan}", "power fail during txn, reversal pending"],
    "self_test": ["自检失败 SAM卡座异常", "self test fail: SE chip no response", "开机自检错误 RTC/传感器异常 code={hx}"],
    "tamper": ["触发防拆 安全攻击 设备锁定", "SP tamper detected, keys erased", "tamper status=0x{hx} 请联系厂商"],
    "low_voltage": ["供电电压低 input={v}V", "low voltage detected vin={v}V 请检查电源"],
}
VPREFIX = {
    "pax": "{lt} [{grp}] ", "newland": "NL|{lt}|", "landi": "<{lt}> ", "sunmi": "E/PayService: ",
    "centerm": "[{lt}] ", "verifone": "VX:{lt} ",
}

FAULT_CAUSES = [
    "hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board",
    "power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
    "software.incompatible", "software.config", "transmission.corruption", "security.keys",
    "security.certificate", "resource.storage", "resource.memory", "resource.cpu", "operator.error",
    "business.txn_type", "business.limit", "business.risk", "business.merchant", "upstream.acquirer",
    "upstream.issuer"]
ALL_CAUSES = FAULT_CAUSES + ["card.decline"]
CORE = ["power.supply", "power.battery", "network.signal", "network.lan", "network.carrier", "software.bug",
        "software.config", "security.keys", "security.certificate", "resource.storage", "resource.memory",
        "hardware.keypad", "hardware.card_reader", "hardware.printer", "operator.error", "business.limit",
        "business.merchant", "upstream.acquirer"]
RARE = ["business.txn_type", "software.incompatible", "upstream.issuer", "resource.cpu", "hardware.board",
        "hardware.display", "transmission.corruption", "business.risk"]
EXTRA = ["hardware.printer", "network.signal", "network.lan", "hardware.card_reader", "power.battery",
         "operator.error", "power.supply", "security.keys"]


def wchoice(rng, items):
    tot = sum(w for _, w in items)
    x = rng.random() * tot
    for v, w in items:
        x -= w
        if x < 0:
            return v
    return items[-1][0]


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)

# ---------------------------------------------------------------- world


def build_world(seed):
    rng = R(seed, "world")
    day = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(days=seed * 3)
    start_local = [8, 12, 15][seed % 3]
    T0 = int((day + timedelta(hours=start_local - 8)).timestamp())
    T1 = T0 + 6 * 3600
    cities = sorted(rng.sample(sorted(CITIES), 5))
    W = Obj(seed=seed, T0=T0, T1=T1, cities=cities, merchants=[], sites=[], terms=[], tmap={}, smap={}, mmap={})
    mcc_items = sorted(MCC_W.items())
    mi = 0
    tcount = 0
    while tcount < 300:
        mi += 1
        city = cities[(mi * 7 + rng.randrange(5)) % 5] if rng.random() < 0.5 else rng.choice(cities)
        mcc = wchoice(rng, mcc_items)
        label, names, op, cl, peak, med, sig, refp, prep = MCCS[mcc]
        cc = CITIES[city]
        mid = "898" + cc[1] + mcc + "%04d" % (mi * 37 % 10000)
        name = rng.choice(SURN) + ("记" if rng.random() < 0.4 else "家") + rng.choice(names)
        if op > 0:
            op = op + rng.choice([-0.5, 0, 0, 0.5])
            cl = min(24.0, cl + rng.choice([-1, -0.5, 0, 0, 0.5, 1]))
        direct = rng.random() < 0.8
        m = Obj(mid=mid, mcc=mcc, name=name, city=city, open=op, close=cl, peak=peak * rng.uniform(0.5, 1.5),
                med=med, sig=sig, refp=refp, prep=prep, sites=[], card_rate=rng.choice([0.0055, 0.006, 0.006]),
                qr_rate=0.0038, direct=direct, txn_mcc=mcc)
        W.merchants.append(m)
        W.mmap[mid] = m
        nsites = 1 if rng.random() < 0.85 else rng.choice([2, 2, 3])
        for si in range(nsites):
            sid = "%s-%03d-%d" % (city[:2].upper(), mi, si + 1)
            s = Obj(sid=sid, mid=mid, city=city, name="%s %s店" % (name, rng.choice(["中心", "东门", "人民路", "解放路", "新区", "站前"])),
                    lat=round(cc[2] + rng.uniform(-0.08, 0.08), 4), lon=round(cc[3] + rng.uniform(-0.08, 0.08), 4),
                    terms=[])
            m.sites.append(s)
            W.sites.append(s)
            W.smap[sid] = s
            nt = {"5411": [2, 3, 3, 4], "5812": [1, 2, 2, 3], "7011": [1, 2], "5541": [2, 3]}.get(mcc, [1, 1, 1, 2])
            nt = rng.choice(nt)
            has_router = True
            for ti in range(nt):
                tcount += 1
                vend = wchoice(rng, [("pax", 22), ("newland", 20), ("landi", 16), ("sunmi", 18), ("centerm", 12), ("verifone", 8)])
                V = VENDORS[vend]
                model, cls, keys, _, nomv = wchoice(rng, [(x, x[3]) for x in V["models"]])
                tid = cc[1][:2] + "%06d" % (tcount * 13 + mi)
                if cls == "smart":
                    network = "cellular" if rng.random() < 0.62 else "wifi"
                    backup = None
                else:
                    network = "ethernet"
                    backup = rng.choice([None, None, "dial", "4g"])
                carrier = wchoice(rng, CARRIERS) if (network == "cellular" or backup == "4g") else None
                fw = wchoice(rng, V["fw"][cls])
                app = wchoice(rng, SMART_APPS if cls == "smart" else COUNTER_APPS)
                host = wchoice(rng, HOST_W)
                if rng.random() < 0.6 and s.terms:
                    host = W.tmap[s.terms[0]].host  # same acquirer within a shop mostly
                tls = HOSTS[host][0]
                inst = T0 - rng.randint(60, 1400) * 86400
                cert_na = inst + rng.choice([2, 3, 5]) * 365 * 86400 if tls else None
                if cert_na is not None and cert_na < T1 + 3 * 86400:
                    cert_na = T1 + rng.randint(30, 400) * 86400
                weak = network == "cellular" and rng.random() < 0.12
                if network == "cellular":
                    rssi0 = rng.uniform(-101, -93) if weak else rng.uniform(-88, -62)
                    lat0 = rng.uniform(110, 260) + (180 if weak else 0)
                elif network == "wifi":
                    rssi0 = rng.uniform(-72, -45)
                    lat0 = rng.uniform(35, 90)
                else:
                    rssi0 = None
                    lat0 = rng.uniform(18, 55)
                t = Obj(tid=tid, vendor=vend, model=model, cls=cls, keys=keys, nomv=nomv,
                        serial=("%s%08d" % (model[:2].upper(), rng.randrange(10 ** 8))), fw=fw, app=app, mid=mid, sid=sid,
                        city=city, network=network, backup=backup, carrier=carrier, host=host, tls=tls,
                        cert_na=cert_na, installed=inst, weak=weak, rssi0=rssi0, lat0=lat0,
                        hb=V["hb"], fields=V["fields"], skip=V["skip"], drop=V["drop"], off=V["off"],
                        strict=(vend != "centerm" and not (vend == "verifone")),
                        docked=(cls == "smart" and rng.random() < 0.45), batt0=rng.uniform(35, 100),
                        stor0=rng.uniform(25, 78), mem0=rng.uniform(38, 66), cpu0=rng.uniform(4, 22),
                        temp0=rng.uniform(29, 40), rate_share=1.0, stan=rng.randint(1, 900000),
                        merchant=m, site=s)
                t.rate_share = 1.0 if ti == 0 else rng.uniform(0.3, 0.9)
                if cls == "counter" and rng.random() < 0.25 and vend in ("pax", "newland"):
                    t.pinpad = True
                else:
                    t.pinpad = False
                s.terms.append(tid)
                W.terms.append(t)
                W.tmap[tid] = t
    # one merchant whose transactions carry a different MCC (code jumping, harmless noise)
    jm = rng.choice([m for m in W.merchants if m.mcc in ("5812", "5411")])
    jm.txn_mcc = "5311"
    # a harmless firmware rollout (confounder: updates that break nothing)
    bv = rng.choice(["sunmi", "landi", "pax"])
    newfw = {"sunmi": "SUNMI_OS_3.1.23", "landi": "LandiOS_7.2.4", "pax": "PayDroid_8.1_3.2.8"}[bv]
    pool = [t for t in W.terms if t.vendor == bv and t.cls == "smart"]
    W.benign = {}
    for t in sorted(rng.sample(pool, min(len(pool), rng.randint(6, 14))), key=lambda x: x.tid):
        W.benign[t.tid] = (T0 + rng.randint(20, 330) * 60, newfw)
    return W

# ---------------------------------------------------------------- faults


class Fault:
    def __init__(self, fid, cause, variant, scope, terms, start, end, onset, sev, **kw):
        self.fid, self.cause, self.variant, self.scope = fid, cause, variant, scope
        self.terms = sorted(terms)
        self.start, self.end, self.onset, self.sev = start, end, onset, sev
        self.eps = None  # intermittent episodes (shared)
        self.term_eps = {}  # per terminal off-episodes for power
        self.tstart = {}  # per-terminal start (rollouts)
        self.tend = {}
        self.note = ""
        self.fix = None
        self.__dict__.update(kw)

    def level(self, tid, t):
        s = self.tstart.get(tid, self.start)
        e = self.tend.get(tid, self.end)
        if t < s or t >= e:
            return 0.0
        if self.onset == "gradual":
            ramp = getattr(self, "ramp", 3600)
            x = min(1.0, 0.15 + 0.85 * (t - s) / ramp)
            return x * self.sev
        if self.onset == "intermittent" and self.eps is not None:
            return self.sev if in_eps(self.eps, t) else 0.0
        return self.sev


def pick_window(rng, W, kind):
    T0, T1 = W.T0, W.T1
    if kind == "long":  # hardware-ish: usually present from before the window
        if rng.random() < 0.5:
            s = T0 - rng.randint(1, 30) * 3600
            e = T1 + 3600 if rng.random() < 0.6 else T0 + rng.randint(180, 320) * 60
        else:
            s = T0 + rng.randint(0, 240) * 60
            e = T1 + 3600 if rng.random() < 0.6 else s + rng.randint(90, 300) * 60
        return s, e
    if kind == "outage":
        s = T0 + rng.randint(20, 300) * 60
        return s, s + rng.randint(15, 70) * 60
    if kind == "mid":
        s = T0 + rng.randint(10, 260) * 60
        return s, s + rng.randint(40, 180) * 60
    s = T0 + rng.randint(0, 200) * 60
    return s, s + rng.randint(90, 360) * 60


def open_interval(m, W):
    if m.open <= 0 and m.close >= 24:
        return W.T0, W.T1
    h0 = local_hour(W.T0)
    a = W.T0 + (m.open - h0) * 3600
    b = W.T0 + (m.close - h0) * 3600
    return max(W.T0, a), min(W.T1, b)


def align(r, f, m, W):
    """make sure a local fault overlaps the shop's trading hours (a fault nobody trades through is invisible)"""
    a, b = open_interval(m, W)
    if b - a < 1800:
        return
    ov = min(f.end, b) - max(f.start, a)
    need = min(2400, (f.end - f.start) * 0.6)
    if ov >= need:
        return
    dur = f.end - f.start
    shift = None
    if f.start < a - 3600 * 3 and f.end < a:  # was present before the window: extend it
        f.end = a + r.randint(60, 240) * 60
        return
    lo, hi = a - min(dur * 0.3, 3600), max(a, b - max(1800, min(dur, b - a) * 0.7))
    ns = r.uniform(lo, hi)
    shift = ns - f.start
    f.start += shift
    f.end += shift
    if f.eps:
        f.eps = [(x + shift, y + shift) for x, y in f.eps]
    for k in list(f.term_eps):
        f.term_eps[k] = [(x + shift, y + shift) for x, y in f.term_eps[k]]
    for k in list(f.tstart):
        f.tstart[k] += shift
    for k in list(f.tend):
        f.tend[k] += shift
    if f.cause == "security.certificate" and f.variant == "own_cert":
        W.tmap[f.terms[0]].cert_na = f.start
    if f.cause == "power.battery" or (f.cause == "hardware.board" and f.variant == "reboots") or \
            (f.cause == "power.supply" and f.variant == "adapter"):
        for k in list(f.term_eps):
            f.term_eps[k] = [(x, y) for x, y in f.term_eps[k] if x >= W.T0 and x < W.T1]


def make_faults(W):
    seed = W.seed
    rng = R(seed, "faults")
    causes = list(CORE)
    for i, c in enumerate(RARE):
        if (i + seed) % 2 == 0:
            causes.append(c)
    others = [c for c in RARE if c not in causes]
    causes.append(rng.choice(others))
    for c in rng.sample(EXTRA, 3):
        causes.append(c)
    SH = ["business.merchant", "software.incompatible", "upstream.acquirer", "upstream.issuer", "network.carrier",
          "software.bug", "network.lan", "power.supply", "security.certificate", "security.keys", "business.txn_type",
          "business.limit", "business.risk"]
    causes.sort(key=lambda c: SH.index(c) if c in SH else 99)
    used_single = set()
    blocked = set()
    used_merch = set()
    faults = []
    T0, T1 = W.T0, W.T1
    terms = W.terms
    smart = [t for t in terms if t.cls == "smart"]
    counters = [t for t in terms if t.cls == "counter"]

    def free(lst):
        c = [t for t in lst if t.tid not in used_single and t.tid not in blocked]
        return c if c else lst

    def busy_merchants(pred=lambda m: True):
        ms = [m for m in W.merchants if pred(m) and m.open < local_hour(T0) + 3 and m.close > local_hour(T0) + 2
              and m.mid not in used_merch]
        return ms or [m for m in W.merchants if pred(m)]

    def tweight(t):
        m = t.merchant
        hrs = sum(1 for k in range(12) if m.open <= local_hour(T0 + k * 1800) < m.close)
        return m.peak * t.rate_share * (hrs + 0.2)

    def busy_pick(r, lst):
        # prefer terminals that actually trade in the window (faults nobody notices are rare in reports)
        return wchoice(r, [(t, tweight(t) ** 2) for t in lst])

    def busy_site(r, sites):
        return wchoice(r, [(s, sum(tweight(W.tmap[x]) for x in s.terms)) for s in sites])

    shared_sites = []
    overlaps = [0]
    for n, cause in enumerate(causes):
        fid = "F%d-%02d" % (seed, n + 1)
        r = R(seed, "fault", n, cause)
        f = None
        if cause == "power.supply":
            if r.random() < 0.6:
                sites = [s for s in W.sites if len(s.terms) >= 2 and any(W.tmap[x].cls == "counter" for x in s.terms)
                         and s.sid not in shared_sites]
                s = busy_site(r, sites)
                st, en = pick_window(r, W, "mid")
                st = max(st, T0 + 900)
                f = Fault(fid, cause, "site_mains", {"site_id": s.sid}, s.terms, st, en, "intermittent", 1.0)
                f.eps = make_eps(r, st, en, 8, 150, 240, 1500, first_on=True)
                for tid in s.terms:
                    T = W.tmap[tid]
                    if T.cls == "counter" or not T.docked:
                        pass
                    if T.cls == "counter":
                        f.term_eps[tid] = [(a, b + r.uniform(35, 90)) for a, b in f.eps]
                f.note = "shop mains unstable (voltage sags/outages); countertops reboot, docked smart POS count power events"
                shared_sites.append(s.sid)
            else:
                T = busy_pick(r, free(counters))
                st, en = pick_window(r, W, "long")
                f = Fault(fid, cause, "adapter", {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", r.uniform(0.6, 1.0))
                f.vfac = r.uniform(0.78, 0.88)
                f.term_eps[T.tid] = [(a, b) for a, b in make_eps(r, max(st, T0), min(en, T1), 40, 90, 900, 3600, False)]
                f.note = "power adapter output low; terminal browns out under load (print, IC power-up)"
        elif cause == "power.battery":
            T = busy_pick(r, free([t for t in smart if not t.docked]))
            st, en = pick_window(r, W, "long")
            f = Fault(fid, cause, "worn", {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", 1.0)
            # dies repeatedly: cycles of discharge then 5-25 min dead until merchant charges it
            eps, t = [], max(st, T0) + r.randint(10, 60) * 60
            while t < min(en, T1):
                d = r.randint(5, 25) * 60
                eps.append((t, t + d))
                t += d + r.randint(35, 90) * 60
            f.term_eps[T.tid] = eps
            f.health = r.randint(28, 48)
            f.note = "battery worn (health %d%%), reported level collapses and the terminal shuts down" % f.health
        elif cause == "network.signal":
            T = busy_pick(r, free([t for t in smart if t.network in ("cellular", "wifi")]))
            st, en = pick_window(r, W, "long")
            onset = r.choice(["abrupt", "intermittent", "gradual"])
            f = Fault(fid, cause, "weak_" + T.network, {"terminal_id": T.tid}, [T.tid], st, en, onset, r.uniform(0.6, 1.0))
            f.eps = make_eps(r, st, en, 300, 2400, 300, 1800)
            f.depth = r.uniform(14, 24)
            f.note = "terminal placed where %s signal is weak/unstable" % ("cellular" if T.network == "cellular" else "Wi-Fi")
        elif cause == "network.lan":
            sites = [s for s in W.sites if sum(1 for x in s.terms if W.tmap[x].network != "cellular") >= 2
                     and s.sid not in shared_sites]
            if not sites:
                sites = [s for s in W.sites if any(W.tmap[x].network != "cellular" for x in s.terms)]
            s = busy_site(r, sites)
            var = r.choice(["router_down", "router_flaky", "router_flaky", "ap_fail"])
            if var == "router_down":
                sites2 = [x for x in sites if any(W.tmap[y].network != "cellular" and not W.tmap[y].backup for y in x.terms)]
                if sites2:
                    s = busy_site(r, sites2)
            aff = [x for x in s.terms if W.tmap[x].network != "cellular" and (var != "ap_fail" or W.tmap[x].network == "wifi")]
            if not aff:
                var = "router_down"
                aff = [x for x in s.terms if W.tmap[x].network != "cellular"]
            st, en = pick_window(r, W, "outage" if var == "router_down" else "mid")
            f = Fault(fid, cause, var, {"site_id": s.sid}, aff, st, en,
                      "intermittent" if var == "router_flaky" else "abrupt", r.uniform(0.6, 1.0))
            if var == "router_flaky":
                f.eps = make_eps(r, st, en, 120, 900, 60, 600)
            f.note = {"router_down": "site router hung", "router_flaky": "site router/cabling unstable, heavy packet loss",
                      "ap_fail": "site Wi-Fi access point failed"}[var]
            shared_sites.append(s.sid)
        elif cause == "network.carrier":
            groups = {}
            for t in terms:
                if t.network == "cellular":
                    groups.setdefault((t.carrier, t.city), []).append(t.tid)
            cands = sorted(k for k, v in groups.items() if len(v) >= 5)
            key = r.choice(cands)
            var = r.choice(["data_down", "congested"])
            st, en = pick_window(r, W, "outage" if var == "data_down" else "mid")
            f = Fault(fid, cause, var, {"carrier": key[0], "city": key[1]}, groups[key], st, en, "abrupt", r.uniform(0.7, 1.0))
            f.note = "%s mobile data %s in %s" % (key[0], "outage" if var == "data_down" else "congestion", key[1])
        elif cause == "software.bug":
            if r.random() < 0.65:
                newv = "5.2.0" if r.random() < 0.5 else "5.1.3"
                pool = [t for t in smart if t.app in ("5.1.2", "5.1.0")]
                n_upd = min(len(pool), r.randint(12, 26))
                upd = r.sample(pool, n_upd)
                st = T0 + r.randint(0, 150) * 60
                en = st + r.randint(150, 330) * 60
                f = Fault(fid, cause, "app_crash", {"app_version": newv}, [t.tid for t in upd], st, en, "abrupt", r.uniform(0.5, 0.9))
                f.newv = newv
                f.chan = r.choice(["nfc", "card_ic", "any"])
                for i, t in enumerate(sorted(upd, key=lambda x: x.tid)):
                    f.tstart[t.tid] = st + r.randint(0, 120 * 60)
                f.note = "payment app %s crashes in the card flow (%s); rolled out over 2 h" % (newv, f.chan)
            else:
                vend = r.choice(["pax", "newland", "landi"])
                newfw = {"pax": "S80_V1.09.01", "newland": "SP630_4.2.0", "landi": "E550_2.4.0"}[vend]
                pool = [t for t in counters if t.vendor == vend]
                upd = r.sample(pool, min(len(pool), r.randint(6, 14)))
                st = T0 + r.randint(0, 150) * 60
                en = st + r.randint(150, 330) * 60
                f = Fault(fid, cause, "socket_leak", {"firmware": newfw}, [t.tid for t in upd], st, en, "abrupt", r.uniform(0.4, 0.8))
                f.newfw = newfw
                for t in sorted(upd, key=lambda x: x.tid):
                    f.tstart[t.tid] = st + r.randint(0, 90 * 60)
                f.note = "countertop firmware %s leaks sockets: connects fail until watchdog reboot" % newfw
        elif cause == "software.incompatible":
            opts = []
            for h in sorted(HOSTS):
                for v in ["4.9.8", "V2.1.9"]:
                    g = [t.tid for t in terms if t.host == h and t.app == v]
                    if len(g) >= 3:
                        opts.append((h, v, g))
            h, v, g = r.choice(opts)
            var = "tls_old" if (HOSTS[h][0] and r.random() < 0.6) else "msg_spec"
            st = T0 + r.randint(10, 200) * 60
            f = Fault(fid, cause, var, {"host": h, "app_version": v}, g, st, T1 + 7200, "abrupt", 1.0)
            f.note = "host %s stopped accepting app %s (%s)" % (h, v, "TLS1.0 disabled" if var == "tls_old" else "old message spec")
            # some of them get upgraded during the window
            for tid in sorted(g):
                if r.random() < 0.3:
                    f.tend[tid] = st + r.randint(40, 200) * 60
        elif cause == "software.config":
            T = busy_pick(r, free(terms))
            var = r.choice(["host_ip", "mid", "keyidx"])
            st, en = pick_window(r, W, "long")
            if r.random() < 0.6:
                st = T0 + r.randint(0, 200) * 60
                en = max(en, st + r.randint(60, 240) * 60)
            f = Fault(fid, cause, var, {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", 1.0)
            f.note = {"host_ip": "wrong host address pushed in parameters", "mid": "terminal parameters carry wrong MID",
                      "keyidx": "wrong master-key index in parameters"}[var]
        elif cause == "transmission.corruption":
            T = busy_pick(r, free([t for t in counters if t.pinpad] or counters))
            st, en = pick_window(r, W, "long")
            f = Fault(fid, cause, "pinpad_cable" if T.pinpad else "eth_cable", {"terminal_id": T.tid}, [T.tid], st, en,
                      "intermittent", r.uniform(0.5, 1.0))
            f.eps = make_eps(r, st, en, 300, 1500, 300, 1800)
            f.note = "damaged/loose data cable corrupts messages"
        elif cause == "security.keys":
            if r.random() < 0.3:
                ms = [m for m in busy_merchants() if sum(len(s.terms) for s in m.sites) >= 2]
                m = r.choice(ms)
                tids = [x for s in m.sites for x in s.terms]
                st = T0 + r.randint(0, 200) * 60
                f = Fault(fid, cause, "desync", {"merchant_id": m.mid}, tids, st, st + r.randint(60, 240) * 60, "abrupt", 1.0)
                f.note = "merchant's terminals re-keyed with wrong TMK batch; MAC keys out of sync"
            else:
                T = busy_pick(r, free(terms))
                var = r.choice(["desync", "missing"])
                st, en = pick_window(r, W, "mid")
                f = Fault(fid, cause, var, {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", 1.0)
                f.note = "working keys %s" % ("out of sync with host" if var == "desync" else "lost after service")
        elif cause == "security.certificate":
            var = r.choice(["host_cert", "own_cert", "clock"])
            if var == "host_cert":
                h = r.choice([x for x in sorted(HOSTS) if HOSTS[x][0]])
                tids = [t.tid for t in terms if t.host == h and t.strict]
                st, en = pick_window(r, W, "mid")
                f = Fault(fid, cause, var, {"host": h}, tids, st, en, "abrupt", 1.0)
                f.note = "host %s server certificate expired (lenient terminals unaffected)" % h
            elif var == "own_cert":
                T = busy_pick(r, free([t for t in terms if t.tls]))
                st = T0 + r.randint(20, 240) * 60
                T.cert_na = st
                f = Fault(fid, cause, var, {"terminal_id": T.tid}, [T.tid], st, T1 + 86400, "abrupt", 1.0)
                f.note = "terminal's client certificate expired"
            else:
                T = busy_pick(r, free([t for t in terms if t.tls and "clock_skew_s" in t.fields]))
                st, en = pick_window(r, W, "long")
                f = Fault(fid, cause, var, {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", 1.0)
                f.skew = -r.choice([1, 2, 3]) * 366 * 86400 - r.randint(0, 86400)
                f.note = "RTC lost time; certificates judged not yet valid"
        elif cause == "resource.storage":
            T = busy_pick(r, free([t for t in smart if "storage_used_pct" in t.fields]))
            st, en = pick_window(r, W, "long")
            f = Fault(fid, cause, "full", {"terminal_id": T.tid}, [T.tid], st, en, "gradual", 1.0)
            f.ramp = r.randint(60, 200) * 60
            f.note = "storage filled by un-rotated logs/journal"
        elif cause == "resource.memory":
            T = busy_pick(r, free([t for t in smart if "memory_used_pct" in t.fields] or smart))
            st, en = pick_window(r, W, "long")
            f = Fault(fid, cause, "leak", {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", 1.0)
            f.leak = r.uniform(0.22, 0.5)  # % per minute
            f.note = "memory leak in a background app; OOM crashes then restart"
        elif cause == "resource.cpu":
            T = busy_pick(r, free(smart))
            st, en = pick_window(r, W, "long")
            f = Fault(fid, cause, "overload", {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", r.uniform(0.6, 1.0))
            f.note = "third-party app keeps CPU saturated; EMV and message processing too slow"
        elif cause == "operator.error":
            T = busy_pick(r, free([t for t in terms if t.merchant.open < local_hour(T0) + 2]))
            st = T0 + r.randint(0, 180) * 60
            en = st + r.randint(120, 300) * 60
            f = Fault(fid, cause, "new_cashier", {"terminal_id": T.tid}, [T.tid], st, en, "abrupt", r.uniform(0.6, 1.0))
            f.note = "new cashier: swipes chip cards, wrong supervisor password, voids with wrong voucher number"
        elif cause == "business.txn_type":
            var = r.choice(["preauth_disabled", "refund_disabled", "credit_blocked"])
            if var == "preauth_disabled":
                ms = busy_merchants(lambda m: m.mcc == "7011")
            else:
                ms = busy_merchants()
            m = r.choice(ms)
            st = T0 + r.randint(0, 200) * 60
            f = Fault(fid, cause, var, {"merchant_id": m.mid}, [x for s in m.sites for x in s.terms], st, T1 + 86400, "abrupt", 1.0)
            f.note = {"preauth_disabled": "preauthorisation not enabled after merchant re-registration",
                      "refund_disabled": "refund function switched off for the merchant",
                      "credit_blocked": "credit cards not permitted for this merchant"}[var]
        elif cause == "business.limit":
            m = r.choice(busy_merchants(lambda m: m.mcc not in ("5814", "5499")))
            var = r.choice(["single", "single", "daily_count"])
            st = T0 + r.randint(0, 240) * 60
            f = Fault(fid, cause, var, {"merchant_id": m.mid}, [x for s in m.sites for x in s.terms], st, T1 + 86400, "abrupt", 1.0)
            f.limit = int(m.med * r.uniform(0.8, 1.6)) // 100 * 100
            f.note = "merchant card limit %s" % ("lowered to %d fen per txn" % f.limit if var == "single" else "daily count reached")
        elif cause == "business.risk":
            m = r.choice(busy_merchants())
            st = T0 + r.randint(30, 240) * 60
            f = Fault(fid, cause, "hold", {"merchant_id": m.mid}, [x for s in m.sites for x in s.terms], st, T1 + 86400, "abrupt", 1.0)
            f.note = "risk rule (suspected cash-out: large round credit amounts) blocks card payments"
        elif cause == "business.merchant":
            m = r.choice(busy_merchants())
            st = T0 + r.randint(0, 240) * 60
            f = Fault(fid, cause, "frozen", {"merchant_id": m.mid}, [x for s in m.sites for x in s.terms], st, T1 + 86400, "abrupt", 1.0)
            f.note = "merchant frozen (licence verification lapsed)"
        elif cause == "upstream.acquirer":
            h = wchoice(r, [(x, w) for x, w in HOST_W])
            var = r.choice(["down", "degraded"])
            st, en = pick_window(r, W, "outage" if var == "down" else "mid")
            f = Fault(fid, cause, var, {"host": h}, [t.tid for t in terms if t.host == h], st, en,
                      "abrupt" if var == "down" else "intermittent", r.uniform(0.6, 1.0))
            if var == "degraded":
                f.eps = make_eps(r, st, en, 300, 1200, 120, 600)
            f.note = "acquirer host %s %s" % (h, var)
        elif cause == "upstream.issuer":
            bank = r.choice(sorted(b for b in BANKS if BANKS[b][2] in W.cities or BANKS[b][2] is None and b == "psbc"))
            st, en = pick_window(r, W, "outage")
            en += r.randint(0, 40) * 60
            f = Fault(fid, cause, "unavailable", {"issuer": bank}, [t.tid for t in terms], st, en, "abrupt", r.uniform(0.7, 1.0))
            f.bank = bank
            f.bins = [b[0] for b in BANKS[bank][0]]
            f.note = "issuer %s core system unavailable" % bank
        elif cause in ("hardware.keypad", "hardware.display", "hardware.card_reader", "hardware.printer", "hardware.board"):
            if cause == "hardware.keypad":
                pool = [t for t in terms if t.keys]
                var = "stuck_key"
            elif cause == "hardware.display":
                pool = terms
                var = None
            elif cause == "hardware.card_reader":
                pool = terms
                var = r.choice(["ic", "ic", "ic", "nfc", "mag"])
            elif cause == "hardware.printer":
                pool = terms
                var = r.choice(["paper_out", "fault"])
            else:
                pool = terms
                var = r.choice(["tamper", "reboots", "modem"])
            # sometimes place a single-terminal fault inside a site with a shared fault
            if shared_sites and r.random() < 0.35 and overlaps[0] < len(shared_sites):
                sp = [W.tmap[x] for x in W.smap[shared_sites[overlaps[0]]].terms if W.tmap[x] in pool]
                if sp:
                    pool = sp
                    overlaps[0] += 1
            if cause == "hardware.card_reader" and var == "nfc":
                pool = [t for t in pool if t.cls == "smart"] or smart
            if cause == "hardware.board" and var == "modem":
                pool = [t for t in pool if t.network == "cellular"] or [t for t in smart if t.network == "cellular"]
            if cause == "hardware.display":
                var = "touch" if r.random() < 0.4 else "lcd"
            T = busy_pick(r, free(pool))
            st, en = pick_window(r, W, "long")
            onset = "intermittent" if (cause in ("hardware.card_reader", "hardware.keypad") and r.random() < 0.4) else "abrupt"
            if var == "paper_out":
                st = T0 + r.randint(10, 320) * 60
                en = st + r.randint(20, 80) * 60
            f = Fault(fid, cause, var, {"terminal_id": T.tid}, [T.tid], st, en, onset, r.uniform(0.5, 1.0))
            if onset == "intermittent":
                f.eps = make_eps(r, st, en, 300, 2400, 300, 2400)
            if var == "reboots":
                f.term_eps[T.tid] = [(a, a + r.uniform(50, 110)) for a, _ in
                                     make_eps(r, max(st, T0), min(en, T1), 1, 2, 900, 3000, False)]
            f.note = "%s %s" % (cause.split(".")[1], var)
        if f is None:
            continue
        if any(k in f.scope for k in ("terminal_id", "site_id", "merchant_id")):
            m = W.tmap[f.terms[0]].merchant
            align(r, f, m, W)
        f.start = int(f.start)
        f.end = int(f.end)
        if len(f.terms) == 1:
            used_single.add(f.terms[0])
        if "merchant_id" in f.scope:
            used_merch.add(f.scope["merchant_id"])
        if f.cause in ("software.incompatible", "business.merchant") or f.variant == "host_cert" or \
                (f.cause == "security.keys" and "merchant_id" in f.scope):
            blocked.update(f.terms)
        faults.append(f)
    return faults

# ---------------------------------------------------------------- simulation


class Sim:
    def __init__(self, W, faults):
        self.W, self.F = W, faults
        self.by_term = {}
        for f in faults:
            for tid in f.terms:
                self.by_term.setdefault(tid, []).append(f)
        self.recs = []  # (ts, order, rec)
        self.truth_ev = []
        self.events = {}  # tid -> list of (t, kind, val)
        self.seq = 0
        self.approved = {}  # tid -> list of txn dicts

    def emit(self, ts, rec, delay=0):
        self.seq += 1
        self.recs.append([ts, self.seq, rec])

    def ev(self, tid, t, kind, val=1):
        self.events.setdefault(tid, []).append((t, kind, val))

    def active(self, T, t):
        out = []
        for f in self.by_term.get(T.tid, []):
            l = f.level(T.tid, t)
            if l > 0:
                out.append((f, l))
        return out

    # ---- power state
    def off_eps(self, T):
        if not hasattr(T, "_offeps"):
            eps = []
            for f in self.by_term.get(T.tid, []):
                for a, b in f.term_eps.get(T.tid, []):
                    eps.append((a, b, f))
            eps.sort(key=lambda x: (x[0], x[2].fid))
            T._offeps = eps
        return T._offeps

    def power_off(self, T, t):
        for a, b, f in self.off_eps(T):
            if a <= t < b:
                return f
        return None

    def off_soon(self, T, t, within):
        for a, b, f in self.off_eps(T):
            if t <= a < t + within:
                return (a, b, f)
        return None

    def powered_hours(self, T, t):
        if T.cls == "counter":
            return True
        m = T.merchant
        if m.open <= 0 and m.close >= 24:
            return True
        h = local_hour(t)
        return (m.open - 0.5) <= h < (m.close + 0.4)

    # ---- network
    def net(self, T, t, rng):
        n = Obj(link=True, lat=T.lat0 * rng.uniform(0.85, 1.3), loss=rng.uniform(0, 0.006), rssi=T.rssi0,
                sym=None, f=None, lossf=None, via=None)
        if T.rssi0 is not None:
            n.rssi = T.rssi0 + rng.gauss(0, 2.5)
            if T.weak:
                n.loss += rng.uniform(0, 0.02)
        for f, l in self.active(T, t):
            c = f.cause
            if c == "network.signal":
                n.rssi = T.rssi0 - f.depth * l + rng.gauss(0, 4)
                if T.network == "cellular":
                    n.rssi = max(-115, n.rssi)
                    cut = -108
                else:
                    n.rssi = max(-92, n.rssi)
                    cut = -85
                n.loss = max(n.loss, min(0.7, 0.08 + 0.5 * l * rng.random()))
                n.lat += rng.uniform(400, 2600) * l
                n.lossf = f
                if n.rssi < cut:
                    n.link, n.f, n.sym = False, f, "no_signal"
            elif c == "network.lan":
                if f.variant == "router_flaky":
                    n.loss = max(n.loss, rng.uniform(0.25, 0.7) * l)
                    n.lat += rng.uniform(300, 2500)
                    n.lossf = f
                    if rng.random() < 0.15:
                        n.link, n.f, n.sym = False, f, "conn_fail"
                else:
                    if T.backup and T.network == "ethernet":
                        n.via = T.backup
                        n.lat = rng.uniform(6000, 11000) if T.backup == "dial" else rng.uniform(150, 320)
                        n.loss = 0.03 if T.backup == "dial" else 0.005
                        n.lossf = f
                    else:
                        n.link, n.f = False, f
                        n.sym = "link_down" if T.network == "ethernet" else "conn_fail"
                        if T.network == "wifi":
                            n.rssi = None
            elif c == "network.carrier":
                if f.variant == "data_down":
                    n.link, n.f, n.sym = False, f, "pdp_fail"
                else:
                    n.loss = max(n.loss, rng.uniform(0.08, 0.35) * l)
                    n.lat += rng.uniform(1500, 6000)
                    n.lossf = f
                    if rng.random() < 0.1:
                        n.link, n.f, n.sym = False, f, "pdp_fail"
            elif c == "hardware.board" and f.variant == "modem":
                n.link, n.f, n.sym = False, f, "modem"
                n.rssi = -113
        return n

    # ---- pipeline
    def run(self, T, t, tx, rng):
        """returns (fail or None, latency_ms).  fail: dict k=err|rc|to|post, sym, rc, f, cause"""
        act = self.active(T, t)
        card = tx["channel"] in ("card_ic", "card_swipe", "nfc")
        nt = self.net(T, t, rng)
        lat = nt.lat * 2 + rng.uniform(250, 800)
        typ = tx["type"]

        def F(k, f, sym=None, rc=None, cause=None, **kw):
            d = dict(k=k, f=f, sym=sym, rc=rc, cause=cause or (f.cause if f else None))
            d.update(kw)
            return d
        # -- power / app start
        for f, l in act:
            c, v = f.cause, f.variant
            if c == "resource.storage":
                used = self.storage(T, t, f)
                if used >= 99.2 and rng.random() < 0.85 or used >= 97.5 and rng.random() < 0.3:
                    return F("err", f, "storage_full"), 0
            elif c == "resource.memory":
                mem, _ = self.memory(T, t, f)
                if mem >= 90 and rng.random() < 0.5:
                    self.ev(T.tid, t + 5, "reboot", "crash")
                    self.ev(T.tid, t, "app_crashes", 1)
                    return F("err", f, "oom"), 0
                if mem >= 88:
                    lat += rng.uniform(800, 4000)
            elif c == "hardware.board" and v == "tamper":
                return F("err", f, "tamper"), 0
            elif c == "hardware.display" and v == "lcd" and rng.random() < 0.2 * l:
                return F("err", f, "lcd"), 0
            elif c == "security.keys" and v == "missing" and tx["type"] != "reversal":
                return F("err", f, "key_missing"), 0
            elif c == "operator.error" and rng.random() < 0.07 * l and typ in ("void", "refund"):
                return F("err", f, "oper_pwd"), 0
            elif c == "resource.cpu":
                lat += rng.uniform(2500, 9000) * l
            elif c == "power.battery" and self.off_soon(T, t, 900) and rng.random() < 0.5:
                return F("err", f, "low_batt"), 0
            elif c == "hardware.display" and v == "touch" and rng.random() < 0.15 * l:
                return F("err", f, "touch"), 0
        # -- card read
        if card and typ != "reversal":
            for f, l in act:
                c, v = f.cause, f.variant
                if c == "hardware.card_reader":
                    m = {"ic": "card_ic", "nfc": "nfc", "mag": "card_swipe"}[v]
                    if tx["channel"] == m and rng.random() < 0.8 * l + 0.1:
                        self.ev(T.tid, t, "card_reader_errors", rng.randint(1, 3))
                        return F("err", f, {"ic": "ic_fail", "nfc": "nfc_fail", "mag": "mag_fail"}[v]), 0
                elif c == "software.bug" and v == "app_crash" and (f.chan == "any" or tx["channel"] == f.chan):
                    if rng.random() < 0.55 * l:
                        self.ev(T.tid, t, "app_crashes", 1)
                        if rng.random() < 0.4:
                            self.ev(T.tid, t + 8, "reboot", "crash")
                        return F("err", f, "app_crash"), 0
                elif c == "operator.error" and tx["channel"] == "card_swipe" and tx.get("chip") and rng.random() < 0.9 * l:
                    return F("err", f, "insert_ic"), 0
                elif c == "resource.cpu" and rng.random() < 0.18 * l:
                    return F("err", f, "busy"), 0
                elif c == "power.supply" and v == "adapter" and tx["channel"] == "card_ic" and rng.random() < 0.12 * l:
                    return F("err", f, "ic_fail"), 0
                elif c == "power.supply" and v == "site_mains" and T.cls == "counter" and tx["channel"] == "card_ic" \
                        and rng.random() < 0.08:
                    return F("err", f, "self_test"), 0
            if tx["channel"] == "card_swipe" and tx.get("chip") and rng.random() < 0.06:
                # background: cashier swiped a chip card, terminal asks for insertion
                return F("err", None, "insert_ic", cause="operator.error"), 0
        # -- pin
        if tx.get("pin") and typ != "reversal":
            for f, l in act:
                c, v = f.cause, f.variant
                if c == "hardware.keypad" and rng.random() < 0.45 * l:
                    self.ev(T.tid, t, "keypad_errors", rng.randint(1, 4))
                    return F("err", f, rng.choice(["key_stuck", "pin_timeout"])), 0
                if c == "hardware.display" and rng.random() < 0.4 * l:
                    return F("err", f, "pin_timeout" if v == "lcd" else "touch"), 0
                if c == "transmission.corruption" and v == "pinpad_cable" and rng.random() < 0.3 * l:
                    return F("err", f, "pinpad_comm"), 0
        if typ == "void" and tx.get("badref"):
            return F("err", tx["badref"], "void_ref"), 0
        # -- connect
        if not nt.link:
            return F("err", nt.f, nt.sym), 0
        for f, l in act:
            c, v = f.cause, f.variant
            if c == "software.config" and v == "host_ip":
                return F("err", f, rng.choice(["conn_refused", "conn_refused", "dns_fail"])), 0
            if c == "upstream.acquirer" and v == "down":
                if rng.random() < 0.6:
                    return F("err", f, "conn_refused"), 0
                return F("to", f, "recv_timeout", lat=rng.choice([30000, 45000, 60000])), 0
            if c == "software.bug" and v == "socket_leak":
                k = self.since_boot_txn(T, t)
                if rng.random() < min(0.9, 0.05 * k) * l:
                    if rng.random() < 0.3:
                        self.ev(T.tid, t + 20, "reboot", "watchdog")
                        self.reset_boot(T, t + 20)
                    return F("err", f, "conn_fail"), 0
        if nt.via == "dial":
            lat += rng.uniform(5000, 9000)
        # -- tls
        if T.tls:
            for f, l in act:
                c, v = f.cause, f.variant
                if c == "security.certificate":
                    return F("err", f, {"host_cert": "tls_srv_expired", "own_cert": "tls_own_expired", "clock": "tls_time"}[v]), 0
                if c == "software.incompatible" and v == "tls_old":
                    return F("err", f, "tls_proto"), 0
            lat += rng.uniform(150, 600) if T.network == "cellular" else rng.uniform(60, 200)
        # -- host (acquirer level)
        for f, l in act:
            c, v = f.cause, f.variant
            if c == "upstream.acquirer" and v == "degraded":
                x = rng.random()
                if x < 0.16 * l:
                    return F("to", f, "recv_timeout", lat=60000 if T.vendor != "sunmi" else 45000), 0
                if x < 0.24 * l:
                    return F("rc", f, rc=rng.choice(["96", "96", "98"]), lat=lat + rng.uniform(8000, 25000)), 0
                lat += rng.uniform(4000, 20000) * l
            elif c == "software.incompatible" and v == "msg_spec":
                return F("rc", f, rc="30", lat=lat), 0
            elif c == "software.config" and v == "mid":
                return F("rc", f, rc="03", lat=lat), 0
            elif c == "software.config" and v == "keyidx":
                return F("rc", f, rc="A0", sym="mac_fail", lat=lat), 0
            elif c == "security.keys" and v == "desync":
                return F("rc", f, rc="A0", sym="mac_fail" if rng.random() < 0.6 else None, lat=lat), 0
            elif c == "business.merchant":
                return F("rc", f, rc="03", lat=lat), 0
            elif c == "business.txn_type":
                if v == "preauth_disabled" and typ in ("preauth", "completion"):
                    return F("rc", f, rc="58", lat=lat), 0
                if v == "refund_disabled" and typ == "refund":
                    return F("rc", f, rc="40", lat=lat), 0
                if v == "credit_blocked" and tx.get("credit") and card:
                    return F("rc", f, rc="57", lat=lat), 0
            elif c == "business.limit" and card and typ in ("purchase", "preauth"):
                if f.variant == "single" and tx["amount"] > f.limit:
                    return F("rc", f, rc="61", lat=lat), 0
                if f.variant == "daily_count":
                    return F("rc", f, rc="65", lat=lat), 0
            elif c == "business.risk" and card and typ in ("purchase", "preauth") and rng.random() < 0.9:
                return F("rc", f, rc="59", lat=lat), 0
            elif c == "transmission.corruption" and rng.random() < 0.3 * l:
                x = rng.random()
                if x < 0.45:
                    return F("rc", f, rc="30", lat=lat), 0
                if x < 0.7:
                    return F("rc", f, rc="A0", lat=lat), 0
                return F("to", f, "unpack", lat=rng.choice([30000, 60000])), 0
            elif c == "operator.error" and typ == "refund" and rng.random() < 0.5:
                return F("rc", f, rc=rng.choice(["64", "13", "12"]), lat=lat), 0
        # -- issuer
        if card and typ in ("purchase", "preauth", "balance", "refund", "completion"):
            for f, l in act:
                c, v = f.cause, f.variant
                if c == "upstream.issuer" and tx.get("bin") in f.bins and rng.random() < l:
                    if rng.random() < 0.8:
                        return F("rc", f, rc="91", lat=lat + rng.uniform(3000, 12000)), 0
                    return F("to", f, "recv_timeout", lat=60000), 0
                if c == "hardware.keypad" and tx.get("pin") and rng.random() < 0.6 * l:
                    self.ev(T.tid, t, "keypad_errors", 1)
                    return F("rc", f, rc="55", lat=lat), 0
            if typ in ("purchase", "preauth", "balance"):
                x = rng.random()
                p = 0.03 if not tx.get("credit") else 0.02
                if x < p:
                    rc = wchoice(rng, [("51", 40), ("55", 22), ("54", 7), ("61", 10), ("05", 11), ("14", 3), ("75", 4), ("41", 1)])
                    if rc == "55" and not tx.get("pin"):
                        rc = "51"
                    return F("rc", None, rc=rc, cause="card.decline", lat=lat), 0
        elif tx["channel"] == "qr" and typ == "purchase" and rng.random() < 0.012:
            return F("rc", None, rc=rng.choice(["51", "51", "05"]), cause="card.decline", lat=lat), 0
        # -- receive
        if nt.loss > 0.02 and rng.random() < min(0.85, nt.loss * 1.2) and nt.lossf is not None:
            return F("to", nt.lossf, "recv_timeout", lat=rng.choice([30000, 45000, 60000])), 0
        for f, l in act:
            c, v = f.cause, f.variant
            if c == "resource.cpu" and rng.random() < 0.12 * l:
                return F("to", f, "recv_timeout", lat=60000), 0
            if c == "software.bug" and v == "app_crash" and rng.random() < 0.08 * l:
                self.ev(T.tid, t, "app_crashes", 1)
                return F("post", f, "app_crash", lat=lat, rev=True), 0
        # power loss mid-transaction
        soon = self.off_soon(T, t, lat / 1000.0 + 8)
        if soon:
            return F("post", soon[2], "power_fail_recover", lat=lat, rev=True, at=soon[1] + 5), 0
        # -- print
        if typ in ("purchase", "refund", "preauth", "completion", "void"):
            for f, l in act:
                c, v = f.cause, f.variant
                if c == "hardware.printer":
                    if v == "paper_out" or rng.random() < 0.6 * l:
                        return F("post", f, "paper_out" if v == "paper_out" else "printer_fault", lat=lat), 0
                if c == "power.supply" and v == "adapter" and rng.random() < 0.2 * l:
                    self.ev(T.tid, t + 10, "reboot", "power_loss")
                    self.ev(T.tid, t + 10, "power_events", 1)
                    return F("post", f, "low_voltage", lat=lat, rev=True), 0
        return None, lat

    # resource curves
    def storage(self, T, t, f):
        l = f.level(T.tid, t)
        if l <= 0:
            return T.stor0
        return min(100.0, 92.0 + 8.2 * l)

    def memory(self, T, t, f):
        m, reset, _ = mem_value(f, t, self.W.T0)
        return m, reset

    def since_boot_txn(self, T, t):
        c = getattr(T, "_txc", 0) + 1
        T._txc = c
        return c

    def reset_boot(self, T, t):
        T._txc = 0


def mem_value(f, t, T0):
    s = max(f.start, T0 - 7200)
    rate = f.leak  # % per minute
    period = (97.5 - 55.0) / rate * 60.0
    k = int((t - s) // period)
    reset = s + k * period
    return 55.0 + (t - reset) / 60.0 * rate, reset, period

# ---------------------------------------------------------------- transactions


HOUR_PROFILE = {
    "5812": [(11.0, 13.5, 2.2), (17.0, 20.0, 2.4), (14.5, 16.5, 0.3)],
    "5814": [(7.0, 9.0, 2.0), (11.5, 13.0, 1.8), (17.0, 18.5, 1.3)],
    "5411": [(9.5, 11.5, 1.4), (17.0, 20.0, 1.8)],
    "5499": [(7.5, 9.0, 1.4), (18.0, 22.0, 1.5)],
    "5541": [(7.0, 9.0, 1.6), (17.0, 19.0, 1.6), (0.0, 6.0, 0.2)],
    "7011": [(12.0, 14.0, 1.6), (18.0, 22.0, 1.5), (1.0, 7.0, 0.1)],
}


def rate_mult(m, h):
    if not (m.open <= h < m.close):
        return 0.0
    x = 0.7
    for a, b, k in HOUR_PROFILE.get(m.mcc, [(10.0, 12.0, 1.2), (15.0, 19.0, 1.3)]):
        if a <= h < b:
            x = k
    if h - m.open < 0.5:
        x *= 0.4
    return x


def pick_card(rng, city, credit_bias=0.25):
    items = [(b, BANKS[b][1]) for b in sorted(BANKS) if BANKS[b][2] in (None, city)]
    bank = wchoice(rng, items)
    bins = BANKS[bank][0]
    cr = [x for x in bins if x[1]]
    if cr and rng.random() < credit_bias:
        b = cr[0]
    else:
        b = [x for x in bins if not x[1]][0] if any(not x[1] for x in bins) else bins[0]
    binv, credit, ln = b
    pan = binv + "*" * (ln - 10) + "%04d" % rng.randrange(10000)
    return bank, binv, credit, pan


class TxnSim(Sim):
    def intent(self, T, t, rng, **over):
        m = T.merchant
        smart = T.cls == "smart"
        if smart:
            ch = wchoice(rng, [("qr", 55), ("nfc", 15), ("card_ic", 23), ("card_swipe", 7)])
        else:
            ch = wchoice(rng, [("qr", 42), ("nfc", 0 if T.vendor == "verifone" else 8), ("card_ic", 36), ("card_swipe", 14)])
        typ = "purchase"
        x = rng.random()
        if m.prep and x < m.prep and ch != "qr":
            typ = "preauth"
        elif x < m.prep + m.refp:
            typ = "refund"
        elif x < m.prep + m.refp + 0.012:
            typ = "void"
        elif x < m.prep + m.refp + 0.016 and ch != "qr":
            typ = "balance"
        amt = int(m.med * math.exp(m.sig * rng.gauss(0, 1)))
        amt = max(100, amt // 10 * 10 if rng.random() < 0.6 else amt // 100 * 100)
        tx = dict(channel=ch, type=typ, amount=amt)
        tx.update(over)
        return self.fill_card(T, tx, rng)

    def fill_card(self, T, tx, rng):
        ch = tx["channel"]
        if ch != "qr" and "pan" not in tx:
            bank, binv, credit, pan = pick_card(rng, T.city, tx.pop("credit_bias", 0.25))
            tx.update(bank=bank, bin=binv, credit=credit, pan=pan)
            tx["chip"] = rng.random() < 0.75
            tx["pin"] = (not credit and ch in ("card_ic", "card_swipe")) or (ch == "nfc" and tx["amount"] > 100000) \
                or (credit and rng.random() < 0.15)
        tx.pop("credit_bias", None)
        if ch == "qr":
            tx["pin"] = False
        if tx["type"] == "balance":
            tx["amount"] = 0
        return tx

    def next_stan(self, T):
        T.stan = T.stan % 999999 + 1
        return "%06d" % T.stan

    def base_txn(self, T, ts, tx, stan):
        r = {"kind": "txn", "ts": ts, "terminal_id": T.tid, "merchant_id": T.mid, "type": tx["type"],
             "amount": tx["amount"], "currency": HOSTS[T.host][1], "channel": tx["channel"], "stan": stan,
             "mcc": T.merchant.txn_mcc}
        if tx.get("pan"):
            r["pan"] = tx["pan"]
        return r

    def error_rec(self, T, ts, sym, stan, rng, tx=None, fault=None):
        V = VCODE[T.vendor]
        code = V.get(sym) or V.get(GROUP[sym]) or "E1"
        tpl = rng.choice(DETAIL[sym])
        csq = max(0, min(31, int(((getattr(self, "_last_rssi", -90) or -90) + 113) / 2)))
        if sym == "modem":
            csq = 99
        ip = {"H1": "10.%d.8.21" % (hash_int(T.host) % 200), "H2": "172.16.4.%d" % (hash_int(T.tid) % 200 + 10),
              "H3": "192.168.200.%d" % (hash_int(T.mid) % 200 + 10), "H4": "10.88.3.%d" % (hash_int(T.host) % 100)}[T.host]
        if fault is not None and fault.cause == "software.config" and fault.variant == "host_ip":
            ip = "10.%d.%d.%d" % (hash_int(fault.fid) % 250, hash_int(fault.fid + "a") % 250, hash_int(fault.fid + "b") % 250)
        skew = getattr(fault, "skew", 0) if fault is not None else 0
        d = tpl.format(ip=ip, port={"H1": 5000, "H2": 8583, "H3": 6001, "H4": 443}[T.host], csq=csq,
                       rssi=int(getattr(self, "_last_rssi", -99) or -99), stan=stan or "000000", to=60,
                       n=rng.randint(3, 90), na=local_str(T.cert_na or 0)[:10], lt2=local_str(ts_epoch(ts) + skew),
                       hx="%04X" % rng.randrange(65536), hx2="%04X" % rng.randrange(65536), slot=rng.randint(1, 9),
                       k=rng.choice("0123456789"), op="%02d" % rng.randint(1, 5), vn="%06d" % rng.randrange(10 ** 6),
                       b=rng.randint(1, 9), v="%.1f" % (T.nomv * rng.uniform(0.72, 0.85)), dn="pos%s.ylpay.cn" % T.host.lower())
        pre = VPREFIX[T.vendor].format(lt=local_str(ts_epoch(ts)), grp=GROUP[sym])
        r = {"kind": "error", "ts": ts, "terminal_id": T.tid, "code": code, "detail": pre + d}
        if T.vendor != "verifone":
            r["stage"] = SYM_STAGE[sym]
        if stan and T.vendor not in ("centerm",):
            r["stan"] = stan
        return r

    def truth_event(self, ts, T, cause, f, code, stan, rec):
        te = {"kind": "truth_event", "ts": ts, "terminal_id": T.tid, "cause": cause, "code": code, "record": rec}
        if stan:
            te["stan"] = stan
        if f is not None:
            te["fault_id"] = f.fid
        self.truth_ev.append(te)

    def do_txn(self, T, t, tx, rng, depth=0):
        """returns 'ok', 'decline', 'fail', 'off'"""
        if self.power_off(T, t) or not self.powered_hours(T, t):
            return "off", None
        if t >= self.W.T1 or t < self.W.T0:
            return "off", None
        self._last_rssi = T.rssi0
        fail, lat = self.run(T, t, tx, rng)
        stan = self.next_stan(T)
        dur = rng.uniform(6, 22) if tx["channel"] in ("card_ic", "card_swipe") else rng.uniform(3, 12)
        if tx["type"] == "reversal":
            dur = 1
        th = t + dur
        if fail is None:
            r = self.base_txn(T, iso(th), tx, stan)
            r["response_code"] = "00"
            r["rrn"] = rrn(th, stan)
            r["latency_ms"] = int(lat)
            if tx["type"] in ("purchase", "completion"):
                rate = T.merchant.qr_rate if tx["channel"] == "qr" else T.merchant.card_rate
                r["fee"] = int(round(tx["amount"] * rate))
            self.emit(th, r)
            self.ev(T.tid, th, "txn", 1)
            if tx["type"] in ("purchase", "preauth"):
                self.approved.setdefault(T.tid, []).append(dict(tx, stan=stan, t=th))
            return "ok", None
        k, f, cause = fail["k"], fail["f"], fail["cause"]
        if k == "err":
            te = t + rng.uniform(1, 12) if SYM_STAGE[fail["sym"]] in ("card_read", "pin", "app", "power_on") else t + dur + rng.uniform(5, 30)
            if fail["sym"] in ("conn_fail", "pdp_fail", "no_signal", "modem", "link_down"):
                te = t + dur + rng.uniform(10, 60)
            er = self.error_rec(T, iso(te), fail["sym"], stan if SYM_STAGE[fail["sym"]] not in ("card_read", "pin") else None, rng, tx, f)
            self.emit(te, er)
            self.truth_event(iso(te), T, cause, f, er["code"], er.get("stan"), "error")
            return "fail", fail
        lat = fail.get("lat", lat)
        r = self.base_txn(T, iso(th), tx, stan)
        if k == "rc":
            r["response_code"] = fail["rc"]
            r["rrn"] = rrn(th, stan)
            r["latency_ms"] = int(lat)
            self.emit(th, r)
            self.truth_event(iso(th), T, cause, f, fail["rc"], stan, "txn")
            if fail.get("sym") and T.vendor in ("pax", "newland", "landi", "centerm"):
                te = th + lat / 1000.0 + 1
                er = self.error_rec(T, iso(te), fail["sym"], stan, rng, tx, f)
                self.emit(te, er)
                self.truth_event(iso(te), T, cause, f, er["code"], er.get("stan"), "error")
            return ("decline" if cause == "card.decline" else "fail"), fail
        if k == "to":
            r["timed_out"] = True
            r["latency_ms"] = int(lat)
            self.emit(th, r)
            self.truth_event(iso(th), T, cause, f, "timeout", stan, "txn")
            te = th + lat / 1000.0 + rng.uniform(0.5, 2)
            if T.vendor != "verifone" or rng.random() < 0.5:
                er = self.error_rec(T, iso(te), fail["sym"] or "recv_timeout", stan, rng, tx, f)
                self.emit(te, er)
                self.truth_event(iso(te), T, cause, f, er["code"], er.get("stan"), "error")
            if tx["type"] != "reversal" and tx["type"] != "balance":
                self.reversal(T, te + rng.uniform(3, 30), tx, stan, rng, depth)
            return "fail", fail
        if k == "post":
            r["response_code"] = "00"
            r["rrn"] = rrn(th, stan)
            r["latency_ms"] = int(lat)
            if tx["type"] in ("purchase", "completion"):
                rate = T.merchant.qr_rate if tx["channel"] == "qr" else T.merchant.card_rate
                r["fee"] = int(round(tx["amount"] * rate))
            self.emit(th, r)
            te = fail.get("at") or (th + lat / 1000.0 + rng.uniform(1, 4))
            er = self.error_rec(T, iso(te), fail["sym"], stan, rng, tx, f)
            self.emit(te, er)
            self.truth_event(iso(te), T, cause, f, er["code"], er.get("stan"), "error")
            if fail.get("rev"):
                self.reversal(T, te + rng.uniform(5, 40), tx, stan, rng, depth)
                return "fail", fail
            return "ok", fail
        return "fail", fail

    def reversal(self, T, t, tx, stan, rng, depth):
        if depth > 2:
            return
        rv = dict(tx, type="reversal", orig_stan=stan)
        for i in range(3):
            if t >= self.W.T1:
                return
            off = self.power_off(T, t)
            if off or not self.powered_hours(T, t):
                # wait until it is back
                for a, b, f in self.off_eps(T):
                    if a <= t < b:
                        t = b + rng.uniform(30, 90)
                continue
            res, _ = self.do_txn(T, t, rv, rng, depth + 1)
            if res == "ok":
                return
            t += rng.uniform(120, 600)

    def simulate_site(self, s):
        W = self.W
        rng = R(W.seed, "site", s.sid)
        m = W.mmap[s.mid]
        intents = []
        for tid in s.terms:
            T = W.tmap[tid]
            for minute in range(0, (W.T1 - W.T0) // 60):
                t = W.T0 + minute * 60
                lam = m.peak * T.rate_share * rate_mult(m, local_hour(t)) / 60.0
                for _ in range(poisson(rng, lam)):
                    intents.append((t + rng.uniform(0, 60), tid))
        # precursor burst for risk holds
        for f in self.F:
            if f.cause == "business.risk" and f.scope["merchant_id"] == m.mid and s.terms:
                tb = f.start - rng.randint(25, 50) * 60
                for i in range(rng.randint(4, 7)):
                    intents.append((tb + i * rng.uniform(60, 300), s.terms[0], "burst"))
        intents.sort(key=lambda x: (x[0], x[1]))
        for it in intents:
            t, tid = it[0], it[1]
            T = W.tmap[tid]
            if len(it) > 2:
                tx = self.intent(T, t, rng, channel="card_ic", credit_bias=1.0)
                tx["amount"] = rng.choice([500000, 800000, 999900, 1000000, 2000000, 1500000])
                tx["type"] = "purchase"
            else:
                tx = self.intent(T, t, rng)
            act = {f.cause: f for f, l in self.active(T, t)}
            fo = act.get("operator.error")
            if fo is not None:
                if tx["channel"] == "card_ic" and rng.random() < 0.5:
                    tx["channel"] = "card_swipe"
                    tx["chip"] = True
                if rng.random() < 0.15 * fo.sev:
                    tx["type"] = "void"
                    tx["badref"] = fo
                elif rng.random() < 0.05:
                    tx["type"] = "refund"
            ft = act.get("business.txn_type")
            if ft is not None and ft.variant == "refund_disabled" and rng.random() < 0.08:
                tx["type"] = "refund"
            if tx["type"] == "void" and not tx.get("badref"):
                prev = self.approved.get(tid)
                if prev:
                    o = prev[-1]
                    tx.update(amount=o["amount"], channel=o["channel"], pan=o.get("pan"), bin=o.get("bin"),
                              credit=o.get("credit"), pin=False, chip=o.get("chip"))
                    if not tx.get("pan"):
                        tx.pop("pan", None)
                else:
                    tx["type"] = "purchase"
            if tx["type"] == "preauth" or (m.prep and rng.random() < 0.3 and self.approved.get(tid)):
                pa = [a for a in self.approved.get(tid, []) if a["type"] == "preauth" and not a.get("done")]
                if pa and rng.random() < 0.5:
                    o = pa[0]
                    o["done"] = True
                    tx.update(type="completion", channel=o["channel"], pan=o.get("pan"), bin=o.get("bin"),
                              credit=o.get("credit"), pin=False, amount=int(o["amount"] * rng.uniform(0.5, 1.0)))
                    if not tx.get("pan"):
                        tx.pop("pan", None)
            self.serve(T, t, tx, rng, s)

    def serve(self, T, t, tx, rng, s):
        W = self.W
        tries = 0
        cur = T
        while tries < 4 and t < W.T1:
            if t < getattr(cur, "_giveup", 0) and rng.random() < 0.85:
                return  # cashier gave up on this terminal for a while: static QR sticker / cash, nothing recorded
            res, fail = self.do_txn(cur, t, tx, rng)
            if res in ("ok", "decline"):
                cur._cf = 0
            elif res == "fail":
                cur._cf = getattr(cur, "_cf", 0) + 1
                if cur._cf >= 2 and rng.random() < 0.7 or cur._cf >= 3:
                    cur._giveup = t + rng.uniform(600, 2400)
                    cur._cf = 0
            if res == "ok":
                return
            if res == "decline":
                if rng.random() < 0.45:
                    tx = self.fill_card(cur, dict(channel="qr" if rng.random() < 0.7 else "card_ic", type="purchase",
                                                  amount=tx["amount"]), rng)
                    t += rng.uniform(30, 100)
                    tries += 1
                    continue
                return
            tries += 1
            others = [W.tmap[x] for x in s.terms if x != cur.tid]
            if res == "off":
                if others and rng.random() < 0.8:
                    cur = rng.choice(others)
                    t += rng.uniform(10, 40)
                    continue
                return
            sym = fail.get("sym") if fail else None
            stage = SYM_STAGE.get(sym) if sym else None
            t += rng.uniform(15, 90)
            if stage in ("connect", "receive", "tls") and tries >= 2 and rng.random() < 0.5:
                return  # customer pays another way
            if tx.get("badref"):
                tx.pop("badref")
                if rng.random() < 0.5:
                    return
                continue
            if stage == "card_read" and tx["channel"] != "qr":
                if tx["channel"] == "card_ic" and sym == "insert_ic":
                    continue
                if tx["channel"] == "card_swipe" and sym == "insert_ic":
                    tx["channel"] = "card_ic"
                    continue
                if tx["channel"] == "card_ic" and rng.random() < 0.4:
                    tx["channel"] = "card_swipe"
                    continue
                tx = self.fill_card(cur, dict(channel="qr", type=tx["type"], amount=tx["amount"]), rng)
                continue
            if fail and fail.get("rc") in ("61", "65", "59", "57", "58", "40", "03", "91", "55") and rng.random() < 0.5:
                if tx["channel"] != "qr" and tx["type"] == "purchase":
                    tx = self.fill_card(cur, dict(channel="qr", type="purchase", amount=tx["amount"]), rng)
                    continue
            if tries >= 2 and others and rng.random() < 0.6:
                cur = rng.choice(others)
            elif tries >= 2 and tx["channel"] != "qr" and tx["type"] == "purchase" and rng.random() < 0.5:
                tx = self.fill_card(cur, dict(channel="qr", type="purchase", amount=tx["amount"]), rng)


def hash_int(s):
    h = 2166136261
    for ch in s.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h


def ts_epoch(ts):
    return int(datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp())


def rrn(t, stan):
    d = datetime.fromtimestamp(int(t), CST)
    return "%03d%02d%s%01d" % (d.timetuple().tm_yday, d.hour, stan, d.minute % 10)

# ---------------------------------------------------------------- telemetry


def gen_telemetry(S):
    W = S.W
    for T in W.terms:
        rng = R(W.seed, "tele", T.tid)
        evs = sorted(S.events.get(T.tid, []), key=lambda x: (x[0], x[1]))
        offs = S.off_eps(T)
        faults = S.by_term.get(T.tid, [])
        # version changes
        vchanges = []
        for f in faults:
            if f.cause == "software.bug" and T.tid in f.tstart:
                a = f.tstart[T.tid]
                if a >= W.T0:
                    vchanges.append((a, "update", f.variant == "app_crash", f.newv if f.variant == "app_crash" else f.newfw, f))
                if f.end < W.T1:
                    vchanges.append((f.end + rng.uniform(0, 600), "rollback", f.variant == "app_crash",
                                     T.app if f.variant == "app_crash" else T.fw, f))
            if f.cause == "software.incompatible" and T.tid in f.tend and f.tend[T.tid] < W.T1:
                vchanges.append((f.tend[T.tid] - 60, "upgrade", True, "5.1.2" if T.cls == "smart" else "V2.3.5", f))
        if T.tid in W.benign:
            a, ver = W.benign[T.tid]
            vchanges.append((a, "update", False, ver, None))
        vchanges.sort(key=lambda x: x[0])
        for a, kind, is_app, ver, f in vchanges:
            evs.append((a + 50, "reboot", "update"))
            evs.append((a + 55, "version", (is_app, ver)))
            S.emit(a, {"kind": "maintenance", "ts": iso(a), "terminal_id": T.tid, "action": "firmware_update",
                       "notes": ("TMS推送 %s %s" % ("应用" if is_app else "固件", ver)) + (" 回退" if kind == "rollback" else "")})
        # memory crash resets
        for f in faults:
            if f.cause == "resource.memory":
                _, _, period = mem_value(f, W.T0, W.T0)
                s0 = max(f.start, W.T0 - 7200)
                k = 1
                while s0 + k * period < min(f.end, W.T1):
                    tc = s0 + k * period
                    if tc >= W.T0:
                        evs.append((tc, "reboot", rng.choice(["crash", "watchdog"])))
                        evs.append((tc, "app_crashes", 1))
                        if S.powered_hours(T, tc):
                            er = S.error_rec(T, iso(tc), "oom", None, rng, None, f)
                            S.emit(tc, er)
                            S.truth_event(iso(tc), T, f.cause, f, er["code"], None, "error")
                    k += 1
        for a, b, f in offs:
            reason = "power_loss"
            if f.cause == "hardware.board":
                reason = rng.choice(["watchdog", "crash", "power_loss"])
            evs.append((b, "reboot", reason))
            if f.cause == "power.supply":
                evs.append((a, "power_events", rng.randint(1, 3)))
            # boot-time error
            if W.T0 <= b < W.T1 and S.powered_hours(T, b):
                sym = None
                if f.cause == "power.supply":
                    if rng.random() < (0.8 if f.variant == "site_mains" else 0.5):
                        sym = rng.choice(["self_test", "low_voltage", "self_test"]) if f.variant == "site_mains" else "low_voltage"
                elif f.cause == "power.battery":
                    sym = "low_batt" if rng.random() < 0.7 else None
                elif f.cause == "hardware.board":
                    sym = "self_test"
                if sym:
                    te = b + rng.uniform(20, 60)
                    er = S.error_rec(T, iso(te), sym, None, rng, None, f)
                    S.emit(te, er)
                    S.truth_event(iso(te), T, f.cause, f, er["code"], None, "error")
        for f in faults:  # site mains: docked smart terminals and routers see events
            if f.cause == "power.supply" and f.variant == "site_mains" and T.cls == "smart":
                for a, b in f.eps:
                    evs.append((a, "power_events", 1))
                    evs.append((a, "on_battery", b))
        evs.sort(key=lambda x: (x[0], x[1]))
        # smart power on at opening
        boot_user = None
        if T.cls == "smart" and not (T.merchant.open <= 0 and T.merchant.close >= 24):
            on = W.T0 + max(0, (T.merchant.open - 0.5 - local_hour(W.T0)) * 3600) + rng.uniform(0, 1500)
            if W.T0 < on < W.T1:
                boot_user = on
                evs.append((on, "reboot", "user"))
                evs.sort(key=lambda x: (x[0], x[1]))
        app, fw = None, None
        prev = W.T0 - T.hb
        t = W.T0 + rng.uniform(0, T.hb)
        ei = 0
        batt = T.batt0
        mem = T.mem0
        stor = T.stor0
        last_t = W.T0
        charging = T.docked
        while t < W.T1:
            # collect events (prev, t]
            counts = {}
            reboot = None
            while ei < len(evs) and evs[ei][0] <= t:
                et, kind, val = evs[ei]
                if kind in ("reboot",):
                    reboot = val
                elif kind == "version":
                    if val[0]:
                        app = val[1]
                    else:
                        fw = val[1]
                elif kind in ("power_events", "keypad_errors", "card_reader_errors", "app_crashes"):
                    counts[kind] = counts.get(kind, 0) + val
                ei += 1
            dt = (t - last_t) / 3600.0
            last_t = t
            on = S.powered_hours(T, t) and not S.power_off(T, t)
            # battery
            if T.cls == "smart":
                if charging:
                    batt = min(100.0, batt + 35 * dt)
                    if batt >= 99 and not T.docked and rng.random() < 0.5:
                        charging = False
                else:
                    batt = batt - rng.uniform(5, 11) * dt
                    if batt < 18:
                        charging = True
            if not on or rng.random() < T.skip:
                t += T.hb * rng.uniform(0.97, 1.05)
                if not on:
                    continue
                continue
            nt = S.net(T, t, rng)
            act = S.active(T, t)
            online = nt.link
            if not online and T.cls == "counter":
                t += T.hb * rng.uniform(0.97, 1.05)
                continue
            rec = {"kind": "telemetry", "ts": iso(t, T.off), "terminal_id": T.tid, "online": bool(online)}
            if T.rssi0 is not None and nt.rssi is not None:
                rec["rssi_dbm"] = int(round(nt.rssi))
            if online:
                rec["latency_ms"] = int(nt.lat * rng.uniform(0.9, 1.2))
                rec["packet_loss"] = round(min(1.0, max(0.0, nt.loss + rng.uniform(-0.01, 0.01))), 3)
            v = None
            if T.cls == "counter":
                v = T.nomv * (1 + rng.gauss(0, 0.008))
            elif T.docked or charging:
                v = 5.0 * (1 + rng.gauss(0, 0.01))
            cause_map = {f.cause: (f, l) for f, l in act}
            pb = [f for f in faults if f.cause == "power.supply" and f.variant == "site_mains" and f.start <= t < f.end]
            if pb and v is not None:
                v = T.nomv * rng.uniform(0.74, 1.09) if T.cls == "counter" else 5.0 * rng.uniform(0.85, 1.02)
            if "power.supply" in cause_map and cause_map["power.supply"][0].variant == "adapter":
                v = T.nomv * cause_map["power.supply"][0].vfac * (1 + rng.gauss(0, 0.02))
            if v is not None:
                rec["supply_v"] = round(v, 2)
            if T.cls == "smart":
                b = batt
                if "power.battery" in cause_map:
                    f = cause_map["power.battery"][0]
                    # collapse before each off episode
                    nxt = [a for a, bb, ff in offs if ff is f and a > t]
                    lastb = [bb for a, bb, ff in offs if ff is f and bb <= t]
                    if nxt and nxt[0] - t < 1800:
                        b = rng.uniform(8, 32) * (nxt[0] - t) / 1800 + rng.uniform(0, 6)
                    elif lastb:
                        b = min(60, 3 + (t - lastb[-1]) / 60.0 * 0.9)
                    else:
                        b = min(batt, 55)
                    rec["battery_health"] = f.health
                if pb and T.docked:
                    b = max(5, batt - 10)
                rec["battery_pct"] = int(max(0, min(100, b)))
            if counts.get("power_events"):
                rec["power_events"] = counts["power_events"]
            elif "power_events" in T.fields:
                rec["power_events"] = 0
            if reboot:
                rec["reboot"] = reboot
            # resources
            stor = min(99.0, stor + rng.uniform(0, 0.02))
            su = stor
            if "resource.storage" in cause_map:
                su = S.storage(T, t, cause_map["resource.storage"][0])
            rec["storage_used_pct"] = round(su, 1)
            mem = max(30.0, min(80.0, mem + rng.gauss(0, 1.5)))
            mu = mem
            if "resource.memory" in cause_map:
                mu = min(99.0, mem_value(cause_map["resource.memory"][0], t, W.T0)[0])
            rec["memory_used_pct"] = round(mu, 1)
            cpu = T.cpu0 + rng.uniform(0, 20) + 8 * sum(1 for e in evs if t - T.hb < e[0] <= t and e[1] == "txn")
            temp = T.temp0 + rng.gauss(0, 0.8)
            if "resource.cpu" in cause_map:
                cpu = rng.uniform(88, 100)
                temp += rng.uniform(8, 14)
            rec["cpu_pct"] = int(min(100, cpu))
            if "hardware.board" in cause_map and cause_map["hardware.board"][0].variant == "reboots" and rng.random() < 0.4:
                temp = rng.choice([-40.0, 127.0, 85.5])
            rec["temp_c"] = round(temp, 1)
            kc = "ok"
            if "security.keys" in cause_map:
                kc = "missing" if cause_map["security.keys"][0].variant == "missing" else "mismatch"
            if "hardware.board" in cause_map and cause_map["hardware.board"][0].variant == "tamper":
                kc = "missing"
            rec["key_check"] = kc
            skew = rng.randint(-2, 2)
            if "security.certificate" in cause_map and cause_map["security.certificate"][0].variant == "clock":
                skew = cause_map["security.certificate"][0].skew + rng.randint(-5, 5)
            rec["clock_skew_s"] = skew
            pr = "ok"
            if "hardware.printer" in cause_map:
                pr = "paper_out" if cause_map["hardware.printer"][0].variant == "paper_out" else ("fault" if rng.random() < 0.8 else "ok")
            rec["printer"] = pr
            for c in ("keypad_errors", "card_reader_errors", "app_crashes"):
                n = counts.get(c, 0)
                if c == "card_reader_errors" and rng.random() < 0.01:
                    n += 1  # harmless dirty-card read retries
                if c == "keypad_errors" and "hardware.keypad" in cause_map:
                    n += poisson(rng, 1.5 * cause_map["hardware.keypad"][1])
                rec[c] = n
            if app:
                rec["app_version"] = app
                app = None
            if fw:
                rec["firmware"] = fw
                fw = None
            if "hardware.display" in cause_map and T.vendor in ("pax", "sunmi") and rng.random() < 0.7:
                rec["display"] = "fault"
            if nt.via:
                rec["link"] = nt.via
            # vendor subset + random drops
            allowed = set(T.fields) | {"kind", "ts", "terminal_id", "app_version", "firmware", "display", "link",
                                       "battery_health"}
            keep = {"kind", "ts", "terminal_id", "reboot", "app_version", "firmware"}
            out = {}
            for k2, v2 in rec.items():
                if k2 not in allowed:
                    continue
                if k2 not in keep and rng.random() < T.drop:
                    continue
                if k2 == "battery_health" and T.vendor not in ("sunmi", "pax"):
                    continue
                out[k2] = v2
            if not online:
                for k2 in ("latency_ms", "packet_loss"):
                    out.pop(k2, None)
            S.emit(t, out)
            t += T.hb * rng.uniform(0.97, 1.05)

# ---------------------------------------------------------------- people: checks, maintenance, complaints

COMPLAINT = {
    "power.supply": ["今天下午店里几台机器反复重启，刷卡一直报{code}", "店里一停电机器就重启，交易做一半没了", "这台机器老是自己关机重启，插着电也这样"],
    "power.battery": ["机器用一会儿就没电关机了，刚充满也不行", "电量显示还有三十多突然就关机了"],
    "network.signal": ["这台机器刷卡老是超时，扫码也慢", "收银台里面那台机器经常连不上，拿到门口就好"],
    "network.lan": ["店里刷卡机都连不上网，显示{code}", "中午刷卡一直显示{code}，顾客只能扫码", "店里的机器时好时坏，老是超时"],
    "network.carrier": ["无线POS一直连不上网，提示{code}", "4G的机器从中午开始就不能交易"],
    "software.bug": ["更新以后机器老闪退，挥卡就退出", "昨天升级后经常交易到一半退出"],
    "software.incompatible": ["从今天开始这台机器所有交易都失败，提示{code}", "旧机器突然用不了了，新机器没事"],
    "software.config": ["机器维护完就一直交易不了，提示{code}", "这台机器一直失败，另一台正常"],
    "transmission.corruption": ["偶尔提示报文错误，密码键盘时好时坏", "时不时交易失败，重试一下又好了"],
    "security.keys": ["提示MAC错，请签到，签到也不行", "刷卡一直失败，提示{code}"],
    "security.certificate": ["显示证书错误，交易不了", "机器提示{code}，说是安全校验失败"],
    "resource.storage": ["提示存储空间不足，交易保存不了", "机器提示{code}，说记录存不下"],
    "resource.memory": ["机器越用越卡，经常自己退出", "用一阵子就闪退重启"],
    "resource.cpu": ["机器特别卡，读卡很慢，经常超时", "机器发烫，反应很慢"],
    "hardware.keypad": ["按键不灵，客户输密码老是说密码错", "有个键按下去没反应"],
    "hardware.display": ["屏幕花屏看不清", "触摸屏点不动，客户输不了密码"],
    "hardware.card_reader": ["插卡读不出来，只能扫码", "挥卡没反应，插卡可以", "刷卡读不了卡"],
    "hardware.printer": ["打印不出小票", "机器不出纸，显示{code}"],
    "hardware.board": ["机器提示{code}，锁机了", "机器频繁重启，开机自检报错", "4G机器一直没信号，换了卡也不行"],
    "operator.error": ["我的卡被刷了两次又撤销，到底扣没扣钱", "收银员说交易失败，让我换卡"],
    "business.txn_type": ["预授权做不了，提示交易不允许", "退货做不了，一直被拒", "信用卡刷不了，借记卡可以"],
    "business.limit": ["大额刷不了，提示超限", "今天刷卡全部被拒，提示超出次数"],
    "business.risk": ["刷卡全部被拒，扫码可以，怎么回事", "突然不能刷卡了，客户很着急"],
    "business.merchant": ["所有交易都提示无效商户，钱收不了", "今天突然刷卡扫码都失败了，提示商户无效"],
    "upstream.acquirer": ["刷卡一直超时，好几台都这样", "交易特别慢，好多失败的"],
    "upstream.issuer": ["我的{bank}卡在好几家店都刷不了", "顾客的卡刷不了，换别的银行卡就可以"],
}
BANKCN = {"icbc": "工行", "ccb": "建行", "abc": "农行", "boc": "中行", "cmb": "招行", "psbc": "邮储", "lyccb": "洛阳银行",
          "gzrcu": "赣州农商行", "myccb": "绵阳商行", "hbrcu": "湖北农信", "hnrcu": "湖南农信", "sdrcu": "山东农信", "hebrcu": "河北农信"}

FIXES = {  # cause/variant -> (pre checks [(target, name, result)], fix checks, maintenance (action, notes))
    ("power.supply", "site_mains"): ([("site", "mains_voltage", "{mv}V"), ("term", "adapter_voltage", "ok")],
                                     [("site", "mains_voltage", "ok")], ("repair", "电工检修店内线路，加装稳压器")),
    ("power.supply", "adapter"): ([("term", "adapter_voltage", "{av}V")], [("term", "adapter_voltage", "ok")],
                                  ("part_replaced", "更换电源适配器")),
    ("power.battery", None): ([("term", "battery_health", "{bh}%")], [], ("part_replaced", "更换电池")),
    ("network.signal", None): ([("term", "signal_strength", "{rs}dBm"), ("term", "sim_status", "ok")], [],
                               ("repair", "移机至靠窗位置，加装外置天线")),
    ("network.lan", None): ([("site", "cable_seated", "ok")], [("site", "router_restarted", "ok")], None),
    ("network.carrier", None): ([("term", "sim_status", "ok"), ("site", "router_restarted", "ok")], [], None),
    ("software.bug", None): ([("term", "app_reinstalled", "fail")], [], None),
    ("software.incompatible", None): ([("term", "app_version_check", "{ver}")], [], None),
    ("software.config", None): ([("term", "network_test", "ok"), ("term", "param_check", "fail")], [],
                                ("repair", "重新下载终端参数")),
    ("transmission.corruption", None): ([("term", "cable_seated", "fail")], [], ("part_replaced", "更换通讯线/密码键盘线")),
    ("security.keys", None): ([("term", "sign_in", "fail")], [("term", "key_download", "ok")], None),
    ("security.certificate", "host_cert"): ([("term", "tls_test", "fail"), ("term", "network_test", "ok")], [], None),
    ("security.certificate", "own_cert"): ([("term", "cert_check", "expired")], [("term", "cert_check", "ok")],
                                           ("repair", "重新签发终端证书")),
    ("security.certificate", "clock"): ([("term", "clock_check", "fail")], [("term", "clock_check", "ok")],
                                        ("repair", "校准系统时间，更换RTC电池")),
    ("resource.storage", None): ([("term", "storage_free", "{sf}%")], [], ("repair", "清理日志和缓存")),
    ("resource.memory", None): ([("term", "app_restart", "ok")], [], ("repair", "卸载异常后台应用")),
    ("resource.cpu", None): ([("term", "background_apps", "{ba}")], [], ("repair", "停止后台应用")),
    ("hardware.keypad", None): ([("term", "keypad_test", "fail")], [], ("part_replaced", "更换键盘膜")),
    ("hardware.display", None): ([("term", "display_test", "fail")], [], ("part_replaced", "更换屏幕")),
    ("hardware.card_reader", None): ([("term", "card_reader_test", "fail")], [], ("part_replaced", "更换读卡模块")),
    ("hardware.printer", "paper_out"): ([], [("term", "paper_loaded", "ok")], None),
    ("hardware.printer", "fault"): ([("term", "printer_test", "fail"), ("term", "paper_loaded", "ok")], [],
                                    ("part_replaced", "更换打印头")),
    ("hardware.board", None): ([("term", "self_test", "fail")], [], ("repair", "返厂维修 主板")),
    ("operator.error", None): ([("term", "device_test", "ok")], [("term", "cashier_training", "done")], None),
    ("business.txn_type", None): ([("site", "merchant_functions", "{tt}")], [], None),
    ("business.limit", None): ([("site", "limit_config", "{lim}")], [], None),
    ("business.risk", None): ([("site", "risk_status", "hold")], [], None),
    ("business.merchant", None): ([("site", "merchant_status", "frozen")], [], None),
    ("upstream.acquirer", None): ([("term", "network_test", "ok")], [], None),
    ("upstream.issuer", None): ([], [], None),
}


def gen_people(S):
    W = S.W
    nev = {}
    first = {}
    for te in S.truth_ev:
        if "fault_id" in te:
            nev[te["fault_id"]] = nev.get(te["fault_id"], 0) + 1
            if te["fault_id"] not in first or te["ts"] < first[te["fault_id"]][0]:
                first[te["fault_id"]] = (te["ts"], te["terminal_id"], te["code"])
    cid = [0]

    def complaint(t, mid, tid, text, frm="merchant"):
        cid[0] += 1
        r = {"kind": "complaint", "ts": iso(t), "complaint_id": "C-%d%04d" % (W.seed, cid[0]), "from": frm,
             "merchant_id": mid, "text": text}
        if tid:
            r["terminal_id"] = tid
        S.emit(t, r)

    for f in S.F:
        rng = R(W.seed, "people", f.fid)
        if f.fid not in first:
            continue
        fts, ftid, fcode = first[f.fid]
        t_first = ts_epoch(fts)
        T = W.tmap[ftid]
        # complaints
        nc = 1 if nev[f.fid] >= 2 else 0
        if f.cause in ("upstream.acquirer", "network.carrier", "upstream.issuer", "business.merchant") and nev[f.fid] > 6:
            nc = rng.randint(2, 4)
        hit_terms = sorted({te["terminal_id"] for te in S.truth_ev if te.get("fault_id") == f.fid})
        for i in range(nc):
            if rng.random() < 0.25 and f.cause not in ("business.merchant", "upstream.issuer"):
                continue
            tt = t_first + rng.uniform(300, 3600) + i * rng.uniform(300, 900)
            if tt >= W.T1 or tt >= f.end + 1800:
                continue
            tid = rng.choice(hit_terms)
            TT = W.tmap[tid]
            opts = COMPLAINT[f.cause]
            if f.cause == "hardware.board":
                opts = [opts[{"tamper": 0, "reboots": 1, "modem": 2}[f.variant]]]
            elif f.cause == "hardware.display":
                opts = [opts[0 if f.variant == "lcd" else 1]]
            elif f.cause == "hardware.card_reader":
                opts = [opts[{"ic": 0, "nfc": 1, "mag": 2}[f.variant]]]
            elif f.cause == "business.txn_type":
                opts = [opts[{"preauth_disabled": 0, "refund_disabled": 1, "credit_blocked": 2}[f.variant]]]
            elif f.cause == "business.limit":
                opts = [opts[0 if f.variant == "single" else 1]]
            elif f.cause == "power.supply":
                opts = opts[:2] if f.variant == "site_mains" else opts[2:]
            text = rng.choice(opts).format(code=fcode, bank=BANKCN.get(getattr(f, "bank", ""), "银行"))
            frm = "customer" if (f.cause in ("upstream.issuer",) or (f.cause == "operator.error" and rng.random() < 0.6)) else "merchant"
            complaint(tt, TT.mid, tid if rng.random() < 0.7 else None, text, frm)
        # checks
        key = (f.cause, f.variant) if (f.cause, f.variant) in FIXES else (f.cause, None)
        pre, fixc, maint = FIXES[key]
        tgt_t = T
        vals = dict(mv=rng.randint(168, 186), av="%.1f" % (T.nomv * getattr(f, "vfac", 0.8)), bh=getattr(f, "health", 40),
                    rs=rng.randint(-111, -104), ver=T.app, sf="%.1f" % rng.uniform(0.1, 0.9), ba=rng.randint(3, 7),
                    tt={"preauth_disabled": "预授权:未开通", "refund_disabled": "退货:关闭", "credit_blocked": "贷记卡:不允许"}.get(f.variant, ""),
                    lim="单笔%d元" % (getattr(f, "limit", 0) // 100) if f.variant == "single" else "日累计笔数已满")
        if pre and rng.random() < 0.75:
            tc = t_first + rng.uniform(900, 4800)
            if tc < min(W.T1, f.end):
                for i, (tg, name, res) in enumerate(pre):
                    r = {"kind": "check", "ts": iso(tc + i * 120)}
                    if tg == "site":
                        r["site_id"] = tgt_t.sid
                    else:
                        r["terminal_id"] = tgt_t.tid
                    r["name"] = name
                    r["result"] = res.format(**vals)
                    S.emit(tc + i * 120, r)
        if f.end < W.T1:
            for i, (tg, name, res) in enumerate(fixc):
                r = {"kind": "check", "ts": iso(f.end + i * 60)}
                if tg == "site":
                    r["site_id"] = tgt_t.sid
                else:
                    r["terminal_id"] = tgt_t.tid
                r["name"] = name
                r["result"] = res.format(**vals)
                S.emit(f.end + i * 60, r)
            if maint and len(f.terms) <= 4:
                for tid in f.terms[:4]:
                    if f.cause == "power.supply" and f.variant == "site_mains":
                        tid = f.terms[0]
                    S.emit(f.end + 300, {"kind": "maintenance", "ts": iso(f.end + 300), "terminal_id": tid,
                                         "action": maint[0], "notes": maint[1]})
                    if f.cause == "power.supply":
                        break
    # background: routine maintenance, harmless checks, unrelated complaints
    rng = R(W.seed, "people", "bg")
    for T in W.terms:
        m = T.merchant
        if rng.random() < 0.35:
            op = max(W.T0, W.T0 + (m.open - local_hour(W.T0)) * 3600) + rng.uniform(0, 1800)
            if op < W.T1:
                S.emit(op, {"kind": "maintenance", "ts": iso(op), "terminal_id": T.tid, "action": "daily_check",
                            "notes": rng.choice(["电源、键盘、屏幕正常", "开机检查正常", "电源线 键盘 显示 OK", "日检正常"])})
        if rng.random() < 0.05:
            tt = W.T0 + rng.uniform(0, 6 * 3600)
            S.emit(tt, {"kind": "maintenance", "ts": iso(tt), "terminal_id": T.tid,
                        "action": rng.choice(["weekly_clean", "weekly_clean", "monthly_inspection"]),
                        "notes": rng.choice(["清洁读卡槽和打印机", "weekly clean done", "内部检查 无异常", "除尘，检查电池"])})
        if T.weak and rng.random() < 0.3:
            tt = W.T0 + rng.uniform(0, 6 * 3600)
            S.emit(tt, {"kind": "check", "ts": iso(tt), "terminal_id": T.tid, "name": "signal_strength",
                        "result": "%ddBm" % int(T.rssi0)})
    for i in range(rng.randint(3, 7)):
        m = rng.choice(W.merchants)
        tt = W.T0 + rng.uniform(0, 6 * 3600)
        complaint(tt, m.mid, None, rng.choice(["手续费怎么比上个月高了", "昨天的钱还没到账", "想问一下费率是多少",
                                               "能不能再申请一台机器", "小票上的商户名称不对", "扫码到账通知延迟"]))
    for i in range(rng.randint(2, 4)):
        s = rng.choice(W.sites)
        tt = W.T0 + rng.uniform(0, 6 * 3600)
        S.emit(tt, {"kind": "check", "ts": iso(tt), "site_id": s.sid, "name": rng.choice(["router_restarted", "cable_seated"]),
                    "result": "ok"})

# ---------------------------------------------------------------- main


def inventory(S):
    W = S.W
    t = W.T0 - 3600
    ts = iso(t)
    for m in W.merchants:
        r = {"kind": "merchant", "ts": ts, "merchant_id": m.mid, "name": m.name, "mcc": m.mcc, "city": m.city,
             "settlement": "direct" if m.direct else "indirect", "card_rate": m.card_rate, "qr_rate": m.qr_rate}
        S.emit(t, r)
    for s in W.sites:
        S.emit(t, {"kind": "site", "ts": ts, "site_id": s.sid, "merchant_id": s.mid, "name": s.name, "city": s.city,
                   "lat": s.lat, "lon": s.lon})
    for T in W.terms:
        r = {"kind": "terminal", "ts": ts, "terminal_id": T.tid, "serial": T.serial, "vendor": T.vendor,
             "model": T.model, "firmware": T.fw, "app_version": T.app, "merchant_id": T.mid, "site_id": T.sid,
             "network": T.network, "host": T.host, "installed": iso(T.installed)[:10] + "T00:00:00Z"}
        if T.carrier:
            r["carrier"] = T.carrier
        if T.cert_na:
            r["cert_not_after"] = iso(T.cert_na)
        if T.backup:
            r["backup_link"] = T.backup
        S.emit(t, r)


def generate(seed, out):
    W = build_world(seed)
    faults = make_faults(W)
    S = TxnSim(W, faults)
    inventory(S)
    inv_n = len(S.recs)
    for s in W.sites:
        S.simulate_site(s)
    gen_telemetry(S)
    gen_people(S)
    # noise: duplicates of non-failed records, late delivery (<= 60 s)
    rng = R(seed, "noise")
    recs = S.recs[:inv_n]
    for ts, seq, rec in S.recs[inv_n:]:
        if ts > W.T1 + 300:
            continue
        d = 0.0
        if rng.random() < 0.03:
            d = rng.uniform(2, 59)
        recs.append([ts + d, seq, rec])
        failed = rec["kind"] == "error" or (rec["kind"] == "txn" and (rec.get("timed_out") or rec.get("response_code") != "00"))
        if rec["kind"] in ("telemetry", "txn") and not failed and rng.random() < 0.008:
            recs.append([ts + rng.uniform(1, 40), seq + 0.5, rec])
    recs.sort(key=lambda x: (x[0], x[1]))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "records.jsonl"), "w", encoding="utf-8") as fh:
        for _, _, rec in recs:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    # truth
    nev = {}
    hit = {}
    for te in S.truth_ev:
        if "fault_id" in te:
            nev[te["fault_id"]] = nev.get(te["fault_id"], 0) + 1
            hit.setdefault(te["fault_id"], set()).add(te["terminal_id"])
    with open(os.path.join(out, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for f in faults:
            st = min([f.start] + [v for v in f.tstart.values()]) if not f.tstart else min(f.tstart.values())
            tl = f.terms
            if f.tstart:
                tl = sorted(x for x in f.terms if f.tstart[x] < W.T1)
            if f.cause == "upstream.issuer":
                tl = sorted(hit.get(f.fid, set()))
            rec = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope, "terminals": tl,
                   "start": iso(max(st, W.T0)), "end": iso(min(f.end, W.T1)),
                   "variant": f.variant, "onset": f.onset, "severity": round(f.sev, 2), "note": f.note,
                   "began_before_window": st < W.T0, "ongoing_at_end": f.end >= W.T1,
                   "n_failed_events": nev.get(f.fid, 0),
                   "terminals_with_events": sorted(hit.get(f.fid, set()))}
            if f.cause == "upstream.issuer":
                rec["bins"] = f.bins
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        tev = sorted(S.truth_ev, key=lambda x: (x["ts"], x["terminal_id"], x.get("stan", ""), x["code"]))
        for te in tev:
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(recs), len(faults), len(tev)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    n, nf, ne = generate(a.seed, a.out)
    print("seed %d: %d records, %d faults, %d failed events -> %s" % (a.seed, n, nf, ne, a.out))


if __name__ == "__main__":
    main()
