"""Training and evaluation data for the signal heads, and their features from the product encoder.

Sources (development only; none is needed at run time):

- the labelled real service set ``eval/ibm-customer-care/`` (turns + labels, split by thread);
- GoEmotions (CC BY 4.0), the Stanford Politeness Corpus' Wikipedia half (Apache 2.0) and
  TweetEval sentiment from ``../shared/data``;
- the project's own synthetic labelled turns in ``tests/data/labelled`` (training only).

Features are the product's: :func:`turn_features` runs the same encoder pass analysis runs
(sentiment head + :class:`~nlp.signals.TurnFeatureHead`) and caches the rows on disk by text.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from label_agreement import first_pass  # noqa: E402

from nlp.config import load_analysis_config  # noqa: E402
from nlp.encoder import Encoder  # noqa: E402
from nlp.sentiment import HEAD_NAME, SHIPPED_DIR, ShippedSentiment  # noqa: E402
from nlp.signals import FEATURES_HEAD, TurnFeatureHead, model_text, turn_inputs  # noqa: E402

IBM = ROOT / "eval" / "ibm-customer-care"
# The product's encoder settings, but always in fp32: the shipped heads are trained on features
# every CPU computes alike, so `make train-signals` gives the same weights on any machine (bf16,
# which `precision: auto` picks where the CPU has it, shifts features by about 1e-3).
ENCODER = load_analysis_config().encoder.model_copy(update={"precision": "fp32"})
CACHE = ROOT / ".bench" / "signal-features"
SENTIMENT_FILES = ("head.json", "head.safetensors")  # the sentiment head the feature rows end with
SYNTHETIC = [ROOT / "tests" / "data" / "labelled" / p for p in ("", "holdout", "check")]
AGENT_LINES = ROOT / "eval" / "synthetic" / "agent-turns.jsonl"  # our own lines: routine vs empathic
CUSTOMER_LINES = ROOT / "eval" / "synthetic" / "customer-sentiment.jsonl"  # our own customer lines
FACE_KINDS = ("blame_customer", "contradict", "condescend", "stonewall", "blame_colleague")
SYNTHETIC_FACE = {
    "blame_customer": "blame_customer",
    "contradict_customer": "contradict",
    "condescension": "condescend",
    "stonewall": "stonewall",
    "blame_colleague": "blame_colleague",
}
GO_DISTRESS = {
    "anger",
    "annoyance",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "fear",
    "grief",
    "nervousness",
    "sadness",
}
GO_CALM = {
    "neutral",
    "gratitude",
    "joy",
    "approval",
    "admiration",
    "amusement",
    "curiosity",
    "love",
    "optimism",
    "relief",
    "excitement",
    "realization",
}


# Answer particles a customer's reply may open with ("No, I bought it in November."). They say
# nothing of the customer's mood, but tweets and Reddit comments taught the sentiment head that a
# leading "No" is negative (MODEL_CARD.md, "Answer particles").
ANSWER_PARTICLES = (
    *("No, ", "No. ", "Nope, ", "Nope. ", "Nah, "),
    *("Yes, ", "Yes. ", "Yeah, ", "Yep, ", "Ok, ", "Okay, "),
)
_LEADING_HANDLES = re.compile(r"^((?:@\w+\s+)*)(.*)$", re.DOTALL)


@dataclass
class Example:
    """One text to learn from: its role, context text, labels and where it came from."""

    text: str
    role: str
    labels: dict[str, str]
    source: str
    split: str = "train"
    context: str | None = None  # the customer turn an agent turn answers
    weight: float = 1.0
    uncertain: list[str] = field(default_factory=list)
    key: tuple[str, int] | None = None  # (thread, turn) for the real set


def ibm_examples() -> list[Example]:
    """Every labelled turn of the real set, with its thread's split and its context turn."""
    turns = [json.loads(line) for line in (IBM / "turns.jsonl").read_text().splitlines()]
    labels = first_pass()
    out = []
    last_customer: dict[str, str] = {}
    for t in turns:
        key = (t["thread"], t["turn"])
        lab = labels.get(key)
        context = last_customer.get(t["thread"])
        if t["role"] == "customer":
            last_customer[t["thread"]] = t["text"]
        if lab is None:
            continue
        fields = (
            ("sentiment", "distress", "reexplanation")
            if t["role"] == "customer"
            else ("empathic", "can_do", "handoff")
        )
        values = {f: str(lab[f]).lower() for f in fields}
        if t["role"] == "agent":
            values["face_threat"] = "true" if lab["face_threat"] else "false"
            for kind in FACE_KINDS:
                values[f"face_{kind}"] = "true" if kind in lab["face_threat"] else "false"
        out.append(
            Example(
                t["text"],
                t["role"],
                values,
                "ibm",
                t["split"],
                context,
                uncertain=list(lab.get("uncertain", [])),
                key=key,
            )
        )
    return out


def goemotions(path: Path, limit: int, seed: int = 7) -> list[Example]:
    """Reddit comments as customer-like (distress, sentiment) and agent-like (empathic) texts."""
    names = (path.parent / "labels.txt").read_text().split()
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text, ids, _ = line.rstrip("\n").split("\t")
            rows.append((text, {names[int(i)] for i in ids.split(",")}))
    rng = np.random.default_rng(seed)
    picked = [rows[i] for i in sorted(rng.choice(len(rows), size=min(limit, len(rows)), replace=False))]
    out = []
    for text, emotions in picked:
        if emotions & GO_DISTRESS and not emotions & {"caring", "gratitude", "joy"}:
            distress = "true"
        elif emotions <= GO_CALM:
            distress = "false"
        else:
            distress = None
        if distress is not None:
            out.append(Example(text, "customer", {"distress": distress}, "goemotions", weight=0.1))
        if emotions & {"caring", "remorse"}:
            out.append(Example(text, "agent", {"empathic": "true"}, "goemotions", weight=0.3))
        elif emotions <= {"neutral", "approval", "curiosity", "realization"}:
            out.append(Example(text, "agent", {"empathic": "false"}, "goemotions", weight=0.15))
    return out


def goemotions_sentiment(path: Path, limit: int, seed: int = 7) -> list[Example]:
    """Reddit comments whose emotions all fall in one of the paper's groups: negative, neutral or positive.

    ``sentiment_groups.json`` beside the file maps each emotion to its group; comments with an
    ambiguous emotion or emotions of two groups are left out.
    """
    names = (path.parent / "labels.txt").read_text().split()
    groups = json.loads((path.parent / "sentiment_groups.json").read_text())
    group_of = {emotion: group for group, emotions in groups.items() for emotion in emotions}
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text, ids, _ = line.rstrip("\n").split("\t")
            found = {group_of[names[int(i)]] for i in ids.split(",")}
            if len(found) == 1 and next(iter(found)) in {"negative", "neutral", "positive"}:
                rows.append((text, next(iter(found))))
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(rows), size=min(limit, len(rows)), replace=False))
    return [Example(rows[i][0], "customer", {"sentiment": rows[i][1]}, "goemotions") for i in picked]


def _text_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def with_particle(particle: str, text: str) -> str:
    """``text`` as a reply opening with ``particle``, after any leading @handles (as tweets start).

    Case is left alone: the encoder's tokenizer lowercases.
    """
    handles, body = _LEADING_HANDLES.match(text).groups()  # type: ignore[union-attr]
    return handles + particle + body


def answer_particle_copies(
    examples: list[Example], sources: Iterable[str], share: float, weight: float
) -> list[Example]:
    """Copies of a fixed ``share`` of the train split's sentiment examples from ``sources``, opening
    with an answer particle.

    Each keeps its label: the particle carries no sentiment. The share and the particle are picked
    by a hash of the text, so the copies are the same on every run. Calibration and test items are
    never copied.
    """
    wanted = set(sources)
    out = []
    for e in examples:
        copied = e.split == "train" and e.source in wanted and "sentiment" in e.labels
        if not copied or _text_hash(e.text) % 1000 >= share * 1000:
            continue
        particle = ANSWER_PARTICLES[_text_hash(f"p{e.text}") % len(ANSWER_PARTICLES)]
        text = with_particle(particle, e.text)
        # the real turn's key keeps a copy in its original's fold (scripts/train_signals.py)
        out.append(Example(text, "customer", dict(e.labels), "answer-particle", weight=weight, key=e.key))
    return out


def politeness(path: Path) -> list[Example]:
    """Wikipedia requests: bottom quartile as face-threatening, top quartile as not."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(r["Request"], float(r["Normalized Score"])) for r in csv.DictReader(handle)]
    scores = np.array([s for _, s in rows])
    low, high = np.quantile(scores, [0.25, 0.75])
    out = []
    for text, score in rows:
        if score <= low:
            out.append(Example(text, "agent", {"face_threat": "true"}, "politeness", weight=0.3))
        elif score >= high:
            out.append(Example(text, "agent", {"face_threat": "false"}, "politeness", weight=0.3))
    return out


def tweeteval(path: Path) -> list[Example]:
    """Tweets with three-way sentiment."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        return [
            Example(r[0], "customer", {"sentiment": r[1].strip()}, "tweeteval")
            for r in reader
            if len(r) == 2 and r[1].strip() in {"negative", "neutral", "positive"}
        ]


def synthetic() -> list[Example]:
    """The project's own labelled turns and conversations (written by us: training only, never evaluation).

    Conversations are labelled completely (``tests/data/labelled/README.md``): an agent turn
    without self-worth kinds has none, a customer turn without an empathy label shows no
    distress — except right after a labelled moment, which may continue it (skipped).
    """
    out = []
    for folder in SYNTHETIC:
        for line in (folder / "turns.jsonl").read_text().splitlines():
            d = json.loads(line)
            if d["scorer"] == "self_worth.v1":
                out.append(Example(d["text"], "agent", _self_worth_labels(d["kinds"]), "synthetic"))
            elif d["scorer"] == "empathy.v1":
                out.append(
                    Example(
                        d["text"],
                        "customer",
                        {"distress": "true" if d["opportunity"] else "false"},
                        "synthetic",
                    )
                )
        for line in (folder / "conversations.jsonl").read_text().splitlines():
            conv = json.loads(line)
            last_customer, previous_emotional, responded_window = None, False, 0
            for turn in conv["turns"]:
                labels = turn.get("labels", {})
                if labels.get("empathy") == "responded":
                    responded_window = 2  # one of the agent's next two turns spoke to the feeling
                if turn["role"] == "customer":
                    emotional = "empathy" in labels
                    if emotional or not previous_emotional:
                        out.append(
                            Example(
                                turn["text"],
                                "customer",
                                {"distress": "true" if emotional else "false"},
                                "synthetic",
                            )
                        )
                    previous_emotional, last_customer = emotional, turn["text"]
                elif turn["role"] == "agent":
                    agent_labels = _self_worth_labels(labels.get("self_worth", []))
                    if responded_window:
                        responded_window -= 1  # which of the two responded is not labelled
                    else:
                        agent_labels.setdefault("empathic", "false")
                    out.append(
                        Example(turn["text"], "agent", agent_labels, "synthetic", context=last_customer)
                    )
    for line in AGENT_LINES.read_text().splitlines():
        d = json.loads(line)
        labels = {"empathic": str(d["empathic"]).lower(), "can_do": str(d["can_do"]).lower()}
        out.append(Example(d["text"], "agent", labels, "synthetic"))
    return out


def service_lines(weight: float = 1.0) -> list[Example]:
    """Our own customer lines labelled for sentiment (training only, never evaluation).

    They cover what tweets and Reddit comments teach wrongly about service: sarcastic praise of a
    failure, asking for a manager or to cancel, waiting and repeating oneself are negative; short
    answers with "no" or "not" are neutral; thanks for a fix is positive.
    """
    out = []
    for line in CUSTOMER_LINES.read_text().splitlines():
        d = json.loads(line)
        labels = {"sentiment": d["sentiment"]}
        out.append(Example(d["text"], "customer", labels, "service-lines", weight=weight))
    return out


def _self_worth_labels(kinds: list[str]) -> dict[str, str]:
    """Face threat and can-do from self-worth kinds; a face threat is never an empathic response,
    acknowledging the customer's view always is (other turns say nothing about empathy)."""
    face = [SYNTHETIC_FACE[k] for k in kinds if k in SYNTHETIC_FACE]
    labels = {"face_threat": "true" if face else "false", "can_do": "true" if "can_do" in kinds else "false"}
    labels.update({f"face_{k}": "true" if k in face else "false" for k in FACE_KINDS})
    if face:
        labels["empathic"] = "false"
    elif "acknowledge_view" in kinds:
        labels["empathic"] = "true"
    return labels


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@lru_cache(maxsize=1)
def _sentiment_digest() -> str:
    """12 hex digits naming the shipped sentiment head's files (the feature cache is per head)."""
    weights = b"".join((SHIPPED_DIR / name).read_bytes() for name in SENTIMENT_FILES)
    return hashlib.sha256(weights).hexdigest()[:12]


def turn_features(texts: Iterable[str], name: str = "") -> np.ndarray:
    """Per-text ``[turn features, sentiment probabilities]`` from the product's one encoder pass.

    Rows are cached on disk per text (``.bench/signal-features``), so adding labels or data
    re-encodes only the new texts. The cache files are named after the sentiment head's weights,
    whose probabilities end each row: a retrained head gets rows of its own.
    """
    texts = [model_text(t) for t in texts]
    CACHE.mkdir(parents=True, exist_ok=True)
    head = _sentiment_digest()
    keys_path, rows_path = CACHE / f"keys-{head}.json", CACHE / f"rows-{head}.npy"
    keys: list[str] = json.loads(keys_path.read_text()) if keys_path.exists() else []
    rows = np.load(rows_path) if rows_path.exists() else np.zeros((0, 1539), dtype=np.float32)
    index = {k: i for i, k in enumerate(keys)}
    missing = list(dict.fromkeys(t for t in texts if _text_key(t) not in index))
    if missing:
        encoder = Encoder.from_config(ENCODER)
        sentiment = ShippedSentiment.load(encoder)
        result = encoder.run(missing, heads=[sentiment.head, TurnFeatureHead()])
        fresh = np.concatenate([result.head_outputs[FEATURES_HEAD], result.head_outputs[HEAD_NAME]], axis=1)
        rows = np.concatenate([rows, fresh.astype(np.float32)])
        for t in missing:
            index[_text_key(t)] = len(keys)
            keys.append(_text_key(t))
        np.save(rows_path, rows)
        keys_path.write_text(json.dumps(keys))
    return rows[[index[_text_key(t)] for t in texts]]


def strategy_features(texts: Iterable[str]) -> np.ndarray:
    """Per-text politeness strategy indicators (:mod:`nlp.politeness`) from the product's spaCy parse.

    Texts are parsed as analysis parses turns (raw text, the shipped pipeline and settings);
    rows are cached on disk per text and strategy file (``.bench/signal-features``).
    """
    from nlp.analysis import Analyzer
    from nlp.models import present
    from nlp.politeness import STRATEGIES_PATH, PolitenessStrategies

    texts = list(texts)
    strategies = PolitenessStrategies.load()
    version = hashlib.sha256(STRATEGIES_PATH.read_bytes()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"strategies-{version}.json"
    cached: dict[str, list[int]] = json.loads(path.read_text()) if path.exists() else {}
    missing = list(dict.fromkeys(t for t in texts if _text_key(t) not in cached))
    if missing:
        analyzer = Analyzer()
        nlp = analyzer.nlp
        off = present(nlp, analyzer.config.spacy.disable)
        docs = nlp.pipe(missing, batch_size=analyzer.config.spacy.batch_size, disable=off)
        for text, row in zip(missing, strategies.matrix(list(docs)), strict=True):
            cached[_text_key(text)] = [int(v) for v in row]
        path.write_text(json.dumps(cached, sort_keys=True))
    return np.array([cached[_text_key(t)] for t in texts], dtype=np.float32).reshape(len(texts), -1)


def example_strategies(examples: list[Example]) -> np.ndarray:
    """Politeness strategy rows of the agent examples (zero rows for customer examples)."""
    agents = [i for i, e in enumerate(examples) if e.role == "agent"]
    width = len(strategy_features(["x"])[0])
    out = np.zeros((len(examples), width), dtype=np.float32)
    if agents:
        out[agents] = strategy_features([examples[i].text for i in agents])
    return out


def example_inputs(examples: list[Example], name: str) -> np.ndarray:
    """Head inputs: each example's features beside its context's (zeros without context)."""
    own = turn_features([e.text for e in examples], f"{name}-own")
    with_context = [i for i, e in enumerate(examples) if e.context]
    context = np.zeros_like(own)
    if with_context:
        context[with_context] = turn_features([examples[i].context for i in with_context], f"{name}-ctx")
    return np.concatenate([own, context], axis=1)


__all__ = [
    "ANSWER_PARTICLES",
    "Example",
    "answer_particle_copies",
    "example_inputs",
    "example_strategies",
    "goemotions",
    "goemotions_sentiment",
    "ibm_examples",
    "politeness",
    "service_lines",
    "strategy_features",
    "synthetic",
    "turn_inputs",
    "tweeteval",
    "with_particle",
]
