"""Device-side faults: power, battery, board, keypad, display, card reader,
printer, storage, memory, cpu."""
import math

from contrib import Fault, clamp, hrand


class PowerSupply(Fault):
    """site mains unstable (sags, brown-outs; the router shares the mains) or a
    single terminal's adapter out of range"""

    @classmethod
    def build(cls, fid, w, rng, P):
        if rng.random() < 0.6:
            site = P.pick_site(rng, lambda s: len(s['terms']) >= 2 and any(not t['battery'] or t['docked'] for t in s['terms']))
            if site is None:
                return None
            terms = site['terms']
            start, end = P.when(terms, rng, (40 * 60, 240 * 60))
            f = cls(fid, 'power.supply', start, end, rng.uniform(0.5, 1.0), 0, 'site_mains',
                    {'site_id': site['site_id']}, [t['terminal_id'] for t in terms])
            f.site = site
            f.sags = []
            t = start + rng.randint(30, 400)
            gap = rng.uniform(300, 1100)
            while t < end:
                deep = rng.random() < 0.35 + 0.3 * f.sev
                f.sags.append((t, rng.uniform(0.55, 0.72) if deep else rng.uniform(0.84, 0.93),
                               rng.randint(2, 9), deep, rng.randint(90, 220)))
                t += int(rng.expovariate(1.0 / gap)) + 30
            f.checks = [({'site_id': site['site_id']}, 'adapter_voltage', 'fail'),
                        ({'site_id': site['site_id']}, 'mains_voltage', '%dV' % rng.randint(168, 196))]
            f.notes = '市电电压不稳,加装稳压器后恢复 / unstable mains, fixed with a voltage stabiliser'
            P.used_sites.add(site['site_id'])
            return f
        T = P.pick_terminal(rng, lambda t: not t['battery'] or t['docked'])
        if T is None:
            return None
        start, end = P.when([T], rng, (40 * 60, 300 * 60))
        f = cls(fid, 'power.supply', start, end, rng.uniform(0.4, 1.0), rng.choice([0, 0, 1800]), 'adapter',
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.sags = []
        f.drop = rng.uniform(0.84, 0.9)
        t = start + rng.randint(60, 900)
        while t < end:
            f.sags.append((t, rng.uniform(0.6, 0.75), rng.randint(1, 4), rng.random() < 0.5, 0))
            t += int(rng.expovariate(1.0 / rng.uniform(900, 2400))) + 60
        f.checks = [({'terminal_id': T['terminal_id']}, 'adapter_voltage', '%.2fV' % (T['v_nom'] * f.drop))]
        f.notes = '电源适配器输出偏低,已更换 / adapter output low, replaced'
        return f

    def vmul(self, T, t):
        for a, depth, dur, deep, rb in self.sags:
            if a <= t < a + dur * 60 // 6 + 20:
                return depth
        if self.variant == 'adapter':
            return 1 - (1 - self.drop) * self.level(t)
        return 1 - 0.03 * self.level(t) if self.active(t) else 1.0

    def events(self, T, rng):
        out = []
        fixed = not T['battery'] or T['docked']
        for a, depth, dur, deep, rb in self.sags:
            if not fixed:
                continue                 # a portable on its own battery never sees the mains
            out.append(('power', a, 1 + (1 if deep else 0)))
            if deep and not T['battery']:
                d = rng.randint(45, 130)
                out.append(('reboot', a, 'power_loss', d))
                if rng.random() < 0.5:
                    out.append(('error', a + d + rng.randint(5, 40), 'volt_low', {'v': '%.1f' % (T['v_nom'] * depth)}))
            elif fixed and rng.random() < 0.25:
                out.append(('error', a + rng.randint(1, 20), 'volt_low', {'v': '%.1f' % (T['v_nom'] * depth)}))
        return out

    def net(self, T, t):
        if self.variant != 'site_mains' or T['network'] == 'cellular':
            return None
        for a, depth, dur, deep, rb in self.sags:
            if deep and a <= t < a + rb:
                return (0.0, 0.0, True)       # the site's router rebooted
        return None

    def tele(self, T, t, s):
        if 'supply_v' in s and self.active(t):
            s['supply_v'] = T['v0'] * self.vmul(T, t) + (s['supply_v'] - T['v0']) * 3

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t):
            return None
        m = self.vmul(T, t)
        if stage == 'print' and m < 0.93 and rng.random() < (0.93 - m) * 4 * self.sev:
            if self.variant == 'adapter' and rng.random() < 0.5:
                return {'kind': 'print_voltage', 'reboot': ('power_loss', rng.randint(40, 100))}
            return {'kind': 'print_voltage'}
        if stage == 'card_read' and ctx['channel'] == 'card_ic' and m < 0.9 and rng.random() < 0.3:
            return {'kind': 'card_ic', 'retry': 0.7, 'counter': 'card_reader_errors'}
        return None


class Battery(Fault):
    """worn battery: drains fast, collapses at 20-35 %, terminal dies mid-shift"""
    suppress = ('BgBattery',)

    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: t['battery'] and not t['docked'])
        if T is None:
            return None
        start, end = P.when([T], rng, (90 * 60, 360 * 60))
        f = cls(fid, 'power.battery', start, end, rng.uniform(0.5, 1.0), 0, 'worn_cell',
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.curve, f.dead = [], []
        t = max(start, w.T0 - 1800, T['on'])
        b = rng.uniform(55, 95)
        while t < min(end, T['off']):
            drain = rng.uniform(16, 34) / 3600.0
            cut = rng.uniform(18, 36)
            t1 = t + int(max(60, (b - cut) / drain))
            f.curve.append((t, t1, b, -drain))
            down = rng.randint(300, 1500)
            f.dead.append((t1, down))
            b = cut + rng.uniform(8, 20)      # cell voltage recovers a little on the charger
            f.curve.append((t1, t1 + down, cut, 0.0))
            t = t1 + down
        f.checks = [({'terminal_id': T['terminal_id']}, 'battery_health', 'fail')]
        f.notes = '电池老化,已更换电池 / worn battery replaced'
        return f

    def pct(self, t):
        for a, b, b0, sl in self.curve:
            if a <= t < b:
                return clamp(b0 + sl * (t - a), 0, 100)
        return None

    def events(self, T, rng):
        out = []
        for a, d in self.dead:
            if a < self.end:
                out.append(('reboot', a, 'power_loss', d))
                out.append(('error', a + d + rng.randint(10, 40), 'batt_shutdown', {}))
        return out

    def tele(self, T, t, s):
        p = self.pct(t)
        if p is not None and self.active(t):
            s['battery_pct'] = int(round(p))

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'app' or not self.active(t):
            return None
        p = self.pct(t)
        if p is not None and p < 50:
            if p < 28 and rng.random() < 0.5:
                return {'kind': 'batt_low', 'kw': {'n': int(p)}, 'retry': 0.3, 'switch': 'qr'}
            if rng.random() < 0.35:
                return {'kind': 'batt_low', 'continue': True, 'kw': {'n': int(p)}}
        return None


class Board(Fault):
    """main board / sensor / component damage"""

    @classmethod
    def build(cls, fid, w, rng, P, site=None, at=None):
        if site is not None:
            cand = [t for t in site['terms'] if not t['battery']]
            if not cand:
                return None
            T = rng.choice(cand)
            variant = 'post_surge'
            start, end = at, at + rng.randint(90, 300) * 60
        else:
            T = P.pick_terminal(rng, lambda t: True)
            if T is None:
                return None
            variant = rng.choice(['overheat', 'se_fail', 'tamper', 'se_fail'])
            start, end = P.when([T], rng, (45 * 60, 330 * 60))
        f = cls(fid, 'hardware.board', start, end, rng.uniform(0.4, 1.0),
                rng.choice([0, 2400]) if variant == 'overheat' else 0, variant,
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.crashes = []
        t = start + rng.randint(120, 1200)
        mean = {'overheat': 1800, 'se_fail': 2400, 'tamper': 999999, 'post_surge': 1500}[variant]
        while t < end and variant != 'tamper':
            f.crashes.append(t)
            t += int(rng.expovariate(1.0 / mean)) + 300
        f.checks = [({'terminal_id': T['terminal_id']}, 'board_inspection', 'fail')]
        f.notes = {'overheat': '主板散热异常,返厂维修 / board overheating, sent for repair',
                   'se_fail': '安全芯片接触不良,更换主板 / secure element fault, board replaced',
                   'tamper': '防拆触发,返厂解锁 / tamper switch triggered, sent to vendor',
                   'post_surge': '电压冲击损坏元件 / components damaged by the power surge'}[variant]
        return f

    def events(self, T, rng):
        out = []
        for a in self.crashes:
            d = rng.randint(60, 150)
            out.append(('reboot', a, 'watchdog', d))
            if self.variant != 'overheat' or rng.random() < 0.4:
                out.append(('error', a + d + rng.randint(5, 30), 'selftest' if self.variant != 'overheat' else 'overheat',
                            {'n': rng.randint(68, 79)}))
        if self.variant == 'tamper':
            out.append(('error', self.start + 5, 'tamper', {}))
            for k in range(rng.randint(1, 3)):
                a = self.start + rng.randint(300, 2400) * (k + 1)
                if a < self.end:
                    out.append(('reboot', a, 'user', rng.randint(60, 120)))
                    out.append(('error', a + 150, 'tamper', {}))
        return out

    def rate(self, T, t):
        return 0.4 if self.variant == 'tamper' and self.active(t) else 1.0

    def tele(self, T, t, s):
        if not self.active(t):
            return
        lv = self.level(t)
        if self.variant == 'overheat':
            s['temp_c'] = s['temp_c'] + 26 * lv
            s['cpu_pct'] = s['cpu_pct'] + 10 * lv
        elif self.variant == 'tamper':
            s['key_check'] = 'missing'
        elif self.variant in ('se_fail', 'post_surge') and int(t / 600) % 3 == 0:
            s['key_check'] = 'missing'
        if self.variant == 'post_surge':
            s['card_reader_errors'] = s.get('card_reader_errors', 0) + (1 if int(t / 300) % 2 else 0)

    def lat(self, T, t, ctx):
        if self.variant == 'overheat' and self.active(t):
            return 3000 * self.level(t)
        return 0

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t):
            return None
        v = self.variant
        if v == 'tamper' and stage == 'app':
            return {'kind': 'tamper', 'retry': 0.3, 'switch': 'qr'}
        if stage == 'app':
            if v == 'overheat' and rng.random() < 0.08 * self.level(t):
                return {'kind': 'overheat', 'reboot': ('watchdog', rng.randint(60, 150)), 'retry': 0.4}
            if v in ('se_fail', 'post_surge') and rng.random() < 0.3 * self.sev:
                return {'kind': 'selftest', 'retry': 0.6}
        if stage == 'card_read' and v == 'post_surge' and rng.random() < 0.25:
            return {'kind': 'card_ic' if ctx['channel'] == 'card_ic' else 'card_nfc', 'counter': 'card_reader_errors',
                    'retry': 0.7, 'switch': 'qr'}
        if stage == 'mac' and v == 'se_fail' and rng.random() < 0.2 * self.sev:
            return {'rc': 'A0', 'err': 'mac_fail', 'reversal': True, 'retry': 0.6}
        return None


class Keypad(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: True)
        start, end = P.when([T], rng, (60 * 60, 360 * 60))
        f = cls(fid, 'hardware.keypad', start, end, rng.uniform(0.4, 0.95), rng.choice([0, 0, 3600]),
                rng.choice(['stuck_key', 'dead_keys']), {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'keypad_test', 'fail')]
        f.notes = '键盘按键失灵,已更换键盘膜 / keypad membrane replaced'
        return f

    def tele(self, T, t, s):
        if self.active(t) and int(t / 97) % 3 == 0:
            s['keypad_errors'] = s.get('keypad_errors', 0) + int(1 + 3 * self.level(t))

    def fail(self, stage, T, t, ctx, rng):
        lv = self.level(t)
        if stage == 'app' and lv > 0 and ctx['type'] != 'reversal' and rng.random() < 0.2 * self.sev * lv:
            # the cashier keys the amount on the same keypad
            return {'kind': 'pin_pad', 'counter': 'keypad_errors', 'n': rng.randint(1, 3), 'retry': 0.8, 'dt': 8}
        if stage == 'pin' and lv > 0 and rng.random() < self.sev * lv:
            if rng.random() < 0.55:
                return {'kind': 'pin_pad', 'counter': 'keypad_errors', 'n': rng.randint(1, 4), 'retry': 0.6}
            ctx['pin_bad'] = self.fid
        if stage == 'issuer' and ctx.get('pin_bad') == self.fid:
            ctx['pin_bad'] = None
            return {'rc': '55' if rng.random() < 0.8 else '99', 'retry': 0.6, 'counter': 'keypad_errors'}
        return None


class Display(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: True)
        start, end = P.when([T], rng, (60 * 60, 360 * 60))
        f = cls(fid, 'hardware.display', start, end, rng.uniform(0.4, 1.0), 0, rng.choice(['flicker', 'blank']),
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.pops = []
        t = start + rng.randint(10, 300)
        while t < end:
            f.pops.append(t)
            t += rng.randint(900, 3600)
        f.checks = [({'terminal_id': T['terminal_id']}, 'display_test', 'fail')]
        f.notes = '液晶屏排线松动,已更换屏幕 / display cable loose, screen replaced'
        return f

    def events(self, T, rng):
        out = []
        for a in self.pops:
            out.append(('error', a, 'display', {}))
            if rng.random() < 0.5:
                d = rng.randint(50, 100)
                out.append(('reboot', a + rng.randint(30, 200), 'user', d))
        return out

    def rate(self, T, t):
        return 1 - 0.55 * self.sev if self.active(t) else 1.0

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t):
            return None
        if stage == 'pin' and rng.random() < 0.35 * self.sev:
            return {'kind': 'pin_timeout', 'retry': 0.5}
        if stage == 'app' and rng.random() < 0.1 * self.sev:
            return {'kind': rng.choice(['op_wrong', 'display']), 'retry': 0.8}
        return None


class CardReader(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: True)
        start, end = P.when([T], rng, (60 * 60, 360 * 60))
        v = rng.choice(['ic', 'ic', 'nfc', 'all', 'all'])
        f = cls(fid, 'hardware.card_reader', start, end, rng.uniform(0.45, 1.0), rng.choice([0, 0, 5400]), v,
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'card_reader_test', 'fail'),
                    ({'terminal_id': T['terminal_id']}, 'reader_cleaned', 'ok')]
        f.notes = '读卡器触点氧化,已清洁更换 / reader contacts worn, replaced'
        return f

    def tele(self, T, t, s):
        if self.active(t) and int(t / 131) % 2 == 0:
            s['card_reader_errors'] = s.get('card_reader_errors', 0) + int(2 * self.level(t))

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'card_read':
            return None
        ch = ctx['channel']
        v = self.variant
        hit = v == 'all' or (v == 'ic' and ch == 'card_ic') or (v == 'nfc' and ch == 'nfc') or \
            (v == 'mag' and ch == 'card_swipe')
        lv = self.level(t)
        if hit and lv > 0 and rng.random() < self.sev * lv:
            kind = {'card_ic': 'card_ic', 'nfc': 'card_nfc', 'card_swipe': 'card_mag'}[ch]
            sw = {'card_ic': rng.choice(['card_swipe', 'qr']), 'nfc': 'card_ic', 'card_swipe': 'card_ic'}[ch]
            return {'kind': kind, 'counter': 'card_reader_errors', 'retry': 0.85, 'switch': sw, 'dt': rng.randint(3, 15)}
        return None


class Printer(Fault):
    suppress = ('BgPrinter',)

    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: t['model'] != 'ME31')
        start, end = P.when([T], rng, (45 * 60, 360 * 60))
        v = rng.choice(['fault', 'fault', 'no_paper'])
        f = cls(fid, 'hardware.printer', start, end, rng.uniform(0.6, 1.0), 0, v,
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'printer_test', 'fail')]
        f.notes = '打印头损坏已更换 / print head replaced' if v == 'fault' else '门店缺打印纸,已配送 / no paper rolls in stock, delivered'
        return f

    def tele(self, T, t, s):
        if self.active(t):
            s['printer'] = 'fault' if self.variant == 'fault' else 'paper_out'

    def fail(self, stage, T, t, ctx, rng):
        if stage == 'print' and self.active(t) and rng.random() < self.sev:
            return {'kind': 'printer_fault' if self.variant == 'fault' else 'paper_out'}
        return None


class Storage(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: t['vendor'] in ('pax', 'newland', 'ingenico', 'sunmi', 'centerm'))
        start, end = P.when([T], rng, (90 * 60, 360 * 60))
        f = cls(fid, 'resource.storage', start, end, rng.uniform(0.6, 1.0), rng.randint(900, 3000), 'journal_full',
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'storage_cleanup', 'ok')]
        f.notes = '流水/日志占满存储,清理并结算后恢复 / journal filled storage, cleaned up'
        return f

    def fill(self, T, t):
        return self.level(t)

    def tele(self, T, t, s):
        if self.active(t):
            lv = self.fill(T, t)
            s['storage_used_pct'] = s['storage_used_pct'] + (99.6 - s['storage_used_pct']) * lv

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'app' or not self.active(t):
            return None
        lv = self.fill(T, t)
        if lv > 0.75 and rng.random() < (lv - 0.75) * 4 * self.sev:
            return {'kind': 'storage_full', 'retry': 0.4, 'switch': 'qr'}
        return None


class Memory(Fault):
    """smart terminal with many merchant apps: memory climbs, app killed / crashes"""

    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: t['platform'] == 'android')
        if T is None:
            return None
        start, end = P.when([T], rng, (90 * 60, 360 * 60))
        f = cls(fid, 'resource.memory', start, end, rng.uniform(0.5, 1.0), 0, 'exhausted',
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.peaks = []
        t = start
        while t < end:
            t += rng.randint(1500, 4200)
            if t < end:
                f.peaks.append(t)
        f.checks = [({'terminal_id': T['terminal_id']}, 'memory_cleanup', 'ok')]
        f.notes = '第三方应用占用内存,卸载后恢复 / third-party apps exhausted memory, removed'
        return f

    def mem(self, t):
        prev = self.start
        for p in self.peaks:
            if t < p:
                return 72 + 27 * (t - prev) / float(p - prev)
            prev = p
        return 72 + 27 * min(1.0, (t - prev) / 3000.0)

    def events(self, T, rng):
        out = []
        for p in self.peaks:
            out.append(('reboot', p, rng.choice(['crash', 'watchdog']), rng.randint(40, 110)))
        return out

    def tele(self, T, t, s):
        if self.active(t):
            s['memory_used_pct'] = max(s['memory_used_pct'], self.mem(t) + (s['memory_used_pct'] - T['mem0']) * 0.2)
            if self.mem(t) > 93 and int(t / 120) % 2 == 0:
                s['app_crashes'] = s.get('app_crashes', 0) + 1

    def lat(self, T, t, ctx):
        if self.active(t) and self.mem(t) > 88:
            return (self.mem(t) - 88) * 900
        return 0

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'app' or not self.active(t):
            return None
        m = self.mem(t)
        if m > 85 and rng.random() < (m - 85) / 10.0 * self.sev:
            if rng.random() < 0.4:
                return {'kind': 'app_crash', 'counter': 'app_crashes', 'retry': 0.8, 'dt': 2}
            return {'kind': rng.choice(['mem_low', 'app_anr']), 'retry': 0.8}
        return None


class Cpu(Fault):
    """processor overloaded (background sync / third-party app) -> everything slow"""

    @classmethod
    def build(cls, fid, w, rng, P):
        T = P.pick_terminal(rng, lambda t: True)
        start, end = P.when([T], rng, (60 * 60, 360 * 60))
        f = cls(fid, 'resource.cpu', start, end, rng.uniform(0.5, 1.0), rng.choice([0, 1800]), 'overload',
                {'terminal_id': T['terminal_id']}, [T['terminal_id']])
        f.checks = [({'terminal_id': T['terminal_id']}, 'process_list', 'fail')]
        f.notes = '后台进程占满CPU,关闭后恢复 / background process hogged the CPU, stopped'
        return f

    def tele(self, T, t, s):
        if self.active(t):
            lv = self.level(t)
            s['cpu_pct'] = s['cpu_pct'] + (97 - s['cpu_pct']) * lv
            s['temp_c'] = s['temp_c'] + 7 * lv

    def lat(self, T, t, ctx):
        if self.active(t):
            return 14000 * math.exp(1.2 * (hrand(t, 7) - 0.5)) * self.level(t) * self.sev
        return 0

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t):
            return None
        lv = self.level(t) * self.sev
        if stage == 'pin' and rng.random() < 0.15 * lv:
            return {'kind': 'pin_timeout', 'retry': 0.7}
        if stage == 'app' and rng.random() < 0.2 * lv:
            return {'kind': 'cpu_busy', 'retry': 0.7}
        if stage == 'receive' and rng.random() < 0.15 * lv:
            return {'timeout': True, 'kind': rng.choice(['recv_timeout', 'cpu_busy']), 'retry': 0.6}
        return None
