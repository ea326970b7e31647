/** What middleware puts on the request context for the routes. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenantId: string;
    keyId: string;
  };
}
