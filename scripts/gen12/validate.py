#!/usr/bin/env python3
"""validate.py DIR [DIR...] -- check gen12 output against posdoc record format v1.

For each DIR: DIR/records.jsonl (input records) and DIR/truth.jsonl (truth and
truth_event records).  Checks kinds, required fields, types, enumerations,
masked card numbers, time order (<= 60 s disorder), cause names, and that the
truth_events correspond one-to-one to failed events (error records and txns
that timed out or carry a non-approval response code).  With several DIRs it
also prints cause coverage.  Exit status 1 if any error was found.
"""
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime

CAUSES = [
    'hardware.keypad', 'hardware.display', 'hardware.card_reader',
    'hardware.printer', 'hardware.board', 'power.supply', 'power.battery',
    'network.signal', 'network.lan', 'network.carrier', 'software.bug',
    'software.incompatible', 'software.config', 'transmission.corruption',
    'security.keys', 'security.certificate', 'resource.storage',
    'resource.memory', 'resource.cpu', 'operator.error', 'business.txn_type',
    'business.limit', 'business.risk', 'business.merchant',
    'upstream.acquirer', 'upstream.issuer', 'card.decline',
]
APPROVED = {'00'}
STR, INT, NUM, BOOL, LIST, DICT = 'str', 'int', 'num', 'bool', 'list', 'dict'

ENUMS = {
    ('merchant', 'settlement'): {'direct', 'indirect'},
    ('terminal', 'network'): {'ethernet', 'wifi', 'cellular'},
    ('telemetry', 'reboot'): {'power_loss', 'watchdog', 'crash', 'user', 'update'},
    ('telemetry', 'key_check'): {'ok', 'mismatch', 'missing'},
    ('telemetry', 'printer'): {'ok', 'paper_out', 'fault'},
    ('error', 'stage'): {'power_on', 'connect', 'tls', 'send', 'receive', 'mac', 'card_read',
                         'pin', 'print', 'app'},
    ('txn', 'type'): {'purchase', 'refund', 'void', 'preauth', 'completion', 'balance', 'reversal'},
    ('txn', 'channel'): {'card_ic', 'card_swipe', 'nfc', 'qr'},
    ('txn', 'currency'): {'CNY', '156'},
    ('maintenance', 'action'): {'daily_check', 'weekly_clean', 'monthly_inspection',
                                'firmware_update', 'part_replaced', 'repair'},
    ('complaint', 'from'): {'merchant', 'customer'},
}

SPEC = {
    # kind: (required {field: type}, optional {field: type})
    'merchant': ({'merchant_id': STR, 'mcc': STR},
                 {'name': STR, 'city': STR, 'settlement': STR, 'card_rate': NUM, 'qr_rate': NUM,
                  'fixed_fee': INT, 'ts': 'ts'}),
    'site': ({'site_id': STR, 'merchant_id': STR},
             {'name': STR, 'city': STR, 'lat': NUM, 'lon': NUM, 'ts': 'ts'}),
    'terminal': ({'terminal_id': STR, 'vendor': STR, 'model': STR},
                 {'serial': STR, 'firmware': STR, 'app_version': STR, 'merchant_id': STR,
                  'site_id': STR, 'network': STR, 'carrier': STR, 'host': STR,
                  'cert_not_after': 'ts', 'installed': STR, 'ts': 'ts'}),
    'telemetry': ({'ts': 'ts', 'terminal_id': STR},
                  {'online': BOOL, 'rssi_dbm': NUM, 'latency_ms': NUM, 'packet_loss': NUM,
                   'supply_v': NUM, 'battery_pct': NUM, 'power_events': INT, 'reboot': STR,
                   'storage_used_pct': NUM, 'memory_used_pct': NUM, 'cpu_pct': NUM,
                   'temp_c': NUM, 'key_check': STR, 'clock_skew_s': NUM, 'printer': STR,
                   'keypad_errors': INT, 'card_reader_errors': INT, 'app_crashes': INT,
                   'firmware': STR, 'app_version': STR}),
    'error': ({'ts': 'ts', 'terminal_id': STR, 'code': STR},
              {'stage': STR, 'detail': STR, 'stan': STR}),
    'txn': ({'ts': 'ts', 'terminal_id': STR, 'type': STR, 'amount': INT, 'currency': STR},
            {'merchant_id': STR, 'stan': STR, 'rrn': STR, 'channel': STR, 'mcc': STR,
             'response_code': STR, 'timed_out': BOOL, 'latency_ms': NUM, 'fee': INT, 'pan': STR}),
    'check': ({'ts': 'ts', 'name': STR, 'result': STR}, {'terminal_id': STR, 'site_id': STR}),
    'maintenance': ({'ts': 'ts', 'terminal_id': STR, 'action': STR}, {'notes': STR}),
    'complaint': ({'ts': 'ts', 'complaint_id': STR, 'from': STR, 'merchant_id': STR},
                  {'terminal_id': STR, 'text': STR}),
    'resolution': ({'ts': 'ts', 'cause': STR},
                   {'terminal_id': STR, 'site_id': STR, 'incident_id': STR, 'notes': STR,
                    'merchant_id': STR}),
}

TS_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')
PAN_RE = re.compile(r'^\d{6}\*{3,9}\d{4}$')
LONGDIGITS = re.compile(r'(?<!\d)\d{13,19}(?!\d)')


def luhn(num):
    tot = 0
    for i, ch in enumerate(reversed(num)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


def parse_ts(s):
    if not isinstance(s, str) or not TS_RE.match(s):
        return None
    try:
        return datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
    except ValueError:
        return None


def typeok(v, t):
    if t == STR:
        return isinstance(v, str)
    if t == INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if t == NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == BOOL:
        return isinstance(v, bool)
    if t == 'ts':
        return parse_ts(v) is not None
    return True


class Checker:
    def __init__(self, d):
        self.d = d
        self.errors = []
        self.kinds = Counter()

    def err(self, where, msg):
        if len(self.errors) < 10000:
            self.errors.append('%s: %s' % (where, msg))

    def walk_strings(self, obj):
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, dict):
            for v in obj.values():
                yield from self.walk_strings(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from self.walk_strings(v)

    def records(self):
        path = self.d + '/records.jsonl'
        self.tids, self.mids, self.sites = set(), set(), set()
        self.failed = []   # (ts, tid, code, stan, lineno)
        last_ts = {}
        gmax = None
        with open(path, encoding='utf-8') as fh:
            for n, line in enumerate(fh, 1):
                w = 'records:%d' % n
                try:
                    r = json.loads(line)
                except ValueError as e:
                    self.err(w, 'bad json: %s' % e)
                    continue
                if not isinstance(r, dict) or 'kind' not in r:
                    self.err(w, 'no kind')
                    continue
                k = r['kind']
                self.kinds[k] += 1
                if k not in SPEC:
                    self.err(w, 'unknown kind %r' % k)
                    continue
                req, opt = SPEC[k]
                for f, t in req.items():
                    if f not in r:
                        self.err(w, '%s missing required %s' % (k, f))
                    elif not typeok(r[f], t):
                        self.err(w, '%s.%s bad type/format %r' % (k, f, r[f]))
                for f, t in opt.items():
                    if f in r and not typeok(r[f], t):
                        self.err(w, '%s.%s bad type/format %r' % (k, f, r[f]))
                for (kk, f), vals in ENUMS.items():
                    if kk == k and f in r and r[f] not in vals:
                        self.err(w, '%s.%s value %r not allowed' % (k, f, r[f]))
                for fk, fv in r.items():
                    if fk in ('merchant_id', 'rrn', 'serial'):
                        continue
                    for s in self.walk_strings(fv):
                        for m in LONGDIGITS.findall(s):
                            if m not in self.mids and luhn(m):
                                self.err(w, 'possible full PAN in %r' % s)
                if 'terminal_id' in r and isinstance(r['terminal_id'], str) and len(r['terminal_id']) != 8:
                    self.err(w, 'terminal_id not 8 chars: %r' % r['terminal_id'])
                if 'merchant_id' in r and isinstance(r['merchant_id'], str) and len(r['merchant_id']) != 15:
                    self.err(w, 'merchant_id not 15 chars: %r' % r['merchant_id'])
                if k == 'merchant':
                    self.mids.add(r.get('merchant_id'))
                elif k == 'site':
                    self.sites.add(r.get('site_id'))
                elif k == 'terminal':
                    self.tids.add(r.get('terminal_id'))
                    if r.get('network') == 'cellular' and 'carrier' not in r:
                        pass
                ts = parse_ts(r.get('ts')) if 'ts' in r else None
                if k in ('telemetry', 'error', 'txn', 'check', 'maintenance', 'complaint', 'resolution'):
                    if ts is None:
                        continue
                    if gmax is not None and ts < gmax - 60:
                        self.err(w, 'out of order by %.0f s (> 60 s)' % (gmax - ts))
                    gmax = ts if gmax is None else max(gmax, ts)
                    tid = r.get('terminal_id')
                    if tid:
                        if tid not in self.tids:
                            self.err(w, 'unknown terminal %s' % tid)
                        if tid in last_ts and ts < last_ts[tid] - 60:
                            self.err(w, 'terminal %s out of order by %.0f s' % (tid, last_ts[tid] - ts))
                        last_ts[tid] = max(ts, last_ts.get(tid, ts))
                    if 'merchant_id' in r and r['merchant_id'] not in self.mids:
                        self.err(w, 'unknown merchant %s' % r['merchant_id'])
                    if 'site_id' in r and r['site_id'] not in self.sites:
                        self.err(w, 'unknown site %s' % r['site_id'])
                if k == 'telemetry':
                    pl = r.get('packet_loss')
                    if isinstance(pl, (int, float)) and not 0 <= pl <= 1:
                        self.err(w, 'packet_loss out of 0..1')
                if k == 'txn':
                    if 'pan' in r and not PAN_RE.match(str(r['pan'])):
                        self.err(w, 'pan not masked: %r' % r['pan'])
                    if r.get('timed_out') is True and 'response_code' in r:
                        self.err(w, 'timed out txn with a response code')
                    if r.get('timed_out') is True:
                        self.failed.append((r['ts'], r['terminal_id'], 'timeout', r.get('stan'), w))
                    elif 'response_code' in r and r['response_code'] not in APPROVED:
                        self.failed.append((r['ts'], r['terminal_id'], r['response_code'], r.get('stan'), w))
                if k == 'error':
                    self.failed.append((r['ts'], r['terminal_id'], r['code'], r.get('stan'), w))
                if k == 'check' and not (r.get('terminal_id') or r.get('site_id')):
                    self.err(w, 'check without target')
                if k == 'resolution':
                    if not (r.get('terminal_id') or r.get('site_id') or r.get('incident_id')):
                        self.err(w, 'resolution without target')
                    if r.get('cause', '').split('.')[:2] and '.'.join(r.get('cause', '').split('.')[:2]) not in CAUSES:
                        self.err(w, 'resolution cause %r not in list' % r.get('cause'))
                if k == 'complaint' and r.get('terminal_id') and r['terminal_id'] not in self.tids:
                    self.err(w, 'complaint unknown terminal')

    def truth(self):
        path = self.d + '/truth.jsonl'
        self.faults = {}
        self.tev = []
        with open(path, encoding='utf-8') as fh:
            for n, line in enumerate(fh, 1):
                w = 'truth:%d' % n
                try:
                    r = json.loads(line)
                except ValueError as e:
                    self.err(w, 'bad json: %s' % e)
                    continue
                k = r.get('kind')
                if k == 'truth':
                    for f in ('fault_id', 'cause', 'scope', 'terminals', 'start', 'end'):
                        if f not in r:
                            self.err(w, 'truth missing %s' % f)
                    if r.get('cause') not in CAUSES:
                        self.err(w, 'truth cause %r not in list' % r.get('cause'))
                    if not isinstance(r.get('scope'), dict) or not r.get('scope'):
                        self.err(w, 'scope not a non-empty object')
                    if not isinstance(r.get('terminals'), list):
                        self.err(w, 'terminals not a list')
                    else:
                        for t in r['terminals']:
                            if t not in self.tids:
                                self.err(w, 'truth terminal %s unknown' % t)
                    a, b = parse_ts(r.get('start')), parse_ts(r.get('end'))
                    if a is None or b is None or a > b:
                        self.err(w, 'bad start/end')
                    if r.get('fault_id') in self.faults:
                        self.err(w, 'duplicate fault_id')
                    self.faults[r.get('fault_id')] = r
                elif k == 'truth_event':
                    for f in ('ts', 'terminal_id', 'cause'):
                        if f not in r:
                            self.err(w, 'truth_event missing %s' % f)
                    if r.get('cause') not in CAUSES:
                        self.err(w, 'truth_event cause %r not in list' % r.get('cause'))
                    if parse_ts(r.get('ts')) is None:
                        self.err(w, 'truth_event bad ts')
                    self.tev.append((r, w))
                else:
                    self.err(w, 'unknown truth kind %r' % k)
        for r, w in self.tev:
            fid = r.get('fault_id')
            if fid is not None:
                f = self.faults.get(fid)
                if f is None:
                    self.err(w, 'truth_event refers to unknown fault %s' % fid)
                elif f.get('cause') != r.get('cause'):
                    self.err(w, 'truth_event cause %s differs from its fault %s' % (r.get('cause'), f.get('cause')))
                elif r.get('terminal_id') not in f.get('terminals', []):
                    self.err(w, 'truth_event terminal not in fault %s terminals' % fid)
        # one-to-one match with failed events
        pool = defaultdict(list)
        for ts, tid, code, stan, w in self.failed:
            pool[(parse_ts(ts), tid, code)].append((stan, w))
        for r, w in self.tev:
            key = (parse_ts(r.get('ts')), r.get('terminal_id'), r.get('code'))
            lst = pool.get(key)
            if not lst:
                self.err(w, 'truth_event matches no failed event %s' % (key,))
                continue
            idx = 0
            if r.get('stan'):
                for i, (stan, _) in enumerate(lst):
                    if stan == r['stan']:
                        idx = i
                        break
                else:
                    self.err(w, 'truth_event stan %s not found' % r['stan'])
            lst.pop(idx)
        left = sum(len(v) for v in pool.values())
        if left:
            ex = [v[0][1] for v in pool.values() if v][:5]
            self.err('records', '%d failed events without truth_event (e.g. %s)' % (left, ex))

    def run(self):
        self.records()
        self.truth()
        return self


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        sys.exit(2)
    bad = 0
    cov_f = defaultdict(Counter)      # cause -> dir -> faults
    cov_e = defaultdict(Counter)      # cause -> dir -> fault events
    cov_b = defaultdict(Counter)      # cause -> dir -> background events
    shared = Counter()
    for d in dirs:
        c = Checker(d).run()
        nf = len(c.faults)
        ns = sum(1 for f in c.faults.values() if f.get('shared') or len(f.get('terminals', [])) > 1)
        shared[d] = ns
        print('%s: %s records (%s), %d faults (%d shared), %d truth_events, %d errors' % (
            d, sum(c.kinds.values()), ', '.join('%s=%d' % kv for kv in sorted(c.kinds.items())),
            nf, ns, len(c.tev), len(c.errors)))
        for e in c.errors[:25]:
            print('   ERROR', e)
        if c.errors:
            bad += 1
        for f in c.faults.values():
            cov_f[f['cause']][d] += 1
        for r, _ in c.tev:
            (cov_e if r.get('fault_id') else cov_b)[r['cause']][d] += 1
    if len(dirs) > 1:
        print()
        print('%-24s %7s %6s %9s %9s   per-dir faults' % ('cause', 'faults', 'dirs', 'f_events', 'bg_events'))
        for c in CAUSES:
            nf = sum(cov_f[c].values())
            nd = sum(1 for d in dirs if cov_f[c][d])
            print('%-24s %7d %6d %9d %9d   %s' % (c, nf, nd, sum(cov_e[c].values()), sum(cov_b[c].values()),
                                               ' '.join(str(cov_f[c][d]) for d in dirs)))
        miss = [c for c in CAUSES if sum(cov_f[c].values()) < 2]
        print('causes injected fewer than twice:', miss or 'none')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
