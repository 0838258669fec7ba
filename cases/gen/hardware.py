"""Hardware and power causes."""

from lib import mins, secs, within


def hardware_keypad(c, t0):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898320154110412", "NJ-412-1", "32041201"
    c.merchant(inv, mid, "5411", "苏果好的便利", "nanjing", card_rate=0.006)
    c.site(inv, sid, mid, "苏果好的便利 中山东路店", "nanjing", 32.043, 118.792)
    c.terminal(inv, T, "newland", "SP60", mid, sid, "ethernet", "H1", firmware="2.6.3",
               app_version="1.9.12", amount=(5, 220), installed="2022-08-19T00:00:00Z")
    F = mins(t0, 80)
    FIX = mins(F, 80)
    END = mins(FIX, 25)
    boot = mins(F, 60)

    def mod(t):
        o = {}
        if F <= t < FIX:
            k = (t - F).total_seconds() / 60
            o["keypad_errors"] = r.choice([0, 0, 1]) if k < 8 else r.choice([0, 1, 1, 2, 3, 4])
        if boot <= t < mins(boot, 1.1):
            if t < mins(boot, 0.5):
                return None
            o["reboot"] = "user"
        return o

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, F, gap=(3, 8))
    c.normal_txns(T, FIX, END, gap=(3, 8))
    # during the fault QR and small contactless payments (no PIN) still go through
    t = mins(F, 2)
    while t < FIX:
        c.txn(t, T, channel=r.choice(["qr", "qr", "nfc"]))
        t = mins(t, r.uniform(4, 9))
    cause = "hardware.keypad"
    for m, det in ((12, "PIN输入异常: 按键[5]扫描抖动 KEY_5 bounce, 输入超时退出"),
                   (26, "KBD: key matrix row2/col2 stuck, PIN entry aborted"),
                   (44, "按键[确认]无响应, 密码输入超时"),
                   (63, "KBD: KEY_5 held > 3000 ms after power-on, PIN pad disabled"),
                   (71, "密码键盘按键异常: 5键卡住")):
        c.error(mins(F, m), T, "E6", "pin", det, cause)
    # PINs typed on a key that bounces: the issuer sees a wrong PIN, card after card
    for m in (18, 37, 52):
        c.txn(mins(F, m), T, "55", channel="card_ic", cause=cause, credit=False)
    # and an ordinary decline somewhere in the middle
    c.txn(mins(F, 31), T, "51", channel="card_ic", cause="card.decline", amount=19900)
    c.complaint(mins(F, 40), "C-3417", "customer", mid, "我的密码肯定没输错，刷了三次都说密码错误", tid=T)
    c.check(mins(F, 74), "keypad_test", "fail", tid=T)
    c.maintenance(mins(FIX, -2), T, "part_replaced", "更换键盘膜和导电胶 / keypad membrane and rubber contacts replaced")
    c.resolution(FIX, cause, tid=T, notes="5键导电胶老化卡键 / key 5 contact worn and sticking")
    c.fault("keypad-1", cause, {"terminal_id": T}, [T], F, FIX)


def hardware_display(c, t0):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898440159120305", "GZ-305-1", "44030501"
    c.merchant(inv, mid, "5912", "康民大药房", "guangzhou", card_rate=0.006)
    c.site(inv, sid, mid, "康民大药房 北京路店", "guangzhou", 23.125, 113.269)
    c.terminal(inv, T, "centerm", "C960", mid, sid, "ethernet", "H2", firmware="C960-V2.3.6",
               app_version="3.2.1", supply=5.11, temp=40.2, amount=(12, 380))
    F = mins(t0, 85)
    FIX = mins(F, 82)
    END = mins(FIX, 22)
    boots = [mins(F, 6), mins(F, 21), mins(F, 47), mins(F, 69), mins(F, 77)]

    def mod(t):
        o = {}
        for b in boots:
            if b <= t < mins(b, 1.6):
                if t < mins(b, 0.6):
                    return None
                o["reboot"] = "user"
        if FIX <= t < mins(FIX, 1.2):
            o["reboot"] = "user"
        return o

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, END, gap=(4, 10), avoid=[(b, mins(b, 2)) for b in boots])
    cause = "hardware.display"
    dets = ["LCD self-test fail: no ACK from display controller (i2c 0x3C)",
            "液晶屏自检失败: 显示驱动无应答",
            "LCD init timeout, backlight on, panel not responding",
            "显示屏异常: 屏幕花屏, 驱动IC复位失败",
            "LCD self-test fail: frame buffer readback mismatch"]
    for b, det in zip(boots, dets):
        c.error(secs(b, r.randint(62, 80)), T, "E5", "power_on", det, cause)
    c.complaint(mins(F, 35), "C-0831", "merchant", mid,
                "收银台POS屏幕花屏、一会儿黑屏，顾客看不到金额，重启了好几次还是这样", tid=T)
    c.check(mins(F, 58), "screen_visual", "fail", tid=T)
    c.check(mins(F, 59), "adapter_voltage", "5.10", tid=T)
    c.maintenance(mins(FIX, -1), T, "part_replaced", "更换液晶屏及排线 / LCD panel and flex cable replaced")
    c.resolution(FIX, cause, tid=T, notes="液晶屏排线断裂 / display flex cable cracked")
    c.fault("display-1", cause, {"terminal_id": T}, [T], F, FIX)


def hardware_card_reader(c, t0):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898310054620077", "SH-077-1", "31007701"
    c.merchant(inv, mid, "5462", "麦香园面包房", "shanghai", card_rate=0.006)
    c.site(inv, sid, mid, "麦香园面包房 静安店", "shanghai", 31.229, 121.448)
    c.terminal(inv, T, "pax", "A920", mid, sid, "wifi", "H1", firmware="A920-9.1.3",
               app_version="5.0.8", form="handheld", rssi=-54, drain=0.0, battery=97,
               amount=(6, 180))
    F = mins(t0, 85)
    FIX = mins(F, 90)
    END = mins(FIX, 20)
    clean = mins(F, 48)

    def mod(t):
        o = {}
        if F <= t < FIX:
            k = (t - F).total_seconds() / 60
            hi = 1 if k < 15 else 3 if t < clean or t > mins(clean, 15) else 1
            o["card_reader_errors"] = r.randint(0, hi)
        return o

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, F, gap=(3, 8))
    c.normal_txns(T, FIX, END, gap=(3, 8))
    t = mins(F, 1)
    while t < FIX:   # contactless and QR are fine; some chip cards still read
        c.txn(t, T, channel=r.choice(["nfc", "qr", "nfc", "card_ic"]))
        t = mins(t, r.uniform(3.5, 8))
    cause = "hardware.card_reader"
    plan = [(9, "IC卡上电失败: ATR timeout (slot 0)"),
            (21, "icc: ATR error ret=-1013, 请重新插卡"),
            (24, "IC card reset failed (-1013), fallback to MSR"),
            (33, "读卡失败: 磁条 track2 LRC error"),
            (41, "EMV: card not responding after SELECT (SW 6F00)"),
            (57, "IC卡上电失败: ATR timeout (slot 0)"),
            (66, "icc: ATR error ret=-1013, 请重新插卡"),
            (72, "读卡失败: 磁条 track2 LRC error"),
            (81, "IC card reset failed (-1013), fallback to MSR")]
    for m, det in plan:
        c.error(mins(F, m), T, "E5", "card_read", det, cause)
        if "fallback" in det:   # the fallback swipe goes through
            c.txn(mins(F, m + 0.8), T, channel="card_swipe")
    c.maintenance(clean, T, "weekly_clean", "清洁IC卡座与磁头 / cleaned IC slot and magnetic head")
    c.check(mins(F, 75), "card_read_test", "fail", tid=T)
    c.maintenance(mins(FIX, -1), T, "part_replaced", "更换IC卡座模块 / IC card reader module replaced")
    c.resolution(FIX, cause, tid=T, notes="IC卡座触点磨损 / IC contacts worn")
    c.fault("cardreader-1", cause, {"terminal_id": T}, [T], F, FIX)


def hardware_printer(c, t0, pre=80, post=55):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898420158140219", "WH-219-1", "42021901"
    c.merchant(inv, mid, "5814", "一点甜奶茶", "wuhan", card_rate=0.006)
    c.site(inv, sid, mid, "一点甜奶茶 江汉路店", "wuhan", 30.580, 114.284)
    c.terminal(inv, T, "newland", "N910", mid, sid, "cellular", "H2", carrier="cucc",
               firmware="N910-1.4.7", app_version="2.3.0", form="handheld", rssi=-76,
               drain=0.12, battery=90, amount=(9, 60))
    F = mins(t0, pre)
    LOAD = mins(F, 14)
    FIX = mins(F, 31)
    END = mins(FIX, post)

    def mod(t):
        if F <= t < LOAD:
            return {"printer": "paper_out"}
        if LOAD <= t < FIX:
            return {"printer": "fault"}
        return {}

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, F, gap=(3, 7))
    c.normal_txns(T, FIX, END, gap=(3, 7))
    cause = "hardware.printer"
    t = mins(F, 0.7)
    while t < FIX:
        # payment approved, the slip does not come out
        c.txn(t, T)
        det = (r.choice(["打印机缺纸 PRN_ERR_PAPEROUT(-4002)", "printer: paper end sensor active"])
               if t < LOAD else
               r.choice(["打印失败: 卡纸 PRN_ERR_PAPERJAM(-4004)", "printer head lifted / paper jam, 请检查纸仓"]))
        c.error(secs(t, r.randint(4, 7)), T, "E8", "print", det, cause)
        t = mins(t, r.uniform(2.5, 5))
    c.maintenance(LOAD, T, "daily_check", "店员装入新纸卷 / new paper roll loaded")
    c.check(mins(FIX, -2), "printer_test", "fail", tid=T)
    c.maintenance(FIX, T, "daily_check", "纸卷装反导致卡纸，重新装纸后打印正常 / roll loaded backwards; reloaded")
    c.resolution(mins(FIX, 1), cause, tid=T, notes="缺纸，之后纸卷装反卡纸 / out of paper, then roll loaded backwards")
    c.fault("printer-1", cause, {"terminal_id": T}, [T], F, FIX)


def hardware_board(c, t0):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898370152510164", "QD-164-1", "37016401"
    c.merchant(inv, mid, "5251", "鑫达五金建材", "qingdao", card_rate=0.006)
    c.site(inv, sid, mid, "鑫达五金建材 城阳店", "qingdao", 36.307, 120.396)
    c.terminal(inv, T, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", supply=5.07, temp=39.2, amount=(15, 900),
               installed="2021-05-06T00:00:00Z")
    F = mins(t0, 90)
    FIX = mins(F, 82)
    END = mins(FIX, 20)
    wd = [mins(F, 22), mins(F, 41), mins(F, 55), mins(F, 68)]

    def mod(t):
        o = {}
        if F <= t < FIX:
            k = (t - F).total_seconds() / 60
            o["temp_c"] = round(min(63, 40 + k * 0.45) + r.gauss(0, 0.8), 1)
            for w in wd:
                if w <= t < secs(w, 75):
                    return None
                if secs(w, 75) <= t < secs(w, 137):
                    o["reboot"] = "watchdog"
        if FIX <= t < mins(FIX, 1.1):
            o["reboot"] = "user"
        return o

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, F, gap=(4, 10))
    c.normal_txns(T, FIX, END, gap=(4, 10))
    t = mins(F, 2)
    while t < mins(F, 20):
        c.txn(t, T)
        t = mins(t, r.uniform(4, 9))
    cause = "hardware.board"
    for w in wd:
        c.error(secs(w, r.randint(80, 100)), T, "E1", "power_on",
                r.choice(["开机自检失败: 安全处理器(SP)无响应 err=-3504",
                          "POST: SP comm timeout (err -3504), PED unavailable",
                          "开机自检未通过: RTC/SP 通讯异常"]), cause)
    # frozen after sending: the answer never got processed
    c.txn(secs(wd[1], -20), T, timed_out=True, cause=cause, amount=156000, channel="card_ic")
    c.txn(secs(wd[3], -15), T, timed_out=True, cause=cause, channel="card_ic")
    for m in (30, 47, 61, 75):
        c.error(mins(F, m), T, "E1", "card_read",
                r.choice(["EMV kernel: SP busy, card read aborted (-3504)",
                          "读卡失败: 安全处理器忙, 交易终止"]), cause)
    c.check(mins(F, 63), "terminal_restarted", "fail", tid=T)
    c.check(mins(F, 76), "adapter_voltage", "5.08", tid=T)
    c.maintenance(mins(FIX, -1), T, "repair",
                  "主板受潮腐蚀（柜台饮料泼洒），更换主板 / board corroded after a drink spill, replaced")
    c.resolution(FIX, cause, tid=T, notes="主板腐蚀漏电发热 / corroded board leaking current and overheating")
    c.fault("board-1", cause, {"terminal_id": T}, [T], F, FIX)


def power_supply(c, t0):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898420154990530", "WH-530-1", "42053001"
    c.merchant(inv, mid, "5499", "老李鲜果行", "wuhan", card_rate=0.0055)
    c.site(inv, sid, mid, "老李鲜果行 汉口菜市场", "wuhan", 30.604, 114.276)
    c.terminal(inv, T, "centerm", "C960", mid, sid, "ethernet", "H2", firmware="C960-V2.3.6",
               app_version="3.2.1", supply=5.09, temp=36.0, amount=(6, 120))
    F = mins(t0, 75)
    FIX = mins(F, 85)
    END = mins(FIX, 25)
    # the fruit fridge's compressor on the same power strip starts every ~11 minutes
    comp = []
    t = mins(F, 1)
    while t < FIX:
        comp.append(t)
        t = mins(t, r.uniform(9.5, 12.5))
    deep = set(r.sample(range(len(comp)), 3))
    off = [(comp[i], secs(comp[i], r.randint(60, 80))) for i in sorted(deep)]

    def mod(t):
        if within(t, off):
            return None
        o = {}
        if F <= t < FIX:
            o["supply_v"] = round(r.gauss(4.86, 0.07), 2)
            o["power_events"] = r.choice([0, 0, 0, 1])
            for i, cs in enumerate(comp):
                if cs <= t < secs(cs, 70):
                    o["supply_v"] = round(r.uniform(4.02, 4.4) if i in deep else r.uniform(4.32, 4.55), 2)
                    o["power_events"] = r.randint(1, 3)
            for a, b in off:
                if b <= t < secs(b, 62):
                    o["reboot"] = "power_loss"
                    o["power_events"] = r.randint(2, 4)
        return o

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, END, gap=(3, 8),
                  avoid=[(secs(cs, -40), secs(cs, 140)) for cs in comp])
    cause = "power.supply"
    for i, cs in enumerate(comp):
        if i in deep:
            # down in the middle of a payment sometimes
            if r.random() < 0.7:
                c.txn(secs(cs, -r.randint(8, 25)), T, timed_out=True, cause=cause)
            b = dict(off)[cs]
            c.error(secs(b, r.randint(10, 25)), T, "E1", "power_on",
                    r.choice(["终端自检: 电源电压不稳 VIN=4.1V, 安全模块复位",
                              "POST: supply undervoltage during boot, SE reset"]), cause)
        else:
            if r.random() < 0.75:
                v = r.uniform(4.32, 4.48)
                c.error(secs(cs, r.randint(5, 40)), T, "电源电压异常", "power_on",
                        f"PowerMonitor: VIN={v:.2f}V < 4.50V threshold", cause)
    c.check(mins(FIX, -20), "adapter_voltage", "4.41", tid=T)
    c.maintenance(mins(FIX, -3), T, "part_replaced",
                  "更换电源适配器，终端改接独立插座，不再与冰柜共用插排 / new adapter, own socket away from the fridge")
    c.resolution(FIX, cause, tid=T, notes="与冰柜压缩机共用插排，启动时电压跌落 / shared strip with the fridge compressor")
    c.fault("power-1", cause, {"terminal_id": T}, [T], F, FIX)


def power_battery(c, t0):
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898350158120641", "XM-641-1"
    A, B = "35064101", "35064102"
    c.merchant(inv, mid, "5812", "鹭岛海鲜大排档", "xiamen", card_rate=0.006)
    c.site(inv, sid, mid, "鹭岛海鲜大排档 曾厝垵店", "xiamen", 24.432, 118.126)
    c.terminal(inv, A, "ingenico", "Move5000", mid, sid, "wifi", "H1", firmware="TETRA-11.16",
               app_version="2.8.4", form="handheld", rssi=-60, battery=100, amount=(80, 1200),
               installed="2023-04-02T00:00:00Z")
    c.terminal(inv, B, "ingenico", "Move5000", mid, sid, "wifi", "H1", firmware="TETRA-11.16",
               app_version="2.8.4", form="handheld", rssi=-57, battery=93, drain=0.14,
               amount=(80, 1200))
    OUT1 = mins(t0, 65)                # taken to the tables, dinner service
    DIE1 = mins(OUT1, 27)
    CRADLE1 = mins(DIE1, 5)
    OUT2 = mins(CRADLE1, 17)
    DIE2 = mins(OUT2, 12)
    CRADLE2 = mins(DIE2, 3)
    FIX = mins(CRADLE2, 14)
    END = mins(FIX, 22)

    def level(t):
        m = lambda a, b: (b - a).total_seconds() / 60  # noqa: E731
        if t < OUT1:
            return 100
        if t < DIE1:   # the gauge falls fast, then the voltage collapses under load
            return max(14, 100 - 2.6 * m(OUT1, t) - 0.05 * m(OUT1, t) ** 2)
        if t < CRADLE1:
            return None
        if t < OUT2:
            return 2 + 1.3 * m(CRADLE1, t)
        if t < DIE2:
            return max(6, 2 + 1.3 * m(CRADLE1, OUT2) - 3.1 * m(OUT2, t))
        if t < CRADLE2:
            return None
        if t < FIX:
            return 1 + 1.2 * m(CRADLE2, t)
        return min(100, 60 + 1.5 * m(FIX, t))   # new battery, charged in the workshop

    def mod(t):
        lv = level(t)
        if lv is None:
            return None
        o = {"battery_pct": int(round(lv + r.gauss(0, 0.4)))}
        for cr in (CRADLE1, CRADLE2, FIX):
            if cr <= t < mins(cr, 1.1):
                o["reboot"] = "power_loss" if cr != FIX else "user"
        return o

    c.beats(A, t0, END, mod)
    c.beats(B, t0, END)
    c.normal_txns(B, t0, END, gap=(4, 9))
    c.normal_txns(A, t0, END, gap=(4, 9),
                  avoid=[(mins(DIE1, -3), mins(CRADLE1, 1)), (mins(DIE2, -3), mins(CRADLE2, 1))])
    cause = "power.battery"
    c.error(mins(DIE1, -6), A, "BATTERY LOW", None, "BATT: Vbat 3.46V under load, gauge 21%", cause)
    c.txn(mins(DIE1, -0.4), A, timed_out=True, cause=cause, amount=48800, channel="card_ic", credit=True)
    c.error(secs(CRADLE1, 75), A, "E1", "power_on", "电池电量耗尽, 上次交易未完成 Vbat=3.31V, 冲正待发送", cause)
    c.error(mins(DIE2, -4.5), A, "BATTERY LOW", None, "电量低，请放回底座充电 Vbat 3.50V", cause)
    c.error(mins(DIE2, -1.2), A, "BATTERY LOW", None, "BATT: Vbat 3.38V, shutdown imminent", cause)
    c.error(secs(CRADLE2, 80), A, "E1", "power_on", "Battery critical at boot (3.29V), radio disabled", cause)
    c.complaint(mins(DIE1, 8), "C-7710", "merchant", mid,
                "A号手持机下午刚充满，拿出去半小时就没电关机，顾客付款一半断了", tid=A)
    c.check(mins(CRADLE2, 6), "battery_health", "fail", tid=A)
    c.maintenance(mins(FIX, -1), A, "part_replaced", "更换电池（原电池容量仅剩 38%） / battery replaced, old one at 38% capacity")
    c.resolution(FIX, cause, tid=A, notes="电池老化 / battery worn out")
    c.fault("battery-1", cause, {"terminal_id": A}, [A], OUT1, FIX)
