"""Background behaviour of healthy terminals: ordinary declines, cashier slips,
paper rolls running out, batteries emptied by a long shift, small network blips,
rare host hiccups.  Failed events caused here are labelled with their true cause
but carry no fault id."""
import math

from contrib import Contributor, clamp


class BgNet(Contributor):
    order = 90

    def __init__(self, T, w, rng):
        self.cause = 'network.lan' if T['network'] == 'ethernet' else 'network.signal'
        self.lat0 = T['lat0']
        self.loss0 = T['loss0']
        self.cell = T['network'] == 'cellular'
        self.day0 = w.day0_local
        n = {'cellular': 0.6, 'wifi': 0.35, 'ethernet': 0.12}[T['network']]
        self.blips = []
        k = 0
        while rng.random() < n / (1 + k) and k < 3:
            a = rng.randint(w.T0, w.T1)
            self.blips.append((a, a + rng.randint(25, 140)))
            k += 1
        self.blips.sort()

    def net(self, T, t):
        h = ((t - self.day0) / 3600.0) % 24
        lat = self.lat0
        loss = self.loss0
        if self.cell and (11.5 <= h < 13.5 or 17.5 <= h < 21):
            lat *= 1.35         # evening cell congestion, still healthy
            loss *= 1.5
        for a, b in self.blips:
            if a <= t < b:
                return (lat, loss, True)
        return (lat, loss, False)


class BgDecline(Contributor):
    cause = 'card.decline'
    order = 95

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'issuer' or ctx['type'] in ('void', 'reversal', 'refund', 'completion'):
            return None
        x = rng.random()
        if ctx['channel'] == 'qr':
            if x < 0.007:
                return {'rc': '51', 'retry': 0.5, 'switch': 'card_ic'}
            return None
        debit = not ctx['credit']
        tbl = [('51', 0.012 if debit else 0.005), ('55', 0.009 if ctx['pin'] else 0.0),
               ('54', 0.0025), ('05', 0.004), ('14', 0.002 if ctx['channel'] == 'card_swipe' else 0.0004),
               ('41', 0.0003), ('43', 0.0002), ('75', 0.0006 if ctx['pin'] else 0.0),
               ('61', 0.006 if ctx['amount'] > 200000 else 0.0003), ('62', 0.0004)]
        for rc, p in tbl:
            if x < p:
                if rc == '55':
                    return {'rc': rc, 'retry': 0.75}
                return {'rc': rc, 'retry': 0.55, 'switch': 'qr' if rng.random() < 0.5 else 'newcard'}
            x -= p
        return None


class BgOperator(Contributor):
    cause = 'operator.error'
    order = 96

    def fail(self, stage, T, t, ctx, rng):
        x = rng.random()
        if stage == 'card_read':
            p = 0.004 if ctx['channel'] == 'card_ic' else 0.0015
            if x < p:
                return {'kind': 'card_op', 'retry': 0.9}
        elif stage == 'pin':
            if x < 0.003:
                return {'kind': 'pin_cancel', 'retry': 0.5}
            if x < 0.005:
                return {'kind': 'pin_timeout', 'retry': 0.7}
        elif stage == 'app':
            if x < 0.0008:
                return {'kind': 'op_wrong', 'retry': 0.9}
        elif stage == 'host':
            if ctx['type'] in ('void', 'refund'):
                if x < 0.05:
                    return {'rc': '25', 'retry': 0.3}
                if x < 0.08:
                    return {'rc': '12', 'retry': 0.2}
            elif ctx['type'] == 'purchase':
                if x < 0.0004:
                    return {'rc': '94', 'retry': 0.0}
                if x < 0.0007:
                    return {'rc': '13', 'retry': 0.8}
        return None


class BgPrinter(Contributor):
    """paper rolls run out; the cashier changes the roll after a few minutes"""
    cause = 'hardware.printer'
    order = 97

    def __init__(self, T, rng):
        self.left = rng.randint(5, 380)
        self.gaps = []          # (a, b) paper out intervals
        self.rng = rng

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'print':
            return None
        if self.gaps and self.gaps[-1][0] <= t < self.gaps[-1][1]:
            return {'kind': 'paper_out', 'print_only': True}
        self.left -= 2
        if self.left <= 0:
            self.left = rng.randint(300, 420)
            self.gaps.append((t, t + rng.randint(60, 480)))
            return {'kind': 'paper_out', 'print_only': True}
        return None

    def tele(self, T, t, s):
        for a, b in self.gaps:
            if a <= t < b:
                s['printer'] = 'paper_out'


class BgBattery(Contributor):
    """undocked portables drain during the shift; cashiers dock them when warned
    (usually), occasionally letting one die"""
    cause = 'power.battery'
    order = 94

    def __init__(self, T, w, rng):
        self.curve = []         # (t0, t1, b0, slope per s)
        self.dead = []
        self.rng = rng
        if not T['battery']:
            return
        t = max(T['on'], w.T0 - 3 * 3600)
        end = min(T['off'], w.T1 + 600)
        if T['docked']:
            self.curve.append((t, end, T['batt0'], 0.0))
            return
        b = T['batt0'] if T['on'] < w.T0 else rng.uniform(85, 100)
        if T['on'] < w.T0:
            b = clamp(b - 0.5 * T['drain'] * rng.uniform(0, 3), 18, 100)
        drain = T['drain'] / 3600.0
        while t < end:
            low = rng.choice([12, 10, 8, 0]) if rng.random() < 0.25 else rng.uniform(12, 22)
            dt = (b - low) / drain if b > low else 0
            t1 = min(end, t + int(dt))
            self.curve.append((t, t1, b, -drain))
            if t1 >= end:
                break
            if low <= 0.5:
                down = rng.randint(900, 2400)
                self.dead.append((t1, down))
                t1 += down
                b = 5
            else:
                b = low
            chg = rng.randint(1800, 4500)
            self.curve.append((t1, min(end, t1 + chg), b, 60.0 / 3600.0 * 0.6))
            b = clamp(b + 0.6 * 60.0 * chg / 3600.0, 0, 100)
            t = t1 + chg

    def level(self, t):
        for a, b, b0, sl in self.curve:
            if a <= t < b:
                return clamp(b0 + sl * (t - a), 0, 100)
        return None

    def events(self, T, rng):
        return [('reboot', t, 'power_loss', d) for t, d in self.dead]

    def tele(self, T, t, s):
        v = self.level(t)
        if v is not None:
            s['battery_pct'] = int(round(v))

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'app' or not self.curve:
            return None
        v = self.level(t)
        if v is not None and v < 11 and rng.random() < 0.35:
            return {'kind': 'batt_low', 'continue': True}
        return None


class BgHost(Contributor):
    order = 98

    def __init__(self):
        self.cause = 'upstream.acquirer'

    def fail(self, stage, T, t, ctx, rng):
        x = rng.random()
        if stage == 'host' and x < 0.0004:
            return {'rc': '96', 'retry': 0.7}
        if stage == 'receive' and x < 0.0004:
            return {'timeout': True, 'kind': 'recv_timeout', 'retry': 0.7}
        return None


class BgIssuer(Contributor):
    cause = 'upstream.issuer'
    order = 98

    def fail(self, stage, T, t, ctx, rng):
        if stage == 'issuer' and ctx['channel'] != 'qr' and ctx['type'] not in ('void', 'reversal') \
                and rng.random() < 0.0003:
            return {'rc': rng.choice(['91', '98']), 'retry': 0.6}
        return None


class BgSoft(Contributor):
    """very rare crashes of the payment app on smart terminals"""
    cause = 'software.bug'
    order = 99

    def fail(self, stage, T, t, ctx, rng):
        if stage == 'app' and T['platform'] == 'android' and rng.random() < 0.0003:
            return {'kind': 'app_crash', 'counter': 'app_crashes', 'retry': 0.9}
        return None


class BgReboot(Contributor):
    """cashiers restart terminals now and then; no failure"""
    order = 99

    def events(self, T, rng):
        out = []
        if rng.random() < 0.12:
            a = rng.randint(max(T['on'], T['_T0']), max(T['on'], T['_T0']) + 5 * 3600)
            out.append(('reboot', a, 'user', rng.randint(50, 110)))
        return out


def background_for(T, w, rng):
    cs = [BgNet(T, w, rng), BgDecline(), BgOperator(), BgBattery(T, w, rng), BgHost(), BgIssuer(),
          BgSoft(), BgReboot()]
    if T['model'] != 'ME31':
        cs.append(BgPrinter(T, rng))
    return cs
