#!/usr/bin/env bash
# Sets up .venv (scripts/setup.sh) and runs the default test suite (slow tests excluded) on every
# core (pytest-xdist), then the multi-node Ray test (slow: a 3-node cluster loses a node mid-run;
# about 2 minutes).
# Extra arguments go to pytest instead, e.g. `bash scripts/test.sh -m slow`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export MUJOCO_GL=${MUJOCO_GL:-egl}
run_pytest() {
  .venv/bin/python -m pytest "$@"
  local code=$?
  if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests: failing on purpose" >&2
    return 1
  fi
  return "$code"
}
if [ "$#" -gt 0 ]; then
  run_pytest "$@"
  exit $?
fi
run_pytest -n auto || exit $?
run_pytest -m slow tests/test_ray_sweep.py
