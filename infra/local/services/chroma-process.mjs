// Runs a real Chroma server from the npm bindings (pinned to 1.0.3; see DEVELOPERS.md).
// The bindings' cli() blocks its thread, so it runs in a worker while the main thread exits
// as soon as the parent (the emulation supervisor) is gone: no orphaned Chroma.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const [dir, port] = process.argv.slice(2);
const binding = createRequire(import.meta.url).resolve("chromadb-js-bindings-linux-x64-gnu");
const source = `const { workerData: d } = require("node:worker_threads");
require(d.binding).cli(["chroma", "run", "--path", d.dir, "--port", d.port]);`;
const worker = new Worker(source, { eval: true, workerData: { binding, dir, port } });
worker.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
worker.on("exit", (code) => process.exit(code || 1));
// No SIGTERM handler: the default action ends the process at once. process.exit() would wait
// for the worker, which never returns from cli().
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.kill(process.pid, "SIGTERM"), 500);
