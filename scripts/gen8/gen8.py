#!/usr/bin/env python3
"""gen8 -- blind test-data generator for POS fleet diagnosis (posdoc record format v1).

Usage: gen8.py --seed N --out DIR   ->  DIR/records.jsonl, DIR/truth.jsonl

World: a third-party payment service provider (收单外包服务机构) in Hebei, Shanxi,
Sichuan and Xinjiang, small merchants, battery smart POS + old countertops.
Standard library only; deterministic per seed (string-seeded RNGs, sorted iteration).
"""
import argparse
import heapq
import json
import math
import os
import random
import sys
from datetime import datetime, timezone, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from world import (CAUSES, CITIES, CITY_WEIGHT, RSSI_BASE, MTYPES, TAXI, NAME_WORDS, SURNAMES, XJ_NAMES,
                   KD_NAMES, PREFIX, MODELS, MODEL_NETS, PSP_APP_VERSIONS, PSP_APP_WEIGHTS, HOSTS,
                   PROV_HOST, ISSUERS, TABLES, TABLE_TZ, DECLINES, QR_DECLINES)

HOUR = 3600
HOST_IP = {"H1": "202.101.25.88", "H2": "218.12.40.17", "H3": "171.221.8.60", "H4": "61.128.99.34"}
HOST_PORT = {"H1": 8583, "H2": 5000, "H3": 9001, "H4": 8000}
WINDOW_H = 6


def RNG(seed, *names):
    return random.Random("gen8|%d|%s" % (seed, "|".join(str(n) for n in names)))


def wchoice(rng, items, weights):
    tot = float(sum(weights))
    x = rng.random() * tot
    acc = 0.0
    for it, w in zip(items, weights):
        acc += w
        if x < acc:
            return it
    return items[-1]


def wdict(rng, d):
    ks = sorted(d)
    return wchoice(rng, ks, [d[k] for k in ks])


def clamp(x, a, b):
    return a if x < a else b if x > b else x


def iso(t, off_h=0):
    dt = datetime.fromtimestamp(int(t), timezone.utc) + timedelta(hours=off_h)
    s = dt.strftime("%Y-%m-%dT%H:%M:%S")
    return s + ("Z" if off_h == 0 else "%+03d:00" % off_h)


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    L = math.exp(-lam)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


CITY_ABBR = {"shijiazhuang": "SJZ", "baoding": "BD", "zhangbei": "ZB", "taiyuan": "TY", "datong": "DT",
             "lvliang": "LL", "chengdu": "CD", "mianyang": "MY", "kangding": "KD", "urumqi": "UR",
             "kashgar": "KS", "yining": "YN"}
PROV_TID = {"hebei": "13", "shanxi": "14", "sichuan": "51", "xinjiang": "65"}
PLATE = {"shijiazhuang": "冀A", "baoding": "冀F", "zhangbei": "冀G", "taiyuan": "晋A", "datong": "晋B",
         "lvliang": "晋J", "chengdu": "川A", "mianyang": "川B", "kangding": "川V", "urumqi": "新A",
         "kashgar": "新Q", "yining": "新F"}


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


# ---------------------------------------------------------------------------------------------
# fleet
# ---------------------------------------------------------------------------------------------
def serial_for(rng, vendor, model):
    if vendor == "sunmi":
        return "%s%010d" % ("PB" if model == "P2" else "VS", rng.randrange(10 ** 9, 10 ** 10))
    if vendor == "pax":
        return "%010d" % rng.randrange(10 ** 9, 10 ** 10)
    if vendor == "newland":
        return "N%s%08d" % (model[:2], rng.randrange(10 ** 7, 10 ** 8))
    if vendor == "landi":
        return "LD%09d" % rng.randrange(10 ** 8, 10 ** 9)
    if vendor == "centerm":
        return "CT96%07d" % rng.randrange(10 ** 6, 10 ** 7)
    return "%08d" % rng.randrange(10 ** 7, 10 ** 8)


def merchant_name(rng, mt, city):
    prov = CITIES[city][1]
    w = rng.choice(NAME_WORDS[mt])
    r = rng.random()
    if prov == "xinjiang" and r < 0.45:
        return rng.choice(XJ_NAMES) + w
    if city == "kangding" and r < 0.4:
        return rng.choice(KD_NAMES) + w
    if r < 0.35:
        return rng.choice(SURNAMES) + "记" + w
    if r < 0.55:
        return "老" + rng.choice(SURNAMES) + w
    return rng.choice(PREFIX) + w


def build_fleet(seed, W0):
    rng = RNG(seed, "fleet")
    target = rng.randint(288, 315)
    merchants, sites, terms = [], [], []
    cities = sorted(CITIES)
    cw = [CITY_WEIGHT[CITIES[c][5]] for c in cities]
    mts = sorted(MTYPES)
    mseq = rng.randrange(100, 900)
    tseq = {p: rng.randrange(1000, 9000) for p in PROV_TID}

    def new_merchant(city, mt, mcc, name, hours, extra):
        nonlocal mseq
        mseq += rng.randrange(1, 7)
        area = CITIES[city][2]
        mid = "898" + area + mcc + "%04d" % (mseq % 10000)
        rate_card = rng.choice([0.0055, 0.006, 0.006, 0.006])
        m = Obj(mid=mid, city=city, mt=mt, mcc=mcc, name=name, hours=hours, sites=[], terms=[],
                settlement="direct" if rng.random() < 0.8 else "indirect", card_rate=rate_card,
                qr_rate=0.0038, fixed_fee=None, host=None, mcc_jump=0.0, jump_mcc=None,
                rate_drift=0.0, idx=len(merchants))
        if rng.random() < 0.08:
            m.mcc_jump = rng.uniform(0.3, 1.0)   # PSP routes some txns under another MCC (跳码)
            m.jump_mcc = rng.choice(["5311", "5411", "8062", "5300"])
        if rng.random() < 0.05:
            m.rate_drift = rng.choice([0.0003, 0.0008])  # silently raised rate (fee complaints)
        m.__dict__.update(extra)
        merchants.append(m)
        return m

    def new_site(m, k, name):
        city = m.city
        lat0, lon0 = CITIES[city][3], CITIES[city][4]
        s = Obj(sid="%s-%03d-%d" % (CITY_ABBR[city], m.idx + 1, k), merchant=m, city=city, name=name,
                lat=round(lat0 + rng.uniform(-0.08, 0.08), 4), lon=round(lon0 + rng.uniform(-0.08, 0.08), 4),
                terms=[], rural=CITIES[city][5] in ("rural", "mountain"), idx=len(sites),
                mains_base=rng.gauss(222, 4) if CITIES[city][5] in ("urban", "town") else rng.gauss(212, 7),
                basement=rng.random() < 0.06)
        sites.append(s)
        m.sites.append(s)
        return s

    def new_term(m, s, model, net, outdoor, cradle):
        prov = CITIES[m.city][1]
        tseq[prov] += rng.randrange(1, 4)
        md = MODELS[model]
        tid = PROV_TID[prov] + "%06d" % tseq[prov]
        kind = CITIES[m.city][5]
        carrier = wdict(rng, CITIES[m.city][8]) if net == "cellular" else None
        fws = md["fws"]
        fw = wchoice(rng, fws, [1 + i * 1.5 for i in range(len(fws))])
        app = wchoice(rng, PSP_APP_VERSIONS, PSP_APP_WEIGHTS) if md["table"] == "psp_app" else None
        inst_y = rng.choice([2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]) if md["form"] == "counter" else rng.choice([2022, 2023, 2024, 2025, 2026])
        if model == "iCT220":
            inst_y = rng.choice([2016, 2017, 2018, 2019])
        installed = "%d-%02d-%02d" % (inst_y, rng.randint(1, 12), rng.randint(1, 28))
        cert = None
        if net != "dialup":
            cy = max(2027, inst_y + rng.choice([2, 3, 3, 5]))
            cert = "%d-%02d-%02dT00:00:00Z" % (min(cy, 2031), rng.randint(1, 12), rng.randint(1, 28))
        rb = RSSI_BASE[kind]
        rssi_base = clamp(rng.gauss(rb[0], rb[1]), rb[3], rb[2])
        if carrier == "ctcc" and kind in ("rural", "mountain"):
            rssi_base -= 3
        if s.basement:
            rssi_base -= 8
        T = Obj(tid=tid, model=model, vendor=md["vendor"], form=md["form"], table=md["table"], md=md,
                merchant=m, site=s, net=net, carrier=carrier, host=m.host, fw=fw, app=app,
                cert=cert, installed=installed, serial=serial_for(rng, md["vendor"], model),
                rssi_base=rssi_base, wifi_base=rng.uniform(-68, -45), outdoor=outdoor, cradle=cradle,
                battery=md["form"] == "smart", keypad=md["keypad"],
                hb=md["hb"] if not (model == "iCT220" and net == "dialup") else 1800,
                timeout=md["timeout"], idx=len(terms), taxi=m.mt == "taxi",
                share=rng.lognormvariate(0, 0.5), cheap_adapter=rng.random() < (0.5 if s.rural else 0.2),
                inv_carrier=carrier if rng.random() > 0.06 else None,
                inv_fw=fw if rng.random() > 0.05 else None,
                inv_cert=cert if rng.random() > 0.08 else None)
        if T.host is None:
            T.host = "H1"
        terms.append(T)
        s.terms.append(T)
        m.terms.append(T)
        return T

    # taxi companies
    ntaxi = rng.randint(2, 3)
    taxi_cities = [c for c in cities if CITIES[c][5] in ("urban", "town")]
    for _ in range(ntaxi):
        city = rng.choice(taxi_cities)
        cname = CITIES[city][0]
        m = new_merchant(city, "taxi", TAXI["mcc"], cname + rng.choice(["顺达", "通达", "天山", "锦城", "恒通"]) + "出租汽车有限公司",
                         TAXI["hours"], dict(rate=TAXI["rate"], amt=TAXI["amt"]))
        m.host = "H1" if rng.random() < 0.5 else PROV_HOST[CITIES[city][1]]
        for k in range(rng.randint(8, 16)):
            plate = PLATE[city] + "·T%04d" % rng.randrange(1000, 9999)
            s = new_site(m, k + 1, "车辆 " + plate)
            model = wdict(rng, TAXI["models"])
            new_term(m, s, model, "cellular", outdoor=0.6, cradle=False)

    while len(terms) < target:
        city = wchoice(rng, cities, cw)
        mt = wchoice(rng, mts, [MTYPES[k]["w"] for k in mts])
        d = MTYPES[mt]
        kind = CITIES[city][5]
        if mt in ("clothing", "pharmacy", "liquor_tobacco") and kind in ("rural", "mountain") and rng.random() < 0.6:
            mt = "rural_store"
            d = MTYPES[mt]
        mcc = rng.choice(d["mcc"])
        m = new_merchant(city, mt, mcc, merchant_name(rng, mt, city), d["hours"],
                         dict(rate=d["rate"] * rng.lognormvariate(0, 0.45), amt=d["amt"]))
        m.host = "H1" if rng.random() < 0.4 else PROV_HOST[CITIES[city][1]]
        nsite = rng.randint(*d["sites"]) if rng.random() < 0.35 else 1
        for k in range(nsite):
            s = new_site(m, k + 1, m.name + (" %d号店" % (k + 1) if nsite > 1 else ""))
            nt = rng.randint(*d["tps"])
            for j in range(nt):
                model = wdict(rng, d["models"])
                nets = {n: w for n, w in d["nets"].items() if n in MODEL_NETS[model]}
                if kind in ("rural", "mountain") and "dialup" in MODEL_NETS[model]:
                    nets["dialup"] = nets.get("dialup", 0) + 1
                net = wdict(rng, nets) if nets else MODEL_NETS[model][0]
                outdoor = d["outdoor"] if rng.random() < d["outdoor"] else 0.0
                cradle = MODELS[model]["form"] == "smart" and rng.random() < d["cradle"]
                new_term(m, s, model, net, outdoor=outdoor, cradle=cradle)
    return merchants, sites, terms


# ---------------------------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------------------------
class Fault:
    def __init__(self, fid, cause, variant, scope, tids, start, end, sev, profile="step", ramp=0.0, params=None):
        self.fid, self.cause, self.variant, self.scope = fid, cause, variant, scope
        self.tids = set(tids)
        self.start, self.end, self.sev = start, end, sev
        self.profile, self.ramp = profile, ramp
        self.params = params or {}
        self.onset = {}
        self.offset = {}
        self.bursts = []
        self.hit = set()
        self.nev = 0

    def I(self, t, tid=None):
        st = self.onset.get(tid, self.start) if tid is not None else self.start
        en = self.offset.get(tid, self.end) if tid is not None else self.end
        if t < st or t >= en:
            return 0.0
        v = 1.0
        if self.profile in ("ramp", "ramp_burst"):
            v = min(1.0, (t - st) / max(1.0, self.ramp)) ** 1.3
            v = max(v, 0.05)
        if self.profile in ("burst", "ramp_burst"):
            inb = False
            for a, b in self.bursts:
                if a <= t < b:
                    inb = True
                    break
                if a > t:
                    break
            if not inb:
                v *= self.params.get("floor", 0.0)
        return v * self.sev


def bump(ver, k):
    """increment the trailing number of a version string, keeping its width."""
    i = len(ver)
    while i > 0 and ver[i - 1].isdigit():
        i -= 1
    num = ver[i:]
    return ver[:i] + str(int(num) + k).zfill(len(num))


def make_bursts(rng, start, end, on=(120, 900), off=(180, 1500)):
    out = []
    t = start + rng.uniform(0, off[0])
    while t < end:
        d = rng.uniform(*on)
        out.append((t, min(end, t + d)))
        t += d + rng.uniform(*off)
    return out


class Planner:
    def __init__(self, seed, W0, W1, merchants, sites, terms, day0):
        self.seed, self.W0, self.W1, self.day0 = seed, W0, W1, day0
        self.ms, self.ss, self.ts = merchants, sites, terms
        self.rng = RNG(seed, "plan")
        self.faults = []
        self.used_t = {}
        self.used_s = {}
        self.used_m = {}
        self.rollouts = []   # version-change events: (tid, t, field, newver, kind)
        self.n = 0
        self.last_M = None

    # ---- helpers
    def fid(self):
        self.n += 1
        return "F%d-%02d" % (self.seed, self.n)

    def busy(self, T):
        return T.merchant.rate * T.share

    def exp_rate(self, T):
        S = T.site
        tot = sum(U.share for U in S.terms)
        mult = 1.0 if len(S.terms) == 1 else 0.8 + 0.4 * len(S.terms) / 2
        return min(25.0, T.merchant.rate * 1.7 * mult * T.share / tot * self.open_frac(T.merchant))

    def pick_term(self, pred, prefer_busy=True, overlap=0.25):
        rng = self.rng
        cand = [T for T in self.ts if pred(T) and self.used_t.get(T.tid, 0) < 2]
        if not cand:
            return None
        if rng.random() < overlap:
            ov = [T for T in cand if self.used_s.get(T.site.sid) or self.used_m.get(T.merchant.mid)]
            if ov:
                cand = ov
        if prefer_busy and rng.random() < 0.85:
            w = [0.02 + self.exp_rate(T) ** 1.4 for T in cand]
            T = wchoice(rng, cand, w)
        else:
            T = rng.choice(cand)
        self.last_M = T.merchant
        return T

    def open_at(self, M, t):
        hl = ((t - self.day0) / HOUR - CITIES[M.city][6]) % 24.0
        return any(a <= hl < b for a, b in M.hours)

    def open_frac(self, M):
        shift = CITIES[M.city][6]
        n = 0
        for k in range(24):
            t = self.W0 + k * 900
            hl = ((t - self.day0) / HOUR - shift) % 24.0
            if any(a <= hl < b for a, b in M.hours):
                n += 1
        return n / 24.0

    def mark(self, f, terms):
        for T in terms:
            self.used_t[T.tid] = self.used_t.get(T.tid, 0) + 1
            self.used_s[T.site.sid] = self.used_s.get(T.site.sid, 0) + 1
            self.used_m[T.merchant.mid] = self.used_m.get(T.merchant.mid, 0) + 1
        self.faults.append(f)
        return f

    def times(self, dmin, dmax, pre=0.25, post=0.3, early=0.0):
        """start/end: sometimes already running at window start, sometimes still running at end."""
        rng = self.rng
        W0, W1 = self.W0, self.W1
        M = self.last_M
        for _ in range(30):
            if rng.random() < pre:
                s = W0 - rng.uniform(600, 4 * HOUR)
            else:
                s = W0 + min(rng.uniform(early, (WINDOW_H - 0.6) * HOUR), rng.uniform(early, (WINDOW_H - 1.0) * HOUR))
            d = rng.uniform(dmin, dmax) * 60
            e = s + d
            if rng.random() < post:
                e = max(e, W1 + rng.uniform(600, 3 * HOUR))
            if e < W0 + 1200:
                e = W0 + rng.uniform(1800, 3 * HOUR)
            if M is None or self.open_minutes(M, s, e) >= 45:
                break
        return s, e

    def open_minutes(self, M, s, e):
        a, b = max(s, self.W0), min(e, self.W1)
        n = 0
        t = a
        while t < b:
            if self.open_at(M, t):
                n += 5
            t += 300
        return n

    def start_open(self, M, lo, hi):
        rng = self.rng
        for _ in range(30):
            s = rng.uniform(lo, hi)
            if self.open_minutes(M, s, self.W1) >= 60:
                return s
        return s

    def new(self, cause, variant, scope, terms, start, end, sev, profile="step", ramp=0, params=None):
        self.last_M = None
        f = Fault(self.fid(), cause, variant, scope, [T.tid for T in terms], start, end, sev, profile, ramp, params)
        if profile in ("burst", "ramp_burst"):
            f.bursts = make_bursts(self.rng, start, end, *(params or {}).get("burst_args", ()))
        return self.mark(f, terms)

    # ---- per cause
    def p_hardware_keypad(self):
        rng = self.rng
        T = self.pick_term(lambda T: T.keypad)
        if not T:
            return None
        v = rng.choice(["stuck", "stuck", "dead"])
        if v == "stuck":
            s, e = self.times(120, 400, pre=0.6, post=0.6)
            return self.new("hardware.keypad", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.35, 0.8), "ramp", rng.uniform(1200, 7200))
        s, e = self.times(60, 300, pre=0.1, post=0.6)
        return self.new("hardware.keypad", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.8, 1.0))

    def p_hardware_display(self):
        rng = self.rng
        T = self.pick_term(lambda T: True)
        if not T:
            return None
        v = "touch_drift" if T.form == "smart" else "lcd_fade"
        s, e = self.times(90, 360, pre=0.5, post=0.6)
        return self.new("hardware.display", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.4, 0.85), "ramp", rng.uniform(300, 2400))

    def p_hardware_card_reader(self):
        rng = self.rng
        v = rng.choice(["ic_contact", "ic_contact", "ic_contact", "msr_head", "nfc_antenna"])
        pred = {"nfc_antenna": lambda T: T.form == "smart", "msr_head": lambda T: T.form == "counter"}.get(v, lambda T: True)
        T = self.pick_term(pred)
        if not T:
            return None
        s, e = self.times(120, 360, pre=0.5, post=0.6)
        return self.new("hardware.card_reader", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.5, 0.95), "ramp", rng.uniform(300, 3600))

    def p_hardware_printer(self):
        rng = self.rng
        T = self.pick_term(lambda T: True)
        if not T:
            return None
        v = rng.choice(["head_fault", "jam", "paper_sensor"])
        s, e = self.times(40, 300, pre=0.3, post=0.5)
        prof = "burst" if v == "jam" else "step"
        return self.new("hardware.printer", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.6, 1.0), prof,
                        params={"floor": 0.1, "burst_args": ((300, 1500), (300, 1800))})

    def p_hardware_board(self, T=None, start=None):
        rng = self.rng
        if T is None:
            T = self.pick_term(lambda T: True)
        if not T:
            return None
        v = rng.choice(["overheat", "tamper", "unstable"]) if start is None else rng.choice(["surge_damage", "tamper"])
        if start is None:
            s, e = self.times(60, 360, pre=0.4, post=0.7)
        else:
            s, e = start, self.W1 + rng.uniform(600, 7200)
        f = self.new("hardware.board", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.5, 1.0), "ramp" if v != "tamper" else "step",
                     rng.uniform(600, 3600))
        if v == "tamper":
            f.params["lock_after"] = s + rng.uniform(0, 1800)
        return f

    def p_power_supply(self):
        rng = self.rng
        if rng.random() < 0.55:
            # whole site: unstable mains (case 1 of the article)
            cand = [S for S in self.ss if len(S.terms) >= 1 and S.merchant.mt != "taxi"
                    and any(T.form == "counter" or T.cradle for T in S.terms)]
            cand2 = [S for S in cand if len(S.terms) >= 2 or S.rural]
            cand = cand2 or cand
            if not cand:
                return None
            S = wchoice(rng, cand, [(1 + 2 * S.rural + len(S.terms)) * (1 + 3 * sum(1 for T in S.terms if T.form == "counter" or T.net in ("wifi", "ethernet")))
                                    * (0.05 + sum(self.exp_rate(T) for T in S.terms)) for S in cand])
            self.last_M = S.merchant
            s, e = self.times(40, 200, pre=0.15, post=0.2, early=600)
            f = self.new("power.supply", "site_mains", {"site_id": S.sid}, list(S.terms), s, e, rng.uniform(0.5, 1.0), "burst",
                         params={"floor": 0.0, "burst_args": ((240, 1200), (300, 1800))})
            # chained damage: a surge kills a board later
            if rng.random() < 0.45:
                victims = [T for T in S.terms if T.form == "counter"] or list(S.terms)
                V = rng.choice(victims)
                t0 = f.bursts[0][0] if f.bursts else s
                tch = max(self.W0 + 300, t0 + rng.uniform(300, 2400))
                if tch < self.W1 - 1800:
                    g = self.p_hardware_board(V, tch)
                    g.params["chain_of"] = f.fid
            return f
        T = self.pick_term(lambda T: T.form == "counter")
        if not T:
            return None
        s, e = self.times(120, 360, pre=0.45, post=0.6)
        return self.new("power.supply", "adapter", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.5, 1.0), "ramp", rng.uniform(900, 5400))

    def p_power_battery(self):
        rng = self.rng
        T = self.pick_term(lambda T: T.battery and not T.cradle)
        if not T:
            T = self.pick_term(lambda T: T.battery)
        if not T:
            return None
        v = rng.choice(["worn", "worn", "empty"])
        if v == "worn":
            s, e = self.W0 - rng.uniform(3600, 10 * 86400), self.W1 + 86400
        else:
            s, e = self.W0, self.W1 + 3600   # start refined by simulation (first low-battery moment)
        return self.new("power.battery", v, {"terminal_id": T.tid}, [T], s, e, 1.0, params={"cap": rng.uniform(0.2, 0.4)})

    def p_network_signal(self):
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            cand = [S for S in self.ss if sum(1 for T in S.terms if T.net == "cellular") >= 2]
            if cand:
                S = rng.choice(cand)
                self.last_M = S.merchant
                tt = [T for T in S.terms if T.net == "cellular"]
                s, e = self.times(60, 300, pre=0.3, post=0.5)
                return self.new("network.signal", "site_shadow", {"site_id": S.sid}, tt, s, e, rng.uniform(0.6, 1.0), "ramp", rng.uniform(300, 2400),
                                params={"drop": rng.uniform(12, 20)})
        if r < 0.4:
            T = self.pick_term(lambda T: T.net == "wifi")
            if T:
                s, e = self.times(60, 300, pre=0.4, post=0.5)
                return self.new("network.signal", "wifi_far", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.6, 1.0), params={"drop": rng.uniform(16, 26)})
        T = self.pick_term(lambda T: T.net == "cellular")
        if not T:
            return None
        v = rng.choice(["terminal_drop", "antenna_intermittent"])
        s, e = self.times(60, 330, pre=0.4, post=0.5)
        if v == "terminal_drop":
            return self.new("network.signal", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.7, 1.0), "ramp", rng.uniform(60, 1800),
                            params={"drop": rng.uniform(14, 24)})
        return self.new("network.signal", v, {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.7, 1.0), "burst",
                        params={"drop": rng.uniform(16, 28), "floor": 0.15, "burst_args": ((120, 900), (200, 1500))})

    def p_network_lan(self):
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            T = self.pick_term(lambda T: T.net in ("ethernet", "dialup"))
            if T:
                s, e = self.times(40, 300, pre=0.3, post=0.4)
                return self.new("network.lan", "cable", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.5, 1.0), "burst",
                                params={"floor": 0.08, "burst_args": ((60, 600), (120, 1200))})
        if r < 0.4:
            cand = [S for S in self.ss if any(T.net == "wifi" for T in S.terms)]
            if cand:
                S = rng.choice(cand)
                self.last_M = S.merchant
                tt = [T for T in S.terms if T.net == "wifi"]
                s, e = self.times(30, 200, pre=0.2, post=0.3)
                return self.new("network.lan", "ap", {"site_id": S.sid}, tt, s, e, rng.uniform(0.5, 1.0), "burst",
                                params={"floor": 0.2, "burst_args": ((180, 1200), (120, 900))})
        cand = [S for S in self.ss if any(T.net in ("wifi", "ethernet") for T in S.terms)]
        if not cand:
            return None
        w = [(1 + 3 * (len(S.terms) >= 2) + 2 * any(T.net == "cellular" for T in S.terms) + 2 * bool(self.used_s.get(S.sid)))
             * (0.05 + sum(self.exp_rate(T) for T in S.terms)) for S in cand]
        S = wchoice(rng, cand, w)
        self.last_M = S.merchant
        tt = [T for T in S.terms if T.net in ("wifi", "ethernet")]
        s, e = self.times(25, 240, pre=0.2, post=0.3)
        return self.new("network.lan", "router", {"site_id": S.sid}, tt, s, e, rng.uniform(0.5, 1.0), "ramp_burst", rng.uniform(60, 1200),
                        params={"floor": 0.25, "burst_args": ((180, 1500), (60, 600))})

    def carrier_groups(self, minn=3):
        g = {}
        for T in self.ts:
            if T.net == "cellular":
                g.setdefault((T.carrier, T.site.city), []).append(T)
        return {k: v for k, v in sorted(g.items()) if len(v) >= minn}

    def p_network_carrier(self):
        rng = self.rng
        g = self.carrier_groups(4)
        if not g:
            return None
        keys = sorted(g)
        k = wchoice(rng, keys, [len(g[x]) for x in keys])
        v = rng.choice(["outage", "congestion", "congestion"])
        frac = 1.0 if rng.random() < 0.5 else rng.uniform(0.5, 0.85)
        tt = [T for T in g[k] if rng.random() < frac] or g[k]
        if v == "outage":
            s, e = self.times(15, 90, pre=0.05, post=0.1)
            return self.new("network.carrier", v, {"carrier": k[0], "city": k[1]}, tt, s, e, 1.0, "burst",
                            params={"floor": 0.5, "burst_args": ((600, 2400), (60, 400))})
        s, e = self.times(30, 150, pre=0.1, post=0.15)
        return self.new("network.carrier", v, {"carrier": k[0], "city": k[1]}, tt, s, e, rng.uniform(0.5, 1.0), "ramp", rng.uniform(300, 1800),
                        params={"loss": rng.uniform(0.25, 0.55), "lat": rng.uniform(900, 3500)})

    def version_groups(self):
        g = {}
        for T in self.ts:
            if T.app:
                g.setdefault(("app", "psp", T.app), []).append(T)
            g.setdefault(("fw", T.model, T.fw), []).append(T)
        return g

    def rollout(self, terms, field, newver, R, frac, spread):
        rng = self.rng
        done = []
        for T in terms:
            if rng.random() < frac:
                tu = R + rng.uniform(0, spread)
                self.rollouts.append(Obj(tid=T.tid, t=tu, field=field, ver=newver))
                done.append((T, tu))
        return done

    def p_software_bug(self):
        rng = self.rng
        if rng.random() < 0.6:
            elig = [T for T in self.ts if T.app]
            base = max(PSP_APP_VERSIONS, key=lambda v: tuple(int(x) for x in v.split(".")))
            newver = rng.choice(["4.4.0", "4.4.1", "4.3.5"])
            if any(r.field == "app" and r.ver == newver for r in self.rollouts):
                newver = newver + "b"
            field, scope = "app", {"app_version": newver}
            # staged rollout: one vendor first
            vend = rng.choice(sorted(set(T.vendor for T in elig)))
            if rng.random() < 0.6:
                elig = [T for T in elig if T.vendor == vend]
                scope = {"app_version": newver, "vendor": vend}
            v = rng.choice(["crash_nfc", "mem_leak", "field55", "print_crash"])
        else:
            models = sorted(set(T.model for T in self.ts if T.form == "counter"))
            model = rng.choice(models)
            elig = [T for T in self.ts if T.model == model]
            fws = MODELS[model]["fws"]
            newver = bump(fws[-1], 1)
            field, scope = "fw", {"firmware": newver, "model": model}
            v = rng.choice(["reboot_loop", "field55", "print_crash"])
        R = rng.uniform(self.W0 - 3 * HOUR, self.W0 + 3 * HOUR)
        done = self.rollout(elig, field, newver, R, rng.uniform(0.35, 0.8), rng.uniform(1800, 4 * HOUR))
        if not done:
            return None
        tt = [T for T, _ in done]
        f = self.new("software.bug", v, scope, tt, min(tu for _, tu in done), self.W1 + 3600, rng.uniform(0.4, 0.9),
                     "ramp" if v == "mem_leak" else "step", rng.uniform(3600, 3 * 3600), params={"field": field, "ver": newver})
        for T, tu in done:
            f.onset[T.tid] = tu
        # some terminals get rolled back later in the window
        if rng.random() < 0.35:
            rb = rng.uniform(max(self.W0, f.start) + 3600, self.W1 - 600)
            if rb > f.start + 1800:
                f.end = rb
                f.params["rollback"] = True
        return f

    def p_software_incompatible(self):
        rng = self.rng
        r = rng.random()
        T0 = self.W0 + rng.uniform(900, 4.5 * HOUR)
        if r < 0.2:
            g = {}
            for T in self.ts:
                if T.net == "cellular" and T.form == "counter":
                    g.setdefault((T.carrier, T.site.city, T.model), []).append(T)
            keys = sorted(k for k in g if len(g[k]) >= 1)
            if keys:
                k = rng.choice(keys)
                return self.new("software.incompatible", "modem", {"carrier": k[0], "city": k[1], "model": k[2]}, g[k], T0, self.W1 + 86400, 1.0)
        host = rng.choice(sorted(HOSTS))
        if r < 0.6:
            v = "host_spec"
            old = [T for T in self.ts if T.host == host and T.app in ("3.9.8", "4.2.7")]
            if old and rng.random() < 0.6:
                ver = rng.choice(sorted(set(T.app for T in old)))
                tt = [T for T in old if T.app == ver]
                scope = {"host": host, "app_version": ver}
            else:
                g = {}
                for T in self.ts:
                    if T.host == host and T.form == "counter" and T.fw == MODELS[T.model]["fws"][0]:
                        g.setdefault((T.model, T.fw), []).append(T)
                if not g:
                    return None
                k = max(sorted(g), key=lambda k: len(g[k]))
                tt = g[k]
                scope = {"host": host, "model": k[0], "firmware": k[1]}
        else:
            v = "tls_legacy"
            g = {}
            for T in self.ts:
                if T.host == host and T.net != "dialup" and T.form == "counter" and T.fw == MODELS[T.model]["fws"][0]:
                    g.setdefault((T.model, T.fw), []).append(T)
            if not g:
                return None
            k = max(sorted(g), key=lambda k: len(g[k]))
            tt = g[k]
            scope = {"host": host, "model": k[0], "firmware": k[1]}
        f = self.new("software.incompatible", v, scope, tt, T0, self.W1 + 86400, 1.0)
        # the PSP pushes a fixing update to some terminals during the window
        if rng.random() < 0.5:
            for T in tt:
                if rng.random() < 0.4:
                    tu = T0 + rng.uniform(1800, 3 * HOUR)
                    if "app_version" in scope:
                        self.rollouts.append(Obj(tid=T.tid, t=tu, field="app", ver="4.3.2"))
                    else:
                        self.rollouts.append(Obj(tid=T.tid, t=tu, field="fw", ver=MODELS[T.model]["fws"][-1]))
                    f.offset[T.tid] = tu
        return f

    def p_software_config(self):
        rng = self.rng
        v = rng.choice(["wrong_host", "wrong_tid", "wrong_keyidx", "short_timeout"])
        if rng.random() < 0.3:
            cand = [M for M in self.ms if 2 <= len(M.terms) <= 8 and M.mt != "taxi"]
            if cand:
                M = rng.choice(cand)
                tt = list(M.terms)
                scope = {"merchant_id": M.mid}
            else:
                return None
        else:
            T = self.pick_term(lambda T: True)
            if not T:
                return None
            tt = [T]
            scope = {"terminal_id": T.tid}
        s, e = self.times(40, 300, pre=0.25, post=0.5)
        f = self.new("software.config", v, scope, tt, s, e, 1.0, params={"param_ver": "%s-%02d" % (datetime.fromtimestamp(int(s), timezone.utc).strftime("%Y%m%d"), rng.randint(2, 9))})
        if v == "wrong_tid":
            f.params["sub"] = rng.choice(["tid", "mid"])
            others = [M for M in self.ms if M is not tt[0].merchant]
            f.params["other_mid"] = rng.choice(others).mid
        if v == "short_timeout":
            f.params["to"] = rng.choice([2, 3, 3])
        return f

    def p_transmission_corruption(self):
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            g = self.carrier_groups(3)
            if g:
                keys = sorted(g)
                k = rng.choice(keys)
                s, e = self.times(40, 240, pre=0.2, post=0.3)
                return self.new("transmission.corruption", "mtu", {"carrier": k[0], "city": k[1]}, g[k], s, e, rng.uniform(0.5, 0.9))
        if r < 0.5:
            T = self.pick_term(lambda T: T.form == "counter" and T.keypad)
            if T:
                s, e = self.times(60, 300, pre=0.4, post=0.5)
                return self.new("transmission.corruption", "pinpad_cable", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.4, 0.9), "burst",
                                params={"floor": 0.3, "burst_args": ((300, 1800), (300, 1800))})
        if r < 0.65:
            cand = [S for S in self.ss if sum(1 for T in S.terms if T.net == "wifi") >= 1]
            if cand:
                S = rng.choice(cand)
                self.last_M = S.merchant
                tt = [T for T in S.terms if T.net == "wifi"]
                s, e = self.times(40, 200, pre=0.2, post=0.3)
                return self.new("transmission.corruption", "wifi_noise", {"site_id": S.sid}, tt, s, e, rng.uniform(0.3, 0.7), "burst",
                                params={"floor": 0.2, "burst_args": ((300, 1200), (300, 1500))})
        T = self.pick_term(lambda T: T.net in ("ethernet", "dialup"))
        if not T:
            return None
        s, e = self.times(60, 300, pre=0.35, post=0.5)
        return self.new("transmission.corruption", "cable", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.25, 0.7), "burst",
                        params={"floor": 0.35, "burst_args": ((300, 1800), (200, 1200))})

    def p_security_keys(self):
        rng = self.rng
        if rng.random() < 0.3:
            host = rng.choice(sorted(HOSTS))
            vend = rng.choice(sorted(set(T.vendor for T in self.ts if T.host == host)))
            tt0 = [T for T in self.ts if T.host == host and T.vendor == vend]
            tt = [T for T in tt0 if rng.random() < rng.uniform(0.3, 0.7)] or tt0[:1]
            if not tt:
                return None
            s = self.W0 + rng.uniform(0, 4 * HOUR)
            f = self.new("security.keys", "host_rotation", {"host": host, "vendor": vend}, tt, s, self.W1 + 3600, 1.0)
            for T in tt:
                if rng.random() < 0.5:
                    f.offset[T.tid] = s + rng.uniform(900, 3 * HOUR)
            return f
        T = self.pick_term(lambda T: True)
        if not T:
            return None
        v = rng.choice(["desync", "desync", "lost"])
        s, e = self.times(30, 300, pre=0.35, post=0.5)
        return self.new("security.keys", v, {"terminal_id": T.tid}, [T], s, e, 1.0)

    def p_security_certificate(self):
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            T = self.pick_term(lambda T: T.net != "dialup")
            if not T:
                return None
            s = self.start_open(T.merchant, self.W0 - 2 * HOUR, self.W0 + 4.5 * HOUR)
            batch = [T]
            if rng.random() < 0.5:
                # a batch installed the same day share a certificate expiry
                batch = [U for U in self.ts if U.model == T.model and U.net != "dialup" and U.host == T.host
                         and rng.random() < 0.25 and U is not T][:4] + [T]
            na = iso(s)
            for U in batch:
                U.cert = na
                U.inv_cert = na if rng.random() > 0.1 else None
            scope = {"terminal_id": T.tid} if len(batch) == 1 else {"model": T.model, "cert_not_after": na}
            return self.new("security.certificate", "expired", scope, batch, s, self.W1 + 86400, 1.0)
        if r < 0.75:
            T = self.pick_term(lambda T: T.net != "dialup" and T.form == "counter") or self.pick_term(lambda T: T.net != "dialup")
            if not T:
                return None
            s = self.start_open(T.merchant, self.W0 + 600, self.W0 + 4.5 * HOUR)
            e = self.W1 + 86400 if rng.random() < 0.6 else s + rng.uniform(1800, 3 * HOUR)
            return self.new("security.certificate", "clock_reset", {"terminal_id": T.tid}, [T], s, e, 1.0,
                            params={"skew": rng.choice([-845000000, -820000000, -31536000 * 2, 86400 * 800])})
        host = rng.choice(sorted(HOSTS))
        old = [T for T in self.ts if T.host == host and T.app in ("3.9.8", "4.2.7")]
        if not old:
            return None
        ver = rng.choice(sorted(set(T.app for T in old)))
        tt = [T for T in old if T.app == ver]
        s = self.W0 + rng.uniform(600, 4 * HOUR)
        return self.new("security.certificate", "new_ca", {"host": host, "app_version": ver}, tt, s, self.W1 + 86400, 1.0)

    def p_resource_storage(self):
        rng = self.rng
        T = self.pick_term(lambda T: True)
        if not T:
            return None
        v = "batch_full" if T.form == "counter" else "disk_full"
        s, e = self.times(120, 400, pre=0.5, post=0.7)
        return self.new("resource.storage", v, {"terminal_id": T.tid}, [T], s, e, 1.0, "ramp", rng.uniform(1800, 4 * HOUR))

    def p_resource_memory(self):
        rng = self.rng
        T = self.pick_term(lambda T: T.form == "smart")
        if not T:
            return None
        s, e = self.times(120, 400, pre=0.4, post=0.6)
        return self.new("resource.memory", rng.choice(["third_party_app", "cache_bloat"]), {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.7, 1.0),
                        "ramp", rng.uniform(900, 3 * HOUR))

    def p_resource_cpu(self):
        rng = self.rng
        T = self.pick_term(lambda T: T.form == "smart" or T.model in ("S90", "SP630"))
        if not T:
            return None
        s, e = self.times(60, 360, pre=0.35, post=0.5)
        return self.new("resource.cpu", rng.choice(["runaway_service", "adware"]), {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.6, 1.0),
                        "ramp", rng.uniform(120, 1800))

    def p_operator_error(self):
        rng = self.rng
        if rng.random() < 0.3:
            T = self.pick_term(lambda T: T.merchant.mt == "small_hotel")
            if T:
                s, e = self.times(120, 360, pre=0.3, post=0.5)
                return self.new("operator.error", "hotel_procedure", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.5, 0.9))
        if rng.random() < 0.35:
            cand = [S for S in self.ss if len(S.terms) >= 2]
            if cand:
                S = wchoice(rng, cand, [0.05 + sum(self.exp_rate(T) for T in S.terms) for S in cand])
                self.last_M = S.merchant
                s, e = self.times(120, 300, pre=0.2, post=0.4)
                return self.new("operator.error", "new_cashier", {"site_id": S.sid}, list(S.terms), s, e, rng.uniform(0.45, 0.8))
        T = self.pick_term(lambda T: True)
        if not T:
            return None
        s, e = self.times(120, 300, pre=0.3, post=0.4)
        return self.new("operator.error", "new_cashier", {"terminal_id": T.tid}, [T], s, e, rng.uniform(0.45, 0.9))

    def pick_merchant(self, pred):
        rng = self.rng
        cand = [M for M in self.ms if pred(M) and self.used_m.get(M.mid, 0) < 2]
        if not cand:
            return None
        if rng.random() < 0.25:
            ov = [M for M in cand if self.used_m.get(M.mid)]
            if ov:
                cand = ov
        M = wchoice(rng, cand, [0.05 + sum(self.exp_rate(T) for T in M.terms) ** 1.3 for M in cand])
        self.last_M = M
        return M

    def p_business_txn_type(self):
        rng = self.rng
        v = rng.choice(["preauth_disabled", "refund_disabled", "void_disabled"])
        if v == "preauth_disabled":
            M = self.pick_merchant(lambda M: M.mt == "small_hotel")
            if not M:
                v = "refund_disabled"
        if v != "preauth_disabled":
            M = self.pick_merchant(lambda M: M.mt in ("clothing", "liquor_tobacco", "pharmacy", "noodle_rest", "taxi"))
        if not M:
            return None
        s = self.start_open(M, self.W0 - 3 * HOUR, self.W0 + 3.5 * HOUR)
        f = self.new("business.txn_type", v, {"merchant_id": M.mid}, list(M.terms), s, self.W1 + 86400, 1.0)
        M.extra_refunds = v != "preauth_disabled"
        return f

    def p_business_limit(self):
        rng = self.rng
        v = rng.choice(["daily_cap", "single_cap", "count_cap"])
        if v == "single_cap":
            M = self.pick_merchant(lambda M: M.amt[0] >= 4000)
        else:
            M = self.pick_merchant(lambda M: M.rate * len(M.terms) >= 2.5)
        if not M:
            return None
        s = self.start_open(M, self.W0 + 600, self.W0 + 4.5 * HOUR) if v != "single_cap" else self.W0 - rng.uniform(0, 86400)
        f = self.new("business.limit", v, {"merchant_id": M.mid}, list(M.terms), s, self.W1 + 86400, 1.0,
                     params={"cap": int(M.amt[0] * rng.uniform(1.1, 2.0) // 100 * 100)})
        return f

    def p_business_risk(self):
        rng = self.rng
        v = rng.choice(["merchant_flag", "merchant_flag", "terminal_relocated"])
        if v == "terminal_relocated":
            T = self.pick_term(lambda T: T.merchant.mt != "taxi" and T.battery)
            if T:
                s, e = self.times(60, 300, pre=0.3, post=0.7)
                return self.new("business.risk", v, {"terminal_id": T.tid}, [T], s, e, 1.0)
        M = self.pick_merchant(lambda M: M.amt[0] >= 3000)
        if not M:
            return None
        s = self.start_open(M, self.W0 - 2 * HOUR, self.W0 + 4 * HOUR)
        e = self.W1 + 86400 if rng.random() < 0.7 else s + rng.uniform(3600, 3 * HOUR)
        return self.new("business.risk", v, {"merchant_id": M.mid}, list(M.terms), s, e, rng.uniform(0.5, 1.0))

    def p_business_merchant(self):
        rng = self.rng
        v = rng.choice(["frozen", "deregistered", "mcc_mismatch"])
        if v == "mcc_mismatch":
            M = self.pick_merchant(lambda M: M.mcc_jump > 0)
            if not M:
                M = self.pick_merchant(lambda M: True)
                if M:
                    M.mcc_jump = rng.uniform(0.5, 1.0)
                    M.jump_mcc = rng.choice(["5311", "5411", "8062"])
        else:
            M = self.pick_merchant(lambda M: M.mt != "taxi")
        if not M:
            return None
        s = self.start_open(M, self.W0 - HOUR, self.W0 + 4.5 * HOUR)
        e = self.W1 + 86400 if rng.random() < 0.75 else s + rng.uniform(1800, 3 * HOUR)
        return self.new("business.merchant", v, {"merchant_id": M.mid}, list(M.terms), s, e, 1.0)

    def p_upstream_acquirer(self):
        rng = self.rng
        host = wchoice(rng, sorted(HOSTS), [2, 1, 1, 1])
        tt = [T for T in self.ts if T.host == host]
        v = rng.choice(["outage", "overload", "overload", "partial"])
        if v == "outage":
            s, e = self.times(12, 45, pre=0.0, post=0.05, early=600)
            return self.new("upstream.acquirer", v, {"host": host}, tt, s, e, 1.0)
        s, e = self.times(25, 120, pre=0.05, post=0.1, early=600)
        return self.new("upstream.acquirer", v, {"host": host}, tt, s, e, rng.uniform(0.5, 1.0), "ramp", rng.uniform(300, 1800))

    def issuer_in_fleet(self):
        provs = set(CITIES[T.site.city][1] for T in self.ts)
        c = [i[0] for i in ISSUERS if "only" not in i[5] or i[5]["only"] in provs]
        return self.rng.choice(c)

    def p_upstream_issuer(self):
        rng = self.rng
        iss = self.issuer_in_fleet()
        v = rng.choice(["outage", "slow"])
        s, e = self.times(15, 80, pre=0.05, post=0.1)
        return self.new("upstream.issuer", v, {"issuer": iss}, [], s, e, rng.uniform(0.6, 1.0), "ramp" if v == "slow" else "step", rng.uniform(120, 900))

    def p_card_decline(self):
        rng = self.rng
        iss = self.issuer_in_fleet()
        v = rng.choice(["batch_expired", "reissue"])
        s, e = self.times(120, 360, pre=0.6, post=0.7)
        info = [i for i in ISSUERS if i[0] == iss][0]
        bins = sorted(info[2])
        b = rng.choice(bins)
        return self.new("card.decline", v, {"issuer": iss, "bin": b}, [], s, e, rng.uniform(0.25, 0.5), params={"bin": b})

    def benign(self):
        """updates and parameter pushes that break nothing (confounders)."""
        rng = self.rng
        have = set((r.tid, r.field) for r in self.rollouts)
        if rng.random() < 0.75:
            vend = rng.choice(sorted(set(T.vendor for T in self.ts if T.app)))
            elig = [T for T in self.ts if T.app and T.vendor == vend and (T.tid, "app") not in have]
            if rng.random() < 0.4:
                elig = [T for T in self.ts if T.app and (T.tid, "app") not in have]
            self.rollout(elig, "app", rng.choice(["4.3.3", "4.3.4"]), rng.uniform(self.W0 - 3 * HOUR, self.W0 + 4 * HOUR),
                         rng.uniform(0.2, 0.6), rng.uniform(1800, 4 * HOUR))
        if rng.random() < 0.6:
            model = rng.choice(sorted(set(T.model for T in self.ts)))
            elig = [T for T in self.ts if T.model == model and (T.tid, "fw") not in have]
            self.rollout(elig, "fw", bump(MODELS[model]["fws"][-1], 2), rng.uniform(self.W0 - 3 * HOUR, self.W0 + 4 * HOUR),
                         rng.uniform(0.3, 0.8), rng.uniform(1800, 4 * HOUR))
        self.param_push = []
        for T in self.ts:
            if rng.random() < 0.07:
                t = rng.uniform(self.W0 - HOUR, self.W1 - 1800)
                self.param_push.append((T.tid, t, datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y%m%d") + "-%02d" % rng.randint(1, 9)))

    def plan(self):
        rng = self.rng
        n = len(CAUSES)
        k = 17
        base = [CAUSES[((self.seed - 1) * k + i) % n] for i in range(k)]
        extra_w = {"network.lan": 3, "network.signal": 3, "network.carrier": 2, "power.supply": 2, "power.battery": 2,
                   "hardware.card_reader": 2, "hardware.printer": 2, "software.bug": 1, "upstream.acquirer": 1,
                   "business.limit": 1, "business.risk": 1, "security.keys": 1, "operator.error": 1,
                   "resource.storage": 1, "transmission.corruption": 1}
        extras = [wdict(rng, extra_w) for _ in range(rng.randint(3, 6))]
        order = base + extras
        rng.shuffle(order)
        for c in order:
            fn = getattr(self, "p_" + c.replace(".", "_"))
            for _ in range(3):
                if fn() is not None:
                    break
        self.benign()
        self.rollouts.sort(key=lambda r: (r.tid, r.t))
        return self.faults


# ---------------------------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------------------------
def rssi_loss(r):
    x = -r
    return clamp(0.001 + 0.004 * max(0.0, x - 92) + 0.04 * max(0.0, x - 104) ** 1.3, 0.0, 1.0)


def wifi_loss(r):
    x = -r
    return clamp(0.001 + 0.008 * max(0.0, x - 70) + 0.05 * max(0.0, x - 80) ** 1.3, 0.0, 1.0)


class Sim:
    def __init__(self, seed, W0, W1, merchants, sites, terms, faults, rollouts, day0):
        self.seed, self.W0, self.W1 = seed, W0, W1
        self.ms, self.ss, self.ts = merchants, sites, terms
        self.faults = faults
        self.day0 = day0
        self.records = []
        self.tevents = []
        self.seen = set()
        self.by_term = {T.tid: [] for T in terms}
        self.issuer_faults = []
        for f in faults:
            if f.cause in ("upstream.issuer", "card.decline"):
                self.issuer_faults.append(f)
            for tid in sorted(f.tids):
                self.by_term[tid].append(f)
        self.roll = {}
        for r in rollouts:
            self.roll.setdefault(r.tid, []).append(r)
        self.fault_by_id = {f.fid: f for f in faults}
        self.issuer_info = {i[0]: i for i in ISSUERS}
        self.bin_issuer = {}
        for i in ISSUERS:
            for b in i[2] + i[3]:
                self.bin_issuer[b] = i[0]
        self.people = []
        self.complaint_seq = RNG(seed, "cseq").randrange(1000, 5000)
        self.fail_log = {}     # fid -> list of (t, tid)
        self.merchant_fail = {}

    # ---------- time helpers
    def mi(self, t):
        return clamp(int((t - self.W0) // 60), 0, WINDOW_H * 60 - 1)

    def hour_local(self, t, T):
        return ((t - self.day0) / HOUR - CITIES[T.site.city][6]) % 24.0

    # ---------- emission
    def emit(self, rec, t, tid):
        self.records.append((t, tid, rec))

    def tstr(self, T, t, off):
        return iso(t, off)

    def uniq(self, T, t, code):
        t = int(t)
        while (T.tid, t, code) in self.seen:
            t += 1
        self.seen.add((T.tid, t, code))
        return t

    def label(self, T, t, ts, cause, fid, code, stan, ev):
        te = {"kind": "truth_event", "ts": ts, "terminal_id": T.tid, "cause": cause, "code": code}
        if stan:
            te["stan"] = stan
        te["event"] = ev
        if fid:
            te["fault_id"] = fid
            f = self.fault_by_id[fid]
            f.hit.add(T.tid)
            f.nev += 1
            self.fail_log.setdefault(fid, []).append((t, T.tid))
        else:
            te["background"] = True
        self.tevents.append((t, T.tid, te))
        self.merchant_fail.setdefault(T.merchant.mid, []).append((t, T.tid, code, cause, fid))

    def err(self, T, t, sym, cause, fid, stan=None, **fmt):
        rng = T.rng
        code, stage, details = TABLES[T.table][sym]
        t = self.uniq(T, t, code)
        vals = dict(ip=HOST_IP[T.host], port=HOST_PORT[T.host], ms=int(T.timeout_eff * 1000),
                    hostname=HOSTS[T.host][4], n=rng.randint(1, 99), stan=stan or "", na=T.cert or "", nb="2026-03-01T00:00:00Z",
                    now="2000-01-01", why=rng.choice(["rc=A0", "MAC error", "timeout"]), step=rng.choice(["amount", "card", "pin"]),
                    hx="%02X" % rng.randrange(256), pct=1, cls=rng.choice(["NfcTransHandler", "ReceiptBuilder", "EmvKernelBridge", "QrPayActivity"]),
                    param=rng.choice(["host_ip", "tid", "tpdu", "key_index"]), a=rng.randint(180, 420), b=rng.randint(20, 170),
                    part=rng.choice(["thermal", "tamper_switch", "battery_rtc", "MSR"]))
        vals.update(fmt)
        ts = iso(t, TABLE_TZ[T.table])
        rec = {"kind": "error", "ts": ts, "terminal_id": T.tid, "code": code}
        if stage and not (T.vendor == "centerm" and rng.random() < 0.3):
            rec["stage"] = stage
        if rng.random() > 0.06:
            try:
                rec["detail"] = rng.choice(details).format(**vals)
            except (KeyError, IndexError):
                rec["detail"] = details[0]
        if stan and rng.random() > 0.04:
            rec["stan"] = stan
        self.emit(rec, t, T.tid)
        self.label(T, t, ts, cause, fid, code, stan, "error")
        return t

    def txn(self, T, t, sp, stan, rc=None, timed_out=False, lat=None, cause=None, fid=None, mid_override=None):
        rng = T.rng
        h = HOSTS[T.host]
        code = "timeout" if timed_out else rc
        t = self.uniq(T, t, code)
        ts = iso(t, h[2])
        M = T.merchant
        rec = {"kind": "txn", "ts": ts, "terminal_id": T.tid}
        if rng.random() > 0.03:
            rec["merchant_id"] = mid_override or M.mid
        rec.update({"type": sp["type"], "amount": sp["amount"], "currency": h[1]})
        rec["stan"] = stan
        if rc == "00" and sp["type"] != "balance":
            rec["rrn"] = (datetime.fromtimestamp(int(t), timezone.utc).strftime("%j%H") + stan + "0000")[:12]
        if rng.random() > 0.02:
            rec["channel"] = sp["channel"]
        mcc = M.mcc
        if M.mcc_jump and sp.get("jump"):
            mcc = M.jump_mcc
        if rng.random() > 0.06:
            rec["mcc"] = mcc
        if rc is not None:
            rec["response_code"] = rc
        if timed_out:
            rec["timed_out"] = True
            rec["latency_ms"] = int(lat if lat else T.timeout_eff * 1000)
        elif lat is not None and rng.random() > 0.04:
            rec["latency_ms"] = int(lat)
        if rc == "00" and sp["type"] in ("purchase", "completion") and T.host != "H2":
            rate = M.qr_rate if sp["channel"] == "qr" else M.card_rate
            if sp.get("jump"):
                rate -= 0.0015 if M.jump_mcc in ("5411", "5311", "5300") else 0.002
            rate += M.rate_drift
            rec["fee"] = int(round(sp["amount"] * max(rate, 0.0)))
        if sp.get("card"):
            rec["pan"] = sp["card"]["bin"] + "******" + sp["card"]["last4"]
        if sp.get("orig_stan"):
            rec["orig_stan"] = sp["orig_stan"]
        self.emit(rec, t, T.tid)
        if timed_out or rc != "00":
            self.label(T, t, ts, cause, fid, code, stan, "txn")
        return t

    # ---------- faults
    def active(self, T, t):
        out = {}
        for f in self.by_term[T.tid]:
            i = f.I(t, T.tid)
            if i > 0:
                out.setdefault(f.cause, []).append((f, i))
        return out

    def first(self, A, cause, variants=None):
        for f, i in A.get(cause, []):
            if variants is None or f.variant in variants:
                return f, i
        return None, 0.0

    # ---------- physical state
    def version(self, T, t, field):
        v = T.fw if field == "fw" else T.app
        for r in self.roll.get(T.tid, []):
            if r.field == field and r.t <= t:
                v = r.ver
        return v

    def rssi(self, T, t, A=None):
        m = self.mi(t)
        if T.net == "cellular":
            base = T.rssi_base + T.walk[m]
        elif T.net == "wifi":
            base = T.wifi_base + 0.5 * T.walk[m]
        else:
            return None, None, None
        if A is None:
            A = self.active(T, t)
        drop, fid = 0.0, None
        for f, i in A.get("network.signal", []):
            if (T.net == "wifi") == (f.variant == "wifi_far"):
                tgt = f.params.get("floor_dbm", -109 if T.net == "cellular" else -86)
                d = max(f.params.get("drop", 15), base - tgt) * min(1.0, i / max(f.sev, 0.01))
                if d > drop:
                    drop, fid = d, f.fid
        return base, base - drop, fid

    def net(self, T, t, A=None):
        """list of (loss, latency_ms, cause, fid, down) components on the path terminal -> internet."""
        if A is None:
            A = self.active(T, t)
        m = self.mi(t)
        comps = []
        city_lat = 45 if CITIES[T.site.city][1] == "xinjiang" else 20
        if T.net == "cellular":
            base, now, sfid = self.rssi(T, t, A)
            lb, ln = rssi_loss(base), rssi_loss(now)
            lat_b = 55 + city_lat + 5 * max(0, -base - 88)
            comps.append((lb, lat_b, "network.signal", None, False))
            if sfid and ln > lb:
                comps.append((1 - (1 - ln) / (1 - lb), 6 * (base - now) + 400 * (ln - lb), "network.signal", sfid, ln > 0.97))
            for f, i in A.get("network.carrier", []):
                if f.variant == "outage":
                    comps.append((0.97 if i >= 1.0 else 0.6, 1500, "network.carrier", f.fid, i >= 1.0))
                else:
                    comps.append((f.params["loss"] * i, f.params["lat"] * i, "network.carrier", f.fid, False))
        elif T.net == "wifi":
            base, now, sfid = self.rssi(T, t, A)
            lb, ln = wifi_loss(base), wifi_loss(now)
            comps.append((lb + 0.0005, 8 + city_lat, "network.lan", None, False))
            if sfid and ln > lb:
                comps.append((1 - (1 - ln) / (1 - lb), 300 * (ln - lb) + 40, "network.signal", sfid, ln > 0.97))
        elif T.net == "ethernet":
            comps.append((0.0004, 4 + city_lat, "network.lan", None, False))
        else:  # dialup
            comps.append((0.006, 180 + city_lat, "network.lan", None, False))
        for f, i in A.get("network.lan", []):
            if T.net == "dialup" and f.variant != "cable":
                continue
            if f.variant == "ap" and T.net != "wifi":
                continue
            inb = i >= f.sev * 0.99
            if f.variant == "cable":
                comps.append((0.15 + 0.7 * i, 40 + 300 * i, "network.lan", f.fid, inb and T.rng.random() < 0.4))
            elif f.variant == "ap":
                comps.append((0.1 + 0.7 * i, 80 + 900 * i, "network.lan", f.fid, inb and T.rng.random() < 0.3))
            else:
                comps.append((0.05 + 0.65 * i, 150 + 1800 * i, "network.lan", f.fid, inb and T.rng.random() < 0.25))
        # brown-out: cheap adapters let the comms module reset; the router struggles too
        if T.site.mains_events:
            kind, depth, pfid = self.mains_v(T.site, t, True)
            if kind == "brown":
                if T.form == "counter" and T.cheap_adapter:
                    comps.append((0.35 + (185 - depth) / 60.0, 300, "power.supply", pfid, False))
                elif T.net in ("wifi", "ethernet"):
                    comps.append((0.2 + (185 - depth) / 80.0, 250, "power.supply", pfid, False))
        # site power cut takes the router down for a while (not cellular, not dialup)
        if T.net in ("wifi", "ethernet"):
            for (a, b, fid) in T.site.router_down:
                if a <= t < b:
                    comps.append((1.0, 0, "power.supply", fid, True))
                    break
        return comps

    # ---------- power & schedule
    def build_schedule(self, T):
        rng = T.rng
        M = T.merchant
        shift = CITIES[T.site.city][6]
        on = []
        always = M.mt == "small_hotel" or (T.form == "counter" and rng.random() < 0.35)
        if always:
            on = [(self.W0 - HOUR, self.W1 + HOUR)]
        else:
            for a, b in M.hours:
                a2 = self.day0 + (a + shift) * HOUR + rng.gauss(0, 0.35) * HOUR - 300
                b2 = self.day0 + (b + shift) * HOUR + rng.gauss(0, 0.35) * HOUR + 600
                if T.form == "counter" and rng.random() < 0.5 and on:
                    # countertops often stay on through the afternoon break
                    pa, pb = on[-1]
                    on[-1] = (pa, max(pb, b2))
                    continue
                on.append((a2, b2))
            # some stall owners switch the battery POS off when idle
            if T.battery and not T.cradle and rng.random() < 0.18:
                nn = []
                for a, b in on:
                    if b - a > 2.5 * HOUR and rng.random() < 0.7:
                        x = rng.uniform(a + 0.8 * HOUR, b - 1.2 * HOUR)
                        d = rng.uniform(900, 3000)
                        nn += [(a, x), (x + d, b)]
                    else:
                        nn.append((a, b))
                on = nn
        off = []
        t = self.W0 - 2 * HOUR
        for a, b in sorted(on):
            if a > t:
                off.append([t, a, "user", None, None])
            t = max(t, b)
        off.append([t, self.W1 + 2 * HOUR, "user", None, None])
        T.user_on = on
        T.off = [o for o in off if o[1] > o[0]]

    def add_off(self, T, a, b, reason, cause, fid):
        """terminal unexpectedly off during [a,b); boot reason at b."""
        for o in T.off:
            if o[0] <= a < o[1]:
                return False
        T.off.append([a, b, reason, cause, fid])
        T.off.sort(key=lambda o: o[0])
        # merge overlaps (keep the earliest cause)
        merged = []
        for o in T.off:
            if merged and o[0] < merged[-1][1]:
                if o[1] > merged[-1][1]:
                    merged[-1][1] = o[1]
                continue
            merged.append(o)
        T.off = merged
        return True

    def is_on(self, T, t):
        for o in T.off:
            if o[0] <= t < o[1]:
                return False
            if o[0] > t:
                break
        return True

    def next_off(self, T, t):
        for o in T.off:
            if o[0] > t:
                return o
        return None

    def sim_power(self, T):
        """battery, mains, crashes, updates -> off periods and per-minute power state."""
        rng = T.rng
        n = WINDOW_H * 60
        temp_amb = CITIES[T.site.city][7]
        T.batt = [None] * n
        T.supply = [None] * n
        T.charging = [False] * n
        T.pev = []          # (t, n) power events
        T.boot_err = []
        T.crash_ev = []     # (t,) app crashes
        T.key_ev = []
        T.reader_ev = []
        # --- mains / adapter (countertops and cradle devices)
        A_site = [f for f in self.by_term[T.tid] if f.cause == "power.supply" and f.variant == "site_mains"]
        A_adp = [f for f in self.by_term[T.tid] if f.cause == "power.supply" and f.variant == "adapter"]
        for f in A_site:
            for (t, kind, depth, dur) in T.site.mains_events.get(f.fid, []):
                if not self.is_on(T, t):
                    continue
                if kind == "cut":
                    T.pev.append((t, 1))
                    if not T.battery:
                        d = dur + rng.uniform(40, 90)
                        if self.add_off(T, t, t + d, "power_loss", "power.supply", f.fid) and rng.random() < 0.5:
                            T.boot_err.append((t + d + rng.uniform(10, 40), "POWER_RECOVER", "power.supply", f.fid))
                elif kind == "brown":
                    T.pev.append((t, 1))
                    if not T.battery and T.cheap_adapter and depth < 170 and rng.random() < 0.5:
                        self.add_off(T, t, t + rng.uniform(40, 80), "power_loss", "power.supply", f.fid)
                else:  # surge
                    T.pev.append((t, 1))
        for f in A_adp:
            t = max(f.start, self.W0)
            while t < min(f.end, self.W1):
                i = f.I(t, T.tid)
                if i > 0.3 and self.is_on(T, t) and not T.battery and rng.random() < 0.025 * i:
                    T.pev.append((t, 1))
                    d = rng.uniform(30, 80)
                    if self.add_off(T, t, t + d, "power_loss", "power.supply", f.fid) and rng.random() < 0.5:
                        T.boot_err.append((t + d + rng.uniform(10, 40), "POWER_RECOVER", "power.supply", f.fid))
                t += 60
        # --- board / software induced reboots
        for f in self.by_term[T.tid]:
            if f.cause == "hardware.board" and f.variant in ("overheat", "unstable", "surge_damage"):
                t = max(f.start, self.W0)
                while t < min(f.end, self.W1):
                    i = f.I(t, T.tid)
                    if self.is_on(T, t) and rng.random() < 0.02 * i:
                        d = rng.uniform(50, 120)
                        if self.add_off(T, t, t + d, "watchdog", "hardware.board", f.fid) and rng.random() < 0.6:
                            T.boot_err.append((t + d + rng.uniform(15, 40), "SELFTEST_FAIL", "hardware.board", f.fid))
                    t += 60
            if f.cause == "software.bug" and f.variant == "reboot_loop":
                t = max(f.onset.get(T.tid, f.start), self.W0)
                while t < min(f.end, self.W1):
                    if self.is_on(T, t) and rng.random() < 0.02 * f.sev:
                        d = rng.uniform(40, 90)
                        if self.add_off(T, t, t + d, "crash", "software.bug", f.fid) and rng.random() < 0.7:
                            T.boot_err.append((t + d + rng.uniform(10, 30), "APP_CRASH", "software.bug", f.fid))
                    t += 60
            if f.cause == "security.certificate" and f.variant == "clock_reset":
                # the RTC reset happens across a power cycle
                self.add_off(T, f.start - rng.uniform(60, 200), f.start, "user", None, None)
        # --- updates (reboot "update")
        for r in self.roll.get(T.tid, []):
            if self.W0 - 600 < r.t < self.W1:
                tt = r.t
                if not self.is_on(T, tt):
                    nx = [o for o in T.off if o[0] <= tt < o[1]]
                    if nx:
                        tt = nx[0][1] + 30
                        r.t = tt
                self.add_off(T, tt, tt + rng.uniform(90, 240), "update", None, None)
                r.t = tt
        # --- battery model
        if T.battery:
            bf = [f for f in self.by_term[T.tid] if f.cause == "power.battery"]
            worn = bf[0] if bf and bf[0].variant == "worn" else None
            empty = bf[0] if bf and bf[0].variant == "empty" else None
            cap = worn.params["cap"] if worn else rng.uniform(0.8, 1.0)
            cold = 1.0 + (max(0.0, -temp_amb) / 18.0 if T.outdoor else 0.0)
            drain = rng.uniform(4.5, 7.0) / 60.0 * cold / cap        # %/min while on
            idle_drain = 0.3 / 60.0
            if empty:
                b = rng.uniform(18, 30)
            else:
                b = rng.uniform(70, 100)
                # opened before the window: already drained
                for a, bb in T.user_on:
                    if a < self.W0 < bb:
                        b -= (self.W0 - a) / 60.0 * drain * (0.6 if T.cradle else 1.0)
                b = max(b, 35 if not worn else 45)
            charging_until = -1
            thr = rng.uniform(22, 38) if worn else None
            dead_notice = None
            low_seen = False
            for m in range(n):
                t = self.W0 + m * 60 + 30
                on = self.is_on(T, t)
                mains_ok = True
                for f in A_site:
                    for (te, kind, depth, dur) in T.site.mains_events.get(f.fid, []):
                        if te <= t < te + max(dur, 60) and kind == "cut":
                            mains_ok = False
                chg = (T.cradle and mains_ok and not (empty and not low_seen and rng.random() < 2)) or t < charging_until
                if T.cradle and mains_ok and not empty:
                    chg = True
                if empty and t < charging_until:
                    chg = True
                if chg:
                    b = min(100.0, b + 0.45 * (1.0 if on else 1.4))
                    T.charging[m] = True
                else:
                    b -= drain if on else idle_drain
                if not empty and not worn and b < 16 and not chg:
                    # owner notices low battery and plugs a charger / power bank
                    charging_until = t + rng.uniform(1800, 3600)
                if worn and on and b < thr and not chg and rng.random() < 0.05:
                    dur = rng.uniform(180, 900)
                    if self.add_off(T, t, t + dur, "power_loss", "power.battery", worn.fid) and rng.random() < 0.5:
                        T.boot_err.append((t + dur + rng.uniform(10, 40), "POWER_RECOVER", "power.battery", worn.fid))
                    b = b + rng.uniform(8, 18)   # voltage recovers at rest: gauge jumps up
                if empty:
                    if b < 12 and not low_seen:
                        low_seen = True
                        empty.start = min(empty.start, t) if empty.start > self.W0 + 1 else t
                    if b <= 1.0 and on:
                        dur = rng.uniform(900, 3000)
                        self.add_off(T, t, t + dur, "power_loss", "power.battery", empty.fid)
                        charging_until = t + dur + 4 * HOUR
                        b = 0.5
                b = clamp(b, 0.0, 100.0)
                T.batt[m] = b
                if chg:
                    T.supply[m] = rng.gauss(5.02, 0.04)
            if empty:
                if not low_seen:
                    empty.start = self.W1 + 3600  # never became a problem in-window
                    empty.end = self.W1 + 7200
                else:
                    # ends when charged above 20 % (if that happened)
                    for m in range(n):
                        t = self.W0 + m * 60
                        if t > empty.start + 600 and T.charging[m] and T.batt[m] > 20:
                            empty.end = t
                            break
        else:
            vnom = T.md["vnom"]
            for m in range(n):
                T.supply[m] = vnom * rng.gauss(1.01, 0.006)
        T.off.sort(key=lambda o: o[0])

    def site_mains(self, S):
        """mains event stream per site-power fault: cuts, brownouts, surges."""
        S.mains_events = {}
        S.router_down = []
        rng = RNG(self.seed, "mains", S.sid)
        for f in self.faults:
            if f.cause == "power.supply" and f.variant == "site_mains" and f.scope.get("site_id") == S.sid:
                ev = []
                for a, b in f.bursts:
                    t = max(a, self.W0 - 600)
                    while t < min(b, self.W1):
                        r = rng.random()
                        if r < 0.35 * f.sev + 0.1:
                            dur = rng.uniform(1, 25)
                            ev.append((t, "cut", 0, dur))
                            if rng.random() < 0.8:
                                S.router_down.append((t, t + dur + rng.uniform(70, 180), f.fid))
                        elif r < 0.8:
                            ev.append((t, "brown", rng.uniform(150, 185), rng.uniform(20, 200)))
                        else:
                            ev.append((t, "surge", rng.uniform(255, 290), rng.uniform(2, 20)))
                        t += rng.uniform(60, 420)
                S.mains_events[f.fid] = ev
        S.router_down.sort()

    def mains_v(self, S, t, with_fid=False):
        for fid in sorted(S.mains_events):
            for (te, kind, depth, dur) in S.mains_events[fid]:
                if te <= t < te + max(dur, 30):
                    return (kind, depth, fid) if with_fid else (kind, depth)
                if te > t:
                    break
        return (None, None, None) if with_fid else (None, None)

    # ---------- resources
    def resources(self, T, t, A=None):
        """returns (mem, mem_fid_cause, storage, sto_fid_cause, cpu, cpu_fid_cause, temp, temp_fid)"""
        if A is None:
            A = self.active(T, t)
        m = self.mi(t)
        nz = T.noise
        k = len(nz)
        mem = T.mem_base + nz[m % k] * 4
        sto = T.sto_base + (t - self.W0) / HOUR * T.sto_growth
        cpu = T.cpu_base + abs(nz[(m * 7) % k]) * 8
        temp = T.temp_base + nz[(m * 3) % k] * 1.5
        mc = sc = cc = tc = None
        for f, i in A.get("resource.memory", []):
            mem = max(mem, T.mem_base + (98.5 - T.mem_base) * min(1.0, i / max(f.sev, 0.01)) - 4 * (1 - f.sev) + 1.5 * nz[m % k])
            mc = ("resource.memory", f.fid)
        for f, i in A.get("software.bug", []):
            if f.variant == "mem_leak":
                mem = max(mem, T.mem_base + (98 - T.mem_base) * min(1.0, i / max(f.sev, 0.01)) * f.sev + 2 * nz[m % k])
                mc = ("software.bug", f.fid)
        for f, i in A.get("resource.storage", []):
            sto = max(sto, T.sto_base + (100.0 - T.sto_base) * min(1.0, i))
            sc = ("resource.storage", f.fid)
        for f, i in A.get("resource.cpu", []):
            cpu = max(cpu, 84 + 16 * min(1.0, i / max(f.sev, 0.01)) - 6 * (1 - f.sev) + 1.5 * nz[m % k])
            cc = ("resource.cpu", f.fid)
            temp += 6 * i
        for f, i in A.get("hardware.board", []):
            if f.variant in ("overheat", "surge_damage"):
                temp += 25 * i
                tc = f.fid
            if f.variant == "unstable":
                cpu += 10 * i
        return clamp(mem, 5, 99.5), mc, clamp(sto, 1, 100), sc, clamp(cpu, 1, 100), cc, temp, tc

    def battery_at(self, T, t):
        if not T.battery:
            return None
        return T.batt[self.mi(t)]

    def clock_skew(self, T, t, A=None):
        if A is None:
            A = self.active(T, t)
        for f, i in A.get("security.certificate", []):
            if f.variant == "clock_reset":
                return f.params["skew"] + T.skew_base, f
        return T.skew_base + T.skew_drift * (t - self.W0) / HOUR, None

    def key_state(self, T, t, A):
        f, i = self.first(A, "security.keys")
        if f:
            return ("missing" if f.variant == "lost" else "mismatch"), f
        g, j = self.first(A, "hardware.board", ("tamper",))
        if g and t >= g.params.get("lock_after", g.start):
            return "missing", g
        return "ok", None

    def printer_state(self, T, t, A):
        f, i = self.first(A, "hardware.printer")
        if f and i > 0.05:
            if f.variant == "paper_sensor":
                return "paper_out", f
            if f.variant == "jam" and i < f.sev * 0.5:
                return "ok", None
            return "fault", f
        if T.paper_out_since is not None and T.paper_out_since <= t < T.paper_fix_at:
            return "paper_out", None
        return "ok", None

    # ---------- card
    def pick_card(self, T, rng):
        kind = CITIES[T.site.city][5]
        prov = CITIES[T.site.city][1]
        ws = []
        for i in ISSUERS:
            w = i[4]
            b = i[5]
            if "only" in b:
                w = w if b["only"] == prov else 0
            w *= b.get(kind, 1.0)
            ws.append(w)
        iss = wchoice(rng, ISSUERS, ws)
        credit = bool(iss[3]) and rng.random() < (0.32 if kind == "urban" else 0.15)
        b = rng.choice(iss[3] if credit else iss[2])
        return {"issuer": iss[0], "bin": b, "credit": credit, "last4": "%04d" % rng.randrange(10000)}

    # ---------- transaction pipeline
    def attempt(self, T, t, sp):
        """one customer attempt. returns 'ok','tech','decline','cancel','off'"""
        rng = T.rng
        if not self.is_on(T, t):
            return "off"
        A = self.active(T, t)
        T.timeout_eff = T.timeout
        fc, ic = self.first(A, "software.config", ("short_timeout",))
        if fc:
            T.timeout_eff = fc.params["to"]
        T.stan = (T.stan % 999999) + 1
        stan = "%06d" % T.stan
        ch = sp["channel"]
        card = ch != "qr"
        local = lambda: t + rng.uniform(2, 12)

        # --- terminal locked by tamper / keys erased by a board fault
        fb, ib = self.first(A, "hardware.board", ("tamper",))
        if fb and t >= fb.params.get("lock_after", fb.start):
            self.err(T, local(), "TAMPER", "hardware.board", fb.fid)
            return "tech"
        # --- battery too low to transact
        b = self.battery_at(T, t)
        if b is not None and b < 5 and not T.charging[self.mi(t)]:
            bf = [f for f in self.by_term[T.tid] if f.cause == "power.battery"]
            self.err(T, local(), "POWER_LOW", "power.battery", bf[0].fid if bf else None, pct=int(b))
            return "tech"
        # --- operator
        fo, io = self.first(A, "operator.error")
        if fo and rng.random() < 0.45 * io:
            if fo.variant == "hotel_procedure" and sp["type"] in ("completion", "preauth", "void", "refund"):
                sp["op_bad"] = fo
            else:
                r = rng.random()
                if r < 0.3:
                    self.err(T, local(), "USER_CANCEL", "operator.error", fo.fid, stan)
                    return "cancel"
                if r < 0.45 and sp["type"] in ("void", "refund"):
                    self.err(T, local(), "PASSWORD_ERR", "operator.error", fo.fid)
                    return "cancel"
                sp["op_bad"] = fo
        elif not fo and rng.random() < 0.0015:
            self.err(T, local(), "USER_CANCEL", "operator.error", None, stan)
            return "cancel"
        # --- stuck / dead keys also hit amount entry
        fk0, ik0 = self.first(A, "hardware.keypad")
        if fk0 and rng.random() < 0.3 * ik0:
            T.key_ev.append(t)
            self.err(T, local(), "PIN_KEY" if rng.random() < 0.5 else "USER_CANCEL", "hardware.keypad", fk0.fid, stan)
            return "tech"
        # --- display: cashier/customer cannot see prompts
        fd, idp = self.first(A, "hardware.display")
        if fd and rng.random() < 0.55 * idp:
            r = rng.random()
            if r < 0.25:
                self.err(T, local(), "DISPLAY_ERR", "hardware.display", fd.fid)
            elif r < 0.6 and card:
                self.err(T, t + rng.uniform(30, 60), "PIN_TIMEOUT", "hardware.display", fd.fid, stan)
            else:
                self.err(T, local(), "USER_CANCEL", "hardware.display", fd.fid, stan)
            return "tech"
        # --- resources
        mem, mc, sto, sc, cpu, cc, temp, tc = self.resources(T, t, A)
        if sto >= 97.0:
            p = clamp((sto - 96.5) / 3.0, 0, 0.97)
            if rng.random() < p:
                self.err(T, local(), "STORAGE_FULL", sc[0] if sc else "resource.storage", sc[1] if sc else None)
                return "tech"
        crash_inflight = None
        if mem >= 90.0:
            p = clamp((mem - 89.0) / 10.0, 0, 0.8)
            if rng.random() < p:
                cause, fid = mc if mc else ("resource.memory", None)
                T.crash_ev.append(t)
                if rng.random() < 0.55:
                    self.err(T, local(), "MEM_LOW", cause, fid)
                    return "tech"
                crash_inflight = (cause, fid, "MEM_LOW")
        slow_ms = 0.0
        if cpu >= 80:
            slow_ms = (cpu - 78) * rng.uniform(150, 700)
            if cpu >= 88 and rng.random() < 0.6 * (cpu - 86) / 14:
                self.err(T, t + rng.uniform(5, 20), "ANR" if T.table == "psp_app" else "PIN_TIMEOUT", cc[0] if cc else "resource.cpu", cc[1] if cc else None,
                         stan if card else None)
                return "tech"
        # --- software bug triggers
        fbug = None
        for f, i in A.get("software.bug", []):
            if self.version(T, t, f.params["field"]) != f.params["ver"]:
                continue
            fbug = (f, i)
        if fbug:
            f, i = fbug
            if f.variant == "crash_nfc" and ch == "nfc" and rng.random() < 0.5 + 0.5 * i:
                T.crash_ev.append(t)
                if rng.random() < 0.5:
                    self.err(T, local(), "APP_CRASH", "software.bug", f.fid, cls="NfcTransHandler")
                    return "tech"
                crash_inflight = ("software.bug", f.fid, "APP_CRASH")
        # --- card read
        if card:
            p = {"card_ic": 0.007, "card_swipe": 0.02, "nfc": 0.01}[ch]
            cause, fid = "operator.error", None
            fr, ir = self.first(A, "hardware.card_reader")
            if fr:
                want = {"ic_contact": "card_ic", "msr_head": "card_swipe", "nfc_antenna": "nfc"}[fr.variant]
                if ch == want:
                    p = max(p, 0.9 * ir)
                    cause, fid = "hardware.card_reader", fr.fid
            fb2, ib2 = self.first(A, "hardware.board", ("surge_damage", "unstable"))
            if fb2 and rng.random() < 0.25 * ib2:
                p, cause, fid = 1.0, "hardware.board", fb2.fid
            if rng.random() < p:
                T.reader_ev.append(t)
                self.err(T, local(), "CARD_READ", cause, fid)
                if fid and fr and fr.fid == fid and ch == "card_ic" and rng.random() < 0.6:
                    sp["channel"] = "card_swipe"   # fallback
                    sp["fallback"] = True
                return "tech" if fid else "cancel"
        # --- PIN entry
        if sp.get("pin"):
            fk, ik = self.first(A, "hardware.keypad")
            if fk:
                if fk.variant == "dead" and rng.random() < 0.85 * ik:
                    T.key_ev.append(t)
                    self.err(T, t + rng.uniform(8, 40), "PIN_KEY", "hardware.keypad", fk.fid, stan)
                    return "tech"
                if fk.variant == "stuck" and rng.random() < 0.7 * ik:
                    T.key_ev.append(t)
                    sp["pin_garbled"] = ("hardware.keypad", fk.fid)
            ft, it = self.first(A, "transmission.corruption", ("pinpad_cable",))
            if ft and rng.random() < 0.6 * it:
                if rng.random() < 0.3:
                    self.err(T, local(), "PIN_KEY", "transmission.corruption", ft.fid, stan, n=77)
                    return "tech"
                sp["pin_garbled"] = ("transmission.corruption", ft.fid)
            if rng.random() < 0.002:
                self.err(T, t + 60, "PIN_TIMEOUT", "operator.error", None, stan)
                return "cancel"
        # --- local keys
        ks, kf = self.key_state(T, t, A)
        if ks == "missing":
            cause = kf.cause
            self.err(T, local(), "KEY_MISSING" if rng.random() < 0.75 else "SIGNON_FAIL", cause, kf.fid)
            return "tech"
        # --- configuration
        fcfg, icfg = self.first(A, "software.config", ("wrong_host",))
        if fcfg:
            self.err(T, local(), "DNS_FAIL" if rng.random() < 0.5 else "CONNECT_REFUSED", "software.config", fcfg.fid, stan)
            return "tech"
        # --- modem no longer accepted by the network
        fin, iin = self.first(A, "software.incompatible", ("modem",))
        if fin and T.net == "cellular":
            self.err(T, t + rng.uniform(10, 30), "NO_SERVICE", "software.incompatible", fin.fid, stan)
            return "tech"
        # --- acquirer host availability
        fac, iac = self.first(A, "upstream.acquirer")
        comps = self.net(T, t, A)
        L = 1.0
        for c in comps:
            L *= (1 - min(c[0], 0.999))
        L = 1 - L
        down = [c for c in comps if c[4]]

        def pick_comp(cs):
            w = [(-math.log(max(1e-6, 1 - min(c[0], 0.999))) + (5 if c[4] else 0)) for c in cs]
            return wchoice(rng, cs, w)

        if fac and fac.variant == "outage":
            if rng.random() < 0.6:
                self.err(T, t + rng.uniform(1, 4), "CONNECT_REFUSED", "upstream.acquirer", fac.fid, stan)
                return "tech"
        # --- connect
        pconn = 1.0 if down else clamp(1.25 * L ** 1.7, 0, 0.97)
        if T.net == "dialup":
            pconn = max(pconn, 0.004)
        if rng.random() < pconn:
            c = down[0] if down else pick_comp(comps)
            self.err(T, t + rng.uniform(8, 35), "CONNECT_FAIL", c[2], c[3], stan)
            return "tech"
        # --- TLS (dial-up goes through the PSTN access server without TLS)
        if T.net != "dialup":
            sym = None
            skew, fskew = self.clock_skew(T, t, A)
            now_term = t + skew
            cert_na = T.cert_abs
            fcert = None
            if fskew and skew < -86400:
                sym, fcert = "TLS_NOTYET", fskew
            elif fskew and cert_na and now_term > cert_na:
                sym, fcert = "TLS_EXPIRED", fskew
            elif cert_na and t >= cert_na:
                fce = [f for f in self.by_term[T.tid] if f.cause == "security.certificate" and f.variant == "expired"]
                sym, fcert = "TLS_EXPIRED", (fce[0] if fce else None)
            else:
                fnc, inc = self.first(A, "security.certificate", ("new_ca",))
                if fnc and self.version(T, t, "app") == fnc.scope.get("app_version"):
                    sym, fcert = "TLS_UNTRUSTED", fnc
            if sym:
                self.err(T, t + rng.uniform(1, 5), sym, "security.certificate", fcert.fid if fcert else None, stan,
                         now=iso(now_term)[:10])
                return "tech"
            ftl, itl = self.first(A, "software.incompatible", ("tls_legacy",))
            if ftl and self.version(T, t, "fw") == ftl.scope.get("firmware"):
                self.err(T, t + rng.uniform(1, 4), "TLS_PROTOCOL", "software.incompatible", ftl.fid, stan)
                return "tech"
        # ======= message is sent: from here a txn record exists =======
        rtt = sum(c[1] for c in comps)
        term_ms = (350 if T.form == "smart" else 700) * rng.uniform(0.8, 1.5) + slow_ms
        if T.net == "dialup":
            term_ms += rng.uniform(7000, 14000)
        host_ms = HOSTS[T.host][3] * rng.lognormvariate(0, 0.25)
        host_cause = None
        if fac and fac.variant in ("overload", "partial"):
            host_ms += (600 + 30000 * iac ** 2) * rng.lognormvariate(0, 0.5) if fac.variant == "overload" else 0
            host_cause = fac
        iss_ms = 0.0
        iss_f = None
        if card:
            iss_ms = rng.uniform(150, 900)
        elif ch == "qr":
            iss_ms = rng.uniform(300, 1400)
        lat = term_ms + rtt * (4 if T.net != "dialup" else 2) + host_ms + iss_ms + L * rtt * 10

        # power sag under load (modem TX + printer head): worn battery or weak adapter browns out
        if T.battery:
            bfw = [f for f in self.by_term[T.tid] if f.cause == "power.battery" and f.variant == "worn" and f.I(t, T.tid) > 0]
            b = self.battery_at(T, t)
            if bfw and b is not None and b < 55 and not T.charging[self.mi(t)] and rng.random() < 0.25 + 0.3 * (55 - b) / 55:
                a = t + rng.uniform(0.3, 3)
                self.add_off(T, a, a + rng.uniform(120, 600), "power_loss", "power.battery", bfw[0].fid)
        else:
            fad, iad = self.first(A, "power.supply", ("adapter",))
            if fad and rng.random() < 0.3 * iad:
                a = t + rng.uniform(0.3, 3)
                T.pev.append((a, 1))
                self.add_off(T, a, a + rng.uniform(40, 90), "power_loss", "power.supply", fad.fid)
        # in-flight: power loss or crash while waiting
        nx = self.next_off(T, t)
        if nx and nx[0] < t + min(lat / 1000.0, T.timeout_eff) and nx[2] not in ("user", "update"):
            self.txn(T, t, sp, stan, timed_out=True, lat=T.timeout_eff * 1000 if rng.random() < 0.5 else None,
                     cause=nx[3] or "power.supply", fid=nx[4])
            T.pending_rev = (sp, stan, nx[3], nx[4])
            T.boot_recover.append((nx[1], stan, nx[3], nx[4]))
            return "tech"
        # hmm: a user switching off mid-transaction is not modelled
        if crash_inflight:
            cause, fid, sym = crash_inflight
            self.txn(T, t, sp, stan, timed_out=True, cause=cause, fid=fid)
            self.err(T, t + rng.uniform(3, 15), sym, cause, fid, stan)
            T.pending_rev = (sp, stan, cause, fid)
            return "tech"
        # network loss in flight
        prt = clamp(1.3 * L ** 1.4, 0, 0.97)
        if rng.random() < prt:
            c = pick_comp(comps)
            self.txn(T, t, sp, stan, timed_out=True, cause=c[2], fid=c[3])
            self.err(T, t + T.timeout_eff + rng.uniform(0, 2), "RECV_TIMEOUT", c[2], c[3], stan)
            T.pending_rev = (sp, stan, c[2], c[3])
            return "tech"
        # acquirer outage (accepting connections, not answering) / partial node failure
        if fac and fac.variant == "outage":
            self.txn(T, t, sp, stan, timed_out=True, cause="upstream.acquirer", fid=fac.fid)
            self.err(T, t + T.timeout_eff + rng.uniform(0, 2), "RECV_TIMEOUT", "upstream.acquirer", fac.fid, stan)
            T.pending_rev = (sp, stan, "upstream.acquirer", fac.fid)
            return "tech"
        if fac and fac.variant == "partial" and rng.random() < 0.45 * iac:
            if rng.random() < 0.5:
                self.txn(T, t, sp, stan, rc="96", lat=lat, cause="upstream.acquirer", fid=fac.fid)
                return "tech"
            self.txn(T, t, sp, stan, timed_out=True, cause="upstream.acquirer", fid=fac.fid)
            self.err(T, t + T.timeout_eff + 1, "RECV_TIMEOUT", "upstream.acquirer", fac.fid, stan)
            T.pending_rev = (sp, stan, "upstream.acquirer", fac.fid)
            return "tech"
        if fac and fac.variant == "overload" and rng.random() < 0.12 * iac:
            self.txn(T, t, sp, stan, rc="96", lat=lat, cause="upstream.acquirer", fid=fac.fid)
            return "tech"
        # corruption in transit
        fcor = None
        for f, i in A.get("transmission.corruption", []):
            if f.variant == "pinpad_cable":
                continue
            p = i
            if f.variant == "mtu":
                p = i if ch == "card_ic" else (0.15 * i if ch == "nfc" else 0.0)
            if rng.random() < p * 0.8:
                fcor = f
                break
        if fcor:
            r = rng.random()
            if r < 0.4:
                self.txn(T, t, sp, stan, rc="30", lat=lat, cause="transmission.corruption", fid=fcor.fid)
                if rng.random() < 0.5:
                    self.err(T, t + lat / 1000 + 1, "FORMAT_ERR", "transmission.corruption", fcor.fid, stan)
            elif r < 0.65 and fcor.variant != "mtu":
                self.txn(T, t, sp, stan, rc="A0", lat=lat, cause="transmission.corruption", fid=fcor.fid)
                self.err(T, t + lat / 1000 + 1, "MAC_ERR", "transmission.corruption", fcor.fid, stan)
            else:
                self.txn(T, t, sp, stan, timed_out=True, cause="transmission.corruption", fid=fcor.fid)
                self.err(T, t + T.timeout_eff + 1, "FORMAT_ERR" if rng.random() < 0.6 else "RECV_TIMEOUT", "transmission.corruption", fcor.fid, stan)
                T.pending_rev = (sp, stan, "transmission.corruption", fcor.fid)
            return "tech"
        # --- host-side checks in the acquirer's order
        mid_over = None
        rc, cause, fid = None, None, None
        fw = self.first(A, "software.config", ("wrong_tid",))[0]
        if fw:
            if fw.params.get("sub") == "mid":
                rc, cause, fid, mid_over = "03", "software.config", fw.fid, fw.params["other_mid"]
            else:
                rc, cause, fid = "97", "software.config", fw.fid
        if rc is None:
            fk = self.first(A, "software.config", ("wrong_keyidx",))[0]
            if fk:
                rc, cause, fid = "A0", "software.config", fk.fid
        if rc is None and ks == "mismatch":
            rc, cause, fid = "A0", "security.keys", kf.fid
        if rc is None:
            fh = self.first(A, "software.incompatible", ("host_spec",))[0]
            if fh:
                want = fh.scope.get("app_version") or fh.scope.get("firmware")
                have = self.version(T, t, "app" if "app_version" in fh.scope else "fw")
                if have == want:
                    rc, cause, fid = ("30" if rng.random() < 0.75 else "12"), "software.incompatible", fh.fid
        if rc is None and fbug and fbug[0].variant == "field55" and ch in ("card_ic", "nfc") and rng.random() < 0.4 + 0.6 * fbug[1]:
            rc, cause, fid = "30", "software.bug", fbug[0].fid
        # business layer
        M = T.merchant
        if rc is None:
            for f, i in A.get("business.merchant", []):
                if f.variant in ("frozen", "deregistered"):
                    rc = "03" if (f.variant == "frozen" or rng.random() < 0.6) else "97"
                    cause, fid = "business.merchant", f.fid
                elif f.variant == "mcc_mismatch" and (sp.get("jump") or rng.random() < 0.5):
                    rc, cause, fid = ("58" if rng.random() < 0.7 else "03"), "business.merchant", f.fid
        if rc is None:
            for f, i in A.get("business.txn_type", []):
                bad = {"preauth_disabled": ("preauth", "completion"), "refund_disabled": ("refund",), "void_disabled": ("void",)}[f.variant]
                if sp["type"] in bad:
                    rc, cause, fid = ("40" if rng.random() < 0.6 else "58"), "business.txn_type", f.fid
        if rc is None and sp["type"] in ("purchase", "preauth"):
            for f, i in A.get("business.limit", []):
                if f.variant == "daily_cap" and card:
                    rc, cause, fid = "61", "business.limit", f.fid
                elif f.variant == "single_cap" and sp["amount"] > f.params["cap"]:
                    rc, cause, fid = "61", "business.limit", f.fid
                elif f.variant == "count_cap":
                    rc, cause, fid = "65", "business.limit", f.fid
        if rc is None and sp["type"] in ("purchase", "preauth"):
            for f, i in A.get("business.risk", []):
                if f.variant == "terminal_relocated":
                    rc, cause, fid = "59", "business.risk", f.fid
                elif card and rng.random() < ((0.6 + 0.4 * i) if (sp["card"]["credit"] or sp["amount"] >= 2 * M.amt[0]) else 0.3 * i):
                    rc, cause, fid = ("59" if rng.random() < 0.8 else "34"), "business.risk", f.fid
        # operator mistakes seen by the host
        if rc is None and sp.get("op_bad"):
            fo = sp["op_bad"]
            if sp["type"] in ("void", "refund", "completion"):
                rc = "25"
            elif ch == "card_swipe" or (card and rng.random() < 0.4):
                rc = "45"
            else:
                rc = "13" if rng.random() < 0.5 else "12"
            cause, fid = "operator.error", fo.fid
        if rc is None and sp["type"] in ("void", "refund", "completion") and rng.random() < 0.03:
            rc, cause, fid = "25", "operator.error", None
        if rc is None and ch == "card_swipe" and sp.get("chip") and not sp.get("fallback") and rng.random() < 0.6:
            rc, cause, fid = "45", "operator.error", None
        # host processing failures (background)
        if rc is None and rng.random() < 0.0003:
            rc, cause, fid = "96", "upstream.acquirer", None
        # --- issuer
        if rc is None and card and sp["type"] not in ("void",):
            iss = sp["card"]["issuer"]
            for f in self.issuer_faults:
                i = f.I(t)
                if i <= 0:
                    continue
                if f.cause == "upstream.issuer" and f.scope["issuer"] == iss and rng.random() < 0.5 + 0.5 * i:
                    if f.variant == "outage" or rng.random() < 0.3:
                        rc, cause, fid = "91", "upstream.issuer", f.fid
                        iss_ms += rng.uniform(100, 800)
                    else:
                        rc, cause, fid = "98", "upstream.issuer", f.fid
                        iss_ms += rng.uniform(20000, 30000)
                    iss_f = f
                    break
                if f.cause == "card.decline" and sp["card"]["bin"] == f.params["bin"] and rng.random() < i:
                    rc = "54" if f.variant == "batch_expired" else rng.choice(["14", "62", "14"])
                    cause, fid = "card.decline", f.fid
                    break
            if rc is None and rng.random() < 0.0003:
                rc, cause, fid = "91", "upstream.issuer", None
            if rc is None and sp.get("pin_garbled"):
                gc, gf = sp["pin_garbled"]
                rc = "55" if (gc == "hardware.keypad" or rng.random() < 0.6) else "99"
                cause, fid = gc, gf
            if rc is None and sp.get("pin") and rng.random() < 0.009:
                rc, cause, fid = ("55" if T.pin_fail_streak < 2 else "75"), "card.decline", None
            if rc is None:
                for code, p in DECLINES:
                    if rng.random() < p * (1.5 if code == "51" and CITIES[T.site.city][5] in ("rural", "mountain") else 1.0):
                        rc, cause, fid = code, "card.decline", None
                        break
            lat = lat + (iss_ms if rc in ("91", "98") else 0)
        elif rc is None and ch == "qr" and sp["type"] == "purchase":
            for code, p in QR_DECLINES:
                if rng.random() < p:
                    rc, cause, fid = code, "card.decline", None
                    break
        # --- latency vs terminal timeout
        if lat > T.timeout_eff * 1000:
            parts = [(host_ms, "upstream.acquirer", host_cause.fid if host_cause else None),
                     (iss_ms if rc == "98" else 0, "upstream.issuer", iss_f.fid if iss_f else None),
                     (slow_ms, cc[0] if cc else "resource.cpu", cc[1] if cc else None)]
            for c in comps:
                parts.append((c[1] * 4 + L * rtt * 10 * c[0] / max(L, 1e-9), c[2], c[3]))
            if fc:
                parts.append((1e9, "software.config", fc.fid))
            if T.net == "dialup":
                parts.append((term_ms, "network.lan", None))
            best = max(parts, key=lambda p: p[0])
            self.txn(T, t, sp, stan, timed_out=True, cause=best[1], fid=best[2])
            self.err(T, t + T.timeout_eff + rng.uniform(0, 2), "RECV_TIMEOUT", best[1], best[2], stan)
            if rc in (None, "00"):
                T.pending_rev = (sp, stan, best[1], best[2])
            return "tech"
        if rc is not None:
            self.txn(T, t, sp, stan, rc=rc, lat=lat, cause=cause, fid=fid, mid_override=mid_over)
            if rc == "A0":
                self.err(T, t + lat / 1000 + rng.uniform(0.5, 2), "MAC_ERR", cause, fid, stan)
                if cause == "security.keys" and rng.random() < 0.3:
                    self.err(T, t + lat / 1000 + rng.uniform(20, 60), "SIGNON_FAIL", cause, fid)
            if rc == "55":
                T.pin_fail_streak += 1
            if cause == "card.decline" or rc in ("55", "75", "99") or (cause == "operator.error" and fid is None):
                return "decline"
            return "tech"
        T.pin_fail_streak = 0
        # --- approved
        self.txn(T, t, sp, stan, rc="00", lat=lat, mid_override=mid_over)
        T.approved.append((t, sp))
        tp = t + lat / 1000 + rng.uniform(1, 3)
        # software bug: crash while building the receipt
        if fbug and fbug[0].variant == "print_crash" and rng.random() < 0.35 * fbug[1] + 0.1:
            T.crash_ev.append(tp)
            self.err(T, tp, "APP_CRASH", "software.bug", fbug[0].fid, stan, cls="ReceiptBuilder")
            return "ok"
        # adapter sag under printer load
        fad, iad = self.first(A, "power.supply", ("adapter",))
        if fad and not T.battery and rng.random() < 0.35 * iad:
            T.pev.append((tp, 1))
            if self.add_off(T, tp, tp + rng.uniform(40, 90), "power_loss", "power.supply", fad.fid):
                T.boot_recover.append((None, stan, "power.supply", fad.fid))
            return "ok"
        ps, pf = self.printer_state(T, tp, A)
        if ps != "ok":
            self.err(T, tp, "PRINT_PAPER" if ps == "paper_out" else "PRINT_FAULT", "hardware.printer", pf.fid if pf else None, stan)
        else:
            T.paper_left -= rng.choice([1, 2, 2])
            if T.paper_left <= 0 and T.paper_out_since is None:
                T.paper_out_since = tp
                T.paper_fix_at = tp + rng.uniform(60, 900)
                self.err(T, tp, "PRINT_PAPER", "hardware.printer", None, stan)
        if T.paper_out_since is not None and tp >= T.paper_fix_at:
            T.paper_out_since = None
            T.paper_left = rng.randint(150, 300)
        return "ok"

    def reversal(self, T, t):
        """send pending reversal; network/host only."""
        rng = T.rng
        sp0, stan0, c0, f0 = T.pending_rev
        if not self.is_on(T, t):
            return
        A = self.active(T, t)
        comps = self.net(T, t, A)
        L = 1.0
        for c in comps:
            L *= (1 - min(c[0], 0.999))
        L = 1 - L
        if any(c[4] for c in comps) or rng.random() < clamp(1.25 * L ** 1.7, 0, 0.97):
            return
        ks, kf = self.key_state(T, t, A)
        if ks != "ok" or self.first(A, "software.config", ("wrong_host",))[0]:
            return
        fac, iac = self.first(A, "upstream.acquirer")
        T.stan = (T.stan % 999999) + 1
        stan = "%06d" % T.stan
        sp = {"type": "reversal", "amount": sp0["amount"], "channel": sp0["channel"], "card": sp0.get("card"), "orig_stan": stan0}
        if (fac and fac.variant == "outage") or rng.random() < clamp(1.3 * L ** 1.4, 0, 0.97):
            cause, fid = ("upstream.acquirer", fac.fid) if fac and fac.variant == "outage" else (c0, f0)
            if not fac:
                c = max(comps, key=lambda c: c[0])
                cause, fid = c[2], c[3]
            self.txn(T, t, sp, stan, timed_out=True, cause=cause, fid=fid)
            T.rev_tries += 1
            if T.rev_tries >= 3:
                T.pending_rev = None
            return
        self.txn(T, t, sp, stan, rc="00", lat=HOSTS[T.host][3] * rng.uniform(0.8, 1.6) + sum(c[1] for c in comps) * 3)
        T.pending_rev = None
        T.rev_tries = 0

    # ---------- customers
    def make_spec(self, T, rng, t):
        M = T.merchant
        r = rng.random()
        typ = "purchase"
        extra_ref = getattr(M, "extra_refunds", False)
        if M.mt == "small_hotel":
            typ = "preauth" if r < 0.3 else "completion" if r < 0.55 else "void" if r < 0.58 else "purchase"
        elif r < (0.07 if extra_ref else 0.012):
            typ = "refund"
        elif r < (0.13 if extra_ref else 0.032):
            typ = "void"
        elif r < (0.135 if extra_ref else 0.037):
            typ = "balance"
        if typ in ("refund", "void") and T.approved and rng.random() < 0.7:
            pt, psp = T.approved[-1 - rng.randrange(min(5, len(T.approved)))]
            amount = psp["amount"]
            chx = psp["channel"]
            card = psp.get("card")
        else:
            med, sig = M.amt
            amount = int(max(100, rng.lognormvariate(math.log(med), sig)))
            if rng.random() < 0.35:
                amount = int(round(amount, -2))
            if typ == "balance":
                amount = 0
            chw = {"qr": 50, "card_ic": 30, "nfc": 12, "card_swipe": 4}
            if T.form == "counter":
                chw = {"qr": 30, "card_ic": 45, "nfc": 8, "card_swipe": 10}
                if T.model == "iCT220":
                    chw = {"qr": 0.01, "card_ic": 60, "nfc": 0.01, "card_swipe": 25}
            if M.mt == "small_hotel" or typ in ("preauth", "completion", "balance"):
                chw = {"card_ic": 70, "card_swipe": 10, "nfc": 5}
            if amount >= 100000:
                chw["qr"] = chw.get("qr", 0) * 0.5
            chx = wdict(rng, chw)
            card = self.pick_card(T, rng) if chx != "qr" else None
        sp = {"type": typ, "amount": amount, "channel": chx, "card": card}
        if card:
            debit = not card["credit"]
            sp["pin"] = (chx in ("card_ic", "card_swipe") and (debit or rng.random() < 0.4)) or (chx == "nfc" and amount > 100000)
            sp["chip"] = chx == "card_swipe" and rng.random() < 0.12
        if M.mcc_jump and rng.random() < M.mcc_jump:
            sp["jump"] = True
        return sp

    def arrivals(self, S):
        """customer arrivals for a site, assigned to a terminal that is on."""
        rng = RNG(self.seed, "arr", S.sid)
        M = S.merchant
        out = []
        for m in range(WINDOW_H * 60):
            t0 = self.W0 + m * 60
            hl = ((t0 - self.day0) / HOUR - CITIES[S.city][6]) % 24.0
            open_ = any(a <= hl < b for a, b in M.hours)
            if not open_:
                continue
            # lunch / dinner peaks
            peak = 0.45 + 0.9 * math.exp(-((hl - 12.3) / 1.1) ** 2) + 0.7 * math.exp(-((hl - 18.6) / 1.2) ** 2)
            if M.mt in ("market_stall", "street_food"):
                peak += 0.6 * math.exp(-((hl - 8.0) / 1.0) ** 2)
            lam = 1.7 * M.rate * peak / 60.0 * (1.0 if len(S.terms) == 1 else 0.8 + 0.4 * len(S.terms) / 2)
            for _ in range(poisson(rng, lam)):
                t = t0 + rng.uniform(0, 60)
                ons = [T for T in S.terms if self.is_on(T, t) and t >= T.abandon_until]
                if not ons:
                    continue
                T = wchoice(rng, ons, [T.share for T in ons])
                out.append((t, T.tid))
        return out

    def run_terminal(self, T, arr):
        rng = T.rng
        q = []
        seq = 0
        for t in sorted(arr):
            heapq.heappush(q, (t, seq, None, 0))
            seq += 1
        busy = self.W0
        fails = []
        while q:
            t, _, sp, tries = heapq.heappop(q)
            if t >= self.W1:
                continue
            if t < busy:
                t = busy + rng.uniform(3, 20)
            if t < T.abandon_until:
                continue
            # pending work after a reboot
            while T.boot_recover and (T.boot_recover[0][0] is None or T.boot_recover[0][0] <= t):
                bt, st, c, fid = T.boot_recover.pop(0)
                bt = bt if bt else t - rng.uniform(5, 30)
                if bt < self.W1 and self.is_on(T, bt + 20):
                    self.err(T, bt + rng.uniform(20, 60), "POWER_RECOVER", c or "power.supply", fid, st)
            if sp is not None and sp.get("_rev"):
                if T.pending_rev and self.is_on(T, t):
                    self.reversal(T, t)
                continue
            if T.pending_rev:
                self.reversal(T, t - rng.uniform(2, 6))
            if sp is None:
                sp = self.make_spec(T, rng, t)
            res = self.attempt(T, t, sp)
            busy = t + 25
            if res == "off":
                continue
            if res in ("tech", "cancel", "decline"):
                fails.append(t)
                fails = [x for x in fails if x > t - 900]
                p_retry = {"tech": 0.6, "cancel": 0.5, "decline": 0.35}[res] * (0.6 ** tries)
                if tries < 3 and rng.random() < p_retry:
                    sp2 = dict(sp)
                    if res == "decline" and sp.get("card") and rng.random() < 0.5:
                        sp2["card"] = self.pick_card(T, rng)   # another card
                    elif res == "decline" and rng.random() < 0.5:
                        sp2 = self.make_spec(T, rng, t)
                        sp2["channel"], sp2["card"], sp2["pin"] = "qr", None, False
                    elif res == "tech" and sp.get("card") and rng.random() < 0.35 and T.model != "iCT220":
                        sp2["channel"], sp2["card"], sp2["pin"] = "qr", None, False
                    heapq.heappush(q, (t + rng.uniform(15, 90), seq, sp2, tries + 1))
                    seq += 1
                if res == "tech" and len(fails) >= 4 and rng.random() < 0.5:
                    # merchant gives up on this terminal for a while, maybe restarts it
                    if rng.random() < 0.35:
                        a = t + rng.uniform(30, 120)
                        if self.add_off(T, a, a + rng.uniform(60, 150), "user", None, None):
                            self.people.append(("check_restart", a, T))
                    T.abandon_until = t + rng.uniform(900, 3600)
                    fails = []
            # after a timeout the terminal sends its reversal on its own
            if T.pending_rev and rng.random() < 0.7:
                heapq.heappush(q, (t + rng.uniform(20, 60), seq, {"_rev": True}, 9))
                seq += 1
        # flush leftover reboot recoveries
        for bt, st, c, fid in T.boot_recover:
            if bt and bt < self.W1 - 60 and self.is_on(T, bt + 20):
                self.err(T, bt + rng.uniform(20, 60), "POWER_RECOVER", c or "power.supply", fid, st)
        T.boot_recover = []

    # ---------- telemetry
    def telemetry(self, T):
        rng = T.rng
        fields = T.md["fields"]
        t = self.W0 + rng.uniform(0, T.hb)
        last = self.W0 - T.hb
        first = True
        last_fw, last_app = None, None
        pev_i = 0
        missed = 0
        marked_offline = False
        last_boot_seen = None
        pending_buffer = []
        while t < self.W1:
            tt = t + rng.uniform(-8, 8)
            t += T.hb
            if not self.is_on(T, tt):
                missed += 1
                if T.vendor == "pax" and missed >= 3 and not marked_offline:
                    self.emit({"kind": "telemetry", "ts": iso(tt), "terminal_id": T.tid, "online": False}, tt, T.tid)
                    marked_offline = True
                continue
            A = self.active(T, tt)
            comps = self.net(T, tt, A)
            L = 1.0
            for c in comps:
                L *= (1 - min(c[0], 0.999))
            L = 1 - L
            down = any(c[4] for c in comps)
            fin = self.first(A, "software.incompatible", ("modem",))[0]
            if fin and T.net == "cellular":
                down = True
            rec = {"kind": "telemetry", "ts": iso(tt), "terminal_id": T.tid}
            # boots since last sample
            reason = None
            for o in T.off:
                if last < o[1] <= tt and o[1] > self.W0:
                    reason = o[2]
            if down or (rng.random() < L ** 0.7 * 0.8):
                # heartbeat lost; smart POS app buffers a summary and sends it later
                missed += 1
                if T.table == "psp_app" and rng.random() < 0.6:
                    rec["online"] = False
                    rec["packet_loss"] = 1.0
                    if "rssi_dbm" in fields and T.net in ("cellular", "wifi"):
                        base, now, _ = self.rssi(T, tt, A)
                        rec["rssi_dbm"] = int(round(now + rng.gauss(0, 1.5)))
                    if reason:
                        rec["reboot"] = reason
                        last = tt
                    self.emit(rec, tt, T.tid)
                if T.vendor == "pax" and missed >= 3 and not marked_offline:
                    self.emit({"kind": "telemetry", "ts": iso(tt + 1), "terminal_id": T.tid, "online": False}, tt + 1, T.tid)
                    marked_offline = True
                continue
            missed = 0
            marked_offline = False
            if "online" in fields or rng.random() < 0.7:
                rec["online"] = True
            if reason:
                rec["reboot"] = reason
            m = self.mi(tt)
            mem, mc, sto, sc, cpu, cc, temp, tc = self.resources(T, tt, A)
            for fld in fields:
                if fld == "online":
                    continue
                if rng.random() < 0.035:
                    continue   # vendor dropped a field
                if fld == "rssi_dbm":
                    if T.net in ("cellular", "wifi"):
                        base, now, _ = self.rssi(T, tt, A)
                        rec[fld] = int(round(now + rng.gauss(0, 2)))
                elif fld == "latency_ms":
                    lat = sum(c[1] for c in comps) + rng.uniform(15, 40)
                    lat *= rng.lognormvariate(0, 0.15)
                    if T.net == "dialup":
                        lat += rng.uniform(6000, 12000)
                    rec[fld] = int(lat)
                elif fld == "packet_loss":
                    if T.net != "dialup":
                        npk = 20 if T.table == "psp_app" else 10
                        lost = sum(1 for _ in range(npk) if rng.random() < L)
                        rec[fld] = round(lost / npk, 2)
                elif fld == "battery_pct":
                    b = self.battery_at(T, tt)
                    if b is not None:
                        rec[fld] = int(round(b))
                elif fld == "supply_v":
                    v = T.supply[m]
                    kind, depth = self.mains_v(T.site, tt)
                    if T.form == "counter" and T.vendor in ("pax", "landi", "newland") and kind is None:
                        # these vendors report the minimum input voltage since the last heartbeat
                        mins = [ev[2] for fid in sorted(T.site.mains_events) for ev in T.site.mains_events[fid]
                                if last < ev[0] <= tt and ev[1] == "brown"]
                        if mins:
                            kind, depth = "brown", min(mins)
                    if v is not None and kind == "brown":
                        v = v * (depth / 220.0 if T.cheap_adapter else rng.uniform(0.96, 0.99)) if not T.battery else rng.uniform(4.3, 4.7)
                    elif v is not None and kind == "surge" and T.cheap_adapter and not T.battery:
                        v = v * depth / 235.0
                    fa = self.first(A, "power.supply", ("adapter",))
                    if v is not None and fa[0]:
                        v = v * (1 - 0.16 * fa[1]) + rng.gauss(0, 0.15 * fa[1] * T.md["vnom"] / 9)
                    if v is not None:
                        rec[fld] = round(v, 2)
                elif fld == "power_events":
                    pass
                elif fld == "storage_used_pct":
                    rec[fld] = int(round(sto))
                elif fld == "memory_used_pct":
                    rec[fld] = int(round(mem))
                elif fld == "cpu_pct":
                    rec[fld] = int(round(cpu))
                elif fld == "temp_c":
                    rec[fld] = int(round(temp))
                elif fld == "key_check":
                    ks, kf = self.key_state(T, tt, A)
                    rec[fld] = ks
                elif fld == "clock_skew_s":
                    sk, _ = self.clock_skew(T, tt, A)
                    rec[fld] = int(round(sk))
                elif fld == "printer":
                    ps, _ = self.printer_state(T, tt, A)
                    rec[fld] = ps
                elif fld == "keypad_errors":
                    n = sum(1 for x in T.key_ev if last < x <= tt)
                    fk, ik = self.first(A, "hardware.keypad")
                    if fk:
                        n += poisson(rng, 2.5 * ik * (tt - last) / 300.0)
                    rec[fld] = n
                elif fld == "card_reader_errors":
                    rec[fld] = sum(1 for x in T.reader_ev if last < x <= tt)
                elif fld == "app_crashes":
                    rec[fld] = sum(1 for x in T.crash_ev if last < x <= tt) + (1 if rng.random() < 0.004 else 0)
            # power events: any device measuring its input reports them
            if "supply_v" in fields or T.form == "counter" or T.cradle:
                pe = sum(n for (x, n) in T.pev if last < x <= tt)
                if pe or rng.random() < 0.5:
                    rec["power_events"] = pe
            fw = self.version(T, tt, "fw")
            app = self.version(T, tt, "app")
            if first or reason or fw != last_fw:
                rec["firmware"] = fw
            if T.app and (first or reason or app != last_app):
                rec["app_version"] = app
            pv = T.param_ver_at(tt)
            if pv and pv != T.last_pv:
                rec["param_ver"] = pv
                T.last_pv = pv
            last_fw, last_app = fw, app
            first = False
            last = tt
            self.emit(rec, tt, T.tid)

    # ---------- main
    def run(self):
        for S in self.ss:
            self.site_mains(S)
        for T in self.ts:
            T.rng = RNG(self.seed, "term", T.tid)
            rng = T.rng
            n = WINDOW_H * 60
            w = [0.0] * n
            x = 0.0
            mob = 4.0 if T.taxi else 1.6
            for m in range(n):
                x = 0.93 * x + rng.gauss(0, mob)
                if T.taxi and rng.random() < 0.02:
                    x -= rng.uniform(8, 18)   # driving through a dead zone
                w[m] = x
            T.walk = w
            T.noise = [rng.gauss(0, 1) for _ in range(97)]
            T.mem_base = rng.uniform(42, 72) if T.form == "smart" else rng.uniform(25, 55)
            T.sto_base = rng.uniform(25, 80) if rng.random() > 0.08 else rng.uniform(86, 93)
            T.sto_growth = rng.uniform(0.0, 0.15)
            T.cpu_base = rng.uniform(4, 25)
            amb = CITIES[T.site.city][7]
            T.temp_base = (amb + rng.uniform(8, 14)) if T.outdoor else rng.uniform(28, 40)
            if T.merchant.mt == "noodle_rest" and T.form == "counter" and rng.random() < 0.4:
                T.temp_base = rng.uniform(46, 55)  # next to the stove
            T.skew_base = rng.gauss(0, 1.5) if rng.random() > 0.1 else rng.uniform(-240, 240)
            T.skew_drift = rng.gauss(0, 0.3)
            T.cert_abs = datetime.strptime(T.cert, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() if T.cert else None
            T.stan = rng.randrange(1, 900000)
            T.pending_rev = None
            T.rev_tries = 0
            T.boot_recover = []
            T.abandon_until = 0
            T.approved = []
            T.pin_fail_streak = 0
            T.paper_left = rng.randint(5, 150) if rng.random() < 0.25 else rng.randint(150, 400)
            T.paper_out_since = None
            T.paper_fix_at = 0
            T.timeout_eff = T.timeout
            T.last_pv = None
            pvs = []
            for f in self.by_term[T.tid]:
                if f.cause == "software.config":
                    pvs.append((f.start, f.params["param_ver"]))
                    if f.end < self.W1:
                        pvs.append((f.end, f.params["param_ver"][:-2] + "%02d" % (int(f.params["param_ver"][-2:]) + 1)))
            pvs += [(t, v) for (tid, t, v) in self.param_push if tid == T.tid]
            pvs.sort()
            T.param_ver_at = (lambda pvs: (lambda t: ([v for (a, v) in pvs if a <= t] or [None])[-1]))(pvs)
            self.build_schedule(T)
        for T in self.ts:
            self.sim_power(T)
            for (tb, sym, c, fid) in T.boot_err:
                if self.W0 < tb < self.W1 and self.is_on(T, tb):
                    self.err(T, tb, sym, c, fid)
        arr = {T.tid: [] for T in self.ts}
        for S in self.ss:
            for t, tid in self.arrivals(S):
                arr[tid].append(t)
        for T in self.ts:
            self.run_terminal(T, arr[T.tid])
        for T in self.ts:
            self.telemetry(T)


# ---------------------------------------------------------------------------------------------
# people: checks, maintenance, complaints, resolutions
# ---------------------------------------------------------------------------------------------
CHECKS = {
    "power.supply": [("adapter_voltage", "fail"), ("mains_voltage", "{mv}"), ("cable_seated", "ok")],
    "power.battery": [("battery_swapped", "ok"), ("battery_health", "fail")],
    "network.lan": [("router_restarted", "ok"), ("cable_seated", "ok"), ("lan_ping", "fail")],
    "network.signal": [("signal_test", "{rssi}"), ("sim_reseated", "ok")],
    "network.carrier": [("router_restarted", "ok"), ("terminal_restarted", "ok"), ("sim_reseated", "ok")],
    "hardware.printer": [("paper_loaded", "ok"), ("printer_test", "fail")],
    "hardware.card_reader": [("card_reader_test", "fail"), ("reader_cleaned", "ok")],
    "hardware.keypad": [("keypad_test", "fail")],
    "hardware.display": [("display_test", "fail")],
    "hardware.board": [("terminal_restarted", "ok"), ("self_test", "fail")],
    "security.keys": [("key_download", "ok"), ("sign_on", "fail")],
    "security.certificate": [("clock_check", "{skew}"), ("cert_check", "fail")],
    "software.config": [("param_check", "fail"), ("terminal_restarted", "ok")],
    "software.bug": [("terminal_restarted", "ok"), ("app_reinstalled", "ok")],
    "resource.storage": [("storage_check", "{sto}"), ("settlement_done", "ok")],
    "resource.memory": [("terminal_restarted", "ok"), ("background_apps_closed", "ok")],
    "resource.cpu": [("terminal_restarted", "ok")],
    "transmission.corruption": [("cable_seated", "ok"), ("pinpad_cable_replaced", "ok")],
    "operator.error": [("staff_trained", "ok")],
}
COMPLAINT_TEXT = [
    "今天{when}刷卡一直显示{code}，顾客只能扫码", "POS机老是报{code}，交易失败好几笔了", "机器一直提示{code}，重启也没用",
    "{when}开始收不了款，屏幕显示{code}", "刷卡失败 {code}，客人走了好几个", "终端报错{code}，请尽快派人来看",
    "机器{code}报错，扫码也不行", "交易失败，显示{code}，客服电话打不通",
]
CUSTOMER_TEXT = ["POS显示交易失败但是银行卡被扣款了", "刷卡没成功但是收到扣款短信", "付款失败却扣了钱，要求退款"]
FEE_TEXT = ["这个月手续费好像比原来高了", "到账金额不对，费率是不是调了", "说好0.6的费率，实际扣得更多"]
RES_NOTES = {
    "power.supply": "市电不稳/适配器输出异常，更换适配器、加装稳压电源 / unstable mains, adapter replaced",
    "power.battery": "电池老化/没电，更换电池 / battery replaced",
    "network.lan": "路由器重启后恢复 / recovered after router restart",
    "network.signal": "终端位置信号弱，移位/更换天线 / weak signal at terminal",
    "network.carrier": "运营商基站故障已恢复 / carrier outage restored",
    "hardware.printer": "打印机故障，更换打印头 / printer repaired",
    "hardware.card_reader": "读卡模块故障，更换 / card reader replaced",
    "hardware.keypad": "键盘按键失灵，更换键盘膜 / keypad replaced",
    "hardware.display": "屏幕故障，更换屏幕 / display replaced",
    "hardware.board": "主板损坏，返厂维修 / main board repaired",
    "security.keys": "重新下载工作密钥后恢复 / keys reloaded",
    "security.certificate": "证书/时钟问题，更新证书并同步时间 / certificate renewed",
    "software.config": "TMS参数错误，重新下发参数 / parameters corrected",
    "software.bug": "新版本缺陷，已回滚 / version rolled back",
    "software.incompatible": "版本过旧不被主机支持，已升级 / upgraded",
    "resource.storage": "存储满，结算并清理 / storage cleared",
    "resource.memory": "卸载第三方应用 / third-party app removed",
    "resource.cpu": "后台服务异常占用CPU，已处理 / runaway process killed",
    "transmission.corruption": "数据线松动/损坏，更换线缆 / cable replaced",
    "operator.error": "收银员操作不规范，已培训 / cashier trained",
    "business.txn_type": "商户交易权限配置调整 / merchant transaction types updated",
    "business.limit": "商户限额调整 / merchant limit adjusted",
    "business.risk": "风控核实后解除 / risk control released",
    "business.merchant": "商户状态/资料更正 / merchant status corrected",
    "upstream.acquirer": "收单主机故障已恢复 / acquirer host recovered",
    "upstream.issuer": "发卡行系统恢复 / issuer recovered",
    "card.decline": "持卡人卡片问题 / cardholder card issue",
}


def people_records(sim, seed):
    rng = RNG(seed, "people")
    W0, W1 = sim.W0, sim.W1
    out = []
    cseq = sim.complaint_seq
    # daily checks and cleaning (scheduled maintenance, A7)
    for T in sim.ts:
        if rng.random() < 0.22:
            for a, b in T.user_on:
                if W0 < a + 600 < W1:
                    out.append(({"kind": "maintenance", "ts": iso(a + rng.uniform(300, 1500), 8), "terminal_id": T.tid,
                                 "action": "daily_check", "notes": rng.choice(["电源、键盘、屏幕正常", "开机检查正常", "daily check ok"])}, T.tid))
                    break
        if rng.random() < 0.03:
            t = W0 + rng.uniform(0, WINDOW_H * HOUR)
            if sim.is_on(T, t):
                out.append(({"kind": "maintenance", "ts": iso(t, 8), "terminal_id": T.tid, "action": "weekly_clean",
                             "notes": "清洁读卡口和打印机"}, T.tid))
    # updates recorded by field staff
    for tid in sorted(sim.roll):
        for r in sim.roll[tid]:
            if W0 < r.t < W1 and rng.random() < 0.3:
                out.append(({"kind": "maintenance", "ts": iso(r.t + 300, 8), "terminal_id": tid, "action": "firmware_update",
                             "notes": "TMS推送 %s %s" % ("应用" if r.field == "app" else "固件", r.ver)}, tid))
    # merchant restarts after repeated failures
    for kind, t, T in sim.people:
        if kind == "check_restart" and t < W1 and rng.random() < 0.5:
            out.append(({"kind": "check", "ts": iso(t + 200, 8), "terminal_id": T.tid, "name": "terminal_restarted", "result": "ok"}, T.tid))
    tmap = {T.tid: T for T in sim.ts}
    for f in sim.faults:
        fl = sorted(sim.fail_log.get(f.fid, []))
        if not fl:
            continue
        # complaints from merchants who saw several failures
        by_m = {}
        for t, tid in fl:
            by_m.setdefault(tmap[tid].merchant.mid, []).append((t, tid))
        for mid in sorted(by_m):
            ev = by_m[mid]
            if len(ev) >= 3 and rng.random() < 0.45:
                t, tid = ev[min(len(ev) - 1, rng.randint(2, 5))]
                tc = t + rng.uniform(300, 1800)
                if tc < W1 + 600:
                    codes = [x[2] for x in sim.merchant_fail.get(mid, []) if x[1] == tid and x[4] == f.fid]
                    code = codes[0] if codes else "E1"
                    code = "超时" if code == "timeout" else code
                    cseq += rng.randint(1, 9)
                    rec = {"kind": "complaint", "ts": iso(tc, 8), "complaint_id": "C-%d" % cseq, "from": "merchant",
                           "merchant_id": mid, "text": rng.choice(COMPLAINT_TEXT).format(code=code, when=rng.choice(["中午", "下午", "刚才", "今天上午"]))}
                    if rng.random() < 0.7:
                        rec["terminal_id"] = tid
                    out.append((rec, tid))
        # a check during the fault
        if f.cause in CHECKS and rng.random() < 0.45:
            t, tid = fl[min(len(fl) - 1, rng.randint(1, 6))]
            tc = t + rng.uniform(600, 2400)
            if tc < min(W1, f.end + 1200):
                name, res = rng.choice(CHECKS[f.cause])
                T = tmap[tid]
                if "{" in res:
                    res = res.format(mv=int(rng.uniform(160, 190)), rssi=int(T.rssi_base - 18), skew="-26年" if rng.random() < 0.5 else "时间错误",
                                     sto="%d%%" % rng.randint(97, 100))
                rec = {"kind": "check", "ts": iso(tc, 8), "name": name, "result": res}
                if "site_id" in f.scope:
                    rec["site_id"] = f.scope["site_id"]
                else:
                    rec["terminal_id"] = tid
                out.append((rec, tid))
        # resolution once fixed inside the window
        if f.end < W1 and rng.random() < 0.45 and f.cause not in ("card.decline",):
            tr = f.end + rng.uniform(120, 1200)
            if tr < W1 + 1800:
                rec = {"kind": "resolution", "ts": iso(tr, 8), "cause": f.cause, "notes": RES_NOTES[f.cause]}
                if "site_id" in f.scope:
                    rec["site_id"] = f.scope["site_id"]
                else:
                    rec["terminal_id"] = fl[-1][1]
                out.append((rec, fl[-1][1]))
                if f.cause.startswith("hardware.") or f.cause == "power.battery":
                    out.append(({"kind": "maintenance", "ts": iso(f.end, 8), "terminal_id": fl[-1][1], "action": "part_replaced",
                                 "notes": RES_NOTES[f.cause].split(" / ")[0]}, fl[-1][1]))
    # customers complaining about being charged for a failed payment
    for (t, tid, te) in sim.tevents:
        if te["code"] == "timeout" and rng.random() < 0.04:
            T = tmap[tid]
            cseq += rng.randint(1, 9)
            out.append(({"kind": "complaint", "ts": iso(t + rng.uniform(1800, 5 * HOUR), 8), "complaint_id": "C-%d" % cseq,
                         "from": "customer", "merchant_id": T.merchant.mid, "terminal_id": tid, "text": rng.choice(CUSTOMER_TEXT)}, tid))
    for M in sim.ms:
        if M.rate_drift and rng.random() < 0.5:
            cseq += rng.randint(1, 9)
            out.append(({"kind": "complaint", "ts": iso(W0 + rng.uniform(0, WINDOW_H * HOUR), 8), "complaint_id": "C-%d" % cseq,
                         "from": "merchant", "merchant_id": M.mid, "text": rng.choice(FEE_TEXT)}, M.terms[0].tid))
    # a few background resolutions for consumables
    return out


# causes whose physics shows in heartbeats even when no event failed
TELEMETRY_VISIBLE = {"power.battery", "power.supply", "resource.storage", "resource.memory", "resource.cpu",
                     "hardware.board", "hardware.printer", "hardware.keypad", "network.signal", "network.lan",
                     "network.carrier", "security.keys", "software.bug"}


def parse_ts(s):
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.fromisoformat(s).timestamp()


# ---------------------------------------------------------------------------------------------
def generate(seed, outdir):
    rng = RNG(seed, "window")
    date = datetime(2026, 11, 12, tzinfo=timezone.utc) + timedelta(days=rng.randrange(0, 37))
    day0 = date.timestamp() - 8 * HOUR   # Beijing midnight
    start_h = rng.choice([8, 9, 10, 10, 11, 12, 13, 14])
    W0 = int(day0 + start_h * HOUR + rng.randrange(0, 4) * 900)
    W1 = W0 + WINDOW_H * HOUR
    merchants, sites, terms = build_fleet(seed, W0)
    pl = Planner(seed, W0, W1, merchants, sites, terms, day0)
    faults = pl.plan()
    sim = Sim(seed, W0, W1, merchants, sites, terms, faults, pl.rollouts, day0)
    sim.param_push = pl.param_push
    sim.run()
    ppl = people_records(sim, seed)
    # complaint numbers follow the time they were filed
    crng = RNG(seed, "cid")
    cid = crng.randrange(1000, 5000)
    for rec, _ in sorted([x for x in ppl if x[0]["kind"] == "complaint"], key=lambda x: (parse_ts(x[0]["ts"]), x[0]["merchant_id"])):
        cid += crng.randint(1, 7)
        rec["complaint_id"] = "C-%d" % cid

    # ---- inventory (exported shortly before the window)
    inv_t = W0 - rng.randrange(1800, 5 * HOUR)
    inv = []
    for M in merchants:
        r = {"kind": "merchant", "ts": iso(inv_t, 8), "merchant_id": M.mid, "mcc": M.mcc, "name": M.name, "city": M.city,
             "settlement": M.settlement, "card_rate": M.card_rate, "qr_rate": M.qr_rate}
        inv.append(r)
    for S in sites:
        r = {"kind": "site", "ts": iso(inv_t, 8), "site_id": S.sid, "merchant_id": S.merchant.mid, "name": S.name, "city": S.city}
        if S.merchant.mt != "taxi":
            r["lat"], r["lon"] = S.lat, S.lon
        inv.append(r)
    for T in terms:
        fw_inv = T.inv_fw
        app_inv = T.app
        for rr in sim.roll.get(T.tid, []):
            if rr.t <= inv_t:
                if rr.field == "fw" and fw_inv:
                    fw_inv = rr.ver
                if rr.field == "app":
                    app_inv = rr.ver
        r = {"kind": "terminal", "ts": iso(inv_t, 8), "terminal_id": T.tid, "serial": T.serial, "vendor": T.vendor, "model": T.model}
        if fw_inv:
            r["firmware"] = fw_inv
        if app_inv:
            r["app_version"] = app_inv
        r["merchant_id"] = T.merchant.mid
        r["site_id"] = T.site.sid
        r["network"] = T.net
        if T.inv_carrier:
            r["carrier"] = T.inv_carrier
        r["host"] = T.host
        if T.inv_cert:
            r["cert_not_after"] = T.inv_cert
        r["installed"] = T.installed
        inv.append(r)

    # ---- delivery order: small per-record delays (<=55 s), some feeds late as a whole
    drng = RNG(seed, "delivery")
    late = {}
    for T in terms:
        if drng.random() < 0.12:
            late[T.tid] = drng.uniform(300, 1500)
    items = []
    k = 0
    for (t, tid, rec) in sim.records:
        d = drng.uniform(0, 55) if drng.random() < 0.15 else drng.uniform(0, 3)
        items.append((t + d + late.get(tid, 0.0), k, rec))
        k += 1
    for rec, tid in ppl:
        t = parse_ts(rec["ts"])
        items.append((t + drng.uniform(0, 30), k, rec))
        k += 1
    items.sort(key=lambda x: (x[0], x[1]))

    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "records.jsonl"), "w", encoding="utf-8") as fh:
        for r in inv:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, r in items:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")

    # ---- truth
    truth = []
    for f in faults:
        tids = set(f.hit)
        if f.cause not in ("upstream.issuer", "card.decline"):
            tmap = {T.tid: T for T in terms}
            for tid in sorted(f.tids):
                T = tmap[tid]
                st = max(f.onset.get(tid, f.start), W0)
                en = min(f.offset.get(tid, f.end), W1)
                if en <= st:
                    continue
                # in scope and powered at some point during the fault
                tt = st
                while tt < en:
                    if sim.is_on(T, tt):
                        tids.add(tid)
                        break
                    tt += 300
        start, end = f.start, f.end
        if f.onset:
            start = min(f.onset.values())
        if f.cause == "security.keys" and f.offset and len(f.offset) == len(f.tids):
            end = max(f.offset.values())
        if not tids or end <= W0 or start >= W1:
            continue
        if f.nev == 0 and f.cause not in TELEMETRY_VISIBLE:
            continue   # nothing observable happened: not a testable fault
        rec = {"kind": "truth", "fault_id": f.fid, "cause": f.cause, "scope": f.scope, "terminals": sorted(tids),
               "start": iso(max(start, W0)), "end": iso(min(end, W1)), "variant": f.variant, "severity": round(f.sev, 2),
               "profile": f.profile, "events": f.nev}
        if start < W0:
            rec["true_start"] = iso(start)
        if end > W1:
            rec["ongoing"] = True
        if f.params.get("chain_of"):
            rec["caused_by"] = f.params["chain_of"]
        truth.append(rec)
    valid_f = set(r["fault_id"] for r in truth)
    tev = sorted(sim.tevents, key=lambda x: (x[0], x[1], x[2]["code"]))
    with open(os.path.join(outdir, "truth.jsonl"), "w", encoding="utf-8") as fh:
        for r in truth:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        for _, _, te in tev:
            if te.get("fault_id") and te["fault_id"] not in valid_f:
                te.pop("fault_id")
                te["background"] = True
            fh.write(json.dumps(te, ensure_ascii=False, separators=(",", ":")) + "\n")
    return dict(records=len(inv) + len(items), faults=len(truth), truth_events=len(tev), terminals=len(terms))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    st = generate(a.seed, a.out)
    print("seed %d: %d terminals, %d records, %d faults, %d truth_events -> %s" %
          (a.seed, st["terminals"], st["records"], st["faults"], st["truth_events"], a.out))


if __name__ == "__main__":
    main()
