import { z } from "zod";

/** Kinds of entry a person or an agent may write. Kept small so `type:` typos are caught. */
export const entryTypes = [
  "fact",
  "preference",
  "decision",
  "procedure",
  "reference",
  "lesson",
  "person",
  "project",
] as const;
export const entryStatuses = ["active", "superseded", "conflicted"] as const;

const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const dateLike = /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const date = z.string().regex(dateLike, "expected a date such as 2025-01-31");

/**
 * The frontmatter of one entry, after YAML dates were turned back into strings.
 * A person writes `name`, `description` and `type`; `source`, `created` and
 * `updated` are filled by `worksite memory commit` (from git and the person's
 * identity) and by the memory tools, so a hand-written entry is valid before that too.
 */
export const entryMetaSchema = z
  .object({
    name: z.string().regex(kebab, "expected kebab-case, such as use-pnpm"),
    description: z
      .string()
      .min(1, "a one-line description is needed: the index shows it")
      .refine((s) => !s.includes("\n"), "the description must be one line"),
    type: z.enum(entryTypes),
    tags: z.array(z.string().regex(kebab, "tags are kebab-case")).default([]),
    scope: z.string().min(1).default("global"),
    source: z.string().min(1, "say where it came from: a run id, a person or a URL").optional(),
    created: date.optional(),
    updated: date.optional(),
    expires: date.optional(),
    confidence: z.union([z.number().min(0).max(1), z.enum(["low", "medium", "high"])]).optional(),
    status: z.enum(entryStatuses).default("active"),
  })
  .catchall(z.unknown());

export type EntryMeta = z.output<typeof entryMetaSchema>;
export type EntryMetaInput = z.input<typeof entryMetaSchema>;

/** The order keys are written in, so a changed value is a one-line diff. Unknown keys follow, sorted. */
export const keyOrder = [
  "name",
  "description",
  "type",
  "tags",
  "scope",
  "source",
  "created",
  "updated",
  "expires",
  "confidence",
  "status",
] as const;

/** What to write instead, per field: shown under a schema problem in place of the validator's wording. */
export const fieldHints: Record<string, string> = {
  name: "kebab-case, the same as the file name without .md, e.g. name: use-pnpm",
  description: "one line saying what the entry holds, e.g. description: We build with pnpm, not npm",
  type: `one of ${entryTypes.join(", ")}`,
  tags: "a list of kebab-case words, e.g. tags: [build, ci]",
  scope: "where it applies, e.g. scope: global or scope: packages/cli",
  source:
    "who or what it came from, e.g. source: Ada Lovelace <ada@example.com>, or leave it out: memory commit fills it",
  created: "a date such as 2025-01-31, or leave it out: memory commit fills it",
  updated: "a date such as 2025-01-31, or leave it out: memory commit fills it",
  expires: "a date such as 2025-12-31, or leave it out",
  confidence: "a number from 0 to 1, or low, medium or high",
  status: `one of ${entryStatuses.join(", ")}`,
};
