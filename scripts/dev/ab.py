#!/usr/bin/env python3
"""ab.py BIN_A BIN_B [FILE] [N]: alternate runs, min and median wall time of each."""
import subprocess, sys, time, statistics
a, b = sys.argv[1], sys.argv[2]
f = sys.argv[3] if len(sys.argv) > 3 else "/work/data/gen12/seed2/records.jsonl"
n = int(sys.argv[4]) if len(sys.argv) > 4 else 15
ts = {a: [], b: []}
for _ in range(n):
    for x in (a, b):
        t = time.perf_counter()
        subprocess.run([x, "diagnose", "-i", f, "-o", "/dev/null", "--no-progress"], check=True, stderr=subprocess.DEVNULL)
        ts[x].append(time.perf_counter() - t)
for x in (a, b):
    print(f"{x}: min {min(ts[x])*1000:.1f} ms, median {statistics.median(ts[x])*1000:.1f} ms")
print(f"B/A min {min(ts[b])/min(ts[a]):.3f}, median {statistics.median(ts[b])/statistics.median(ts[a]):.3f}")
