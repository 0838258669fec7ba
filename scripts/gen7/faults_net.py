"""Network, transmission, upstream and security faults."""
import math

from contrib import Fault, clamp, make_episodes, hrand
from world import CITIES, iso


def dropouts(rng, start, end, mean_gap, dur=(60, 300)):
    out = []
    t = start + rng.randint(30, int(mean_gap))
    while t < end:
        d = rng.randint(*dur)
        out.append((t, min(end, t + d)))
        t += d + int(rng.expovariate(1.0 / mean_gap)) + 60
    return out


def in_any(iv, t):
    for a, b in iv:
        if a <= t < b:
            return True
    return False


class Signal(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: t['network'] != 'ethernet')
        if T is None:
            return None
        v = rng.choice(['degrade', 'interference', 'interference'])
        start, end = P.when([T], rng, (45 * 60, 360 * 60))
        f = cls(fid, 'network.signal', start, end, rng.uniform(0.55, 1.0),
                rng.randint(1800, 5400) if v == 'degrade' else 0, v,
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        if v == 'interference':
            f.set_episodes(make_episodes(rng, start, end, 900, 600, (0.6, 1.0)), 0.25)
        f.dbm = rng.uniform(12, 24) if T['network'] == 'cellular' else rng.uniform(9, 16)
        f.maxloss = rng.uniform(0.2, 0.55)
        f.drops = [iv for iv in dropouts(rng, start, end, 1500 / f.sev, (40, 240))
                   if f.level(iv[0]) > 0.6]
        f.checks = [({'terminal_id': T['terminal_id']}, 'signal_test', '%ddBm' % int(T['rssi0'] - f.dbm))]
        f.notes = '天线损坏/位置信号差,更换天线或改用有线 / antenna or poor placement' if T['network'] == 'cellular' \
            else 'POS离AP太远,已调整位置 / terminal too far from the AP, moved'
        return f

    def net(self, T, t):
        lv = self.level(t)
        if lv <= 0:
            return None
        lv = lv * self.sev
        off = in_any(self.drops, t)
        return (200 + 1600 * lv * lv, self.maxloss * lv, off)

    def tele(self, T, t, s):
        lv = self.level(t)
        if lv > 0 and 'rssi_dbm' in s:
            s['rssi_dbm'] = s['rssi_dbm'] - self.dbm * lv - 5 * lv * hrand(t, 3)


class Lan(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        v = rng.choice(['router', 'router', 'ap', 'switch', 'cable'])
        if v == 'cable':
            T = P.pick_terminal(rng, lambda t: t['network'] == 'ethernet')
            if T is None:
                return None
            start, end = P.when([T], rng, (45 * 60, 300 * 60))
            f = cls(fid, 'network.lan', start, end, rng.uniform(0.5, 1.0), 0, v,
                    {'terminal_id': T['terminal_id']}, [T['terminal_id']])
            f.set_episodes(make_episodes(rng, start, end, 240, 600, (0.8, 1.0)), 0.0)
            f.checks = [({'terminal_id': T['terminal_id']}, 'cable_seated', 'fail')]
            f.notes = '网线水晶头松动,重新压线 / loose RJ45 plug, re-crimped'
            f.net_ok = ('ethernet',)
            return f
        need = {'router': ('ethernet', 'wifi'), 'ap': ('wifi',), 'switch': ('ethernet',)}[v]
        site = P.pick_site(rng, lambda s: sum(1 for t in s['terms'] if t['network'] in need) >= 2)
        if site is None:
            return None
        terms = [t for t in site['terms'] if t['network'] in need]
        start, end = P.when(terms, rng, (30 * 60, 240 * 60))
        f = cls(fid, 'network.lan', start, end, rng.uniform(0.45, 1.0), rng.choice([0, 0, 1200]), v,
                {'site_id': site['site_id']}, [t['terminal_id'] for t in terms])
        f.set_episodes(make_episodes(rng, start, end, rng.uniform(400, 1200), rng.uniform(200, 700), (0.5, 1.0)), 0.12)
        f.drops = [(a, a + rng.randint(45, 200)) for a, b, amp in f.ep if amp > 0.8]
        f.net_ok = need
        f.maxloss = rng.uniform(0.3, 0.7)
        f.checks = [({'site_id': site['site_id']}, 'router_restarted', 'ok')]
        f.notes = {'router': '门店路由器故障,重启/更换后恢复 / site router faulty, restarted',
                   'ap': '无线AP故障,更换AP / access point faulty, replaced',
                   'switch': '交换机端口故障 / switch port fault'}[v]
        P.used_sites.add(site['site_id'])
        return f

    def net(self, T, t):
        lv = self.level(t)
        if lv <= 0:
            return None
        if self.variant == 'cable':
            return (0.0, 0.0, self.in_episode(t))
        lv *= self.sev
        return (150 + 2200 * lv, self.maxloss * lv, in_any(self.drops, t))


class Carrier(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        groups = {}
        for t in w.terms:
            if t['network'] == 'cellular':
                groups.setdefault((t['carrier'], t['city']), []).append(t)
        cand = sorted(k for k, v in groups.items() if len(v) >= 4)
        if not cand:
            return None
        fresh = [k for k in cand if k not in P.used_carriers]
        key = rng.choice(fresh or cand)
        P.used_carriers.add(key)
        terms = groups[key]
        v = rng.choice(['outage', 'degraded', 'degraded'])
        start, end = P.when(terms, rng, (20 * 60, 150 * 60) if v == 'outage' else (40 * 60, 240 * 60), extend=(v != 'outage'))
        f = cls(fid, 'network.carrier', start, end, rng.uniform(0.5, 1.0), rng.choice([0, 0, 900]), v,
                {'carrier': key[0], 'city': key[1]}, [t['terminal_id'] for t in terms])
        for t in terms:
            f.per_term[t['terminal_id']] = rng.uniform(0.55, 1.15)
        f.set_episodes(make_episodes(rng, start, end, 1800, 240, (0.7, 1.0)), 0.5)
        f.notes = '%s %s 基站故障 / operator outage' % (key[0], CITIES[key[1]][2])
        return f

    def net(self, T, t):
        lv = self.level(t)
        if lv <= 0:
            return None
        m = self.tmul(T)
        if self.variant == 'outage':
            if m * lv > 0.6:
                return (0.0, 0.0, True)
            return (1500 * lv, 0.5 * lv * m, False)
        x = clamp(lv * m * self.sev, 0, 1.2)
        return (500 + 2600 * x, clamp(0.55 * x, 0, 0.75), x > 1.0 and hrand(t // 60, 5) < 0.3)


class Corruption(Fault):
    affects_reversal = True

    @classmethod
    def build(cls, fid, w, rng, P):
        if rng.random() < 0.3:
            site = P.pick_site(rng, lambda s: sum(1 for t in s['terms'] if t['network'] == 'ethernet') >= 2)
            if site is not None:
                terms = [t for t in site['terms'] if t['network'] == 'ethernet']
                start, end = P.when(terms, rng, (45 * 60, 300 * 60))
                f = cls(fid, 'transmission.corruption', start, end, rng.uniform(0.15, 0.4), rng.choice([0, 1800]),
                        'switch_noise', {'site_id': site['site_id']}, [t['terminal_id'] for t in terms])
                f.checks = [({'site_id': site['site_id']}, 'cable_seated', 'ok'),
                            ({'site_id': site['site_id']}, 'switch_port_errors', 'fail')]
                f.notes = '交换机/网线受干扰,报文损坏 / switch port noise corrupting frames'
                P.used_sites.add(site['site_id'])
                return f
        T = P.pick_terminal(rng, lambda t: True)
        start, end = P.when([T], rng, (45 * 60, 330 * 60))
        v = 'loose_cable' if T['network'] == 'ethernet' else 'radio_module'
        f = cls(fid, 'transmission.corruption', start, end, rng.uniform(0.15, 0.5), rng.choice([0, 0, 2400]), v,
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'cable_seated', 'fail' if v == 'loose_cable' else 'ok')]
        f.notes = '数据线接触不良导致报文损坏 / loose data cable corrupting messages' if v == 'loose_cable' \
            else '通讯模块故障,报文损坏 / radio module corrupting frames'
        return f

    def net(self, T, t):
        lv = self.level(t)
        if lv <= 0:
            return None
        return (5.0, 0.02 + 0.06 * lv * self.sev, False)

    def fail(self, stage, T, t, ctx, rng):
        lv = self.level(t)
        if lv <= 0:
            return None
        p = self.sev * lv
        if stage == 'receive' and rng.random() < p * 0.35:
            return {'timeout': True, 'kind': 'msg_format', 'retry': 0.7}
        if stage == 'host' and rng.random() < p * 0.6:
            if rng.random() < 0.6:
                return {'rc': '30', 'retry': 0.7, 'err': 'msg_format' if rng.random() < 0.5 else None}
            return {'rc': 'A0', 'retry': 0.7, 'err': 'mac_fail' if rng.random() < 0.5 else None}
        if stage == 'mac' and rng.random() < p * 0.15:
            return {'rc': 'A0', 'err': 'mac_fail', 'reversal': True, 'retry': 0.7}
        return None


class Acquirer(Fault):
    affects_reversal = True

    @classmethod
    def build(cls, fid, w, rng, P):
        hosts = sorted(set(t['host'] for t in w.terms))
        h = rng.choice([x for x in hosts if x not in P.used_hosts] or hosts)
        P.used_hosts.add(h)
        terms = [t for t in w.terms if t['host'] == h]
        v = rng.choice(['overload', 'overload', 'down', 'partial'])
        dur = {'overload': (30 * 60, 150 * 60), 'down': (6 * 60, 20 * 60), 'partial': (30 * 60, 150 * 60)}[v]
        start, end = P.when(terms, rng, dur, allow_pre=False, extend=False)
        f = cls(fid, 'upstream.acquirer', start, end, rng.uniform(0.4, 1.0),
                rng.randint(600, 2400) if v == 'overload' else 0, v, {'host': h}, [t['terminal_id'] for t in terms])
        f.notes = {'overload': '前置系统负载过高 / acquirer front-end overloaded',
                   'down': '前置主机宕机 / acquirer host down',
                   'partial': '前置集群一节点故障 / one front-end node down'}[v]
        return f

    def lat(self, T, t, ctx):
        lv = self.level(t)
        if lv <= 0 or self.variant == 'down':
            return 0
        if self.variant == 'overload':
            return 2000 + 45000 * lv * self.sev * (0.4 + hrand(t, 11))
        return 1500 * lv

    def fail(self, stage, T, t, ctx, rng):
        lv = self.level(t)
        if lv <= 0:
            return None
        v = self.variant
        if stage == 'connect':
            if v == 'down' and rng.random() < 0.9:
                return {'kind': 'conn_fail', 'retry': 0.5, 'dt': rng.randint(5, 30)}
            if v == 'partial' and rng.random() < 0.5 * self.sev:
                return {'kind': 'conn_fail', 'retry': 0.8, 'dt': rng.randint(5, 30)}
        if stage == 'host':
            p = {'overload': 0.25 * lv * self.sev, 'down': 0.8, 'partial': 0.05}[v]
            if rng.random() < p:
                return {'rc': '96', 'retry': 0.6}
        return None


class Issuer(Fault):
    @classmethod
    def build(cls, fid, w, rng, P, decline=False):
        from world import ISSUERS
        cand = [i for i in ISSUERS if i[3] >= (0.04 if not decline else 0.05)]
        fresh = [i for i in cand if i[0] not in P.used_issuers]
        iss = rng.choice(fresh or cand)
        P.used_issuers.add(iss[0])
        terms = [t for t in w.terms]
        start, end = P.when(terms, rng, (30 * 60, 200 * 60), allow_pre=False, extend=False)
        f = cls(fid, 'upstream.issuer', start, end, rng.uniform(0.4, 1.0), rng.choice([0, 0, 900]),
                rng.choice(['down', 'slow']), {'issuer': iss[0]}, [t['terminal_id'] for t in terms])
        f.iss = iss[0]
        f.notes = '%s 系统故障 / issuer %s unavailable' % (iss[1], iss[0])
        return f

    def hit(self, ctx):
        return ctx.get('issuer') == self.iss and ctx['channel'] != 'qr' and ctx['type'] not in ('void', 'reversal')

    def lat(self, T, t, ctx):
        lv = self.level(t)
        if lv > 0 and self.hit(ctx) and self.variant == 'slow':
            return 20000 + 50000 * lv * self.sev * hrand(t, 13)
        return 0

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'issuer' or not self.hit(ctx):
            return None
        lv = self.level(t)
        if lv > 0 and rng.random() < self.sev * lv * (0.9 if self.variant == 'down' else 0.35):
            x = rng.random()
            if x < 0.6:
                return {'rc': '91', 'retry': 0.5, 'switch': 'qr'}
            if x < 0.85:
                return {'rc': '98', 'retry': 0.5, 'switch': 'newcard'}
            return {'timeout': True, 'kind': 'recv_timeout', 'retry': 0.5}
        return None


class Keys(Fault):
    affects_reversal = True

    @classmethod
    def build(cls, fid, w, rng, P):
        v = rng.choice(['desync', 'host_batch', 'missing'])
        if v == 'host_batch':
            groups = {}
            for t in w.terms:
                groups.setdefault((t['host'], t['model']), []).append(t)
            cand = sorted(k for k, g in groups.items() if 3 <= len(g) <= 25)
            if cand:
                key = rng.choice(cand)
                terms = groups[key]
                start, end = P.when(terms, rng, (40 * 60, 240 * 60), allow_pre=False)
                f = cls(fid, 'security.keys', start, end, rng.uniform(0.8, 1.0), 0, v,
                        {'host': key[0], 'model': key[1]}, [t['terminal_id'] for t in terms])
                for t in terms:
                    if rng.random() < 0.35:       # re-signed on after a restart
                        f.per_term[t['terminal_id']] = start + rng.randint(600, max(900, end - start))
                f.notes = '主机工作密钥更新后终端未同步 / working keys rotated at host, terminals out of sync'
                return f
            v = 'desync'
        T = P.pick_terminal(rng, lambda t: True)
        start, end = P.when([T], rng, (40 * 60, 330 * 60))
        f = cls(fid, 'security.keys', start, end, rng.uniform(0.8, 1.0), 0, v,
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'sign_on', 'fail'),
                    ({'terminal_id': T['terminal_id']}, 'key_injected', 'ok')]
        f.notes = '重新灌密钥并签到后恢复 / keys re-injected, signed on'
        return f

    def on(self, T, t):
        if not self.active(t):
            return False
        r = self.per_term.get(T['terminal_id'])
        return r is None or t < r

    def events(self, T, rng):
        out = []
        r = self.per_term.get(T['terminal_id'])
        if r:
            out.append(('reboot', r - 100, 'user', 80))
        t = self.start + rng.randint(20, 900)
        while t < min(self.end, r or self.end):
            out.append(('error', t, 'signon_fail', {}))
            t += rng.randint(1200, 2400)
        return out

    def tele(self, T, t, s):
        if self.on(T, t):
            s['key_check'] = 'missing' if self.variant == 'missing' else 'mismatch'

    def fail(self, stage, T, t, ctx, rng):
        if not self.on(T, t):
            return None
        if self.variant == 'missing':
            if stage == 'app' and ctx['type'] != 'reversal':
                return {'kind': 'key_missing', 'retry': 0.3}
            if stage == 'host':
                return {'rc': 'A0', 'retry': 0.2}
            return None
        if stage == 'host' and rng.random() < self.sev:
            return {'rc': 'A0', 'retry': 0.5, 'err': 'mac_fail' if rng.random() < 0.4 else None}
        return None


class Certificate(Fault):
    affects_reversal = True

    @classmethod
    def build(cls, fid, w, rng, P):
        v = rng.choice(['batch_expiry', 'batch_expiry', 'expired', 'clock'])
        if v == 'batch_expiry':
            groups = {}
            for t in w.terms:
                if t['cert_not_after']:
                    groups.setdefault((t['model'], t['merchant'].get('chain') or t['city']), []).append(t)
            cand = sorted(k for k, g in groups.items() if 3 <= len(g) <= 20)
            if cand:
                key = rng.choice(cand)
                terms = groups[key]
                ons = sorted(t['on'] for t in terms)
                offs = sorted(t['off'] for t in terms)
                lo = max(w.T0 + 600, ons[len(ons) // 2])
                x = lo + rng.randint(0, max(60, min(w.T1 - 3600, offs[len(offs) // 2] - 1800) - lo))
                x -= x % 60
                for t in terms:
                    t['cert_not_after'] = x
                end = x + rng.randint(60, 260) * 60
                f = cls(fid, 'security.certificate', x, end, 1.0, 0, v, {'cert_not_after': iso(x)},
                        [t['terminal_id'] for t in terms])
                f.notes = '终端证书批量到期,远程更新证书 / certificate batch expired, renewed remotely'
                return f
            v = 'expired'
        T = P.pick_terminal(rng, lambda t: t['cert_not_after'] is not None)
        if T is None:
            return None
        if v == 'expired':
            if rng.random() < 0.5:
                x = w.T0 - rng.randint(1, 20) * 86400 - rng.randint(0, 86399)
            else:
                x = max(w.T0, T['on']) + rng.randint(600, 4 * 3600)
            T['cert_not_after'] = x
            end = max(x, w.T0) + rng.randint(90, 400) * 60
            f = cls(fid, 'security.certificate', x, end, 1.0, 0, v, {'terminal_id': T['terminal_id']},
                    [T['terminal_id']])
        else:
            start, end = P.when([T], rng, (60 * 60, 330 * 60), allow_pre=False)
            f = cls(fid, 'security.certificate', start, end, 1.0, 0, v, {'terminal_id': T['terminal_id']},
                    [T['terminal_id']])
            f.skew = rng.choice([-1, 1]) * rng.randint(300, 3 * 365) * 86400 + rng.randint(-3000, 3000)
        f.checks = [({'terminal_id': T['terminal_id']}, 'clock_check' if v == 'clock' else 'cert_check', 'fail')]
        f.notes = '终端时钟错误导致证书校验失败,校时后恢复 / wrong clock broke certificate checks' if v == 'clock' \
            else '终端证书过期,已更新 / terminal certificate expired, renewed'
        return f

    def events(self, T, rng):
        if self.variant == 'clock':
            return [('reboot', self.start - 5, 'power_loss', rng.randint(40, 90))]
        return []

    def tele(self, T, t, s):
        if self.variant == 'clock' and self.active(t):
            s['clock_skew_s'] = self.skew + s['clock_skew_s']

    def fail(self, stage, T, t, ctx, rng):
        if stage == 'tls' and self.active(t):
            return {'kind': 'tls_clock' if self.variant == 'clock' else 'tls_expired', 'retry': 0.35, 'dt': 2}
        return None
