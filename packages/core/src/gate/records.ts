// Approvals, grants and drafts as the records on disk they are, for commands that only list them
// (`worksite status`): the `@worksite/core/records` subpath, without the gate, the sandbox or the tools.
export { listApprovals, listGrants, readApproval } from "./approvals.js";
export { listDrafts, readDraft } from "./drafts.js";
export type * from "./types.js";
