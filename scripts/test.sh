#!/usr/bin/env bash
# Sets up .venv (scripts/setup.sh) and runs the default test suite (slow tests excluded).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m slow`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export MUJOCO_GL=${MUJOCO_GL:-egl}
.venv/bin/python -m pytest "$@"
code=$?
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: failing on purpose" >&2
  exit 1
fi
exit "$code"
