"""An async Python client for the Hierarchical Memory API, with no dependency beyond the standard library.

    from hierarchical_memory import MemoryClient

    memory = MemoryClient("http://localhost:8787", api_key)
    await memory.store_conversation("discord-42", "I adopted a cat named Bailey.", "Lovely!")
    context = await memory.get_conversation_context("discord-42", "What pets do I have?")

Method names follow the original bot's memory manager where it had one (store_conversation,
get_conversation_context, get_tier_health_status); every other method is named after the API's
operationId, and a test checks the client against the served /openapi.json so the two cannot drift.
`verify_webhook` checks a webhook delivery's signature on the receiving side.
"""

from .client import MemoryApiError, MemoryClient, OPERATIONS
from .webhooks import WebhookVerificationError, verify_webhook

__all__ = ["MemoryApiError", "MemoryClient", "OPERATIONS", "WebhookVerificationError", "verify_webhook"]
