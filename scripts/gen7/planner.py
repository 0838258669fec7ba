"""Chooses ~20 faults per seed so that over seeds 1..10 every cause of the
contract appears 7-8 times, with varied scopes, times, ramps and severities."""
import random

import faults_biz as B
import faults_dev as D
import faults_net as N
import sim
from contrib import Contributor
from world import MODELS, APP_VERSIONS

# interleaved so that any 20 consecutive entries mix families
CAUSES = [
    'power.supply', 'network.lan', 'business.limit', 'hardware.card_reader', 'upstream.acquirer',
    'software.bug', 'security.certificate', 'operator.error', 'network.carrier', 'hardware.printer',
    'business.risk', 'resource.storage', 'upstream.issuer', 'security.keys', 'hardware.keypad',
    'network.signal', 'business.merchant', 'software.config', 'power.battery', 'transmission.corruption',
    'card.decline', 'hardware.display', 'business.txn_type', 'resource.memory', 'software.incompatible',
    'hardware.board', 'resource.cpu',
]

# faults that break every transaction of a group at one stage; single-terminal
# faults are kept off their terminals so that each failed event has one true cause
BLOCKING = ('software.incompatible', 'security.keys', 'security.certificate', 'business.merchant',
            'software.config')

FACTORY = {
    'power.supply': D.PowerSupply.build, 'power.battery': D.Battery.build, 'hardware.board': D.Board.build,
    'hardware.keypad': D.Keypad.build, 'hardware.display': D.Display.build,
    'hardware.card_reader': D.CardReader.build, 'hardware.printer': D.Printer.build,
    'resource.storage': D.Storage.build, 'resource.memory': D.Memory.build, 'resource.cpu': D.Cpu.build,
    'network.signal': N.Signal.build, 'network.lan': N.Lan.build, 'network.carrier': N.Carrier.build,
    'transmission.corruption': N.Corruption.build, 'upstream.acquirer': N.Acquirer.build,
    'upstream.issuer': N.Issuer.build, 'security.keys': N.Keys.build, 'security.certificate': N.Certificate.build,
    'software.bug': B.Bug.build, 'software.incompatible': B.Incompatible.build, 'software.config': B.Config.build,
    'business.merchant': B.Merchant.build, 'business.txn_type': B.TxnType.build, 'business.limit': B.Limit.build,
    'business.risk': B.Risk.build, 'operator.error': B.Operator.build, 'card.decline': B.CardDecline.build,
}


class Planner:
    def __init__(self, w):
        self.w = w
        self.used_sites, self.used_terms, self.used_carriers = set(), set(), set()
        self.used_hosts, self.used_issuers, self.used_models, self.used_merchants = set(), set(), set(), set()
        self.fault_sites = []

    def open_span(self, terms):
        w = self.w
        lo = max(w.T0, min(t['on'] for t in terms))
        hi = min(w.T1, max(t['off'] for t in terms))
        return lo, hi

    def when(self, terms, rng, dur, allow_pre=True, extend=True):
        w = self.w
        lo, hi = self.open_span(terms)
        if hi - lo < 1800:            # the scope is hardly open inside the window
            start = rng.randint(w.T0, w.T1 - 3600)
            return start, start + rng.randint(*dur)
        d = rng.randint(*dur)
        if allow_pre and rng.random() < 0.12:
            start = lo - rng.randint(600, 3 * 3600)
            d = max(d, lo - start + 2700)
        else:
            start = rng.randint(lo, max(lo, hi - 2700))
        if extend and rng.random() < 0.2:
            d = max(d, w.T1 + rng.randint(1800, 6 * 3600) - start)     # still going at the end of the window
        end = start + d
        if end < max(lo, start) + 1200:
            end = max(lo, start) + 1200
        return start, end

    def _ok(self, T, min_open=5400):
        lo, hi = self.open_span([T])
        return hi - lo >= min_open

    def pick_terminal(self, rng, pred):
        cand = [t for t in self.w.terms if t['terminal_id'] not in self.used_terms and pred(t) and self._ok(t)]
        if not cand:
            return None
        if rng.random() < 0.85:
            # most faults land where there is enough business to notice them
            busy = [t for t in cand if sim.base_rate(t) * (self.open_span([t])[1] - self.open_span([t])[0]) / 3600.0 >= 30]
            cand = busy or cand
        near = [t for t in cand if t['site_id'] in self.used_sites]
        if near and rng.random() < 0.3:
            cand = near                                  # overlap with another fault's site
        weights = [0.15 + sim.base_rate(t) ** 1.8 / 10.0 for t in cand]
        tot = sum(weights)
        r = rng.random() * tot
        for t, x in zip(cand, weights):
            r -= x
            if r < 0:
                break
        self.used_terms.add(t['terminal_id'])
        self.used_sites.add(t['site_id'])
        return t

    def pick_site(self, rng, pred, mark=True):
        cand = [s for s in self.w.sites if s['site_id'] not in self.used_sites and pred(s)
                and self.open_span(s['terms'])[1] - self.open_span(s['terms'])[0] >= 7200]
        if not cand:
            return None
        s = rng.choice(cand)
        if mark:
            self.used_sites.add(s['site_id'])
        return s


def plan(w, seed):
    rng = random.Random('gen7-plan-%d' % seed)
    P = Planner(w)
    k = ((seed - 1) * 20) % len(CAUSES)
    causes = [CAUSES[(k + i) % len(CAUSES)] for i in range(20)]
    for _ in range(rng.randint(0, 3)):
        causes.append(rng.choice(CAUSES))
    rng.shuffle(causes)
    causes.sort(key=lambda c: 0 if c in BLOCKING else 1)     # stable: group faults are placed first
    ghosts = []
    # benign rollouts (no fault) as confounders
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.5:
            groups = {}
            for t in w.terms:
                groups.setdefault(t['model'], []).append(t)
            cand = sorted(m for m, g in groups.items() if len(g) >= 5 and m not in P.used_models)
            if not cand:
                continue
            model = rng.choice(cand)
            P.used_models.add(model)
            new = B.bump(B.bump(max(v for v, _ in MODELS[model][6])))
            ghosts.append(B.Rollout(w, rng, 'firmware', groups[model], new, w.T0 + rng.randint(-3600, 4 * 3600),
                                    rng.uniform(600, 2400), rng.uniform(0.3, 0.9)))
        else:
            plat = rng.choice(['android', 'legacy'])
            if plat in P.used_models:
                continue
            P.used_models.add(plat)
            group = [t for t in w.terms if t['platform'] == plat]
            new = B.bump(B.bump(max(v for v, _ in APP_VERSIONS[plat])))
            ghosts.append(B.Rollout(w, rng, 'app_version', group, new, w.T0 + rng.randint(-3600, 4 * 3600),
                                    rng.uniform(600, 2400), rng.uniform(0.2, 0.6)))
    faults = []
    n = 0
    for c in causes:
        for attempt in range(6):
            f = FACTORY[c]('S%02dF%02d' % (seed % 100, n + 1), w, rng, P)
            if f is not None:
                break
        if f is None:
            continue
        n += 1
        faults.append(f)
        if c in BLOCKING and len(f.terms) > 1:
            P.used_terms.update(f.terms)
        # case 1 of the source: unstable mains damaging a terminal's components
        if isinstance(f, D.PowerSupply) and f.variant == 'site_mains' and rng.random() < 0.5:
            deep = [a for a, depth, dur, dp, rb in f.sags if dp and a >= w.T0]
            if deep:
                b = D.Board.build('S%02dF%02d' % (seed % 100, n + 1), w, rng, P, site=f.site, at=rng.choice(deep) + 200)
                if b is not None:
                    n += 1
                    faults.append(b)
    # fault ids in order of onset
    faults.sort(key=lambda f: (f.start, f.cause, sorted(f.terms)[0] if f.terms else ''))
    for i, f in enumerate(faults):
        f.fid = 'S%02dF%02d' % (seed % 100, i + 1)
    return faults, ghosts
