#!/usr/bin/env bash
# Sets up .venv with everything ncap needs, on a fresh machine. Idempotent:
# a second run with an unchanged pyproject.toml does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.ncap-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "setting up .venv (first run takes a few minutes)..."
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
# torch first, as 2.13.0: any other torch request pulls a multi-GB CUDA build here.
.venv/bin/python -m pip install -q "torch==2.13.0" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import ncap, torch, mujoco, dm_control, stable_baselines3, evotorch" \
  || { echo "setup failed: ncap or a dependency does not import" >&2; exit 1; }
echo "$want" > "$stamp"
