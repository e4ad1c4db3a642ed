"""Evaluate ``unspin score``: spun-text detection with no source at hand.

On held-out BBC articles (never used in training: their ids are stored in the model), each
article unspun and spun at several rates, it reports per spinner and rate the ROC AUC of
spun against the same articles unspun, the share of unspun articles flagged at the model's
default threshold (false positives) and the share of spun ones flagged; the reliability of
the probabilities; the two real seeds; and the speed on 800-word articles.

"Other spinners" are mimicked by holding a thesaurus out: ``--holdout`` trains a model on
spins from the other two thesauri and evaluates on spins from the held-out one, for each of
the three, and the reverse (train on one, evaluate on the other two). The shipped model is
trained on all three, so its own rows are not a test against an unseen spinner.

``--neural`` (needs ``pip install -e '.[neural]'`` and a model trained with ``--neural``)
reports the optional neural stage beside the default on the very same texts: every row
twice, the neural one labelled ``+ neural``, and its reliability, seeds and speed.

Run (one core, as the speed figure is per core)::

    OPENBLAS_NUM_THREADS=1 taskset -c 0 python -m benchmarks.eval_score --holdout --neural \\
        --json bench-data/score.json --markdown bench-data/score.md
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.spinner import SOURCES, Spinner
from benchmarks.testsets import Article, load_bbc
from unspin.documents import read_document
from unspin.models import Document
from unspin.score import ScoreModel, load_model, score_document, score_documents

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
RATES: tuple[float, ...] = (0.15, 0.3, 0.5)
SPEED_WORDS = 800


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by the rank-sum formula, ties counting half."""
    labels = labels.astype(bool)
    pos, neg = int(labels.sum()), int((~labels).sum())
    if not pos or not neg:
        return float("nan")
    values, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    # average rank of each distinct value
    ends = np.cumsum(counts)
    avg = ends - (counts - 1) / 2.0
    ranks = avg[inverse]
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


@dataclass
class Scored:
    """Probabilities of one set of texts under one model."""

    probs: np.ndarray
    rates: np.ndarray  # achieved substitution rate of each text (0 for unspun)


def score_texts(model: ScoreModel, texts: Sequence[str], neural: bool = False) -> np.ndarray:
    docs = (Document(id=str(i), text=t) for i, t in enumerate(texts))
    return np.array([r.spin_probability for r in score_documents(docs, model, neural=neural)])


def threshold_of(model: ScoreModel, neural: bool) -> float:
    """The documented yes/no threshold of the default or of the neural stage."""
    return model.neural.threshold if neural and model.neural else model.threshold


def heldout_articles(model: ScoreModel, n: int | None, seed: int) -> list[Article]:
    """The model's held-out articles (ids stored at training), ``n`` of them at random."""
    ids = set(model.meta.get("heldout_ids", ()))
    if not ids:
        raise SystemExit("the model records no held-out articles; retrain it")
    arts = [a for a in load_bbc() if a.id in ids]
    if n is not None and n < len(arts):
        arts = random.Random(seed).sample(arts, n)
    return arts


def spin_all(
    arts: Sequence[Article], sources: Sequence[str], rate: float, seed: int
) -> tuple[list[str], np.ndarray]:
    """Each article spun once with a spinner over ``sources`` at ``rate``."""
    spinner = Spinner(sources=tuple(sources), rate=rate, seed=seed)
    out, achieved = [], []
    for i, a in enumerate(arts):
        res = spinner.spin(a.text, seed=seed * 1_000_003 + i, rate=rate)
        out.append(res.text)
        achieved.append(res.rate)
    return out, np.array(achieved)


def detection_rows(
    model: ScoreModel,
    arts: Sequence[Article],
    spin_sources: Sequence[Sequence[str]],
    rates: Sequence[float],
    seed: int,
    label: str,
    neural: bool = False,
) -> list[dict[str, Any]]:
    """AUC and flag rates, per spinner and rate, against the same articles unspun; with
    ``neural``, the same rows for the neural stage on the very same texts after them."""
    variants = [(False, label)] + ([(True, f"{label} + neural")] if neural else [])
    out: dict[bool, list[dict[str, Any]]] = {v: [] for v, _ in variants}
    clean_texts = [a.text for a in arts]
    clean = {v: score_texts(model, clean_texts, v) for v, _ in variants}
    for sources in spin_sources:
        pooled: dict[bool, list[np.ndarray]] = {v: [] for v, _ in variants}
        for rate in rates:
            texts, achieved = spin_all(arts, sources, rate, seed)
            for v, name in variants:
                spun = score_texts(model, texts, v)
                pooled[v].append(spun)
                row = _row(name, sources, f"{rate:g}", clean[v], spun, threshold_of(model, v))
                row["achieved_rate"] = round(float(achieved.mean()), 3)
                out[v].append(row)
        for v, name in variants:
            spun = np.concatenate(pooled[v])
            out[v].append(_row(name, sources, "pooled", clean[v], spun, threshold_of(model, v)))
    return [r for v, _ in variants for r in out[v]]


def _row(label, sources, rate, clean, spun, threshold) -> dict[str, Any]:
    scores = np.concatenate([clean, spun])
    labels = np.concatenate([np.zeros(len(clean)), np.ones(len(spun))])
    return {
        "model": label,
        "spinner": "+".join(sources),
        "rate": rate,
        "auc": round(roc_auc(scores, labels), 4),
        "fp_rate": round(float((clean >= threshold).mean()), 4),
        "tp_rate": round(float((spun >= threshold).mean()), 4),
        "threshold": threshold,
        "n": len(clean),
    }


def reliability(
    model: ScoreModel, arts: Sequence[Article], seed: int, bins: int = 10, neural: bool = False
) -> dict:
    """Predicted probability against observed frequency on held-out texts, half unspun and
    half spun at rates drawn from 10% to 60% by all three thesauri (the training mix)."""
    rng = random.Random(seed)
    spinner = Spinner(sources=SOURCES, seed=seed)
    texts, labels = [], []
    for i, a in enumerate(arts):
        texts.append(a.text)
        labels.append(0)
        texts.append(spinner.spin(a.text, seed=seed + i, rate=rng.uniform(0.1, 0.6)).text)
        labels.append(1)
    probs = score_texts(model, texts, neural)
    y = np.array(labels, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(probs, edges[1:-1]), 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        m = which == b
        if not m.any():
            continue
        pred, obs = float(probs[m].mean()), float(y[m].mean())
        ece += m.mean() * abs(pred - obs)
        table.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "n": int(m.sum()),
                "predicted": round(pred, 3),
                "observed": round(obs, 3),
            }
        )
    brier = float(np.mean((probs - y) ** 2))
    return {"bins": table, "ece": round(ece, 4), "brier": round(brier, 4), "n": len(y)}


def seeds(model: ScoreModel, neural: bool = False) -> list[dict[str, Any]]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        r = score_document(read_document(path), model, neural=neural)
        out.append(
            {
                "id": r.id,
                "spin_probability": round(r.spin_probability, 4),
                "spun": r.spun,
                "evidence": len(r.evidence),
            }
        )
    return out


def speed(
    model: ScoreModel, arts: Sequence[Article], n_docs: int, neural: bool = False
) -> dict[str, Any]:
    """Documents per second on 800-word articles (held-out text run together and cut at 800
    words): through ``score_documents`` (batches, as the CLI scores) and one by one, each
    after a warm-up on other articles; plus the cold start (model load and the first
    document) in a fresh model object."""
    words: list[str] = []
    docs: list[Document] = []
    for a in arts * 4:
        words.extend(a.text.split(" "))
        while len(words) >= SPEED_WORDS:
            docs.append(Document(id=str(len(docs)), text=" ".join(words[:SPEED_WORDS])))
            words = words[SPEED_WORDS:]
    warm = min(100, len(docs) // 4)
    timed = docs[warm:][:n_docs]
    for _ in score_documents(docs[:warm], model, neural=neural):
        pass
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in score_documents(timed, model, neural=neural):
        pass
    batched, batched_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    for d in timed:
        score_document(d, model, neural=neural)
    single = time.perf_counter() - t0
    t1 = time.perf_counter()
    fresh = ScoreModel.load(_model_dir(model))
    score_document(timed[0], fresh, neural=neural)
    cold = time.perf_counter() - t1
    return {
        "docs": len(timed),
        "words": SPEED_WORDS,
        "docs_per_s": round(len(timed) / batched, 1),
        "docs_per_cpu_s": round(len(timed) / batched_cpu, 1),
        "docs_per_s_one_by_one": round(len(timed) / single, 1),
        "cold_start_s": round(cold, 3),
    }


_MODEL_DIRS: dict[int, Path] = {}


def _model_dir(model: ScoreModel) -> Path:
    from unspin.score import default_model_path

    return _MODEL_DIRS.get(id(model), default_model_path())


def holdout_rows(
    arts: Sequence[Article],
    rates: Sequence[float],
    seed: int,
    log: Callable[[str], None],
    neural: bool = False,
) -> list[dict[str, Any]]:
    """Models trained without a thesaurus, tested on it; and trained on one, tested on the
    other two."""
    sys.path.insert(0, str(ROOT))
    from scripts.train_score import train  # noqa: PLC0415 - training only on request

    rows = []
    for held in SOURCES:
        rest = tuple(s for s in SOURCES if s != held)
        for train_on, test_on, label in (
            (rest, [(held,)], f"trained on {'+'.join(rest)}"),
            ((held,), [rest], f"trained on {held}"),
        ):
            log(f"training {label} ...")
            model = train(train_on, log=lambda m: None, neural=neural)
            ids = set(model.meta["heldout_ids"])
            test = [a for a in arts if a.id in ids]
            rows.extend(detection_rows(model, test, test_on, rates, seed, label, neural))
    return rows


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    head = f"{'model':43s} {'spinner':22s} {'rate':>6s} {'AUC':>7s} {'FP@thr':>7s} {'TP@thr':>7s}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['model']:43s} {r['spinner']:22s} {r['rate']:>6s} {r['auc']:7.4f} "
            f"{r['fp_rate']:7.3f} {r['tp_rate']:7.3f}"
        )


def markdown(report: dict[str, Any]) -> str:
    """The figures as a BENCHMARKS.md section."""
    lines = ["## `unspin score`: spun text with no source at hand", ""]
    lines.append(
        f"Held-out BBC articles: {report['setup']['articles']} (never used in "
        f"training), threshold {report['setup']['threshold']}."
    )
    lines += [
        "",
        "| model | spinner | rate | ROC AUC | unspun flagged | spun flagged |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["detection"]:
        lines.append(
            f"| {r['model']} | {r['spinner']} | {r['rate']} | {r['auc']:.4f} | "
            f"{100 * r['fp_rate']:.1f}% | {100 * r['tp_rate']:.1f}% |"
        )
    rel = report["reliability"]
    lines += [
        "",
        f"Reliability on {rel['n']} held-out texts (half spun at 10-60%): "
        f"ECE {rel['ece']}, Brier {rel['brier']}.",
        "",
        "| predicted | texts | mean predicted | observed spun |",
        "|---|---|---|---|",
    ]
    for b in rel["bins"]:
        lines.append(f"| {b['bin']} | {b['n']} | {b['predicted']} | {b['observed']} |")
    lines += [
        "",
        "Seeds: "
        + ", ".join(
            f"{s['id']} {s['spin_probability']:.3f} ({'spun' if s['spun'] else 'not spun'})"
            for s in report["seeds"]
        )
        + ".",
    ]
    for key, name in (("speed", "Speed"), ("speed_neural", "Speed with the neural stage")):
        sp = report.get(key)
        if sp:
            lines += [
                "",
                f"{name}: {sp['docs_per_s']} documents/s on {sp['words']}-word articles "
                f"({sp['docs_per_cpu_s']} per CPU-second), one core, in batches as the CLI "
                f"scores ({sp['docs_per_s_one_by_one']} one by one; {sp['docs']} documents "
                f"after a warm-up); cold start {sp['cold_start_s']} s.",
            ]
    rel = report.get("reliability_neural")
    if rel:
        lines += ["", f"Neural stage reliability: ECE {rel['ece']}, Brier {rel['brier']}."]
    if report.get("seeds_neural"):
        lines += [
            "",
            "Seeds, neural stage: "
            + ", ".join(f"{s['id']} {s['spin_probability']:.3f}" for s in report["seeds_neural"])
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: shipped)")
    parser.add_argument("--n", type=int, default=None, help="held-out articles (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rates", default=",".join(f"{r:g}" for r in RATES))
    parser.add_argument("--holdout", action="store_true", help="also train without each thesaurus")
    parser.add_argument("--speed-docs", type=int, default=400)
    parser.add_argument(
        "--neural", action="store_true", help="also the neural stage, on the same texts"
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the speed runs")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument("--markdown", type=Path, default=None, help="write a BENCHMARKS section")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]

    def log(m: str) -> None:
        print(m, file=sys.stderr, flush=True)

    model = load_model(args.model)
    if args.neural and model.neural is None:
        raise SystemExit("the model has no neural stage: train_score.py --neural")
    if args.model is not None:
        _MODEL_DIRS[id(model)] = args.model
    arts = heldout_articles(model, args.n, args.seed)
    log(f"{len(arts)} held-out articles")
    rows = detection_rows(
        model,
        arts,
        [(s,) for s in SOURCES] + [SOURCES],
        rates,
        args.seed,
        "shipped (trained on all three)",
        args.neural,
    )
    if args.holdout:
        rows += holdout_rows(arts, rates, args.seed, log, args.neural)
    report = {
        "setup": {
            "articles": len(arts),
            "threshold": model.threshold,
            "rates": rates,
            "seed": args.seed,
        },
        "detection": rows,
        "reliability": reliability(model, arts, args.seed),
        "seeds": seeds(model),
        "speed": None if args.no_speed else speed(model, arts, args.speed_docs),
    }
    if args.neural:
        report["reliability_neural"] = reliability(model, arts, args.seed, neural=True)
        report["seeds_neural"] = seeds(model, neural=True)
        if not args.no_speed:
            report["speed_neural"] = speed(model, arts, args.speed_docs, neural=True)
    print_table(rows)
    rel = report["reliability"]
    print(f"\nreliability: ECE {rel['ece']}  Brier {rel['brier']}  (n={rel['n']})")
    for b in rel["bins"]:
        print(
            f"  {b['bin']}  n={b['n']:4d}  predicted {b['predicted']:.3f}"
            f"  observed {b['observed']:.3f}"
        )
    for s in report["seeds"]:
        print(
            f"seed {s['id']}: p={s['spin_probability']:.4f} spun={s['spun']}"
            f" evidence={s['evidence']}"
        )
    for key in ("speed", "speed_neural"):
        sp = report.get(key)
        if sp:
            print(
                f"{key}: {sp['docs_per_s']} docs/s batched ({sp['docs_per_cpu_s']} per CPU-s), "
                f"{sp['docs_per_s_one_by_one']} one by one ({sp['words']} words, "
                f"{sp['docs']} docs); cold start {sp['cold_start_s']} s"
            )
    if args.neural:
        rel = report["reliability_neural"]
        print(f"neural reliability: ECE {rel['ece']}  Brier {rel['brier']}")
        for s in report["seeds_neural"]:
            print(f"neural seed {s['id']}: p={s['spin_probability']:.4f} spun={s['spun']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
