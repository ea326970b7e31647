/**
 * A store whose chosen methods fail while its switch is down, like a tier that stopped answering;
 * everything else goes to the store itself.
 */
export interface Outage {
  down: boolean;
  /** What the failing calls reject with (default: a refused connection, as a driver reports it). */
  error: Error;
}

export function outage(): Outage {
  return {
    down: true,
    error: Object.assign(new Error("connect ECONNREFUSED 10.0.0.9:7687"), { code: "ECONNREFUSED" }),
  };
}

export function withOutage<T extends object>(store: T, methods: readonly (keyof T)[], switch_: Outage): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (switch_.down && methods.includes(prop as keyof T)) return () => Promise.reject(switch_.error);
      return value.bind(target);
    },
  });
}
