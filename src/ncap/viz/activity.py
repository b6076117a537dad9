"""Still figure of one episode: rasters of B neurons and muscles (modules x time) and the joint wave."""

from __future__ import annotations

from pathlib import Path

from ncap.envs.swimmer.body import CONTROL_TIMESTEP
from ncap.viz import canvas
from ncap.viz.recording import UNIT_TITLES, EpisodeRecording, module_units


def activity_figure(recording: EpisodeRecording, path: str | Path, steps: int = 300) -> None:
    """Save a PNG/SVG: every unit present in all modules as dorsal - ventral (the swimmer's B neurons
    and muscles) and the joint angles, each a raster with modules head (top) to tail, over the first
    ``steps`` control steps."""
    activity = recording.activity
    steps = min(steps, len(recording.rewards))
    extent = (0, steps * CONTROL_TIMESTEP, recording.joints.shape[1] + 0.5, 0.5)
    panels = [(f"{UNIT_TITLES.get(unit, unit)}: dorsal − ventral", activity[f"{unit}_dorsal"] - activity[f"{unit}_ventral"])
              for unit in module_units(activity)]
    panels.append(("joint angle (normalized)", recording.joints))
    height = 6.5 if len(panels) == 3 else 2.2 * len(panels)
    figure, axes = canvas.subplots(len(panels), 1, figsize=(8, height), sharex=True, constrained_layout=True)
    for axis, (title, values) in zip(axes, panels):
        image = axis.imshow(values[:steps].T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, extent=extent,
                            interpolation="nearest")
        axis.set_title(title, fontsize=10, loc="left")
        axis.set_ylabel("module (head → tail)")
        figure.colorbar(image, ax=axis, fraction=0.03, pad=0.01)
    axes[-1].set_xlabel("time (s)")
    figure.suptitle(f"{recording.task}, {recording.n_links} links: return {recording.total_return:.0f} "
                    f"over {len(recording.rewards)} steps", fontsize=11)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    canvas.save(figure, path, dpi=120)
