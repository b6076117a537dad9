#!/usr/bin/env bash
# Mean swim return of untrained architectures across body lengths (10 episodes each, seed 0).
# Prints a Markdown table. Usage: bash scripts/untrained_returns.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "| n_links | NCAP (4 params) | MLP(256,256) | random |"
echo "|---|---|---|---|"
for n in 4 6 8 10 12 14; do
  row="| $n |"
  for arch in ncap mlp random; do
    json=$(.venv/bin/ncap eval --init --arch "$arch" --n-links "$n" --episodes 10 --seed 0 --json)
    row="$row $(echo "$json" | .venv/bin/python -c 'import json, sys; d = json.load(sys.stdin); print("%.1f ± %.1f" % (d["mean_return"], d["std_return"]))') |"
  done
  echo "$row"
done
