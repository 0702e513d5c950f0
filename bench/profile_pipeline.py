"""Where a running pipeline spends its CPU: a py-spy flame graph of ``pantau run`` (one worker,
full enrichment) over N sample posts on a fresh local stack, plus a table of the functions
with the largest share of the pipeline thread's samples.

    pip install py-spy
    python bench/profile_pipeline.py --label after [--n 8000]

Writes ``bench/results/flame-<label>.svg`` and ``bench/results/profile-<label>.txt``. Shares are
of the samples taken while the process ran (startup included), so they compare across machines
and loads better than absolute times do.
"""
from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from harness import ALIAS, TOPIC, Stack, make_posts, messages, pipeline_cmd  # noqa: E402

from transforms.io.publish import produce  # noqa: E402

#: the functions whose inclusive share the summary lists (pantau's stages, Beam, the clients)
WATCH = ("BundleProcessor.process_bundle", "DecodePostFn.apply", "ValidatePostFn.apply", "NormalizePostFn.apply",
         "EnrichBatchFn.apply_batch", "EntityExtractor.extract_batch", "LanguageIdentifier.identify_batch",
         "TagPostFn.apply", "near_dup_for_doc", "StageFn._emit", "IndexPostsFn.process", "IndexPostsFn._send",
         "streaming_bulk", "ReadPartitionFn.process", "WriteDeadLettersFn")


def summarize(speedscope: Path) -> str:
    """Inclusive share of each watched function in all samples of the busiest thread."""
    data = json.loads(speedscope.read_text())
    frames = data["shared"]["frames"]
    main = max(data["profiles"], key=lambda p: len(p["samples"]))
    total = sum(main["weights"]) or 1.0
    share: collections.Counter = collections.Counter()
    for stack, weight in zip(main["samples"], main["weights"]):
        for name in {frames[i]["name"] for i in stack}:
            share[name] += weight
    lines = [f"{'share':>6}  function (inclusive, thread with the most samples)"]
    for name in WATCH:
        hits = {n: v for n, v in share.items() if n == name or n.endswith("." + name)}
        if hits:
            lines.append(f"{100 * max(hits.values()) / total:5.1f}%  {name}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", required=True)
    ap.add_argument("--n", type=int, default=8000)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    args = ap.parse_args()
    if not shutil.which("py-spy"):
        sys.exit("py-spy is missing: pip install py-spy")
    out = REPO / "bench" / "results"
    with Stack() as stack:
        produce(stack.bootstrap, TOPIC, messages(make_posts(args.n)))
        cmd = pipeline_cmd(stack, "--stop_when_idle_s=3")  # each run below reads the topic with its own group
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "profile.json"
            for fmt, path in (("speedscope", raw), ("flamegraph", out / f"flame-{args.label}.svg")):
                subprocess.run(["py-spy", "record", "-r", str(args.rate), "--format", fmt, "-o", str(path),
                                "--", *cmd, f"--consumer_group=profile-{fmt}"],
                               check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            summary = summarize(raw)
    text = f"pantau run over {args.n} sample posts ({ALIAS}), py-spy at {args.rate} Hz\n{summary}"
    (out / f"profile-{args.label}.txt").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
