"""The knowledge index heals: a damaged or lost store is rebuilt from the guide and the kept copies of your documents."""

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_helpers import Advisor

FIND_OURS = "zanzibar nightly batch job support tickets"


def _truncate(data: Path) -> None:
    database = data / "chroma" / "chroma.sqlite3"
    os.truncate(database, 5000)


def _garble_middle(data: Path) -> None:
    """Chroma's Rust core panics on this one rather than raising an error."""
    database = data / "chroma" / "chroma.sqlite3"
    with database.open("r+b") as handle:
        handle.seek(database.stat().st_size // 2)
        handle.write(b"\xde\xad" * 40_000)


def _not_a_database(data: Path) -> None:
    (data / "chroma" / "chroma.sqlite3").write_text("junk")


def _lost(data: Path) -> None:
    shutil.rmtree(data / "chroma")


def _ours_first(out: str) -> bool:
    return out.splitlines()[0].startswith("1. [Zanzibar workload]")


@pytest.mark.parametrize(
    "damage",
    [_truncate, _garble_middle, _not_a_database, _lost],
    ids=["truncated", "garbled", "not-a-database", "folder-lost"],
)
def test_a_damaged_or_lost_index_is_rebuilt_with_your_documents(
    advisor: Advisor, ready_data: Path, caplog: pytest.LogCaptureFixture, damage: Callable[[Path], None]
) -> None:
    """`advisor search` after the index was damaged or deleted finds your document again, and says so in one line."""
    damage(ready_data)

    with caplog.at_level(logging.WARNING, logger="knowledge.index"):
        run = advisor("search", "-k", "1", FIND_OURS)

    assert run.code == 0, run.err
    assert _ours_first(run.out), run.out
    (line,) = [record.getMessage() for record in caplog.records if record.name == "knowledge.index"]
    assert (
        "was damaged" in line and "copy is kept as chroma.damaged-" in line
    ) or "added again from the copies" in line
    assert "1 kept documents" in line or "lost 1 of your documents" in line


def test_rebuild_uses_the_kept_copy_when_the_original_is_gone(
    advisor: Advisor, ready_data: Path, indexed_folder: Path, tmp_path: Path
) -> None:
    """`advisor ingest --rebuild` rebuilds from the guide and the copies kept in the data folder, originals or not."""
    original = tmp_path / "moved-away.md"
    shutil.copy(indexed_folder / "notes" / "our-usage.md", original)
    assert advisor("ingest", str(original)).code == 0
    original.unlink()

    run = advisor("ingest", "--rebuild")

    assert run.code == 0, run.err
    assert "Rebuilt the knowledge index from the guide and 2 kept documents of yours" in run.out
    found = advisor("search", "-k", "2", FIND_OURS)
    assert [line.split(" (score")[0] for line in found.out.splitlines() if line[:2] in ("1.", "2.")] == [
        "1. [Zanzibar workload]",
        "2. [Zanzibar workload]",
    ]


def test_documents_are_kept_under_the_data_folder(advisor: Advisor, ready_data: Path) -> None:
    """The document the user ingested has a copy and a manifest entry under `documents/` in the data folder."""
    copies = [path for path in (ready_data / "documents").glob("*/*") if path.is_file()]
    assert [path.name for path in copies] == ["our-usage.md"]
    assert "zanzibar" in copies[0].read_text(encoding="utf-8")
    assert (ready_data / "documents" / "manifest.json").is_file()


def test_advisor_ingest_repairs_a_damaged_index(advisor: Advisor, ready_data: Path) -> None:
    """`advisor ingest`, which once failed on a damaged chroma.sqlite3 too, rebuilds it with your documents."""
    _not_a_database(ready_data)
    run = advisor("ingest")
    assert run.code == 0, run.err
    assert "Knowledge index:" in run.out
    assert list(ready_data.glob("chroma.damaged-*"))
    assert _ours_first(advisor("search", "-k", "1", FIND_OURS).out)
