/** What every part of the projection works with. */
import type { Processing } from "../../processing/index.js";
import type { MemoryStores } from "../../tiers/stores.js";
import type { Logger } from "../../util/logger.js";
import type { TierHealthTracker } from "../health.js";

export interface ProjectionDeps {
  stores: MemoryStores;
  processing: Processing;
  health: TierHealthTracker;
  logger: Logger;
  /** Exchanges per summary window. */
  summaryWindow: number;
}
