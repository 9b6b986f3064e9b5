"""Debian's ``pebble`` ACME test server and ``pebble-challtestsrv`` DNS server, run by the tests.

Everything listens on 127.0.0.1 on ports the OS hands out; pebble's own TLS certificate is made here with
``cryptography`` (signed by a throw-away CA the client is told to trust). pebble resolves DNS-01 challenges
through challtestsrv, whose management API (``/set-txt``, ``/clear-txt``) the tests' mirror plugin feeds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from certs_pki import issue

PEBBLE = shutil.which("pebble")
CHALLTESTSRV = shutil.which("pebble-challtestsrv")


def missing_reason() -> str | None:
    """Why the Let's Encrypt tests cannot run here (one line), or None when both programs are on PATH.

    ``nox -s tests`` puts Debian's package on PATH when it can, and otherwise says why in
    ``ZAPPA_TESTS_NO_PEBBLE``."""
    if PEBBLE and CHALLTESTSRV:
        return None
    why = os.environ.get("ZAPPA_TESTS_NO_PEBBLE")
    return why or ("Debian's pebble and pebble-challtestsrv are not on PATH "
                   "(apt-get install pebble, or run nox -s tests, which fetches them)")


def free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (DNS needs both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port")


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.args[0]} did not listen on {port} within {timeout} s:\n{log.read_text()}")


@dataclass
class Pebble:
    directory: str
    ca_bundle: Path
    management: str
    challtestsrv: str
    folder: Path

    def _post(self, path: str, body: dict) -> None:
        req = urllib.request.Request(f"{self.challtestsrv}{path}", data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200, resp.status

    def set_txt(self, name: str, value: str) -> None:
        self._post("/set-txt", {"host": name.rstrip(".") + ".", "value": value})

    def clear_txt(self, name: str) -> None:
        self._post("/clear-txt", {"host": name.rstrip(".") + "."})

    def root_pem(self) -> bytes:
        """The root of the certificates pebble issues (new every run)."""
        context = ssl.create_default_context(cafile=str(self.ca_bundle))
        with urllib.request.urlopen(f"{self.management}/roots/0", context=context, timeout=10) as resp:
            return resp.read()


@contextlib.contextmanager
def run_pebble(folder: Path) -> Iterator[Pebble]:
    folder.mkdir(parents=True, exist_ok=True)
    ca = issue("pebble test TLS CA", ca=True, days=2)
    server = issue("localhost", issuer=ca, domains=["localhost"], ips=["127.0.0.1"], days=2)
    (folder / "tls-ca.pem").write_bytes(ca.cert_pem)
    (folder / "tls-cert.pem").write_bytes(server.cert_pem)
    (folder / "tls-key.pem").write_bytes(server.key_pem)
    acme_port, mgmt_port, dns_port, chall_port = (free_port() for _ in range(4))
    config = {"pebble": {
        "listenAddress": f"127.0.0.1:{acme_port}", "managementListenAddress": f"127.0.0.1:{mgmt_port}",
        "certificate": str(folder / "tls-cert.pem"), "privateKey": str(folder / "tls-key.pem"),
        "httpPort": free_port(), "tlsPort": free_port(), "ocspResponderURL": "", "externalAccountBindingRequired": False,
    }}
    (folder / "pebble.json").write_text(json.dumps(config))
    env = dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0", PEBBLE_AUTHZREUSE="0")
    procs: list[subprocess.Popen] = []
    try:
        chall_log = folder / "challtestsrv.log"
        chall = subprocess.Popen(
            [CHALLTESTSRV, "-management", f"127.0.0.1:{chall_port}", "-dns01", f"127.0.0.1:{dns_port}",
             "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""],
            stdout=chall_log.open("wb"), stderr=subprocess.STDOUT, env=env)
        procs.append(chall)
        wait_for_port(chall_port, chall, chall_log)
        pebble_log = folder / "pebble.log"
        pebble = subprocess.Popen([PEBBLE, "-config", str(folder / "pebble.json"), "-dnsserver", f"127.0.0.1:{dns_port}"],
                                  stdout=pebble_log.open("wb"), stderr=subprocess.STDOUT, env=env)
        procs.append(pebble)
        wait_for_port(acme_port, pebble, pebble_log)
        wait_for_port(mgmt_port, pebble, pebble_log)
        yield Pebble(directory=f"https://127.0.0.1:{acme_port}/dir", ca_bundle=folder / "tls-ca.pem",
                     management=f"https://127.0.0.1:{mgmt_port}", challtestsrv=f"http://127.0.0.1:{chall_port}", folder=folder)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def rate_limited_front(pebble: Pebble) -> Iterator[str]:
    """A tiny local HTTPS stub in front of pebble, for the one case pebble cannot produce (it enforces no
    rate limits): it serves pebble's directory with ``newOrder`` pointing at itself and answers every new
    order with Let's Encrypt's ``429 rateLimited`` problem. Accounts are still made by pebble. Yields the
    stub's directory URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    context = ssl.create_default_context(cafile=str(pebble.ca_bundle))
    with urllib.request.urlopen(pebble.directory, context=context, timeout=10) as resp:
        directory = json.loads(resp.read())

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def _send(self, status: int, body: dict, content_type: str) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "3600")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            base = f"https://127.0.0.1:{self.server.server_address[1]}"
            self._send(200, dict(directory, newOrder=f"{base}/new-order"), "application/json")

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._send(429, {"type": "urn:ietf:params:acme:error:rateLimited", "status": 429,
                             "detail": "too many certificates already issued for exact set of domains: app.example.com"},
                       "application/problem+json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(pebble.folder / "tls-cert.pem", pebble.folder / "tls-key.pem")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/dir"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
