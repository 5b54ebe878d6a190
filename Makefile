# The advisor's tasks. `make help` lists them.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: help install run test lint bench bench-slack eval clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv with everything (CPU torch first, so no CUDA build is pulled)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install ## build the index, show a break-even, a search and an answer, then serve Slack (or chat)
	$(BIN)/advisor ingest
	$(BIN)/advisor breakeven --tokens 500M
	$(BIN)/advisor search "should we self-host yet?"
	$(BIN)/advisor ask 'We spend $$30K a month on OpenAI, what now?'
	$(BIN)/advisor run

lint: install ## ruff and mypy (strict for calculators/)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint ## lint, types and the whole test suite
	$(BIN)/pytest

bench: install ## print retrieval quality, index build time and answer latency (p50/p95)
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/latency.py

bench-slack: install ## acknowledgement latency of `advisor serve --http` under 50 concurrent Slack events
	$(BIN)/python bench/slack_load.py

eval: install ## score the answers on the development and held-out evaluation sets, side by side
	$(BIN)/python bench/eval.py

clean: ## remove the virtual environment
	rm -rf $(VENV)
