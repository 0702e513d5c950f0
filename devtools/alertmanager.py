"""A local Alertmanager (Debian package ``prometheus-alertmanager``) for the local stack and tests.

:func:`local_config` derives a configuration from ``deploy/alertmanager/alertmanager.yml`` (same
route and templates) with the receivers pointed at local endpoints and short timings;
:func:`write_config` writes it with the template next to it; :class:`AlertmanagerProcess` runs
one on a loopback port with clustering off; :class:`Mailbox` (for an aiosmtpd SMTP server) and
:class:`Receiver` (webhooks and a stand-in for the Telegram Bot API) receive what it sends.
"""
from __future__ import annotations

import copy
import email
import email.message
import email.policy
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy" / "alertmanager"
ENV_BIN = "PANTAU_ALERTMANAGER_BIN"
RECEIVER = "tim-komunikasi"


def resolve_alertmanager_bin() -> str | None:
    """The Alertmanager binary ($PANTAU_ALERTMANAGER_BIN, Debian's name, upstream's), or None."""
    for candidate in (os.environ.get(ENV_BIN), "prometheus-alertmanager", "alertmanager"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def deploy_config() -> dict[str, Any]:
    """``deploy/alertmanager/alertmanager.yml`` as a dict."""
    return yaml.safe_load((DEPLOY_DIR / "alertmanager.yml").read_text(encoding="utf-8"))


def local_config(*, smtp: str | None = None, mail_to: str = "humas@pantau.test",
                 webhook_url: str | None = None, slack_url: str | None = None,
                 telegram_api_url: str | None = None, telegram_chat_id: int = -100123,
                 telegram_token: str = "123456:pantau-local", group_wait: str = "1s",
                 group_interval: str = "2s", repeat_interval: str = "1h") -> dict[str, Any]:
    """The deploy configuration with local receivers (each None one left out) and short timings.
    Without any receiver the alerts are only kept (visible in the UI and ``/api/v2/alerts``)."""
    config = copy.deepcopy(deploy_config())
    glob = config["global"]
    for key in ("smtp_auth_username", "smtp_auth_password_file"):
        glob.pop(key, None)
    if smtp:
        glob.update({"smtp_smarthost": smtp, "smtp_require_tls": False, "smtp_hello": "localhost",
                     "smtp_from": "pantau@pantau.test"})
    route = config["route"]
    route.update(group_wait=group_wait, group_interval=group_interval, repeat_interval=repeat_interval)
    template = next(r for r in deploy_config()["receivers"] if r["name"] == RECEIVER)
    receivers = {r["name"]: {"name": r["name"]} for r in config["receivers"]}  # no example targets
    config["receivers"] = list(receivers.values())
    team, ops = receivers[RECEIVER], receivers["operasional"]
    if telegram_api_url:
        tg = dict(template["telegram_configs"][0], api_url=telegram_api_url, bot_token=telegram_token,
                  chat_id=telegram_chat_id)
        team["telegram_configs"] = [tg]
    if smtp:
        team["email_configs"] = [dict(template["email_configs"][0], to=mail_to)]
        ops["email_configs"] = [dict(template["email_configs"][0], to=mail_to, send_resolved=True)]
    if slack_url:
        team["slack_configs"] = [dict(template["slack_configs"][0], api_url=slack_url)]
    if webhook_url:
        team["webhook_configs"] = [dict(template["webhook_configs"][0], url=webhook_url)]
    return config


def write_config(folder: Path, config: dict[str, Any]) -> Path:
    """Writes ``alertmanager.yml`` (JSON, which is YAML) and the template into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEPLOY_DIR / "pantau.tmpl", folder / "pantau.tmpl")
    path = folder / "alertmanager.yml"
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def command(binary: str, config_file: Path, storage: Path, host: str, port: int) -> list[str]:
    """The Alertmanager command line: one instance, clustering off, data under ``storage``."""
    return [binary, f"--config.file={config_file}", f"--storage.path={storage}",
            f"--web.listen-address={host}:{port}", "--cluster.listen-address=", "--log.level=info"]


def ready(url: str, timeout_s: float = 2.0) -> bool:
    """True when ``url/-/ready`` answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=timeout_s) as r:  # noqa: S310
            return r.status == 200
    except OSError:
        return False


class AlertmanagerProcess:
    """An Alertmanager on ``host:port`` with ``config`` in ``folder`` (for tests and tools)."""

    def __init__(self, folder: Path, config: dict[str, Any], port: int, host: str = "127.0.0.1",
                 wait_s: float = 30.0) -> None:
        binary = resolve_alertmanager_bin()
        if binary is None:
            raise RuntimeError("Alertmanager is not installed: apt-get install prometheus-alertmanager "
                               "(deploy/install.sh does it)")
        self.folder = folder
        self.url = f"http://{host}:{port}"
        self.config_file = write_config(folder, config)
        self.log = folder / "alertmanager.log"
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            command(binary, self.config_file, folder / "data", host, port),
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + wait_s
        while not ready(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Alertmanager did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Mailbox:
    """An aiosmtpd handler keeping every message (with the time it arrived): a local SMTP server
    for the demo and the tests is ``aiosmtpd.controller.Controller(Mailbox(), ...)``."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.messages.append((time.time(), message))
        return "250 OK"


class Receiver(ThreadingHTTPServer):
    """A local webhook receiver on a free loopback port (started in a thread). Records every POST (path, JSON body, time); answers like the Telegram Bot API on
    ``/bot<token>/sendMessage`` and with ``ok`` elsewhere."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw) if raw else None
                server.requests.append((time.time(), self.path, body))
                if self.path.endswith("/sendMessage"):
                    reply = {"ok": True, "result": {
                        "message_id": len(server.requests), "date": int(time.time()),
                        "chat": {"id": int(body.get("chat_id")), "type": "supergroup"},
                        "text": body.get("text")}}
                else:
                    reply = {"ok": True}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def on(self, path: str) -> list[tuple[float, Any]]:
        return [(t, body) for t, p, body in self.requests if p.startswith(path)]
