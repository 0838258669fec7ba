#!/usr/bin/env bash
# all.sh TAG [GENS...]: snapshot the binary as /work/bin/posdoc-TAG, eval every seed, print a summary
tag=$1; shift; gens=${*:-"gen3 gen4 gen5 gen6 gen7 gen8 gen9 gen10 gen11 gen12 gen13 gen14 gen15 gen16 gen17 blind"}
B=${POSDOC:-/work/bin/posdoc-$tag}
[ -n "$POSDOC" ] || { mkdir -p /work/bin; cp "$(dirname "$0")/../../target/release/posdoc" "$B"; }
for g in $gens; do for d in /work/data/$g/seed*; do s=${d##*seed}; mkdir -p /work/res/$tag/$g
  echo "$B eval --records $d/records.jsonl --truth $d/truth.jsonl --json > /work/res/$tag/$g/$s.json 2>/dev/null"; done; done | xargs -P 2 -I{} sh -c '{}'
python3 "$(dirname "$0")/summary.py" $tag $gens
