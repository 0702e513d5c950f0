"""PER / ORG / LOC entities for Indonesian and English posts.

Two sources are merged:

* ``model``: a small spaCy NER pipeline (``models/ner``) trained by ``train.py`` on NERGrit,
  NERP and NER-UI with their label sets mapped to PER / ORG / LOC (NERP's EVT and FNB
  are dropped);
* ``gazetteer``: the project's own list of Indonesian institutions, places and public
  figures (``data/gazetteer_id.jsonl``) matched with spaCy ``PhraseMatcher``; every alias
  maps to one canonical name ("Kominfo" -> "Kementerian Komunikasi dan Informatika").

Offsets are character offsets into the text that was passed in.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

__all__ = ["Entity", "Gazetteer", "EntityExtractor", "CandidateGate", "NER_LANGUAGES", "NO_CANDIDATE"]

_DATA_DIR = Path(__file__).resolve().parent / "data"

#: Languages the NER model was trained for (Malay shares Indonesian's orthography).
NER_LANGUAGES: frozenset[str] = frozenset({"id", "en", "ms"})

# Aliases that are ordinary words (or too short) when lower-cased: matched case-sensitively only.
_CASE_SENSITIVE = frozenset(
    """pan bin big its as ui ub ri sig ksp mega batu solo padang malang puncak nusantara garuda astra grab xl
    im3 gelora tegal ambon palu riau jawa bali jambi papua maluku aceh nu pln kai ppp ntb ntt dki diy nad
    lampung banten medan depok bogor serang sabang kudus garut subang sumba flores dumai bontang bitung
    kediri madiun blitar jember gresik sleman bantul binjai tarakan ternate sorong timika mataram kupang
    lombok belanda jepang cina china as usa ikn gbk whoosh gojek grab shopee astra xl bsi pks pkb pkn pdip
    psi mui idi its pgn jne krl kci sbs nusa unair unpad undip gus dur risma ahok anies ganjar gibran luhut
    khofifah prabowo jokowi sby ahy mahfud puan habibie soekarno soeharto bulog pelni damri""".split()
)


#: ``enrichment_skipped`` reason when the candidate gate spares a post the NER model.
NO_CANDIDATE = "ner:no_entity_candidate"
#: File (in the model dir) with the word lists of :class:`CandidateGate`; built by ``train.py``.
GATE_FILE = "ner_words.json"

_SENTENCE_OPENERS = frozenset('.!?:;"\'()[]{}“”‘’«»-–—…|/\n')


class CandidateGate:
    """Decides cheaply whether a tokenized post could contain a named entity.

    The NER model is the costliest stage of enrichment; most informal posts are lower-case
    and mention no name. A post goes to the model when it has a token that is

    * a known entity word (``entity_words``: lower-cased forms seen inside entities in the
      NER training data more often than outside),
    * an acronym (two or more letters, all upper-case), or
    * capitalized, unless it opens a sentence and is a common word (``common_words``:
      forms seen almost only outside entities).

    Gazetteer matching runs on every post regardless. ``train.py`` builds the word lists
    from NERGrit and NERP; the validation F1 of each corpus is the same with and without
    the gate (see ``transforms/nlp/README.md``).
    """

    def __init__(self, entity_words: Iterable[str], common_words: Iterable[str]):
        self.entity_words = frozenset(entity_words)
        self.common_words = frozenset(common_words)

    @classmethod
    def load(cls, path: str | Path) -> "CandidateGate":
        """Read the JSON word lists written by ``train.py``."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["entity_words"], data["common_words"])

    def admits(self, words: Sequence[str]) -> bool:
        """True when ``words`` (one post's tokens) hold an entity candidate."""
        opener = True
        for w in words:
            if not w or w.isspace():
                continue
            lower = w.lower()
            if lower in self.entity_words:
                return True
            first = w[0]
            if first.isalpha() and first.isupper():
                if len(w) > 1 and w.isupper() and w.isalpha():
                    return True
                if not opener or lower not in self.common_words:
                    return True
            opener = w in _SENTENCE_OPENERS or (w != "," and not any(ch.isalnum() for ch in w))
        return False


@dataclass(frozen=True)
class Entity:
    """One entity (maps onto the Avro ``Entity`` record)."""

    text: str
    label: str
    canonical: str
    start: int
    end: int
    source: str

    def as_dict(self) -> dict:
        """The Avro-shaped dict."""
        return {
            "text": self.text,
            "label": self.label,
            "canonical": self.canonical,
            "start": self.start,
            "end": self.end,
            "source": self.source,
        }


class Gazetteer:
    """Alias -> (label, canonical) table with spaCy phrase matchers."""

    def __init__(self, entries: Iterable[dict], nlp):
        from spacy.matcher import PhraseMatcher

        self.lookup: dict[str, tuple[str, str]] = {}
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact_docs: dict[str, list] = {}
        lower_docs: dict[str, list] = {}
        for e in entries:
            if "label" not in e:
                continue
            label, canonical = e["label"], e["canonical"]
            for alias in e.get("aliases", []) or [canonical]:
                key = alias.lower()
                if key in self.lookup:
                    continue
                self.lookup[key] = (label, canonical)
                doc = nlp.make_doc(alias)
                if key in _CASE_SENSITIVE or len(key) <= 3:
                    exact_docs.setdefault(key, []).append(doc)
                    # also the Title-case and UPPER variants for all-lower / mixed inputs
                    for variant in {alias.upper(), alias.title()} - {alias}:
                        if len(key) > 3 or alias.isupper():
                            exact_docs[key].append(nlp.make_doc(variant))
                else:
                    lower_docs.setdefault(key, []).append(doc)
        for key, docs in exact_docs.items():
            self.exact.add(key, docs)
        for key, docs in lower_docs.items():
            self.lower.add(key, docs)

    @classmethod
    def load(cls, nlp, path: str | Path | None = None) -> "Gazetteer":
        """Read the JSONL gazetteer (one entry per line: label, canonical, aliases)."""
        file = Path(path) if path else _DATA_DIR / "gazetteer_id.jsonl"
        entries = [json.loads(l) for l in file.read_text(encoding="utf-8").splitlines() if l.strip()]
        return cls(entries, nlp)

    def canonical(self, text: str) -> tuple[str, str] | None:
        """(label, canonical) for an alias, case-insensitive, or None."""
        return self.lookup.get(" ".join(text.split()).lower())

    def spans(self, doc) -> list:
        """Gazetteer matches in ``doc`` as spaCy spans labelled with their canonical key."""
        from spacy.tokens import Span

        out = []
        for matcher in (self.exact, self.lower):
            for match_id, start, end in matcher(doc):
                key = doc.vocab.strings[match_id]
                label, _ = self.lookup[key]
                out.append(Span(doc, start, end, label=label, kb_id=key))
        return out


_CONNECTORS = frozenset({"dan", "&", "of", "the", "-", "de", "van", "bin", "binti", "'", "."})


# Lower-case words that often start a place / institution name ("jalan Medan Merdeka Barat").
_NAME_PREFIXES = frozenset(
    """jalan jl kota kabupaten kab provinsi prov desa kecamatan kelurahan kampung pulau gunung sungai danau
    teluk selat bandara pelabuhan stasiun terminal pasar taman masjid gereja universitas sekolah""".split()
)


def _proper(span) -> bool:
    """True when every token of ``span`` looks like part of a proper name."""
    return all(
        t.text[:1].isupper() or t.text[:1].isdigit() or t.lower_ in _CONNECTORS
        or (i == 0 and t.lower_ in _NAME_PREFIXES)
        for i, t in enumerate(span)
    )


def _merge(model: list, gaz: list) -> list:
    """Merge model and gazetteer spans without overlaps.

    A gazetteer span wins over a model span it overlaps, unless the model span is a longer
    proper name that contains it ("Bank Mandiri Syariah" over "Bank Mandiri"); a model span
    such as "kantor Kemenkominfo Jakarta" loses to "Kemenkominfo" and "Jakarta".
    """
    kept_model, dropped_gaz = [], set()
    for ent in model:
        overl = [g for g in gaz if g.start < ent.end and ent.start < g.end]
        if not overl:
            kept_model.append(ent)
        elif all(ent.start <= g.start and g.end <= ent.end for g in overl) and _proper(ent) and any(
            (g.start, g.end) != (ent.start, ent.end) for g in overl
        ):
            kept_model.append(ent)
            dropped_gaz.update((g.start, g.end) for g in overl)
    spans = kept_model + [g for g in gaz if (g.start, g.end) not in dropped_gaz]
    return sorted(spans, key=lambda sp: sp.start)


class EntityExtractor:
    """Runs the spaCy NER model (where supported) and the gazetteer, and merges them."""

    def __init__(self, nlp, gazetteer: Gazetteer, batch_size: int = 128, gate: CandidateGate | None = None):
        self.nlp = nlp
        self.gazetteer = gazetteer
        self.batch_size = batch_size
        self.gate = gate

    @classmethod
    def load(cls, model_dir: str | Path) -> "EntityExtractor":
        """Load ``ner/`` from ``model_dir`` and the packaged gazetteer."""
        import spacy

        from . import spacy_tokenizer  # noqa: F401  (registers the pipeline's tokenizer)

        nlp = spacy.load(Path(model_dir) / "ner")
        gate_file = Path(model_dir) / GATE_FILE
        gate = CandidateGate.load(gate_file) if gate_file.exists() else None
        return cls(nlp, Gazetteer.load(nlp), gate=gate)

    def extract_batch(
        self,
        texts: Sequence[str],
        use_model: Sequence[bool] | None = None,
        *,
        use_gazetteer: bool = True,
        skipped: Sequence[list[str]] | None = None,
    ) -> list[list[Entity]]:
        """Entities per text; ``use_model[i]`` False runs only the gazetteer on text ``i``.

        With a candidate gate loaded, texts it rejects skip the model too, and
        :data:`NO_CANDIDATE` is appended to ``skipped[i]`` when ``skipped`` is given.
        """
        docs = [self.nlp.make_doc(t) for t in texts]
        return self.extract_docs(docs, use_model, use_gazetteer=use_gazetteer, skipped=skipped)

    def extract_words(
        self, sentences: Sequence[Sequence[str]], *, use_gazetteer: bool = True
    ) -> list[list[Entity]]:
        """Entities for pre-tokenized sentences (offsets into the words joined by single spaces)."""
        from spacy.tokens import Doc

        docs = [Doc(self.nlp.vocab, words=list(w)) if w else self.nlp.make_doc("") for w in sentences]
        return self.extract_docs(docs, use_gazetteer=use_gazetteer)

    def extract_docs(
        self,
        docs: Sequence,
        use_model: Sequence[bool] | None = None,
        *,
        use_gazetteer: bool = True,
        skipped: Sequence[list[str]] | None = None,
    ) -> list[list[Entity]]:
        """Entities for already-tokenized spaCy ``Doc`` objects (gate as in :meth:`extract_batch`)."""
        from spacy.util import filter_spans

        use_model = list(use_model) if use_model is not None else [True] * len(docs)
        docs = list(docs)
        if self.gate is not None:
            for i, doc in enumerate(docs):
                if use_model[i] and len(doc) and not self.gate.admits([t.text for t in doc]):
                    use_model[i] = False
                    if skipped is not None and NO_CANDIDATE not in skipped[i]:
                        skipped[i].append(NO_CANDIDATE)
        model_idx = [i for i, u in enumerate(use_model) if u and len(docs[i])]
        if model_idx:
            for i, doc in zip(model_idx, self.nlp.pipe((docs[i] for i in model_idx), batch_size=self.batch_size)):
                docs[i] = doc
        out: list[list[Entity]] = []
        for i, doc in enumerate(docs):
            if not len(doc):
                out.append([])
                continue
            if not use_model[i]:
                doc.ents = []
            gaz = self.gazetteer.spans(doc) if use_gazetteer else []
            merged = _merge(list(doc.ents), filter_spans(gaz))
            gaz_keys = {(g.start, g.end) for g in gaz}
            ents = []
            for span in merged:
                from_gaz = (span.start, span.end) in gaz_keys and span.kb_id_ != ""
                hit = self.gazetteer.canonical(span.text)
                if from_gaz and hit is not None:
                    label, canonical = hit
                    source = "gazetteer"
                else:
                    label = span.label_
                    canonical = hit[1] if hit is not None and hit[0] == label else " ".join(span.text.split())
                    source = "model"
                if label not in ("PER", "ORG", "LOC"):
                    continue
                ents.append(Entity(span.text, label, canonical, span.start_char, span.end_char, source))
            out.append(ents)
        return out
