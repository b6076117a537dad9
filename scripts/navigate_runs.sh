#!/usr/bin/env bash
# The navigate measurements: the learned controller on the constant-init circuit (ES and PPO,
# circuit frozen), and an MLP(256,256) with PPO at 1e6 steps. Resumable. Results: runs/navigate/.
set -uo pipefail
cd "$(dirname "$0")/.."
NCAP=.venv/bin/ncap
out=runs/navigate
$NCAP train --task navigate --controller learned --freeze-circuit --algo es --steps 1024000 --eval-every 128000 \
  --eval-episodes 20 --out $out/es-learned-frozen-0 --config scripts/es_pop64.yaml
$NCAP train --task navigate --controller learned --freeze-circuit --algo ppo --steps 300000 --eval-every 50000 \
  --eval-episodes 20 --out $out/ppo-learned-frozen-0
$NCAP train --task navigate --arch mlp --hidden 256,256 --algo ppo --steps 1000000 --eval-every 100000 \
  --eval-episodes 20 --out $out/ppo-mlp-0
