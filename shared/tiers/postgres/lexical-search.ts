/**
 * Full-text recall within one user's archive, ranked by BM25: each query word weighs by how rare it
 * is among this user's exchanges (document frequencies counted through the (user_id, search) GIN
 * index), and short exchanges that contain it outrank long ones. Postgres's own ts_rank has no such
 * rarity weight, which lets words like a speaker's name drown the words that matter.
 */
import type { Pool } from "@neondatabase/serverless";
import type { Exchange } from "../../domain/types.js";
import { contentWords } from "../../processing/text.js";
import { type ExchangeRow, exchangeColumns, toExchange } from "./rows.js";

export interface LexicalHit {
  exchange: Exchange;
  rank: number;
}

/** BM25's usual constants. */
const k1 = 1.2;
const b = 0.75;

/** Query words, deduplicated, at most 32; only letters and digits, so no tsquery syntax gets in. */
export const queryWords = (text: string) => [...new Set(contentWords(text))].slice(0, 32);

export async function searchBm25(
  pool: Pool,
  userId: string,
  query: string,
  limit: number,
): Promise<LexicalHit[]> {
  const words = queryWords(query);
  if (words.length === 0) return [];
  const { rows } = await pool.query<ExchangeRow & { rank: number }>(
    `WITH terms AS (
       SELECT DISTINCT q FROM unnest($2::text[]) AS w, LATERAL to_tsquery('english', w) AS q
        WHERE numnode(q) > 0),
     stats AS (
       SELECT t.q, ln(1 + (u.exchange_count - d.n + 0.5) / (d.n + 0.5)) AS idf
         FROM terms t
         JOIN users u ON u.id = $1
         CROSS JOIN LATERAL (SELECT count(*) AS n FROM exchanges e WHERE e.user_id = $1 AND e.search @@ t.q) d
        WHERE d.n > 0),
     -- Words in most of the user's exchanges (a speaker's name, "today") add little but cost a scan
     -- of nearly everything: they only count if no rarer word is asked for.
     kept AS (SELECT * FROM stats WHERE idf >= 0.3 OR idf = (SELECT max(idf) FROM stats)),
     candidates AS (
       SELECT e.*, length(e.search) AS dl FROM exchanges e
        WHERE e.user_id = $1 AND e.search @@ (SELECT string_agg(q::text, ' | ')::tsquery FROM kept)),
     avgdl AS (SELECT greatest(avg(dl), 1) AS v FROM candidates)
     SELECT ${exchangeColumns
       .split(", ")
       .map((c) => `c.${c}`)
       .join(", ")},
            sum(s.idf * ${k1 + 1} / (1 + ${k1} * (${1 - b} + ${b} * c.dl / avgdl.v))) AS rank
       FROM candidates c CROSS JOIN avgdl JOIN kept s ON c.search @@ s.q
      GROUP BY ${exchangeColumns
        .split(", ")
        .map((c) => `c.${c}`)
        .join(", ")}, avgdl.v
      ORDER BY rank DESC, c.created_at DESC
      LIMIT $3`,
    [userId, words, limit],
  );
  return rows.map((r) => ({ exchange: toExchange(r), rank: Number(r.rank) }));
}
