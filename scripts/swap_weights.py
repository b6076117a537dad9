"""Which weights carry the difference between two trained runs of one architecture?

    .venv/bin/python scripts/swap_weights.py results/medium/ppo-ncap-s0 results/medium/es-ncap-s0

Starts from BASE's policy and puts DONOR's value of each named parameter into it, one
parameter at a time, then all of them; prints the deterministic evaluation return of each
(``--episodes`` episodes from evaluation seed ``--seed``, the runs' own evaluation starts
by default). Both runs must share the architecture and the body length.
"""

from __future__ import annotations

import argparse
import sys

import torch

from ncap.errors import NcapError
from ncap.evaluation import evaluate
from ncap.runs import load_run_policy


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="run directory whose policy is changed")
    parser.add_argument("donor", help="run directory whose weights are put in, one parameter at a time")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1_000_000, help="evaluation seed (default: the runs')")
    args = parser.parse_args(argv)
    try:
        base, task, n_links = load_run_policy(args.base)
        donor, donor_task, donor_links = load_run_policy(args.donor)
    except (NcapError, OSError) as error:
        parser.exit(2, f"error: {error}\n")
    own = {name: p.detach().clone() for name, p in base.named_parameters()}
    given = {name: p.detach().clone() for name, p in donor.named_parameters()}
    if (task, n_links) != (donor_task, donor_links) or {k: v.shape for k, v in own.items()} != {
            k: v.shape for k, v in given.items()}:
        parser.exit(2, "error: the two runs differ in task, body length or architecture\n")

    def score(swapped: tuple[str, ...]) -> float:
        with torch.no_grad():
            for name, param in base.named_parameters():
                param.copy_(given[name] if name in swapped else own[name])
        return evaluate(base, task, n_links, episodes=args.episodes, seed=args.seed).mean_return

    print("| weights from donor | return |\n|---|---|")
    for swapped in [(), *((name,) for name in own), tuple(own)]:
        print(f"| {', '.join(name.split('.')[-1] for name in swapped) or 'none (base)'} | {score(swapped):.1f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
