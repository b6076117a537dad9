"""Videos of swimming: the camera frame with step, reward and return, optionally
beside live traces of the circuit's activity laid out head to tail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from matplotlib.lines import Line2D
from PIL import Image, ImageDraw

from ncap.envs.swimmer.body import CONTROL_TIMESTEP
from ncap.viz import canvas
from ncap.viz.recording import UNIT_TITLES, EpisodeRecording, head_signals, module_units

WINDOW_STEPS = 120
"""Steps of activity shown in the sliding window (3.6 s, two oscillator periods)."""
DORSAL_COLOR, VENTRAL_COLOR = "#d62728", "#1f77b4"
COLORS = {"turn_r": "#ff9896", "turn_l": "#aec7e8", "speed": "#2ca02c"}
"""Turn r (light red, dorsal side), turn l (light blue, ventral side), speed (green)."""


def frame_indices(steps: int, fps: float) -> np.ndarray:
    """Control steps to show at ``fps`` frames per second of real time."""
    duration = steps * CONTROL_TIMESTEP
    times = np.arange(int(np.floor(duration * fps))) / fps
    return np.minimum(np.round(times / CONTROL_TIMESTEP).astype(int), steps - 1)


def annotate(image: np.ndarray, lines: list[str]) -> np.ndarray:
    """Draw text lines in the top-left corner of an (H, W, 3) image."""
    picture = Image.fromarray(image)
    draw = ImageDraw.Draw(picture)
    for row, text in enumerate(lines):
        draw.text((6, 4 + 12 * row), text, fill=(255, 255, 255), stroke_width=1, stroke_fill=(0, 0, 0))
    return np.asarray(picture)


def status_lines(recording: EpisodeRecording, step: int) -> list[str]:
    running = recording.rewards[: step + 1].sum()
    return [f"step {step}", f"reward {recording.rewards[step]:.2f}", f"return {running:.1f}"]


def _head_title(names: list[str]) -> str:
    """The head panel's title: the swimmer's own words for its oscillators and commands."""
    if names == ["osc_dorsal", "osc_ventral"]:
        return "oscillators"
    if names == ["osc_dorsal", "osc_ventral", "turn_r", "turn_l", "speed"]:
        return "oscillators, turn r/l, speed"
    return ", ".join(dict.fromkeys(n.rsplit("_", 1)[0] for n in names))


class ActivityPanel:
    """The camera frame beside live traces: oscillators, B neurons, muscles, torques.

    Rows run head (top) to tail; dorsal traces are red, ventral blue; each
    module's trace is offset so that the travelling wave reads diagonally.
    """

    def __init__(self, recording: EpisodeRecording, height_px: int):
        self.recording = recording
        activity = recording.activity
        n_joints = activity["torque"].shape[1]
        dpi = 100
        height = max(height_px, 360) / dpi
        self.figure = canvas.figure(figsize=(height * 2.4, height), dpi=dpi)
        units = module_units(activity)
        grid = self.figure.add_gridspec(len(units) + 2, 2, width_ratios=(1, 1.2),
                                        height_ratios=(1,) + (3,) * (len(units) + 1))
        self.camera = self.figure.add_subplot(grid[:, 0])
        self.camera.set_axis_off()
        self.image = self.camera.imshow(recording.frames[0])
        self.lines: list[tuple[Line2D, np.ndarray]] = []
        offsets = np.arange(n_joints)[::-1] * 1.2
        head = head_signals(activity)
        panels = [(_head_title(head), head, np.zeros(1))]
        panels += [(UNIT_TITLES.get(unit, unit), [f"{unit}_dorsal", f"{unit}_ventral"], offsets) for unit in units]
        panels.append(("torques", ["torque"], offsets))
        for row, (name, names, offset) in enumerate(panels):
            axis = self.figure.add_subplot(grid[row, 1])
            self._traces(axis, names, offset)
            axis.set_title(name, fontsize=8, loc="left", pad=2)
            axis.set_xlim(-WINDOW_STEPS * CONTROL_TIMESTEP, 0)
            axis.set_yticks(offset if len(offset) > 1 else [])
            axis.set_yticklabels([f"{i + 1}" for i in range(len(offset))] if len(offset) > 1 else [], fontsize=6)
            axis.tick_params(labelsize=6)
            low = -1.1 if name == "torques" else -0.1
            axis.set_ylim(offset.min() + low, offset.max() + 1.1)
        self.figure.axes[-1].set_xlabel("seconds before now", fontsize=7)
        self.figure.tight_layout(pad=0.4)
        self.image.set_animated(True)
        for line, _ in self.lines:
            line.set_animated(True)
        self.figure.canvas.draw()  # the static parts, once; frames only redraw the animated artists
        self.background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def _traces(self, axis, names: list[str], offsets: np.ndarray) -> None:
        for name in names:
            values = self.recording.activity[name]
            values = values[:, None] if values.ndim == 1 else values
            color = COLORS.get(name, VENTRAL_COLOR if "ventral" in name else DORSAL_COLOR if "dorsal" in name else "k")
            for module in range(values.shape[1]):
                (line,) = axis.plot([], [], color=color, lw=0.9)
                self.lines.append((line, values[:, module] + offsets[module]))

    def render(self, step: int) -> np.ndarray:
        """The composite frame at ``step`` as (H, W, 3) uint8."""
        start = max(0, step - WINDOW_STEPS + 1)
        times = (np.arange(start, step + 1) - step) * CONTROL_TIMESTEP
        for line, series in self.lines:
            line.set_data(times, series[start: step + 1])
        self.image.set_data(annotate(self.recording.frames[step], status_lines(self.recording, step)))
        drawing = self.figure.canvas
        drawing.restore_region(self.background)
        self.camera.draw_artist(self.image)
        for line, _ in self.lines:
            line.axes.draw_artist(line)
        return np.asarray(drawing.buffer_rgba())[..., :3].copy()


def episode_frames(recording: EpisodeRecording, fps: float, activity: bool = False) -> Iterator[np.ndarray]:
    """The video's frames at ``fps``: annotated camera frames, with the activity panel if asked."""
    panel = ActivityPanel(recording, recording.frames.shape[1]) if activity else None
    for step in frame_indices(len(recording.rewards), fps):
        if panel is not None:
            yield panel.render(int(step))
        else:
            yield annotate(recording.frames[step], status_lines(recording, int(step)))


def tile(frames: list[np.ndarray], columns: int) -> np.ndarray:
    """Frames of equal size in a grid, row by row (blank cells black)."""
    rows = -(-len(frames) // columns)
    height, width, _ = frames[0].shape
    grid = np.zeros((rows * height, columns * width, 3), np.uint8)
    for index, frame in enumerate(frames):
        row, column = divmod(index, columns)
        grid[row * height:(row + 1) * height, column * width:(column + 1) * width] = frame
    return grid


def gallery_frames(recordings: list[EpisodeRecording], labels: list[str], fps: float,
                   columns: int = 3) -> Iterator[np.ndarray]:
    """Frames of several recordings of equal length side by side, each labelled."""
    for step in frame_indices(len(recordings[0].rewards), fps):
        cells = [annotate(r.frames[step], [label, f"t = {step * CONTROL_TIMESTEP:.1f} s"])
                 for r, label in zip(recordings, labels)]
        yield tile(cells, columns)


def write_video(frames: Iterator[np.ndarray], path: str | Path, fps: float, gif: bool = False) -> int:
    """Write frames as MP4 (H.264 via imageio-ffmpeg) or GIF; returns the frame count.

    The file appears only when complete (written to a temporary name, then renamed).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    count = 0
    options = {"duration": 1000 / fps, "loop": 0} if gif else {"fps": fps, "macro_block_size": 1,
                                                                 "ffmpeg_log_level": "error"}
    try:
        with imageio.get_writer(tmp, format="GIF" if gif else "FFMPEG", **options) as writer:
            for frame in frames:
                writer.append_data(_even(frame) if not gif else frame)
                count += 1
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _even(frame: np.ndarray) -> np.ndarray:
    """Crop to even height and width (H.264's yuv420p needs them)."""
    height, width = frame.shape[0] // 2 * 2, frame.shape[1] // 2 * 2
    return frame[:height, :width]
