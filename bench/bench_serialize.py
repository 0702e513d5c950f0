"""Bulk-body serialization: the Elasticsearch client's stdlib JSON serializer against the orjson
one pantau uses, on fully enriched documents of the bundled sample (one run, ratio printed).

    python bench/bench_serialize.py [--n 1000]
"""
from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def enriched_sources(n: int) -> list[dict]:
    """``_source`` of n sample posts after every stage up to the sink."""
    import fastavro
    from harness import make_posts, messages

    import schemas
    from transforms.core.codec import SchemaResolver
    from transforms.io.es_sink import EsConfig, bulk_action
    from transforms.nlp.enricher import Enricher
    from transforms.stages.decode import decode_payload
    from transforms.stages.enrich import apply_enrichment, model_input
    from transforms.stages.normalize import normalize_post
    from transforms.stages.tag import tag_document

    msgs = messages(make_posts(n))
    resolver = SchemaResolver()
    reader = fastavro.parse_schema(schemas.schema_by_id(schemas.latest_id(schemas.RAW_POST_SUBJECT)))
    docs = [normalize_post(decode_payload(v, resolver, reader, 1 << 20)[0], v) for _, v in msgs]
    enriched = [apply_enrichment(d, r) for d, r in zip(docs, Enricher.load().enrich_batch([model_input(d) for d in docs]))]
    config = EsConfig(url="http://127.0.0.1:9200")
    return [bulk_action(tag_document(d, None), config)["_source"] for d in enriched]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    from elasticsearch.serializer import JsonSerializer, OrjsonSerializer
    sources = enriched_sources(args.n)
    size = sum(len(OrjsonSerializer().dumps(s)) for s in sources) / len(sources)
    times = {}
    for _ in range(3):  # alternate, keep the best of each
        for serializer in (JsonSerializer(), OrjsonSerializer()):
            t = timeit.timeit(lambda s=serializer: [s.dumps(x) for x in sources], number=3) / 3 / len(sources)
            name = type(serializer).__name__
            times[name] = min(times.get(name, t), t)
    print(f"documents: {len(sources)}, {size:.0f} bytes each on average")
    for name, t in times.items():
        print(f"{name:<18} {t * 1e6:7.1f} µs/doc")
    print(f"orjson / stdlib time: {times['OrjsonSerializer'] / times['JsonSerializer']:.2f}")


if __name__ == "__main__":
    main()
