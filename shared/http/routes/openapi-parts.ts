/** What the routes' OpenAPI definitions share: a JSON answer, a problem answer, the usual errors, bearer auth. */
import { Problem } from "../../api/schemas.js";

export const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const problem = (description: string) => ({
  content: { "application/problem+json": { schema: Problem } },
  description,
});

/** The errors any authenticated route may answer. */
export const commonErrors = {
  400: problem("Invalid request"),
  401: problem("Missing or invalid API key"),
  403: problem("The API key lacks the scope this route needs (read, write or erase)"),
  429: problem("Rate limited"),
};

export const security = [{ bearer: [] }];
