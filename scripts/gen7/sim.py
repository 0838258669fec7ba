"""gen7 simulation engine: per-terminal timeline, transactions through stages,
heartbeats.  Failures happen because a contributor's physics/behaviour broke a
stage; the failed event is labelled with that contributor's cause."""
import heapq
import math

import codes
from contrib import clamp, p_connect, p_receive, lognorm
from world import VENDORS, ISSUERS, iso, wchoice

STAGES = ('app', 'card_read', 'pin', 'connect', 'tls', 'send', 'receive', 'host', 'issuer', 'mac', 'print')
REV_STAGES = ('connect', 'tls', 'send', 'receive', 'host')
ISSUER_W = [(i, i[3]) for i in ISSUERS]


def tod(kind, h):
    h = h % 24
    if kind == 'petrol':
        return 0.3 if h < 6 else (1.0 if (7 <= h < 9 or 17 <= h < 20) else 0.7)
    if h < 6:
        return 0.1
    if h < 8:
        return 0.45
    if h < 11:
        return 0.75
    if h < 13.5:
        return 1.2
    if h < 17:
        return 0.75
    if h < 20.5:
        return 1.3
    if h < 22:
        return 0.8
    return 0.4


def base_rate(T):
    m = T['merchant']
    k, role = m['kind'], T['role']
    if k == 'super':
        return m['rate'] * (0.7 if role == 'lane' else 0.12)
    if k == 'petrol':
        return m['rate'] * (0.8 if role == 'counter' else 0.5)
    return m['rate']


class TermSim:
    def __init__(self, w, T, cs, rng):
        self.w, self.T, self.rng = w, T, rng
        self.cs = sorted(cs, key=lambda c: (c.order, c.fid or ''))
        self.vend = VENDORS[T['vendor']]
        self.recs = []      # (t, rec)
        self.truth = []     # (t, truth_event)
        self.stan = rng.randint(1, 900000)
        self.counters = []
        self.reboots = []   # (t, reason, down, contributor)
        self.power = []
        self.approved = []
        self.txn_times = []
        self.heap = []
        self.hseq = 0
        self.first = {}     # fid -> first failed (t, code)

    # ------------------------------------------------------------------ helpers
    def next_stan(self):
        self.stan = self.stan % 999999 + 1
        return '%06d' % self.stan

    def push(self, t, ctx):
        self.hseq += 1
        heapq.heappush(self.heap, (int(t), self.hseq, ctx))

    def label(self, t, rec, c):
        code = rec.get('code') or rec.get('response_code') or 'timeout'
        te = {'kind': 'truth_event', 'ts': rec['ts'], 'terminal_id': self.T['terminal_id'], 'cause': c.cause,
              'code': code}
        if rec.get('stan'):
            te['stan'] = rec['stan']
        te['record'] = rec['kind']
        if c.fid:
            te['fault_id'] = c.fid
            if c.fid not in self.first:
                self.first[c.fid] = (t, code)
        else:
            te['background'] = True
        self.truth.append((t, te))

    def down(self, t):
        T = self.T
        if t < T['on'] or t >= T['off']:
            return True
        for a, reason, d, c in self.reboots:
            if a <= t < a + d:
                return True
        return False

    def error(self, t, kind, c, stan=None, **kw):
        T = self.T
        rng = self.rng
        stage = codes.STAGE[kind]
        r = {'kind': 'error', 'ts': iso(t), 'terminal_id': T['terminal_id'], 'code': codes.code_for(T['vendor'], kind)}
        if self.vend[4] or rng.random() < 0.3:
            r['stage'] = stage
        if rng.random() < 0.94:
            r['detail'] = codes.vendor_prefix(T['vendor'], stage) + codes.detail_for(rng, kind, stan=stan or '', **kw)
        if stan:
            r['stan'] = stan
        self.recs.append((t, r))
        self.label(t, r, c)

    def txn(self, t, ctx, rc=None, timed_out=False, latency=None, c=None):
        T = self.T
        rng = self.rng
        r = {'kind': 'txn', 'ts': iso(t), 'terminal_id': T['terminal_id']}
        if rng.random() < 0.985:
            r['merchant_id'] = T['merchant_id']
        r['type'] = ctx['type']
        r['amount'] = ctx['amount']
        r['currency'] = '156' if T['vendor'] == 'landi' else 'CNY'
        if rng.random() < 0.99:
            r['channel'] = ctx['channel']
        r['stan'] = ctx['stan']
        if rc is not None:
            lt = t + 8 * 3600
            r['rrn'] = '%s%06d' % (iso(lt)[8:10] + iso(lt)[11:13] + iso(lt)[14:16], int(ctx['stan']))
        if T['vendor'] != 'verifone' and rng.random() < 0.97:
            r['mcc'] = ctx['mcc']
        if rc is not None:
            r['response_code'] = rc
        if timed_out:
            r['timed_out'] = True
        if latency is not None and rng.random() < 0.98:
            r['latency_ms'] = int(latency)
        if rc == '00' and ctx['type'] in ('purchase', 'completion'):
            m = T['merchant']
            rate = m['qr_rate'] if ctx['channel'] == 'qr' else ctx.get('rate', m['card_rate'])
            r['fee'] = int(round(ctx['amount'] * rate))
        if ctx.get('pan'):
            r['pan'] = ctx['pan']
        self.recs.append((t, r))
        if c is not None:
            self.label(t, r, c)
        return r

    # ------------------------------------------------------------------ demand
    def new_ctx(self, t, rng):
        T = self.T
        m = T['merchant']
        kind = m['kind']
        typ = 'purchase'
        x = rng.random()
        if kind == 'hotel':
            typ = 'preauth' if x < 0.35 else ('completion' if x < 0.6 else ('refund' if x < 0.63 else 'purchase'))
        elif x < 0.02:
            typ = 'void'
        elif x < 0.03:
            typ = 'refund'
        elif x < 0.04:
            typ = 'balance'
        qr = {'street': 0.6, 'super': 0.5, 'conv': 0.6, 'pharma': 0.45, 'petrol': 0.35, 'hotel': 0.15}[kind]
        amt = int(lognorm(rng, m['amt'], 0.75))
        if m['mcc'] == '5541' and rng.random() < 0.4:
            amt = rng.choice([10000, 20000, 30000, 20000, 50000])
        amt = max(100, amt - amt % (100 if amt > 20000 else 10))
        if amt > 100000:
            qr *= 0.5
        ctx = {'type': typ, 'amount': amt, 'mcc': m['mcc'], 'tries': 0}
        if typ in ('void', 'refund', 'completion'):
            pool = [a for a in self.approved if (a['type'] == 'preauth') == (typ == 'completion')]
            if pool and rng.random() < 0.93:
                o = pool[-1 - int(rng.random() * min(5, len(pool)))]
                ctx['orig'] = o['stan']
                ctx['amount'] = o['amount']
                ctx['channel'] = o['channel']
                if o.get('pan'):
                    ctx.update(pan=o['pan'], issuer=o['issuer'], credit=o['credit'])
                else:
                    ctx.update(pan=None, issuer='wallet', credit=False)
                ctx['pin'] = False
                return ctx
            if typ == 'completion':
                ctx['type'] = typ = 'preauth'
            ctx['orig'] = None
        if typ in ('balance', 'preauth'):
            qr = 0.0
        if rng.random() < qr:
            ctx.update(channel='qr', pan=None, issuer='wallet', credit=False, pin=False)
            return ctx
        self.card(ctx, rng)
        if typ == 'balance':
            ctx['amount'] = 0
            ctx['pin'] = True
        return ctx

    def card(self, ctx, rng, channel=None):
        iss = wchoice(rng, ISSUER_W)
        b = rng.choice(iss[2])
        credit = b.startswith('c:')
        b = b[2:] if credit else b
        y = rng.random()
        ch = channel or ('card_ic' if y < 0.55 else ('nfc' if y < 0.9 else 'card_swipe'))
        if ch == 'card_swipe' and not credit and rng.random() < 0.6:
            ch = 'card_ic'
        pin = (not credit) if ch != 'nfc' else ctx['amount'] > 100000
        if credit and ch != 'nfc' and rng.random() < 0.35:
            pin = True
        ctx.update(channel=ch, issuer=iss[0], bin=b, credit=credit, pin=pin,
                   pan='%s******%04d' % (b, rng.randint(0, 9999)))

    # ------------------------------------------------------------------ run
    def run(self):
        T, w, rng = self.T, self.w, self.rng
        T['_T0'] = w.T0
        static = []
        for c in self.cs:
            for e in c.events(T, rng):
                static.append((e, c))
        static.sort(key=lambda ec: (ec[0][1], ec[0][0]))
        vch = []
        for e, c in static:
            if e[0] == 'reboot':
                self.reboots.append((e[1], e[2], e[3], c))
            elif e[0] == 'version':
                vch.append((e[1], e[2], e[3]))
                self.reboots.append((e[1], 'update', 150 + int(rng.random() * 120), c))
            elif e[0] == 'power':
                self.power.append((e[1], e[2]))
        T['_vch'] = vch
        if T['on'] > w.T0:
            street = T['merchant']['kind'] == 'street'
            self.reboots.append((T['on'], 'power_loss' if street and rng.random() < 0.5 else 'user', 0, None))
        self.reboots.sort(key=lambda r: r[0])
        # spontaneous errors from contributors (e.g. self-test failures at power on)
        for e, c in static:
            if e[0] == 'error' and not self.down(e[1]) and w.T0 <= e[1] < w.T1:
                self.error(e[1], e[2], c, **(e[3] if len(e) > 3 else {}))
            elif e[0] == 'maint' and w.T0 <= e[1] < w.T1:
                self.recs.append((e[1], {'kind': 'maintenance', 'ts': iso(e[1]), 'terminal_id': T['terminal_id'],
                                         'action': e[2], 'notes': e[3]}))
        # demand
        r0 = base_rate(T)
        rmax = r0 * 1.35 / 3600.0
        t = max(w.T0, T['on'])
        end = min(w.T1 - 90, T['off'])
        kind = T['merchant']['kind']
        while rmax > 0:
            t += rng.expovariate(rmax)
            if t >= end:
                break
            h = (t - w.day0_local) / 3600.0
            p = tod(kind, h) / 1.35
            for c in self.cs:
                p *= c.rate(T, t)
            if rng.random() < p:
                self.push(t, self.new_ctx(int(t), rng))
        for c in self.cs:
            for tt, over in c.extra_txns(T, rng):
                if w.T0 <= tt < end:
                    ctx = self.new_ctx(tt, rng)
                    if 'channel' in over and over['channel'] != 'qr' and ctx['channel'] == 'qr':
                        self.card(ctx, rng, over['channel'])
                    ctx.update(over)
                    self.push(tt, ctx)
        while self.heap:
            t, _, ctx = heapq.heappop(self.heap)
            if t >= w.T1 - 60 or self.down(t):
                continue
            self.process(t, ctx)
        self.telemetry()
        return self

    # ------------------------------------------------------------------ one attempt
    def process(self, t, ctx):
        T, rng = self.T, self.rng
        rev = ctx['type'] == 'reversal'
        # a power loss / crash while the transaction is in flight
        for a, reason, d, c in self.reboots:
            if c is not None and reason in ('power_loss', 'watchdog', 'crash') and a - 25 <= t < a and not rev:
                ctx['stan'] = self.next_stan()
                self.txn(a, ctx, timed_out=True, latency=(a - t) * 1000, c=c)
                self.txn_times.append(t)
                if a + d + 20 < self.w.T1:
                    kind = 'power_lost_txn' if reason == 'power_loss' else 'app_crash'
                    self.error(a + d + 20, kind, c, stan=ctx['stan'])
                    self.push(a + d + 45, dict(ctx, type='reversal', orig=ctx['stan'], tries=0))
                return
        for c in self.cs:
            c.ctx_mod(T, t, ctx)
        stages = REV_STAGES if rev else STAGES
        for stage in stages:
            if stage in ('card_read', 'pin') and ctx['channel'] == 'qr':
                continue
            if stage == 'pin' and not ctx['pin']:
                continue
            if stage == 'print' and ctx['type'] == 'balance':
                continue
            if stage == 'connect':
                ctx['stan'] = self.next_stan()
                self.txn_times.append(t)
            for c in self.cs:
                f = None
                if stage in ('connect', 'receive'):
                    n = c.net(T, t)
                    if n is not None:
                        f = self.netfail(stage, n)
                if f is None:
                    if rev and stage == 'host' and not getattr(c, 'affects_reversal', False):
                        continue
                    f = c.fail(stage, T, t, ctx, rng)
                if f:
                    if f.get('continue'):
                        self.error(t, f['kind'], c, stan=ctx.get('stan'), **f.get('kw', {}))
                        continue
                    self.realize(t, ctx, stage, f, c)
                    return
            if stage == 'receive':
                lat, top = self.latency(t, ctx)
                ctx['lat'] = lat
                if lat > T['timeout'] * 1000 and top is not None:
                    self.realize(t, ctx, 'receive', {'timeout': True, 'kind': 'recv_timeout', 'retry': 0.6}, top)
                    return
            if (stage == 'mac' and not rev) or (rev and stage == 'host'):
                tt = t + int(ctx['lat'] / 1000.0)
                self.txn(tt, ctx, rc='00', latency=ctx['lat'])
                if not rev and ctx['type'] in ('purchase', 'preauth', 'completion'):
                    self.approved.append(ctx)
                    if len(self.approved) > 40:
                        self.approved = self.approved[-40:]
                if rev:
                    return

    def netfail(self, stage, n):
        lat, loss, off = n
        rng = self.rng
        if stage == 'connect':
            if off:
                wl = self.T['network'] != 'ethernet'
                return {'kind': 'no_net' if rng.random() < (0.6 if wl else 0.3) else 'conn_fail',
                        'retry': 0.5, 'dt': rng.randint(3, 25)}
            if loss > 0 and rng.random() < p_connect(loss):
                return {'kind': 'conn_fail', 'retry': 0.6, 'dt': rng.randint(10, 30)}
        elif loss > 0 and rng.random() < p_receive(loss):
            return {'timeout': True, 'kind': 'recv_timeout', 'retry': 0.6}
        return None

    def latency(self, t, ctx):
        T, rng = self.T, self.rng
        rtt = 0.0
        parts = []
        extra = 0.0
        for c in self.cs:
            n = c.net(T, t)
            if n is not None:
                x = n[0] * (1 + 3 * n[1])
                rtt += x
                parts.append((4 * x, c))
            x = c.lat(T, t, ctx)
            if x:
                extra += x
                parts.append((x, c))
        base = 4 * rtt + lognorm(rng, 450, 0.35)
        if ctx['channel'] != 'qr':
            base += lognorm(rng, 380, 0.45)
            if ctx['channel'] == 'card_ic':
                base += lognorm(rng, 500, 0.3)
        else:
            base += lognorm(rng, 520, 0.4)
        top = None
        if parts:
            top = max(parts, key=lambda p: (p[0], p[1].fid or ''))[1]
        return base + extra, top

    def realize(self, t, ctx, stage, f, c):
        T, rng, w = self.T, self.rng, self.w
        kind = f.get('kind')
        rc = f.get('rc')
        stan = ctx.get('stan')
        timeout_s = f.get('to_s', T['timeout'])
        rev = ctx['type'] == 'reversal'
        if f.get('counter'):
            self.counters.append((t, f['counter'], f.get('n', 1)))
        if stage == 'print':
            tt = t + int(ctx.get('lat', 1500) / 1000.0)
            self.error(tt + 2 + int(rng.random() * 3), kind, c, stan=stan)
            if f.get('reboot'):
                self.reboots.append((tt + 4, f['reboot'][0], f['reboot'][1], c))
                self.reboots.sort(key=lambda r: r[0])
            return
        if stage in ('app', 'card_read', 'pin', 'tls'):
            self.error(t + f.get('dt', 0), kind, c, stan=stan if stage == 'tls' else None, **f.get('kw', {}))
        elif stage in ('connect', 'send') and not f.get('timeout'):
            dt = f.get('dt', rng.randint(5, 20))
            if self.vend[3] or rev:
                self.txn(t + dt, ctx, timed_out=True, latency=dt * 1000, c=c)
            kw = dict(f.get('kw', {}))
            kw.setdefault('s', dt)
            self.error(t + dt + 1, kind, c, stan=stan, **kw)
        elif f.get('timeout') or stage == 'receive':
            self.txn(t + timeout_s, ctx, timed_out=True, latency=timeout_s * 1000, c=c)
            if rng.random() < 0.88 or kind != 'recv_timeout':
                self.error(t + timeout_s + 1 + int(rng.random() * 2), kind or 'recv_timeout', c, stan=stan,
                           s=timeout_s, **f.get('kw', {}))
            if not rev or ctx['tries'] < 3:
                self.push(t + timeout_s + rng.randint(8, 60), dict(ctx, type='reversal', orig=ctx.get('orig') or stan,
                                                                    tries=ctx['tries'] + 1 if rev else 0))
        else:   # host / issuer / mac answers
            lat = ctx.get('lat') or lognorm(rng, 1200, 0.3)
            tt = t + int(lat / 1000.0)
            self.txn(tt, ctx, rc=rc, latency=lat, c=c)
            if f.get('err') or (rc in ('A0', '96', '30', '97', '03') and T['vendor'] in ('pax', 'newland', 'centerm')
                                and rng.random() < 0.5):
                ek = f.get('err') or ('mac_fail' if rc == 'A0' else 'host_reject')
                self.error(tt + 1, ek, c, stan=stan, rc=rc)
            if f.get('reversal'):
                self.push(tt + rng.randint(3, 20), dict(ctx, type='reversal', orig=stan, tries=0))
        if f.get('reboot'):
            reason, d = f['reboot']
            a = t + f.get('dt', 0) + 3
            self.reboots.append((a, reason, d, c))
            self.reboots.sort(key=lambda r: r[0])
        if rev:
            return
        # the cashier / customer tries again
        if ctx['tries'] < 2 and rng.random() < f.get('retry', 0.5):
            n = dict(ctx, tries=ctx['tries'] + 1)
            sw = f.get('switch')
            if sw == 'qr' or (sw and ctx['type'] == 'purchase' and ctx['tries'] >= 1 and rng.random() < 0.5):
                n.update(channel='qr', pan=None, issuer='wallet', credit=False, pin=False)
            elif sw == 'newcard':
                self.card(n, rng)
            elif sw in ('card_swipe', 'card_ic', 'nfc') and ctx['type'] not in ('void', 'refund'):
                if ctx['channel'] == 'qr' or sw == 'card_ic':
                    self.card(n, rng, sw)
                else:
                    n['channel'] = sw
                    n['pin'] = (not n['credit']) if sw != 'nfc' else n['amount'] > 100000
            self.push(t + f.get('dt', 0) + rng.randint(10, 70), n)

    # ------------------------------------------------------------------ heartbeats
    def telemetry(self):
        T, w, rng = self.T, self.w, self.rng
        fields, interval = self.vend[0], self.vend[1]
        buffers = self.vend[2]
        wireless = T['network'] != 'ethernet'
        t = max(w.T0, T['on']) + int(rng.random() * interval)
        end = min(w.T1, T['off'])
        prev = t - interval
        fw, app = T['firmware'], T['app_version']
        vi = 0
        ph = rng.random() * 6.28
        tx = sorted(self.txn_times)
        ti = 0
        while t < end:
            if self.down(t):
                t += interval
                continue
            s = {}
            hr = (t - w.day0_local) / 3600.0
            if wireless:
                s['rssi_dbm'] = T['rssi0'] + 3 * math.sin(ph + t / 2400.0) + rng.gauss(0, 1.5)
            if not T['battery'] or T['docked']:
                s['supply_v'] = T['v0'] + rng.gauss(0, 0.006 * T['v_nom'])
            while ti < len(tx) and tx[ti] <= t:
                ti += 1
            busy = 1 if ti > 0 and t - tx[ti - 1] < 90 else 0
            s['storage_used_pct'] = T['storage0'] + 0.15 * (t - w.T0) / 3600.0 + 0.004 * ti
            s['memory_used_pct'] = T['mem0'] + rng.gauss(0, 2.5) + 6 * busy
            s['cpu_pct'] = T['cpu0'] + abs(rng.gauss(0, 4)) + (25 + rng.random() * 20) * busy
            s['temp_c'] = T['temp0'] + 3 * math.sin((hr - 9) / 24.0 * 6.28) + s['cpu_pct'] / 25.0 + rng.gauss(0, 0.6)
            s['key_check'] = 'ok'
            s['clock_skew_s'] = T['skew0'] + (1 if rng.random() < 0.1 else 0)
            s['printer'] = 'ok'
            s['power_events'] = sum(n for a, n in self.power if prev < a <= t)
            rb = [r for r in self.reboots if prev < r[0] <= t]
            if rb:
                s['reboot'] = rb[-1][1]
                s['power_events'] += sum(1 for r in rb if r[1] == 'power_loss')
            for name in ('keypad_errors', 'card_reader_errors', 'app_crashes'):
                s[name] = sum(n for a, nm, n in self.counters if nm == name and prev < a <= t)
            s['app_crashes'] += sum(1 for r in rb if r[1] in ('crash', 'watchdog') and rng.random() < 0.5)
            lat, loss, off = 0.0, 0.0, False
            for c in reversed(self.cs):        # background first, faults override
                c.tele(T, t, s)
                n = c.net(T, t)
                if n is not None:
                    lat += n[0]
                    loss = 1 - (1 - loss) * (1 - n[1])
                    off = off or n[2]
            vals = {}
            while vi < len(T['_vch']) and T['_vch'][vi][0] <= t:
                _, fld, val = T['_vch'][vi]
                vals[fld] = val
                vi += 1
            if off and not buffers:
                prev = t
                t += interval + int(rng.random() * 3)
                continue
            r = {'kind': 'telemetry', 'ts': iso(t), 'terminal_id': T['terminal_id'], 'online': not off}
            if not off:
                lm = max(1.0, lat * (1 + 3 * loss) * math.exp(rng.gauss(0, 0.25)))
                s['latency_ms'] = int(lm)
                sd = math.sqrt(max(loss * (1 - loss), 0.0004) / 50.0)
                s['packet_loss'] = round(clamp(loss + rng.gauss(0, sd) * (1 if loss > 0.003 else 0.3), 0, 1) * 50) / 50.0
            for k in fields:
                if k in ('online',):
                    continue
                if k in s:
                    v = s[k]
                    if k in ('latency_ms', 'power_events', 'keypad_errors', 'card_reader_errors', 'app_crashes',
                             'battery_pct', 'clock_skew_s'):
                        v = int(round(v))
                    elif k in ('storage_used_pct', 'memory_used_pct', 'cpu_pct'):
                        v = int(round(clamp(v, 0, 100)))
                    elif k == 'rssi_dbm':
                        v = int(round(clamp(v, -120, -30)))
                    elif k == 'supply_v':
                        v = round(v, 2)
                    elif k == 'temp_c':
                        v = round(v, 1)
                    if k in ('power_events', 'keypad_errors', 'card_reader_errors', 'app_crashes') and v == 0 \
                            and rng.random() < 0.6:
                        continue
                    if rng.random() < 0.015 and k not in ('reboot',):
                        continue            # field dropped in transport
                    r[k] = v
            for fld in ('firmware', 'app_version'):
                if fld in vals:
                    r[fld] = vals[fld]
            self.recs.append((t, r))
            prev = t
            t += interval + int(rng.random() * 3)
