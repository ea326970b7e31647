/** Reads LoCoMo conversation files: sessions of turns with dates, and questions with evidence turn ids. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Turn {
  diaId: string;
  speaker: string;
  text: string;
  at: Date;
}

export interface Question {
  question: string;
  evidence: string[];
  category: number;
}

export interface Conversation {
  name: string;
  turns: Turn[];
  questions: Question[];
  lastAt: Date;
}

interface RawTurn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}

/** "1:56 pm on 8 May, 2023" as UTC. */
export function parseSessionDate(value: string): Date {
  const m = /(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+(\w+),?\s+(\d{4})/i.exec(value);
  if (!m) throw new Error(`unrecognized session date: ${value}`);
  const [, h, min, ampm, day, month, year] = m;
  const hours = (Number(h) % 12) + (ampm?.toLowerCase() === "pm" ? 12 : 0);
  const monthIndex = new Date(`${month} 1, 2000`).getMonth();
  return new Date(Date.UTC(Number(year), monthIndex, Number(day), hours, Number(min)));
}

export function loadConversations(dir: string): Conversation[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      const turns: Turn[] = [];
      for (let s = 1; Array.isArray(raw[`session_${s}`]); s++) {
        const start = parseSessionDate(String(raw[`session_${s}_date_time`]));
        (raw[`session_${s}`] as RawTurn[]).forEach((t, i) => {
          const caption = t.blip_caption ? ` [shares ${t.blip_caption}]` : "";
          turns.push({
            diaId: t.dia_id,
            speaker: t.speaker,
            text: `${t.text}${caption}`,
            at: new Date(start.getTime() + i * 1000),
          });
        });
      }
      const questions = (raw.qa as { question: string; evidence?: string[]; category: number }[])
        .filter((q) => q.category >= 1 && q.category <= 4 && (q.evidence?.length ?? 0) > 0)
        .map((q) => ({ question: q.question, evidence: q.evidence ?? [], category: q.category }));
      const lastAt = new Date(Math.max(...turns.map((t) => t.at.getTime())));
      return { name: file.replace(/\.json$/, ""), turns, questions, lastAt };
    });
}
