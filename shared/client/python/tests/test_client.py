"""The Python client against the running API (npm test starts it: test/integration/python-client.test.ts
passes HM_API_URL and HM_API_KEY), and its retries against a stand-in server that answers 503 and 429."""

import asyncio
import json
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hierarchical_memory import OPERATIONS, MemoryApiError, MemoryClient


def run(coroutine):
    return asyncio.run(coroutine)


def test_every_operation_of_the_served_openapi_document_is_a_method(api):
    url, _ = api
    with urllib.request.urlopen(url + "/openapi.json") as response:
        doc = json.load(response)
    served = {
        (method.upper(), path): op["operationId"]
        for path, methods in doc["paths"].items()
        for method, op in methods.items()
    }
    mine = {(method, path): operation_id for method, path, operation_id in OPERATIONS.values()}
    assert mine == served


def test_stores_recalls_pages_corrects_and_erases(api):
    url, key = api
    memory = MemoryClient(url, key)
    user = f"py-{uuid.uuid4().hex[:8]}"

    async def scenario():
        first = await memory.store_conversation(
            user, "I adopted a cat named Bailey.", "Lovely!", idempotency_key="k1", metadata={"topic": "pets"}
        )
        again = await memory.store_conversation(user, "I adopted a cat named Bailey.", "Lovely!", idempotency_key="k1")
        assert again["exchangeId"] == first["exchangeId"] and again["duplicate"] is True
        await memory.store_conversation(user, "I play the cello.", "Nice.", session_id="music")

        context = await memory.get_conversation_context(user, "What is my cat called?")
        assert "Bailey" in context["items"][0]["text"]
        filtered = await memory.list_conversations(user, filter={"metadata.topic": "pets"})
        assert [e["id"] for e in filtered["items"]] == [first["exchangeId"]]
        assert [s["sessionId"] for s in (await memory.list_sessions(user))["sessions"]] == ["music"]

        corrected = await memory.correct_memory(user, first["exchangeId"], user_message="I adopted a cat named Miso.")
        assert corrected["memory"]["version"] == 2
        assert (await memory.get_memory(user, first["exchangeId"]))["userMessage"] == "I adopted a cat named Miso."
        assert len((await memory.list_memory_versions(user, first["exchangeId"]))["versions"]) == 1

        note = await memory.store_note(user, "Prefers to be called Sam.", source="operator")
        assert [n["id"] for n in (await memory.list_notes(user))["items"]] == [note["exchangeId"]]
        assert (await memory.delete_memory(user, note["exchangeId"]))["pending"] == []

        assert len((await memory.export_user(user))["exchanges"]) == 2
        await memory.delete_user(user)
        assert (await memory.get_conversation_context(user, "cat"))["items"] == []
        assert (await memory.get_tier_health_status())["status"] in ("ok", "degraded", "down")

    run(scenario())


def test_a_refused_request_is_a_typed_error_with_the_problem_detail(api):
    url, key = api
    memory = MemoryClient(url, key)
    with pytest.raises(MemoryApiError) as refused:
        run(memory.store_conversation(f"py-{uuid.uuid4().hex[:8]}", "", ""))
    assert refused.value.status == 400
    assert "cannot both be empty" in refused.value.detail
    with pytest.raises(MemoryApiError) as unknown:
        run(memory.get_memory(f"py-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())))
    assert unknown.value.status == 404
    with pytest.raises(MemoryApiError) as bad_key:
        run(MemoryClient(url, "hm_nope_nope").list_sessions("anyone"))
    assert bad_key.value.status == 401


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503, then 429, each with Retry-After: 0, then 201; records the idempotency keys."""

    answers = []
    keys = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).keys.append(self.headers.get("idempotency-key"))
        status = type(self).answers.pop(0) if type(self).answers else 201
        body = json.dumps(
            {"exchangeId": "x", "userId": "u", "duplicate": False, "pending": []}
            if status == 201
            else {"type": "about:blank", "title": "busy", "status": status, "detail": "try again"}
        ).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("retry-after", "0")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_retries_503_and_429_with_the_same_idempotency_key_then_gives_up():
    server = _stand_in()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        _Flaky.answers, _Flaky.keys = [503, 429], []
        stored = run(MemoryClient(url, "k").store_conversation("u", "hi", "yo"))
        assert stored["exchangeId"] == "x"
        assert len(_Flaky.keys) == 3 and len(set(_Flaky.keys)) == 1 and _Flaky.keys[0]
        _Flaky.answers, _Flaky.keys = [503, 503, 503], []
        with pytest.raises(MemoryApiError) as gave_up:
            run(MemoryClient(url, "k", retries=2).store_conversation("u", "hi", "yo"))
        assert gave_up.value.status == 503 and gave_up.value.detail == "try again"
        assert len(_Flaky.keys) == 3
    finally:
        server.shutdown()
