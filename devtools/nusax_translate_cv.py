"""Dev tooling (not imported by the product): the cross-validation grid that chose the
regional -> Indonesian translation settings of ``transforms/nlp/translate.py`` (README section
"Regional posts through Indonesian").

    python devtools/nusax_translate_cv.py fit 0,1,2,3,4 /tmp/nusaxmt      # shipped recipe per fold, models saved
    python devtools/nusax_translate_cv.py score 0,1,2,3,4 /tmp/nusaxmt    # held-out rows: direct + translated
    python devtools/nusax_translate_cv.py grid 0,1,2,3,4 /tmp/nusaxmt     # variant x blend weight, leave-one-fold-out
    python devtools/nusax_translate_cv.py langs 0,1,2,3,4 /tmp/nusaxmt s15 0.7   # per-language table
    python devtools/nusax_translate_cv.py product 0,1,2,3,4 /tmp/nusaxmt  # the product path at TRANSLATE_BLEND

Folds are ``sentiment_cv``'s; fold k's dictionaries are learned from the other folds' parallel
NusaX rows only. No valid or test split is read.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from transforms.nlp.linear import LinearTextModel
from transforms.nlp.sentiment import LABELS, SentimentModel
from transforms.nlp.textnorm import normalize
from transforms.nlp.training.data_io import LabelledText
from transforms.nlp.training.evaluate import macro_f1
from transforms.nlp.training.sentiment_cv import CANDIDATES, fold_keys, fold_of
from transforms.nlp.training.train import (
    DEFAULT_DATA_DIR,
    fit_sentiment,
    sentiment_training_set,
    teacher_rows,
)
from transforms.nlp.training.translate_build import dictionaries_from_rows, parallel_pairs
from transforms.nlp.translate import TRANSLATED, learn_dictionary, translate

LANGS = (*TRANSLATED, "en")  # English is scored too, to decide whether to translate it
VARIANTS: dict[str, dict] = {  # name -> learn_dictionary keyword arguments
    "s00": {"min_share": 0.0},
    "s05": {"min_share": 0.05},
    "s15": {"min_share": 0.15},
    "s30": {"min_share": 0.3},
    "s50": {"min_share": 0.5},
    "s30c2": {"min_share": 0.3, "min_count": 2},
    "s15i10": {"min_share": 0.15, "iterations": 10},
}
GRID = [round(a, 1) for a in np.arange(0, 1.01, 0.1)]


def _folds() -> tuple[list[LabelledText], list[int]]:
    rows = sentiment_training_set(Path(DEFAULT_DATA_DIR), include_valid=False)
    return rows, [fold_of(key) for key in fold_keys(rows, Path(DEFAULT_DATA_DIR))]


def _probs(model: SentimentModel, texts: Sequence[str], langs: Sequence[str], normalized: bool = False) -> np.ndarray:
    res = (model.predict_normalized if normalized else model.predict)(list(texts), list(langs))
    return np.array([[r.positive, r.neutral, r.negative] for r in res], dtype=np.float32)


def _f1s(gold: np.ndarray, p: np.ndarray, lang: np.ndarray) -> dict[str, float]:
    pred = np.array(LABELS)[p.argmax(axis=1)]
    return {x: macro_f1(list(gold[lang == x]), list(pred[lang == x]), list(LABELS)) for x in sorted(set(lang))}


def fit(ks: Sequence[int], out: Path) -> None:
    """Fit the shipped recipe (soft35v) without each fold and save both models."""
    rows, folds = _folds()
    for k in ks:
        start = time.time()
        train = [x for x, f in zip(rows, folds) if f != k]
        model, word = fit_sentiment(train, soft=teacher_rows(train), **CANDIDATES["soft35v"])
        model.save(out / f"f{k}_main.npz")
        word.save(out / f"f{k}_word.npz")
        print(f"fold {k}: {len(train)} train rows, {time.time() - start:.0f} s", flush=True)


def _model(out: Path, k: int, **kw) -> SentimentModel:
    return SentimentModel(LinearTextModel.load(out / f"f{k}_main.npz"),
                          word_model=LinearTextModel.load(out / f"f{k}_word.npz"), **kw)


def score(ks: Sequence[int], out: Path) -> None:
    """Held-out probabilities, direct and through each variant's translation (``grid_fK.npz``)."""
    rows, folds = _folds()
    for k in ks:
        senti = _model(out, k)
        train = [x for x, f in zip(rows, folds) if f != k]
        held = [x for x, f in zip(rows, folds) if f == k]
        reg = np.array([x.group.startswith("n:") and x.lang in LANGS for x in held])
        held_reg = [x for x, r in zip(held, reg) if r]
        save = {"lang": np.array([x.lang for x in held]), "src": np.array([x.group[:1] for x in held]),
                "gold": np.array([x.label for x in held]), "reg": reg,
                "direct": _probs(senti, [x.text for x in held], [x.lang for x in held])}
        pairs = parallel_pairs([x for x in train if x.group.startswith("n:")], LANGS)
        print(f"fold {k}: sentence pairs " + " ".join(f"{lang}:{len(p)}" for lang, p in pairs.items()), flush=True)
        for name, kw in VARIANTS.items():
            tables = {lang: learn_dictionary(p, **kw) for lang, p in pairs.items()}
            texts = [translate(normalize(x.text, x.lang), tables[x.lang]) for x in held_reg]
            save["trans_" + name] = _probs(senti, texts, ["id"] * len(texts), normalized=True)
        np.savez_compressed(out / f"grid_f{k}.npz", **save)


def _blend(z: dict, name: str, a: float, with_en: bool) -> np.ndarray:
    p = z["direct"].copy()
    pt = np.zeros_like(p)
    pt[z["reg"]] = z["trans_" + name]
    sel = z["reg"] & ((z["lang"] != "en") | with_en)
    p[sel] = (1 - a) * p[sel] + a * pt[sel]
    return p


def grid(ks: Sequence[int], out: Path) -> None:
    """NusaX mean of 12 per fold for every variant x weight (with / without English), and the
    leave-one-fold-out choice of variant and weight (without English)."""
    zs = {k: dict(np.load(out / f"grid_f{k}.npz")) for k in ks}
    res: dict[tuple, float] = {}
    for k, z in zs.items():
        n = z["src"] == "n"
        for name in VARIANTS:
            for a in GRID:
                for en in (False, True):
                    res[(k, name, a, en)] = float(np.mean(list(_f1s(z["gold"][n], _blend(z, name, a, en)[n],
                                                                     z["lang"][n]).values())))
    print("variant | English | weight | NusaX mean per fold | mean +- SD | delta per fold")
    for name in VARIANTS:
        for en in (False, True):
            for a in GRID:
                v = np.array([res[(k, name, a, en)] for k in ks])
                d = v - np.array([res[(k, name, 0.0, en)] for k in ks])
                print(f"{name} | {en} | {a:.1f} | {' '.join(f'{x:.3f}' for x in v)} | {v.mean():.4f} +- {v.std(ddof=1):.4f}"
                      f" | {' '.join(f'{x:+.3f}' for x in d)}")
    got, base = [], []
    for k in ks:
        others = [j for j in ks if j != k]
        best = max(((name, a) for name in VARIANTS for a in GRID),
                   key=lambda c: np.mean([res[(j, c[0], c[1], False)] for j in others]))
        got.append(res[(k, best[0], best[1], False)])
        base.append(res[(k, best[0], 0.0, False)])
        print(f"leave-one-fold-out, fold {k}: chose {best[0]} weight {best[1]} -> {got[-1]:.4f} ({got[-1] - base[-1]:+.4f})")
    print(f"leave-one-fold-out: {np.mean(got):.4f} +- {np.std(got, ddof=1):.4f} (direct {np.mean(base):.4f} +- {np.std(base, ddof=1):.4f})")


def langs_table(ks: Sequence[int], out: Path, name: str, a: float) -> None:
    """Per-language macro-F1, mean +- SD over folds, direct vs blended (no English translation)."""
    per: dict[tuple[str, str], list[float]] = {}
    for k in ks:
        z = dict(np.load(out / f"grid_f{k}.npz"))
        n = z["src"] == "n"
        for tag, p in (("direct", z["direct"]), ("blend", _blend(z, name, a, False))):
            for lang, v in _f1s(z["gold"][n], p[n], z["lang"][n]).items():
                per.setdefault((tag, lang), []).append(v)
    langs = sorted({lang for _, lang in per})
    for tag in ("direct", "blend"):
        per[(tag, "mean12")] = list(np.mean([per[(tag, lang)] for lang in langs], axis=0))
    print("| language | direct | + translation | delta per fold |\n|---|---|---|---|")
    for lang in [*langs, "mean12"]:
        b, c = np.array(per[("direct", lang)]), np.array(per[("blend", lang)])
        print(f"| {lang} | {b.mean():.3f} +- {b.std(ddof=1):.3f} | {c.mean():.3f} +- {c.std(ddof=1):.3f} | "
              + " / ".join(f"{x:+.3f}" for x in c - b) + " |")


def product(ks: Sequence[int], out: Path) -> None:
    """Score each fold through ``SentimentModel`` with the fold's dictionaries (as shipped)."""
    rows, folds = _folds()
    for k in ks:
        train = [x for x, f in zip(rows, folds) if f != k]
        held = [x for x, f in zip(rows, folds) if f == k and x.group.startswith("n:")]
        p = _probs(_model(out, k, translations=dictionaries_from_rows(train)), [x.text for x in held],
                   [x.lang for x in held])
        per = _f1s(np.array([x.label for x in held]), p, np.array([x.lang for x in held]))
        print(f"product fold {k}: NusaX mean {np.mean(list(per.values())):.4f} | "
              + " ".join(f"{lang}:{v:.3f}" for lang, v in per.items()), flush=True)


def main(argv: Sequence[str]) -> int:
    """Command-line entry point."""
    mode, ks, out = argv[0], [int(f) for f in argv[1].split(",")], Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    if mode == "fit":
        fit(ks, out)
    elif mode == "score":
        score(ks, out)
    elif mode == "grid":
        grid(ks, out)
    elif mode == "langs":
        langs_table(ks, out, argv[3], float(argv[4]))
    elif mode == "product":
        product(ks, out)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
