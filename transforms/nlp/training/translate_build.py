"""Build the regional -> Indonesian word dictionaries (``data/nusax_dict.tsv``) used by sentiment.

``python -m transforms.nlp.training.train --only nusax_dict`` learns one dictionary per language
of :data:`~transforms.nlp.translate.TRANSLATED` from the parallel NusaX-MT train + valid sentences
(IBM Model 1, :func:`transforms.nlp.translate.learn_dictionary`). The cross-validation
(``sentiment_cv``) builds the same dictionaries from the training folds only
(:func:`dictionaries_from_rows`).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..textnorm import normalize
from ..translate import DICT_FILE, TRANSLATED, learn_dictionary, write_dictionaries
from .data_io import LabelledText, read_nusax_mt

Pair = tuple[list[str], list[str]]


def parallel_pairs(rows: Iterable[LabelledText], langs: Iterable[str] = TRANSLATED) -> dict[str, list[Pair]]:
    """Normalized token pairs (regional, Indonesian) per language, from rows whose ``group`` names
    the sentence (NusaX-senti ids and NusaX-MT rows both do); sentences without an Indonesian row
    are skipped."""
    wanted = set(langs)
    by_group: dict[str, dict[str, str]] = defaultdict(dict)
    for x in rows:
        if x.lang in wanted or x.lang == "id":
            by_group[x.group][x.lang] = x.text
    out: dict[str, list[Pair]] = {lang: [] for lang in sorted(wanted)}
    for group in sorted(by_group):
        texts = by_group[group]
        if "id" not in texts:
            continue
        target = normalize(texts["id"], "id").split()
        for lang in sorted(texts.keys() & wanted):
            out[lang].append((normalize(texts[lang], lang).split(), target))
    return out


def dictionaries_from_rows(rows: Iterable[LabelledText], langs: Iterable[str] = TRANSLATED) -> dict[str, dict[str, str]]:
    """One learned dictionary per language from parallel NusaX rows (other rows are ignored)."""
    nusax = [x for x in rows if x.group.startswith(("n:", "mt:"))]
    return {lang: learn_dictionary(pairs) for lang, pairs in parallel_pairs(nusax, langs).items()}


def build_nusax_dict(data_dir: Path, path: Path = DICT_FILE, splits: Sequence[str] = ("train", "valid")) -> dict:
    """Write ``data/nusax_dict.tsv`` from NusaX-MT ``splits``; returns the manifest entry."""
    rows = [x for s in splits for x in read_nusax_mt(data_dir / "langid" / "nusax_mt" / f"{s}.csv")]
    # read_nusax_mt labels each cell with its language code
    rows = [LabelledText(x.text, x.label, x.label, x.group) for x in rows]
    tables = dictionaries_from_rows(rows)
    header = (
        "# Regional word -> Indonesian word, per NusaX language (lang<TAB>word<TAB>indonesian).\n"
        f"# Learned with IBM Model 1 from the parallel NusaX-MT {' + '.join(splits)} sentences (Winata et al., 2023,\n"
        "# CC-BY-SA-4.0; this derived list is CC-BY-SA-4.0 too). Words that map to themselves are not listed.\n"
        "# Built by `python -m transforms.nlp.training.train --only nusax_dict`.\n"
    )
    n = write_dictionaries(tables, path, header)
    return {"file": f"data/{path.name}", "n_entries": n, "languages": sorted(tables), "splits": list(splits)}
