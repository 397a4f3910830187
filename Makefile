# qareview: `make demo` sets everything up and runs the nightly flow on the bundled examples;
# `make test` runs the test suite. Everything runs offline once installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export PREFECT_LOGGING_LEVEL ?= WARNING
SHARED ?= ../shared

.PHONY: demo test install dev bench bench-onnx fuzz eval train-sentiment train-signals lint schema clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt -e .
	touch $@

$(VENV)/.dev: $(VENV)/.installed
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev

demo: install
	$(BIN)/qareview run examples --db out/qareview.duckdb --out out

test: dev
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check .

bench: dev
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_flow.py

# >= 10,000 damaged copies of every reader fixture through the real ingest (about 10 minutes);
# prints inputs, crashes, unexplained losses and record-level-only losses (.bench/fuzz.json).
fuzz: dev
	$(BIN)/python scripts/fuzz_readers.py --inputs 10000

bench-onnx: dev
	$(PIP) install -q -c constraints.txt -e '.[dev,onnx-bench]'
	$(BIN)/python scripts/bench_onnx.py --data $(SHARED)/data/tweeteval-sentiment/dev.tsv --per-channel --matmul-only

eval: dev
	$(BIN)/python scripts/eval_findings.py --split test
	$(BIN)/python scripts/eval_signals.py --split test
	$(BIN)/python scripts/label_agreement.py
	$(BIN)/python scripts/eval_sentiment.py --data $(SHARED)/data/tweeteval-sentiment/dev.tsv
	$(BIN)/python scripts/eval_scorers.py
	$(BIN)/python scripts/eval_redaction.py
	$(BIN)/python scripts/eval_redaction.py --data eval/pii/holdout.txt

train-signals: dev
	$(BIN)/python scripts/train_signals.py --shared $(SHARED)/data

train-sentiment: dev
	$(BIN)/python scripts/train_sentiment.py --train $(SHARED)/data/tweeteval-sentiment/train.tsv

schema: install
	$(BIN)/python -m transcripts.schema

clean:
	rm -rf out .prefect .pytest_cache
