"""Software, configuration, business-side, operator and card-side faults, plus
benign rollouts (no fault) used as confounders."""
from contrib import Contributor, Fault, version_at
from world import APP_VERSIONS, MODELS, ISSUERS, iso


def bump(v):
    head, _, tail = v.rpartition('.')
    digits = ''.join(ch for ch in tail if ch.isdigit())
    n = int(digits or 0) + 1
    return '%s.%0*d' % (head, len(digits) or 1, n) if head else v + '.1'


class Rollout(Contributor):
    """TMS pushes a new firmware / app version to a group; benign unless a Bug
    fault rides on it"""
    order = 80

    def __init__(self, w, rng, field, group, new, t0, spread, share, maint_p=0.5):
        self.field, self.new = field, new
        self.upd = {}
        self.maint_p = maint_p
        for T in group:
            if rng.random() > share:
                continue
            u = t0 + int(rng.expovariate(1.0 / spread))
            if u < T['on'] and T['on'] < w.T1:
                u = T['on'] + rng.randint(120, 900)     # pushed when it comes online
            if u >= min(T['off'], w.T1 - 300):
                continue
            self.upd[T['terminal_id']] = (u, T[field])
            if u < w.T0:
                T[field] = new                          # already updated before the export
        self.terms = set(self.upd)
        self.rollback = None

    def events(self, T, rng):
        u, old = self.upd[T['terminal_id']]
        out = []
        if u >= T['_T0']:
            out.append(('version', u, self.field, self.new))
            if rng.random() < self.maint_p:
                out.append(('maint', u + rng.randint(200, 600), 'firmware_update',
                            'TMS远程升级 %s %s -> %s' % (self.field, old, self.new)))
        if self.rollback and self.rollback > u:
            out.append(('version', self.rollback + rng.randint(0, 900), self.field, old))
        return out


class Bug(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        if rng.random() < 0.5:
            field = 'firmware'
            groups = {}
            for t in w.terms:
                groups.setdefault(t['model'], []).append(t)
            cand = sorted(m for m, g in groups.items() if len(g) >= 6 and m not in P.used_models)
            if not cand:
                return None
            model = rng.choice(cand)
            P.used_models.add(model)
            group = groups[model]
            new = bump(max(v for v, _ in MODELS[model][6]))
        else:
            field = 'app_version'
            plat = rng.choice(['android', 'legacy'])
            group = [t for t in w.terms if t['platform'] == plat and t['vendor'] != 'verifone']
            if plat in P.used_models:
                return None
            P.used_models.add(plat)
            new = bump(max(v for v, _ in APP_VERSIONS[plat]))
        t0 = w.T0 + rng.randint(-5400, 3 * 3600)
        ro = Rollout(w, rng, field, group, new, t0, rng.uniform(600, 3000), rng.uniform(0.35, 0.8), 0.6)
        if len(ro.terms) < 3:
            return None
        first = min(u for u, _ in ro.upd.values())
        v = rng.choice(['crash_nfc', 'field_enc', 'hang', 'leak'])
        end = w.T1 + 6 * 3600
        if rng.random() < 0.3:
            end = max(first + 3600, w.T0 + 1800) + rng.randint(1800, 7200)
            ro.rollback = end
        f = cls(fid, 'software.bug', first, end, rng.uniform(0.5, 1.0), 0, v, {field: new}, sorted(ro.terms))
        f.ro = ro
        f.field, f.new = field, new
        f.notes = '版本%s缺陷,已回退/打补丁 / defect in %s %s' % (new, field, new)
        return f

    def on(self, T, t):
        return self.active(t) and version_at(T, self.field, t) == self.new

    def since(self, T, t):
        u = self.ro.upd[T['terminal_id']][0]
        return t - u

    def events(self, T, rng):
        out = self.ro.events(T, rng)
        if self.variant == 'leak':
            u = self.ro.upd[T['terminal_id']][0]
            a = max(u, T['_T0'] - 3600) + rng.randint(1800, 4800)
            while a < min(self.end, T['off']):
                out.append(('reboot', a, 'crash', rng.randint(40, 100)))
                a += rng.randint(1800, 4800)
        return out

    def tele(self, T, t, s):
        if self.variant == 'leak' and self.on(T, t):
            s['memory_used_pct'] = min(99, s['memory_used_pct'] + min(38, self.since(T, t) % 4800 / 110.0))

    def fail(self, stage, T, t, ctx, rng):
        if not self.on(T, t):
            return None
        v = self.variant
        if v == 'crash_nfc' and stage == 'card_read' and ctx['channel'] == 'nfc' and rng.random() < 0.6 * self.sev:
            f = {'kind': 'app_crash', 'counter': 'app_crashes', 'retry': 0.8, 'switch': 'card_ic', 'dt': 2}
            if rng.random() < 0.25:
                f['reboot'] = ('crash', rng.randint(40, 90))
            return f
        if v == 'field_enc' and stage == 'host' and ctx['channel'] == 'card_ic' and rng.random() < 0.7 * self.sev:
            return {'rc': '30', 'retry': 0.6, 'switch': 'qr', 'err': 'msg_format' if rng.random() < 0.4 else None}
        if v == 'hang' and stage == 'app' and rng.random() < 0.1 * self.sev:
            f = {'kind': 'app_anr', 'counter': 'app_crashes', 'retry': 0.8, 'dt': 5}
            if rng.random() < 0.5:
                f['reboot'] = ('watchdog', rng.randint(50, 120))
            return f
        if v == 'leak' and stage == 'app' and self.since(T, t) % 4800 > 2400 and rng.random() < 0.3 * self.sev:
            return {'kind': 'app_crash', 'counter': 'app_crashes', 'retry': 0.8, 'dt': 3}
        return None


class Incompatible(Fault):
    affects_reversal = True

    @classmethod
    def build(cls, fid, w, rng, P):
        field = rng.choice(['app_version', 'firmware'])
        groups = {}
        for t in w.terms:
            groups.setdefault((t['host'], t[field]), []).append(t)
        cand = sorted(k for k, g in groups.items() if 3 <= len(g) <= 40)
        if not cand:
            return None
        key = rng.choice(cand)
        terms = groups[key]
        start, end = P.when(terms, rng, (60 * 60, 330 * 60), allow_pre=False)
        start -= start % 1800
        start = max(start, w.T0)
        v = 'tls_proto' if field == 'firmware' else rng.choice(['msg_spec', 'qr_spec'])
        if v == 'tls_proto' and not all(t['cert_not_after'] for t in terms):
            v = 'msg_spec'
        f = cls(fid, 'software.incompatible', start, end, 1.0, 0, v, {'host': key[0], field: key[1]},
                [t['terminal_id'] for t in terms])
        f.fld, f.val = field, key[1]
        f.notes = '主机升级后不再支持旧版本 %s,需升级终端 / host upgrade no longer accepts %s' % (key[1], key[1])
        return f

    def finalize(self, w, rollouts):
        keep = set()
        for tid in self.terms:
            v = w.term_by_id[tid][self.fld]
            for ro in rollouts:
                if ro.field == self.fld and tid in ro.upd and ro.upd[tid][0] <= self.start:
                    v = ro.new
            if v == self.val:
                keep.add(tid)
        self.terms = keep

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t) or version_at(T, self.fld, t) != self.val:
            return None
        if self.variant == 'tls_proto' and stage == 'tls':
            return {'kind': 'tls_proto', 'retry': 0.3, 'dt': 1}
        if stage == 'host' and ctx['type'] != 'reversal':
            if self.variant == 'msg_spec' or (self.variant == 'qr_spec' and ctx['channel'] == 'qr'):
                return {'rc': '30', 'retry': 0.4, 'switch': 'card_ic' if ctx['channel'] == 'qr' else 'qr',
                        'err': 'host_reject' if rng.random() < 0.3 else None}
        return None


class Config(Fault):
    affects_reversal = True

    @classmethod
    def build(cls, fid, w, rng, P):
        v = rng.choice(['host_addr', 'tid', 'keyidx', 'timeout'])
        site = None
        cell = (lambda t: t['network'] == 'cellular') if v == 'timeout' else (lambda t: True)
        if rng.random() < 0.3:
            site = P.pick_site(rng, lambda s: sum(1 for t in s['terms'] if cell(t)) >= 2)
        if site is not None:
            terms = [t for t in site['terms'] if cell(t)]
            terms = terms[:rng.randint(2, len(terms))]
            scope = {'site_id': site['site_id']}
        else:
            T = P.pick_terminal(rng, cell)
            if T is None:
                return None
            terms = [T]
            scope = {'terminal_id': T['terminal_id']}
        start, end = P.when(terms, rng, (45 * 60, 330 * 60), allow_pre=False)
        f = cls(fid, 'software.config', start, end, 1.0, 0, v, scope, [t['terminal_id'] for t in terms])
        f.short = 2
        f.single = site is None
        f.checks = [(scope, 'param_check', 'fail')]
        f.notes = {'host_addr': '主机IP参数错误 / wrong host address parameter',
                   'tid': '终端号/商户号参数错误 / wrong TID/MID parameters',
                   'keyidx': '密钥索引参数错误 / wrong key index parameter',
                   'timeout': '交易超时参数过短 / transaction timeout parameter too short'}[v]
        return f

    def events(self, T, rng):
        out = [('reboot', self.start - 160, 'update', 150)] if self.start >= T['_T0'] else []
        if self.single and rng.random() < 0.6:
            out.append(('maint', self.start - rng.randint(600, 1500), 'repair',
                        rng.choice(['更换主板后重新下载参数', '维修后重新装机', 'repaired, parameters reloaded'])))
        if self.variant == 'keyidx':
            t = self.start + rng.randint(30, 300)
            while t < self.end:
                out.append(('error', t, 'signon_fail', {}))
                t += rng.randint(1500, 3000)
        return out

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t):
            return None
        v = self.variant
        if v == 'host_addr' and stage == 'connect':
            return {'kind': 'param_host', 'retry': 0.4, 'dt': rng.randint(2, 20)}
        if v == 'tid' and stage == 'host':
            return {'rc': '97' if rng.random() < 0.75 else '03', 'retry': 0.3,
                    'err': 'param_tid' if rng.random() < 0.4 else None}
        if v == 'keyidx' and stage == 'host':
            return {'rc': 'A0', 'retry': 0.4, 'err': 'mac_fail' if rng.random() < 0.3 else None}
        if v == 'timeout' and stage == 'host' and ctx.get('lat', 0) > self.short * 1000:
            return {'timeout': True, 'kind': 'recv_timeout', 'to_s': self.short, 'retry': 0.7}
        return None


def busy_merchant(w, rng, P, pred=lambda m: True):
    cand = [m for m in w.merchants if pred(m) and m['merchant_id'] not in P.used_merchants
            and P.open_span(mterms(w, m))[1] - P.open_span(mterms(w, m))[0] >= 7200]
    if not cand:
        return None
    weights = [(m, (m['rate'] * m['tcount']) ** 1.1) for m in cand]
    tot = sum(x for _, x in weights)
    r = rng.random() * tot
    for m, x in weights:
        r -= x
        if r < 0:
            break
    P.used_merchants.add(m['merchant_id'])
    return m


def mterms(w, m):
    return [t for t in w.terms if t['merchant_id'] == m['merchant_id']]


class Merchant(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        v = rng.choice(['frozen', 'mcc_jump', 'mcc_jump', 'closed'])
        m = busy_merchant(w, rng, P, (lambda m: m['tcount'] <= 6) if v in ('frozen', 'closed') else (lambda m: True))
        terms = mterms(w, m)
        start, end = P.when(terms, rng, (60 * 60, 360 * 60), allow_pre=False)
        f = cls(fid, 'business.merchant', start, end, rng.uniform(0.4, 0.9) if v == 'mcc_jump' else 1.0, 0, v,
                {'merchant_id': m['merchant_id']}, [t['terminal_id'] for t in terms])
        f.jump = {'5944': '5411', '5812': '5411', '5732': '5311', '7011': '5812', '5411': '5300'}.get(m['mcc'], '5411')
        f.notes = {'frozen': '商户被冻结 / merchant frozen', 'closed': '商户状态异常(注销待审) / merchant status closed',
                   'mcc_jump': '商户MCC登记错误(跳码) / merchant registered under a wrong MCC'}[v]
        return f

    def ctx_mod(self, T, t, ctx):
        if self.variant == 'mcc_jump' and self.active(t):
            ctx['mcc'] = self.jump
            ctx['rate'] = 0.0038

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'host' or not self.active(t) or ctx['type'] == 'reversal':
            return None
        if self.variant in ('frozen', 'closed'):
            return {'rc': '03' if self.variant == 'frozen' or rng.random() < 0.6 else '58', 'retry': 0.25,
                    'switch': 'qr'}
        if rng.random() < 0.6 * self.sev:
            return {'rc': rng.choice(['03', '58', '58', '57']), 'retry': 0.3, 'switch': 'qr'}
        return None


class TxnType(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        v = rng.choice(['credit_off', 'nfc_off', 'preauth_off', 'refund_off'])
        if v == 'preauth_off':
            m = busy_merchant(w, rng, P, lambda m: m['kind'] == 'hotel')
        elif v == 'refund_off':
            m = busy_merchant(w, rng, P, lambda m: m['kind'] in ('super', 'conv') and m['tcount'] >= 5)
        else:
            m = busy_merchant(w, rng, P, lambda m: m['kind'] != 'hotel')
        if m is None:
            v = 'credit_off'
            m = busy_merchant(w, rng, P)
        terms = mterms(w, m)
        start, end = P.when(terms, rng, (90 * 60, 360 * 60))
        f = cls(fid, 'business.txn_type', start, end, 1.0, 0, v, {'merchant_id': m['merchant_id']},
                [t['terminal_id'] for t in terms])
        f.notes = {'credit_off': '商户未开通信用卡受理 / credit cards not enabled for merchant',
                   'nfc_off': '商户非接交易权限未开通 / contactless not enabled',
                   'preauth_off': '商户预授权权限关闭 / pre-authorisation disabled',
                   'refund_off': '商户退货/撤销权限关闭 / refunds and voids disabled'}[v]
        return f

    def rate(self, T, t):
        return 1.0

    def ctx_mod(self, T, t, ctx):
        if self.variant == 'refund_off' and self.active(t) and ctx['type'] == 'purchase' and ctx.get('tries') == 0 \
                and (t * 7919) % 100 < 3:
            ctx['type'] = 'refund'

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'host' or not self.active(t):
            return None
        v, typ = self.variant, ctx['type']
        if v == 'credit_off' and ctx.get('credit') and ctx['channel'] != 'qr' and typ != 'reversal':
            return {'rc': '57', 'retry': 0.6, 'switch': 'newcard'}
        if v == 'nfc_off' and ctx['channel'] == 'nfc' and typ != 'reversal':
            return {'rc': '58', 'retry': 0.7, 'switch': 'card_ic'}
        if v == 'preauth_off' and typ in ('preauth', 'completion'):
            return {'rc': rng.choice(['40', '58']), 'retry': 0.3}
        if v == 'refund_off' and typ in ('refund', 'void'):
            return {'rc': '40', 'retry': 0.3}
        return None


class Limit(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        m = busy_merchant(w, rng, P, lambda m: m['amt'] >= 3000)
        terms = mterms(w, m)
        v = rng.choice(['single', 'single', 'daily'])
        start, end = P.when(terms, rng, (90 * 60, 360 * 60), allow_pre=(v == 'single'))
        f = cls(fid, 'business.limit', start, end, 1.0, 0, v, {'merchant_id': m['merchant_id']},
                [t['terminal_id'] for t in terms])
        f.cap = int(m['amt'] * rng.uniform(0.7, 1.6)) // 100 * 100
        f.notes = '商户单笔限额 %d 元 / single-transaction limit' % (f.cap // 100) if v == 'single' \
            else '商户日累计限额已满 / daily cumulative limit reached'
        return f

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'host' or not self.active(t) or ctx['type'] not in ('purchase', 'preauth'):
            return None
        if ctx['channel'] == 'qr':
            return None
        if self.variant == 'single':
            if ctx['amount'] > self.cap:
                return {'rc': '61', 'retry': 0.5, 'switch': 'qr'}
            return None
        if rng.random() < 0.9:
            return {'rc': '61' if rng.random() < 0.7 else '65', 'retry': 0.4, 'switch': 'qr'}
        return None


class Risk(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        m = busy_merchant(w, rng, P, lambda m: len(m['sites']) <= 2 and m['amt'] >= 2000 and m['rate'] >= 2.5)
        terms = mterms(w, m)
        start, end = P.when(terms, rng, (60 * 60, 300 * 60), allow_pre=False)
        start = max(start, w.T0 + 1800)
        tgt = rng.choice(terms)
        iss = rng.choice(ISSUERS[:8])
        b = iss[2][-1][2:] if iss[2][-1].startswith('c:') else iss[2][0]
        pan = '%s******%04d' % (b, rng.randint(0, 9999))
        f = cls(fid, 'business.risk', start, end, rng.uniform(0.5, 1.0), 0, rng.choice(['split_txn', 'abnormal_env']),
                {'merchant_id': m['merchant_id']}, [t['terminal_id'] for t in terms])
        f.thr = max(20000, int(m['amt'] * 1.5))
        f.burst = []
        a = start - rng.randint(900, 2400)
        for k in range(rng.randint(4, 9)):
            amt = rng.choice([4990000, 999900, 1999900, 4999900, 499900]) if f.variant == 'split_txn' \
                else rng.choice([300000, 500000, 800000, 1000000])
            f.burst.append((a, {'type': 'purchase', 'orig': None, 'channel': 'card_swipe' if rng.random() < 0.4 else 'card_ic',
                                'pan': pan, 'issuer': iss[0], 'bin': b, 'credit': True, 'pin': False, 'amount': amt}))
            a += rng.randint(40, 300)
        f.burst_tid = tgt['terminal_id']
        f.notes = '风控拦截:疑似套现/拆单 / risk control blocked suspected cash-out or split transactions'
        return f

    def extra_txns(self, T, rng):
        return list(self.burst) if T['terminal_id'] == self.burst_tid else []

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'host' or not self.active(t) or ctx['channel'] == 'qr' or ctx['type'] not in ('purchase', 'preauth'):
            return None
        p = self.sev * (1.0 if ctx['amount'] >= self.thr else 0.8)
        if rng.random() < p:
            x = rng.random()
            return {'rc': '59' if x < 0.55 else ('34' if x < 0.8 else '05'), 'retry': 0.4, 'switch': 'qr'}
        return None


class Operator(Fault):
    @classmethod
    def build(cls, fid, w, rng, P):
        site = None
        if rng.random() < 0.4:
            site = P.pick_site(rng, lambda s: len(s['terms']) >= 2, mark=False)
        if site is not None:
            terms = site['terms']
            scope = {'site_id': site['site_id']}
        else:
            T = P.pick_terminal(rng, lambda t: True)
            terms = [T]
            scope = {'terminal_id': T['terminal_id']}
        lo = max(w.T0, min(t['on'] for t in terms))
        hi = min(w.T1, max(t['off'] for t in terms))
        shift = [x for x in (w.day0_local + h * 3600 for h in (8, 9, 14, 15, 17, 18)) if lo <= x < hi - 3600]
        start = rng.choice(shift) if shift else lo
        end = start + rng.randint(120, 300) * 60
        f = cls(fid, 'operator.error', start, end, rng.uniform(0.5, 1.0), 0, 'new_cashier', scope,
                [t['terminal_id'] for t in terms])
        f.notes = '新收银员操作不熟练,已培训 / new cashier, trained'
        f.checks = [(scope, 'cashier_training', 'ok')]
        return f

    def ctx_mod(self, T, t, ctx):
        if self.active(t) and ctx['type'] == 'purchase' and ctx.get('tries') == 0:
            x = ((t * 2654435761) % 1000) / 1000.0
            if x < 0.09 * self.sev:
                ctx.update(type='void', orig=None, op=self.fid)
            elif x < 0.13 * self.sev:
                ctx.update(type='refund', orig=None, op=self.fid)

    def fail(self, stage, T, t, ctx, rng):
        if not self.active(t):
            return None
        s = self.sev
        if stage == 'card_read' and rng.random() < 0.12 * s:
            return {'kind': 'card_op', 'retry': 0.9}
        if stage == 'pin' and rng.random() < 0.08 * s:
            return {'kind': rng.choice(['pin_cancel', 'pin_timeout']), 'retry': 0.7}
        if stage == 'app' and rng.random() < 0.08 * s:
            return {'kind': 'op_wrong', 'retry': 0.9}
        if stage == 'host':
            if ctx.get('op') == self.fid:
                return {'rc': '25' if rng.random() < 0.8 else '12', 'retry': 0.2}
            if ctx['type'] == 'purchase' and rng.random() < 0.03 * s:
                return {'rc': rng.choice(['94', '13']), 'retry': 0.8}
        return None


class CardDecline(Fault):
    """issuer-side wave of ordinary declines: a BIN's old cards expired after a
    reissue, or an issuer's debit balances not yet credited"""

    @classmethod
    def build(cls, fid, w, rng, P):
        cand = [i for i in ISSUERS if i[3] >= 0.05 and i[0] not in P.used_issuers] or \
            [i for i in ISSUERS if i[3] >= 0.05]
        iss = rng.choice(cand)
        P.used_issuers.add(iss[0])
        v = rng.choice(['reissue', 'funds'])
        terms = [t for t in w.terms]
        start, end = P.when(terms, rng, (120 * 60, 400 * 60))
        bins = [b for b in iss[2] if not b.startswith('c:')]
        scope = {'issuer': iss[0]}
        f = cls(fid, 'card.decline', start, end, rng.uniform(0.25, 0.6) if v == 'funds' else rng.uniform(0.5, 0.9), 0,
                v, scope, [t['terminal_id'] for t in terms])
        f.iss = iss[0]
        f.bin = rng.choice(bins)
        if v == 'reissue':
            f.scope = {'issuer': iss[0], 'bin': f.bin}
        f.notes = '%s 批量换卡,旧卡到期 / issuer reissue, old cards expired' % iss[1] if v == 'reissue' \
            else '%s 代发工资未入账,余额不足集中出现 / payroll not credited, insufficient funds wave' % iss[1]
        return f

    def fail(self, stage, T, t, ctx, rng):
        if stage != 'issuer' or not self.active(t) or ctx.get('issuer') != self.iss or ctx['channel'] == 'qr':
            return None
        if ctx['type'] in ('void', 'reversal', 'refund', 'completion'):
            return None
        if self.variant == 'reissue':
            if ctx.get('bin') == self.bin and rng.random() < self.sev:
                return {'rc': '54', 'retry': 0.6, 'switch': 'newcard'}
        elif not ctx.get('credit') and rng.random() < self.sev:
            return {'rc': '51', 'retry': 0.5, 'switch': 'qr'}
        return None
