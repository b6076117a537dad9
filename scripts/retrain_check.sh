#!/usr/bin/env bash
# Retrains seven small runs (PPO and ES on the circuit, PPO MLP on navigate, DDPG, quadruped ES and PPO,
# ES on a compiled spec) into OUT with the code on PYTHONPATH (default: this checkout), and, given a
# second folder BEFORE made the same way by other code, compares their metrics rows (wall time aside).
# A refactor must leave every row as it was. About 3 minutes on one core.
# Usage: bash scripts/retrain_check.sh OUT [BEFORE]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$1; BEFORE=${2:-}
mkdir -p "$OUT"
N=".venv/bin/ncap train --threads 1"
$N --out "$OUT/ppo-ncap" --algo ppo --steps 8192 --eval-every 4096 --eval-episodes 2 --seed 3 > /dev/null
$N --out "$OUT/es-ncap" --algo es --steps 40000 --eval-every 20000 --eval-episodes 2 --seed 3 --es-population 8 > /dev/null
$N --out "$OUT/ppo-mlp-nav" --task navigate --arch mlp --hidden 8,8 --algo ppo --steps 8192 --eval-every 4096 \
  --eval-episodes 2 --seed 1 > /dev/null
$N --out "$OUT/ddpg-mlp" --algo ddpg --arch mlp --hidden 8,8 --steps 3000 --eval-every 1500 --eval-episodes 1 --seed 2 \
  --offpolicy-learning-starts 1000 --offpolicy-random-steps 1000 > /dev/null
$N --out "$OUT/es-quad" --task quadruped --algo es --steps 20000 --eval-every 10000 --eval-episodes 1 --seed 0 \
  --es-population 4 > /dev/null
$N --out "$OUT/ppo-quad" --task quadruped --algo ppo --steps 4096 --eval-every 4096 --eval-episodes 1 --seed 0 > /dev/null
$N --out "$OUT/es-spec" --algo es --circuit-spec swimmer-cpg --steps 20000 --eval-every 10000 --eval-episodes 1 \
  --seed 0 --es-population 4 > /dev/null
[ -z "$BEFORE" ] && exit 0
status=0
for run in ppo-ncap es-ncap ppo-mlp-nav ddpg-mlp es-quad ppo-quad es-spec; do
  if diff -q <(cut -d, -f1,3- "$BEFORE/$run/metrics.csv") <(cut -d, -f1,3- "$OUT/$run/metrics.csv") > /dev/null; then
    echo "same metrics rows: $run"
  else
    echo "differs: $run"; status=1
  fi
done
exit $status
