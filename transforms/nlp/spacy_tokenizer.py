"""A fast-loading Indonesian spaCy tokenizer for the NER pipeline.

spaCy's Indonesian defaults carry ~16,000 tokenizer special cases (mostly hyphenated
reduplications such as "anak-anak"); building them takes 10-20 s at every load. Hyphenated
words stay single tokens without them (Indonesian infix rules do not split a hyphen between
letters), so this tokenizer keeps only the ~350 special cases without a hyphen (abbreviations,
emoticons). Registered as ``pantau.id_fast_tokenizer.v1``; import this module before
``spacy.load`` of a pipeline whose config names it.
"""
from __future__ import annotations

from collections.abc import Callable

from spacy.util import registry

__all__ = ["create_fast_id_tokenizer", "make_fast_id_tokenizer", "FACTORY_NAME"]

FACTORY_NAME = "pantau.id_fast_tokenizer.v1"


def make_fast_id_tokenizer(nlp):
    """Build the tokenizer for ``nlp`` (its vocab is shared)."""
    from spacy.lang.id import Indonesian
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    d = Indonesian.Defaults
    rules = {k: v for k, v in d.tokenizer_exceptions.items() if "-" not in k}
    return Tokenizer(
        nlp.vocab,
        rules=rules,
        prefix_search=compile_prefix_regex(d.prefixes).search,
        suffix_search=compile_suffix_regex(d.suffixes).search,
        infix_finditer=compile_infix_regex(d.infixes).finditer,
        token_match=d.token_match,
        url_match=d.url_match,
    )


@registry.tokenizers(FACTORY_NAME)
def create_fast_id_tokenizer() -> Callable:
    """spaCy registry entry returning the tokenizer factory."""
    return make_fast_id_tokenizer
