/** Each tier's connectivity probe, as createStores wires it, round-trips against the emulation. */
import { afterAll, describe, expect, it } from "vitest";
import { tierNames } from "../../shared/domain/tiers.js";
import { createStores } from "../../shared/tiers/index.js";
import { testConfig } from "../helpers/config.js";

const stores = createStores(testConfig());
afterAll(() => stores.close());

describe("tier probes", () => {
  it("are there for every enabled tier", () => {
    expect(stores.probes.map((p) => p.tier).sort()).toEqual([...tierNames].sort());
  });

  it.each(tierNames)("%s: writes a marker, reads it back and deletes it", async (tier) => {
    const probe = stores.probes.find((p) => p.tier === tier);
    await expect(probe?.roundTrip()).resolves.toBeUndefined();
  });
});
