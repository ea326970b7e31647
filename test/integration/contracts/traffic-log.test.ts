/** The TrafficLog contract against RedisTrafficLog, a fresh key prefix per test. */
import { RedisTrafficLog } from "../../../shared/tiers/redis/traffic-log.js";
import { trafficLogContract } from "../../contracts/traffic-log.contract.js";
import { privateRedis } from "./real-stores.js";

const { redis, prefix } = privateRedis();
let tests = 0;

trafficLogContract("Redis", async () => ({ log: new RedisTrafficLog(redis, `${prefix}${++tests}:`) }));
