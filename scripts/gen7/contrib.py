"""Base class shared by background behaviour and injected faults.

A Contributor acts on a terminal through physics / behaviour hooks; the engine
(sim.py) never looks at a contributor's cause to decide what happens.  The cause
is only used to label the failed events it produced (ground truth).
"""
import bisect
import math


def clamp(x, a, b):
    return a if x < a else (b if x > b else x)


class Contributor:
    fid = None          # fault id, None for background
    cause = None        # label used only for truth
    order = 50          # evaluation order within a stage (lower first)

    def events(self, T, rng):
        """static timeline: [('reboot', t, reason, down_s), ('version', t, field, value),
        ('power', t, n), ('maint', t, action, notes)]"""
        return []

    def net(self, T, t):
        """(latency_ms_add, loss, offline) or None"""
        return None

    def tele(self, T, t, s):
        pass

    def fail(self, stage, T, t, ctx, rng):
        return None

    def lat(self, T, t, ctx):
        return 0

    def rate(self, T, t):
        return 1.0

    def extra_txns(self, T, rng):
        return []

    def ctx_mod(self, T, t, ctx):
        pass


class Fault(Contributor):
    """An injected fault: interval, ramp, intermittency, severity, scope."""
    order = 40

    def __init__(self, fid, cause, start, end, sev=1.0, ramp=0, variant='', scope=None, terms=()):
        self.fid = fid
        self.cause = cause
        self.start = int(start)
        self.end = int(end)
        self.sev = sev
        self.ramp = int(ramp)
        self.variant = variant
        self.scope = scope or {}
        self.terms = set(terms)
        self.ep = None          # intermittent episodes: sorted list of (a, b, amp)
        self.ep_starts = None
        self.base_amp = 1.0     # level outside episodes when episodes are used
        self.checks = []        # (target, name, result) an engineer would record
        self.notes = ''
        self.per_term = {}      # per-terminal multipliers / extra state

    def set_episodes(self, eps, base_amp=0.0):
        self.ep = sorted(eps)
        self.ep_starts = [a for a, _, _ in self.ep]
        self.base_amp = base_amp

    def active(self, t):
        return self.start <= t < self.end

    def level(self, t):
        if t < self.start or t >= self.end:
            return 0.0
        r = 1.0
        if self.ramp > 0:
            r = clamp((t - self.start) / float(self.ramp), 0.05, 1.0)
        if self.ep is not None:
            i = bisect.bisect_right(self.ep_starts, t) - 1
            if i >= 0 and self.ep[i][0] <= t < self.ep[i][1]:
                r *= self.ep[i][2]
            else:
                r *= self.base_amp
        return r

    def in_episode(self, t):
        if self.ep is None:
            return self.active(t)
        i = bisect.bisect_right(self.ep_starts, t) - 1
        return i >= 0 and self.ep[i][0] <= t < self.ep[i][1] and self.active(t)

    def tmul(self, T):
        return self.per_term.get(T['terminal_id'], 1.0)

    def truth(self, iso):
        return {'kind': 'truth', 'fault_id': self.fid, 'cause': self.cause, 'scope': self.scope,
                'terminals': sorted(self.terms), 'start': iso(self.start), 'end': iso(self.end),
                'variant': self.variant, 'severity': round(self.sev, 2), 'ramp_s': self.ramp}


def make_episodes(rng, start, end, on_mean, off_mean, amp=(0.7, 1.0)):
    """alternating on/off periods starting with 'on'"""
    eps = []
    t = start
    while t < end:
        d = max(20, int(rng.expovariate(1.0 / on_mean)))
        eps.append((t, min(end, t + d), rng.uniform(*amp)))
        t += d + max(20, int(rng.expovariate(1.0 / off_mean)))
    return eps


def p_connect(loss):
    x = max(0.0, loss - 0.015)
    return clamp(3.0 * x ** 1.5, 0.0, 1.0)


def p_receive(loss):
    x = max(0.0, loss - 0.015)
    return clamp(0.25 * x + 2.5 * x * x, 0.0, 1.0)


def lognorm(rng, median, sigma):
    return median * math.exp(rng.gauss(0, sigma))


def version_at(T, field, t):
    """firmware / app_version of terminal T at time t (after TMS updates)"""
    v = T[field]
    for (tt, f, val) in T.get('_vch', ()):
        if f == field and tt <= t:
            v = val
    return v


def is_down(T, t):
    for a, b in T.get('_down', ()):
        if a <= t < b:
            return True
    return False


def hrand(t, salt=0):
    """deterministic pseudo-random in [0,1) from an integer time (no hash())"""
    x = (int(t) * 2654435761 + salt * 40503 + 12345) % 4294967296
    x = (x ^ (x >> 13)) * 1274126177 % 4294967296
    return x / 4294967296.0
