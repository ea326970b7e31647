/** A half-open span of time, [start, end): a period a query names ("in May 2023", "last week"). */
export interface TimeRange {
  start: Date;
  end: Date;
}
