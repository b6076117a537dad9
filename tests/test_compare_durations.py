"""scripts/compare_test_durations.py: the summed time of the tests two timings share, and their ratio."""

from helpers import run_script

OLD = """============================= slowest durations ==============================
10.00s call     tests/test_a.py::test_one
1.00s setup    tests/test_a.py::test_one
4.00s call     tests/test_b.py::test_gone
"""
NEW = """12.50s call     tests/test_a.py::test_one
3.00s call     tests/test_c.py::test_added
"""


def test_shared_tests_are_compared_and_the_others_listed_apart(tmp_path):
    (tmp_path / "old.txt").write_text(OLD)
    (tmp_path / "new.txt").write_text(NEW)
    result = run_script("compare_test_durations.py", tmp_path / "old.txt", tmp_path / "new.txt")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()[:2]
    assert first == "tests both trees have: 1; old 11.0 s, new 12.5 s, new/old 1.136"
    assert second == "only in old: 1 tests, 4.0 s; only in new: 1 tests, 3.0 s"


def test_a_report_without_durations_is_refused_in_one_line(tmp_path):
    (tmp_path / "old.txt").write_text("520 passed\n")
    (tmp_path / "new.txt").write_text(NEW)
    result = run_script("compare_test_durations.py", tmp_path / "old.txt", tmp_path / "new.txt")
    assert result.returncode == 2 and "no duration lines found" in result.stderr
