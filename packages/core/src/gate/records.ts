// Approvals, grants, drafts, the artifact index and the audit log's lines as the records on disk
// they are, for commands that only read them (`worksite status`): the `@worksite/core/records`
// subpath, without the gate, the sandbox or the tools.
export { listApprovals, listGrants, readApproval } from "./approvals.js";
export { listDrafts, readDraft } from "./drafts.js";
export { DEFAULT_PENDING_APPROVALS } from "./limits.js";
export { readArtifactIndex } from "../artifacts/store.js";
export { parseLine, readLines } from "../audit/read.js";
export type * from "./types.js";
