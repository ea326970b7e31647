/** `npm run local:up | local:down | local:status`: the local emulation of every managed service. */
import { ensureLocalUp, readState, stopLocal } from "./control.js";
import { envFile } from "./paths.js";

const command = process.argv[2];

async function main(): Promise<number> {
  switch (command) {
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
      console.error("usage: cli.ts up|down|status");
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
