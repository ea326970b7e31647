/**
 * What every command-line entry point (infra/cli, infra/local, bench, smoke:bundle) shares:
 *
 *   const command = { name: "migrate", usage: [...], about: "...", options: {...} } satisfies Command;
 *   const { values, positionals } = parseCommandLine(command);
 *   runMain(command, async () => { ...; return 0; });
 *
 * - Flags are parsed strictly (node:util parseArgs): an unknown flag, a missing value or a positional
 *   argument the command does not take is one line, `<name>: <message>; run with --help for usage`,
 *   and exit code 2. So is a UsageError the command throws (a flag's value it cannot use).
 * - `--help` / `-h` prints the usage, what the command does and every flag with its default, then
 *   exits 0, before anything else runs.
 * - main's number is the exit code (none: 0). An expected failure (a MemoryError, configuration
 *   errors included, or a CliError) is one clean line and exit code 1; anything else is printed
 *   whole, stack included, and exits 1.
 *
 * `--help` must answer without a service, a configuration or a driver, and at once: entry points
 * import statically only node built-ins, this module and light helpers, and load what builds the
 * config, clients or drivers inside main (`await import(...)`), after the flags are read.
 */
import { type ParseArgsOptionDescriptor, parseArgs } from "node:util";
import { describeError, MemoryError } from "../../shared/errors/memory-error.js";

/** A flag: parseArgs' descriptor, plus what --help says about it. */
export interface Flag extends ParseArgsOptionDescriptor {
  /** What the flag does, for --help. */
  description: string;
  /** The value's name in --help (`--users LIST`); string flags only. Default: VALUE. */
  value?: string;
  /** The default as --help states it, when `default` does not say it (it is computed, or read elsewhere). */
  defaultText?: string;
}

export interface Command<O extends Record<string, Flag> = Record<string, Flag>> {
  /** How errors start (`migrate: ...`): the npm script's name. */
  name: string;
  /** The synopsis: one line per way to call it. */
  usage: readonly string[];
  /** What it does; any text. */
  about: string;
  options: O;
  /** Takes positional arguments (subcommands, files); refused otherwise. */
  positionals?: boolean;
  /** After the flags: environment, exit status. */
  notes?: string;
}

/** The command cannot run as called (a flag's value it cannot use, a missing argument): exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** An expected failure the command explains in its message: one line, exit code 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

type Parsed<C extends Command> = ReturnType<
  typeof parseArgs<{ options: C["options"]; allowPositionals: C["positionals"] extends true ? true : false }>
>;

/**
 * The command line as the command's flags read it. Prints the help and exits 0 for --help or -h (before
 * a `--`), and prints one line and exits 2 when the flags do not parse.
 */
export function parseCommandLine<C extends Command>(command: C, args = process.argv.slice(2)): Parsed<C> {
  const end = args.indexOf("--");
  if ((end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h")) {
    process.stdout.write(helpText(command));
    process.exit(0);
  }
  const options = Object.fromEntries(
    Object.entries(command.options).map(
      ([name, { description: _, value: __, defaultText: ___, ...flag }]) => [name, flag],
    ),
  );
  try {
    return parseArgs({
      args,
      options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    }) as Parsed<C>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw error;
    return usageFailure(command, parseArgsMessage((error as Error).message));
  }
}

/** Runs main and exits with its code; see the module comment for failures. */
export function runMain(
  command: Pick<Command, "name">,
  /** Resolves to the exit code (anything but a number: 0). */
  main: () => Promise<unknown>,
): void {
  main().then(
    (code) => process.exit(typeof code === "number" ? code : 0),
    (error: unknown) => {
      if (error instanceof UsageError) usageFailure(command, error.message);
      if (error instanceof CliError || error instanceof MemoryError) {
        console.error(`${command.name}: ${describeError(error)}`);
      } else {
        console.error(error);
      }
      process.exit(1);
    },
  );
}

function usageFailure(command: Pick<Command, "name">, message: string): never {
  console.error(`${command.name}: ${message}; run with --help for usage`);
  process.exit(2);
}

/** parseArgs' message as one line: "unknown option '--x'", "option '--records' needs a value". */
function parseArgsMessage(message: string): string {
  const noValue = message.match(/^Option '(-[^' ]+)(?: <value>)?' argument (missing|is ambiguous)/);
  if (noValue?.[2] === "missing") return `option '${noValue[1]}' needs a value`;
  if (noValue)
    return `option '${noValue[1]}' needs a value (one that starts with "-" goes as ${noValue[1]}=VALUE)`;
  const positional = message.match(
    /^Unexpected argument '(.*)'\. This command does not take positional arguments/s,
  );
  if (positional) return `unexpected argument '${positional[1]}': the command takes no positional arguments`;
  const line = (message.split(/\.(?:\s|$)/)[0] ?? message).trim();
  return line.charAt(0).toLowerCase() + line.slice(1);
}

const width = 100;

/** The --help text: usage, what the command does, every flag with its default, notes. */
export function helpText(command: Command): string {
  const rows: [string, string[]][] = Object.entries(command.options).map(([name, flag]) => {
    const shown = flag.defaultText ?? (flag.type === "string" ? flag.default?.toString() : undefined);
    return [
      `${flag.short ? `-${flag.short}, ` : ""}--${name}${flag.type === "string" ? ` ${flag.value ?? "VALUE"}` : ""}`,
      [...flag.description.split(/\s+/), ...(shown === undefined ? [] : [`(default: ${shown})`])],
    ];
  });
  rows.push(["-h, --help", "print this help and exit".split(" ")]);
  const left = Math.min(Math.max(...rows.map(([flag]) => flag.length)) + 4, 32);
  const options = rows.map(([flag, words]) => {
    const lines = wrap(words, width - left);
    const first = flag.length + 2 < left ? `  ${flag.padEnd(left - 2)}${lines.shift()}` : `  ${flag}`;
    return [first, ...lines.map((l) => `${" ".repeat(left)}${l}`)].join("\n");
  });
  const [first, ...more] = command.usage;
  return [
    [`Usage: ${first}`, ...more.map((u) => `       ${u}`)].join("\n"),
    command.about.trim(),
    `Options:\n${options.join("\n")}`,
    ...(command.notes ? [command.notes.trim()] : []),
  ]
    .join("\n\n")
    .concat("\n");
}

/** Words (a flag's default is one) in lines of at most `columns`, unless a word alone is longer. */
function wrap(words: string[], columns: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
