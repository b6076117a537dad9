"""``ncap video`` and ``ncap activity``: see the swimmer and what its circuit does."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from ncap.cli.common import positive_int
from ncap.cli.errors import UsageError
from ncap.cli.policy_source import add_source_arguments, load_source
from ncap.envs.registry import get_task
from ncap.envs.swimmer.body import CONTROL_TIMESTEP, EPISODE_STEPS

GALLERY_JOINTS = (3, 5, 7, 9, 11, 13)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 320x240, got {text!r}") from None
    if not (16 <= width <= 1920 and 16 <= height <= 1080):
        raise argparse.ArgumentTypeError(f"size must be between 16x16 and 1920x1080, got {text!r}")
    return height, width


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= EPISODE_STEPS * CONTROL_TIMESTEP:
        raise argparse.ArgumentTypeError(f"seconds must be in (0, 30] (one episode), got {text!r}")
    return value


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    video = subparsers.add_parser("video", help="render an episode to MP4 (or GIF), optionally with activity")
    add_source_arguments(video)
    video.add_argument("--out", required=True, help="output file (.mp4, or .gif with --gif)")
    video.add_argument("--seconds", type=_seconds, default=10.0)
    video.add_argument("--fps", type=positive_int, default=30)
    video.add_argument("--size", type=_size, default=(240, 320), help="camera frame WIDTHxHEIGHT, e.g. 320x240")
    video.add_argument("--activity", action="store_true", help="live traces of the circuit's units beside the body")
    video.add_argument("--gif", action="store_true", help="write a GIF instead of an MP4")
    video.add_argument("--gallery", action="store_true",
                       help="the same circuit on bodies of 3, 5, 7, 9, 11 and 13 joints, in a grid")
    video.set_defaults(handler=run_video)
    still = subparsers.add_parser("activity", help="raster PNG/SVG of B neurons, muscles and the joint wave")
    add_source_arguments(still)
    still.add_argument("--out", required=True, help="output image (.png or .svg)")
    still.add_argument("--seconds", type=_seconds, default=9.0)
    still.set_defaults(handler=run_activity)


def _check_output(path: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise UsageError(f"--out must end with {' or '.join(suffixes)}, got {path!r}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: no directory {folder}")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"cannot write {path}: permission denied")
    return out


def run_video(args: argparse.Namespace) -> None:
    out = _check_output(args.out, (".gif",) if args.gif else (".mp4",))
    policy, task, n_links = load_source(args)
    VIDEOS[get_task(task).body](policy, task, n_links, out, args)


def _swimmer_video(policy, task: str, n_links: int, out: Path, args: argparse.Namespace) -> None:
    from ncap.viz.recording import has_activity, record_episode  # noqa: PLC0415  (rendering stack)
    from ncap.viz.video import episode_frames, write_video  # noqa: PLC0415

    if args.activity and not has_activity(policy):
        raise UsageError("--activity needs a circuit policy (--arch ncap, not an MLP or its embedding)")
    steps = max(1, round(args.seconds / CONTROL_TIMESTEP))
    start = time.perf_counter()
    if args.gallery:
        frames = _gallery_frames(policy, task, steps, args)
    else:
        recording = record_episode(policy, task, n_links, steps, seed=args.seed, size=args.size)
        frames = episode_frames(recording, args.fps, activity=args.activity)
    count = write_video(frames, out, args.fps, gif=args.gif)
    elapsed = time.perf_counter() - start
    print(f"wrote {out}: {count} frames in {elapsed:.1f} s ({count / elapsed:.1f} frames/s)")


def _gallery_frames(policy, task: str, steps: int, args: argparse.Namespace):
    from ncap.policies import transfer_policy  # noqa: PLC0415
    from ncap.viz.recording import record_episode  # noqa: PLC0415
    from ncap.viz.video import gallery_frames  # noqa: PLC0415

    recordings = [record_episode(transfer_policy(policy, joints + 1), task, joints + 1, steps, seed=args.seed,
                                 size=args.size) for joints in GALLERY_JOINTS]
    labels = [f"{joints} joints: return {r.total_return:.0f}" for joints, r in zip(GALLERY_JOINTS, recordings)]
    return gallery_frames(recordings, labels, args.fps)


def run_activity(args: argparse.Namespace) -> None:
    out = _check_output(args.out, (".png", ".svg"))
    policy, task, n_links = load_source(args)
    ACTIVITIES[get_task(task).body](policy, task, n_links, out, args)


def _swimmer_activity(policy, task: str, n_links: int, out: Path, args: argparse.Namespace) -> None:
    from ncap.viz.activity import activity_figure  # noqa: PLC0415
    from ncap.viz.recording import has_activity, record_episode  # noqa: PLC0415

    if not has_activity(policy):
        raise UsageError("activity needs a circuit policy (--arch ncap, not an MLP or its embedding)")
    steps = max(1, round(args.seconds / CONTROL_TIMESTEP))
    recording = record_episode(policy, task, n_links, steps, seed=args.seed, size=None)
    activity_figure(recording, out, steps=steps)
    print(f"wrote {out}")


def _quadruped_task(args: argparse.Namespace):
    """The quadruped task of the run (or the default walk on flat ground for --init)."""
    if args.run_dir is None:
        from ncap.envs.quadruped import QuadrupedTaskConfig  # noqa: PLC0415

        return QuadrupedTaskConfig()
    from ncap.runs import read_config  # noqa: PLC0415

    return read_config(Path(args.run_dir)).quadruped


RHYTHM_HINT = "(the quadruped circuit, --arch ncap, or a spec with them), not an MLP"


def _quadruped_video(policy, task: str, n_links: int, out: Path, args: argparse.Namespace) -> None:
    from ncap.envs.quadruped.body import CONTROL_TIMESTEP as STEP  # noqa: PLC0415
    from ncap.viz.quadruped_video import has_rhythm, quadruped_frames, record_quadruped  # noqa: PLC0415
    from ncap.viz.video import write_video  # noqa: PLC0415

    if args.gallery:
        raise UsageError("--gallery shows swimmers of several lengths; the quadruped has one body")
    if args.activity and not has_rhythm(policy):
        raise UsageError(f"--activity needs a circuit with units flx and ext in every leg {RHYTHM_HINT}")
    start = time.perf_counter()
    recording = record_quadruped(policy, _quadruped_task(args), max(1, round(min(args.seconds, 15) / STEP)),
                                 seed=args.seed, size=args.size)
    count = write_video(quadruped_frames(recording, args.fps, activity=args.activity), out, args.fps, gif=args.gif)
    elapsed = time.perf_counter() - start
    print(f"wrote {out}: {count} frames in {elapsed:.1f} s; return {recording.rewards.sum():.1f}, "
          f"forward {recording.displacement[-1]:.2f} m")


def _quadruped_activity(policy, task: str, n_links: int, out: Path, args: argparse.Namespace) -> None:
    from ncap.envs.quadruped.body import CONTROL_TIMESTEP as STEP  # noqa: PLC0415
    from ncap.viz.quadruped_video import has_rhythm, quadruped_activity_figure, record_quadruped  # noqa: PLC0415

    if not has_rhythm(policy):
        raise UsageError(f"activity needs a circuit with units flx and ext in every leg {RHYTHM_HINT}")
    recording = record_quadruped(policy, _quadruped_task(args), max(1, round(min(args.seconds, 15) / STEP)),
                                 seed=args.seed, size=None)
    quadruped_activity_figure(recording, out)
    print(f"wrote {out}")


VIDEOS = {"swimmer": _swimmer_video, "quadruped": _quadruped_video}
"""How each body's episode becomes a video, by body name (a new body adds one entry)."""
ACTIVITIES = {"swimmer": _swimmer_activity, "quadruped": _quadruped_activity}
"""How each body's circuit activity becomes a still figure, by body name."""
