/** `npm run local:up | local:down | local:status`: the local emulation of every managed service. */
import { type Command, parseCommandLine, runMain, UsageError } from "../cli/run-cli.js";
import { ensureLocalUp, readState, stopLocal } from "./control.js";
import { envFile } from "./paths.js";

const command = {
  name: "local",
  usage: [
    "npm run local:up",
    "npm run local:down",
    "npm run local:status",
    "tsx infra/local/cli.ts up|down|status",
  ],
  about: `
The local emulation of every managed service, run by a supervisor process in the background: Redis behind
an Upstash REST bridge, Postgres behind a Neon WebSocket bridge, a Chroma server, Neo4j, on free ports.
  up      starts it unless it runs (idempotent), waits until every service answers, and writes the
          service URLs to ${envFile}
  down    stops the supervisor and every service it started
  status  prints the running emulation's state (pid, start time, versions) as JSON`,
  options: {},
  positionals: true,
  notes: `
Environment: HM_LOCAL_DIR, where data, logs and state live (default: .local in the repository).

Exit status: 0 done (status: it runs); 1 status: it does not run, or up failed; 2 for a usage error.`,
} satisfies Command;

const { positionals } = parseCommandLine(command);

runMain(command, async () => {
  const [subcommand, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' after '${subcommand}'`);
  switch (subcommand) {
    case "up": {
      const { state, started } = await ensureLocalUp();
      console.log(started ? `Local emulation up in ${state.startupMs} ms.` : "Local emulation already up.");
      console.log(`Versions: ${JSON.stringify(state.versions)}\nService URLs: ${envFile}`);
      return 0;
    }
    case "down":
      console.log((await stopLocal()) ? "Local emulation stopped." : "Local emulation was not running.");
      return 0;
    case "status": {
      const state = readState();
      console.log(state ? JSON.stringify(state, null, 2) : "Local emulation is not running.");
      return state ? 0 : 1;
    }
    default:
      throw new UsageError(
        subcommand === undefined ? "no command given (up, down, status)" : `unknown command '${subcommand}'`,
      );
  }
});
