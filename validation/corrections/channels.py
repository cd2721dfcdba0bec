"""Delivery channels of correction messages: e-mail (Django mail), Telegram Bot API, JSON webhook.

A channel sends one stored Notification and either returns or raises: TransientChannelError
(network, 429, 5xx: retried with backoff) or PermanentChannelError (bad token, unknown chat:
retrying cannot help). Every send carries the notification's idempotency key where the channel
has a place for it, so a receiver can drop the rare second delivery (see notifications.py).
"""

import json
import smtplib
from collections.abc import Callable

import requests
from django.conf import settings
from django.core.mail import EmailMessage

from mtm.errors import DomainError
from validation.corrections import signatures
from validation.models import Channel, Notification


class ChannelError(DomainError):
    code = "channel_error"


class TransientChannelError(ChannelError):
    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentChannelError(ChannelError):
    pass


def _timeout() -> tuple[float, float]:
    return (settings.MTM_NOTIFY_TIMEOUT_S, settings.MTM_NOTIFY_TIMEOUT_S)


def _post(url: str, *, body: bytes, headers: dict[str, str], what: str) -> requests.Response:
    try:
        response = requests.post(url, data=body, headers=headers, timeout=_timeout())
    except requests.RequestException as exc:
        raise TransientChannelError(f"{what}: {type(exc).__name__}") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientChannelError(
            f"{what}: HTTP {response.status_code}", retry_after=_retry_after(response)
        )
    if response.status_code >= 400:
        raise PermanentChannelError(f"{what}: HTTP {response.status_code} {_detail(response)}")
    return response


def _retry_after(response: requests.Response) -> float | None:
    header = response.headers.get("Retry-After", "")
    if header.isdigit():
        return float(header)
    try:  # Telegram puts it in the body: {"parameters": {"retry_after": 5}}
        return float(response.json()["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return None


def _detail(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return (
        str(data.get("description") or data.get("detail") or "")[:200]
        if isinstance(data, dict)
        else ""
    )


def send_email(notification: Notification) -> None:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.recipient],
        # A fixed Message-ID lets mail systems fold a re-sent copy into the first one.
        headers={"Message-ID": f"<{notification.idempotency_key}@mtm-qc>"},
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentChannelError(f"e-mail refused for the recipient: {exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientChannelError(f"e-mail: {type(exc).__name__}") from None


def send_telegram(notification: Notification) -> None:
    token = settings.MTM_TELEGRAM_BOT_TOKEN
    if not token:
        raise PermanentChannelError("Telegram is not configured (MTM_TELEGRAM_BOT_TOKEN).")
    url = f"{settings.MTM_TELEGRAM_API_URL.rstrip('/')}/bot{token}/sendMessage"
    body = {
        "chat_id": notification.recipient,
        "text": notification.body,
        "disable_web_page_preview": True,
    }
    response = _post(
        url,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        what="Telegram",
    )
    try:
        ok = response.json().get("ok") is True
    except (ValueError, AttributeError):
        ok = False
    if not ok:
        raise PermanentChannelError(f"Telegram: not ok {_detail(response)}")


def send_webhook(notification: Notification) -> None:
    url = settings.MTM_NOTIFY_WEBHOOK_URL
    if not url:
        raise PermanentChannelError("The webhook is not configured (MTM_NOTIFY_WEBHOOK_URL).")
    body = json.dumps(
        {"id": notification.idempotency_key, **notification.payload}, sort_keys=True
    ).encode()
    secret = settings.MTM_NOTIFY_WEBHOOK_SECRET
    if not secret:  # settings refuse a URL without one; this guards an override
        raise PermanentChannelError("The webhook has no secret (MTM_NOTIFY_WEBHOOK_SECRET).")
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": notification.idempotency_key,
        # Signed per send: a retry carries a fresh timestamp, the same Idempotency-Key.
        **signatures.signed_headers(secret, body),
    }
    _post(url, body=body, headers=headers, what="webhook")


SENDERS: dict[str, Callable[[Notification], None]] = {
    Channel.EMAIL: send_email,
    Channel.TELEGRAM: send_telegram,
    Channel.WEBHOOK: send_webhook,
}


def enabled_channels() -> list[str]:
    """E-mail always (when the person has an address); HTTP channels once configured."""
    channels: list[str] = [Channel.EMAIL]
    if settings.MTM_TELEGRAM_BOT_TOKEN:
        channels.append(Channel.TELEGRAM)
    if settings.MTM_NOTIFY_WEBHOOK_URL:
        channels.append(Channel.WEBHOOK)
    return channels


def send(notification: Notification) -> None:
    SENDERS[notification.channel](notification)
