#!/usr/bin/env python3
"""gen7 -- blind POS-fleet test-data generator (bank-acquirer flavour, South China).

usage: python3 gen7.py --seed N --out DIR
writes DIR/records.jsonl (posdoc record format v1) and DIR/truth.jsonl (truth + truth_event).
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bg          # noqa: E402
import emit        # noqa: E402
import people      # noqa: E402
import planner     # noqa: E402
import sim         # noqa: E402
import world       # noqa: E402


def generate(seed, out_dir, quiet=False):
    t_start = time.time()
    w = world.build_world(seed)
    faults, ghosts = planner.plan(w, seed)
    rollouts = list(ghosts) + [f.ro for f in faults if hasattr(f, 'ro')]
    for f in faults:
        if hasattr(f, 'finalize'):
            f.finalize(w, rollouts)
    faults = [f for f in faults if f.terms]
    inventory = world.inventory_records(w)
    by_term = {}
    for c in list(faults) + list(ghosts):
        for tid in sorted(c.terms):
            by_term.setdefault(tid, []).append(c)
    obs, tev = [], []
    first = {}
    for T in sorted(w.terms, key=lambda x: x['terminal_id']):
        tid = T['terminal_id']
        rng = random.Random('gen7-term-%d-%s' % (seed, tid))
        mine = by_term.get(tid, [])
        sup = set()
        for c in mine:
            sup.update(getattr(c, 'suppress', ()))
        cs = [c for c in bg.background_for(T, w, rng) if type(c).__name__ not in sup] + mine
        ts = sim.TermSim(w, T, cs, rng).run()
        for t, r in ts.recs:
            if t < w.T1:
                obs.append((t, tid, r))
        for t, te in ts.truth:
            if t < w.T1:
                tev.append((t, tid, te))
                fid = te.get('fault_id')
                if fid and (fid not in first or t < first[fid][0]):
                    first[fid] = (t, tid, te['code'])
    prng = random.Random('gen7-people-%d' % seed)
    for t, r in people.people_records(w, faults, first, prng):
        obs.append((t, r.get('terminal_id') or r.get('site_id') or '', r))
    truth = [f.truth(world.iso) for f in faults]
    n_rec, n_te = emit.write_outputs(out_dir, seed, inventory, obs, truth, tev)
    dt = time.time() - t_start
    if not quiet:
        print('seed %d: %d terminals, %d faults, %d records, %d truth_events, %.1fs -> %s'
              % (seed, len(w.terms), len(faults), n_rec, n_te, dt, out_dir))
    return dict(seed=seed, terminals=len(w.terms), faults=len(faults), records=n_rec, truth_events=n_te, seconds=dt)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--out', required=True)
    a = ap.parse_args(argv)
    generate(a.seed, a.out)


if __name__ == '__main__':
    main()
