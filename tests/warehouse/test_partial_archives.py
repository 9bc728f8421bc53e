"""A process killed while it copies an upload into the archive leaves a partial copy named after it, and the
parent that watched it removes that copy only (others may be writing theirs at the same time)."""

from __future__ import annotations

import os

from pivgm.warehouse.files import Warehouse


def test_an_archive_copy_is_written_under_a_name_that_says_its_writer(tmp_path, monkeypatch):
    """Fails if the temporary name loses the writer's process id (the parent could not tell its job's copy)."""
    seen: list[str] = []
    real_replace = os.replace

    def replace(source, target):
        seen.append(os.path.basename(source))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    Warehouse(tmp_path).archive(b"Pais;Anio\nHND;2024\n", ".csv")
    assert seen and seen[0].startswith(f".tmp-{os.getpid()}-")


def test_only_the_killed_writer_s_partial_copies_are_removed(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / ".tmp-4242-aaaa").write_bytes(b"half a file")
    (archive / ".tmp-4243-bbbb").write_bytes(b"another writer's")
    (archive / "0f00.csv").write_bytes(b"an archived file")
    Warehouse(tmp_path).discard_partial(4242)
    assert sorted(p.name for p in archive.iterdir()) == [".tmp-4243-bbbb", "0f00.csv"]
