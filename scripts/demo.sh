#!/usr/bin/env bash
# Sets up .venv (scripts/setup.sh) and runs the main job on a small default:
# trains the NCAP swimmer (6 links, PPO, 2e5 steps: a few minutes on 2 cores),
# then writes its learning curve, a video with the circuit's activity, an
# activity raster and an evaluation, all into runs/demo/. Run it again to
# resume an interrupted demo (a finished training is not repeated).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export MUJOCO_GL=${MUJOCO_GL:-egl}
NCAP=.venv/bin/ncap
run=runs/demo/ppo-ncap
$NCAP train --algo ppo --arch ncap --n-links 6 --steps 204800 --eval-every 40960 --eval-episodes 5 --seed 0 --out $run
$NCAP plot $run --out runs/demo/learning_curve.png
$NCAP video $run --activity --seconds 10 --out runs/demo/swimmer.mp4
$NCAP activity $run --out runs/demo/activity.png
$NCAP eval $run --episodes 10 --json > runs/demo/eval.json
echo "demo done: runs/demo/ (learning_curve.png, swimmer.mp4, activity.png, eval.json)"
