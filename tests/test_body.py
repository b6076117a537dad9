import math

import numpy as np
import pytest

from ncap.envs.swimmer.body import swimmer_body, validate_n_links


@pytest.mark.parametrize("n_links", [3, 6, 10, 16])
def test_body_counts_and_names(n_links):
    body = swimmer_body(n_links)
    assert body.n_joints == n_links - 1
    assert body.model.nu == n_links - 1
    assert body.joints.stop - body.joints.start == n_links - 1
    assert body.sensor_body_velocities.shape == (3 * n_links,)
    assert body.joint_limit == pytest.approx(2 * math.pi / n_links)
    assert np.allclose(body.model.jnt_range[3:], [[-body.joint_limit, body.joint_limit]] * (n_links - 1))


def test_normalized_joints_clip_to_unit_range():
    body = swimmer_body(6)
    angles = np.array([0.0, body.joint_limit / 2, -body.joint_limit, 2 * body.joint_limit, -3.0])
    assert np.allclose(body.normalized_joints(angles), [0.0, 0.5, -1.0, 1.0, -1.0])


@pytest.mark.parametrize("bad", [2, 0, -4, 3.0, "6", None, True])
def test_bad_n_links_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match="n_links"):
        validate_n_links(bad)
    with pytest.raises(ValueError, match="n_links"):
        swimmer_body(bad)
