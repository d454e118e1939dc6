#!/usr/bin/env python3
"""A stand-in for the provincial credit platform (信用浙江) for `tools/dev demo`.

Serves the credit lists written by tools/demo/make_demo_data.py over HTTPS:

  GET /api/credit/list?page=N&size=M[&updated_since=YYYY-MM-DD HH:MM:SS]
      Authorization: Bearer <token>          (401 without it or with a wrong one)
      → {"data": {"items": [...], "total": T, "page": N, "size": M}, "code": 0}
      Pages count from 1; a page past the end has no items. updated_since keeps the entries
      whose gxsj is at or after it (what the hub's rest adapter sends as its cursor_param).
  GET /healthz → {"status": "ok"}            (no token; for start-up checks)

Entries are ordered by (gxsj, id). The data file and the token file are re-read when they change,
so regenerating the demo data needs no restart. One log line per request on stderr. SIGTERM or
SIGINT stops it cleanly (exit 0). Python 3 standard library only.

Example (from the repository root):
  python3 tools/demo/credit_service.py --port 18444 \\
      --cert certs/dev/hub.crt --key certs/dev/hub.key \\
      --data var/demo-sources/credit/credit.json --token-file var/demo-sources/credit/token
"""

from __future__ import annotations

import argparse
import datetime as dt
import hmac
import json
import os
import re
import signal
import ssl
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LIST_PATH = "/api/credit/list"
MAX_SIZE = 1000
CURSOR_RE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")


def log(msg: str) -> None:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    sys.stderr.write(f"{now} credit-service {msg}\n")
    sys.stderr.flush()


class Reloading:
    """A file read again when its modification time or size changes."""

    def __init__(self, path: str, parse):
        self.path, self.parse = path, parse
        self.stamp = None
        self.value = None
        self.lock = threading.Lock()

    def get(self):
        st = os.stat(self.path)
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self.lock:
            if stamp != self.stamp:
                with open(self.path, "rb") as f:
                    self.value = self.parse(f.read())
                self.stamp = stamp
            return self.value


def parse_items(raw: bytes) -> list:
    doc = json.loads(raw)
    items = doc["items"] if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ValueError("expected a list of entries (or an object with \"items\")")
    return sorted(items, key=lambda e: (str(e.get("gxsj", "")), str(e.get("id", ""))))


def parse_token(raw: bytes) -> str:
    token = raw.decode().strip()
    if not token:
        raise ValueError("token file is empty")
    return token


class Handler(BaseHTTPRequestHandler):
    server_version = "credit-demo/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds of silence before a connection is dropped (also bounds the TLS handshake)

    def setup(self):
        super().setup()  # applies `timeout` to the socket
        self._note = ""
        self.request.do_handshake()

    # One line per request, from send_json; the base class's own logging is silenced.
    def log_message(self, fmt, *args):
        pass

    def log_error(self, fmt, *args):
        log(f"{self.client_address[0]} error: {fmt % args}")

    def send_json(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        path = urlsplit(self.path).path
        query = urlsplit(self.path).query
        log(f'{self.client_address[0]} "{self.command} {path}{"?" + query if query else ""}" {status} '
            f'{len(data)}B{" " + self._note if self._note else ""}')

    def error(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        self._note = code
        self.send_json(status, {"code": status, "error": {"code": code, "message": message}}, headers)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.error(405, "method_not_allowed", "only GET is served", {"Allow": "GET"})

    do_PUT = do_DELETE = do_PATCH = do_POST

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.send_json(200, {"status": "ok"})
            return
        if url.path != LIST_PATH:
            self.error(404, "not_found", f"no such resource; the list is at {LIST_PATH}")
            return
        try:
            token = self.server.token.get()
        except (OSError, ValueError) as e:
            self.error(503, "token_unavailable", f"the service cannot read its token file: {e}")
            return
        auth = self.headers.get("Authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            self.error(401, "unauthorized", "missing or wrong bearer token",
                       {"WWW-Authenticate": 'Bearer realm="credit"'})
            return
        q = parse_qs(url.query, keep_blank_values=True)

        def one(name: str, default: str | None = None) -> str | None:
            values = q.get(name)
            return values[-1] if values else default

        try:
            page = int(one("page", "1"))
            size = int(one("size", "100"))
        except ValueError:
            self.error(400, "bad_paging", "page and size must be integers")
            return
        if page < 1 or not 1 <= size <= MAX_SIZE:
            self.error(400, "bad_paging", f"page counts from 1; size must be 1..{MAX_SIZE}")
            return
        since = one("updated_since")
        if since is not None and not CURSOR_RE.match(since):
            self.error(400, "bad_updated_since", "updated_since must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")
            return
        try:
            items = self.server.data.get()
        except (OSError, ValueError) as e:
            self.error(503, "data_unavailable", f"the service cannot read its data file: {e}")
            return
        if since is not None:
            items = [e for e in items if str(e.get("gxsj", "")) >= since]
        start = (page - 1) * size
        chunk = items[start:start + size]
        self._note = f"items={len(chunk)} total={len(items)}"
        self.send_json(200, {"code": 0, "data": {"items": chunk, "total": len(items), "page": page, "size": size}})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context: ssl.SSLContext, data: Reloading, token: Reloading):
        self.context, self.data, self.token = context, data, token
        super().__init__(address, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        # The TLS handshake happens in the request's own thread (on first read), so a client that
        # stalls during the handshake holds up nobody else.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        log(f"{client_address[0]} connection error: {type(exc).__name__}: {exc}")


def write_port_file(path: str, port: int) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port-", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="HTTPS stand-in for the provincial credit platform (demo).",
        epilog="Relative default paths are taken from the repository root; paths you give, from the current directory.")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=18444, help="port (default 18444; 0 picks a free one, see --port-file)")
    ap.add_argument("--port-file", help="write the port listened on to this file (useful with --port 0)")
    ap.add_argument("--cert", default=os.path.join(REPO_ROOT, "certs/dev/hub.crt"), help="server certificate (PEM)")
    ap.add_argument("--key", default=os.path.join(REPO_ROOT, "certs/dev/hub.key"), help="its private key (PEM)")
    ap.add_argument("--data", default=os.path.join(REPO_ROOT, "var/demo-sources/credit/credit.json"),
                    help="credit list (JSON: {\"items\": [...]})")
    ap.add_argument("--token-file", default=os.path.join(REPO_ROOT, "var/demo-sources/credit/token"),
                    help="file holding the bearer token clients must send")
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535:
        ap.error("--port must be 0..65535")

    data, token = Reloading(args.data, parse_items), Reloading(args.token_file, parse_token)
    try:
        items = data.get()
        token.get()
    except (OSError, ValueError) as e:
        print(f"credit_service: {e} (run tools/demo/make_demo_data.py first?)", file=sys.stderr)
        return 1
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(args.cert, args.key)
    except (OSError, ssl.SSLError) as e:
        print(f"credit_service: cannot load --cert {args.cert} / --key {args.key}: {e}", file=sys.stderr)
        return 1
    try:
        server = Server((args.host, args.port), context, data, token)
    except OSError as e:
        print(f"credit_service: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)

    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    log(f"listening on https://{args.host}:{port}{LIST_PATH} ({len(items)} entries from {args.data})")
    while not stop.wait(0.25):
        pass
    log("stopping")
    server.shutdown()
    server.server_close()
    thread.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
