"""Fixtures for the fault-injection suite: a ready data folder to break, the CLI in-process, and mounts.

Breaking a data folder for real needs a read-only or a full file system. Tests run as root here,
and root writes through `chmod`, so those faults use real mounts (a read-only bind mount, a tiny
tmpfs); where mounting is not allowed (not root, or a container without the capability), a
non-root user gets `chmod` for read-only and the full-disk tests are skipped with the reason.
"""

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fault_helpers import OUR_USAGE, Advisor, Run

from bot.cli import main


@pytest.fixture
def advisor(capsys: pytest.CaptureFixture[str]) -> Advisor:
    """Run `advisor ARGS...` in this process (the heavy model is loaded once per session) and capture it."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse refuses bad options by exiting
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def fault_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No key, no developer .env, keyword-free defaults; returns the data folder (not created yet)."""
    for name in [name for name in os.environ if name.startswith(("OPENAI_", "SLACK_", "ANTHROPIC_"))]:
        monkeypatch.delenv(name)
    for name in [name for name in os.environ if name.startswith("ADVISOR_") and name != "ADVISOR_DATA_DIR"]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return Path(os.environ["ADVISOR_DATA_DIR"])


@pytest.fixture(scope="session")
def indexed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the guide indexed and one document of the user's ingested, built once per session."""
    root = tmp_path_factory.mktemp("indexed")
    notes = root / "notes" / "our-usage.md"
    notes.parent.mkdir()
    notes.write_text(OUR_USAGE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVISOR_DATA_DIR", str(root / "data"))
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("ANONYMIZED_TELEMETRY", "False")
        for name in [
            name for name in os.environ if name.startswith("ADVISOR_") and name != "ADVISOR_DATA_DIR"
        ]:
            patch.delenv(name)
        patch.chdir(root)
        assert main(["ingest", "--json", str(notes)]) == 0
    return root


@pytest.fixture
def ready_data(indexed_folder: Path, fault_environment: Path) -> Path:
    """A copy of the indexed data folder at ADVISOR_DATA_DIR, ready to be broken."""
    shutil.copytree(indexed_folder / "data", fault_environment)
    return fault_environment


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount here ({done.stderr.strip() or done.returncode}): needs root in a VM or container that allows it"
        )


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Make a folder read-only for real: a read-only bind mount as root, `chmod` otherwise."""
    mounted: list[Path] = []
    changed: list[Path] = []

    def make(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            folder.chmod(0o555)
            changed.append(folder)
            return
        _mount("--bind", str(folder), str(folder))
        mounted.append(folder)
        _mount("-o", "remount,bind,ro", str(folder))

    yield make
    for folder in reversed(mounted):
        _unmount(folder)
    for folder in changed:
        folder.chmod(0o755)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Callable[[Path, int], None]]:
    """Put a folder on a 1 MB tmpfs filled to all but ``free`` bytes (root only)."""
    mounted: list[Path] = []

    def make(folder: Path, free: int) -> None:
        if os.geteuid() != 0:
            pytest.skip("a full file system needs a tmpfs mount, which needs root")
        folder.mkdir(parents=True, exist_ok=True)
        _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder))
        mounted.append(folder)
        filler = folder / ".filler"
        descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(descriptor, b"\0" * 65536):
                pass
        except OSError:
            pass  # full: that was the point
        finally:
            os.close(descriptor)
        os.truncate(filler, max(0, filler.stat().st_size - free))

    yield make
    for folder in reversed(mounted):
        _unmount(folder)
