"""Train and calibrate the signal heads (``make train-signals``); writes ``nlp/models/signals/``.

For each head: a multinomial logistic regression on the shared pass's turn features (an agent
turn beside the customer turn it answers), trained on the real set's train split plus public
data and the project's synthetic turns (``scripts/signal_data.py``). The regularisation is
chosen by log-loss on the calibration split; a temperature is fitted there, and the precision
/ recall curve of each finding class on the calibration split ships with the weights so a
rubric's target precision becomes a cut-off (``nlp/signals.py``). The test split is never read.

    python scripts/train_signals.py --shared ../shared/data
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import politeness_cv
import signal_data as data
from safetensors.numpy import save_file
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from nlp.politeness import PolitenessStrategies

OUT = data.ROOT / "nlp" / "models" / "signals"
SEED = 13
# The fits' BLAS threads, fixed: OpenBLAS sums in another order at another thread count, which
# moves weights by about 1e-16 and, through the fits, calibration figures in their fourth decimal.
# Machines with the same BLAS kernels then train the same weights whatever their core count.
BLAS_THREADS = 2


@dataclass(frozen=True)
class HeadPlan:
    """What one head learns: role, field, classes, the classes findings are made of, extra sources."""

    name: str
    role: str
    field: str
    classes: tuple[str, ...]
    findings: tuple[str, ...]
    sources: tuple[str, ...] = ("ibm", "synthetic")  # what it trains on besides nothing else
    ibm_weight: float = 3.0
    # Whether the head reads the customer turn the turn answers. Off where it taught the head the
    # answer's prior instead of its content ("after an upset customer, replies are empathic").
    context: bool = False
    # Inverse regularisation strengths tried (chosen by calibration log-loss); capped at 0.01 so
    # heads on 3,078 features and a few hundred real turns stay smooth outside the Twitter domain.
    regularisation: tuple[float, ...] = (0.001, 0.003, 0.01)
    # Whether the head also reads the turn's politeness strategies (nlp/politeness.py).
    strategies: bool = False


# Share of the sentiment head's train-split examples copied with an answer particle, and the copies'
# weight (signal_data.answer_particle_copies). Chosen by calibration log-loss among (share, weight)
# 0.15/0.5, 0.15/1, 0.3/0.1, 0.3/0.3, 0.3/1, 0.5/0.5, 1/0.15, 1/0.3: 0.15/1 had the lowest (0.5933;
# none 0.5956). MODEL_CARD.md, "Answer particles".
ANSWER_COPIES = (0.15, 1.0)


# Sources per head (MODEL_CARD.md): out-of-fold average precision on the real train and
# calibration splits fell with GoEmotions at weight 0.3 for distress (0.823 -> 0.793) and
# empathic responses (0.874 -> 0.701). Distress keeps GoEmotions at weight 0.1: without it, thanks
# and relief outside the Twitter domain ("Now it worked out!! Thank you") read as distress. Face
# threats have their own adapted head (scripts/train_face_threats.py, nlp/face_threats.py).
PLANS = (
    # Customer sentiment (every turn's sentiment and the customer's trajectory): tweets and
    # Reddit comments keep the three-way scale general; the real customer turns, at weight 3,
    # teach it that a service complaint is negative however politely it is put.
    # Copies of some of them opening with an answer particle ("No, ...", "Yes, ...") keep their
    # label (ANSWER_COPIES).
    HeadPlan(
        "sentiment",
        "customer",
        "sentiment",
        ("negative", "neutral", "positive"),
        ("negative", "positive"),
        ("ibm", "tweeteval", "goemotions", "answer-particle"),
        regularisation=(0.001, 0.003, 0.01),
    ),
    HeadPlan(
        "distress", "customer", "distress", ("false", "true"), ("true",), ("ibm", "synthetic", "goemotions")
    ),
    HeadPlan("empathic", "agent", "empathic", ("false", "true"), ("true",)),
    HeadPlan("can_do", "agent", "can_do", ("false", "true"), ("true",)),
    HeadPlan(
        "handoff",
        "agent",
        "handoff",
        ("none", "transfer_warm", "transfer_cold", "referral_external", "channel_move"),
        ("transfer_warm", "transfer_cold", "referral_external", "channel_move"),
        ("ibm",),
        regularisation=(0.003, 0.01, 0.03),
    ),
)


def value_of(example: data.Example, plan: HeadPlan) -> str | None:
    """The example's class for this head (IBM distress none/mild/strong folds to false/true)."""
    value = example.labels.get(plan.field)
    if plan.field == "distress" and value in {"none", "mild", "strong"}:
        value = "false" if value == "none" else "true"
    return value if value in plan.classes else None


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> LogisticRegression:
    """One class-balanced, weighted logistic regression."""
    balance = np.ones(len(y))
    for k in np.unique(y):
        balance[y == k] = len(y) / (len(np.unique(y)) * (y == k).sum())
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit(x, y, sample_weight=w * balance)
    return model


def full_logits(model: LogisticRegression, x: np.ndarray, k: int) -> np.ndarray:
    """Logits for all ``k`` classes (classes absent from training get a very low logit)."""
    raw = model.decision_function(x)
    if raw.ndim == 1:
        raw = np.stack([-raw / 2, raw / 2], axis=1)
    out = np.full((len(x), k), -30.0)
    out[:, model.classes_] = raw
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def log_loss(z: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes."""
    p = softmax(z)
    return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1)).mean())


def curve(prob: np.ndarray, gold: np.ndarray, step: float = 0.01) -> list[tuple[float, float, float, int]]:
    """(cut-off, precision, recall, items flagged) at cut-offs 0.01, 0.02, ... 0.99."""
    points = []
    positives = max(int(gold.sum()), 1)
    for t in np.arange(step, 1.0, step):
        flagged = prob >= t
        tp = int((flagged & gold).sum())
        points.append(
            (round(float(t), 2), tp / max(int(flagged.sum()), 1), tp / positives, int(flagged.sum()))
        )
    return points


def _folds(examples: list[data.Example], rows: np.ndarray, k: int = 5) -> np.ndarray:
    """Fold number per row: real-set rows (and copies of them) by thread hash, other rows -1 (always
    trained on)."""
    out = np.full(len(rows), -1)
    for n, i in enumerate(rows):
        if examples[i].key is not None:
            out[n] = int(data.hashlib.sha256(examples[i].key[0].encode()).hexdigest(), 16) % k
    return out


def train_head(
    plan: HeadPlan, examples: list[data.Example], inputs: np.ndarray, strategies: np.ndarray
) -> tuple[dict, dict]:
    """Weights (as arrays) and the ``signals.json`` entry of one head.

    Regularisation is chosen by log-loss on the calibration split. The temperature and the
    precision curves are fitted on the calibration split together with out-of-fold predictions
    on the real train split (5 folds by thread), so cut-offs rest on every real labelled turn
    outside the test split rather than on the ~100 turns of the calibration split alone.
    """
    idx: dict[str, list[int]] = {s: [] for s in ("train", "calibration")}
    ys: dict[int, int] = {}
    for i, e in enumerate(examples):
        v = value_of(e, plan)
        if v is None or e.role != plan.role or e.split not in idx or e.source not in plan.sources:
            continue
        ys[i] = plan.classes.index(v)
        idx[e.split].append(i)
    tr, ca = np.array(idx["train"]), np.array(idx["calibration"])
    if not plan.context:
        inputs = inputs.copy()
        inputs[:, inputs.shape[1] // 2 :] = 0.0
    if plan.strategies:
        inputs = np.concatenate([inputs, strategies], axis=1)
    y_tr, y_ca = np.array([ys[i] for i in tr]), np.array([ys[i] for i in ca])
    w_tr = np.array([plan.ibm_weight if examples[i].source == "ibm" else examples[i].weight for i in tr])
    mean, scale = inputs[tr].mean(axis=0), inputs[tr].std(axis=0) + 1e-6
    x_tr, x_ca = (inputs[tr] - mean) / scale, (inputs[ca] - mean) / scale
    k = len(plan.classes)
    best = None
    for c in plan.regularisation:
        model = fit(x_tr, y_tr, w_tr, c)
        loss = log_loss(full_logits(model, x_ca, k), y_ca)
        if best is None or loss < best[0]:
            best = (loss, c, model)
    loss, c, model = best
    folds = _folds(examples, tr)
    real = np.array([examples[i].source == "ibm" for i in tr])
    z_oof, y_oof = [full_logits(model, x_ca, k)], [y_ca]
    for f in range(5):
        held = folds == f
        if held.any():
            fold_model = fit(x_tr[~held], y_tr[~held], w_tr[~held], c)
            shown = held & real  # copies of held-out turns are left out of the fold, not predicted
            z_oof.append(full_logits(fold_model, x_tr[shown], k))
            y_oof.append(y_tr[shown])
    z_cal, y_cal = np.concatenate(z_oof), np.concatenate(y_oof)
    temperature = float(
        minimize_scalar(lambda t: log_loss(z_cal / t, y_cal), bounds=(0.05, 20), method="bounded").x
    )
    p_cal = softmax(z_cal / temperature)
    curves = {}
    for label in plan.findings:
        j = plan.classes.index(label)
        curves[label] = curve(p_cal[:, j], y_cal == j)
    weight = np.zeros((k, inputs.shape[1]), dtype=np.float32)
    bias = np.full(k, -30.0, dtype=np.float32)
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # binary: split the one logit across the two classes
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    weight[model.classes_] = coef
    bias[model.classes_] = intercept
    counts = {
        s: {cl: int(sum(1 for i in ix if ys[i] == plan.classes.index(cl))) for cl in plan.classes}
        for s, ix in idx.items()
    }
    real_train = {
        cl: int(sum(1 for i in tr if examples[i].source == "ibm" and ys[i] == plan.classes.index(cl)))
        for cl in plan.classes
    }
    sources = sorted({examples[i].source for i in tr})
    tensors = {
        f"{plan.name}.weight": weight,
        f"{plan.name}.bias": bias,
        f"{plan.name}.mean": mean.astype(np.float32),
        f"{plan.name}.scale": scale.astype(np.float32),
    }
    spec = {
        "role": plan.role,
        "context": plan.context,
        "strategies": plan.strategies,
        "classes": list(plan.classes),
        "temperature": round(temperature, 4),
        "C": c,
        "calibration_log_loss": round(float(loss), 4),
        "counts": counts,
        "real_train_counts": real_train,
        "calibration_items": int(len(y_cal)),
        "sources": sources,
        "curves": {
            label: [[a, round(b, 4), round(r, 4), n] for a, b, r, n in pts] for label, pts in curves.items()
        },
    }
    return tensors, spec


def train_politeness(shared: Path, width: int) -> tuple[dict, dict]:
    """The politeness head: Wikipedia requests, impolite (bottom quartile) vs polite (top quartile).

    It reads the turn's encoder features and politeness strategies (no context). Regularisation
    is chosen by grouped cross-validation (:mod:`politeness_cv`); the temperature and the
    precision curve come from the grouped out-of-fold predictions; the weights from all requests.
    """
    s = politeness_cv.load(shared / "politeness-wikipedia" / "wikipedia.annotated.csv")
    own = data.turn_features(s.texts)
    x = np.concatenate([own, np.zeros_like(own), data.strategy_features(s.texts)], axis=1)
    c = politeness_cv.choose_c(x, s.impolite, s.groups)
    z, _ = politeness_cv.cross_validate(x, s, c)
    z_oof, y = np.stack([-z / 2, z / 2], axis=1), s.impolite
    temperature = float(
        minimize_scalar(lambda t: log_loss(z_oof / t, y), bounds=(0.05, 20), method="bounded").x
    )
    model, mean, scale = politeness_cv.fit(x, y, c)
    coef, intercept = model.coef_[0], model.intercept_[0]
    tensors = {
        "politeness.weight": np.stack([-coef / 2, coef / 2]).astype(np.float32),
        "politeness.bias": np.array([-intercept / 2, intercept / 2], dtype=np.float32),
        "politeness.mean": mean.astype(np.float32),
        "politeness.scale": scale.astype(np.float32),
    }
    assert tensors["politeness.weight"].shape[1] == width, "politeness inputs differ from the other heads'"
    accuracy = float(((z >= 0) == (y == 1)).mean())
    spec = {
        "role": "agent",
        "context": False,
        "strategies": True,
        "classes": ["polite", "impolite"],
        "temperature": round(temperature, 4),
        "C": c,
        "calibration_log_loss": round(log_loss(z_oof / temperature, y), 4),
        "counts": {"train": {"polite": int((y == 0).sum()), "impolite": int((y == 1).sum())}},
        "calibration_items": int(len(y)),
        "grouped_cv_accuracy": round(accuracy, 4),
        "sources": ["politeness-wikipedia"],
        "curves": {
            "impolite": [
                [a, round(b, 4), round(r, 4), n]
                for a, b, r, n in curve(softmax(z_oof / temperature)[:, 1], y == 1)
            ]
        },
    }
    return tensors, spec


def training_examples(shared: Path) -> list[data.Example]:
    """Every head's examples outside the real test split: real turns, public sets, our own turns,
    and the answer-particle copies (``ANSWER_COPIES``)."""
    examples = data.ibm_examples()
    examples += data.goemotions(shared / "goemotions" / "train.tsv", 6000)
    examples += data.goemotions_sentiment(shared / "goemotions" / "train.tsv", 8000)
    examples += data.tweeteval(shared / "tweeteval-sentiment" / "train.tsv")
    examples += data.synthetic()
    sentiment_sources = next(p.sources for p in PLANS if p.name == "sentiment")
    examples += data.answer_particle_copies(examples, sentiment_sources, *ANSWER_COPIES)
    return [e for e in examples if e.split != "test"]


def main() -> None:
    """Assemble the data, train every head, write the model folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=data.ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--service-lines",
        type=float,
        default=0.0,
        metavar="WEIGHT",
        help="also train the sentiment head on our own customer lines "
        "(eval/synthetic/customer-sentiment.jsonl) at this weight; 0 (shipped): not used "
        "(MODEL_CARD.md, 'Tried and left out')",
    )
    args = parser.parse_args()
    examples = training_examples(args.shared)
    plans = PLANS
    if args.service_lines > 0:
        examples += data.service_lines(args.service_lines)
        plans = tuple(
            replace(p, sources=(*p.sources, "service-lines")) if p.name == "sentiment" else p for p in PLANS
        )
    inputs = data.example_inputs(examples, "train")
    strategies = data.example_strategies(examples)
    tensors: dict[str, np.ndarray] = {}
    heads = {}
    for plan in plans:
        t, spec = train_head(plan, examples, inputs, strategies)
        tensors.update(t)
        heads[plan.name] = spec
        print(
            f"{plan.name}: C={spec['C']} T={spec['temperature']:.2f} calib log-loss "
            f"{spec['calibration_log_loss']} counts {spec['counts']}"
        )
    t, spec = train_politeness(args.shared, inputs.shape[1] + strategies.shape[1])
    tensors.update(t)
    heads["politeness"] = spec
    print(
        f"politeness: C={spec['C']} T={spec['temperature']:.2f} "
        f"grouped CV accuracy {spec['grouped_cv_accuracy']}"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(OUT / "signals.safetensors"))
    os.chmod(OUT / "signals.safetensors", 0o644)
    meta = {
        "name": "qareview-signals/minilm-l6-linear-v1",
        "features": "[embedding, mean-pooled layers 2-4, sentiment probabilities] of the turn, then of the "
        "customer turn it answers",
        "seed": SEED,
        "strategies": list(PolitenessStrategies.load().names),
        "heads": heads,
    }
    (OUT / "signals.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        main()
