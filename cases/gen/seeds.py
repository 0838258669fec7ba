"""The seed document's two cases (DIGEST.md, A8)."""

from lib import mins, secs, within


def seed_shop_power(c, t0, pre=35, power=60, post=50):
    """Case 1: a shop whose mains power is unstable one afternoon; every terminal shows E1;
    after the power is fixed one terminal keeps failing: its main board was damaged."""
    r = c.rng
    inv = mins(t0, -5)
    mid, sid = "898330154110023", "HZ-023-1"
    c.merchant(inv, mid, "5411", "万家便利超市", "hangzhou", card_rate=0.006, qr_rate=0.0038)
    c.site(inv, sid, mid, "万家便利超市 文三路店", "hangzhou", 30.279, 120.131)
    A, B, C, D = "33023001", "33023002", "33023003", "33023004"
    c.terminal(inv, A, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", supply=5.07, temp=39.0, mem=44, storage=38, amount=(4, 160),
               installed="2024-03-11T00:00:00Z")
    c.terminal(inv, B, "pax", "S800", mid, sid, "wifi", "H1", firmware="3.1.5", app_version="5.0.8",
               rssi=-58, supply=5.10, temp=37.5, mem=51, storage=46, amount=(4, 160))
    c.terminal(inv, C, "newland", "SP60", mid, sid, "ethernet", "H1", firmware="2.6.3",
               app_version="1.9.12", mem=39, storage=33, temp=40.5, amount=(4, 160))
    c.terminal(inv, D, "newland", "SP60", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="2.6.3", app_version="1.9.12", rssi=-71, mem=41, storage=35, temp=40.0,
               amount=(4, 160))
    P = mins(t0, pre)          # the mains start to misbehave
    E = mins(P, power)         # electrician fixes the distribution box
    END = mins(E, post)
    # what the mains did: dips (no reboot), surges, brownouts (everything on mains reboots,
    # the shop's router too: it needs ~3.5 min to come back)
    episodes = [(1, "dip"), (4, "brownout"), (11, "dip"), (15, "surge"), (19, "brownout"),
                (27, "dip"), (33, "brownout"), (41, "dip"), (46, "surge"), (50, "brownout"),
                (56, "dip")]
    brown = [secs(mins(P, m), r.randint(0, 40)) for m, k in episodes if k == "brownout"]
    dips = [secs(mins(P, m), r.randint(0, 40)) for m, k in episodes if k == "dip"]
    surges = [secs(mins(P, m), r.randint(0, 40)) for m, k in episodes if k == "surge"]
    boot = {tid: [r.randint(55, 95) for _ in brown] for tid in (A, B, C, D)}
    off = {tid: [(b, secs(b, boot[tid][i])) for i, b in enumerate(brown)] for tid in boot}
    router_down = [(b, secs(b, 215)) for b in brown]
    wired = (A, B, C)  # behind the shop's router (B by wifi)

    # after the fix A's board is failing: it hangs and the watchdog restarts it
    wd = [mins(E, 7.5), mins(E, 19.2), mins(E, 31.0)]
    A_fix = mins(E, 38)

    def mod(tid):
        boots = [w for _, w in off[tid]]

        def f(t):
            if within(t, off[tid]):
                return None
            o = {}
            if P <= t < E:
                o["supply_v"] = round(r.gauss(4.80, 0.16), 2)
                o["power_events"] = r.choice([0, 0, 1, 1, 2])
                for d in dips:
                    if d <= t < secs(d, 75):
                        o["supply_v"] = round(r.uniform(4.18, 4.46), 2)
                        o["power_events"] = r.randint(3, 6)
                for s_ in surges:
                    if s_ <= t < secs(s_, 75):
                        o["supply_v"] = round(r.uniform(5.58, 5.86), 2)
                        o["power_events"] = r.randint(2, 4)
                for w in boots:
                    if w <= t < secs(w, 62):
                        o["reboot"] = "power_loss"
                        o["power_events"] = r.randint(2, 5)
                        o["supply_v"] = round(r.uniform(4.35, 4.6), 2)
                if tid in wired and within(t, router_down):
                    o["online"] = False
            if tid == A and t >= E:
                if t < A_fix:
                    o["temp_c"] = round(r.gauss(49.5, 1.2), 1)
                    for w in wd:
                        if secs(w, 70) <= t < secs(w, 132):
                            o["reboot"] = "watchdog"
                    if any(w <= t < secs(w, 70) for w in wd):
                        return None
                elif t < mins(A_fix, 1.2):
                    o["reboot"] = "user"
            return o
        return f

    for tid in (A, B, C, D):
        c.beats(tid, t0, END, mod(tid))

    # ---- transactions: a busy convenience store -------------------------------
    busy = {A: (2.5, 7), B: (3, 9), C: (3, 9), D: (4, 11)}
    for tid in (A, B, C, D):
        bad = [(P, E)]
        if tid == A:
            bad = [(P, A_fix)]
        c.normal_txns(tid, t0, END, gap=busy[tid], avoid=bad)

    cause = "power.supply"
    # during the bad hour: payments between the disturbances still go through sometimes
    for tid in (A, B, C, D):
        t = mins(P, r.uniform(0.5, 3))
        end = E if tid != A else E
        while t < end:
            blocked = within(t, off[tid]) or (tid in wired and within(t, router_down))
            near = any(abs((t - x).total_seconds()) < 90 for x in dips + surges + brown)
            if not blocked and not near:
                c.txn(t, tid)
            t = mins(t, r.uniform(4, 9))

    for i, b in enumerate(brown):
        # a payment in flight when the lights flickered: sent, never answered
        for tid in r.sample([A, B, C, D], 2):
            ts = secs(b, -r.randint(12, 30))
            c.txn(ts, tid, timed_out=True, cause=cause, credit=r.random() < 0.4)
        # self-test complaints while the supply is still low at boot
        for tid in r.sample([A, B, C, D], 3):
            w = off[tid][i][1]
            v = r.uniform(4.12, 4.38)
            if c.t[tid]["vendor"] == "pax":
                det = r.choice([f"开机自检: 供电电压低 VIN={v:.2f}V, SP 复位, 重新初始化",
                                f"POST: input voltage low ({v:.2f}V), secure processor reset",
                                f"开机自检未通过: 电源欠压 {v:.2f}V"])
            else:
                det = r.choice([f"SP60 POST fail: VCC_MAIN under-voltage {v:.2f}V, SE reset",
                                f"开机自检失败: 主电源欠压 {v:.2f}V, 安全芯片复位"])
            c.error(secs(w, r.randint(8, 20)), tid, "E1", "power_on", det, cause)
        # the router is still booting: wired and wifi terminals cannot reach the host
        for tid in r.sample(list(wired), 2):
            w = off[tid][i][1]
            ts = secs(w, r.randint(40, 120))
            if ts >= router_down[i][1]:
                continue
            if c.t[tid]["vendor"] == "pax":
                det = r.choice(["[COMM] connect 10.18.4.20:8583 fail, ret=-3 (ETIMEDOUT)",
                                "TCP连接主机失败: Network is unreachable"])
            else:
                det = r.choice(["NDK_TcpConnect ret=-3002 连接超时",
                                "通讯失败: 无法连接主机 10.18.4.20:8583"])
            c.error(ts, tid, "E1", "connect", det, cause)
    # dips without a reboot still knock the modem / PHY: the reply never arrives
    for d in dips[1:4]:
        tid = r.choice([B, D])
        c.timeout(secs(d, 12), tid, cause, "E1", "receive",
                  "接收超时 recv timeout 60s" if tid == B else "NDK_TcpRead timeout, 冲正已保存",
                  credit=True)
    # an ordinary decline in the middle of it all
    c.txn(mins(P, 38.3), D, "51", channel="card_ic", cause="card.decline", amount=23800)
    c.complaint(mins(P, 26), "C-2311", "merchant", mid,
                "下午店里所有POS机都显示E1，好多顾客刷不了卡，只能扫码或者付现金")
    c.check(mins(P, 44), "terminal_restarted", "fail", tid=A)
    c.check(mins(P, 52), "mains_voltage", "178-243V 波动", site=sid)
    c.check(mins(E, -2), "adapter_voltage", "4.52", tid=C)
    c.resolution(E, "power.supply", site=sid,
                 notes="配电箱零线端子松动，电工紧固后市电恢复稳定 / loose neutral in the distribution box, tightened")
    c.check(mins(E, 1), "mains_voltage", "221", site=sid)

    # ---- after the fix: A's damaged board -------------------------------------
    cb = "hardware.board"
    for w in wd:
        c.error(secs(w, r.randint(75, 95)), A, "E1", "power_on",
                r.choice(["开机自检失败: 安全处理器(SP)无响应 err=-3504",
                          "POST: SP comm timeout (err -3504), PED unavailable"]), cb)
    for m in (3.2, 12.8, 24.5, 27.9, 35.1):
        c.error(mins(E, m), A, "E1", "pin",
                r.choice(["PED: SP no response, get PIN failed (-3504)",
                          "密码键盘(内置PED)无响应, 交易终止"]), cb)
    c.txn(mins(E, 18.4), A, timed_out=True, cause=cb, credit=True)
    c.check(mins(E, 15), "terminal_restarted", "fail", tid=A)
    c.check(mins(E, 33), "adapter_voltage", "5.06", tid=A)
    c.maintenance(A_fix, A, "repair",
                  "主板电源管理芯片(PMIC)击穿，更换主板 / PMIC burnt by the surge, main board replaced")
    c.resolution(mins(A_fix, 2), cb, tid=A, notes="市电浪涌损坏主板，已更换 / board damaged by the surge")
    c.fault("seed1-power", "power.supply", {"site_id": sid}, [A, B, C, D], P, E)
    c.fault("seed1-board", cb, {"terminal_id": A}, [A], E, A_fix)


def seed_restaurant_router(c, t0, pre=35, fault=50, post=30):
    """Case 2: a large restaurant; a credit card payment fails with E1; the waiter restarts the
    terminal in vain; the router is failing; restarting it fixes everything."""
    r = c.rng
    inv = mins(t0, -5)
    mid, sid = "898510058120088", "CD-088-1"
    c.merchant(inv, mid, "5812", "蜀香阁火锅", "chengdu", card_rate=0.006, qr_rate=0.0038)
    c.site(inv, sid, mid, "蜀香阁火锅 万达广场店", "chengdu", 30.657, 104.080)
    A, B, C, D = "51088001", "51088002", "51088003", "51088004"
    c.terminal(inv, A, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", supply=5.09, amount=(60, 1600))
    c.terminal(inv, B, "pax", "A920", mid, sid, "wifi", "H1", firmware="A920-9.1.3",
               app_version="5.0.8", form="handheld", rssi=-56, drain=0.09, mem=57, amount=(60, 1600))
    c.terminal(inv, C, "pax", "A920", mid, sid, "wifi", "H1", firmware="A920-9.1.3",
               app_version="5.0.8", form="handheld", rssi=-61, drain=0.1, mem=55, amount=(60, 1600))
    c.terminal(inv, D, "newland", "N910", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="N910-1.4.7", form="handheld", rssi=-73, drain=0.08, amount=(60, 1600))
    P = mins(t0, pre)
    R = mins(P, fault)   # router restarted
    END = mins(R, post)
    # the router's NAT table fills: first slow and lossy, then dropping out in bursts
    drop = [(mins(P, 14), mins(P, 19)), (mins(P, 24), mins(P, 31)), (mins(P, 36), mins(P, 43)),
            (mins(P, 46), R)]
    reboot_b = mins(P, 11)

    def mod(tid):
        def f(t):
            o = {}
            if tid in (A, B, C) and P <= t < secs(R, 90):
                if within(t, drop) or t >= R:
                    o["online"] = False
                else:
                    k = min(1.0, (t - P).total_seconds() / 900)
                    o["latency_ms"] = int(r.gauss(280 + 700 * k, 160))
                    o["packet_loss"] = round(min(0.6, max(0.02, r.gauss(0.06 + 0.18 * k, 0.04))), 2)
            if tid == B and reboot_b <= t < mins(reboot_b, 1.5):
                if t < mins(reboot_b, 0.6):
                    return None
                o["reboot"] = "user"
            return o
        return f

    for tid in (A, B, C, D):
        c.beats(tid, t0, END, mod(tid))
    cause = "network.lan"
    for tid in (A, B, C):
        c.normal_txns(tid, t0, P, gap=(3, 7))
        c.normal_txns(tid, mins(R, 2), END, gap=(3, 7))
    c.normal_txns(D, t0, END, gap=(3, 8))   # the 4G terminal keeps working
    # the first failure: a customer's credit card, at a table, on a wifi handheld
    s = c.txn(mins(P, 6), B, timed_out=True, cause=cause, channel="card_ic", credit=True,
              amount=68600)
    c.error(mins(P, 7.02), B, "E1", "receive", "接收超时 recv timeout 60s, 冲正已保存", cause, stan=s)
    c.maintenance(mins(P, 10), B, "daily_check", "服务员按故障指引重启终端 / waiter restarted the terminal")
    c.check(mins(P, 12.5), "wifi_connected", "ok", tid=B)
    c.error(mins(P, 13.2), B, "E1", "connect", "[COMM] connect 119.6.88.20:8583 fail, ret=-3 (ETIMEDOUT)", cause)
    c.check(mins(P, 13.6), "terminal_restarted", "fail", tid=B)
    # and everywhere behind the router after that
    plan = [(A, 9.4, "t"), (C, 16.0, "c"), (A, 17.5, "c"), (B, 21.0, "t"), (C, 25.5, "c"),
            (A, 27.3, "c"), (B, 29.2, "c"), (C, 33.0, "t"), (A, 37.1, "c"), (B, 39.6, "c"),
            (A, 44.2, "t"), (C, 47.0, "c"), (B, 48.3, "c")]
    for tid, m, k in plan:
        t = mins(P, m)
        if k == "t":
            det = "接收超时 recv timeout 60s" if tid != A else "[COMM] recv timeout, reversal saved"
            c.timeout(t, tid, cause, "E1", "receive", det, credit=r.random() < 0.5)
        else:
            det = r.choice(["[COMM] connect 119.6.88.20:8583 fail, ret=-3 (ETIMEDOUT)",
                            "TCP连接主机失败: No route to host",
                            "DNS解析失败 / gethostbyname pos.acq.example.cn failed"])
            c.error(t, tid, "E1", "connect", det, cause)
    # payments between the drop-outs sometimes still make it, slowly
    for tid, m in ((A, 22.2), (C, 20.4), (B, 34.0), (A, 33.5)):
        c.txn(mins(P, m), tid, latency=r.randint(3800, 9500))
    c.complaint(mins(P, 30), "C-5120", "customer", mid,
                "信用卡付款一直显示E1，服务员重启了机器还是不行，等了二十分钟", tid=B)
    c.check(mins(R, -3), "lan_link", "ok", tid=A)
    c.check(R, "router_restarted", "ok", site=sid)
    c.check(mins(R, 4), "terminal_restarted", "ok", tid=B)
    c.resolution(mins(R, 6), cause, site=sid,
                 notes="路由器NAT会话表满导致断网，重启路由器并重新连接所有设备后恢复 / router NAT table full; restarted router, reconnected devices")
    c.fault("seed2-router", cause, {"site_id": sid}, [A, B, C], P, R)
