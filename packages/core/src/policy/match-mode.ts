/**
 * How generously a rule's pattern is read. Rules that restrict (forbidden, confirm,
 * draft, read-only) are read generously: case-insensitive where a server or file
 * system might be, and matching if ANY reading of the target matches. `allow` rules
 * are read strictly: exact case, and EVERY reading of the target must match. So an
 * ambiguous target can lose an allow but never escape a restriction.
 */
export type MatchMode = "strict" | "generous";
