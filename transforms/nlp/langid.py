"""Language identification for Indonesian social text.

Two signals are combined:

* a character n-gram logistic regression trained on NusaX-MT (12 languages: id, en, jv,
  su, ace, ban, bjn, bug, mad, min, nij, bbc) plus SmSA, with short random snippets added
  to the training data so that posts of a few words are handled;
* pycld2 (Compact Language Detector 2, ships its own model) for Malay, for languages
  outside NusaX (ar, zh, fr, ...) and for non-Latin scripts.

Malay vs Indonesian: the 12-language model has no Malay. When it calls a text Indonesian, the
dedicated decision of :mod:`idms` (``models/idms.npz``: a binary n-gram model trained on DSLCC
news and Indonesian informal text, wordfreq's Malay/Indonesian frequency difference, the marker
vote and cld2's verdict, stacked) says whether it is Malay. Without that file, and for texts the
model calls Minangkabau or Banjarese, a hand-built list of one- to three-word markers
(``data/ms_id_markers.tsv``: Malaysian vs Indonesian vocabulary and spelling, e.g.
kerana/karena, peratus/persen, Isnin/Senin) and cld2 decide: markers outvote cld2; when none is
present, cld2's Malay verdict is taken only for edited prose (:func:`_news_like`), since cld2
calls ~4 % of informal Indonesian Malay.

Codes are ISO 639-1 where one exists (id, ms, jv, su, en), else ISO 639-3
(ace, ban, bjn, bug, mad, min, nij, bbc); ``und`` when undetermined.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .idms import MalayDecider
from .linear import LinearTextModel
from .textnorm import clean_tokens

__all__ = ["LanguageResult", "LanguageIdentifier", "SUPPORTED", "REGIONAL", "UNCERTAIN_CONF", "load_markers",
           "load_krama_markers",
           "load_common_words", "marker_vote", "cld2_detect"]

_DATA_DIR = Path(__file__).resolve().parent / "data"

#: Languages the n-gram model knows, plus Malay (via cld2 + markers).
SUPPORTED: frozenset[str] = frozenset(
    {"id", "ms", "en", "jv", "su", "ace", "ban", "bjn", "bug", "mad", "min", "nij", "bbc"}
)
_MALAYIC = frozenset({"id", "min", "bjn", "ms"})
_CLD2_MAP = {"jw": "jv", "in": "id", "iw": "he", "zh-Hant": "zh", "un": "und", "xxx": "und"}
# Log-prior added to the model's scores on short inputs: Indonesian dominates the stream.
_SHORT_PRIOR = {"id": 0.4, "en": 0.2}
#: Languages of the n-gram model that an Indonesian social stream rarely carries (the eight NusaX
#: languages other than Indonesian, English, Javanese and Sundanese). The model was trained with
#: every language equally frequent; their scores get this log-prior on every input, so a weak
#: guess among them yields to a close Indonesian, Javanese or Sundanese reading, while a clear
#: sentence keeps its label. ``log(0.3)``: chosen a priori, measured in the NLP README
#: ("Minor regional languages: a stream prior").
MINOR_LANGUAGES: frozenset[str] = frozenset({"ace", "ban", "bjn", "bug", "mad", "min", "nij", "bbc"})
MINOR_LOG_PRIOR = math.log(0.3)
#: Regional languages the n-gram model can guess; such a guess needs positive evidence (below).
REGIONAL: frozenset[str] = frozenset({"jv", "su", "ace", "ban", "bjn", "bug", "mad", "min", "nij", "bbc"})
#: Below this model confidence, a regional guess stands only if the text has at least one word
#: that is not common Indonesian (``data/id_common_words.txt`` + the slang list) and not English
#: on its own (an ASCII word whose top label, alone, is English: "pray" of #PrayForSemarang is no
#: evidence of Minangkabau); else Indonesian.
REGIONAL_EVIDENCE_CONF = 0.9
#: Confidence below which the enricher records ``language:uncertain``.
UNCERTAIN_CONF = 0.5
#: A post the model gives to another regional language is Javanese when it holds this many distinct
#: krama words (``data/jv_krama_markers.txt``).
KRAMA_MIN_MARKERS = 2


def load_common_words(path: str | Path | None = None) -> frozenset[str]:
    """Common Indonesian word forms (one per line, ``#`` comments) plus the slang list's informal forms."""
    from .textnorm import load_slang

    return _read_word_list(Path(path) if path else _DATA_DIR / "id_common_words.txt") | set(load_slang())


def load_krama_markers(path: str | Path | None = None) -> frozenset[str]:
    """Javanese krama words (one per line, ``#`` comments)."""
    return _read_word_list(Path(path) if path else _DATA_DIR / "jv_krama_markers.txt")


def _read_word_list(file: Path) -> frozenset[str]:
    """The words of a one-word-per-line file (``#`` comment lines and blank lines skipped)."""
    return frozenset(w.strip() for w in file.read_text(encoding="utf-8").splitlines()
                     if w.strip() and not w.startswith("#"))


@dataclass(frozen=True)
class LanguageResult:
    """Result of language identification (maps onto the Avro ``Language`` record)."""

    code: str
    confidence: float
    mixed: bool = False
    secondary: str | None = None

    def as_dict(self) -> dict:
        """The Avro-shaped dict."""
        return {"code": self.code, "confidence": self.confidence, "mixed": self.mixed, "secondary": self.secondary}


def load_markers(path: str | Path | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Read ``word<TAB>ms|id`` marker lines; returns (malay_markers, indonesian_markers)."""
    file = Path(path) if path else _DATA_DIR / "ms_id_markers.tsv"
    ms, idn = set(), set()
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, lang = line.partition("\t")
        (ms if lang.strip() == "ms" else idn).add(word.strip().lower())
    return frozenset(ms), frozenset(idn)


def marker_vote(
    words: Sequence[str], ms_markers: frozenset[str], id_markers: frozenset[str], gram_starts: frozenset[str] | None = None
) -> int:
    """Malay marker count minus Indonesian marker count (one- to three-word markers).

    ``gram_starts``: first words of the multi-word markers (only windows starting with one are joined).
    """
    if gram_starts is None:
        gram_starts = frozenset(m.split(" ")[0] for m in ms_markers | id_markers if " " in m)
    score = 0
    for i, w in enumerate(words):
        grams = [w]
        for n in (2, 3):
            if i + 1 >= n and words[i + 1 - n] in gram_starts:
                grams.append(" ".join(words[i + 1 - n : i + 1]))
        for gram in grams:
            if gram in ms_markers:
                score += 1
            elif gram in id_markers:
                score -= 1
    return score


#: Shortest text (in words) for which cld2 alone may call Malay when no marker word decides.
NEWS_MIN_WORDS = 10


def _news_like(text: str, words: Sequence[str]) -> bool:
    """Edited prose (a capitalized sentence of NEWS_MIN_WORDS+ words with final punctuation)."""
    stripped = text.strip()
    return len(words) >= NEWS_MIN_WORDS and stripped[:1].isupper() and stripped[-1:] in '.!?"\u201d)'


def cld2_detect(text: str) -> tuple[bool, list[tuple[str, int]]]:
    """(reliable, [(code, percent), ...]) from pycld2; never raises."""
    try:
        import pycld2

        clean = text if text.isprintable() else "".join(ch for ch in text if ch.isprintable())
        reliable, _, details = pycld2.detect(clean)
    except Exception:  # pycld2 rejects some byte sequences; treat as unknown
        return False, []
    out = []
    for _, code, pct, _ in details:
        code = _CLD2_MAP.get(code, code)
        if code != "und" and pct > 0:
            out.append((code.split("-")[0], int(pct)))
    return bool(reliable), out


class LanguageIdentifier:
    """Combines the NusaX n-gram model, pycld2 and Malay/Indonesian marker words."""

    def __init__(
        self,
        model: LinearTextModel,
        markers: tuple[frozenset[str], frozenset[str]] | None = None,
        common_words: frozenset[str] | None = None,
        idms: MalayDecider | None = None,
    ):
        self.model = model
        #: the dedicated Indonesian-vs-Malay decision (None: markers + cld2 alone)
        self.idms = idms
        self.common_words = load_common_words() if common_words is None else common_words
        self.krama_markers = load_krama_markers()
        self.labels = list(model.labels)
        self.ms_markers, self.id_markers = markers or load_markers()
        # first words of the multi-word markers: only windows starting with one are joined
        self._gram_starts = frozenset(m.split(" ")[0] for m in self.ms_markers | self.id_markers if " " in m)
        self._prior = np.array([_SHORT_PRIOR.get(l, 0.0) for l in self.labels], dtype=np.float32)
        self._stream_prior = np.array([MINOR_LOG_PRIOR if l in MINOR_LANGUAGES else 0.0 for l in self.labels],
                                      dtype=np.float32)

    @classmethod
    def load(cls, model_dir: str | Path) -> LanguageIdentifier:
        """Load ``langid.npz`` (and ``idms.npz`` when present) from ``model_dir``."""
        return cls(LinearTextModel.load(Path(model_dir) / "langid.npz"), idms=MalayDecider.load(model_dir))

    # ------------------------------------------------------------------ internals
    def _proba(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        z = self.model.decision_items(docs) + self._stream_prior
        for i, doc in enumerate(docs):
            n = len(doc)
            if n <= 5:
                z[i] += self._prior * (1.0 if n <= 3 else 0.5)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def _malay_vote(self, words: Sequence[str]) -> int:
        """Malay marker count minus Indonesian marker count (one- to three-word markers)."""
        return marker_vote(words, self.ms_markers, self.id_markers, self._gram_starts)

    # --------------------------------------------------------------------- public
    def identify_batch(
        self,
        texts: Sequence[str],
        tokens: Sequence[Sequence[str]] | None = None,
        hints: Sequence[str | None] | None = None,
    ) -> list[LanguageResult]:
        """Identify the language of each text.

        ``tokens`` may pass already-cleaned tokens (from :func:`textnorm.clean_tokens`) to
        avoid normalizing twice; ``hints`` are optional platform language claims, used
        only when the text itself is not conclusive.
        """
        n = len(texts)
        if tokens is None:
            tokens = [clean_tokens(t, max_chars=5000) for t in texts]
        hints = list(hints) if hints is not None else [None] * n
        words_list = [[w for w in toks if w[:1].isalpha() or any(ch.isalpha() for ch in w)] for toks in tokens]
        # too little text to say anything (e.g. "x", "ok"): undetermined unless hinted
        words_list = [w if sum(len(x) for x in w) >= 3 else [] for w in words_list]
        results: list[LanguageResult | None] = [None] * n
        todo = [i for i in range(n) if words_list[i]]
        for i in range(n):
            if not words_list[i]:
                results[i] = self._fallback(hints[i])
        if not todo:
            return [r for r in results if r is not None]
        probs = self._proba([words_list[i] for i in todo])
        # chunk-level predictions for the mixed-language flag (per-word scores are cached)
        chunk_owner: list[int] = []
        chunk_words: list[list[str]] = []
        for k, i in enumerate(todo):
            words = words_list[i]
            if len(words) >= 8:
                for s in range(0, len(words) - 1, 4):
                    chunk = words[s : s + 4]
                    if len(chunk) >= 3:
                        chunk_owner.append(k)
                        chunk_words.append(chunk)
        chunk_probs = (self.model.softmax(self.model.decision_items(chunk_words)) if chunk_words
                       else np.zeros((0, len(self.labels))))
        chunks_by_doc: dict[int, list[np.ndarray]] = {}
        for k, p in zip(chunk_owner, chunk_probs):
            chunks_by_doc.setdefault(k, []).append(p)
        todo_words = [words_list[i] for i in todo]
        single = self._single_word_probs(todo_words, probs)
        english = self._english_share(todo_words, single)
        evidence = self._regional_evidence(todo_words, probs, single)
        # the Indonesian-vs-Malay model's n-gram scores, in one batch, for texts the main model calls Indonesian
        idms_z: dict[int, float] = {}
        if self.idms is not None and "id" in self.labels:
            top_id = np.flatnonzero(probs.argmax(axis=1) == self.labels.index("id")).tolist()
            if top_id:
                z = self.idms.ngram_scores([words_list[todo[k]] for k in top_id])
                idms_z = dict(zip(top_id, z.tolist()))
        for k, i in enumerate(todo):
            results[i] = self._decide(texts[i], words_list[i], probs[k], chunks_by_doc.get(k, []), hints[i],
                                      english[k], idms_z.get(k), evidence[k])
        return [r for r in results if r is not None]

    def identify(self, text: str, hint: str | None = None) -> LanguageResult:
        """Identify one text."""
        return self.identify_batch([text], hints=[hint])[0]

    def _fallback(self, hint: str | None) -> LanguageResult:
        if hint and hint.lower() in SUPPORTED:
            return LanguageResult(hint.lower(), 0.0)
        return LanguageResult("und", 0.0)

    def _weak_regional(self, probs: np.ndarray) -> list[int]:
        """Rows whose top label is a regional language below ``REGIONAL_EVIDENCE_CONF``."""
        top = probs.argmax(axis=1)
        return [k for k in range(len(probs)) if self.labels[int(top[k])] in REGIONAL
                and float(probs[k, top[k]]) < REGIONAL_EVIDENCE_CONF]

    def _evidence_candidates(self, doc: Sequence[str]) -> set[str]:
        """Words of ``doc`` that are not common Indonesian (possible regional evidence)."""
        return {w for w in doc if w.isalpha() and w not in self.common_words}

    def _single_word_probs(self, docs: Sequence[Sequence[str]], probs: np.ndarray) -> dict[str, np.ndarray]:
        """The model's probabilities for each distinct word scored alone, in one batch: the words of
        3+ letters (English share) and the regional-evidence candidates of weak regional guesses."""
        if "en" not in self.labels:
            return {}
        words = {w for doc in docs for w in doc if len(w) >= 3}
        if "id" in self.labels:
            for k in self._weak_regional(probs):
                words |= self._evidence_candidates(docs[k])
        if not words:
            return {}
        ordered = sorted(words)
        return dict(zip(ordered, self.model.softmax(self.model.decision_items([[w] for w in ordered]))))

    def _english_share(self, docs: Sequence[Sequence[str]], single: dict[str, np.ndarray]) -> list[float]:
        """Share of a document's words (3+ letters) that are confidently English on their own."""
        if "en" not in self.labels:
            return [0.0] * len(docs)
        en = self.labels.index("en")
        out = []
        for doc in docs:
            long_words = [w for w in doc if len(w) >= 3]
            n = len(long_words)
            out.append(sum(1 for w in long_words if single[w][en] >= 0.9) / n if n >= 4 else 0.0)
        return out

    def _regional_evidence(self, docs: Sequence[Sequence[str]], probs: np.ndarray,
                           single: dict[str, np.ndarray]) -> list[bool]:
        """Per document: does it hold a word that could be evidence of a regional language, i.e.
        one outside common Indonesian that the model does not take for English on its own?
        Only computed for weak regional guesses (the others get True, unused)."""
        out = [True] * len(docs)
        if "id" not in self.labels:
            return out
        en = self.labels.index("en") if "en" in self.labels else -1
        for k in self._weak_regional(probs):
            # English is written in ASCII; "béas" (Sundanese) is no English word whatever the scores
            out[k] = any(not (en >= 0 and w.isascii() and int(single[w].argmax()) == en)
                         for w in self._evidence_candidates(docs[k]))
        return out

    def _decide(
        self,
        text: str,
        words: list[str],
        p: np.ndarray,
        chunks: list[np.ndarray],
        hint: str | None,
        english: float = 0.0,
        idms_z: float | None = None,
        regional_evidence: bool = True,
    ) -> LanguageResult:
        order = np.argsort(-p)
        code = self.labels[int(order[0])]
        conf = float(p[order[0]])
        if (code in REGIONAL and code != "jv" and "jv" in self.labels
                and len(self.krama_markers.intersection(words)) >= KRAMA_MIN_MARKERS):
            # krama Javanese, which the model (trained on ngoko Javanese) takes for Balinese or Sundanese
            code, conf = "jv", max(float(p[self.labels.index("jv")]), 0.6)
        if code in REGIONAL and conf < REGIONAL_EVIDENCE_CONF and "id" in self.labels and not regional_evidence:
            # fail safe: every word is common Indonesian (or English), so a weak regional guess has
            # no evidence; Indonesian, with its own (low) probability as the confidence
            code, conf = "id", float(p[self.labels.index("id")])
        latin = sum(1 for w in words if w.isascii()) / len(words)
        reliable, cld = cld2_detect(text) if (code in _MALAYIC or conf < 0.9 or latin < 0.5) else (False, [])
        cld_top, cld_pct = (cld[0] if cld else ("und", 0))
        # Non-Latin scripts or languages outside NusaX: trust cld2.
        if latin < 0.5 and cld_top != "und":
            return LanguageResult(cld_top, round(cld_pct / 100.0, 4))
        if (
            reliable
            and cld_top not in SUPPORTED
            and cld_top not in ("jv", "und")
            and cld_pct >= 80
            and len(words) >= 4
            and conf < 0.95
        ):
            return LanguageResult(cld_top, round(cld_pct / 100.0 * 0.9, 4))
        # Malay vs Indonesian.
        if code == "id" and self.idms is not None:
            # the dedicated decision (only for texts called Indonesian: other languages are untouched)
            malay, p_ms = self.idms.is_malay(words, self._malay_vote(words), cld_top == "ms",
                                             _news_like(text, words), idms_z)
            if malay:
                code, conf = "ms", p_ms
            else:
                conf = min(conf, 1.0 - p_ms)
        elif code in _MALAYIC:
            vote = self._malay_vote(words)
            cld_ms = cld_top == "ms"
            if (cld_ms and vote >= 1) or vote >= 2:
                conf_ms = min(0.99, 0.6 + 0.1 * max(vote, 0) + (0.2 if cld_ms else 0.0))
                code, conf = "ms", conf_ms
            elif code == "id" and cld_ms and vote == 0 and _news_like(text, words):
                # no marker either way: in edited prose cld2 decides; informal text stays Indonesian
                code, conf = "ms", 0.7
        if hint and conf < 0.5 and hint.lower() in SUPPORTED:
            code, conf = hint.lower(), conf
        mixed, secondary = self._mixed(code, chunks, cld)
        if not mixed and code != "en" and english >= 0.2:
            mixed, secondary = True, "en"
        return LanguageResult(code, round(conf, 4), mixed, secondary)

    def _mixed(
        self, code: str, chunks: list[np.ndarray], cld: list[tuple[str, int]]
    ) -> tuple[bool, str | None]:
        counts: dict[str, int] = {}
        for p in chunks:
            j = int(p.argmax())
            if p[j] >= 0.6:
                lab = self.labels[j]
                counts[lab] = counts.get(lab, 0) + 1
        others = sorted(((c, l) for l, c in counts.items() if l != code and not (l in _MALAYIC and code in _MALAYIC)),
                        reverse=True)
        if others and others[0][0] >= max(2, math.ceil(0.25 * len(chunks))):
            return True, others[0][1]
        for c, pct in cld[1:]:
            if c != code and c in SUPPORTED and pct >= 20 and not (c in _MALAYIC and code in _MALAYIC):
                return True, c
        if others and others[0][1] == "en" and others[0][0] >= 1:
            return True, "en"
        return False, None
