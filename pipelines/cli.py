"""The ``pantau`` command: one entry point for the demo, the pipeline, the local stack and NLP."""
from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence

# command -> (module, function, summary); modules are imported only when their command runs
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("devtools.demo", "main", "start the local stack, load the sample, run the pipeline, show results"),
    "run": ("pipelines.ingest", "main", "run the ingest pipeline (Beam options pass through: --runner ...)"),
    "monitor": ("pipelines.monitor", "monitor_main", "spike, crisis and coordination alerts over Elasticsearch"),
    "produce": ("devtools.demo", "produce_main", "publish the bundled sample posts (or a JSONL file) to Kafka"),
    "up": ("devtools.localstack", "up_main", "start the embedded local Kafka + Elasticsearch stack"),
    "down": ("devtools.localstack", "down_main", "stop the local stack (data is kept)"),
    "status": ("devtools.localstack", "status_main", "show what the local stack runs and where"),
    "train": ("transforms.nlp.training.train", "main", "train the NLP models from the data folder"),
    "enrich": ("transforms.nlp.commands", "enrich_main", "enrich a JSONL file of posts (batch)"),
    "evaluate": ("pipelines.review", "evaluate_main",
                 "score the NLP models on a labelled file (--reviews: on analysts' corrections)"),
    "review": ("pipelines.review", "main", "a page where analysts correct sentiment and language"),
    "export-posts": ("pipelines.export", "main", "write indexed posts as JSONL (stream text for pantau train --unlabelled)"),
    "retag": ("pipelines.retag", "main", "re-tag indexed posts with the current watchlist (history for new issues)"),
    "report": ("pipelines.report", "main", "write a self-contained HTML brief on one issue for leaders"),
    "kibana-export": ("pipelines.kibana", "export_main", "regenerate deploy/kibana/pantau.ndjson (--check)"),
    "kibana-import": ("pipelines.kibana", "import_main", "import the dashboards into Kibana (--kibana_url)"),
    "config": ("pipelines.config", "main", "check a config file and print a command's effective settings"),
}


def usage() -> str:
    """The help text listing every command."""
    lines = ["usage: pantau COMMAND [options]   (pantau COMMAND --help for a command's options)",
             "       pantau --version", "",
             "commands:"]
    lines += [f"  {name:<10} {summary}" for name, (_, _, summary) in COMMANDS.items()]
    return "\n".join(lines)


def resolve(command: str) -> Callable[[Sequence[str]], int | None]:
    """The main function of a command."""
    module, func, _ = COMMANDS[command]
    return getattr(importlib.import_module(module), func)


def version() -> str:
    """The installed pantau version (``unknown`` when run from a checkout that was never installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("pantau")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pantau`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if argv[0] in ("-V", "--version", "version"):
        print(f"pantau {version()}")
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"pantau: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
        return 2
    configure_logging(os.environ.get("PANTAU_WORKER"))  # set by the supervisor of `pantau run --workers`
    return int(resolve(command)(rest) or 0)


#: Messages of imported libraries that tell a pantau user nothing (logged to the root logger at
#: import time: Beam's BigQuery client module warns that the Google API client is not installed).
IMPORT_NOISE = ("apitools not found",)


class DropImportNoise(logging.Filter):
    """Drop the root-logger records listed in ``IMPORT_NOISE``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(record.getMessage().startswith(prefix) for prefix in IMPORT_NOISE)


def configure_logging(worker: str | None = None) -> None:
    """Log format of every command (with the worker number under a supervisor) and quieter libraries."""
    tag = f" [worker {worker}]" if worker else ""
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s %(levelname)s{tag} %(name)s: %(message)s")
    root = logging.getLogger()
    if not any(isinstance(f, DropImportNoise) for f in root.filters):
        root.addFilter(DropImportNoise())
    # mail.log: aiosmtpd (the demo's local mail server) logs every SMTP command at INFO
    for noisy in ("kafka", "elastic_transport", "apache_beam", "urllib3", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # kafka-python 3 warns whenever its network thread waits >0.1 s for the GIL (busy CPU)
    logging.getLogger("kafka.net.selector").setLevel(logging.ERROR)


if __name__ == "__main__":
    sys.exit(main())
