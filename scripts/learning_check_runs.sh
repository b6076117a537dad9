#!/usr/bin/env bash
# A first check of learning at small budgets: NCAP and MLP(256,256) with PPO (1e6 steps)
# and ES (5e6 steps), NCAP with DDPG (1e5 steps); seeds 0, 1, 2. Resumable: run it again
# after any interruption and finished runs are skipped. Results: runs/learning-check/*/metrics.csv.
set -uo pipefail
cd "$(dirname "$0")/.."
NCAP=.venv/bin/ncap
extra=${THREADS:+--threads $THREADS}  # THREADS=1 when sharing the machine with another job
out=runs/learning-check
for seed in 0 1 2; do
  $NCAP train --algo ppo --arch ncap --steps 1000000 --eval-every 100000 --seed $seed --out $out/ppo-ncap-$seed $extra
  $NCAP train --algo ppo --arch mlp --hidden 256,256 --steps 1000000 --eval-every 100000 --seed $seed --out $out/ppo-mlp-$seed $extra
  $NCAP train --algo es --arch ncap --steps 5000000 --eval-every 512000 --seed $seed --out $out/es-ncap-$seed $extra
  $NCAP train --algo es --arch mlp --hidden 256,256 --steps 5000000 --eval-every 512000 --seed $seed --out $out/es-mlp-$seed $extra
  $NCAP train --algo ddpg --arch ncap --steps 100000 --eval-every 10000 --seed $seed --out $out/ddpg-ncap-$seed $extra
done
