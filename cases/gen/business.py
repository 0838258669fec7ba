"""Operator, business, upstream and card causes."""

from lib import DEBIT_BINS, CREDIT_BINS, mins, secs


def operator_error(c, t0):
    """A new cashier on her second day: refunds with the wrong reference, voids of yesterday's
    payments, an amount typed in fen instead of yuan, a payment sent twice."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898610158120254", "XA-254-1", "61025401"
    c.merchant(inv, mid, "5812", "老孙家泡馍", "xian", card_rate=0.006)
    c.site(inv, sid, mid, "老孙家泡馍 钟楼店", "xian", 34.261, 108.947)
    c.terminal(inv, T, "pax", "A920", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="A920-9.1.3", app_version="5.0.8", form="handheld", rssi=-70,
               drain=0.04, amount=(25, 260))
    END = mins(t0, 170)
    c.beats(T, t0, END)
    c.normal_txns(T, t0, END, gap=(3, 8))
    cause = "operator.error"
    c.txn(mins(t0, 62), T, "25", type="refund", amount=6800, channel="card_ic", cause=cause)
    c.txn(mins(t0, 64), T, "25", type="refund", amount=6800, channel="card_ic", cause=cause)
    c.txn(mins(t0, 81), T, "12", type="void", amount=12600, channel="card_ic", cause=cause)
    c.txn(mins(t0, 95), T, "13", amount=0, channel="qr", cause=cause)
    c.txn(mins(t0, 103), T, "64", type="refund", amount=15800, channel="card_ic", cause=cause)
    c.txn(mins(t0, 118), T, amount=8800, channel="card_ic", pan="621700******4471")
    c.txn(mins(t0, 118.4), T, "94", amount=8800, channel="card_ic", pan="621700******4471", cause=cause)
    c.txn(mins(t0, 131), T, "12", type="void", amount=4500, channel="nfc", cause=cause)
    c.txn(mins(t0, 140), T, "25", type="refund", amount=3200, channel="qr", cause=cause)
    c.complaint(mins(t0, 108), "C-2540", "customer", mid,
                "退款退了好几次都不成功，收银员说机器坏了", tid=T)
    c.check(mins(t0, 146), "cashier_procedure", "fail", tid=T)
    c.resolution(mins(t0, 150), cause, tid=T,
                 notes="新收银员不熟悉撤销/退货流程，已培训 / new cashier trained on void vs refund")
    c.fault("operator-1", cause, {"terminal_id": T}, [T], mins(t0, 60), mins(t0, 145))


def business_txn_type(c, t0):
    """A hotel tries pre-authorisations and refunds on a terminal its acquirer only opened for
    purchases; the acquirer enables pre-auth in the afternoon."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898530170110390", "KM-390-1", "53039001"
    c.merchant(inv, mid, "7011", "滇池花园酒店", "kunming", card_rate=0.006)
    c.site(inv, sid, mid, "滇池花园酒店 前台", "kunming", 24.965, 102.668)
    c.terminal(inv, T, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(188, 1600))
    F = mins(t0, 60)
    FIX = mins(F, 100)
    END = mins(FIX, 25)
    c.beats(T, t0, END)
    c.normal_txns(T, t0, END, gap=(8, 18))
    cause = "business.txn_type"
    for m in (3, 4.5, 31, 58, 82):
        c.txn(mins(F, m), T, "58", type="preauth", amount=r.choice([100000, 150000, 200000]),
              channel="card_ic", credit=True, cause=cause)
    c.txn(mins(F, 40), T, "40", type="refund", amount=38800, channel="card_ic", cause=cause)
    c.txn(mins(F, 67), T, "40", type="refund", amount=26800, channel="card_swipe", cause=cause)
    c.txn(mins(F, 74), T, "57", type="preauth", amount=100000, channel="card_ic",
          pan="623668******0231", cause=cause)
    c.complaint(mins(F, 50), "C-3901", "merchant", mid, "前台做预授权押金一直显示58交易不允许，退货也不行")
    c.resolution(FIX, cause, tid=T, notes="收单机构为商户开通预授权和退货权限 / pre-auth and refund enabled by the acquirer")
    for m in (8, 19):
        c.txn(mins(FIX, m), T, type="preauth", amount=100000, channel="card_ic", credit=True)
    c.fault("txntype-1", cause, {"merchant_id": mid}, [T], F, FIX)


def business_limit(c, t0):
    """A furniture store: the acquirer caps a single credit-card payment at 50,000 yuan and
    the number of payments per card per day; big orders hit both."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898440157120633", "FS-633-1", "44063301"
    c.merchant(inv, mid, "5712", "林氏红木家具", "foshan", card_rate=0.006)
    c.site(inv, sid, mid, "林氏红木家具 乐从店", "foshan", 22.963, 113.086)
    c.terminal(inv, T, "centerm", "C960", mid, sid, "ethernet", "H2", firmware="C960-V2.3.6",
               app_version="3.2.1", amount=(800, 30000))
    END = mins(t0, 180)
    c.beats(T, t0, END)
    c.normal_txns(T, t0, END, gap=(8, 20))
    cause = "business.limit"
    big = "625914******3307"
    c.txn(mins(t0, 64), T, "61", amount=12800000, channel="card_ic", pan=big, cause=cause)
    c.txn(mins(t0, 67), T, "61", amount=6400000, channel="card_ic", pan=big, cause=cause)
    for m in (70, 72, 74):
        c.txn(mins(t0, m), T, amount=4800000, channel="card_ic", pan=big)
    c.txn(mins(t0, 76), T, "65", amount=3200000, channel="card_ic", pan=big, cause=cause)
    c.txn(mins(t0, 79), T, "65", amount=3200000, channel="card_ic", pan=big, cause=cause)
    c.txn(mins(t0, 101), T, "51", amount=2980000, channel="card_ic", credit=False, cause="card.decline")
    c.txn(mins(t0, 128), T, "61", amount=8800000, channel="card_ic", credit=True, cause=cause)
    c.complaint(mins(t0, 85), "C-6330", "merchant", mid, "大单刷信用卡总是显示61超金额限制，分开刷几笔又显示65")
    c.resolution(mins(t0, 140), cause, tid=T, notes="收单机构单笔5万元/单卡日笔数限额 / acquirer's per-payment and per-card limits")
    c.fault("limit-1", cause, {"merchant_id": mid}, [T], mins(t0, 60), mins(t0, 135))


def business_risk(c, t0):
    """A jewellery shop: a run of large swiped credit-card payments on cards from far away;
    the acquirer's risk engine starts refusing, then holds the terminal until the merchant
    is verified."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898310059440170", "SH-170-1", "31017001"
    c.merchant(inv, mid, "5944", "金福珠宝", "shanghai", card_rate=0.006)
    c.site(inv, sid, mid, "金福珠宝 南京东路店", "shanghai", 31.237, 121.478)
    c.terminal(inv, T, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(800, 12000))
    F = mins(t0, 70)
    FIX = mins(F, 75)
    END = mins(FIX, 30)
    c.beats(T, t0, END)
    c.normal_txns(T, t0, F, gap=(8, 18))
    c.normal_txns(T, mins(FIX, 1), END, gap=(8, 18))
    cause = "business.risk"
    odd = ["404119", "356833", "524047"]
    for m in (0, 2.5):
        c.txn(mins(F, m), T, amount=4880000, channel="card_swipe", bins=odd)
    for m in (5, 7.2, 9.1):
        c.txn(mins(F, m), T, "59", amount=r.choice([3960000, 4880000, 5200000]),
              channel="card_swipe", bins=odd, cause=cause)
    c.txn(mins(F, 12), T, "34", amount=4880000, channel="card_swipe", bins=odd, cause=cause)
    for m in (20, 33, 41, 52, 63):
        c.txn(mins(F, m), T, "66", channel=r.choice(["card_ic", "nfc", "qr"]), cause=cause)
    c.complaint(mins(F, 25), "C-1702", "merchant", mid, "POS突然显示请联系收单行安全部门，所有卡都刷不了")
    c.check(mins(F, 60), "acquirer_call", "商户身份核实中 / merchant being verified", tid=T)
    c.resolution(FIX, cause, tid=T,
                 notes="连续异地大额刷卡触发风控，核实后解除 / risk hold after a run of large swiped foreign cards, released after checks")
    c.fault("risk-1", cause, {"terminal_id": T}, [T], F, FIX)


def business_merchant(c, t0):
    """The acquirer freezes a merchant whose registration does not match its trade: both of
    its terminals get 03 on everything; a neighbour on the same host is fine."""
    r = c.rng
    inv = mins(t0, -3)
    m1, s1, m2, s2 = "898450154110518", "NN-518-1", "898450158120519", "NN-519-1"
    A, B, C = "45051801", "45051802", "45051901"
    c.merchant(inv, m1, "5411", "友邻生活超市", "nanning", card_rate=0.0038)
    c.site(inv, s1, m1, "友邻生活超市 民族大道", "nanning", 22.817, 108.366)
    c.merchant(inv, m2, "5812", "桂林米粉王", "nanning", card_rate=0.006)
    c.site(inv, s2, m2, "桂林米粉王 民族大道", "nanning", 22.818, 108.367)
    c.terminal(inv, A, "pax", "S90", m1, s1, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(20, 900))
    c.terminal(inv, B, "newland", "N910", m1, s1, "cellular", "H1", carrier="cmcc",
               firmware="N910-1.4.7", app_version="2.3.0", form="handheld", rssi=-75,
               drain=0.05, amount=(20, 900))
    c.terminal(inv, C, "pax", "A920", m2, s2, "wifi", "H1", firmware="A920-9.1.3",
               app_version="5.0.8", form="handheld", rssi=-60, drain=0.05, amount=(8, 60))
    F = mins(t0, 60)
    END = mins(F, 95)
    for tid in (A, B, C):
        c.beats(tid, t0, END)
    c.normal_txns(A, t0, F, gap=(4, 9))
    c.normal_txns(B, t0, F, gap=(5, 10))
    c.normal_txns(C, t0, END, gap=(4, 9))
    cause = "business.merchant"
    for tid, gap in ((A, (4, 9)), (B, (5, 10))):
        t = mins(F, r.uniform(0.5, 3))
        while t < mins(F, 80):
            c.txn(t, tid, "03", cause=cause)
            t = mins(t, r.uniform(*gap))
    c.complaint(mins(F, 20), "C-5180", "merchant", m1, "两台POS刷卡扫码全部显示03无效商户，隔壁米粉店正常")
    c.resolution(mins(F, 85), cause, incident="MER-898450154110518",
                 notes="商户登记MCC与实际经营不符，被收单机构冻结待核实 / merchant frozen: registered MCC does not match its trade")
    c.fault("merchant-1", cause, {"merchant_id": m1}, [A, B], F, None)


def upstream_acquirer(c, t0):
    """Dinner peak: acquirer host H2's front end runs out of database connections; its
    terminals at three merchants, on wired, wifi and 4G, time out or get 96/91; a bakery on H1
    next door is fine."""
    r = c.rng
    inv = mins(t0, -3)
    m1, s1 = "898510058120931", "CD-931-1"
    m2, s2 = "898510054110932", "CD-932-1"
    m3, s3 = "898510054620933", "CD-933-1"
    c.merchant(inv, m1, "5812", "大龙燚火锅", "chengdu", card_rate=0.006)
    c.site(inv, s1, m1, "大龙燚火锅 玉林店", "chengdu", 30.631, 104.057)
    c.merchant(inv, m2, "5411", "舞东风超市", "chengdu", card_rate=0.006)
    c.site(inv, s2, m2, "舞东风超市 玉林店", "chengdu", 30.629, 104.061)
    c.merchant(inv, m3, "5462", "好利来", "chengdu", card_rate=0.006)
    c.site(inv, s3, m3, "好利来 玉林店", "chengdu", 30.632, 104.055)
    A, B, C, D = "51093101", "51093102", "51093201", "51093301"
    c.terminal(inv, A, "pax", "S90", m1, s1, "ethernet", "H2", firmware="3.1.5",
               app_version="5.0.8", amount=(80, 900))
    c.terminal(inv, B, "verifone", "VX675", m1, s1, "cellular", "H2", carrier="cmcc",
               firmware="QT6700-2.2.1", app_version="UPAY-3.4", form="handheld",
               amount=(80, 900))
    c.terminal(inv, C, "sunmi", "P2", m2, s2, "wifi", "H2", firmware="P2-V2.14.2",
               app_version="4.2.0", form="handheld", rssi=-57, drain=0.03, amount=(5, 300))
    c.terminal(inv, D, "pax", "A920", m3, s3, "cellular", "H1", carrier="cucc",
               firmware="A920-9.1.3", app_version="5.0.8", form="handheld", rssi=-72,
               drain=0.04, amount=(10, 200))
    F = mins(t0, 60)
    FIX = mins(F, 48)
    END = mins(FIX, 25)
    for tid in (A, B, C, D):
        c.beats(tid, t0, END)
        if tid == D:
            c.normal_txns(tid, t0, END, gap=(3, 7))
        else:
            c.normal_txns(tid, t0, F, gap=(3, 7))
            c.normal_txns(tid, mins(FIX, 1), END, gap=(3, 7))
    cause = "upstream.acquirer"
    recv = {"pax": ("E3", "接收超时: 请求已发出, 主机60秒未应答"),
            "verifone": ("COMM ERROR", "NO RESPONSE FROM HOST, reversal pending"),
            "sunmi": ("E1", "java.net.SocketTimeoutException: Read timed out (60000ms) after request sent")}
    for tid in (A, B, C):
        t = mins(F, r.uniform(0.5, 2))
        while t < FIX:
            x = r.random()
            if x < 0.38:
                code, det = recv[c.t[tid]["vendor"]]
                c.timeout(t, tid, cause, code, "receive", det)
            elif x < 0.6:
                c.txn(t, tid, "96", cause=cause, latency=r.randint(15000, 30000))
            elif x < 0.72:
                c.txn(t, tid, "91", cause=cause, latency=r.randint(8000, 20000))
            else:
                c.txn(t, tid, latency=r.randint(9000, 24000))   # some still get through, slowly
            t = mins(t, r.uniform(2.5, 5))
    # a card simply without the funds, answered in the middle of it
    c.txn(mins(F, 21.7), C, "51", channel="card_ic", credit=False, cause="card.decline",
          latency=11800)
    c.complaint(mins(F, 18), "C-9310", "merchant", m1, "晚高峰刷卡一直超时，有线的和4G的都一样，扫码也慢")
    c.resolution(mins(FIX, 4), cause, incident="INC-H2-20261206",
                 notes="收单前置H2数据库连接池耗尽，扩容后恢复 / H2 front end exhausted its DB connection pool")
    c.fault("acquirer-1", cause, {"host": "H2"}, [A, B, C], F, FIX)


def upstream_issuer(c, t0):
    """One bank's card system goes down for an hour: its cards (two BINs) get 91/98 on every
    terminal, on both acquirer hosts; other banks' cards are approved next to them."""
    r = c.rng
    inv = mins(t0, -3)
    m1, s1, m2, s2 = "898370156910121", "YT-121-1", "898370158120122", "YT-122-1"
    A, B, C = "37012101", "37012102", "37012201"
    c.merchant(inv, m1, "5691", "海滨服饰城", "yantai", card_rate=0.006)
    c.site(inv, s1, m1, "海滨服饰城 南大街", "yantai", 37.540, 121.392)
    c.merchant(inv, m2, "5812", "渔家乐海鲜酒楼", "yantai", card_rate=0.006)
    c.site(inv, s2, m2, "渔家乐海鲜酒楼 滨海路", "yantai", 37.551, 121.418)
    c.terminal(inv, A, "pax", "S90", m1, s1, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(60, 900))
    c.terminal(inv, B, "landi", "APOS A8", m1, s1, "cellular", "H1", carrier="cmcc",
               firmware="A8-3.0.9", app_version="6.1.2", form="handheld", rssi=-74, drain=0.05,
               amount=(60, 900))
    c.terminal(inv, C, "newland", "N910", m2, s2, "wifi", "H2", firmware="N910-1.4.7",
               app_version="2.3.0", form="handheld", rssi=-61, drain=0.05, amount=(120, 1500))
    issuer = ["622588", "439225"]
    F = mins(t0, 60)
    FIX = mins(F, 65)
    END = mins(FIX, 30)
    cause = "upstream.issuer"
    for tid in (A, B, C):
        c.beats(tid, t0, END)
        t = mins(t0, r.uniform(0.5, 4))
        while t < END:
            if r.random() < 0.3 and c.channel() != "qr":
                # a card of the bank that is down (or not)
                ch = r.choice(["card_ic", "nfc", "card_ic"])
                if F <= t < FIX:
                    c.txn(t, tid, r.choice(["91", "98", "91"]), channel=ch, bins=issuer, cause=cause,
                          latency=r.randint(3000, 12000))
                else:
                    c.txn(t, tid, channel=ch, bins=issuer)
            else:
                c.txn(t, tid)
            t = mins(t, r.uniform(2.5, 6))
    c.complaint(mins(F, 30), "C-1215", "customer", m2, "我的招行卡刷了两次都说发卡行无应答，朋友的卡就能刷", tid=C)
    c.resolution(mins(FIX, 10), cause, incident="INC-issuer-622588",
                 notes="发卡行系统故障约一小时 / the issuing bank's system was down for about an hour")
    c.fault("issuer-1", cause, {"issuer_bins": "622588,439225"}, [A, B, C], F, FIX)


def card_decline(c, t0):
    """An ordinary afternoon at a supermarket: the cards that are refused are refused by their
    banks (no funds, wrong PIN, expired). One terminal sits on a weak but steady 4G signal."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898210154110688", "SY-688-1"
    A, B = "21068801", "21068802"
    c.merchant(inv, mid, "5411", "兴隆大家庭超市", "shenyang", card_rate=0.006)
    c.site(inv, sid, mid, "兴隆大家庭超市 太原街店", "shenyang", 41.796, 123.405)
    c.terminal(inv, A, "newland", "N910", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="N910-1.4.7", app_version="2.3.0", form="handheld", rssi=-97, drain=0.0,
               battery=100, amount=(8, 600), lat=(380, 60))
    c.terminal(inv, B, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(8, 600))
    END = mins(t0, 160)

    def steady(t):
        return {"rssi_dbm": int(round(r.gauss(-97, 1.0)))}

    c.beats(A, t0, END, steady)
    c.beats(B, t0, END)
    c.normal_txns(A, t0, END, gap=(3, 8))
    c.normal_txns(B, t0, END, gap=(3, 8))
    cause = "card.decline"
    plan = [(A, 14, "51"), (B, 27, "55"), (B, 28.5, "55"), (A, 41, "54"), (B, 58, "51"),
            (A, 73, "05"), (B, 90, "51"), (A, 104, "75"), (B, 121, "41"), (A, 139, "51"),
            (B, 150, "14")]
    for tid, m, rc in plan:
        pan = "622202******7719" if rc in ("55", "75") and tid == B else None
        c.txn(mins(t0, m), tid, rc, channel="card_ic", cause=cause, pan=pan,
              credit=rc in ("54", "41"))
    c.fault("decline-1", cause, {"merchant_id": mid}, [A, B], t0, END)
