/** The TrafficLog contract against the in-memory log, and the process's buffer over it. */
import { BufferedTrafficLog } from "../../../shared/tiers/buffered-traffic-log.js";
import { trafficLogContract } from "../../contracts/traffic-log.contract.js";
import { InMemoryTrafficLog } from "../../in-memory/index.js";

trafficLogContract("in-memory", async () => ({ log: new InMemoryTrafficLog() }));
trafficLogContract("buffered, over in-memory", async () => ({
  log: new BufferedTrafficLog(new InMemoryTrafficLog(), {
    onError: (error) => {
      throw error;
    },
  }),
}));
