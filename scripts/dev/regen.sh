#!/usr/bin/env bash
# regenerates /work/data/GEN/seedN for all generators
cd "$(dirname "$0")/../.."
job() { g=$1; s=$2; d=/work/data/$g/seed$s; [ -f $d/truth.jsonl ] && return; mkdir -p $d
  case $g in
    blind) python3 scripts/blindgen.py --seed $s --out $d >/dev/null 2>&1;;
    simA) target/release/posdoc-sim --seed $((s*7919)) --out $d >/dev/null 2>&1;;
    simB) target/release/posdoc-sim --seed $((s*104729)) --out $d >/dev/null 2>&1;;
    # gen14 writes its all-day declines and slips as two fleet-wide
    # "faults"; the other sets leave them out of the truth's faults.
    gen14) python3 scripts/gen14/gen14.py --seed $s --out $d >/dev/null 2>&1
      grep -v '"scope":{"fleet":"all"}' $d/truth.jsonl | sed 's/,"fault_id":"F[0-9]*-BG[0-9]"//' > $d/truth.tmp && mv $d/truth.tmp $d/truth.jsonl;;
    *) python3 scripts/$g/$g.py --seed $s --out $d >/dev/null 2>&1;;
  esac; }
export -f job
{ for g in gen3 gen4 gen5 gen6 gen7 gen8 gen9 gen10 gen11 gen12 gen13 gen14 gen15 gen16 gen17 blind; do for s in $(seq 1 10); do echo $g $s; done; done
  for g in simA simB; do for s in $(seq 1 20); do echo $g $s; done; done; } | xargs -P 2 -n 2 bash -c 'job "$@"' _
