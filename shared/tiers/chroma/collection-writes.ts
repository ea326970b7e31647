/**
 * One collection's writes, in the order they were asked. The local Chroma spends about 20 ms of CPU
 * on every write call whatever it holds (one record 24 ms, eight 33 ms, measured here), so upserts
 * that arrive while a write is in flight go together in the next call (a group commit). A delete is
 * a barrier: it runs after every write asked before it, and no upsert asked after it joins a call
 * before it, so an erase is never overtaken by a write that was waiting.
 */

export interface UpsertRecords {
  ids: string[];
  embeddings: number[][];
  documents: string[];
  metadatas: Record<string, string | number | boolean>[];
}

/** Records one merged call may hold; a larger upsert goes alone, as asked. */
const maxMergedRecords = 1000;

interface Batch {
  records: UpsertRecords;
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class CollectionWrites {
  #tail: Promise<unknown> = Promise.resolve();
  /** The upsert call not yet started, which later upserts may join. */
  #open?: Batch;

  upsert(records: UpsertRecords, write: (records: UpsertRecords) => Promise<void>): Promise<void> {
    const open = this.#open;
    if (open && open.records.ids.length + records.ids.length <= maxMergedRecords) {
      append(open.records, records);
      return open.promise;
    }
    const batch: Batch = { records: copy(records), ...Promise.withResolvers<void>() };
    this.#open = batch;
    this.#tail = this.#tail.then(() => {
      if (this.#open === batch) this.#open = undefined;
      return write(lastOfEachId(batch.records)).then(batch.resolve, batch.reject);
    });
    return batch.promise;
  }

  /** Runs `operation` after every write asked before it; none asked after it runs first. */
  barrier<T>(operation: () => Promise<T>): Promise<T> {
    this.#open = undefined;
    const run = this.#tail.then(operation);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * The records in calls of at most `max` (the server's own limit: Chroma refuses a larger call
 * outright, so a bulk write of one collection past it would fail on every retry); all at once
 * when the server names no limit.
 */
export function inCallsOf(records: UpsertRecords, max: number): UpsertRecords[] {
  if (max <= 0 || records.ids.length <= max) return [records];
  const calls: UpsertRecords[] = [];
  for (let start = 0; start < records.ids.length; start += max) {
    const end = start + max;
    calls.push({
      ids: records.ids.slice(start, end),
      embeddings: records.embeddings.slice(start, end),
      documents: records.documents.slice(start, end),
      metadatas: records.metadatas.slice(start, end),
    });
  }
  return calls;
}

const copy = (r: UpsertRecords): UpsertRecords => ({
  ids: [...r.ids],
  embeddings: [...r.embeddings],
  documents: [...r.documents],
  metadatas: [...r.metadatas],
});

function append(to: UpsertRecords, from: UpsertRecords) {
  to.ids.push(...from.ids);
  to.embeddings.push(...from.embeddings);
  to.documents.push(...from.documents);
  to.metadatas.push(...from.metadatas);
}

/** Chroma refuses an id twice in one call; the later write of a record is the one that stands. */
function lastOfEachId(r: UpsertRecords): UpsertRecords {
  const last = new Map(r.ids.map((id, i) => [id, i]));
  if (last.size === r.ids.length) return r;
  const keep = [...last.values()].sort((a, b) => a - b);
  const pick = <T>(xs: T[]) => keep.map((i) => xs[i] as T);
  return {
    ids: pick(r.ids),
    embeddings: pick(r.embeddings),
    documents: pick(r.documents),
    metadatas: pick(r.metadatas),
  };
}
