"""Software, security and resource causes."""

from lib import mins, secs


def software_bug(c, t0):
    """App 4.3.0, pushed by TMS to two of a chain's three terminals, crashes on contactless
    payments; the terminal still on 4.2.0 takes the same cards; rolling back fixes it."""
    r = c.rng
    inv = mins(t0, -3)
    mid, s1, s2 = "898120154110566", "TJ-566-1", "TJ-566-2"
    A, B, C = "12056601", "12056602", "12056603"
    c.merchant(inv, mid, "5411", "津门优选超市", "tianjin", card_rate=0.006)
    c.site(inv, s1, mid, "津门优选超市 南开店", "tianjin", 39.118, 117.150)
    c.site(inv, s2, mid, "津门优选超市 河西店", "tianjin", 39.094, 117.221)
    for tid, sid, rs in ((A, s1, -55), (B, s1, -61), (C, s2, -58)):
        c.terminal(inv, tid, "sunmi", "P2", mid, sid, "wifi", "H2", firmware="P2-V2.14.2",
                   app_version="4.2.0", form="handheld", rssi=rs, drain=0.04, mem=58, storage=47,
                   cpu=16, amount=(6, 260))
    UPD = mins(t0, 50)
    RB = mins(UPD, 92)
    END = mins(RB, 25)
    upd = {A: secs(UPD, 40), C: secs(UPD, 95)}
    crashes = {A: [], C: []}
    cause = "software.bug"

    # the payments: contactless ones crash the new version
    for tid in (A, B, C):
        t = mins(t0, r.uniform(0.5, 4))
        while t < END:
            # at a supermarket's tills half the cards are tapped (and phones with them)
            ch = "nfc" if r.random() < 0.4 else c.channel()
            if tid in upd and upd[tid] < t < RB and ch == "nfc":
                if r.random() < 0.2:
                    # crashed while waiting for the host: no answer recorded
                    c.txn(t, tid, timed_out=True, cause=cause, channel="nfc")
                    crashes[tid].append(secs(t, 4))
                    c.error(secs(t, 4), tid, "已停止运行", "app",
                            "FATAL EXCEPTION: main java.lang.NullPointerException: Attempt to invoke "
                            "virtual method 'byte[] com.pos.emv.ClssResult.getTlv(int)' on a null object "
                            "reference at com.pos.emv.ContactlessKernel.onTransResult(ContactlessKernel.java:418)",
                            cause)
                else:
                    crashes[tid].append(t)
                    code, det = r.choice([
                        ("已停止运行", "FATAL EXCEPTION: main java.lang.NullPointerException at "
                                  "com.pos.emv.ContactlessKernel.onTransResult(ContactlessKernel.java:418)"),
                        ("已停止运行", "支付应用已停止运行: 非接交易回调空指针 (v4.3.0)"),
                        ("E1", "支付服务异常退出, pid 3127 signal 6 (SIGABRT) in libemvkernel.so")])
                    c.error(t, tid, code, "app", det, cause)
            else:
                c.txn(t, tid, channel=ch)
            t = mins(t, r.uniform(3, 8))

    def mod(tid):
        def f(t):
            o = {}
            if tid in upd:
                u = upd[tid]
                if u <= t < secs(u, 62):
                    o.update(reboot="update", app_version="4.3.0")
                if RB <= t < secs(RB, 62):
                    o.update(reboot="update", app_version="4.2.0")
                if u < t < secs(RB, 62):
                    n = sum(1 for x in crashes[tid] if secs(t, -60) < x <= t)
                    o["app_crashes"] = n
            return o
        return f

    for tid in (A, B, C):
        c.beats(tid, t0, END, mod(tid))
    for tid in (A, C):
        c.maintenance(upd[tid], tid, "firmware_update", "TMS推送支付应用 4.2.0 → 4.3.0")
        c.maintenance(RB, tid, "firmware_update", "TMS回滚支付应用 4.3.0 → 4.2.0 / rolled back")
    c.complaint(mins(UPD, 45), "C-6120", "merchant", mid,
                "今天早上更新之后，顾客用手机闪付或者挥卡就闪退，插卡和扫码没问题")
    c.resolution(mins(RB, 3), cause, incident="INC-app-4.3.0",
                 notes="4.3.0 非接交易回调空指针缺陷，已回滚并反馈厂商 / NPE in the contactless callback of 4.3.0")
    c.fault("bug-1", cause, {"app_version": "4.3.0"}, [A, C], UPD, RB)


def software_incompatible(c, t0):
    """The acquirer's new front end stops accepting TLS 1.0; an old VX520 firmware only speaks
    TLS 1.0; the hotel's newer PAX on the same host is fine; a firmware update fixes it."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898460170110072", "HK-072-1"
    A, B = "46007201", "46007202"
    c.merchant(inv, mid, "7011", "椰风海韵度假酒店", "haikou", card_rate=0.0078)
    c.site(inv, sid, mid, "椰风海韵度假酒店 前台", "haikou", 20.044, 110.320)
    c.terminal(inv, A, "verifone", "VX520", mid, sid, "ethernet", "H3", firmware="QT5200-1.8.4",
               app_version="UPAY-3.1", cert_not_after="2028-09-30T00:00:00Z",
               installed="2017-06-20T00:00:00Z", amount=(280, 3800), storage=61)
    c.terminal(inv, B, "pax", "S90", mid, sid, "ethernet", "H3", firmware="3.1.5",
               app_version="5.0.8", cert_not_after="2028-03-31T00:00:00Z", amount=(280, 3800))
    F = mins(t0, 85)      # the acquirer's cut-over
    FIX = mins(F, 80)
    END = mins(FIX, 30)
    fw = secs(FIX, -120)

    def mod(t):
        if fw <= t < secs(fw, 62):
            return {"firmware": "QT5200-2.2.1"}
        return {}

    c.beats(A, t0, END, mod)
    c.beats(B, t0, END)
    c.normal_txns(A, t0, F, gap=(6, 14))
    c.normal_txns(A, FIX, END, gap=(6, 14))
    c.normal_txns(B, t0, END, gap=(6, 14))
    cause = "software.incompatible"
    for m in (4, 5.5, 17, 29, 31, 46, 58, 66, 72):
        code = r.choice(["E1", "E1", "SSL ERROR"])
        det = r.choice(["SSL_connect() failed: error:1409442E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version",
                        "TLS handshake: server alert 70 (protocol_version), client offered TLSv1.0 only",
                        "安全连接失败: 主机拒绝 TLS1.0 握手 (alert 70)"])
        c.error(mins(F, m), A, code, "tls", det, cause)
    c.complaint(mins(F, 35), "C-9031", "merchant", mid,
                "前台那台老Verifone从上午十点开始一直刷不了卡，显示E1，另一台百富的正常")
    c.check(mins(F, 50), "clock_check", "ok", tid=A)
    c.check(mins(F, 52), "terminal_restarted", "fail", tid=A)
    c.maintenance(fw, A, "firmware_update", "升级固件 QT5200-1.8.4 → 2.2.1 (支持TLS1.2) / firmware with TLS 1.2")
    c.resolution(FIX, cause, tid=A,
                 notes="收单前置关闭TLS1.0，旧固件不支持TLS1.2 / acquirer dropped TLS 1.0, old firmware could not do 1.2")
    c.fault("incompat-1", cause, {"terminal_id": A, "firmware": "QT5200-1.8.4"}, [A], F, FIX)


def software_config(c, t0):
    """A technician re-enters the terminal's parameters and swaps two digits of the TID: every
    request is answered 97; the other terminal of the merchant is fine. The terminal's 4G
    signal is weak but stable all day and has nothing to do with it."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898320159920158", "SZ-158-1"
    A, B = "32015801", "32015802"
    c.merchant(inv, mid, "5992", "花语花艺", "suzhou", card_rate=0.006)
    c.site(inv, sid, mid, "花语花艺 平江路店", "suzhou", 31.316, 120.631)
    c.terminal(inv, A, "landi", "APOS A8", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="A8-3.0.9", app_version="6.1.2", form="handheld", rssi=-95, drain=0.05,
               battery=91, amount=(30, 520), lat=(430, 60))
    c.terminal(inv, B, "pax", "A920", mid, sid, "wifi", "H1", firmware="A920-9.1.3",
               app_version="5.0.8", form="handheld", rssi=-59, drain=0.05, amount=(30, 520))
    # the weak 4G signal is steady: small spread
    c.t[A]["rssi"] = -95
    F = mins(t0, 80)
    FIX = mins(F, 72)
    END = mins(FIX, 28)

    def mod(t):
        return {"rssi_dbm": int(round(r.gauss(-95, 1.2)))}

    c.beats(A, t0, END, mod)
    c.beats(B, t0, END)
    c.normal_txns(A, t0, F, gap=(6, 13), latency=None)
    c.normal_txns(A, mins(FIX, 1), END, gap=(6, 13))
    c.normal_txns(B, t0, END, gap=(6, 13))
    cause = "software.config"
    c.maintenance(mins(F, -3), A, "repair",
                  "技术员上门重新设置终端参数（主机地址、终端号）/ technician re-entered the terminal parameters")
    c.error(F, A, "签到失败", "connect", "签到应答码97: 终端号未登记 TID=32015810 MID=898320159920158", cause)
    for m in (9, 16, 17.5, 28, 36, 44, 51, 59):
        c.txn(mins(F, m), A, "97", cause=cause)
    c.error(mins(F, 40), A, "签到失败", "connect", "sign-on rejected: resp 97 (terminal not found), TID 32015810", cause)
    c.complaint(mins(F, 30), "C-1587", "merchant", mid,
                "师傅来修过以后这台POS刷卡扫码都显示97终端号未登记，另一台正常", tid=A)
    c.check(mins(FIX, -6), "terminal_params", "TID 32015810 ≠ 32015801", tid=A)
    c.maintenance(mins(FIX, -2), A, "repair", "终端号改回 32015801 并重新签到 / TID corrected, signed on")
    c.resolution(FIX, cause, tid=A, notes="终端号录入错误（两位颠倒）/ two digits of the TID swapped")
    c.fault("config-1", cause, {"terminal_id": A}, [A], F, FIX)


def security_keys(c, t0, pre=75, post=40):
    """The host changes working keys; one terminal misses the sign-on that loads the new ones:
    every MAC is wrong until the cashier signs on by hand."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898440356510219", "SZ-219-1"
    A, B = "44021901", "44021902"
    c.merchant(inv, mid, "5651", "简衣坊服饰", "shenzhen", card_rate=0.006)
    c.site(inv, sid, mid, "简衣坊服饰 东门店", "shenzhen", 22.546, 114.119)
    c.terminal(inv, A, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(59, 899))
    c.terminal(inv, B, "pax", "S90", mid, sid, "ethernet", "H1", firmware="3.1.5",
               app_version="5.0.8", amount=(59, 899))
    F = mins(t0, pre)
    FIX = mins(F, 46)
    END = mins(FIX, post)

    def mod(t):
        if F <= t < FIX:
            return {"key_check": "mismatch"}
        return {}

    c.beats(A, t0, END, mod)
    c.beats(B, t0, END)
    c.normal_txns(A, t0, F, gap=(4, 10))
    c.normal_txns(A, mins(FIX, 1), END, gap=(4, 10))
    c.normal_txns(B, t0, END, gap=(4, 10))
    cause = "security.keys"
    for m in (3, 9, 14, 22, 27, 35, 41):
        t = mins(F, m)
        c.txn(t, A, "A0", cause=cause)
        c.error(secs(t, r.randint(2, 4)), A, "E4", "mac",
                r.choice(["MAC校验失败 resp=A0, MAK KCV 5F21A8 (host 9C04D2)",
                          "MAC verify failed on response, working key out of sync",
                          "应答MAC校验错, 请重新签到"]), cause)
    c.check(mins(FIX, -1), "sign_on", "ok", tid=A)
    c.resolution(FIX, cause, tid=A, notes="主机更换工作密钥后终端未重新签到 / missed the sign-on after the host's key change")
    c.fault("keys-1", cause, {"terminal_id": A}, [A], F, FIX)


def security_certificate(c, t0):
    """The terminal's client certificate expires at 10:00; from then on every TLS handshake
    fails; the other terminal's certificate is good; TMS pushes a new certificate."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid = "898340159120347", "HF-347-1"
    A, B = "34034701", "34034702"
    F = mins(t0, 80)
    c.merchant(inv, mid, "5912", "同仁堂大药房", "hefei", card_rate=0.006)
    c.site(inv, sid, mid, "同仁堂大药房 长江路店", "hefei", 31.865, 117.283)
    c.terminal(inv, A, "pax", "A920", mid, sid, "cellular", "H2", carrier="cucc",
               firmware="A920-9.1.3", app_version="5.0.8", form="handheld", rssi=-77,
               drain=0.05, cert_not_after=F, installed="2023-12-03T00:00:00Z", amount=(15, 400))
    c.terminal(inv, B, "pax", "A920", mid, sid, "cellular", "H2", carrier="cucc",
               firmware="A920-9.1.3", app_version="5.0.8", form="handheld", rssi=-74,
               drain=0.05, cert_not_after="2028-05-01T00:00:00Z", amount=(15, 400))
    FIX = mins(F, 75)
    END = mins(FIX, 30)
    c.beats(A, t0, END)
    c.beats(B, t0, END)
    c.normal_txns(A, t0, F, gap=(5, 11))
    c.normal_txns(A, mins(FIX, 1), END, gap=(5, 11))
    c.normal_txns(B, t0, END, gap=(5, 11))
    cause = "security.certificate"
    na = c.fmt(F)
    for m in (1.5, 8, 9.2, 19, 26, 38, 47, 55, 63, 70):
        c.error(mins(F, m), A, "E1", "tls",
                r.choice([f"SSL握手失败: 终端证书已过期 X509_V_ERR_CERT_HAS_EXPIRED (notAfter={na})",
                          "TLS: certificate verify failed (10: certificate has expired), CN=34034701",
                          "安全连接失败: 客户端证书过期"]), cause)
    c.complaint(mins(F, 30), "C-3472", "merchant", mid, "一号机从十点起一直显示E1，二号机正常", tid=A)
    c.check(mins(F, 50), "clock_check", "ok", tid=A)
    c.maintenance(mins(FIX, -2), A, "firmware_update", "TMS下发新终端证书 (有效期至2028-12) / new client certificate installed")
    c.resolution(FIX, cause, tid=A, notes="终端证书到期未及时更新 / client certificate expired")
    c.fault("cert-1", cause, {"terminal_id": A}, [A], F, FIX)


def resource_storage(c, t0):
    """Debug logs left on after a support session fill the Android terminal's storage; once it
    is full the payment app cannot write its journal and refuses to pay."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898370154110981", "JN-981-1", "37098101"
    c.merchant(inv, mid, "5411", "24小时惠民便利店", "jinan", card_rate=0.006)
    c.site(inv, sid, mid, "24小时惠民便利店 泉城路店", "jinan", 36.665, 117.021)
    c.terminal(inv, T, "sunmi", "P2 Pro", mid, sid, "cellular", "H1", carrier="cmcc",
               firmware="P2-V2.14.2", app_version="4.2.0", form="handheld", rssi=-71, drain=0.0,
               battery=100, storage=96.8, mem=61, amount=(4, 150))
    F = mins(t0, 95)     # storage reaches ~99.7 %
    FIX = mins(F, 55)
    END = mins(FIX, 25)

    def mod(t):
        m = (t - t0).total_seconds() / 60
        if t < FIX:
            return {"storage_used_pct": round(min(99.9, 96.8 + 0.031 * m + r.gauss(0, 0.02)), 1)}
        return {"storage_used_pct": round(58.3 + r.gauss(0, 0.05), 1)}

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, F, gap=(3, 7))
    c.normal_txns(T, FIX, END, gap=(3, 7))
    cause = "resource.storage"
    t = mins(F, 1)
    while t < FIX:
        if r.random() < 0.25:
            c.txn(t, T, channel="qr")   # a small one squeezes through now and then
        else:
            code, det = r.choice([
                ("存储空间不足", "android.database.sqlite.SQLiteFullException: database or disk is full (code 13 SQLITE_FULL)"),
                ("E1", "交易记录写入失败 write journal: ENOSPC (No space left on device)"),
                ("存储空间不足", "存储空间不足, 剩余 12MB, 无法保存交易流水")])
            c.error(t, T, code, "app", det, cause)
        t = mins(t, r.uniform(3, 6))
    c.check(mins(FIX, -8), "storage_free", "12MB", tid=T)
    c.maintenance(mins(FIX, -2), T, "daily_check", "关闭调试日志并清理 2.3GB 日志文件 / debug logging off, 2.3 GB of logs deleted")
    c.resolution(FIX, cause, tid=T, notes="调试日志占满存储 / debug logs filled the storage")
    c.fault("storage-1", cause, {"terminal_id": T}, [T], F, FIX)


def resource_memory(c, t0):
    """A loyalty plug-in leaks memory; after a few hours the payment service is killed by the
    low-memory killer or cannot allocate; a restart (and removing the plug-in) fixes it."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898510154110744", "CD-744-1", "51074401"
    c.merchant(inv, mid, "5411", "红旗连锁超市", "chengdu", card_rate=0.006)
    c.site(inv, sid, mid, "红旗连锁超市 春熙路店", "chengdu", 30.656, 104.081)
    c.terminal(inv, T, "landi", "APOS A8", mid, sid, "wifi", "H1", firmware="A8-3.0.9",
               app_version="6.1.2", form="handheld", rssi=-59, drain=0.0, battery=100,
               mem=52, amount=(5, 240))
    F = mins(t0, 110)
    FIX = mins(F, 60)
    END = mins(FIX, 25)

    def mod(t):
        m = (t - t0).total_seconds() / 60
        o = {}
        if t < FIX:
            o["memory_used_pct"] = round(min(98.6, 52 + 0.3 * m + r.gauss(0, 0.8)), 1)
            if m > 85:
                o["cpu_pct"] = int(r.gauss(34, 6))   # GC churn
        else:
            o["memory_used_pct"] = round(41 + r.gauss(0, 1.5), 1)
        if FIX <= t < mins(FIX, 1.1):
            o["reboot"] = "user"
        return o

    crash_at = []
    cause = "resource.memory"
    c.normal_txns(T, t0, F, gap=(3, 8))
    c.normal_txns(T, mins(FIX, 1), END, gap=(3, 8))
    t = mins(F, 1)
    while t < mins(FIX, -4):
        x = r.random()
        if x < 0.4:
            c.txn(t, T)
        elif x < 0.85:
            code, det = r.choice([
                ("内存不足", "lowmemorykiller: kill com.landi.payservice (adj 200) to free 48MB"),
                ("E1", "java.lang.OutOfMemoryError: Failed to allocate a 1048588 byte allocation with 412344 free bytes"),
                ("内存不足", "内存不足, 支付服务启动失败 (bindService timeout)")])
            c.error(t, T, code, "app", det, cause)
            crash_at.append(t)
        else:
            c.txn(t, T, timed_out=True, cause=cause)
            crash_at.append(secs(t, 6))
        t = mins(t, r.uniform(3, 6))

    def mod2(t):
        o = mod(t)
        if F <= t < FIX:
            o["app_crashes"] = sum(1 for x in crash_at if secs(t, -60) < x <= t)
        return o

    c.beats(T, t0, END, mod2)
    c.check(mins(FIX, -3), "memory_free", "38MB", tid=T)
    c.maintenance(mins(FIX, -1), T, "repair", "卸载会员积分插件 v1.3（内存泄漏）并重启 / leaking loyalty plug-in removed, restarted")
    c.resolution(FIX, cause, tid=T, notes="插件内存泄漏 / memory leak in a plug-in")
    c.fault("memory-1", cause, {"terminal_id": T}, [T], F, FIX)


def resource_cpu(c, t0):
    """An advertising player installed on the smart terminal spins the CPU at 100 %: the payment
    app answers late, the terminal's own timers expire; the network is fine."""
    r = c.rng
    inv = mins(t0, -3)
    mid, sid, T = "898350178320416", "FZ-416-1", "35041601"
    c.merchant(inv, mid, "7832", "星光影城小卖部", "fuzhou", card_rate=0.006)
    c.site(inv, sid, mid, "星光影城 卖品部", "fuzhou", 26.075, 119.296)
    c.terminal(inv, T, "centerm", "K9", mid, sid, "wifi", "H2", firmware="K9-A10-1.6.2",
               app_version="3.5.0", form="handheld", rssi=-56, drain=0.0, battery=100, cpu=15,
               temp=37.0, amount=(15, 120))
    F = mins(t0, 80)
    FIX = mins(F, 60)
    END = mins(FIX, 30)

    def mod(t):
        if F <= t < FIX:
            k = (t - F).total_seconds() / 60
            return {"cpu_pct": int(min(100, r.gauss(97, 2.5))), "temp_c": round(min(52, 38 + k * 0.5) + r.gauss(0, 0.5), 1),
                    "memory_used_pct": round(r.gauss(63, 1.5), 1)}
        return {}

    c.beats(T, t0, END, mod)
    c.normal_txns(T, t0, F, gap=(3, 7))
    c.normal_txns(T, FIX, END, gap=(3, 7))
    cause = "resource.cpu"
    t = mins(F, 2)
    while t < FIX:
        x = r.random()
        if x < 0.45:
            c.txn(t, T, latency=r.randint(9000, 26000))
        elif x < 0.75:
            c.error(t, T, "系统繁忙", "app",
                    r.choice(["CPU 99%: com.adscreen.player 86%, EMV kernel response 18.4s",
                              "系统繁忙: 主线程阻塞 21s (ANR), load average 7.9",
                              "ANR in com.centerm.pay: Input dispatching timed out"]), cause)
        else:
            c.timeout(t, T, cause, "E2", "receive",
                      r.choice(["通讯超时: 应答处理超时 (UI thread blocked 23s)",
                                "timeout waiting for response handler, cpu 100%"]), after=62)
        t = mins(t, r.uniform(3, 6))
    c.check(mins(FIX, -4), "running_apps", "com.adscreen.player 87% CPU", tid=T)
    c.maintenance(mins(FIX, -1), T, "repair", "卸载广告播放应用 / advertising player removed")
    c.resolution(FIX, cause, tid=T, notes="第三方广告应用占满CPU / third-party ad player hogging the CPU")
    c.fault("cpu-1", cause, {"terminal_id": T}, [T], F, FIX)
