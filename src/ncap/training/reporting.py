"""What a run reports: evaluations, metrics rows, TensorBoard, a progress bar."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

from torch import nn
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from ncap.config import TrainConfig
from ncap.evaluation import ActionNoise, evaluate
from ncap.runs import RunDir


class RunLogger:
    """Evaluates on fixed seeds every ``eval_every`` env steps and records the results.

    Rows go to the caller (who checkpoints them with the run's state) and,
    once saved, to TensorBoard and the progress bar. The bar (steps, steps/s,
    latest evaluation return, ETA) shows on a terminal; elsewhere (``nohup``,
    a sweep's log) each saved row prints one line to stderr with the same facts
    (see :func:`progress_line`).
    """

    def __init__(self, run: RunDir, config: TrainConfig, metrics: list[dict], elapsed: float = 0.0):
        self.run, self.config, self.metrics = run, config, metrics
        self.elapsed_before, self.started = elapsed, time.perf_counter()
        done = int(metrics[-1]["env_steps"]) if metrics else 0
        self.steps_at_start = done
        self.next_eval = (done // config.eval_every + 1) * config.eval_every if metrics else 0
        self.writer: SummaryWriter | None = None
        self.on_terminal = sys.stderr.isatty()
        self.bar = tqdm(total=config.steps, initial=min(done, config.steps), unit="step", dynamic_ncols=True,
                        disable=not self.on_terminal, desc=f"{config.algo} {config.arch.arch}")

    @property
    def wall_time(self) -> float:
        """Seconds of training so far, across interruptions."""
        return self.elapsed_before + time.perf_counter() - self.started

    def due(self, env_steps: int) -> bool:
        return env_steps >= self.next_eval

    def evaluate(self, policy: nn.Module, env_steps: int, train_return: float,
                 noise: ActionNoise | None = None) -> dict:
        """Evaluate ``policy`` (deterministic, and sampled with ``noise``) and append the metrics row (returned)."""
        result = evaluate(policy, self.config.task, self.config.n_links, episodes=self.config.eval_episodes,
                          seed=self.config.eval_seed, nthread=self.config.threads, noise=noise,
                          quadruped=self.config.quadruped)
        row = {"env_steps": env_steps, "wall_time": round(self.wall_time, 3),
               "return_deterministic": result.mean_return, "return_deterministic_std": result.std_return,
               "return_sampled": result.mean_sampled_return, "return_sampled_std": result.std_sampled_return,
               "train_return": train_return, "reach_rate": result.reach_rate,
               "time_to_reach": result.mean_time_to_reach, "final_distance": result.mean_final_distance,
               "forward_displacement": result.mean_displacement, "forward_speed": result.mean_forward_speed,
               "fall_rate": result.fall_rate}
        self.metrics.append(row)
        while self.next_eval <= env_steps:
            self.next_eval += self.config.eval_every
        return row

    def record(self, env_steps: int, policy: Callable[[], nn.Module], train_return: float,
               state: Callable[[], dict], force: bool = False, noise: ActionNoise | None = None) -> None:
        """If an evaluation is due (or ``force``, once per step count): evaluate,
        checkpoint the run with the new row, then publish it."""
        if not (force or self.due(env_steps)):
            return
        if force and self.metrics and self.metrics[-1]["env_steps"] == env_steps:
            return
        row = self.evaluate(policy(), env_steps, train_return, noise)
        self.run.save_checkpoint(state(), self.metrics)
        self.publish(row)

    def publish(self, row: dict) -> None:
        """Show a saved row: TensorBoard and the progress bar (quiet when not on a terminal)."""
        if self.writer is None:
            self.writer = SummaryWriter(str(self.run.path / "tb"))
        step = int(row["env_steps"])
        for name, tag in (("return_deterministic", "eval/return_deterministic"),
                          ("return_deterministic_std", "eval/return_deterministic_std"),
                          ("return_sampled", "eval/return_sampled"), ("return_sampled_std", "eval/return_sampled_std"),
                          ("train_return", "train/return"), ("reach_rate", "eval/reach_rate"),
                          ("time_to_reach", "eval/time_to_reach"), ("final_distance", "eval/final_distance"),
                          ("forward_displacement", "eval/forward_displacement"),
                          ("forward_speed", "eval/forward_speed"), ("fall_rate", "eval/fall_rate")):
            if not math.isnan(row.get(name, math.nan)):
                self.writer.add_scalar(tag, row[name], step)
        self.writer.flush()
        self.bar.set_postfix(eval_return=f"{row['return_deterministic']:.1f}")
        self.advance(step)
        if not self.on_terminal:
            seconds = time.perf_counter() - self.started
            rate = (step - self.steps_at_start) / seconds if step > self.steps_at_start and seconds > 0 else None
            print(progress_line(self.run.path.name, row, self.config.steps, rate), file=sys.stderr, flush=True)

    def advance(self, env_steps: int) -> None:
        self.bar.update(max(0, min(env_steps, self.config.steps) - self.bar.n))

    def close(self) -> None:
        self.bar.close()
        if self.writer is not None:
            self.writer.close()


def progress_line(name: str, row: dict, total_steps: int, steps_per_second: float | None) -> str:
    """One line of progress for logs: run, steps done, latest return, speed and time left.

    ``steps_per_second`` is this session's training speed (None before it has
    moved), so the ETA of a resumed run counts only what is left.
    """
    step = int(row["env_steps"])
    sampled = row.get("return_sampled", math.nan)
    returns = f"return {row['return_deterministic']:.1f}" + ("" if math.isnan(sampled) else f" (sampled {sampled:.1f})")
    if steps_per_second:
        left = max(0, total_steps - step) / steps_per_second
        speed = f"{steps_per_second:,.0f} steps/s, ETA {_clock(left)}"
    else:
        speed = "ETA after the next evaluation"
    return f"[{name}] {step:,}/{total_steps:,} steps ({min(100.0, 100 * step / total_steps):.0f}%), {returns}, {speed}"


def _clock(seconds: float) -> str:
    """``seconds`` as h:mm:ss."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
