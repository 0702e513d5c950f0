"""``pantau kibana-export`` / ``kibana-import``: the Kibana objects of ``transforms.analyst.kibana``."""
from __future__ import annotations

import json
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from transforms.analyst.kibana import (
    NDJSON_PATH,
    import_url,
    kibana_auth_header,
    multipart,
    ndjson,
    saved_objects,
)
from transforms.core.settings import SettingsParser


def export_main(argv: Sequence[str] | None = None) -> int:
    """``pantau kibana-export``: (re)write the NDJSON file, or check that it is current."""
    parser = SettingsParser(prog="pantau kibana-export", description=export_main.__doc__)
    parser.add_argument("--out", default=str(NDJSON_PATH), help="NDJSON file (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    args = parser.parse_args(list(argv or []))
    content, out = ndjson(), Path(args.out)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current != content:
            print(f"{out} is out of date: run `pantau kibana-export`", file=sys.stderr)
            return 1
        print(f"{out} is up to date ({len(saved_objects())} saved objects)")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(content, encoding="utf-8")
    print(f"wrote {len(saved_objects())} saved objects to {out}")
    return 0



def import_main(argv: Sequence[str] | None = None) -> int:
    """``pantau kibana-import``: import the saved objects into Kibana (overwriting ours)."""
    parser = SettingsParser(prog="pantau kibana-import", description=import_main.__doc__)
    parser.add_argument("--kibana_url", required=True, help="e.g. https://kibana.example:5601")
    parser.add_argument("--space", default=None, help="Kibana space id (default: the default space)")
    parser.add_argument("--file", default=None,
                        help="NDJSON to import (default: generated from pipelines/kibana.py)")
    parser.add_argument("--kibana_ca_file", default=None, help="CA bundle for Kibana's TLS certificate")
    parser.add_argument("--timeout_s", type=float, default=60.0)
    args = parser.parse_args(list(argv or []))
    content = Path(args.file).read_bytes() if args.file else ndjson().encode("utf-8")
    body, content_type = multipart("pantau.ndjson", content)
    headers = {"kbn-xsrf": "pantau", "Content-Type": content_type, "Accept": "application/json"}
    auth = kibana_auth_header()
    if auth:
        headers["Authorization"] = auth
    url = import_url(args.kibana_url, args.space)
    context = ssl.create_default_context(cafile=args.kibana_ca_file) if url.startswith("https") else None
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=args.timeout_s, context=context) as response:
            result = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        print(f"kibana-import: {url} answered {e.code}: {e.read().decode('utf-8', 'replace')[:2000]}",
              file=sys.stderr)
        return 1
    except urllib.error.URLError as e:
        print(f"kibana-import: cannot reach {url}: {e.reason}", file=sys.stderr)
        return 1
    for error in result.get("errors") or []:
        print(f"kibana-import: {error.get('type')} {error.get('id')}: {json.dumps(error.get('error'))}",
              file=sys.stderr)
    print(f"kibana-import: {result.get('successCount', 0)} saved objects imported into "
          f"{args.space or 'default'} space of {args.kibana_url}"
          + ("" if result.get("success") else " (with errors)"))
    return 0 if result.get("success") else 1
