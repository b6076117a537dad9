#!/usr/bin/env bash
# Copies the small files of runs (config.yaml, circuit.yaml of spec circuits, metrics.csv, and policy.pt once finished) from
# runs/<group>/ into results/<group>/ so that measurements travel with the repository.
# Usage: bash scripts/collect_results.sh learning-check navigate
set -euo pipefail
cd "$(dirname "$0")/.."
for group in "$@"; do
  for run in runs/"$group"/*/; do
    name=$(basename "$run")
    mkdir -p "results/$group/$name"
    for file in config.yaml circuit.yaml metrics.csv policy.pt; do
      if [ -f "$run/$file" ]; then cp "$run/$file" "results/$group/$name/"; fi
    done
  done
done
