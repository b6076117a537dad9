"""Recordings, videos and still figures (headless, EGL)."""

import imageio.v2 as imageio
import numpy as np
import pytest
import torch

from ncap.evaluation import obs_to_torch
from ncap.policies import ArchitectureConfig, build_policy
from ncap.viz.activity import activity_figure
from ncap.viz.video import episode_frames, frame_indices, gallery_frames, write_video

try:
    from ncap.viz.recording import record_episode
    record_episode(build_policy(ArchitectureConfig(), "swim", 4), "swim", 4, 1, size=(32, 32))
    EGL_ERROR = None
except Exception as error:  # noqa: BLE001  (any GL failure means: no headless rendering here)
    EGL_ERROR = f"headless rendering (MUJOCO_GL=egl) is unavailable: {error}"

needs_egl = pytest.mark.skipif(EGL_ERROR is not None, reason=str(EGL_ERROR))


@pytest.fixture(scope="module")
def recording():
    return record_episode(build_policy(ArchitectureConfig(), "swim", 5), "swim", 5, 40, seed=3, size=(48, 64))


@needs_egl
def test_recording_shapes(recording):
    assert recording.frames.shape == (40, 48, 64, 3) and recording.frames.dtype == np.uint8
    assert recording.frames.std() > 0  # not a blank image
    assert recording.rewards.shape == (40,) and recording.activity["b_dorsal"].shape == (40, 4)


@needs_egl
def test_activity_traces_are_the_circuits_own_outputs(recording):
    from ncap.envs import BatchedSwimmer

    policy = build_policy(ArchitectureConfig(), "swim", 5)
    sim = BatchedSwimmer("swim", 5, num_envs=1, nthread=1, seed=3)
    obs = sim.reset()
    for step in range(40):
        with torch.no_grad():
            torques, activity = policy(obs_to_torch(obs), return_activity=True)
        for name, value in activity.items():
            assert np.array_equal(recording.activity[name][step], value[0].numpy()), (name, step)
        assert np.array_equal(recording.actions[step], torques[0].double().numpy())
        obs, _, _ = sim.step(torques.double().numpy())


@needs_egl
@pytest.mark.parametrize("activity", [False, True])
def test_short_clip_has_expected_frames_and_size(tmp_path, recording, activity):
    path = tmp_path / "clip.mp4"
    count = write_video(episode_frames(recording, fps=20, activity=activity), path, fps=20)
    assert count == len(frame_indices(40, 20)) == 24  # 1.2 s at 20 fps
    reader = imageio.get_reader(path)
    frames = [frame for frame in reader]
    assert len(frames) == count
    if not activity:
        assert frames[0].shape == (48, 64, 3)
    else:
        assert frames[0].shape[1] > 64 * 2  # the panel sits beside the body


@needs_egl
def test_gif_and_gallery(tmp_path, recording):
    count = write_video(gallery_frames([recording, recording], ["a", "b"], fps=10, columns=2),
                        tmp_path / "g.gif", fps=10, gif=True)
    assert count == len(frame_indices(40, 10))
    assert imageio.mimread(tmp_path / "g.gif")[0].shape[:2] == (48, 128)


@needs_egl
def test_activity_figure(tmp_path, recording):
    activity_figure(recording, tmp_path / "a.png")
    image = imageio.imread(tmp_path / "a.png")
    assert image.shape[0] > 300 and image.shape[1] > 300


def test_frame_indices_follow_real_time():
    assert list(frame_indices(10, fps=1 / 0.03)) == list(range(10))
    indices = frame_indices(100, fps=10)  # 3 s of episode at 10 frames per second
    assert len(indices) == 30 and list(indices[:10]) == [0, 3, 7, 10, 13, 17, 20, 23, 27, 30]
