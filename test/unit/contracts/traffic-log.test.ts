/** The TrafficLog contract against the in-memory log. */
import { trafficLogContract } from "../../contracts/traffic-log.contract.js";
import { InMemoryTrafficLog } from "../../in-memory/index.js";

trafficLogContract("in-memory", async () => ({ log: new InMemoryTrafficLog() }));
