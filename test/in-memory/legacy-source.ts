/** In-memory test double of the LegacySource port (shared/tiers/legacy-source.ts): records kept in the order given. */
import type { LegacyCollection, LegacyRecord, LegacySource } from "../../shared/tiers/legacy-source.js";

export class InMemoryLegacySource implements LegacySource {
  readonly #records: readonly LegacyRecord[];

  constructor(records: readonly LegacyRecord[] = []) {
    this.#records = structuredClone(records);
  }

  async count(name: LegacyCollection): Promise<number> {
    return this.#in(name).length;
  }

  async page(name: LegacyCollection, offset: number, limit: number): Promise<LegacyRecord[]> {
    return structuredClone(this.#in(name).slice(offset, offset + limit));
  }

  async byUserId(userId: string): Promise<LegacyRecord[]> {
    return structuredClone(this.#in("user_memories").filter((r) => r.metadata?.user_id === userId));
  }

  #in(name: LegacyCollection): LegacyRecord[] {
    return this.#records.filter((r) => r.collection === name);
  }
}
