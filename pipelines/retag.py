"""``pantau retag``: re-tags indexed posts of a time range with the current watchlist
(``transforms.analyst.retag``)."""
from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.options import PantauOptions, add_es_connection, es_auth
from transforms.analyst.brief import parse_duration, parse_time
from transforms.analyst.retag import retag
from transforms.core.settings import SettingsParser
from transforms.io.es_sink import EsConfig
from transforms.logic.watchlist import WatchlistError, load_watchlist


def main(argv: Sequence[str] | None = None) -> int:
    """``pantau retag``: give past posts the issues of the current watchlist."""
    parser = SettingsParser(
        prog="pantau retag", description="re-tag posts already in Elasticsearch with the current "
        "watchlist (history for a new or edited issue); idempotent, safe while the pipeline writes")
    parser.add_argument("--since", type=parse_duration, default="30d",
                        help="period length before --until: 90m, 24h, 7d, 2w (default: 30d)")
    parser.add_argument("--until", type=parse_time, default=None,
                        help="end of the period, ISO-8601 (naive = WIB) or epoch ms (default: now)")
    parser.add_argument("--watchlist", default=PipelineOptions([]).view_as(PantauOptions).watchlist,
                        help="YAML file of watchlist issues (default: the pipeline's)")
    add_es_connection(parser)
    parser.add_argument("--es_alias", default="pantau-posts", help="posts index or alias")
    parser.add_argument("--batch_size", type=int, default=500, help="posts per page and bulk request")
    parser.add_argument("--dry_run", action="store_true", help="count what would change, write nothing")
    args = parser.parse_args(list(argv or []))
    try:
        watchlist = load_watchlist(args.watchlist)
    except (OSError, WatchlistError) as e:
        print(f"pantau retag: {e}", file=sys.stderr)
        return 2
    end = args.until if args.until is not None else int(time.time() * 1000) + 60_000
    client = EsConfig(url=args.es_url, alias=args.es_alias, auth=es_auth(args)).client()
    try:
        report = retag(client, args.es_alias, watchlist, end - args.since, end,
                       batch_size=args.batch_size, dry_run=args.dry_run,
                       progress=lambda r: print(r.line(), flush=True))
    except Exception as e:  # connection refused, auth, ...: a clear message, not a traceback
        print(f"pantau retag: cannot re-tag {args.es_alias} at {args.es_url}: {e}", file=sys.stderr)
        return 1
    finally:
        client.close()
    print(("dry run, nothing written: " if args.dry_run else "done: ") + report.line())
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
