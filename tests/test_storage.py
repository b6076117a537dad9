"""A sweep's storage path: its token, and runs copied into it and out of it without going back."""

import pytest
from helpers import fake_run as _run

from ncap.errors import StorageError
from ncap.experiments.storage import MARKER, check_storage, prepare_storage, sync_run
from ncap.runs import RunDir, RunError


def _files(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_sync_copies_a_run_and_brings_it_up_to_date(tmp_path):
    source = _run(tmp_path / "node" / "run", [0, 4000])
    sync_run(source.path, tmp_path / "shared" / "run")
    assert _files(tmp_path / "shared" / "run") == _files(source.path)
    assert not RunDir(tmp_path / "shared" / "run").finished
    _run(source.path, [0, 4000, 8000], finished=True)
    sync_run(source.path, tmp_path / "shared" / "run")
    assert _files(tmp_path / "shared" / "run") == _files(source.path)
    assert RunDir(tmp_path / "shared" / "run").finished


def test_sync_never_sets_a_run_back_nor_touches_another_one(tmp_path):
    ahead = _run(tmp_path / "ahead", [0, 4000, 8000])
    before = _files(ahead.path)
    with pytest.raises(RunError, match="further on"):
        sync_run(_run(tmp_path / "behind", [0, 4000]).path, ahead.path)
    other = _run(tmp_path / "other", [0], seed=1)
    with pytest.raises(RunError, match="different run"):
        sync_run(tmp_path / "behind", other.path)
    finished = _run(tmp_path / "finished", [0, 4000], finished=True)
    done = _files(finished.path)
    sync_run(_run(tmp_path / "later", [0, 4000, 8000]).path, finished.path)
    assert _files(ahead.path) == before and _files(finished.path) == done


def test_storage_token_is_made_once_and_checked(tmp_path):
    directory, token = prepare_storage(tmp_path / "shared")
    assert directory == tmp_path / "shared" and (directory / MARKER).read_text() == token
    assert prepare_storage(tmp_path / "shared") == (directory, token)
    check_storage(directory, token)
    with pytest.raises(StorageError, match="not the driver's"):
        check_storage(directory, "another")
    with pytest.raises(StorageError, match="not the driver's"):
        check_storage(tmp_path / "elsewhere", token)


@pytest.mark.parametrize("where,message", [("file", "exists and is not a directory"),
                                           ("file/below", "Not a directory"), ("uri", "not a URI")])
def test_unusable_storage_paths(tmp_path, where, message):
    (tmp_path / "file").write_text("x")
    path = "s3://bucket/runs" if where == "uri" else tmp_path / where
    with pytest.raises(StorageError, match=message):
        prepare_storage(path)
