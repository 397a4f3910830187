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

.PHONY: demo test test-browser chromium shared-data install dev bench bench-scale bench-onnx fuzz eval train-sentiment train-signals train-face-threats lint schema clean

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

# Without Chromium the browser tests skip (the summary says why); `make test-browser` runs them.
test: dev
	$(BIN)/python -m pytest

test-browser: dev chromium
	QAREVIEW_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -m browser

# Debian's chromium for the browser tests: installed with apt-get when missing and running as root.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install -y chromium' (or make test-browser as root)" >&2; exit 1; \
	  fi

lint: dev
	$(BIN)/ruff check .

bench: dev
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_flow.py

# Cost per conversation and peak RSS of `qareview run` at each size, the whole flow against one plain
# encoder pass (2,000 conversations), and the Dask speed-up (1 and 2 workers). Customer turns come from
# $(SHARED)/data when present (templates only otherwise). 100k takes hours on 2 cores:
# make bench-scale SCALE_SIZES=1000,10000,100000
SCALE_SIZES ?= 1000,10000
bench-scale: dev
	$(BIN)/python scripts/bench_scale.py --sizes $(SCALE_SIZES) --ratio-size 2000 --dask-workers 1,2 \
	  --dask-size 1000 --data $(SHARED)/data

# >= 10,000 damaged copies of every reader fixture through the real ingest (about 10 minutes);
# prints inputs, crashes, unexplained losses and record-level-only losses (.bench/fuzz.json).
fuzz: dev
	$(BIN)/python scripts/fuzz_readers.py --inputs 10000

# bench-onnx, train-sentiment, train-signals and the public-benchmark lines of eval read data sets
# from $(SHARED)/data (not in this repository); the real labelled set eval reads first is.
TWEETEVAL := $(SHARED)/data/tweeteval-sentiment
shared-data:
	@test -d $(TWEETEVAL) || { echo "needs the TweetEval sentiment data in $(TWEETEVAL) (not part of this repository; set SHARED=...)" >&2; exit 2; }

bench-onnx: dev shared-data
	$(PIP) install -q -c constraints.txt -e '.[dev,onnx-bench]'
	$(BIN)/python scripts/bench_onnx.py --data $(SHARED)/data/tweeteval-sentiment/dev.tsv --per-channel --matmul-only

eval: dev
	$(BIN)/python scripts/eval_findings.py --split test
	$(BIN)/python scripts/eval_signals.py --split test
	$(BIN)/python scripts/label_agreement.py
	$(BIN)/python scripts/eval_scorers.py
	$(BIN)/python scripts/eval_written.py
	$(BIN)/python scripts/eval_conversations.py
	$(BIN)/python scripts/eval_redaction.py
	$(BIN)/python scripts/eval_redaction.py --data eval/pii/holdout.txt
	@if test -d $(TWEETEVAL); then $(BIN)/python scripts/eval_sentiment.py --data $(TWEETEVAL)/dev.tsv; \
	else echo "TweetEval benchmark skipped: $(TWEETEVAL) not found (set SHARED=...)"; fi
	$(BIN)/python scripts/eval_vendor_signals.py --data $(SHARED)/data/vendor-samples

train-signals: dev shared-data
	$(BIN)/python scripts/train_signals.py --shared $(SHARED)/data

# The face-threat head reads only the repository's own data (eval/, tests/data/labelled).
train-face-threats: dev
	$(BIN)/python scripts/train_face_threats.py

train-sentiment: dev shared-data
	$(BIN)/python scripts/train_sentiment.py --train $(SHARED)/data/tweeteval-sentiment/train.tsv

schema: install
	$(BIN)/python -m transcripts.schema

clean:
	rm -rf out .prefect .pytest_cache
