"""``pantau report``: the leader brief on one issue as one HTML file (``transforms.analyst.brief``)."""
from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipelines.options import add_es_connection
from transforms.analyst.brief import Brief, fmt_time, parse_duration, parse_time, render
from transforms.core.settings import SettingsParser
from transforms.io.clients import es_client


def main(argv: Sequence[str] | None = None) -> int:
    """``pantau report``: write the HTML brief for one issue."""
    parser = SettingsParser(prog="pantau report", description=main.__doc__)
    parser.add_argument("--issue", required=True, help="watchlist issue name (as in the issues field)")
    parser.add_argument("--since", type=parse_duration, default="24h",
                        help="period length before --until: 90m, 24h, 7d, 2w (default: 24h)")
    parser.add_argument("--until", type=parse_time, default=None,
                        help="end of the period, ISO-8601 (naive = WIB) or epoch ms (default: now)")
    add_es_connection(parser)
    parser.add_argument("--es_alias", "--alias", default="pantau-posts", help="posts index or alias")
    parser.add_argument("--alerts_index", default="pantau-alerts")
    parser.add_argument("--coordination_index", default="pantau-coordination")
    parser.add_argument("--out", default="brief.html")
    parser.add_argument("--lang", choices=("id", "en"), default="id")
    args = parser.parse_args(list(argv or []))
    end = args.until if args.until is not None else int(time.time() * 1000)
    start = end - args.since
    client = es_client(args.es_url, (("ca_certs", args.es_ca_file),) if args.es_ca_file else ())
    try:
        data = Brief(client, args.issue, start, end, args.es_alias, args.alerts_index,
                     args.coordination_index).collect()
    except Exception as e:  # connection refused, auth, ...: a clear message, not a traceback
        print(f"pantau report: cannot read {args.es_url}: {e}", file=sys.stderr)
        return 1
    finally:
        client.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data, args.lang), encoding="utf-8")
    print(f"wrote {out} ({data['now']['posts']} posts about {args.issue!r}, "
          f"{fmt_time(start, args.lang)} – {fmt_time(end, args.lang)} WIB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
