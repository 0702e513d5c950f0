"""A loopback TCP proxy that a test can cut and restore, to simulate a server outage.

It works in front of any server (the local stack or a real cluster named by ES_URL): while
cut, open connections are dropped and new ones are closed at once.
"""
from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlparse, urlunparse


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target host:port until cut."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._closed = False
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @classmethod
    def for_url(cls, url: str) -> tuple[TcpProxy, str]:
        """A proxy in front of an http(s) URL and the URL that goes through it."""
        parsed = urlparse(url)
        proxy = cls(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
        return proxy, urlunparse(parsed._replace(netloc=f"127.0.0.1:{proxy.port}"))

    def cut(self) -> None:
        """Drops every open connection and refuses new ones."""
        self._up.clear()
        with self._lock:
            for conn in list(self._conns):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._conns.clear()

    def restore(self) -> None:
        self._up.set()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._server.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            pipe_both_ways(a, b, self._up.is_set)
        finally:
            with self._lock:
                self._conns.discard(a)
                self._conns.discard(b)


def pipe_both_ways(a: socket.socket, b: socket.socket, running: Callable[[], bool]) -> None:
    """Copies bytes both ways until either side closes or ``running()`` turns false, then closes
    both. TLS-aware: bytes an ``SSLSocket`` already decrypted (``pending()``) are read first."""
    try:
        while running():
            ready = [s for s in (a, b) if isinstance(s, ssl.SSLSocket) and s.pending()]
            if not ready:
                ready, _, _ = select.select([a, b], [], [], 0.2)
            for src in ready:
                data = src.recv(65536)
                if not data:
                    return
                (b if src is a else a).sendall(data)
    except OSError:  # includes ssl.SSLError
        return
    finally:
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.close()


@contextlib.contextmanager
def proxied(url: str) -> Iterator[tuple[TcpProxy, str]]:
    proxy, through = TcpProxy.for_url(url)
    try:
        yield proxy, through
    finally:
        proxy.close()
