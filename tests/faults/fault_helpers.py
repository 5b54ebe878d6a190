"""What the fault tests share: running `advisor`, in this process or as a real one, and a user's document."""

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ADVISOR = [sys.executable, "-m", "bot.cli"]


@dataclass(frozen=True)
class Run:
    """What one `advisor` command did."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        """Standard error's non-empty lines."""
        return [line for line in self.err.splitlines() if line.strip()]


Advisor = Callable[..., Run]


Advisor = Callable[..., Run]


OUR_USAGE = """# Our usage

## Zanzibar workload

The zanzibar nightly batch job summarises 40 million support tickets with a quokka-sized model.
"""
"""A user's document with words the guide never uses, so a search finds it or nothing."""


def subprocess_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for an `advisor` process: offline, no keys, this data folder."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SLACK_", "OPENAI_", "ADVISOR_", "ANTHROPIC_"))
    }
    return env | {
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ADVISOR_DATA_DIR": str(data_dir),
        **extra,
    }
