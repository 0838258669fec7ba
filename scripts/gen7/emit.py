"""Serialisation: stable JSON, slight out-of-order delivery (<= 55 s), files."""
import json
import os
import random

from world import iso


def dumps(r):
    return json.dumps(r, ensure_ascii=False, separators=(',', ':'))


def write_outputs(out_dir, seed, inventory, observations, truth, truth_events):
    """observations / truth_events: lists of (t_epoch, terminal_id, record) in creation order"""
    rng = random.Random('gen7-emit-%d' % seed)
    os.makedirs(out_dir, exist_ok=True)
    keyed = []
    for i, (t, tid, r) in enumerate(observations):
        d = 0
        if r['kind'] in ('telemetry', 'txn', 'error') and rng.random() < 0.04:
            d = rng.randint(3, 55)          # delivered late by the collector
        keyed.append((t + d, tid or '', i, r))
    keyed.sort(key=lambda k: (k[0], k[1], k[2]))
    n = 0
    with open(os.path.join(out_dir, 'records.jsonl'), 'w', encoding='utf-8') as fh:
        for r in inventory:
            fh.write(dumps(r) + '\n')
            n += 1
        for _, _, _, r in keyed:
            fh.write(dumps(r) + '\n')
            n += 1
    te = sorted(((t, tid, i, r) for i, (t, tid, r) in enumerate(truth_events)), key=lambda k: (k[0], k[1], k[2]))
    with open(os.path.join(out_dir, 'truth.jsonl'), 'w', encoding='utf-8') as fh:
        for r in sorted(truth, key=lambda r: r['fault_id']):
            fh.write(dumps(r) + '\n')
        for _, _, _, r in te:
            fh.write(dumps(r) + '\n')
    return n, len(te)
