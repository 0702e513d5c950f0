"""``pantau export-posts``: writes indexed posts as JSONL for the sentiment teacher
(``transforms.analyst.export``)."""
from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipelines.options import add_es_connection, es_auth
from transforms.analyst.brief import parse_duration, parse_time
from transforms.analyst.export import export_posts
from transforms.core.settings import SettingsParser
from transforms.io.es_sink import EsConfig


def main(argv: Sequence[str] | None = None) -> int:
    """``pantau export-posts``: the stream's own text, for ``pantau train --unlabelled``."""
    parser = SettingsParser(
        prog="pantau export-posts", description="write the posts indexed in a period as JSONL (text and "
        "language; reposts and empty posts left out): the unlabelled stream text that `pantau train "
        "--only teacher,sentiment --unlabelled FILE` teaches the sentiment model with")
    parser.add_argument("--out", required=True, help="JSONL file to write")
    parser.add_argument("--since", type=parse_duration, default="30d",
                        help="period length before --until: 90m, 24h, 7d, 2w (default: 30d)")
    parser.add_argument("--until", type=parse_time, default=None,
                        help="end of the period, ISO-8601 (naive = WIB) or epoch ms (default: now)")
    parser.add_argument("--languages", default="",
                        help="comma list of language codes to keep, e.g. id,jv,su,ms (default: every language)")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many posts")
    add_es_connection(parser)
    parser.add_argument("--es_alias", default="pantau-posts", help="posts index or alias")
    parser.add_argument("--batch_size", type=int, default=1000, help="posts per page")
    args = parser.parse_args(list(argv or []))
    end = args.until if args.until is not None else int(time.time() * 1000) + 60_000
    languages = [c.strip() for c in args.languages.split(",") if c.strip()]
    client = EsConfig(url=args.es_url, alias=args.es_alias, auth=es_auth(args)).client()
    out = Path(args.out)
    try:
        with out.open("w", encoding="utf-8") as fh:
            report = export_posts(client, args.es_alias, end - args.since, end, fh, languages=languages,
                                  limit=args.limit, batch_size=args.batch_size,
                                  progress=lambda r: print(r.line(), file=sys.stderr, flush=True))
    except OSError as e:
        print(f"pantau export-posts: cannot write {out}: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # connection refused, auth, ...: a clear message, not a traceback
        print(f"pantau export-posts: cannot read {args.es_alias} at {args.es_url}: {e}", file=sys.stderr)
        return 1
    finally:
        client.close()
    print(f"done: {report.line()} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
