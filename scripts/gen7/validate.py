#!/usr/bin/env python3
"""Validate gen7 output directories against posdoc record format v1 (FORMAT.md).

usage: python3 validate.py DIR [DIR ...]
Checks every line of records.jsonl and truth.jsonl, cross-references, ordering
(<= 60 s out of order), that every failed event (error record, txn with a
timeout or a non-approval response code) has exactly one truth_event and vice
versa, and prints a per-cause coverage table.  Exit status 1 on any problem.
"""
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from world import parse_iso  # noqa: E402

CAUSES = ['hardware.keypad', 'hardware.display', 'hardware.card_reader', 'hardware.printer', 'hardware.board',
          'power.supply', 'power.battery', 'network.signal', 'network.lan', 'network.carrier', 'software.bug',
          'software.incompatible', 'software.config', 'transmission.corruption', 'security.keys',
          'security.certificate', 'resource.storage', 'resource.memory', 'resource.cpu', 'operator.error',
          'business.txn_type', 'business.limit', 'business.risk', 'business.merchant', 'upstream.acquirer',
          'upstream.issuer', 'card.decline']
TS_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')
PAN_RE = re.compile(r'^\d{6}\*{6}\d{4}$')
SLUG_RE = re.compile(r'^[a-z0-9][a-z0-9_-]*$')
REQ = {
    'merchant': ['merchant_id', 'mcc'], 'site': ['site_id', 'merchant_id'],
    'terminal': ['terminal_id', 'vendor', 'model'],
    'telemetry': ['ts', 'terminal_id'], 'error': ['ts', 'terminal_id', 'code'],
    'txn': ['ts', 'terminal_id', 'type', 'amount', 'currency'],
    'check': ['ts', 'name', 'result'], 'maintenance': ['ts', 'terminal_id', 'action'],
    'complaint': ['ts', 'complaint_id', 'from', 'merchant_id'], 'resolution': ['ts', 'cause'],
}
ENUM = {
    ('terminal', 'network'): {'ethernet', 'wifi', 'cellular'},
    ('merchant', 'settlement'): {'direct', 'indirect'},
    ('telemetry', 'reboot'): {'power_loss', 'watchdog', 'crash', 'user', 'update'},
    ('telemetry', 'key_check'): {'ok', 'mismatch', 'missing'},
    ('telemetry', 'printer'): {'ok', 'paper_out', 'fault'},
    ('error', 'stage'): {'power_on', 'connect', 'tls', 'send', 'receive', 'mac', 'card_read', 'pin', 'print', 'app'},
    ('txn', 'type'): {'purchase', 'refund', 'void', 'preauth', 'completion', 'balance', 'reversal'},
    ('txn', 'channel'): {'card_ic', 'card_swipe', 'nfc', 'qr'},
    ('txn', 'currency'): {'CNY', '156'},
    ('maintenance', 'action'): {'daily_check', 'weekly_clean', 'monthly_inspection', 'firmware_update',
                                'part_replaced', 'repair'},
    ('complaint', 'from'): {'merchant', 'customer'},
}
INT_FIELDS = {'amount', 'latency_ms', 'fee', 'power_events', 'keypad_errors', 'card_reader_errors', 'app_crashes'}
NUM_FIELDS = {'rssi_dbm', 'supply_v', 'battery_pct', 'storage_used_pct', 'memory_used_pct', 'cpu_pct', 'temp_c',
              'clock_skew_s', 'card_rate', 'qr_rate', 'lat', 'lon'}


def event_key(r):
    if r['kind'] == 'error':
        code = r['code']
    else:
        code = r.get('response_code') or 'timeout'
    return (r['ts'], r['terminal_id'], code, r.get('stan', ''))


def failed(r):
    if r['kind'] == 'error':
        return True
    if r['kind'] == 'txn':
        return bool(r.get('timed_out')) or ('response_code' in r and r['response_code'] != '00')
    return False


def check_dir(d, probs, cov):
    def bad(msg):
        probs.append('%s: %s' % (d, msg))

    terms, merch, sites = {}, set(), set()
    last = {}
    fails = collections.Counter()
    kinds = collections.Counter()
    rpath = os.path.join(d, 'records.jsonl')
    tpath = os.path.join(d, 'truth.jsonl')
    if not os.path.exists(rpath) or not os.path.exists(tpath):
        bad('missing records.jsonl or truth.jsonl')
        return None
    refs = []
    with open(rpath, encoding='utf-8') as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                bad('records line %d: bad JSON (%s)' % (ln, e))
                continue
            k = r.get('kind')
            if k is None:
                bad('records line %d: no kind' % ln)
                continue
            kinds[k] += 1
            for f in REQ.get(k, []):
                if f not in r:
                    bad('records line %d: %s without %s' % (ln, k, f))
            if 'ts' in r:
                if not isinstance(r['ts'], str) or not TS_RE.match(r['ts']):
                    bad('records line %d: bad ts %r' % (ln, r.get('ts')))
                    continue
            for (kk, f), allowed in ENUM.items():
                if kk == k and f in r and r[f] not in allowed:
                    bad('records line %d: %s.%s=%r not allowed' % (ln, k, f, r[f]))
            for f in INT_FIELDS:
                if f in r and (not isinstance(r[f], int) or isinstance(r[f], bool)):
                    bad('records line %d: %s not an integer' % (ln, f))
            for f in NUM_FIELDS:
                if f in r and not isinstance(r[f], (int, float)):
                    bad('records line %d: %s not a number' % (ln, f))
            if 'terminal_id' in r and (not isinstance(r['terminal_id'], str) or len(r['terminal_id']) != 8):
                bad('records line %d: terminal_id %r is not 8 characters' % (ln, r['terminal_id']))
            if 'merchant_id' in r and (not isinstance(r['merchant_id'], str) or len(r['merchant_id']) != 15):
                bad('records line %d: merchant_id %r is not 15 characters' % (ln, r['merchant_id']))
            if k == 'merchant':
                merch.add(r['merchant_id'])
            elif k == 'site':
                sites.add(r['site_id'])
                refs.append((ln, 'merchant_id', r['merchant_id']))
            elif k == 'terminal':
                if not SLUG_RE.match(r['vendor']):
                    bad('records line %d: vendor not a lowercase slug' % ln)
                if r['terminal_id'] in terms:
                    bad('records line %d: duplicate terminal' % ln)
                terms[r['terminal_id']] = r
                for f in ('merchant_id', 'site_id'):
                    if f in r:
                        refs.append((ln, f, r[f]))
                if 'cert_not_after' in r and not TS_RE.match(r['cert_not_after']):
                    bad('records line %d: bad cert_not_after' % ln)
            else:
                if k in ('telemetry', 'error', 'txn', 'maintenance') and r['terminal_id'] not in terms:
                    bad('records line %d: unknown terminal %s' % (ln, r['terminal_id']))
                for f in ('merchant_id', 'site_id', 'terminal_id'):
                    if f in r and k in ('check', 'complaint', 'resolution'):
                        refs.append((ln, f, r[f]))
                if k == 'check' and not ('terminal_id' in r or 'site_id' in r):
                    bad('records line %d: check without target' % ln)
                if k == 'resolution':
                    if not any(f in r for f in ('terminal_id', 'site_id', 'incident_id')):
                        bad('records line %d: resolution without target' % ln)
                    if r['cause'] not in CAUSES:
                        bad('records line %d: unknown cause %s' % (ln, r['cause']))
                if k == 'telemetry':
                    if 'packet_loss' in r and not (0 <= r['packet_loss'] <= 1):
                        bad('records line %d: packet_loss out of range' % ln)
                if k == 'txn':
                    if 'pan' in r and not PAN_RE.match(r['pan']):
                        bad('records line %d: pan not masked' % ln)
                    if 'response_code' not in r and not r.get('timed_out'):
                        bad('records line %d: txn with neither response nor timeout' % ln)
                    if 'stan' in r and not re.match(r'^\d{6}$', r['stan']):
                        bad('records line %d: bad stan' % ln)
                if k in ('telemetry', 'error', 'txn'):
                    t = parse_iso(r['ts'])
                    tid = r['terminal_id']
                    if tid in last and t < last[tid] - 60:
                        bad('records line %d: %s out of order by %ds' % (ln, tid, last[tid] - t))
                    last[tid] = max(last.get(tid, t), t)
                if failed(r):
                    fails[event_key(r)] += 1
    for ln, f, v in refs:
        if f == 'merchant_id' and v not in merch:
            bad('records line %d: unknown merchant %s' % (ln, v))
        if f == 'site_id' and v not in sites:
            bad('records line %d: unknown site %s' % (ln, v))
        if f == 'terminal_id' and v not in terms:
            bad('records line %d: unknown terminal %s' % (ln, v))
    faults = {}
    tev = collections.Counter()
    per_fault = collections.Counter()
    bgc = collections.Counter()
    with open(tpath, encoding='utf-8') as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                bad('truth line %d: bad JSON (%s)' % (ln, e))
                continue
            k = r.get('kind')
            if k == 'truth':
                for f in ('fault_id', 'cause', 'scope', 'terminals', 'start', 'end'):
                    if f not in r:
                        bad('truth line %d: no %s' % (ln, f))
                if r.get('cause') not in CAUSES:
                    bad('truth line %d: unknown cause %r' % (ln, r.get('cause')))
                if r['fault_id'] in faults:
                    bad('truth line %d: duplicate fault_id' % ln)
                if not isinstance(r.get('scope'), dict) or not r['scope']:
                    bad('truth line %d: empty scope' % ln)
                if not r.get('terminals'):
                    bad('truth line %d: no terminals' % ln)
                for tid in r.get('terminals', []):
                    if tid not in terms:
                        bad('truth line %d: unknown terminal %s' % (ln, tid))
                if parse_iso(r['start']) >= parse_iso(r['end']):
                    bad('truth line %d: start >= end' % ln)
                faults[r['fault_id']] = r
            elif k == 'truth_event':
                for f in ('ts', 'terminal_id', 'cause'):
                    if f not in r:
                        bad('truth line %d: truth_event without %s' % (ln, f))
                if r.get('cause') not in CAUSES:
                    bad('truth line %d: unknown cause %r' % (ln, r.get('cause')))
                fid = r.get('fault_id')
                if fid is not None:
                    if fid not in faults:
                        bad('truth line %d: unknown fault %s' % (ln, fid))
                    elif faults[fid]['cause'] != r['cause']:
                        bad('truth line %d: cause differs from its fault' % ln)
                    elif r['terminal_id'] not in faults[fid]['terminals']:
                        bad('truth line %d: terminal not in fault %s' % (ln, fid))
                    per_fault[fid] += 1
                else:
                    bgc[r['cause']] += 1
                tev[(r['ts'], r['terminal_id'], r.get('code'), r.get('stan', ''))] += 1
            else:
                bad('truth line %d: unexpected kind %r' % (ln, k))
    if tev != fails:
        miss = fails - tev
        extra = tev - fails
        bad('%d failed events without truth_event, %d truth_events without a failed event (e.g. %s)'
            % (sum(miss.values()), sum(extra.values()), (list(miss) or list(extra))[:2]))
    for fid, f in faults.items():
        c = cov.setdefault(f['cause'], collections.Counter())
        c['faults'] += 1
        c['events'] += per_fault[fid]
        c['scope:' + '+'.join(sorted(f['scope']))] += 1
        if per_fault[fid] == 0:
            c['silent'] += 1
    for cause, n in bgc.items():
        cov.setdefault(cause, collections.Counter())['background'] += n
    print('%s: %d records (%s), %d faults, %d truth_events (%d from faults)' % (
        d, sum(kinds.values()), ', '.join('%s %d' % kv for kv in sorted(kinds.items())), len(faults),
        sum(tev.values()), sum(per_fault.values())))
    return len(faults)


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    probs = []
    cov = {}
    for d in argv:
        check_dir(d, probs, cov)
    print()
    print('%-26s %6s %8s %10s %6s  scopes' % ('cause', 'faults', 'events', 'background', 'silent'))
    for c in CAUSES:
        x = cov.get(c, collections.Counter())
        scopes = ', '.join('%s:%d' % (k[6:], v) for k, v in sorted(x.items()) if k.startswith('scope:'))
        print('%-26s %6d %8d %10d %6d  %s' % (c, x['faults'], x['events'], x['background'], x['silent'], scopes))
    if len(argv) >= 10:
        for c in CAUSES:
            if cov.get(c, {}).get('faults', 0) < 3:
                probs.append('coverage: cause %s has fewer than 3 faults over %d seeds' % (c, len(argv)))
    if probs:
        print('\n%d problem(s):' % len(probs))
        for p in probs[:60]:
            print('  ' + p)
        return 1
    print('\nOK: no problems')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
