#!/usr/bin/env bash
# Sets up .venv (scripts/setup.sh) and runs the main job on a small default.
# Output goes to runs/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export MUJOCO_GL=${MUJOCO_GL:-egl}
mkdir -p runs/demo
.venv/bin/ncap eval --init --arch ncap --n-links 6 --episodes 10 --json | tee runs/demo/untrained_ncap.json
