"""The client: one HTTP call per method, run in a worker thread so the event loop never blocks."""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Iterable, Optional, Union

# Each method's operation: (HTTP method, path template, the API's operationId).
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "store_conversation": ("POST", "/v1/users/{userId}/conversations", "storeConversation"),
    "get_conversation_context": ("POST", "/v1/users/{userId}/context", "getConversationContext"),
    "list_conversations": ("GET", "/v1/users/{userId}/conversations", "listConversations"),
    "list_sessions": ("GET", "/v1/users/{userId}/sessions", "listSessions"),
    "export_user": ("GET", "/v1/users/{userId}/export", "exportUser"),
    "delete_user": ("DELETE", "/v1/users/{userId}", "deleteUser"),
    "get_memory": ("GET", "/v1/users/{userId}/conversations/{id}", "getMemory"),
    "list_memory_versions": ("GET", "/v1/users/{userId}/conversations/{id}/versions", "listMemoryVersions"),
    "correct_memory": ("PATCH", "/v1/users/{userId}/conversations/{id}", "correctMemory"),
    "delete_memory": ("DELETE", "/v1/users/{userId}/conversations/{id}", "deleteMemory"),
    "store_note": ("POST", "/v1/users/{userId}/notes", "storeNote"),
    "list_notes": ("GET", "/v1/users/{userId}/notes", "listNotes"),
    "create_webhook": ("POST", "/v1/webhooks", "createWebhook"),
    "list_webhooks": ("GET", "/v1/webhooks", "listWebhooks"),
    "get_webhook": ("GET", "/v1/webhooks/{id}", "getWebhook"),
    "update_webhook": ("PATCH", "/v1/webhooks/{id}", "updateWebhook"),
    "delete_webhook": ("DELETE", "/v1/webhooks/{id}", "deleteWebhook"),
    "rotate_webhook_secret": ("POST", "/v1/webhooks/{id}/rotate-secret", "rotateWebhookSecret"),
    "ping_webhook": ("POST", "/v1/webhooks/{id}/ping", "pingWebhook"),
    "list_webhook_deliveries": ("GET", "/v1/webhooks/{id}/deliveries", "listWebhookDeliveries"),
    "retry_webhook_delivery": ("POST", "/v1/webhooks/{id}/deliveries/{deliveryId}/retry", "retryWebhookDelivery"),
    # Both start an import: the lines as the body, or a location to read them from.
    "import_lines": ("POST", "/v1/imports", "createImport"),
    "import_from": ("POST", "/v1/imports", "createImport"),
    "list_imports": ("GET", "/v1/imports", "listImports"),
    "get_import": ("GET", "/v1/imports/{id}", "getImport"),
    "list_import_errors": ("GET", "/v1/imports/{id}/errors", "listImportErrors"),
}

_RETRIED = {429, 503}


class MemoryApiError(Exception):
    """The API answered with an application/problem+json error; `detail` says what was wrong."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", ""))
        super().__init__(f"{status} {self.title}: {self.detail}")


def _body(**fields: Any) -> dict[str, Any]:
    """The JSON body: snake_case arguments as the API's camelCase fields, unset ones left out."""
    return _camel(fields, keep_none=False)


def _camel(fields: dict[str, Any], *, keep_none: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None and not keep_none:
            continue
        head, *rest = name.split("_")
        out[head + "".join(part.title() for part in rest)] = value
    return out


class MemoryClient:
    """`retries`: how often a 429 or 503 is retried, waiting as its Retry-After header says."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0, retries: int = 3):
        self._base = base_url.rstrip("/")
        self._key = api_key
        self._timeout = timeout
        self._retries = retries

    # -- the original bot's names --------------------------------------------------------------

    async def store_conversation(
        self,
        user_id: str,
        user_message: str,
        bot_response: str,
        *,
        speaker: Optional[str] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
        timestamp: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> dict[str, Any]:
        """Stores an exchange. A key is made when none is given, so a retry never stores twice."""
        body = _body(
            user_message=user_message,
            bot_response=bot_response,
            speaker=speaker,
            session_id=session_id,
            agent_id=agent_id,
            metadata=metadata,
            timestamp=timestamp,
        )
        key = idempotency_key or str(uuid.uuid4())
        return await self._call("store_conversation", {"userId": user_id}, body=body, idempotency_key=key)

    async def get_conversation_context(
        self,
        user_id: str,
        query: str,
        *,
        max_items: Optional[int] = None,
        max_recent_messages: Optional[int] = None,
        token_budget: Optional[int] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        scope: Optional[str] = None,
        filter: Optional[dict[str, Any]] = None,
        as_of: Optional[str] = None,
    ) -> dict[str, Any]:
        """What to remember for `query`. A user with no memory yet gets an empty context."""
        body = _body(
            query=query,
            max_items=max_items,
            max_recent_messages=max_recent_messages,
            token_budget=token_budget,
            session_id=session_id,
            agent_id=agent_id,
            scope=scope,
            filter=filter,
            as_of=as_of,
        )
        try:
            return await self._call("get_conversation_context", {"userId": user_id}, body=body)
        except MemoryApiError as error:
            if error.status == 404:
                return {"userId": user_id, "items": [], "degraded": [], "timings": {}, "totalMs": 0}
            raise

    async def get_tier_health_status(self) -> dict[str, Any]:
        """The service's health: `status`, and with an operator key each tier's detail."""
        return await self._request("GET", "/v1/health", accept=(200, 503))

    # -- the rest of the API, by operationId ------------------------------------------------------

    async def list_conversations(
        self,
        user_id: str,
        *,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        filter: Optional[dict[str, Any]] = None,
    ) -> dict[str, Any]:
        query = _page(cursor, limit, session_id, agent_id, filter)
        return await self._call("list_conversations", {"userId": user_id}, query=query)

    async def list_sessions(self, user_id: str, *, limit: Optional[int] = None) -> dict[str, Any]:
        return await self._call("list_sessions", {"userId": user_id}, query={"limit": limit})

    async def export_user(self, user_id: str) -> dict[str, Any]:
        return await self._call("export_user", {"userId": user_id})

    async def delete_user(self, user_id: str) -> dict[str, Any]:
        """Erases the user everywhere; `pending` names tiers the worker still finishes."""
        return await self._call("delete_user", {"userId": user_id}) or {"pending": []}

    async def get_memory(self, user_id: str, memory_id: str) -> dict[str, Any]:
        return await self._call("get_memory", {"userId": user_id, "id": memory_id})

    async def list_memory_versions(self, user_id: str, memory_id: str) -> dict[str, Any]:
        return await self._call("list_memory_versions", {"userId": user_id, "id": memory_id})

    async def correct_memory(self, user_id: str, memory_id: str, **fields: Any) -> dict[str, Any]:
        """Corrects an exchange (user_message, bot_response, ...) or a note (text, source); None clears."""
        body = _camel(fields, keep_none=True)
        return await self._call("correct_memory", {"userId": user_id, "id": memory_id}, body=body)

    async def delete_memory(self, user_id: str, memory_id: str) -> dict[str, Any]:
        return await self._call("delete_memory", {"userId": user_id, "id": memory_id}) or {"pending": []}

    async def store_note(
        self,
        user_id: str,
        text: str,
        *,
        source: Optional[str] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> dict[str, Any]:
        body = _body(text=text, source=source, session_id=session_id, agent_id=agent_id, metadata=metadata)
        key = idempotency_key or str(uuid.uuid4())
        return await self._call("store_note", {"userId": user_id}, body=body, idempotency_key=key)

    async def list_notes(
        self,
        user_id: str,
        *,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        filter: Optional[dict[str, Any]] = None,
    ) -> dict[str, Any]:
        query = _page(cursor, limit, session_id, agent_id, filter)
        return await self._call("list_notes", {"userId": user_id}, query=query)

    # -- webhooks (README, "Events") ------------------------------------------------------------

    async def create_webhook(
        self,
        url: str,
        events: list[str],
        *,
        description: Optional[str] = None,
        include_text: Optional[bool] = None,
        degraded_after_minutes: Optional[int] = None,
        enabled: Optional[bool] = None,
    ) -> dict[str, Any]:
        """Registers an endpoint. Keep the answer's `secret` (shown only now) to verify deliveries."""
        body = _body(
            url=url,
            events=events,
            description=description,
            include_text=include_text,
            degraded_after_minutes=degraded_after_minutes,
            enabled=enabled,
        )
        return await self._call("create_webhook", {}, body=body)

    async def list_webhooks(self) -> list[dict[str, Any]]:
        return (await self._call("list_webhooks", {}))["endpoints"]

    async def get_webhook(self, webhook_id: str) -> dict[str, Any]:
        return await self._call("get_webhook", {"id": webhook_id})

    async def update_webhook(self, webhook_id: str, **fields: Any) -> dict[str, Any]:
        """Changes url, events, description, include_text, degraded_after_minutes or enabled."""
        return await self._call("update_webhook", {"id": webhook_id}, body=_body(**fields))

    async def delete_webhook(self, webhook_id: str) -> None:
        await self._call("delete_webhook", {"id": webhook_id})

    async def rotate_webhook_secret(
        self, webhook_id: str, *, keep_previous_for_seconds: Optional[int] = None
    ) -> dict[str, Any]:
        """A new `secret`; the old one also signs for keep_previous_for_seconds (default a day)."""
        body = _body(keep_previous_for_seconds=keep_previous_for_seconds)
        return await self._call("rotate_webhook_secret", {"id": webhook_id}, body=body)

    async def ping_webhook(self, webhook_id: str) -> dict[str, Any]:
        """Sends a test event now; answers the delivery after its first attempt."""
        return await self._call("ping_webhook", {"id": webhook_id})

    async def list_webhook_deliveries(
        self,
        webhook_id: str,
        *,
        cursor: Optional[str] = None,
        limit: Optional[int] = None,
        status: Optional[str] = None,
    ) -> dict[str, Any]:
        query = {"cursor": cursor, "limit": limit, "status": status}
        return await self._call("list_webhook_deliveries", {"id": webhook_id}, query=query)

    async def retry_webhook_delivery(self, webhook_id: str, delivery_id: str) -> dict[str, Any]:
        return await self._call("retry_webhook_delivery", {"id": webhook_id, "deliveryId": delivery_id})

    # -- bulk import (README, "Bulk import") ------------------------------------------------------

    async def import_lines(
        self, lines: Union[str, Iterable[Union[str, dict[str, Any]]]], *, format: str = "ndjson"
    ) -> dict[str, Any]:
        """Starts an import of these lines: the file's text, or one line per item (a dict becomes one
        JSON line). Answers at once, the import running; `wait_for_import` waits for its end."""
        text = lines if isinstance(lines, str) else "".join(
            (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
        )
        return await self._call("import_lines", {}, query={"format": format}, lines=text)

    async def import_from(self, location: str, *, format: str = "ndjson") -> dict[str, Any]:
        """Starts an import of the file at `location`: a URL under an allowed prefix, or locally an allowed path."""
        return await self._call("import_from", {}, body={"format": format, "location": location})

    async def get_import(self, import_id: str) -> dict[str, Any]:
        return await self._call("get_import", {"id": import_id})

    async def list_imports(self, *, limit: Optional[int] = None) -> list[dict[str, Any]]:
        """The tenant's imports, newest first (default 20, at most 100)."""
        return (await self._call("list_imports", {}, query={"limit": limit}))["imports"]

    async def list_import_errors(
        self, import_id: str, *, after: Optional[int] = None, limit: Optional[int] = None
    ) -> dict[str, Any]:
        """A page of refused lines in line order; pass its `nextAfter` as `after` for the next."""
        return await self._call("list_import_errors", {"id": import_id}, query={"after": after, "limit": limit})

    async def wait_for_import(self, import_id: str, *, interval: float = 0.5, timeout: float = 600) -> dict[str, Any]:
        """Reads the import until it is no longer running; TimeoutError when `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            current = await self.get_import(import_id)
            if current["state"] != "running":
                return current
            if time.monotonic() + interval > deadline:
                raise TimeoutError(f"import {import_id} is still running after {timeout} s (it goes on)")
            await asyncio.sleep(interval)

    # -- transport -------------------------------------------------------------------------------

    async def _call(
        self,
        operation: str,
        params: dict[str, str],
        *,
        body: Optional[dict[str, Any]] = None,
        query: Optional[dict[str, Any]] = None,
        lines: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        method, template, _ = OPERATIONS[operation]
        path = template
        for name, value in params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
        wanted = {k: v for k, v in (query or {}).items() if v is not None}
        if wanted:
            path += "?" + urllib.parse.urlencode(wanted)
        return await self._request(method, path, body=body, lines=lines, idempotency_key=idempotency_key)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: Optional[dict[str, Any]] = None,
        lines: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        accept: tuple[int, ...] = (),
    ) -> Any:
        """`body` is sent as JSON, `lines` (an import's) as NDJSON."""
        content = None
        if body is not None:
            content = ("application/json", json.dumps(body).encode())
        elif lines is not None:
            content = ("application/x-ndjson", lines.encode())
        for attempt in range(self._retries + 1):
            status, headers, payload = await asyncio.to_thread(
                self._send, method, path, content, idempotency_key
            )
            if status < 400 or status in accept:
                return json.loads(payload) if payload else None
            if status in _RETRIED and attempt < self._retries:
                await asyncio.sleep(_wait(headers.get("retry-after"), attempt))
                continue
            try:
                problem = json.loads(payload)
            except ValueError:
                problem = {"title": "error", "detail": payload.decode("utf-8", "replace")[:500]}
            raise MemoryApiError(status, problem)
        raise AssertionError("unreachable")

    def _send(
        self,
        method: str,
        path: str,
        content: Optional[tuple[str, bytes]],
        idempotency_key: Optional[str],
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"authorization": f"Bearer {self._key}", "accept": "application/json"}
        data = None
        if content is not None:
            headers["content-type"], data = content
        if idempotency_key:
            headers["idempotency-key"] = idempotency_key
        request = urllib.request.Request(self._base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def _page(cursor, limit, session_id, agent_id, filter) -> dict[str, Any]:
    return {
        "cursor": cursor,
        "limit": limit,
        "sessionId": session_id,
        "agentId": agent_id,
        "filter": json.dumps(filter) if filter is not None else None,
    }


def _wait(retry_after: Optional[str], attempt: int) -> float:
    """Retry-After in seconds when the server says; else a short exponential backoff with jitter."""
    if retry_after:
        try:
            return min(float(retry_after), 60.0)
        except ValueError:
            pass
    return min(0.2 * 2**attempt, 5.0) * (0.5 + random.random() / 2)
