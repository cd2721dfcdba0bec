"""Webhook signatures: how we sign a webhook and how a receiver checks it (plain Python).

The signature is HMAC-SHA256, keyed by MTM_NOTIFY_WEBHOOK_SECRET, of the timestamp, a dot and
the raw body: ``X-MTM-Signature: v1=<hex>`` with ``X-MTM-Timestamp: <unix seconds>``. Covering
the timestamp lets a receiver refuse an old request replayed word for word; the
Idempotency-Key header (the body's "id") lets it drop a second delivery within the window.
This module imports nothing from Django, so a receiver written in Python may copy it whole.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-MTM-Signature"
TIMESTAMP_HEADER = "X-MTM-Timestamp"
SCHEME = "v1"
# A receiver refuses a request signed longer ago (or further ahead, a skewed clock) than this.
TOLERANCE_S = 300


class SignatureError(ValueError):
    """The request is not a webhook we signed within the tolerance; the message says why."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of f"{timestamp}." + body under the secret."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers of one send of this body."""
    timestamp = int(time.time() if now is None else now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SCHEME}={signature(secret, timestamp, body)}",
    }


def verify(
    secret: str,
    *,
    body: bytes,
    timestamp: str | None,
    signature_header: str | None,
    now: float | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> int:
    """Check a received webhook; return its timestamp or raise SignatureError.

    `body` must be the raw bytes received (not re-serialised JSON). Several comma-separated
    ``v1=`` values are accepted, so a sender may sign with an old and a new secret while it
    is rotated.
    """
    if not secret:
        raise SignatureError("No secret to check the signature with.")
    if not timestamp or not signature_header:
        raise SignatureError(f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are both required.")
    try:
        sent_at = int(timestamp.strip())
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} is not a whole number of seconds.") from None
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        raise SignatureError(
            f"The signature is {int(current - sent_at)} s old; at most {tolerance_s} s is allowed."
        )
    expected = signature(secret, sent_at, body)
    offered = [
        value.strip()[len(SCHEME) + 1 :]
        for value in signature_header.split(",")
        if value.strip().startswith(f"{SCHEME}=")
    ]
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise SignatureError("The signature does not match the body and timestamp.")
    return sent_at
