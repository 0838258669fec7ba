#!/usr/bin/env python3
"""validate.py - check a gen14 output directory against posdoc record format v1.

Usage: python3 validate.py DIR [DIR ...]
Each DIR holds records.jsonl and truth.jsonl.  Prints problems (with line
numbers) and a summary; exit status 1 if any problem was found.

Checks: every line is JSON with a known kind and the kind's required fields;
RFC 3339 times; 8-char TIDs and 15-char MIDs; enumerations (network, stage,
txn type, channel, reboot, key_check, printer, settlement, currency);
numeric ranges; card numbers only masked first-6/last-4 and no full PAN
anywhere; no PIN blocks, track data or CVV; per-terminal time order within
the 60 s allowance; inventory references; truth records well formed with
causes from the contract list; every truth_event points at an existing
failed event (same terminal and ts, matching code/stan) and every failed
event has exactly one truth_event.
"""
import datetime as dt
import json
import os
import re
import sys

CAUSES = {
    'hardware.keypad', 'hardware.display', 'hardware.card_reader', 'hardware.printer', 'hardware.board',
    'power.supply', 'power.battery', 'network.signal', 'network.lan', 'network.carrier', 'software.bug',
    'software.incompatible', 'software.config', 'transmission.corruption', 'security.keys',
    'security.certificate', 'resource.storage', 'resource.memory', 'resource.cpu', 'operator.error',
    'business.txn_type', 'business.limit', 'business.risk', 'business.merchant', 'upstream.acquirer',
    'upstream.issuer', 'card.decline',
}
REQ = {
    'merchant': ['merchant_id', 'mcc'],
    'site': ['site_id', 'merchant_id'],
    'terminal': ['terminal_id', 'vendor', 'model'],
    'telemetry': ['ts', 'terminal_id'],
    'error': ['ts', 'terminal_id', 'code'],
    'txn': ['ts', 'terminal_id', 'type', 'amount', 'currency'],
    'check': ['ts', 'name', 'result'],
    'maintenance': ['ts', 'terminal_id', 'action'],
    'complaint': ['ts', 'complaint_id', 'from', 'merchant_id', 'text'],
    'resolution': ['ts', 'cause'],
}
NETWORKS = {'ethernet', 'wifi', 'cellular'}
STAGES = {'power_on', 'connect', 'tls', 'send', 'receive', 'mac', 'card_read', 'pin', 'print', 'app'}
TXN_TYPES = {'purchase', 'refund', 'void', 'preauth', 'completion', 'balance', 'reversal'}
CHANNELS = {'card_ic', 'card_swipe', 'nfc', 'qr'}
REBOOTS = {'power_loss', 'watchdog', 'crash', 'user', 'update'}
ACTIONS = {'daily_check', 'weekly_clean', 'monthly_inspection', 'firmware_update', 'part_replaced', 'repair'}
APPROVALS = {'00'}
RFC3339 = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')
MASKED = re.compile(r'^\d{6}\*{3,9}\d{4}$')
LONG_DIGITS = re.compile(r'(?<!\d)\d{13,19}(?!\d)')
TRACK2 = re.compile(r'\d{12,19}[=D]\d{4}')
TRACK1 = re.compile(r'%?B\d{12,19}\^')
BAD_KEYS = re.compile(r'(pin_?block|pinblock|track|cvv|cvc|cvn|cav|icvv|pin_data|epb)', re.I)
TELE_NUM = {'rssi_dbm': (-140, 0), 'latency_ms': (0, 600000), 'packet_loss': (0, 1), 'supply_v': (0, 48),
            'battery_pct': (0, 100), 'power_events': (0, 10000), 'storage_used_pct': (0, 100),
            'memory_used_pct': (0, 100), 'cpu_pct': (0, 100), 'temp_c': (-60, 150), 'clock_skew_s': (-3e9, 3e9),
            'keypad_errors': (0, 10000), 'card_reader_errors': (0, 10000), 'app_crashes': (0, 10000)}


def parse_ts(s):
    if not isinstance(s, str) or not RFC3339.match(s):
        return None
    try:
        return dt.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
    except ValueError:
        return None


def walk_strings(obj, path=''):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_strings(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk_strings(v, path)
    elif isinstance(obj, str):
        yield path, obj


def walk_keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from walk_keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk_keys(v)


def validate(d):
    probs = []

    def P(msg):
        probs.append(msg)

    recs = []
    path = os.path.join(d, 'records.jsonl')
    with open(path, encoding='utf-8') as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                P('records:%d: bad JSON (%s)' % (ln, e))
                continue
            if not isinstance(r, dict) or 'kind' not in r:
                P('records:%d: no kind' % ln)
                continue
            recs.append((ln, r))
    merchants, sites, terms = {}, {}, {}
    kinds = {}
    for ln, r in recs:
        k = r['kind']
        kinds[k] = kinds.get(k, 0) + 1
        if k not in REQ:
            P('records:%d: unknown kind %r' % (ln, k))
            continue
        for f in REQ[k]:
            if f not in r or r[f] in (None, ''):
                P('records:%d: %s missing %s' % (ln, k, f))
        if 'ts' in r and parse_ts(r['ts']) is None:
            P('records:%d: bad ts %r' % (ln, r.get('ts')))
        if 'terminal_id' in r and (not isinstance(r['terminal_id'], str) or len(r['terminal_id']) != 8):
            P('records:%d: terminal_id not 8 chars: %r' % (ln, r.get('terminal_id')))
        if 'merchant_id' in r and (not isinstance(r['merchant_id'], str) or len(r['merchant_id']) != 15):
            P('records:%d: merchant_id not 15 chars: %r' % (ln, r.get('merchant_id')))
        # sensitive data
        for key in walk_keys(r):
            if BAD_KEYS.search(key):
                P('records:%d: forbidden field %r' % (ln, key))
        for fld, s in walk_strings(r):
            if fld == 'pan':
                continue
            if fld == 'merchant_id':
                continue
            if LONG_DIGITS.search(s):
                P('records:%d: long digit string (possible PAN) in %s: %r' % (ln, fld, s[:60]))
            if TRACK2.search(s) or TRACK1.search(s):
                P('records:%d: track-like data in %s' % (ln, fld))
            if re.search(r'\bCVV\b|\bCVN\b|PIN ?BLOCK', s, re.I):
                P('records:%d: CVV/PIN block text in %s' % (ln, fld))
        if 'pan' in r and (not isinstance(r['pan'], str) or not MASKED.match(r['pan'])):
            P('records:%d: pan not masked first6/last4: %r' % (ln, r.get('pan')))
        if k == 'merchant':
            merchants[r['merchant_id']] = r
            if r.get('settlement') not in (None, 'direct', 'indirect'):
                P('records:%d: bad settlement' % ln)
            for f in ('card_rate', 'qr_rate'):
                if f in r and not (0 <= r[f] < 0.1):
                    P('records:%d: bad %s' % (ln, f))
        elif k == 'site':
            sites[r['site_id']] = r
        elif k == 'terminal':
            terms[r['terminal_id']] = r
            if r.get('network') not in (None,) and r['network'] not in NETWORKS:
                P('records:%d: bad network %r' % (ln, r['network']))
            if r['vendor'] != r['vendor'].lower():
                P('records:%d: vendor not lowercase' % ln)
            if 'cert_not_after' in r and parse_ts(r['cert_not_after']) is None:
                P('records:%d: bad cert_not_after' % ln)
        elif k == 'telemetry':
            for f, (lo, hi) in TELE_NUM.items():
                if f in r:
                    v = r[f]
                    if not isinstance(v, (int, float)) or isinstance(v, bool) or not (lo <= v <= hi):
                        P('records:%d: telemetry %s out of range: %r' % (ln, f, v))
            if 'online' in r and not isinstance(r['online'], bool):
                P('records:%d: online not bool' % ln)
            if 'reboot' in r and r['reboot'] not in REBOOTS:
                P('records:%d: bad reboot %r' % (ln, r['reboot']))
            if 'key_check' in r and r['key_check'] not in ('ok', 'mismatch', 'missing'):
                P('records:%d: bad key_check' % ln)
            if 'printer' in r and r['printer'] not in ('ok', 'paper_out', 'fault'):
                P('records:%d: bad printer' % ln)
        elif k == 'error':
            if not isinstance(r['code'], str):
                P('records:%d: error code not a string' % ln)
            if 'stage' in r and r['stage'] not in STAGES:
                P('records:%d: bad stage %r' % (ln, r['stage']))
        elif k == 'txn':
            if r['type'] not in TXN_TYPES:
                P('records:%d: bad txn type %r' % (ln, r['type']))
            if 'channel' in r and r['channel'] not in CHANNELS:
                P('records:%d: bad channel %r' % (ln, r['channel']))
            if not isinstance(r['amount'], int) or isinstance(r['amount'], bool) or r['amount'] < 0:
                P('records:%d: amount not a non-negative integer' % ln)
            if r['currency'] not in ('CNY', '156'):
                P('records:%d: bad currency' % ln)
            if 'response_code' in r and not isinstance(r['response_code'], str):
                P('records:%d: response_code not a string' % ln)
            if r.get('timed_out') and 'response_code' in r:
                P('records:%d: timed out txn with a response code' % ln)
            if 'stan' in r and not re.match(r'^\d{6}$', str(r['stan'])):
                P('records:%d: bad stan' % ln)
        elif k == 'check':
            if 'terminal_id' not in r and 'site_id' not in r:
                P('records:%d: check without target' % ln)
        elif k == 'maintenance':
            if r['action'] not in ACTIONS:
                P('records:%d: bad maintenance action' % ln)
        elif k == 'complaint':
            if r['from'] not in ('merchant', 'customer'):
                P('records:%d: bad complaint from' % ln)
        elif k == 'resolution':
            if not any(x in r for x in ('terminal_id', 'site_id', 'incident_id')):
                P('records:%d: resolution without target' % ln)
            if '.'.join(str(r['cause']).split('.')[:2]) not in CAUSES:
                P('records:%d: resolution cause not in contract list' % ln)
    # references
    for ln, r in recs:
        k = r['kind']
        if k == 'site' and r['merchant_id'] not in merchants:
            P('records:%d: site of unknown merchant' % ln)
        if k == 'terminal':
            if r.get('merchant_id') and r['merchant_id'] not in merchants:
                P('records:%d: terminal of unknown merchant' % ln)
            if r.get('site_id') and r['site_id'] not in sites:
                P('records:%d: terminal at unknown site' % ln)
        if k in ('telemetry', 'error', 'txn', 'maintenance') and r.get('terminal_id') not in terms:
            P('records:%d: %s for unknown terminal %r' % (ln, k, r.get('terminal_id')))
        if k in ('check', 'resolution'):
            if 'site_id' in r and r['site_id'] not in sites:
                P('records:%d: %s for unknown site' % (ln, k))
            if 'terminal_id' in r and r['terminal_id'] not in terms:
                P('records:%d: %s for unknown terminal' % (ln, k))
    # order per terminal (60 s allowance)
    last = {}
    for ln, r in recs:
        if r['kind'] in ('telemetry', 'error', 'txn') and 'ts' in r:
            t = parse_ts(r['ts'])
            if t is None:
                continue
            tid = r['terminal_id']
            mx = last.get(tid)
            if mx is not None and t < mx - 60:
                P('records:%d: out of order by %.0fs for %s' % (ln, mx - t, tid))
            last[tid] = t if mx is None else max(mx, t)
    # failed events
    failed = {}
    for ln, r in recs:
        k = r['kind']
        if k == 'error':
            code = r['code']
        elif k == 'txn' and (r.get('timed_out') or ('response_code' in r and r['response_code'] not in APPROVALS)):
            code = 'timeout' if r.get('timed_out') else r['response_code']
        else:
            continue
        key = (r['terminal_id'], parse_ts(r['ts']))
        failed.setdefault(key, []).append((ln, k, code, r.get('stan')))
    # truth
    faults = {}
    tevents = []
    tpath = os.path.join(d, 'truth.jsonl')
    with open(tpath, encoding='utf-8') as fh:
        for ln, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                P('truth:%d: bad JSON (%s)' % (ln, e))
                continue
            k = r.get('kind')
            if k == 'truth':
                for f in ('fault_id', 'cause', 'scope', 'terminals', 'start', 'end'):
                    if f not in r:
                        P('truth:%d: truth missing %s' % (ln, f))
                if r.get('cause') not in CAUSES:
                    P('truth:%d: cause %r not in contract list' % (ln, r.get('cause')))
                if not isinstance(r.get('scope'), dict) or not r.get('scope'):
                    P('truth:%d: scope not a non-empty object' % ln)
                if not isinstance(r.get('terminals'), list):
                    P('truth:%d: terminals not a list' % ln)
                else:
                    for tid in r['terminals']:
                        if tid not in terms:
                            P('truth:%d: unknown terminal %r' % (ln, tid))
                a, b = parse_ts(r.get('start')), parse_ts(r.get('end'))
                if a is None or b is None or a > b:
                    P('truth:%d: bad start/end' % ln)
                if r.get('fault_id') in faults:
                    P('truth:%d: duplicate fault_id' % ln)
                faults[r.get('fault_id')] = r
            elif k == 'truth_event':
                for f in ('ts', 'terminal_id', 'cause'):
                    if f not in r:
                        P('truth:%d: truth_event missing %s' % (ln, f))
                if r.get('cause') not in CAUSES:
                    P('truth:%d: cause %r not in contract list' % (ln, r.get('cause')))
                tevents.append((ln, r))
            else:
                P('truth:%d: unknown kind %r' % (ln, k))
    matched = {}
    for ln, te in tevents:
        key = (te.get('terminal_id'), parse_ts(te.get('ts')))
        cands = failed.get(key)
        if not cands:
            P('truth:%d: truth_event points at no failed event (%s %s)' % (ln, key[0], te.get('ts')))
            continue
        ok = [c for c in cands if ('code' not in te or te['code'] == c[2]) and
              ('stan' not in te or te['stan'] == c[3])]
        if not ok:
            P('truth:%d: truth_event code/stan do not match the failed event' % ln)
            continue
        matched[key] = matched.get(key, 0) + 1
        fid = te.get('fault_id')
        if fid is not None:
            if fid not in faults:
                P('truth:%d: truth_event of unknown fault %r' % (ln, fid))
            elif faults[fid]['cause'] != te.get('cause'):
                P('truth:%d: truth_event cause differs from its fault' % ln)
            elif te.get('terminal_id') not in faults[fid]['terminals']:
                P('truth:%d: truth_event terminal not in its fault' % ln)
    for key, cands in failed.items():
        n = matched.get(key, 0)
        if n == 0:
            P('records:%d: failed event without truth_event' % cands[0][0])
        elif n != len(cands):
            P('records:%d: %d failed events share terminal+ts, %d truth_events' % (cands[0][0], len(cands), n))
    # summary
    W = [parse_ts(r['ts']) for _, r in recs if r['kind'] in ('txn', 'telemetry', 'error')]
    w0, w1 = min(W), max(W)
    act = 0.0
    steps = 0
    t = w0
    real = [f for f in faults.values() if f.get('variant') != 'background']
    spans = [(parse_ts(f['start']), parse_ts(f['end'])) for f in real]
    while t < w1:
        act += sum(1 for a, b in spans if a <= t < b)
        steps += 1
        t += 300
    causes = sorted({f['cause'] for f in faults.values()})
    summary = dict(dir=d, records=len(recs), kinds=kinds, faults=len(faults), real_faults=len(real),
                   failed_events=sum(len(v) for v in failed.values()), truth_events=len(tevents),
                   mean_concurrent=round(act / max(1, steps), 1), causes=causes,
                   missing_causes=sorted(CAUSES - set(causes)), problems=len(probs))
    return probs, summary


def main():
    dirs = sys.argv[1:]
    if not dirs:
        print(__doc__)
        sys.exit(2)
    bad = 0
    allc = set()
    for d in dirs:
        probs, s = validate(d)
        allc |= set(s['causes'])
        for p in probs[:50]:
            print('%s: %s' % (d, p))
        if len(probs) > 50:
            print('%s: ... %d more problems' % (d, len(probs) - 50))
        print(json.dumps(s, ensure_ascii=False))
        bad += len(probs)
    if len(dirs) > 1:
        print('causes over all dirs: %d/%d; missing: %s' % (len(allc), len(CAUSES), sorted(CAUSES - allc)))
    print('OK' if not bad else 'PROBLEMS: %d' % bad)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
