/** Ids unique to one test, so tests sharing a store never see each other's users. */
export const uniqueId = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;
