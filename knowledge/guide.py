"""The guide the advisor answers from, bundled with the package as Markdown."""

import re
from functools import cache
from pathlib import Path

GUIDE_PATH: Path = Path(__file__).parent / "guide" / "ai-infrastructure-for-startups.md"
"""The bundled guide: the user's text with Markdown heading markers added."""

GUIDE_SOURCE = "guide"
"""The source name passages from the bundled guide carry."""

_TOP_LEVEL_HEADING = re.compile(r"^#{1,2} (.+)$", re.MULTILINE)


@cache
def guide_text() -> str:
    """The bundled guide's Markdown, read once per process."""
    return GUIDE_PATH.read_text(encoding="utf-8")


def section_titles() -> list[str]:
    """Titles of the guide's top-level sections, in order, the document title first."""
    return _TOP_LEVEL_HEADING.findall(guide_text())
