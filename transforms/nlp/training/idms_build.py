"""Build and cross-validate the Indonesian-vs-Malay decision (``models/idms.npz``, see ``idms.py``).

Data (read from the shared data dir at build time; no row is copied into the repository):

* DSLCC v2 (``langid/dslcc2_id_ms.tsv``): 1,000 Indonesian and 999 Malay news sentences;
* Indonesian informal text, so that the binary model does not learn "informal = Indonesian,
  news = Malay" only from DSLCC: samples of SmSA train and EmoT train and the NusaX-MT Indonesian
  train sentences (train splits only: SmSA valid and EmoT valid stay held-out checks).

Recipe: 5 folds (DSLCC stratified by label and grouped by normalized text; informal rows by a
hash of their text); the binary n-gram model's out-of-fold scores, with the wordfreq difference,
marker vote, cld2's verdict and the news-like flag, train a 5-input logistic regression (the stacker). The shipped
file is the binary model refitted on all rows, with the stacker fitted on all out-of-fold rows.

``python -m transforms.nlp.training.idms_build --data_dir ../shared/data`` prints the CV table.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..idms import IDMS_FILE, STACK_FEATURES, WORDFREQ_FILE, MalayDecider, load_wordfreq_diff, stack_proba
from ..langid import _news_like, cld2_detect, load_markers, marker_vote
from ..linear import FeatureConfig, LinearTextModel
from ..textnorm import clean_tokens
from .data_io import read_emot, read_nusax_mt, read_smsa

#: word unigrams only: char 1-4 (+ word bigrams), char 3-4 and word 1-2 scored the same in CV (README)
IDMS_CFG = FeatureConfig(char_min=0, char_max=0, word_min=1, word_max=1)
IDMS_C = 10.0
IDMS_MAX_FEATURES = 150_000
N_FOLDS = 5
SEED = 13
#: informal Indonesian rows (train splits) joining the id side
INFORMAL_SMSA = 2000
INFORMAL_EMOT = 2000
#: weight of one informal row in the binary model
INFORMAL_WEIGHT = 1.0
#: stacker: L2 penalty, and the total weight of the informal rows relative to the DSLCC id rows
STACK_L2 = 1.0
STACK_INFORMAL_SHARE = 1.0
#: wordfreq table: minimum |zipf_ms - zipf_id| kept, floor for a word missing from one list, clip
WORDFREQ_MIN_DIFF = 0.3
WORDFREQ_FLOOR = 1.0
WORDFREQ_CLIP = 3.0
DSLCC_FILE = Path("langid") / "dslcc2_id_ms.tsv"


@dataclass
class Row:
    """One training / evaluation text with its precomputed signals."""

    words: list[str]
    label: str  # id | ms
    source: str  # dslcc | informal
    vote: int
    cld_ms: bool
    news: bool
    fold: int


def words_of(text: str) -> list[str]:
    """The word tokens ``langid`` scores (clean tokens that contain a letter)."""
    return [w for w in clean_tokens(text, max_chars=5000) if any(ch.isalpha() for ch in w)]


def _fold_of(key: str) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % N_FOLDS


def _signals(texts: Sequence[str]) -> list[tuple[list[str], int, bool, bool]]:
    ms_m, id_m = load_markers()
    starts = frozenset(m.split(" ")[0] for m in ms_m | id_m if " " in m)
    out = []
    for t in texts:
        words = words_of(t)
        _, cld = cld2_detect(t)
        out.append((words, marker_vote(words, ms_m, id_m, starts), bool(cld) and cld[0][0] == "ms",
                    _news_like(t, words)))
    return out


def read_dslcc(data_dir: Path) -> list[tuple[str, str]]:
    """(sentence, id|ms) rows of DSLCC v2."""
    rows = []
    for line in (data_dir / DSLCC_FILE).read_text(encoding="utf-8").splitlines():
        text, _, lab = line.rpartition("\t")
        if text.strip() and lab.strip() in ("id", "ms"):
            rows.append((text.strip(), lab.strip()))
    return rows


def informal_texts(data_dir: Path) -> list[str]:
    """Indonesian informal / general text from train splits only."""
    rng = random.Random(SEED)
    smsa = [r.text for r in read_smsa(data_dir / "sentiment" / "smsa" / "train.tsv")]
    emot = [r.text for r in read_emot(data_dir / "sentiment" / "emot" / "train.csv")]
    nusax = [r.text for r in read_nusax_mt(data_dir / "langid" / "nusax_mt" / "train.csv") if r.label == "id"]
    return rng.sample(smsa, min(INFORMAL_SMSA, len(smsa))) + rng.sample(emot, min(INFORMAL_EMOT, len(emot))) + nusax


def build_rows(data_dir: Path) -> list[Row]:
    """DSLCC rows (stratified, grouped folds) and informal Indonesian rows (hashed folds)."""
    dslcc = read_dslcc(data_dir)
    rows: list[Row] = []
    sig = _signals([t for t, _ in dslcc])
    # stratified by label, grouped by normalized text: shuffle each label's groups, deal them out
    groups: dict[tuple[str, str], list[int]] = {}
    for i, ((_, lab), s) in enumerate(zip(dslcc, sig)):
        groups.setdefault((lab, " ".join(s[0])), []).append(i)
    fold: dict[int, int] = {}
    for lab in ("id", "ms"):
        keys = sorted(g for g in groups if g[0] == lab)
        random.Random(SEED).shuffle(keys)
        for j, g in enumerate(keys):
            for i in groups[g]:
                fold[i] = j % N_FOLDS
    for i, ((_, lab), (words, vote, cld_ms, news)) in enumerate(zip(dslcc, sig)):
        rows.append(Row(words, lab, "dslcc", vote, cld_ms, news, fold[i]))
    informal = informal_texts(data_dir)
    for t, (words, vote, cld_ms, news) in zip(informal, _signals(informal)):
        if words:
            rows.append(Row(words, "id", "informal", vote, cld_ms, news, _fold_of(" ".join(words))))
    return rows


def fit_binary(rows: Sequence[Row]) -> LinearTextModel:
    """The binary (id / ms) n-gram model on ``rows`` (``IDMS_CFG``)."""
    texts = [" ".join(r.words) for r in rows]
    weights = [INFORMAL_WEIGHT if r.source == "informal" else 1.0 for r in rows]
    return LinearTextModel.fit(texts, [r.label for r in rows], IDMS_CFG, c=IDMS_C, sample_weight=weights,
                               label_order=["id", "ms"], max_features=IDMS_MAX_FEATURES,
                               meta={"task": "idms"})


def oof_scores(rows: Sequence[Row]) -> np.ndarray:
    """Out-of-fold binary-model scores (ms minus id) for every row."""
    z = np.zeros(len(rows))
    for k in range(N_FOLDS):
        test = [i for i, r in enumerate(rows) if r.fold == k]
        dec = MalayDecider(fit_binary([r for r in rows if r.fold != k]), {})
        z[test] = dec.ngram_scores([rows[i].words for i in test])
    return z


def stack_matrix(rows: Sequence[Row], z: np.ndarray, wordfreq: dict[str, float]) -> np.ndarray:
    """Stacker inputs in ``STACK_FEATURES`` order (as ``MalayDecider.features`` computes them)."""
    dec = MalayDecider.__new__(MalayDecider)
    dec.wordfreq = wordfreq
    return dec.features([r.words for r in rows], [r.vote for r in rows], [r.cld_ms for r in rows],
                        [r.news for r in rows], z=z)


def stack_weights_of(rows: Sequence[Row], informal_share: float = STACK_INFORMAL_SHARE) -> np.ndarray:
    """Sample weights of the stacker: DSLCC rows 1; informal rows sum to ``informal_share`` x DSLCC id rows."""
    n_id = sum(1 for r in rows if r.source == "dslcc" and r.label == "id")
    n_inf = sum(1 for r in rows if r.source == "informal")
    w_inf = informal_share * n_id / max(n_inf, 1)
    return np.array([w_inf if r.source == "informal" else 1.0 for r in rows])


def fit_stacker(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = STACK_L2) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression (weights, bias)."""
    from scipy.optimize import minimize

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ theta[:-1] + theta[-1]
        p = 1.0 / (1.0 + np.exp(-np.clip(s, -30, 30)))
        eps = 1e-12
        loss = -(w * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum() + 0.5 * l2 * (theta[:-1] @ theta[:-1])
        g = w * (p - y)
        return loss, np.concatenate([x.T @ g + l2 * theta[:-1], [g.sum()]])

    res = minimize(objective, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    return res.x[:-1], float(res.x[-1])


def old_rule(rows: Sequence[Row]) -> np.ndarray:
    """The marker + cld2 rule that decided alone before (for texts the main model calls Indonesian)."""
    return np.array([(r.cld_ms and r.vote >= 1) or r.vote >= 2 or (r.cld_ms and r.vote == 0 and r.news)
                     for r in rows])


def snippet_rows(rows: Sequence[Row], seed: int = 7) -> list[Row]:
    """One random 3-8-word window of each row, with its marker vote and cld2 verdict recomputed."""
    ms_m, id_m = load_markers()
    rng = random.Random(seed)
    out = []
    for r in rows:
        n = rng.randint(min(3, len(r.words)), min(8, len(r.words)))
        i = rng.randint(0, len(r.words) - n)
        words = r.words[i : i + n]
        _, cld = cld2_detect(" ".join(words))
        out.append(Row(words, r.label, r.source, marker_vote(words, ms_m, id_m), bool(cld) and cld[0][0] == "ms",
                       False, r.fold))
    return out


def cross_validate(data_dir: Path, wordfreq: dict[str, float] | None = None) -> dict:
    """Per-fold accuracy on DSLCC id / ms and share of held-out informal rows called Malay, for whole
    rows and for a 3-8-word snippet of each row (scored by the same fold's models)."""
    wordfreq = load_wordfreq_diff() if wordfreq is None else wordfreq
    rows = build_rows(data_dir)
    snips = snippet_rows(rows)
    fold = np.array([r.fold for r in rows])
    z, zs = np.zeros(len(rows)), np.zeros(len(rows))
    for k in range(N_FOLDS):
        test = np.flatnonzero(fold == k)
        dec = MalayDecider(fit_binary([r for r in rows if r.fold != k]), {})
        z[test] = dec.ngram_scores([rows[i].words for i in test])
        zs[test] = dec.ngram_scores([snips[i].words for i in test])
    x, xs = stack_matrix(rows, z, wordfreq), stack_matrix(snips, zs, wordfreq)
    thr = np.array([MalayDecider.threshold(len(r.words)) for r in rows])
    thr_s = np.array([MalayDecider.threshold(len(r.words)) for r in snips])
    y = np.array([r.label == "ms" for r in rows], dtype=np.float64)
    dslcc = np.array([r.source == "dslcc" for r in rows])
    sw = stack_weights_of(rows)
    variants: dict[str, dict[str, list[float]]] = {}

    def add(name: str, k: int, pred: np.ndarray) -> None:
        te = fold == k
        v = variants.setdefault(name, {"id": [], "ms": [], "informal_ms": []})
        v["id"].append(float(np.mean(~pred[te & dslcc & (y == 0)])))
        v["ms"].append(float(np.mean(pred[te & dslcc & (y == 1)])))
        v["informal_ms"].append(float(np.mean(pred[te & ~dslcc])))

    for k in range(N_FOLDS):
        tr = fold != k
        add("markers + cld2 (before)", k, old_rule(rows))
        add("binary n-gram model alone", k, z > 0)
        add("wordfreq difference alone", k, x[:, 1] > 0)
        for name, cols in (("stack: n-gram + markers + cld2 + news", [0, 2, 3, 4]),
                           ("stack: + wordfreq (shipped)", [0, 1, 2, 3, 4])):
            wts, b = fit_stacker(x[tr][:, cols], y[tr], sw[tr])
            add(name, k, stack_proba(x[:, cols], wts, b) > thr)
            if cols == [0, 1, 2, 3, 4]:
                add("snippets: markers + cld2 (before)", k, old_rule(snips))
                for t in (0.5, 0.6, 0.7, 0.8, 0.9):
                    add(f"snippets: stack, threshold {t}", k, stack_proba(xs, wts, b) > t)
                add("snippets: stack (shipped thresholds)", k, stack_proba(xs, wts, b) > thr_s)
    return {name: {m: (float(np.mean(v)), float(np.std(v, ddof=1)), v) for m, v in d.items()}
            for name, d in variants.items()}


def train_idms(data_dir: Path, out: Path) -> dict:
    """Fit and save ``idms.npz`` (binary model + stacker weights in its metadata)."""
    wordfreq = load_wordfreq_diff()
    rows = build_rows(data_dir)
    z = oof_scores(rows)
    x = stack_matrix(rows, z, wordfreq)
    y = np.array([r.label == "ms" for r in rows], dtype=np.float64)
    wts, b = fit_stacker(x, y, stack_weights_of(rows))
    model = fit_binary(rows)
    model.meta["stack"] = dict(zip(STACK_FEATURES, (round(float(v), 6) for v in wts)), bias=round(b, 6))
    model.meta["data"] = "DSLCC v2 id/ms + SmSA/EmoT/NusaX-MT Indonesian train text"
    model.save(out / IDMS_FILE)
    n_dslcc = sum(r.source == "dslcc" for r in rows)
    return {"file": IDMS_FILE, "n_dslcc": n_dslcc, "n_informal": len(rows) - n_dslcc,
            "n_features": len(model.vocab), "c": IDMS_C, "stack": model.meta["stack"]}


def build_wordfreq_table(path: Path = WORDFREQ_FILE) -> dict:
    """Write ``data/ms_id_wordfreq.tsv`` from wordfreq's Malay and Indonesian lists (train extra)."""
    import wordfreq

    ms = {w: wordfreq.zipf_frequency(w, "ms") for w in wordfreq.top_n_list("ms", 200_000)}
    idn = {w: wordfreq.zipf_frequency(w, "id") for w in wordfreq.top_n_list("id", 200_000)}
    lines = []
    for w in sorted(set(ms) | set(idn)):
        if not w.isalpha() or "\t" in w:
            continue
        d = max(ms.get(w, 0.0), WORDFREQ_FLOOR) - max(idn.get(w, 0.0), WORDFREQ_FLOOR)
        d = max(-WORDFREQ_CLIP, min(WORDFREQ_CLIP, d))
        if abs(d) >= WORDFREQ_MIN_DIFF:
            lines.append(f"{w}\t{d:.2f}")
    header = (
        "# Malay minus Indonesian Zipf frequency per word, from wordfreq "
        f"{getattr(wordfreq, '__version__', '3.1.1')}'s 'ms' and 'id' lists\n"
        "# (Speer et al., wordfreq; data CC-BY-SA-4.0, so this derived list is CC-BY-SA-4.0 too).\n"
        f"# A word missing from one list counts Zipf {WORDFREQ_FLOOR}; clipped to +-{WORDFREQ_CLIP}; "
        f"|difference| < {WORDFREQ_MIN_DIFF} left out.\n"
        "# Built by `python -m transforms.nlp.training.train --only idms_words`; read by idms.py.\n"
    )
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return {"file": f"data/{path.name}", "n_words": len(lines)}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cross-validation table."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data_dir", default="../shared/data")
    args = ap.parse_args(argv)
    res = cross_validate(Path(args.data_dir))
    print("| decision (5-fold CV, DSLCC) | id | ms | informal id called ms |")
    print("|---|---|---|---|")
    for name, m in res.items():
        print(f"| {name} | {m['id'][0]:.3f} +- {m['id'][1]:.3f} | {m['ms'][0]:.3f} +- {m['ms'][1]:.3f} | "
              f"{m['informal_ms'][0]:.4f} +- {m['informal_ms'][1]:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
