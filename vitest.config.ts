import { defineConfig } from "vitest/config";

// unit: no services; the layers above the stores run on in-memory stores that pass the same
// contract suites as the real ones (seconds). integration: the local emulation, which the global
// setup brings up (and takes down again) when it is not already running: the store contracts and
// the end-to-end tests. The unit setup puts the local embedding model in place (npm run model:fetch). bench: the load benchmark at a smoke size (its own command, not `npm test`).
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], globalSetup: ["test/model-setup.ts"] },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      { test: { name: "bench", include: ["test/bench/**/*.test.ts"], testTimeout: 180_000 } },
    ],
  },
});
