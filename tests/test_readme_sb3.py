"""The README's own-SB3-pipeline block runs as written (budgets cut to one rollout)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _block() -> str:
    text = README.read_text()
    start = text.index("(`tests/test_readme_sb3.py` runs this block)")
    code = text[text.index("```python\n", start) + len("```python\n"):]
    return code[: code.index("```")]


def test_the_readme_sb3_block_trains_on_every_registered_task():
    code = _block()
    for env_id in ("ncap/Swim-v0", "ncap/Navigate-v0", "ncap/QuadrupedWalk-v0", "NcapActorCriticPolicy"):
        assert env_id in code
    small = re.sub(r"\.learn\([\d_]+\)", ".learn(64)", code)
    assert small.count(".learn(64)") == 4
    namespace: dict = {}
    exec(compile(small, str(README), "exec"), namespace)  # noqa: S102  (our own README)
    assert namespace["circuit"] is not None
