"""Benchmark: the compiled watchlist matcher against one regex per term, in the same run.

    python bench/bench_watchlist.py [--issues 2000] [--terms-per-issue 5] [--naive-posts 60]

Builds a synthetic watchlist (default 2,000 issues, 10,000 terms: words, phrases, prefixes,
hashtags, @accounts, NOT, parentheses) from the vocabulary of the bundled sample plus invented
words, and tags the 1,500 sample posts with

* the compiled matcher (``transforms.logic.watchlist``: one pass over the tokens, dictionary look-ups,
  only the issues whose terms fired are evaluated), and
* a naive baseline: one precompiled regular expression per term, every term searched in every
  post, then every issue's boolean expression evaluated (on a subset of the posts: it is slow).

Both must give the same issues on the subset; posts/s of each and the speed-up are printed.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.logic.watchlist import Watchlist, evaluate, fold, tokenize  # noqa: E402
from transforms.stages.normalize import extract_hashtags, extract_mentions  # noqa: E402


def sample_posts() -> list[dict]:
    posts = []
    for line in (ROOT / "deploy" / "sample" / "posts.jsonl").read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        text = p["text"]
        posts.append({"text": text,
                      "hashtags": [h.lower() for h in p.get("hashtags") or []] + extract_hashtags(text),
                      "mentions": [m.lower() for m in p.get("mentions") or []] + extract_mentions(text),
                      "handle": p["author"].get("handle")})
    return posts


def synthetic_watchlist(posts: list[dict], n_issues: int, terms_per_issue: int, seed: int = 1) -> str:
    """YAML text of a watchlist with ``n_issues * terms_per_issue`` terms."""
    rng = random.Random(seed)
    real = sorted({t for p in posts for t in tokenize(p["text"]) if len(t) > 3 and not t.isdigit()})
    tags = sorted({h for p in posts for h in p["hashtags"]})
    handles = sorted({m for p in posts for m in p["mentions"]})
    invented = ["".join(rng.choice("abdegiklmnoprstuy") for _ in range(rng.randint(5, 9))) for _ in range(20000)]
    words = real + invented  # most terms never fire, as in a real watchlist of thousands of issues

    def term() -> str:
        kind = rng.random()
        if kind < 0.45:
            return rng.choice(words)
        if kind < 0.65:
            return '"' + " ".join(rng.choice(words) for _ in range(rng.randint(2, 3))) + '"'
        if kind < 0.75:
            return rng.choice(words)[:rng.randint(3, 5)] + "*"
        if kind < 0.92:
            return "#" + (rng.choice(tags) if rng.random() < 0.3 else rng.choice(invented))
        return "@" + (rng.choice(handles) if rng.random() < 0.3 else rng.choice(invented))

    lines = ["issues:"]
    for i in range(n_issues):
        t = [term() for _ in range(terms_per_issue)]
        shape = i % 4
        if shape == 0:
            query = " OR ".join(t)
        elif shape == 1:
            query = f"({t[0]} OR {t[1]} OR {t[2]}) ({' OR '.join(t[3:])})"
        elif shape == 2:
            query = f"{' OR '.join(t[:-1])} -{t[-1]}"
        else:
            query = f"{t[0]} AND ({' OR '.join(t[1:-1])}) AND NOT {t[-1]}"
        lines.append(f"  - name: issue-{i}\n    query: '{query}'")
    return "\n".join(lines) + "\n"


class NaiveMatcher:
    """One regex per term, searched in every post; every issue evaluated."""

    def __init__(self, watchlist: Watchlist):
        self.issues = watchlist.issues
        self.regex: dict[tuple, re.Pattern] = {}
        for issue in self.issues:
            self._collect(issue.expr)

    def _collect(self, expr: tuple) -> None:
        if expr[0] == "atom":
            kind, value = expr[1]
            if kind == "w":
                pattern = rf"(?<!\S){re.escape(value)}(?!\S)"
            elif kind == "w*":
                pattern = rf"(?<!\S){re.escape(value)}"
            elif kind == "p":
                pattern = rf"(?<!\S){re.escape(' '.join(value))}(?!\S)"
            elif kind == "#":
                pattern = rf"(?<!\S)#{re.escape(value)}(?!\S)"
            elif kind == "#*":
                pattern = rf"(?<!\S)#{re.escape(value)}"
            else:
                pattern = rf"(?<!\S)@{re.escape(value)}(?!\S)"
            self.regex[expr[1]] = re.compile(pattern)
        elif expr[0] == "not":
            self._collect(expr[1])
        else:
            for e in expr[1]:
                self._collect(e)

    def match(self, post: dict) -> list[str]:
        text = " ".join(tokenize(post["text"]))
        text += " " + " ".join("#" + fold(h) for h in post["hashtags"])
        text += " " + " ".join("@" + fold(m) for m in post["mentions"] + [post["handle"] or ""])
        found = {atom for atom, rx in self.regex.items() if rx.search(text)}
        return [i.name for i in self.issues if evaluate(i.expr, found.__contains__)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--terms-per-issue", type=int, default=5)
    parser.add_argument("--naive-posts", type=int, default=60)
    parser.add_argument("--min-seconds", type=float, default=3.0)
    args = parser.parse_args()

    posts = sample_posts()
    text = synthetic_watchlist(posts, args.issues, args.terms_per_issue)
    t0 = time.perf_counter()
    wl = Watchlist.from_yaml(text, "<synthetic>")
    compile_s = time.perf_counter() - t0
    n_terms = sum(1 for i in wl.issues for _ in _atoms(i.expr))
    print(f"watchlist: {len(wl)} issues, {n_terms} terms ({len(wl._atom_ids)} distinct), "
          f"compiled in {compile_s:.2f} s")

    def compiled(post):
        return wl.match(post["text"], post["hashtags"], post["mentions"], post["handle"])

    done, matched, t0 = 0, 0, time.perf_counter()
    while True:
        for post in posts:
            matched += bool(compiled(post))
        done += len(posts)
        elapsed = time.perf_counter() - t0
        if elapsed >= args.min_seconds:
            break
    fast = done / elapsed
    print(f"compiled matcher : {fast:10,.0f} posts/s  ({matched / done:.0%} of posts match an issue)")

    naive = NaiveMatcher(wl)
    subset = random.Random(2).sample(posts, min(args.naive_posts, len(posts)))
    t0 = time.perf_counter()
    naive_results = [naive.match(p) for p in subset]
    slow = len(subset) / (time.perf_counter() - t0)
    print(f"naive regex/term : {slow:10,.0f} posts/s  (on {len(subset)} posts)")
    mismatches = sum(naive_results[k] != compiled(p) for k, p in enumerate(subset))
    print(f"speed-up         : {fast / slow:10,.0f}x   same issues on the subset: "
          f"{'yes' if not mismatches else f'NO ({mismatches} posts differ)'}")
    if mismatches:
        raise SystemExit(1)


def _atoms(expr):
    from transforms.logic.watchlist import atoms_of
    return atoms_of(expr)


if __name__ == "__main__":
    main()
