#!/usr/bin/env python3
"""speed.py BIN [SEED]: the whole `BIN diagnose -i FILE -o /dev/null` run on
each set's seed (default 2) under /work/data, best of 3, in records/s."""
import os, subprocess, sys, time

binary = sys.argv[1]
seed = sys.argv[2] if len(sys.argv) > 2 else "2"
total_records = total_secs = 0
slowest = (float("inf"), "")
for g in "gen3 gen4 gen5 gen6 gen7 gen8 gen9 gen10 gen11 gen12 gen13 gen14 gen15 gen16 gen17 blind simA simB".split():
    path = f"/work/data/{g}/seed{seed}/records.jsonl"
    if not os.path.exists(path):
        print(f"{g:6} not generated (scripts/dev/regen.sh writes it)")
        continue
    n = sum(1 for _ in open(path))
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([binary, "diagnose", "-i", path, "-o", "/dev/null"], stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t)
    total_records += n
    total_secs += best
    slowest = min(slowest, (n / best, g))
    print(f"{g:6} {n:7} {best:.3f}s {n / best / 1000:.0f}k rec/s")
print(f"all {total_records / total_secs / 1000:.0f}k rec/s, slowest {slowest[1]} {slowest[0] / 1000:.0f}k")
