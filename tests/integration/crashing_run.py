"""``pantau run`` with a planted fault, for the crash-loop tests (never imported by pantau).

A post whose text holds :data:`CRASH_MARKER` kills the whole process with SIGKILL the moment the
normalize stage meets it: no handler, teardown or bundle finalizer runs, as with a segfault in
a native library or the kernel's OOM killer. Usage: ``python -m tests.integration.crashing_run
<pantau run options>``.
"""
import os
import signal
import sys

import transforms.stages.normalize as normalize

CRASH_MARKER = "PANTAU-TEST-KILLS-THE-PROCESS"
_clean_text = normalize.clean_text


def _deadly_clean_text(text: str) -> str:
    if CRASH_MARKER in text:
        os.kill(os.getpid(), signal.SIGKILL)
    return _clean_text(text)


if __name__ == "__main__":
    normalize.clean_text = _deadly_clean_text
    from pipelines.cli import main
    sys.exit(main(["run", *sys.argv[1:]]))
