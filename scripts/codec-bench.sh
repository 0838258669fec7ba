#!/usr/bin/env bash
# ISO 8583 codec speed, posdoc beside pyiso8583, in one run on one core:
# posdoc's criterion bench (a 25-field CUP sale, owned and zero-copy paths),
# then pyiso8583 (pip install pyiso8583) decoding and encoding a 25-field
# message of its own default_ascii spec.
set -euo pipefail
cd "$(dirname "$0")/.."
taskset -c 0 cargo bench -q -p posdoc-iso8583 --bench codec -- \
  --warm-up-time 1 --measurement-time 3 'decode\+encode' 2>&1 | grep -E '^cup|time:|thrpt:' | grep -v '%'
taskset -c 0 python3 - <<'PY'
import time, iso8583
from iso8583.specs import default_ascii as spec
doc = {"t": "0200", "2": "6217001234567891237", "3": "000000", "4": "000000012345",
       "7": "1203101500", "11": "000403", "12": "101500", "13": "1203", "14": "2806",
       "18": "5812", "22": "071", "23": "001", "25": "00", "26": "12", "32": "48020000",
       "35": "6217001234567891237=2806201", "37": "307151005294", "41": "10000019",
       "42": "850100082410002", "43": "POSDOC TEST SHOP         HANGZHOU     CN",
       "48": "0012345678", "49": "156", "52": "0123456789ABCDEF", "53": "2600000000000000",
       "55": "9F2608000000000000000082027C00", "60": "22000024000600"}
raw, _ = iso8583.encode(dict(doc), spec)
n = 20000
t = time.perf_counter()
for _ in range(n):
    d, _ = iso8583.decode(raw, spec)
    iso8583.encode(d, spec)
dt = time.perf_counter() - t
print(f"pyiso8583 {iso8583.__version__}: 25-field message decode+encode {dt / n * 1e6:.1f} us = {n / dt:,.0f} messages/s")
PY
