"""FakeKoboServer: the fake kpi over real HTTP on loopback, with fault injection and stats."""

import json
import socket
import struct
import threading
import time
import traceback
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from demo.kobo_fake.access import body_keys
from demo.kobo_fake.contract import Call, violations
from demo.kobo_fake.faults import (
    NGINX_PAGE,
    REASONS,
    SERVER_ERROR_PAGE,
    Fault,
    FaultInjector,
)
from demo.kobo_fake.routes import dispatch, resolve
from demo.kobo_fake.shapes import Request, Response, json_response
from demo.kobo_fake.store import FakeKoboStore, encode


class RequestStats:
    """What the fake was sent, per path and per contract call.

    Every distinct (method, path template, parameter names, JSON body keys) is kept: what
    contract.violations() checks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.paths: Counter[str] = Counter()
        self._calls: Counter[Call] = Counter()

    def record(self, method: str, path: str, call: Call | None = None) -> None:
        with self._lock:
            self.paths[f"{method} {path}"] += 1
            if call is not None:
                self._calls[call] += 1

    def calls(self) -> set[Call]:
        with self._lock:
            return set(self._calls)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            calls = [
                {**call.as_dict(), "count": count}
                for call, count in sorted(
                    self._calls.items(), key=lambda item: (item[0].template, item[0].method)
                )
            ]
            return {"requests": sum(self.paths.values()), "paths": dict(self.paths), "calls": calls}

    def reset(self) -> None:
        with self._lock:
            self.paths.clear()
            self._calls.clear()


def _call(request: Request) -> Call:
    found = resolve(request)
    template = found[2] if found is not None else request.path
    keys: frozenset[str] = frozenset()
    if request.body:
        try:
            keys = body_keys(json.loads(request.body))
        except ValueError:
            keys = frozenset({"<not JSON>"})
    return Call(request.method, template, frozenset(request.params), keys)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: "FakeKoboServer"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a client Session reuses its connection
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or fake.url.removeprefix("http://")
        request = Request(
            method=self.command,
            path=parts.path,
            query_string=parts.query,
            params=parse_qs(parts.query, keep_blank_values=True),
            body=body,
            authorization=self.headers.get("Authorization"),
            base_url=f"http://{host}",
            accept=self.headers.get("Accept"),
            content_type=self.headers.get("Content-Type"),
        )
        if parts.path.startswith("/__") and not parts.path.startswith("/__enketo__/"):
            self._send(fake.control(request))
            return
        fake.stats.record(request.method, request.path, _call(request))
        fault = fake.faults.take(self.path)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        elif fault is not None and fault.kind in REASONS:
            self._send(_fault_response(fault))
            return
        try:
            response = dispatch(fake.store, request)
        except Exception as exc:  # noqa: BLE001 - a fake-server bug must answer 500, not hang up
            traceback.print_exc()
            response = json_response(500, {"detail": f"fake KoBo bug: {type(exc).__name__}"})
        if fault is not None and fault.kind == "truncated":
            # A complete HTTP message whose JSON stops half way.
            response.body = response.body[: max(1, len(response.body) // 2)]
        elif fault is not None and fault.kind == "reset":
            self._send(response, abort_after=max(1, len(response.body) // 2))
            return
        self._send(response)

    def _send(self, response: Response, *, abort_after: int | None = None) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if abort_after is None:
                if self.command != "HEAD":
                    self.wfile.write(response.body)
                return
            self.wfile.write(response.body[:abort_after])
            self.wfile.flush()
            # SO_LINGER 0 makes close() send a RST: the peer sees "connection reset" mid-body.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        except OSError:
            self.close_connection = True  # the client gave up (e.g. its read timeout fired)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            return


def _fault_response(fault: Fault) -> Response:
    reason = REASONS[fault.kind]
    headers: dict[str, str] = {}
    if fault.retry_after and fault.kind in ("429", "503"):
        headers["Retry-After"] = str(fault.retry_after)
    if fault.kind == "429":
        # DRF's Throttled shape (kobo-api.md §1).
        message = f"Request was throttled. Expected available in {fault.retry_after} seconds."
        return json_response(429, {"detail": message}, headers)
    page = SERVER_ERROR_PAGE if fault.kind == "500" else NGINX_PAGE
    body = page.format(status=fault.kind, reason=reason).encode()
    return Response(int(fault.kind), body, content_type="text/html", headers=headers)


class FakeKoboServer:
    """Serve a FakeKoboStore over HTTP: `with FakeKoboServer(store) as server: server.url`."""

    def __init__(self, store: FakeKoboStore, host: str = "127.0.0.1", port: int = 0) -> None:
        self.store = store
        self.faults = FaultInjector()
        self.stats = RequestStats()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-kobo",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the management command), until interrupted."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def contract_violations(self) -> list[str]:
        """List what this server was sent that the KPI contract does not list.

        What this server was sent that the KPI contract (contract.py) does not list, giventhe
        store's release features; empty when the client kept to the contract.
        """
        features = {
            "accepts_root_uuid": self.store.accepts_root_uuid,
            "rejects_foreign_bulk_ids": self.store.rejects_foreign_bulk_ids,
        }
        return violations(self.stats.calls(), features)

    def control(self, request: Request) -> Response:
        """`/__faults__/` (POST adds, GET lists pending, DELETE clears) and `/__stats__/`."""
        if request.path == "/__stats__/":
            if request.method == "DELETE":
                self.stats.reset()
            return json_response(
                200,
                {
                    **self.stats.snapshot(),
                    "faults_injected": self.faults.injected,
                    "contract_violations": self.contract_violations(),
                },
            )
        if request.path != "/__faults__/":
            return json_response(404, {"detail": "Not found."})
        if request.method == "DELETE":
            self.faults.clear()
        elif request.method == "POST":
            try:
                spec = json.loads(request.body or b"{}")
                self.faults.add(
                    str(spec["kind"]),
                    path_contains=str(spec.get("path_contains", "")),
                    times=int(spec.get("times", 1)),
                    retry_after=int(spec.get("retry_after", 1)),
                    seconds=float(spec.get("seconds", 2.0)),
                )
            except (ValueError, KeyError, TypeError) as exc:
                return Response(400, encode({"detail": str(exc)}))
            return json_response(201, {"pending": self.faults.pending()})
        return json_response(200, {"pending": self.faults.pending()})
