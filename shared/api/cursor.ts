/**
 * The archive listing's cursor: the (createdAt, ordinal) of the last exchange of a page, opaque to
 * clients (base64url JSON). A cursor this API did not return is a 400.
 */
import type { ArchivePosition } from "../memory/user-data.js";
import { problems } from "./problems.js";

export const encodeCursor = (c: ArchivePosition) =>
  Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.ordinal])).toString("base64url");

export function decodeCursor(value: string): ArchivePosition {
  try {
    const [at, ordinal] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as [string, number];
    const createdAt = new Date(at);
    if (!Number.isNaN(createdAt.getTime()) && Number.isSafeInteger(ordinal)) return { createdAt, ordinal };
  } catch {
    // Falls through to the 400.
  }
  throw problems.badRequest("cursor is not one this API returned");
}
