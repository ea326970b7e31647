/**
 * Upstash accepts Lua shebang flags that open-source Redis refuses (`allow-key-locking`, used by
 * @upstash/ratelimit). The bridge strips them before Redis sees a script, and maps the client's SHA
 * of the original script to Redis's SHA of the stripped one, so EVALSHA keeps working.
 */
import { createHash } from "node:crypto";

const upstashOnlyFlags = new Set(["allow-key-locking"]);
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

export function stripUpstashFlags(script: string): string {
  const match = /^#!lua(.*)\n/.exec(script);
  if (!match) return script;
  const flags = /flags=(\S*)/.exec(match[1] ?? "")?.[1];
  if (flags === undefined) return script;
  const kept = flags.split(",").filter((f) => f && !upstashOnlyFlags.has(f));
  const shebang = kept.length > 0 ? `#!lua flags=${kept.join(",")}` : "#!lua";
  return `${shebang}\n${script.slice(match[0].length)}`;
}

export class ScriptTranslator {
  private readonly shas = new Map<string, string>();

  /** Rewrites EVAL / EVALSHA arguments; other commands pass unchanged. */
  translate(name: string, args: string[]): string[] {
    const command = name.toUpperCase();
    const [first = "", ...rest] = args;
    if (command === "EVAL" || command === "EVAL_RO") {
      const stripped = stripUpstashFlags(first);
      if (stripped !== first) this.shas.set(sha1(first), sha1(stripped));
      return [stripped, ...rest];
    }
    if (command === "EVALSHA" || command === "EVALSHA_RO")
      return [this.shas.get(first.toLowerCase()) ?? first, ...rest];
    return args;
  }
}
