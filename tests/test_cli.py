"""The `advisor` command line as a user runs it: real processes, real output."""

import json
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

ADVISOR = [sys.executable, "-m", "bot.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ADVISOR, *args], capture_output=True, text=True, timeout=60, check=False)


def test_guide_example_2_from_the_issue() -> None:
    """The issue's spelled-out example 2 prints both costs, the GPUs and the verdict."""
    done = run(
        "breakeven",
        "--tokens",
        "500M",
        "--api-price",
        "0.015",
        "--gpu-hourly",
        "2.69",
        "--tokens-per-gpu",
        "167M",
        "--ops-hours",
        "30",
        "--ops-rate",
        "50",
    )
    assert done.returncode == 0, done.stderr
    assert "API $7,500.00" in done.stdout
    assert "self-hosted $7,391.10 on 3 GPUs" in done.stdout
    assert "breaks even" in done.stdout
    assert "$7,389" in done.stdout  # the flag explains the guide's own figure


def test_breakeven_defaults_are_the_guide_framework_and_are_printed() -> None:
    """`advisor breakeven --tokens 500M` alone is example 2, with every default shown in the JSON."""
    done = run("breakeven", "--tokens", "500M", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["api_monthly_cost"] == 7500
    assert D(str(report["self_hosted_monthly_cost"])) == D("7391.10")
    assert report["gpus"] == 3
    assert report["verdict"] == "breaks_even"
    names = {item["name"]: item for item in report["assumptions"]}
    assert {"API price", "GPU", "throughput", "ops hours", "ops rate"} <= set(names)
    assert all(item["origin"].startswith("default") for item in names.values())
    assert "30 h" in names["ops hours"]["value"]


@pytest.mark.parametrize(
    ("tokens", "api", "gpus", "verdict"),
    [("100M", 1500, 1, "stay_on_api"), ("2B", 30000, 12, "self_host_saves")],
)
def test_breakeven_defaults_reproduce_examples_1_and_3(
    tokens: str, api: int, gpus: int, verdict: str
) -> None:
    """Defaults grow ops hours with volume, so 100M and 2B reproduce examples 1 and 3."""
    report = json.loads(run("breakeven", "--tokens", tokens, "--json").stdout)
    assert (report["api_monthly_cost"], report["gpus"], report["verdict"]) == (api, gpus, verdict)


def test_breakeven_guide_gpu_month_reproduces_printed_figure() -> None:
    """With the guide's own $1,963 GPU-month the self-hosted cost is the printed $7,389."""
    report = json.loads(run("breakeven", "--tokens", "500M", "--gpu-monthly", "1963", "--json").stdout)
    assert report["self_hosted_monthly_cost"] == 7389


def test_breakeven_with_a_model_and_split_prices_exactly() -> None:
    """Naming a model with an input share prices the API side at its list prices, exactly."""
    report = json.loads(
        run(
            "breakeven", "--tokens", "2.5B", "--model", "gemini-2.5-pro", "--input-share", "80%", "--json"
        ).stdout
    )
    assert report["api_monthly_cost"] == 7500
    assert "80% input" in next(a["value"] for a in report["assumptions"] if a["name"] == "API price")


def test_breakeven_says_never_when_gpu_tokens_cost_more() -> None:
    """At GPT-4o's blended rate the report says self-hosting never wins and why."""
    done = run("breakeven", "--tokens", "500M", "--model", "gpt-4o")
    assert "never cheaper" in done.stdout
    assert "$11.76 per 1M" in done.stdout


def test_cost_is_exact_from_input_and_output() -> None:
    """`advisor cost --model gpt-4o --input 8M --output 2M` is $20 + $20 = $40."""
    report = json.loads(run("cost", "--model", "gpt-4o", "--input", "8M", "--output", "2M", "--json").stdout)
    assert (report["input_cost"], report["output_cost"], report["monthly_cost"]) == (20, 20, 40)
    assert report["method"] == "exact"


def test_cost_without_split_is_labelled_blended() -> None:
    """A total without a split is priced blended and says so."""
    done = run("cost", "--model", "gpt-4o", "--tokens", "82.5M")
    assert "$515.63" in done.stdout
    assert "blended" in done.stdout


def test_tokens_uses_the_guide_assumptions() -> None:
    """`advisor tokens --users 10K` is the guide's 82.5M with its assumptions printed."""
    report = json.loads(run("tokens", "--users", "10K", "--json").stdout)
    assert report["monthly_tokens"] == 82_500_000
    assert any(a["name"] == "daily active share" and a["value"] == "50%" for a in report["assumptions"])


def test_tokens_with_one_side_given_names_the_other_as_the_guides_default() -> None:
    """Given only the output per interaction, the 50 input tokens are labelled the guide's default, not "you"."""
    report = json.loads(run("tokens", "--users", "1000", "--output", "300", "--json").stdout)
    origins = {a["name"]: a["origin"] for a in report["assumptions"]}
    assert origins["output tokens per interaction"] == "you"
    assert origins["input tokens per interaction"].startswith("default: guide")


def test_the_price_it_line_passes_the_exact_token_counts() -> None:
    """The suggested `advisor cost` command carries 1,188,000,000 tokens, not a rounded 1.19B."""
    done = run(
        "tokens",
        "--users",
        "8000",
        "--active-share",
        "75%",
        "--per-day",
        "6",
        "--input",
        "1500",
        "--output",
        "500",
        "--days",
        "22",
    )
    assert "--input 1188000000 --output 396000000" in done.stdout


def test_phase_reports_distance_and_actions() -> None:
    """`advisor phase --spend 30000` is Phase 2, $20,000 from Phase 3, with the guide's actions."""
    report = json.loads(run("phase", "--spend", "30000", "--json").stdout)
    assert (report["phase"], report["to_next_phase"]) == (2, 20000)
    assert any("caching" in action for action in report["actions"])


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("breakeven", "--tokens", "banana"), "500M"),
        (("breakeven", "--tokens", "-5M"), "negative"),
        (("breakeven",), "--tokens"),
        (("cost", "--model", "no-such-model", "--input", "1M"), "gpt-4o"),
        (("breakeven", "--tokens", "1B", "--gpu", "toaster"), "runpod-h100"),
        (("breakeven", "--tokens", "1B", "--tokens-per-gpu", "0"), "greater than zero"),
        (("tokens", "--users", "10K", "--active-share", "140%"), "100%"),
        (("phase",), "--spend"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], hint: str) -> None:
    """Bad input exits 2 with one line that says what to type, never a traceback."""
    done = run(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert hint in lines[0]
    assert "Traceback" not in done.stderr


def test_bad_setting_is_one_line_naming_the_variable() -> None:
    """A setting that does not parse is named in one line, not a pydantic traceback."""
    done = subprocess.run(
        [*ADVISOR, "stats"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "ADVISOR_LLM_TIMEOUT": "soon"},
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        (
            "advisor stats: setting ADVISOR_LLM_TIMEOUT is invalid: Input should be a valid number, "
            "unable to parse string as a number (see .env.sample)"
        )
    ]


def test_output_cut_short_by_the_reader_is_not_a_traceback() -> None:
    """When the reader goes away (`advisor ... | head`), the command ends quietly, without a traceback."""
    with subprocess.Popen(
        [*ADVISOR, "breakeven", "--tokens", "500M", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # nobody will read: every write gets EPIPE
        stderr = process.stderr.read()
        assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr


def test_help_explains_every_command() -> None:
    """`advisor --help` lists every command with a line of explanation."""
    done = run("--help")
    for command in (
        "breakeven",
        "cost",
        "tokens",
        "phase",
        "savings",
        "ingest",
        "search",
        "ask",
        "chat",
        "stats",
    ):
        assert command in done.stdout


def test_calculator_commands_do_not_load_the_heavy_stack() -> None:
    """Calculator commands never import torch, sentence-transformers or Chroma."""
    probe = (
        "import sys; from bot.cli import main; "
        "[main(a) for a in (['breakeven','--tokens','1B'], ['cost','--model','gpt-4o','--input','1M'], "
        "['tokens','--users','1K'], ['phase','--spend','1K'])]; "
        "heavy = [m for m in ('torch','sentence_transformers','chromadb') if m in sys.modules]; "
        "print('HEAVY', heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert "HEAVY []" in done.stdout
