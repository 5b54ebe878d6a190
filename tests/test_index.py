"""Ingesting the guide and the user's files, keeping the index current, and searching it."""

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from knowledge.embeddings import SentenceTransformerEmbeddings
from knowledge.errors import (
    KnowledgeError,
    NoDocumentsError,
    RetrievalModeError,
    SourceNotFoundError,
    UnsupportedFileError,
)
from knowledge.guide import GUIDE_SOURCE, section_titles
from knowledge.index import KnowledgeIndex, Passage

NOTES = """# Our infrastructure notes

## Current spend

We pay OpenAI about $6K a month for the support chatbot, mostly GPT-4o tokens.

## Embeddings

Our embeddings run on a single rented T4 card in Frankfurt for $120 a month.

## On-call

Priya carries the pager for the retrieval service on weekends.
"""


class RecordingEmbeddings(Embeddings):
    """The real model, recording every text it is asked to embed; its model id can be changed."""

    def __init__(self, model: SentenceTransformerEmbeddings, model_id: str | None = None) -> None:
        self.model = model
        self.model_id = model_id or model.model_id
        self.documents: list[str] = []
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents.extend(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.model.embed_query(text)


@pytest.fixture
def recorder(embeddings: SentenceTransformerEmbeddings) -> RecordingEmbeddings:
    """The session's model behind a recorder, fresh for each test."""
    return RecordingEmbeddings(embeddings)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A user's Markdown notes file with three sections."""
    path = tmp_path / "notes" / "infra.md"
    path.parent.mkdir()
    path.write_text(NOTES, encoding="utf-8")
    return path


def test_ingesting_twice_embeds_nothing_the_second_time(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """A second ingestion of unchanged files keeps every chunk and embeds none."""
    index = KnowledgeIndex(tmp_path / "data", recorder)
    first = index.ingest([notes])
    second = index.ingest([notes])
    assert (first.embedded, first.unchanged, first.removed, first.total) == (3, 0, 0, 3)
    assert (second.embedded, second.unchanged, second.removed, second.total) == (0, 3, 0, 3)
    assert len(recorder.documents) == 3


def test_editing_one_paragraph_reembeds_only_its_chunk(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """After one paragraph changes, only the chunk holding it is embedded again and the old one is removed."""
    index = KnowledgeIndex(tmp_path / "data", recorder)
    index.ingest([notes])
    notes.write_text(NOTES.replace("$120 a month", "$90 a month"), encoding="utf-8")
    recorder.documents.clear()
    report = index.ingest([notes])
    assert (report.embedded, report.unchanged, report.removed, report.total) == (1, 2, 1, 3)
    assert len(recorder.documents) == 1 and "$90 a month" in recorder.documents[0]
    assert "$90 a month" in index.search("What do our embeddings cost on the T4?", k=1)[0].text


def test_deleted_content_is_removed_from_the_index(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """A section deleted from a file disappears from search results after re-ingestion."""
    index = KnowledgeIndex(tmp_path / "data", recorder, retrieval="keyword")
    index.ingest([notes])
    notes.write_text(NOTES.split("## On-call")[0], encoding="utf-8")
    report = index.ingest([notes])
    assert (report.embedded, report.removed, report.total) == (0, 1, 2)
    assert all("Priya" not in passage.text for passage in index.search("Priya pager weekends"))


def test_files_that_vanished_are_dropped(tmp_path: Path, recorder: RecordingEmbeddings, notes: Path) -> None:
    """Chunks of a previously ingested file that no longer exists are removed on the next ingestion."""
    other = notes.with_name("vendors.txt")
    other.write_text("Together AI quoted us $0.20 per million tokens for Llama.\n", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "data", recorder)
    assert index.ingest([notes, other]).total == 4
    other.unlink()
    report = index.ingest([notes])
    assert (report.removed, report.total) == (1, 3)


def test_user_file_is_searchable_with_its_source_path(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """After ingestion a user's note is found by meaning, with its section and the file's path as source."""
    index = KnowledgeIndex(tmp_path / "data", recorder)
    index.ingest([notes])
    best = index.search("Who is on call for the retrieval service at the weekend?", k=2)[0]
    assert (best.source, best.section, best.subsection) == (str(notes.resolve()), "On-call", None)
    assert best.text == "Priya carries the pager for the retrieval service on weekends."
    assert 0.0 < best.score <= 1.0


def test_directory_ingests_its_markdown_and_text_files(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """A directory contributes its .md and .txt files, including subfolders, and skips other and hidden files."""
    folder = notes.parent
    (folder / "deep").mkdir()
    (folder / "deep" / "vendors.txt").write_text(
        "Replicate bills per second of GPU time.\n", encoding="utf-8"
    )
    (folder / "deck.pdf").write_bytes(b"%PDF-1.7")
    (folder / ".drafts").mkdir()
    (folder / ".drafts" / "secret.md").write_text("Unannounced pricing.\n", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "data", recorder, retrieval="keyword")
    assert index.ingest([folder]).total == 4
    sources = {passage.source for passage in index.search("Replicate GPU pricing OpenAI embeddings", k=10)}
    assert sources == {str(notes.resolve()), str((folder / "deep" / "vendors.txt").resolve())}


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("missing.md", SourceNotFoundError, "no such file or directory"),
        ("deck.pdf", UnsupportedFileError, "cannot ingest .pdf; use .md or .txt"),
        ("empty-folder", NoDocumentsError, "no .md or .txt files"),
    ],
)
def test_bad_path_raises_a_clear_error_and_changes_nothing(
    tmp_path: Path,
    recorder: RecordingEmbeddings,
    notes: Path,
    name: str,
    error: type[KnowledgeError],
    message: str,
) -> None:
    """A missing path, an unsupported file or an empty folder raises a one-line error before anything is ingested."""
    bad = tmp_path / name
    if name == "deck.pdf":
        bad.write_bytes(b"%PDF-1.7")
    elif name == "empty-folder":
        bad.mkdir()
    index = KnowledgeIndex(tmp_path / "data", recorder)
    with pytest.raises(error, match=message) as raised:
        index.ingest([notes, bad])
    assert str(raised.value).startswith(str(bad)) and "\n" not in str(raised.value)
    assert recorder.documents == []
    assert index.search("GPT-4o tokens") == []


def test_index_persists_across_instances(tmp_path: Path, recorder: RecordingEmbeddings, notes: Path) -> None:
    """A new index on the same folder finds what an earlier one stored, without embedding anything again."""
    KnowledgeIndex(tmp_path / "data", recorder).ingest([notes])
    reopened = RecordingEmbeddings(recorder.model)
    index = KnowledgeIndex(tmp_path / "data", reopened)
    report = index.ingest([notes])
    assert (report.embedded, report.unchanged) == (0, 3)
    assert reopened.documents == []
    assert index.search("How much is our OpenAI bill?", k=1)[0].section == "Current spend"


def test_ensure_ready_ingests_the_guide_once(tmp_path: Path, recorder: RecordingEmbeddings) -> None:
    """An empty index gets the guide on ensure_ready; a later process finds it ready and embeds nothing."""
    KnowledgeIndex(tmp_path / "data", recorder).ensure_ready()
    assert len(recorder.documents) > 30
    later = RecordingEmbeddings(recorder.model)
    index = KnowledgeIndex(tmp_path / "data", later)
    index.ensure_ready()
    assert later.documents == []
    passages = index.search("When does renting H100 GPUs beat paying for API tokens?")
    assert {passage.source for passage in passages} == {GUIDE_SOURCE}
    assert all(passage.section in section_titles() for passage in passages)


def test_changing_the_model_reembeds_everything(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """Opening the index with a different embedding model re-embeds every stored chunk, user files included."""
    KnowledgeIndex(tmp_path / "data", recorder).ingest([notes])
    other_model = RecordingEmbeddings(recorder.model, model_id="another-model")
    index = KnowledgeIndex(tmp_path / "data", other_model)
    report = index.ingest([notes])
    assert (report.embedded, report.total) == (3, 3)
    assert len(other_model.documents) == 3


def test_fingerprint_follows_content_and_model(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """The fingerprint is stable while nothing changes and differs after an edit or with another model."""
    index = KnowledgeIndex(tmp_path / "data", recorder)
    index.ingest([notes])
    before = index.fingerprint()
    index.ingest([notes])
    assert index.fingerprint() == before
    assert KnowledgeIndex(tmp_path / "data", recorder).fingerprint() == before
    assert (
        KnowledgeIndex(tmp_path / "data", RecordingEmbeddings(recorder.model, "m2")).fingerprint() != before
    )
    notes.write_text(NOTES.replace("Priya", "Tomás"), encoding="utf-8")
    index.ingest([notes])
    assert index.fingerprint() != before


def test_keyword_search_never_embeds_the_query(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """Keyword mode answers without running the model, so it needs no model load at all."""
    KnowledgeIndex(tmp_path / "data", recorder).ingest([notes])
    index = KnowledgeIndex(tmp_path / "data", recorder, retrieval="keyword")
    passages = index.search("T4 Frankfurt", k=3)
    assert [passage.section for passage in passages] == ["Embeddings"]
    assert passages[0].score == 1.0
    assert recorder.queries == []


def test_progress_bar_goes_to_stderr(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With progress on, ingestion draws an embedding progress bar on stderr and prints nothing on stdout."""
    KnowledgeIndex(tmp_path / "data", recorder).ingest([notes], progress=True)
    captured = capsys.readouterr()
    assert "Embedding" in captured.err and "3/3" in captured.err
    assert captured.out == ""


def test_unknown_retrieval_mode_is_refused(tmp_path: Path, recorder: RecordingEmbeddings) -> None:
    """A misspelt retrieval mode raises a knowledge error that lists the valid ones."""
    with pytest.raises(RetrievalModeError, match="vector, keyword, hybrid"):
        KnowledgeIndex(tmp_path / "data", recorder, retrieval="semantic")


VENDORS = """# Vendor quotes

## Together AI

Together AI quoted us $0.20 per million tokens for Llama 3 8B, billed monthly.

## RunPod

RunPod rents H100 SXM cards at $2.69 an hour on the community cloud.

## Prompt caching

OpenAI discounts cached prompt tokens by half; our system prompt is 1,200 tokens.

## Batch jobs

Nightly summaries go through the batch API at half price, about 40% of our tokens.

## Support plan

The enterprise support plan costs $2,000 a month and includes a named engineer.
"""


@pytest.fixture
def vendors(notes: Path) -> Path:
    """A second notes file with five sections, so small indexes still have more than four passages."""
    path = notes.with_name("vendors.md")
    path.write_text(VENDORS, encoding="utf-8")
    return path


QUESTIONS = [
    "When does renting H100 GPUs beat paying for API tokens?",
    "What does caching prompts save?",
    "How much is the enterprise support plan?",
    "Which tokens go through the batch API?",
    "Who is on call for the retrieval service at the weekend?",
    "What do our embeddings cost on the T4?",
    "Should a startup self-host before product-market fit?",
    "How much is our OpenAI bill?",
]


def test_a_given_vector_is_used_instead_of_embedding_the_query_again(
    tmp_path: Path,
    recorder: RecordingEmbeddings,
    notes: Path,
    vendors: Path,
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    """With the question's vector passed in, search runs no model and finds the same passages."""
    KnowledgeIndex(tmp_path / "data", recorder).ingest([notes, vendors])
    for mode in ("hybrid", "vector"):
        searcher = KnowledgeIndex(tmp_path / "data", recorder, retrieval=mode)
        expected = searcher.search(QUESTIONS[4], k=3)
        recorder.queries.clear()
        vector = embeddings.embed_query(QUESTIONS[4])
        assert searcher.search(QUESTIONS[4], k=3, vector=vector) == expected
        assert recorder.queries == []


def test_eight_threads_searching_at_once_get_what_one_thread_gets(
    tmp_path: Path, embeddings: SentenceTransformerEmbeddings, notes: Path, vendors: Path
) -> None:
    """Concurrent searches on one cold shared index (the bot's listener threads) all succeed with the right passages."""
    KnowledgeIndex(tmp_path / "data", embeddings).ingest([notes, vendors])
    expected = {
        question: KnowledgeIndex(tmp_path / "data", embeddings).search(question) for question in QUESTIONS
    }
    shared = KnowledgeIndex(tmp_path / "data", embeddings)
    start = threading.Barrier(8)

    def search_all(offset: int) -> list[tuple[str, list[Passage]]]:
        start.wait()
        rotated = QUESTIONS[offset:] + QUESTIONS[:offset]
        return [(question, shared.search(question)) for question in rotated]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [item for batch in pool.map(search_all, range(8)) for item in batch]
    assert len(results) == 8 * len(QUESTIONS)
    for question, passages in results:
        assert passages == expected[question]


def test_searches_during_an_ingestion_never_fail(
    tmp_path: Path, embeddings: SentenceTransformerEmbeddings, notes: Path, vendors: Path
) -> None:
    """While one thread ingests a file, others keep searching; afterwards the new file is found."""
    index = KnowledgeIndex(tmp_path / "data", embeddings)
    index.ingest([vendors])
    done = threading.Event()

    def keep_searching() -> int:
        count = 0
        while not done.is_set() or count == 0:
            assert len(index.search(QUESTIONS[count % len(QUESTIONS)])) == 4
            count += 1
        return count

    with ThreadPoolExecutor(max_workers=4) as pool:
        searchers = [pool.submit(keep_searching) for _ in range(3)]
        try:
            index.ingest([notes, vendors])
        finally:
            done.set()
        assert all(searcher.result() > 0 for searcher in searchers)
    assert index.search(QUESTIONS[4], k=1)[0].section == "On-call"


def test_warm_loads_what_the_first_search_needs(
    tmp_path: Path, recorder: RecordingEmbeddings, notes: Path
) -> None:
    """warm() runs the model once and reads the chunks, so the first user's search does no start-up work."""
    KnowledgeIndex(tmp_path / "data", recorder).ingest([notes])
    index = KnowledgeIndex(tmp_path / "data", recorder)
    index.warm()
    assert recorder.queries == ["warm up"]
    assert index.search(QUESTIONS[0], k=2, vector=recorder.model.embed_query(QUESTIONS[0]))
    assert recorder.queries == ["warm up"]


ANOTHER_PROCESS_INGESTS = """
import sys, zlib
from pathlib import Path
from langchain_core.embeddings import Embeddings
from knowledge.index import KnowledgeIndex

class HashedEmbeddings(Embeddings):
    model_id = "shared-model"
    def embed_documents(self, texts):
        return [self.embed_query(text) for text in texts]
    def embed_query(self, text):
        seed = zlib.crc32(text.encode())
        return [((seed >> (i % 24)) & 1) - 0.5 for i in range(384)]

KnowledgeIndex(Path(sys.argv[1]), HashedEmbeddings()).ingest([Path(sys.argv[2])])
"""


def test_an_ingestion_by_another_process_is_seen_on_the_next_search(
    tmp_path: Path, embeddings: SentenceTransformerEmbeddings, notes: Path
) -> None:
    """`advisor ingest` in another process while the bot runs: the bot's next keyword search finds the new file."""
    data = tmp_path / "data"
    index = KnowledgeIndex(data, RecordingEmbeddings(embeddings, "shared-model"), retrieval="keyword")
    index.ingest([notes])
    assert index.search("Together quoted Llama", k=5) == []
    before = index.fingerprint()
    vendors = notes.with_name("quotes.md")
    vendors.write_text(
        "# Vendors\n\nTogether AI quoted us $0.20 per million tokens for Llama.\n", encoding="utf-8"
    )
    subprocess.run(
        [sys.executable, "-c", ANOTHER_PROCESS_INGESTS, str(data), str(vendors)],
        check=True,
        cwd=Path(__file__).parents[1],
        timeout=120,
    )
    found = index.search("Together quoted Llama", k=5)
    assert [passage.source for passage in found] == [str(vendors.resolve())]
    assert index.fingerprint() != before


def test_the_same_question_twice_runs_the_model_once(embeddings: SentenceTransformerEmbeddings) -> None:
    """Retrieval, the cache and the quote picker embedding one question cost one encode, with equal vectors."""

    class Counting(SentenceTransformerEmbeddings):
        encodes = 0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            self.encodes += 1
            return super().embed_documents(texts)

    model = Counting()
    first = model.embed_query(QUESTIONS[0])
    first.append(99.0)  # a caller changing its copy must not change the next caller's
    again = model.embed_query(QUESTIONS[0])
    assert model.encodes == 1
    assert again == embeddings.embed_query(QUESTIONS[0])
    model.embed_query(QUESTIONS[1])
    assert model.encodes == 2


def test_threads_embedding_at_once_get_the_vectors_one_thread_gets(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    """Eight threads encoding different questions together get exactly the sequential vectors, no tokenizer error."""
    fresh = SentenceTransformerEmbeddings()
    texts = [f"{question} (variant {n})" for n in range(3) for question in QUESTIONS]
    expected = embeddings.embed_documents(texts)
    start = threading.Barrier(8)

    def embed(offset: int) -> list[tuple[int, list[float]]]:
        start.wait()
        return [(n, fresh.embed_query(texts[n])) for n in range(offset, len(texts), 8)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [item for batch in pool.map(embed, range(8)) for item in batch]
    assert len(results) == len(texts)
    for n, vector in results:
        assert vector == pytest.approx(expected[n], abs=1e-5)
