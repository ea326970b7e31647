"""Verifying a webhook on the receiving side, with the standard library only.

The memory signs deliveries as the Standard Webhooks specification says (standardwebhooks.com), so
its `standardwebhooks` package verifies them too; this is the same check:

    event = verify_webhook(os.environ["HM_WEBHOOK_SECRET"], request_body, request_headers)

Pass the body exactly as received (bytes or str), before any JSON parsing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Iterable, Mapping, Optional, Union


class WebhookVerificationError(Exception):
    """The delivery is not one the memory signed for this secret, or it is too old or too new."""


def _header(headers: Mapping[str, Any], name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name:
            return " ".join(value) if isinstance(value, (list, tuple)) else str(value)
    return None


def _key(secret: str) -> bytes:
    raw = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise WebhookVerificationError("the secret is not a whsec_ secret")
    return key


def verify_webhook(
    secret: Union[str, Iterable[str]],
    body: Union[bytes, str],
    headers: Mapping[str, Any],
    *,
    tolerance: int = 300,
    now: Optional[float] = None,
) -> dict[str, Any]:
    """The event of a delivery one of the secrets (`whsec_...`; several while you rotate) signed
    within `tolerance` seconds of now: {"id", "type", "timestamp", "data"}. The id is the same on every
    attempt: drop repeats. Raises WebhookVerificationError otherwise."""
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook headers")
    if not timestamp.isdigit():
        raise WebhookVerificationError("invalid webhook-timestamp")
    current = int(now if now is not None else time.time())
    if current - int(timestamp) > tolerance:
        raise WebhookVerificationError("webhook timestamp too old")
    if int(timestamp) - current > tolerance:
        raise WebhookVerificationError("webhook timestamp too new")
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    signed = f"{msg_id}.{timestamp}.{text}".encode("utf-8")
    given = [s[3:] for s in signatures.split(" ") if s.startswith("v1,")]
    for one in [secret] if isinstance(secret, str) else list(secret):
        expected = base64.b64encode(hmac.new(_key(one), signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(expected, s) for s in given):
            event = json.loads(text)
            return {"id": msg_id, "type": event.get("type"), "timestamp": event.get("timestamp"), "data": event.get("data")}
    raise WebhookVerificationError("no matching webhook signature")
