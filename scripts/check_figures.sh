#!/usr/bin/env bash
# Regenerates every committed figure set from the committed results into OUT (default /tmp/ncap-figures)
# and compares each regenerated file byte for byte with figures/: a refactor must not change one.
# Usage: bash scripts/check_figures.sh [OUT]   (about 30 minutes on 2 cores; exit 1 if any file differs)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/ncap-figures}
NCAP=.venv/bin/ncap
rm -rf "$OUT" && mkdir -p "$OUT"
$NCAP figures results/small --out "$OUT/small" || exit 1
$NCAP figures results/medium --out "$OUT/medium" || exit 1
$NCAP figures results/learning-check --figure 4a --out "$OUT/learning-check" || exit 1
$NCAP figures results/navigate --figure nav --transfer-episodes 20 --out "$OUT/navigate" || exit 1
$NCAP figures results/quadruped --figure quadruped --out "$OUT/quadruped" || exit 1
$NCAP figures results/claim6-ppo-2e6 --figure 7a --out "$OUT/claim6-ppo-2e6" || exit 1
$NCAP figures results/claim6-sharing-ppo-1e6 --figure 7a --out "$OUT/claim6-sharing-ppo-1e6" || exit 1
$NCAP figures results/claim6-sharing-es-1e7 --figure 7a --out "$OUT/claim6-sharing-es-1e7" || exit 1
.venv/bin/python scripts/length_control.py results/claim5-ppo-2e6 results/claim6-ppo-2e6 "$OUT/claim5" || exit 1
status=0
for set in small medium learning-check navigate quadruped claim6-ppo-2e6 claim6-sharing-ppo-1e6 claim6-sharing-es-1e7 claim5; do
  for file in figures/$set/*; do
    case "$file" in *.mp4) continue ;; esac
    name=$(basename "$file")
    if [ ! -f "$OUT/$set/$name" ]; then echo "not regenerated: $file"; status=1
    elif ! cmp -s "$file" "$OUT/$set/$name"; then echo "differs: $file"; status=1
    else echo "identical: $file"; fi
  done
done
exit $status
