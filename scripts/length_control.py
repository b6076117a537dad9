"""Claim 5's control (issue 29): circuits trained directly at each length, the 5-joint circuits moved there
zero-shot, and the untrained circuit, on the same evaluation starts.

    .venv/bin/python scripts/length_control.py results/claim5-ppo-2e6 results/claim6-ppo-2e6 figures/claim5
"""

import argparse
import sys

from ncap.errors import NcapError
from ncap.experiments.length_control import length_control_figure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("direct", help="runs trained at several lengths (PPO circuit)")
    parser.add_argument("transfer", help="runs holding the PPO circuit trained at 6 links")
    parser.add_argument("out", help="folder for length_control.png/.svg/.csv")
    args = parser.parse_args()
    try:
        for path in length_control_figure(args.direct, args.transfer, args.out):
            print(f"wrote {path}")
    except NcapError as error:
        print(f"length_control: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
