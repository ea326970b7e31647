/** The filter grammar (shared/domain/filter-grammar.ts) as a type, for clients that write filters. */
type Scalar = string | number | boolean;

type Operators = {
  $eq?: Scalar;
  $ne?: Scalar;
  $in?: Scalar[];
  $nin?: Scalar[];
  $gt?: number | string;
  $gte?: number | string;
  $lt?: number | string;
  $lte?: number | string;
};

/** A filter as a request writes it: the server parses and checks it (a 400 says what is wrong). */
export type FilterJson = {
  $and?: FilterJson[];
  $or?: FilterJson[];
  createdAt?: { $gt?: string; $gte?: string; $lt?: string; $lte?: string };
} & { [field: `metadata.${string}`]: Scalar | Operators };
