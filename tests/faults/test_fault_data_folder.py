"""A data folder that is a file, read-only or full, and settings that cannot work: one line and exit 2, never a traceback."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fault_helpers import Advisor

COMMANDS = [
    ("search", "when should we self-host?"),
    ("ask", "should we self-host at 500M tokens a month?"),
    ("ingest",),
    ("stats",),
    ("spend", "list"),
    ("alerts", "list"),
]
"""Every command that touches the data folder."""


def _one_line_exit_2(advisor: Advisor, args: tuple[str, ...], says: str) -> None:
    run = advisor(*args)
    assert run.code == 2, (args, run.err)
    assert len(run.err_lines) == 1, run.err
    assert run.err_lines[0].startswith(f"advisor {args[0]}: "), run.err
    assert says in run.err_lines[0], run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(args[:2]) for args in COMMANDS])
def test_a_file_where_the_data_folder_should_be(
    advisor: Advisor, fault_environment: Path, args: tuple[str, ...]
) -> None:
    """ADVISOR_DATA_DIR naming a file gets one line saying so, for every command."""
    fault_environment.parent.mkdir(parents=True, exist_ok=True)
    fault_environment.write_text("not a folder")
    _one_line_exit_2(advisor, args, f"the data folder {fault_environment} is a file, not a folder")


def test_a_file_where_a_parent_folder_should_be(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A data folder under a file (`notes.txt/advisor`) gets one line naming it, not NotADirectoryError."""
    (tmp_path / "notes.txt").write_text("a file")
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "notes.txt" / "advisor"))
    _one_line_exit_2(advisor, ("search", "self-host?"), "is not a folder")


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(args[:2]) for args in COMMANDS])
def test_a_read_only_data_folder(
    advisor: Advisor, ready_data: Path, read_only: Callable[[Path], None], args: tuple[str, ...]
) -> None:
    """A read-only data folder (a read-only mount) gets one line saying so and what to do, for every command."""
    read_only(ready_data)
    _one_line_exit_2(advisor, args, "is read-only")


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(args[:2]) for args in COMMANDS])
def test_a_full_data_folder(
    advisor: Advisor, fault_environment: Path, full_disk: Callable[[Path, int], None], args: tuple[str, ...]
) -> None:
    """A data folder on a full file system gets one line saying it is full, for every command."""
    full_disk(fault_environment, 0)
    _one_line_exit_2(advisor, args, "is full")


def test_a_disk_that_fills_up_mid_command(
    advisor: Advisor, fault_environment: Path, full_disk: Callable[[Path, int], None]
) -> None:
    """Room for the start-up check but not for the index: still one line saying the folder is full."""
    full_disk(fault_environment, 64 * 1024)
    _one_line_exit_2(advisor, ("search", "self-host?"), "is full")


def test_an_empty_data_dir_setting_means_the_default_folder_not_the_current_one(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`ADVISOR_DATA_DIR=` (as `.env.sample` has it) uses the default folder and writes nothing here."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("ADVISOR_DATA_DIR", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert advisor("spend", "add", "10", "--provider", "openai", "--month", "2026-11").code == 0
    assert list(here.iterdir()) == []
    assert (tmp_path / "xdg" / "ai-infra-advisor" / "advisor.sqlite3").is_file()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("ADVISOR_LLM_TIMEOUT", "-1", "greater than 0"),
        ("ADVISOR_LLM_TIMEOUT", "nan", "finite number"),
        ("ADVISOR_LLM_DEADLINE", "0", "greater than 0"),
        ("ADVISOR_LLM_MAX_RETRIES", "-1", "greater than or equal to 0"),
        ("ADVISOR_LLM_MAX_TOKENS", "-800", "greater than 0"),
        ("ADVISOR_LLM_MAX_REPLY_CHARS", "0", "greater than 0"),
        ("ADVISOR_LLM_BREAKER_FAILURES", "0", "greater than 0"),
        ("ADVISOR_LLM_BREAKER_RESET", "-5", "greater than or equal to 0"),
    ],
)
def test_unusable_llm_settings_are_one_line_naming_the_variable(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    """A negative, zero or NaN LLM setting is refused at start-up with the variable's name, not a ValueError later."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    monkeypatch.setenv(name, value)
    _one_line_exit_2(advisor, ("ask", "phase at $30K?"), f"setting {name} is invalid")
    _one_line_exit_2(advisor, ("ask", "phase at $30K?"), says)
