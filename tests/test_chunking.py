"""The bundled guide and how documents are cut into passages."""

import re
from pathlib import Path

import pytest

from knowledge.chunking import MAX_WORDS, Chunk, chunk_markdown, chunk_text_file
from knowledge.errors import KnowledgeError, SourceNotFoundError, UnreadableFileError, UnsupportedFileError
from knowledge.guide import GUIDE_PATH, GUIDE_SOURCE, guide_text, section_titles

SHARED_GUIDE = Path(__file__).resolve().parents[2] / "shared" / "guide" / "ai-infrastructure-for-startups.txt"
HEADING_MARKER = re.compile(r"^#{1,3} ")


@pytest.fixture(scope="module")
def guide_chunks() -> list[Chunk]:
    """The bundled guide, chunked with the default settings."""
    return chunk_markdown(guide_text(), GUIDE_SOURCE)


def _section_texts() -> dict[str, str]:
    """Each top-level section's raw Markdown, keyed by title."""
    texts: dict[str, str] = {}
    title = ""
    for line in guide_text().splitlines():
        if line.startswith(("# ", "## ")):
            title = line.split(" ", 1)[1]
        texts[title] = texts.get(title, "") + line + "\n"
    return texts


def test_guide_is_the_users_text_with_only_headings_and_blank_lines_added() -> None:
    """Removing heading markers and blank lines from the bundled guide gives back the user's text line for line."""
    if not SHARED_GUIDE.exists():
        pytest.skip(f"{SHARED_GUIDE} is not on this machine")
    original = SHARED_GUIDE.read_text(encoding="utf-8").splitlines()
    bundled = [HEADING_MARKER.sub("", line) for line in GUIDE_PATH.read_text(encoding="utf-8").splitlines()]
    assert [line for line in bundled if line] == original


def test_every_contents_entry_is_a_heading() -> None:
    """The guide's Contents list names exactly its title and top-level sections, in order."""
    text = guide_text()
    contents = text.split("\n\n# ", 1)[0]
    listed = [line.removeprefix("- ") for line in contents.splitlines() if line.startswith("- ")]
    assert section_titles() == listed
    assert section_titles()[0] == "AI Infrastructure for Startups: The Startup AI Infrastructure Decision"
    assert len(listed) == 15


def test_every_chunk_carries_its_section_title(guide_chunks: list[Chunk]) -> None:
    """Each chunk names a section from the Contents and its text opens with its heading path."""
    titles = set(section_titles())
    for chunk in guide_chunks:
        assert chunk.section in titles
        assert chunk.source == GUIDE_SOURCE
        assert chunk.text.startswith(chunk.heading_path + "\n\n")
        assert chunk.body and not chunk.body.startswith(chunk.section)


def test_chunks_never_cross_a_section(guide_chunks: list[Chunk]) -> None:
    """Every paragraph of a chunk is found in the section the chunk claims, and the subsection is under it."""
    sections = _section_texts()
    for chunk in guide_chunks:
        for paragraph in chunk.body.split("\n\n"):
            assert paragraph in sections[chunk.section], (chunk.section, paragraph[:60])
        if chunk.subsection is not None:
            assert f"### {chunk.subsection}\n" in sections[chunk.section]


def test_no_paragraph_of_the_guide_is_lost(guide_chunks: list[Chunk]) -> None:
    """Apart from headings and the Contents list, every sentence of the guide ends up in some chunk."""
    everything = "\n".join(chunk.body for chunk in guide_chunks)
    after_title = guide_text().strip().split("\n\n# ", 1)[1].split("\n\n")[1:]
    for paragraph in after_title:
        if paragraph.startswith("#"):
            continue
        for sentence in re.split(r"(?<=[.!?]) ", paragraph):
            assert sentence in everything, sentence[:60]


def test_contents_list_is_not_a_chunk(guide_chunks: list[Chunk]) -> None:
    """The table of contents, which mentions every topic, is not indexed as a passage."""
    assert not any("Contents" in chunk.body.splitlines()[0] for chunk in guide_chunks)
    assert not any("- Cost Analysis Framework" in chunk.body for chunk in guide_chunks)


def test_guide_chunks_stay_within_the_size_limit(guide_chunks: list[Chunk]) -> None:
    """No guide chunk is longer than the limit, and most hold a real paragraph's worth of text."""
    sizes = [len(chunk.body.split()) for chunk in guide_chunks]
    assert max(sizes) <= MAX_WORDS
    assert sorted(sizes)[len(sizes) // 2] >= 40


def test_title_intro_and_phase_subsections_belong_to_the_title() -> None:
    """Text under the # title gets the title as section and the Phase headings as subsections."""
    chunks = chunk_markdown(guide_text(), GUIDE_SOURCE)
    title = section_titles()[0]
    assert chunks[0].section == title and chunks[0].subsection is None
    assert chunks[0].body.startswith("Three distinct phases")
    phases = {chunk.subsection for chunk in chunks if chunk.section == title and chunk.subsection}
    assert phases == {
        "Phase One: API-First (Product Launch Through $10K Monthly Spend)",
        "Phase Two: Optimization and Hybrid Approaches ($10-50K Monthly)",
        "Phase Three: Dedicated Infrastructure ($50K+ Monthly)",
    }


def test_long_section_is_split_on_paragraph_boundaries() -> None:
    """A section longer than the limit becomes several chunks, each made of whole paragraphs."""
    paragraphs = [f"Paragraph {n} " + "word " * 30 + "end." for n in range(6)]
    text = "## Notes\n\n" + "\n\n".join(paragraphs)
    chunks = chunk_markdown(text, "notes.md", max_words=80)
    assert len(chunks) == 3
    assert [chunk.body for chunk in chunks] == ["\n\n".join(paragraphs[i : i + 2]) for i in (0, 2, 4)]
    assert [chunk.position for chunk in chunks] == [0, 1, 2]


def test_long_paragraph_is_split_on_sentence_boundaries() -> None:
    """One paragraph longer than the limit is cut between sentences, never inside one."""
    sentences = [f"Sentence {n} has " + "some " * 15 + "words." for n in range(10)]
    chunks = chunk_markdown("## Notes\n\n" + " ".join(sentences), "notes.md", max_words=60)
    assert len(chunks) > 1
    assert all(len(chunk.body.split()) <= 60 for chunk in chunks)
    assert " ".join(chunk.body for chunk in chunks) == " ".join(sentences)


def test_headings_inside_code_fences_are_text() -> None:
    """A '# comment' inside a fenced code block does not start a section."""
    text = "## Setup\n\nRun this:\n\n```bash\n# install\npip install advisor\n```\n"
    chunks = chunk_markdown(text, "setup.md")
    assert [chunk.section for chunk in chunks] == ["Setup"]
    assert "# install" in chunks[0].body


def test_text_file_is_one_section_named_after_the_file(tmp_path: Path) -> None:
    """A .txt file's chunks are all in a section named after the file, and '#' lines stay text."""
    path = tmp_path / "runbook.txt"
    path.write_text("# not a heading\nFirst paragraph.\n\nSecond paragraph.\n", encoding="utf-8")
    chunks = chunk_text_file(path)
    assert {chunk.section for chunk in chunks} == {"runbook"}
    assert chunks[0].body == "# not a heading\nFirst paragraph.\n\nSecond paragraph."
    assert chunks[0].source == str(path.resolve())


def test_markdown_without_headings_is_named_after_the_file(tmp_path: Path) -> None:
    """A .md file with no headings gets its file name as section, like a .txt file."""
    path = tmp_path / "pricing-notes.md"
    path.write_text("We pay $4K a month to OpenAI.\n", encoding="utf-8")
    assert [(c.section, c.subsection) for c in chunk_text_file(path)] == [("pricing-notes", None)]


def test_markdown_file_keeps_its_headings(tmp_path: Path) -> None:
    """A .md file's ## and ### headings become section and subsection of its chunks."""
    path = tmp_path / "plan.md"
    path.write_text("Intro line.\n\n## Budget\n\nWe spend $4K.\n\n### GPUs\n\nNone yet.\n", encoding="utf-8")
    chunks = chunk_text_file(path)
    assert [(c.section, c.subsection, c.body) for c in chunks] == [
        ("plan", None, "Intro line."),
        ("Budget", None, "We spend $4K."),
        ("Budget", "GPUs", "None yet."),
    ]
    assert chunks[2].text == "Budget > GPUs\n\nNone yet."


def test_chunk_id_follows_content_not_position() -> None:
    """An unchanged chunk keeps its id when text before it changes; an edited chunk gets a new one."""
    before = chunk_markdown("## A\n\nalpha\n\n## B\n\nbeta\n", "doc.md")
    after = chunk_markdown("## Z\n\nzeta\n\n## A\n\nalpha edited\n\n## B\n\nbeta\n", "doc.md")
    assert before[1].id == after[2].id and before[1].position != after[2].position
    assert before[0].id not in {chunk.id for chunk in after}
    assert before[0].content_hash != chunk_markdown("## A\n\nalpha\n", "other.md")[0].content_hash


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("missing.md", None, SourceNotFoundError, "no such file"),
        ("slides.pdf", b"%PDF-1.7", UnsupportedFileError, "use .md or .txt"),
        ("latin1.txt", "café".encode("latin-1"), UnreadableFileError, "not UTF-8"),
    ],
)
def test_unusable_file_raises_a_one_line_knowledge_error(
    tmp_path: Path, name: str, content: bytes | None, error: type[KnowledgeError], message: str
) -> None:
    """A missing, unsupported or non-UTF-8 file raises a knowledge error naming the file in one line."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=message) as raised:
        chunk_text_file(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)
