"""Benchmark pantau's NLP enrichment on ONE core: posts/s per stage and for the full Enricher.

    python bench/bench_enrich.py [--n 3000] [--batch-size 256] [--data-dir ../shared/data]
    python bench/bench_enrich.py --baseline-model-dir OLD [--model-dir NEW] [--rounds 5]


Posts are 20-30-word texts: SmSA / NusaX validation sentences when the shared data dir is
there (cut to 20-30 words, with some slang, mentions, hashtags and emoji mixed in), otherwise
built-in sample posts. Threads are pinned to 1 (BLAS / OpenMP env vars and CPU affinity)
before numpy or spaCy are imported. Stages run on the same posts in one process; ``full_cold``
is the first full pass with empty caches, the other rows the best of ``--repeat`` passes.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_SAMPLE_POSTS = [
    "Gak nyangka pelayanan di kantor Kemenkominfo Jakarta cepet bgt, cuma 10 menit udah beres. Mantap lah pokoknya 👍 #PelayananPublik",
    "Banjir lagi di Bekasi, jalan ke arah Cikarang macet total dari pagi. Pemkot kapan mau beresin drainase nya sih 😡",
    "Harga cabe di pasar naik terus, ibu2 pada ngeluh. Semoga Kemendag cepat turun tangan buat stabilin harga sebelum lebaran.",
    "Timnas main bagus banget semalem, Shin Tae-yong emang top! Bangga jadi orang Indonesia 🇮🇩🔥 @PSSI",
    "Listrik PLN padam 3 jam di Medan, kerjaan jadi terbengkalai semua. Gimana mau maju kalo infrastruktur begini terus?",
    "Just landed in Bali, the weather is amazing and the people are so friendly. Can't wait to explore Ubud tomorrow!",
    "Aku wis tekan Yogyakarta, sesuk arep dolan menyang Malioboro karo kanca-kanca. Panganane enak lan murah banget.",
    "Abdi nuju di Bandung, hawana tiis pisan. Isukan bade ka Lembang sareng babaturan, mugia teu hujan.",
    "KPK tetapkan mantan bupati sebagai tersangka korupsi proyek jalan senilai Rp 12 miliar di Sulawesi Selatan.",
    "Makanan di resto ini biasa aja sih, porsinya kecil dan harganya kemahalan. Pelayannya juga kurang ramah, gak bakal balik lagi.",
]


def load_posts(data_dir: Path, n: int, seed: int = 0) -> list[dict]:
    """Build ``n`` posts of 20-30 words."""
    rng = random.Random(seed)
    texts: list[str] = []
    if (data_dir / "sentiment").is_dir():
        from transforms.nlp.training.data_io import read_nusax_senti, read_smsa

        rows = read_smsa(data_dir / "sentiment" / "smsa" / "valid.tsv")
        for name in ("indonesian", "english", "javanese", "sundanese"):
            f = data_dir / "sentiment" / "nusax" / name / "valid.csv"
            if f.exists():
                rows += read_nusax_senti(f)
        extras = ["@budi_99", "#BanjirJakarta", "😍", "wkwk", "bgt", "gak", "yg", "https://t.co/abc", "Kominfo", "Jakarta"]
        pool = [r.text for r in rows] + _SAMPLE_POSTS
        while len(texts) < n:
            words = rng.choice(pool).split()
            while len(words) < 20:
                words += rng.choice(pool).split()
            words = words[: rng.randint(20, 30)]
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(extras))
            texts.append(" ".join(words))
    else:
        while len(texts) < n:
            texts.append(rng.choice(_SAMPLE_POSTS))
    return [{"id": str(i), "text": t} for i, t in enumerate(texts[:n])]


def rate(fn, items: list, batch_size: int, repeat: int = 1, clock=time.perf_counter) -> float:
    """Posts per second of ``fn`` applied batch by batch (best of ``repeat`` runs) by ``clock``."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        for i in range(0, len(items), batch_size):
            fn(items[i : i + batch_size])
        best = min(best, clock() - start)
    return len(items) / best


def compare(baseline_dir: str, model_dir: str | None, posts: list[dict], batch_size: int, rounds: int) -> None:
    """A/B on a shared machine: both model sets in one process, timed alternately (entities stage
    and full enrichment) after a warm-up pass each, by the process's CPU time (threads are pinned
    to 1, so on a free core that is wall time; on a loaded one it leaves out the waiting); prints
    per-round new/baseline speed ratios (> 1: the new models are faster) and their medians."""
    import statistics

    from transforms.nlp.enricher import Enricher
    from transforms.nlp.entities import NER_LANGUAGES
    from transforms.nlp.textnorm import clean_tokens

    sets = {"baseline": Enricher.load(baseline_dir), "new": Enricher.load(model_dir)}
    texts = [p["text"] for p in posts]
    tokens = [clean_tokens(t) for t in texts]
    langs = sets["new"].langid.identify_batch(texts)
    use_model = [lang.code in NER_LANGUAGES for lang in langs]
    idx = list(range(len(texts)))

    def language(e, cold: bool = False) -> float:
        if cold:  # empty the n-gram item caches: every post's words are new to the models
            for m in (e.langid.model, getattr(getattr(e.langid, "idms", None), "model", None)):
                if m is not None:
                    m._reset_cache()
        return rate(lambda b: e.langid.identify_batch([texts[i] for i in b], [tokens[i] for i in b]),
                    idx, batch_size, clock=time.process_time)

    stages = {
        "language": language,
        "language_cold": lambda e: language(e, cold=True),
        "entities": lambda e: rate(lambda b: e.entities.extract_batch([texts[i] for i in b], [use_model[i] for i in b]),
                                   idx, batch_size, clock=time.process_time),
        "full": lambda e: rate(e.enrich_batch, posts, batch_size, clock=time.process_time),
    }
    for e in sets.values():  # warm caches
        stages["full"](e)
    ratios: dict[str, list[float]] = {k: [] for k in stages}
    for r in range(rounds):
        line = []
        for stage, fn in stages.items():
            old, new = fn(sets["baseline"]), fn(sets["new"])
            ratios[stage].append(new / old)
            line.append(f"{stage} {old:.0f} -> {new:.0f} posts/CPU-s (x{new / old:.3f})")
        print(f"round {r + 1}: " + "; ".join(line))
    print("median speed ratio new/baseline: "
          + ", ".join(f"{k} x{statistics.median(v):.3f}" for k, v in ratios.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="number of posts")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--repeat", type=int, default=2, help="runs per stage, best kept")
    ap.add_argument("--baseline-model-dir", default=None,
                    help="A/B mode: time these models against --model-dir alternately in one process")
    ap.add_argument("--rounds", type=int, default=5, help="A/B mode: alternating rounds")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        except OSError:
            pass

    if args.baseline_model_dir:
        compare(args.baseline_model_dir, args.model_dir, load_posts(Path(args.data_dir), args.n), args.batch_size,
                args.rounds)
        return 0

    from transforms.nlp.enricher import Enricher
    from transforms.nlp.entities import NER_LANGUAGES
    from transforms.nlp.textnorm import SLANG_LANGUAGES, apply_slang, clean_tokens

    t0 = time.perf_counter()
    enricher = Enricher.load(args.model_dir)
    load_s = time.perf_counter() - t0
    posts = load_posts(Path(args.data_dir), args.n)
    texts = [p["text"] for p in posts]
    n_words = sum(len(t.split()) for t in texts) / len(texts)

    # one pass with empty caches first (n-gram item caches and token cache start cold)
    start = time.perf_counter()
    for i in range(0, len(posts), args.batch_size):
        enricher.enrich_batch(posts[i : i + args.batch_size])
    cold = len(posts) / (time.perf_counter() - start)

    tokens = [clean_tokens(t) for t in texts]
    langs = enricher.langid.identify_batch(texts, tokens)
    normalized = [" ".join(apply_slang(tk) if l.code in SLANG_LANGUAGES else tk) for tk, l in zip(tokens, langs)]
    use_model = [l.code in NER_LANGUAGES for l in langs]
    idx = list(range(len(texts)))

    results = {
        "normalize": rate(lambda b: [apply_slang(clean_tokens(texts[i])) for i in b], idx, args.batch_size, args.repeat),
        "language": rate(lambda b: enricher.langid.identify_batch([texts[i] for i in b], [tokens[i] for i in b]),
                         idx, args.batch_size, args.repeat),
        "sentiment": rate(lambda b: enricher.sentiment.predict_normalized([normalized[i] for i in b],
                                                                     [langs[i].code for i in b]),
                          idx, args.batch_size, args.repeat),
        "entities": rate(lambda b: enricher.entities.extract_batch([texts[i] for i in b], [use_model[i] for i in b]),
                         idx, args.batch_size, args.repeat),
        "full": rate(enricher.enrich_batch, posts, args.batch_size, args.repeat),
        "full_cold": cold,
    }
    share_ner = sum(use_model) / len(use_model)
    gate = enricher.entities.gate
    nlp = enricher.entities.nlp
    admitted = sum(1 for t, u in zip(texts, use_model)
                   if u and (gate is None or gate.admits([tok.text for tok in nlp.make_doc(t)])))
    print(f"posts={len(posts)} mean_words={n_words:.1f} batch_size={args.batch_size} threads=1 "
          f"load_s={load_s:.2f} ner_language_share={share_ner:.2f} ner_model_share={admitted / len(posts):.2f} "
          f"(after the candidate gate)")
    print(f"{'stage':<10} {'posts/s':>10} {'ms/post':>9}")
    for stage, r in results.items():
        print(f"{stage:<10} {r:>10.0f} {1000.0 / r:>9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
