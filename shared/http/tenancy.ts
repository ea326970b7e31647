/**
 * Tenant isolation: the memory only ever sees `<tenant>/<userId>`. The tenant comes from the API key,
 * never from the request, and tenant ids cannot contain "/", so no userId a caller sends can name
 * another tenant's user.
 */
export const userKey = (tenantId: string, userId: string) => `${tenantId}/${userId}`;

/** Cursor of the archive listing: the (createdAt, ordinal) of the last exchange of a page. */
export interface Cursor {
  createdAt: Date;
  ordinal: number;
}

export const encodeCursor = (c: Cursor) =>
  Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.ordinal])).toString("base64url");

export function decodeCursor(value: string): Cursor | undefined {
  try {
    const [at, ordinal] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as [string, number];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || !Number.isSafeInteger(ordinal)) return undefined;
    return { createdAt, ordinal };
  } catch {
    return undefined;
  }
}
