"""Network and transmission causes."""

from lib import VENDOR_FIELDS, mins, secs, within


def network_signal(c, t0):
    """A stall in a basement market: the terminal at the back loses its 4G signal when the
    afternoon crowd and a new metal shelf sit between it and the window; the one at the
    front, same carrier, keeps working."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898500156510377", "CQ-377-1"
    A, B = "50037701", "50037702"
    c.merchant(inv, mid, "5651", "潮流前线服饰", "chongqing", card_rate=0.006)
    c.site(inv, sid, mid, "潮流前线服饰 解放碑地下商城B2-117", "chongqing", 29.557, 106.577)
    c.terminal(inv, A, "newland", "N910", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="N910-1.4.7", app_version="2.3.0", form="handheld", rssi=-84,
               drain=0.0, battery=96, amount=(39, 600), lat=(260, 50))
    c.terminal(inv, B, "newland", "N910", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="N910-1.4.7", app_version="2.3.0", form="handheld", rssi=-73,
               drain=0.0, battery=88, amount=(39, 600))
    F = mins(t0, 75)
    FIX = mins(F, 70)
    END = mins(FIX, 30)
    drops = []
    t = mins(F, 6)
    while t < FIX:
        d = r.uniform(1.5, 4)
        drops.append((t, mins(t, d)))
        t = mins(t, d + r.uniform(4, 9))

    def mod(t):
        if not (F <= t < FIX):
            return {}
        if within(t, drops):
            return {"online": False, "rssi_dbm": r.randint(-113, -106)}
        return {"rssi_dbm": int(r.gauss(-101, 3.5)), "latency_ms": int(r.uniform(700, 2600)),
                "packet_loss": round(r.uniform(0.08, 0.35), 2)}

    c.beats(A, t0, END, mod)
    c.beats(B, t0, END)
    c.normal_txns(B, t0, END, gap=(5, 12))
    c.normal_txns(A, t0, F, gap=(5, 12))
    c.normal_txns(A, FIX, END, gap=(5, 12))
    cause = "network.signal"
    for m, kind in ((4, "ok"), (8, "dial"), (13, "t"), (17, "ok"), (22, "dial"), (27, "t"),
                    (33, "e1"), (38, "ok"), (44, "t"), (49, "dial"), (55, "e1"), (60, "t"),
                    (64, "ok")):
        t = mins(F, m)
        if kind == "ok":
            c.txn(t, A, latency=r.randint(3500, 11000))
        elif kind == "t":
            c.timeout(t, A, cause, "E3", "receive",
                      r.choice(["接收失败: 主机应答超时 NDK_TcpRead ret=-3003",
                                "recv timeout 60s, RSSI -104dBm, 冲正已保存"]))
        elif kind == "dial":
            c.error(t, A, "拨号失败", "connect",
                    r.choice(["PPP拨号失败: AT+CGATT? 0, 无线网络未附着 (CSQ 3)",
                              "wireless attach failed, CSQ=4 BER=99"]), cause)
        else:
            c.error(t, A, "E1", "connect",
                    r.choice(["通讯错误: 4G连接主机失败 socket connect timeout, CSQ 5",
                              "E1: TCP connect 58.211.2.14:9001 timeout (signal -105dBm)"]), cause)
    c.check(mins(FIX, -6), "signal_position", "fail", tid=A)
    c.maintenance(mins(FIX, -2), A, "daily_check", "把终端移到靠近出入口的收银台 / moved the terminal next to the entrance")
    c.resolution(FIX, cause, tid=A, notes="地下商场信号弱，金属货架遮挡 / weak basement signal, blocked by a metal shelf")
    c.fault("signal-1", cause, {"terminal_id": A}, [A], F, FIX)


def network_lan(c, t0):
    """A café's wifi access point loses its uplink (DHCP and DNS fail); radio signal is fine;
    the 4G terminal keeps working."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898110158140922", "BJ-922-1"
    A, B, C = "11092201", "11092202", "11092203"
    c.merchant(inv, mid, "5814", "拾光咖啡", "beijing", card_rate=0.006)
    c.site(inv, sid, mid, "拾光咖啡 三里屯店", "beijing", 39.934, 116.454)
    c.terminal(inv, A, "sunmi", "P2", mid, sid, "wifi", "H2", firmware="P2-V2.14.2",
               app_version="4.2.0", form="handheld", rssi=-52, drain=0.05, amount=(18, 160),
               mem=62, storage=55, cpu=18)
    c.terminal(inv, B, "pax", "A920", mid, sid, "wifi", "H2", firmware="A920-9.1.3",
               app_version="5.0.8", form="handheld", rssi=-58, drain=0.06, amount=(18, 160))
    c.terminal(inv, C, "newland", "N910", mid, sid, "cellular", "H2", carrier="cucc",
               firmware="N910-1.4.7", app_version="2.3.0", form="handheld", rssi=-78,
               drain=0.07, amount=(18, 160))
    F = mins(t0, 70)
    FIX = mins(F, 48)
    END = mins(FIX, 30)

    def mod(tid):
        def f(t):
            if tid != C and F <= t < FIX:
                k = (t - F).total_seconds() / 60
                if k < 6:
                    return {"latency_ms": int(r.uniform(400, 1800)),
                            "packet_loss": round(r.uniform(0.1, 0.4), 2)}
                return {"online": False}
            return {}
        return f

    for tid in (A, B, C):
        c.beats(tid, t0, END, mod(tid))
        if tid == C:
            c.normal_txns(tid, t0, END, gap=(3, 7))
        else:
            c.normal_txns(tid, t0, F, gap=(3, 7))
            c.normal_txns(tid, mins(FIX, 2), END, gap=(3, 7))
    cause = "network.lan"
    c.timeout(mins(F, 2.5), A, cause, "E1", "receive",
              "java.net.SocketTimeoutException: Read timed out (60000ms)")
    c.timeout(mins(F, 4.0), B, cause, "E1", "receive", "接收超时 recv timeout 60s")
    for tid, m in ((A, 8), (B, 11), (A, 15), (B, 19), (A, 24), (B, 28), (A, 33), (B, 36),
                   (A, 41), (B, 44)):
        if tid == A:
            code, det = r.choice([
                ("网络连接失败", "java.net.UnknownHostException: Unable to resolve host \"pos.acq-h2.example.cn\""),
                ("网络连接失败", "WifiStateMachine: DHCP renew failed, IP 0.0.0.0"),
                ("E1", "java.net.ConnectException: failed to connect to /10.0.0.1 (port 9001): ENETUNREACH")])
        else:
            code, det = r.choice([
                ("TCPIP ERROR", "DHCP lease renew failed, no IP address"),
                ("TCPIP ERROR", "gethostbyname(pos.acq-h2.example.cn) failed: DNS timeout"),
                ("E1", "[COMM] connect 10.0.0.1 gateway unreachable (WiFi connected, RSSI -57)")])
        c.error(mins(F, m), tid, code, "connect", det, cause)
    c.check(mins(F, 30), "wifi_connected", "ok", tid=A)
    c.check(mins(F, 40), "terminal_restarted", "fail", tid=B)
    c.check(mins(FIX, -1), "router_restarted", "ok", site=sid)
    c.resolution(mins(FIX, 1), cause, site=sid,
                 notes="无线路由器WAN口DHCP失效，重启后恢复 / access point lost its uplink; restarted")
    c.fault("lan-1", cause, {"site_id": sid}, [A, B], F, FIX)


def network_carrier(c, t0):
    """China Unicom's data service drops in part of Wuhan for ~70 minutes: cucc terminals at
    two merchants fail with a normal signal; cmcc and wired terminals next to them work."""
    r = c.rng
    inv = mins(t0, -3)
    m1, s1, m2, s2 = "898420158120110", "WH-110-1", "898420154620233", "WH-233-1"
    c.merchant(inv, m1, "5812", "蔡林记热干面", "wuhan", card_rate=0.006)
    c.site(inv, s1, m1, "蔡林记热干面 光谷店", "wuhan", 30.507, 114.398)
    c.merchant(inv, m2, "5462", "仟吉西饼", "wuhan", card_rate=0.006)
    c.site(inv, s2, m2, "仟吉西饼 街道口店", "wuhan", 30.527, 114.354)
    A, B, C, D, E = "42011001", "42011002", "42023301", "42023302", "42023303"
    c.terminal(inv, A, "newland", "N910", m1, s1, "cellular", "H1", carrier="cucc",
               firmware="N910-1.4.7", form="handheld", rssi=-72, drain=0.05, amount=(8, 90))
    c.terminal(inv, B, "landi", "APOS A8", m1, s1, "cellular", "H1", carrier="cmcc",
               firmware="A8-3.0.9", app_version="6.1.2", form="handheld", rssi=-79, drain=0.06,
               amount=(8, 90))
    c.terminal(inv, C, "pax", "A920", m2, s2, "cellular", "H2", carrier="cucc",
               firmware="A920-9.1.3", app_version="5.0.8", form="handheld", rssi=-69, drain=0.05,
               amount=(10, 200))
    c.terminal(inv, D, "sunmi", "P2", m2, s2, "cellular", "H2", carrier="cucc",
               firmware="P2-V2.14.2", app_version="4.2.0", form="handheld", rssi=-75, drain=0.05,
               amount=(10, 200))
    c.terminal(inv, E, "pax", "S90", m2, s2, "ethernet", "H2", firmware="3.1.5",
               app_version="5.0.8", amount=(10, 200))
    F = mins(t0, 45)
    FIX = mins(F, 68)
    END = mins(FIX, 22)
    cucc = (A, C, D)

    def mod(tid):
        def f(t):
            if tid in cucc and F <= t < FIX:
                k = (t - F).total_seconds() / 60
                if k < 3:
                    return {"latency_ms": int(r.uniform(900, 3000)), "packet_loss": round(r.uniform(0.2, 0.5), 2)}
                return {"online": False}   # still registered: rssi stays where it was
            return {}
        return f

    for tid in (A, B, C, D, E):
        c.beats(tid, t0, END, mod(tid))
        if tid in cucc:
            c.normal_txns(tid, t0, F, gap=(4, 9))
            c.normal_txns(tid, mins(FIX, 1), END, gap=(4, 9))
        else:
            c.normal_txns(tid, t0, END, gap=(4, 9))
    cause = "network.carrier"
    dets = {
        "newland": [("拨号失败", "connect", "PDP激活失败: +CME ERROR: 38 (network failure), CSQ 22"),
                    ("E1", "connect", "通讯错误: 4G已注册但无数据连接, connect 58.211.2.14:9001 timeout")],
        "pax": [("E1", "connect", "[COMM] 4G PPP up, no IP / PDP context rejected (cause 38)"),
                ("E1", "connect", "4G链路无法连接主机: socket connect ETIMEDOUT, RSSI -70")],
        "sunmi": [("网络连接失败", "connect", "java.net.SocketTimeoutException: failed to connect to pos.acq-h2.example.cn after 30000ms (LTE, signal good)"),
                  ("E1", "connect", "ConnectivityManager: mobile data connected but no internet (validation failed)")],
    }
    for tid, ms in ((A, (5, 14, 26, 37, 49, 60)), (C, (7, 18, 31, 44, 57)), (D, (3, 12, 23, 35, 46, 63))):
        for i, m in enumerate(ms):
            t = mins(F, m + r.uniform(-0.5, 0.5))
            if i == 0 and tid != D:
                c.timeout(t, tid, cause, "E1", "receive",
                          "接收超时 recv timeout 60s" if tid == A else "[COMM] recv timeout, reversal saved")
                continue
            code, stage, det = r.choice(dets[c.t[tid]["vendor"]])
            c.error(t, tid, code, stage, det, cause)
    c.complaint(mins(F, 25), "C-4402", "merchant", m2, "店里两台4G的POS都连不上，插网线那台正常")
    c.check(mins(F, 30), "sim_signal", "ok", tid=C)
    c.resolution(mins(FIX, 5), cause, incident="INC-20261128-cucc-wuhan",
                 notes="联通武汉洪山区基站传输故障，数据业务中断约70分钟 / carrier backhaul outage")
    c.fault("carrier-1", cause, {"carrier": "cucc", "city": "wuhan"}, list(cucc), F, FIX)


def transmission_corruption(c, t0):
    """An mPOS card reader paired with the merchant's phone by Bluetooth: the link is flaky;
    frames arrive corrupted, the host rejects what it gets; keys and network are fine."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898330157990805", "NB-805-1", "33080501"
    c.merchant(inv, mid, "5799", "阿强水果捞(流动摊位)", "ningbo", card_rate=0.006)
    c.site(inv, sid, mid, "阿强水果捞 天一广场夜市", "ningbo", 29.869, 121.556)
    c.terminal(inv, T, "newland", "ME31", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="ME31-1.2.5", app_version="3.0.4", form="handheld", rssi=-76,
               drain=0.1, battery=84, amount=(10, 80),
               fields=VENDOR_FIELDS["newland"] - {"printer", "temp_c", "keypad_errors"})
    F = mins(t0, 80)
    FIX = mins(F, 75)
    END = mins(FIX, 25)
    c.beats(T, t0, END)
    c.normal_txns(T, t0, F, gap=(3, 7))
    c.normal_txns(T, FIX, END, gap=(3, 7))
    cause = "transmission.corruption"
    t = mins(F, 1)
    i = 0
    while t < FIX:
        x = r.random()
        if x < 0.45:
            c.txn(t, T)
        elif x < 0.62:
            c.error(t, T, "E1", "send",
                    r.choice(["BT RFCOMM: frame CRC mismatch (len 212/236), 蓝牙数据校验错",
                              "蓝牙通讯异常: 收到数据长度不符 expect 236 got 198",
                              "BT link reset during APDU exchange, seq=0x3A"]), cause)
        elif x < 0.78:
            c.txn(t, T, "30", cause=cause)
        elif x < 0.88:
            c.txn(t, T, "A0", cause=cause, channel="card_ic")
        else:
            c.error(t, T, "E4", "receive",
                    r.choice(["报文解包错: 55域长度越界 field 55 len 0x9F > buf",
                              "unpack error: bitmap says field 64 present, message truncated at 181"]), cause)
        i += 1
        t = mins(t, r.uniform(2.5, 5.5))
    c.check(mins(FIX, -12), "key_check", "ok", tid=T)
    c.check(mins(FIX, -5), "bluetooth_repair", "ok", tid=T)
    c.maintenance(mins(FIX, -2), T, "part_replaced", "更换刷卡器USB/蓝牙模块数据线并重新配对 / re-paired, cable replaced")
    c.resolution(FIX, cause, tid=T, notes="刷卡器与手机之间蓝牙链路丢包、报文损坏 / corrupted frames on the BT link")
    c.fault("corrupt-1", cause, {"terminal_id": T}, [T], F, FIX)
