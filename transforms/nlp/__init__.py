"""pantau's Indonesian-first NLP enrichment (text normalization, language ID, sentiment, entities).

Kept import-light: the heavy modules (spaCy, models) load only when used, e.g.
``from transforms.nlp.enricher import Enricher``.
"""
