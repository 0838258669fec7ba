#!/usr/bin/env bash
# Accuracy benchmark: posdoc against the checklist baseline on simulated
# fleets, pooled over seeds: fault events per cause, and incidents (recall,
# precision, median time to incident from the fault's start and from its
# first failure).
# Usage: scripts/accuracy.sh [SEEDS] [extra posdoc-sim flags]
# e.g. scripts/accuracy.sh 8 --no-fleet-faults     (terminal-level faults only)
# SEED_BASE=104729 scripts/accuracy.sh 20 ...        (another family of seeds)
# GENERATOR=blind scripts/accuracy.sh 10             (fleets of scripts/blindgen.py,
#     a generator written from FORMAT.md alone, without reading posdoc's code;
#     SEED_BASE offsets its seeds)
# GENERATOR=gen3 scripts/accuracy.sh 10              (fleets of scripts/gen3/gen3.py,
#     a third, written the same way by another hand)
# GENERATOR=gen4 scripts/accuracy.sh 10              (scripts/gen4/gen4.py, a fourth)
# GENERATOR=gen5 scripts/accuracy.sh 10              (scripts/gen5/gen5.py, a fifth)
# GENERATOR=gen6 scripts/accuracy.sh 10              (scripts/gen6/gen6.py, a sixth)
# GENERATOR=gen7 scripts/accuracy.sh 10              (scripts/gen7/gen7.py, a seventh)
# GENERATOR=gen8 scripts/accuracy.sh 10              (scripts/gen8/gen8.py, an eighth)
# GENERATOR=gen9 scripts/accuracy.sh 10              (scripts/gen9/gen9.py, a ninth)
# GENERATOR=gen10 scripts/accuracy.sh 10             (scripts/gen10/gen10.py, a tenth)
# GENERATOR=gen11 scripts/accuracy.sh 10             (scripts/gen11/gen11.py, an eleventh)
# GENERATOR=gen12 scripts/accuracy.sh 10             (scripts/gen12/gen12.py, a twelfth)
# GENERATOR=gen13 scripts/accuracy.sh 10             (scripts/gen13/gen13.py, a thirteenth)
# GENERATOR=gen14 scripts/accuracy.sh 10             (scripts/gen14/gen14.py, a fourteenth;
#     its all-day declines and cashier slips, written as two fleet-wide
#     "faults", are left out of the faults as the others leave them out)
# GENERATOR=gen15 scripts/accuracy.sh 10             (scripts/gen15/gen15.py, a fifteenth)
# GENERATOR=gen16 scripts/accuracy.sh 10             (scripts/gen16/gen16.py, a sixteenth)
# GENERATOR=gen17 scripts/accuracy.sh 10             (scripts/gen17/gen17.py, a seventeenth)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-6}; shift || true
cargo build --release -q -p posdoc-cli -p posdoc-sim
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The blind generators: blindgen.py, and genN/genN.py for the others.
case "${GENERATOR:-}" in
  "") script= ;;
  blind) script=scripts/blindgen.py ;;
  *) script="scripts/$GENERATOR/$GENERATOR.py"
     [ -f "$script" ] || { echo "unknown GENERATOR $GENERATOR" >&2; exit 2; } ;;
esac
for s in $(seq 1 "$seeds"); do
  if [ -n "$script" ]; then
    python3 "$script" --seed "$((s + ${SEED_BASE:-0}))" "$@" --out "$dir/$s" > /dev/null 2>&1
    grep -v '"scope":{"fleet":"all"}' "$dir/$s/truth.jsonl" > "$dir/$s/truth.kept" || true
    mv "$dir/$s/truth.kept" "$dir/$s/truth.jsonl"
  else
    target/release/posdoc-sim --seed "$((s * ${SEED_BASE:-7919}))" "$@" --out "$dir/$s" > /dev/null 2>&1
  fi
  target/release/posdoc eval --records "$dir/$s/records.jsonl" --truth "$dir/$s/truth.jsonl" --json 2>/dev/null > "$dir/$s/eval.json"
done
python3 scripts/accuracy-report.py "$dir" "$seeds"
