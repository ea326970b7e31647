/** A gate a test opens by hand: work that passes through it waits until then. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = 0;
  let reached!: () => void;
  const someoneWaits = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return {
    /** Waits for the gate (and says someone is waiting). */
    pass: async () => {
      waiting++;
      reached();
      await opened;
    },
    /** Resolves once some work waits at the gate. */
    reached: () => someoneWaits,
    open: () => open(),
    waiting: () => waiting,
  };
}

/** The store with `method` held at the gate before it runs. */
export function heldAt<T extends object>(store: T, method: keyof T, at: ReturnType<typeof gate>): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        await at.pass();
        return value.apply(target, args);
      };
    },
  });
}
