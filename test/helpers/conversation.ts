/** A short conversation with people, places and facts in it, stored the same way by every test. */
import type { HierarchicalMemoryManager } from "../../shared/memory/manager.js";

export const conversation = [
  ["My sister Ana lives in Lisbon and loves surfing.", "That sounds lovely! Does she surf every weekend?"],
  ["Yes, and I am learning to play the cello.", "The cello is a beautiful instrument."],
  ["I adopted a dog named Pixel last month.", "Congratulations on adopting Pixel!"],
  ["Work has been stressful with the Q3 audit.", "Audits are tough; remember to take breaks."],
  ["I visited Kyoto in spring and saw the temples.", "Kyoto in spring must have been stunning."],
] as const;

export async function storeConversation(
  manager: Pick<HierarchicalMemoryManager, "storeConversation">,
  userId: string,
  start = Date.UTC(2025, 0, 1),
) {
  const ids: string[] = [];
  for (const [i, [userMessage, botResponse]] of conversation.entries()) {
    const result = await manager.storeConversation({
      userId,
      userMessage,
      botResponse,
      metadata: { turn: i },
      timestamp: new Date(start + i * 86_400_000),
    });
    ids.push(result.exchangeId);
  }
  return ids;
}
