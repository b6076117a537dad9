"""Compare two test-suite timings, test by test: the check that a refactor leaves the suite no slower.

Run the old and the new tree side by side, one core each, nothing else training, and keep pytest's
duration report of each:

    (cd OLD && PYTHONPATH=OLD/src python -m pytest -q -p no:cacheprovider --durations=0 > old.txt) &
    (cd NEW && PYTHONPATH=NEW/src python -m pytest -q -p no:cacheprovider --durations=0 > new.txt) &
    wait; .venv/bin/python scripts/compare_test_durations.py old.txt new.txt

Prints the summed time (setup + call + teardown) of the tests both trees have, their ratio, the time of
the tests only one has, and the largest changes. pytest hides phases under 5 ms; those count as 0.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"\s*([\d.]+)s (?:call|setup|teardown)\s+(\S+)")


def durations(path: Path) -> dict[str, float]:
    """Seconds per test id from a ``pytest --durations=0`` report."""
    seconds: dict[str, float] = defaultdict(float)
    for line in path.read_text().splitlines():
        match = LINE.match(line)
        if match:
            seconds[match.group(2)] += float(match.group(1))
    return dict(seconds)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    for path in (args.old, args.new):
        if not path.is_file():
            parser.error(f"no such file: {path}")
    old, new = durations(args.old), durations(args.new)
    if not old or not new:
        parser.error("no duration lines found: run pytest with --durations=0")
    common = set(old) & set(new)
    if not common:
        parser.error("the two reports share no test")
    before, after = sum(old[t] for t in common), sum(new[t] for t in common)
    print(f"tests both trees have: {len(common)}; old {before:.1f} s, new {after:.1f} s, new/old {after / before:.3f}")
    print(f"only in old: {len(set(old) - common)} tests, {sum(old[t] for t in set(old) - common):.1f} s; "
          f"only in new: {len(set(new) - common)} tests, {sum(new[t] for t in set(new) - common):.1f} s")
    changes = sorted(common, key=lambda t: new[t] - old[t])
    for label, tests in (("slower", reversed(changes[-5:])), ("faster", changes[:5])):
        print(f"most {label}:")
        for test in tests:
            print(f"  {new[test] - old[test]:+7.1f} s  {test}  ({old[test]:.1f} -> {new[test]:.1f})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # e.g. `... | head`
        sys.stdout = open("/dev/null", "w")  # noqa: SIM115
        sys.exit(0)
