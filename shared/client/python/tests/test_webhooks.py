"""Webhooks from Python: verify_webhook against the Standard Webhooks test vector, forged, tampered
and replayed deliveries; and the client's webhook methods against the running API, with a receiver
started here that verifies the ping it gets (npm test passes HM_API_URL and HM_API_KEY)."""

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hierarchical_memory import MemoryApiError, MemoryClient, WebhookVerificationError, verify_webhook

# The test vector of the Standard Webhooks reference libraries.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIME = 1614265330
VECTOR_BODY = '{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
OTHER = "whsec_" + base64.b64encode(b"another secret, also 32 bytes..").decode()
BODY = json.dumps({"type": "user.erased", "timestamp": "2026-01-01T00:00:00Z", "data": {"userId": "u1", "exchanges": 2}})


def signed(secrets, body=BODY, msg_id="msg_1", at=None):
    timestamp = str(int(at if at is not None else time.time()))
    content = f"{msg_id}.{timestamp}.{body}".encode()
    signature = " ".join(
        "v1," + base64.b64encode(hmac.new(base64.b64decode(s[6:]), content, hashlib.sha256).digest()).decode()
        for s in secrets
    )
    return {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature}


def test_verifies_the_standard_webhooks_test_vector():
    headers = {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TIME), "webhook-signature": VECTOR_SIGNATURE}
    event = verify_webhook(VECTOR_SECRET, VECTOR_BODY.encode(), headers, now=VECTOR_TIME)
    assert event["id"] == VECTOR_ID


def test_answers_the_event_of_a_good_delivery_with_any_header_casing_and_rotation():
    event = verify_webhook(SECRET, BODY, {k.upper(): v for k, v in signed([SECRET]).items()})
    assert event == {"id": "msg_1", "type": "user.erased", "timestamp": "2026-01-01T00:00:00Z", "data": {"userId": "u1", "exchanges": 2}}
    both = signed([OTHER, SECRET])
    assert verify_webhook(SECRET, BODY, both)["id"] == "msg_1"
    assert verify_webhook([OTHER], BODY, both)["id"] == "msg_1"


@pytest.mark.parametrize(
    "secret, body, headers, reason",
    [
        (SECRET, BODY, signed([OTHER]), "no matching"),
        (SECRET, BODY.replace("u1", "u2"), signed([SECRET]), "no matching"),
        (SECRET, BODY, {**signed([SECRET]), "webhook-id": "msg_2"}, "no matching"),
        (SECRET, BODY, {**signed([SECRET]), "webhook-signature": "v1,AAAA"}, "no matching"),
        (SECRET, BODY, signed([SECRET], at=time.time() - 3600), "too old"),
        (SECRET, BODY, signed([SECRET], at=time.time() + 3600), "too new"),
        (SECRET, BODY, {"webhook-id": "msg_1", "webhook-timestamp": "1"}, "missing"),
        (SECRET, BODY, {**signed([SECRET]), "webhook-timestamp": "soon"}, "invalid"),
    ],
)
def test_refuses_forged_tampered_replayed_and_malformed_deliveries(secret, body, headers, reason):
    with pytest.raises(WebhookVerificationError, match=reason):
        verify_webhook(secret, body, headers)


class _Receiver(BaseHTTPRequestHandler):
    got = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).got.append((dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_registers_an_endpoint_and_verifies_the_ping_it_receives(api):
    url, key = api
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    memory = MemoryClient(url, key)

    async def scenario():
        hook = f"http://127.0.0.1:{server.server_address[1]}/hooks/{uuid.uuid4().hex[:6]}"
        created = await memory.create_webhook(hook, ["user.erased"], description="python")
        assert created["secret"].startswith("whsec_") and created["includeText"] is False
        assert created["id"] in [e["id"] for e in await memory.list_webhooks()]
        ping = await memory.ping_webhook(created["id"])
        assert ping["status"] == "delivered" and ping["eventType"] == "webhook.ping"
        headers, body = _Receiver.got[-1]
        event = verify_webhook(created["secret"], body, headers)
        assert event["type"] == "webhook.ping" and event["data"]["endpointId"] == created["id"]
        with pytest.raises(WebhookVerificationError):
            verify_webhook(created["secret"], body, headers, now=time.time() + 600)

        rotated = await memory.rotate_webhook_secret(created["id"], keep_previous_for_seconds=0)
        assert rotated["secret"] != created["secret"]
        updated = await memory.update_webhook(created["id"], events=["user.erased", "memory.deleted"], enabled=True)
        assert updated["events"] == ["user.erased", "memory.deleted"]
        page = await memory.list_webhook_deliveries(created["id"], limit=5)
        assert [d["id"] for d in page["deliveries"]] == [ping["id"]]
        again = await memory.retry_webhook_delivery(created["id"], ping["id"])
        assert again["status"] == "delivered"
        verify_webhook(rotated["secret"], _Receiver.got[-1][1], _Receiver.got[-1][0])

        await memory.delete_webhook(created["id"])
        with pytest.raises(MemoryApiError) as gone:
            await memory.get_webhook(created["id"])
        assert gone.value.status == 404
        with pytest.raises(MemoryApiError) as refused:
            await memory.create_webhook("http://10.0.0.1/hooks", ["user.erased"])
        assert refused.value.status == 400 and "url" in refused.value.detail

    try:
        asyncio.run(scenario())
    finally:
        server.shutdown()
