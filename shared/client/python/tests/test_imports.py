"""Bulk import from Python against the running API (npm test passes HM_API_URL and HM_API_KEY): NDJSON
lines with a bad one refused by number, the same lines again writing nothing twice, a Mem0 export as
one document, and refusals as typed errors."""

import asyncio
import json
import uuid

import pytest

from hierarchical_memory import MemoryApiError, MemoryClient


def test_imports_lines_refuses_a_bad_one_by_number_and_writes_nothing_twice(api):
    memory = MemoryClient(*api)
    user = f"py-imp-{uuid.uuid4().hex[:8]}"
    lines = [
        {"userId": user, "userMessage": "I adopted a cat named Bailey.", "botResponse": "Lovely!"},
        {"userId": user, "userMessage": "She likes tuna.", "botResponse": "Noted.", "externalId": "m-2"},
        "{not json",
        {"userId": user, "kind": "note", "text": "Allergic to peanuts.", "timestamp": "2025-03-03T09:00:00Z"},
    ]

    async def scenario():
        started = await memory.import_lines(lines)
        assert started["state"] == "running" and started["source"] == "body"
        done = await memory.wait_for_import(started["id"], interval=0.1, timeout=60)
        assert done["state"] == "completed", done
        assert done["lines"] == {"total": 4, "done": 4, "imported": 3, "existing": 0, "erased": 0, "refused": 1}
        assert [e["line"] for e in done["errors"]] == [3]
        page = await memory.list_import_errors(started["id"], after=0, limit=10)
        assert [e["line"] for e in page["errors"]] == [3] and "JSON" in page["errors"][0]["reason"]
        assert "nextAfter" not in page
        assert started["id"] in [i["id"] for i in await memory.list_imports(limit=5)]
        assert len((await memory.list_conversations(user))["items"]) == 3

        again = await memory.wait_for_import((await memory.import_lines(lines))["id"], interval=0.1, timeout=60)
        assert again["state"] == "completed"
        assert again["lines"]["imported"] == 0 and again["lines"]["existing"] == 3 and again["lines"]["refused"] == 1
        assert len((await memory.list_conversations(user))["items"]) == 3

    asyncio.run(scenario())


def test_imports_a_mem0_export_given_as_one_document(api):
    memory = MemoryClient(*api)
    user = f"py-mem0-{uuid.uuid4().hex[:8]}"
    exported = json.dumps(
        {
            "results": [
                {"id": "a1", "memory": "Prefers vegetarian food", "user_id": user, "created_at": "2024-07-20T01:12:34"},
                {"id": "a2", "memory": "Lives in Porto", "user_id": user, "categories": ["location"]},
            ]
        },
        indent=2,
    )

    async def scenario():
        started = await memory.import_lines(exported, format="mem0")
        done = await memory.wait_for_import(started["id"], interval=0.1, timeout=60)
        assert done["format"] == "mem0" and done["lines"]["imported"] == 2, done
        notes = (await memory.list_notes(user))["items"]
        assert sorted(n["userMessage"] for n in notes) == ["Lives in Porto", "Prefers vegetarian food"]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "start, detail",
    [
        (lambda m: m.import_lines("\n\n"), "no lines"),
        (lambda m: m.import_lines(["{}"], format="csv"), "format"),
        (lambda m: m.import_from("/etc/passwd"), "location: "),
    ],
)
def test_a_refused_import_is_a_typed_error_with_the_problem_detail(api, start, detail):
    with pytest.raises(MemoryApiError) as refused:
        asyncio.run(start(MemoryClient(*api)))
    assert refused.value.status == 400
    assert detail in refused.value.detail


def test_an_unknown_import_is_a_404(api):
    with pytest.raises(MemoryApiError) as unknown:
        asyncio.run(MemoryClient(*api).get_import(str(uuid.uuid4())))
    assert unknown.value.status == 404
