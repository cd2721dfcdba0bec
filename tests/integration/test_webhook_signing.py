"""The correction webhook is always signed, over a timestamp, and a receiver can check both.

A real HTTP receiver on 127.0.0.1 checks each request with signatures.verify, the function
the README gives receivers, and records what it accepted.
"""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from validation.corrections import channels, signatures
from validation.models import Channel, Notification

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec-0f6c2a9e4b7d41c3a8e5"


@dataclass
class Receiver:
    secret: str
    accepted: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    seen_keys: set[str] = field(default_factory=set)
    httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(SECRET)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                signatures.verify(
                    state.secret,
                    body=body,
                    timestamp=self.headers.get(signatures.TIMESTAMP_HEADER),
                    signature_header=self.headers.get(signatures.SIGNATURE_HEADER),
                )
            except signatures.SignatureError as exc:
                state.refused.append(str(exc))
                status = 401
            else:
                key = self.headers["Idempotency-Key"]
                if key not in state.seen_keys:  # a second delivery is acknowledged, not acted on
                    state.seen_keys.add(key)
                    state.accepted.append((dict(self.headers.items()), body))
                status = 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    state.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.httpd.daemon_threads = True
    threading.Thread(target=state.httpd.serve_forever, daemon=True).start()
    yield state
    state.httpd.shutdown()
    state.httpd.server_close()


def _notification() -> Notification:
    return Notification(
        pk=41,
        channel=Channel.WEBHOOK,
        kind="opened.7",
        recipient="enum01",
        subject="Interview #4101 needs corrections",
        body="",
        payload={"event": "correction.opened", "task": 7, "interview": 4101},
    )


def test_a_sent_webhook_verifies_at_the_receiver(receiver: Receiver, settings: Any) -> None:
    settings.MTM_NOTIFY_WEBHOOK_URL = receiver.url
    settings.MTM_NOTIFY_WEBHOOK_SECRET = SECRET
    before = int(time.time())
    channels.send_webhook(_notification())
    assert receiver.refused == []
    [(headers, body)] = receiver.accepted
    stamp = int(headers[signatures.TIMESTAMP_HEADER])
    assert before <= stamp <= int(time.time())
    assert headers[signatures.SIGNATURE_HEADER].startswith("v1=")
    assert headers["Idempotency-Key"] == "mtm-notification-41"
    assert json.loads(body) == {
        "id": "mtm-notification-41",
        "event": "correction.opened",
        "task": 7,
        "interview": 4101,
    }
    # A retry is signed afresh and carries the same key: acknowledged, acted on once.
    channels.send_webhook(_notification())
    assert len(receiver.accepted) == 1
    assert receiver.refused == []


def test_a_receiver_with_another_secret_refuses_it(receiver: Receiver, settings: Any) -> None:
    settings.MTM_NOTIFY_WEBHOOK_URL = receiver.url
    settings.MTM_NOTIFY_WEBHOOK_SECRET = "not-the-receivers-secret"
    with pytest.raises(channels.PermanentChannelError, match="HTTP 401"):
        channels.send_webhook(_notification())
    assert receiver.accepted == []
    assert receiver.refused == ["The signature does not match the body and timestamp."]


def test_without_a_secret_nothing_is_sent_unsigned(receiver: Receiver, settings: Any) -> None:
    settings.MTM_NOTIFY_WEBHOOK_URL = receiver.url
    settings.MTM_NOTIFY_WEBHOOK_SECRET = ""
    with pytest.raises(channels.PermanentChannelError, match="no secret"):
        channels.send_webhook(_notification())
    assert receiver.accepted == receiver.refused == []


BODY = b'{"event":"correction.opened","id":"mtm-notification-41"}'
T0 = 1_760_000_000


def _headers(body: bytes = BODY, at: int = T0, secret: str = SECRET) -> dict[str, str]:
    return signatures.signed_headers(secret, body, now=at)


def test_the_signature_covers_the_timestamp_and_the_body() -> None:
    headers = _headers()
    assert headers == {
        "X-MTM-Timestamp": str(T0),
        "X-MTM-Signature": "v1="
        + hmac.new(SECRET.encode(), f"{T0}.".encode() + BODY, hashlib.sha256).hexdigest(),
    }
    assert (
        signatures.verify(
            SECRET,
            body=BODY,
            timestamp=headers["X-MTM-Timestamp"],
            signature_header=headers["X-MTM-Signature"],
            now=T0 + 299,
        )
        == T0
    )


@pytest.mark.parametrize(
    ("_case", "body", "timestamp", "signature", "now", "message"),
    [
        ("replayed later", BODY, str(T0), None, T0 + 301, "at most 300 s"),
        ("from the future", BODY, str(T0), None, T0 - 301, "at most 300 s"),
        ("body changed", BODY.replace(b"opened", b"closed"), str(T0), None, T0, "does not match"),
        ("timestamp moved", BODY, str(T0 + 60), None, T0, "does not match"),
        ("no timestamp", BODY, None, None, T0, "both required"),
        ("no signature", BODY, str(T0), "", T0, "both required"),
        ("timestamp not a number", BODY, "yesterday", None, T0, "whole number"),
        ("other scheme", BODY, str(T0), "sha256=abc", T0, "does not match"),
    ],
)
def test_verify_refuses_a_forged_or_replayed_request(
    _case: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: int,
    message: str,
) -> None:
    offered = _headers()["X-MTM-Signature"] if signature is None else signature
    with pytest.raises(signatures.SignatureError, match=message):
        signatures.verify(SECRET, body=body, timestamp=timestamp, signature_header=offered, now=now)


def test_verify_accepts_any_of_several_signatures_while_a_secret_is_rotated() -> None:
    old = _headers(secret="old-secret")["X-MTM-Signature"]
    new = _headers()["X-MTM-Signature"]
    signatures.verify(
        SECRET, body=BODY, timestamp=str(T0), signature_header=f"{old}, {new}", now=T0
    )


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MTM_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "mtm.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("secret", ["", "   "])
def test_a_webhook_url_without_a_secret_is_refused_at_start(secret: str) -> None:
    result = _load_settings(
        MTM_NOTIFY_WEBHOOK_URL="https://hooks.example.org/mtm", MTM_NOTIFY_WEBHOOK_SECRET=secret
    )
    assert result.returncode != 0
    assert "MTM_NOTIFY_WEBHOOK_SECRET must be set when MTM_NOTIFY_WEBHOOK_URL is" in result.stderr


def test_a_webhook_url_with_a_secret_loads() -> None:
    result = _load_settings(
        MTM_NOTIFY_WEBHOOK_URL="https://hooks.example.org/mtm", MTM_NOTIFY_WEBHOOK_SECRET=SECRET
    )
    assert result.returncode == 0, result.stderr
