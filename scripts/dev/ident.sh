#!/bin/bash
# ident.sh REF_BIN [NEW_BIN]: whether NEW_BIN's `diagnose` output is byte for
# byte REF_BIN's on nine seeds of the outside sets (English) and two in
# Chinese; for changes meant to leave behaviour alone (speed work).
# Reference outputs are cached in /work/ident/REF_NAME/.
REF=${1:?reference binary}
NEW=${2:-/work/main/target/release/posdoc}
cache=/work/ident/$(basename "$REF")
mkdir -p "$cache"
fail=0
check() { # set/seed lang
  local in=/work/data/$1/records.jsonl ref=$cache/$(echo "$1" | tr / _).$2
  [ -f "$ref" ] || "$REF" diagnose -i "$in" -o "$ref" --no-progress --lang "$2" 2>/dev/null
  "$NEW" diagnose -i "$in" -o /tmp/ident.out --no-progress --lang "$2" 2>/dev/null
  if cmp -s "$ref" /tmp/ident.out; then echo "same $1 $2"; else echo "DIFF $1 $2"; fail=1; fi
}
for gs in gen9/seed1 gen12/seed1 gen7/seed2 blind/seed1 simA/seed1 gen5/seed3 gen13/seed4 gen8/seed2 gen10/seed5; do
  check "$gs" en
done
for gs in gen9/seed1 blind/seed1; do check "$gs" zh; done
exit $fail
