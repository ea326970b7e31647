/**
 * Who owns a memory. The memory only ever sees `<tenant>/<userId>`: the tenant comes from the API
 * key, never from a request, and tenant ids cannot contain "/", so no user id a caller sends can
 * name another tenant's user.
 */

/** Tenant ids: 1-63 of a-z, 0-9 and '-', starting with a letter or digit. */
export const tenantIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const tenantIdRule = "1-63 characters of a-z, 0-9 and '-', starting with a letter or digit";

/**
 * Operator keys open the console and nothing else. Their "tenant" is one no tenant id can be
 * (tenant ids start with a letter or digit), so an operator key never names a tenant's users.
 */
export const adminTenant = "_admin";

/** The user ids the API accepts (a legacy id outside them could never be read back). */
export const userIdPattern = /^[A-Za-z0-9._:@-]{1,128}$/;
export const userIdRule = "1-128 characters of letters, digits and . _ : @ -";

/** The key a tenant's user is stored under in every tier. */
export const userKey = (tenantId: string, userId: string) => `${tenantId}/${userId}`;

/** The user id a tenant knows, back from a stored key. */
export const userIdOfKey = (key: string) => key.slice(key.indexOf("/") + 1);

/** The tenant a stored key belongs to. */
export const tenantOfKey = (key: string) => key.slice(0, Math.max(0, key.indexOf("/")));

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Memory, import, endpoint and delivery ids are UUIDs: anything else names nothing (and must not reach a uuid cast). */
export const isUuid = (id: string) => uuidPattern.test(id);
