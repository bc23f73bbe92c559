// The public face of @worksite/memory.
export { type EntryProblem, type MemoryEntry, type ParsedEntry, parseEntry, serialiseEntry } from "./entry-format.js";
export { type EntryMeta, type EntryMetaInput, entryMetaSchema, entryStatuses, entryTypes, keyOrder } from "./schema.js";
export {
  INDEX_FILE,
  type LoadedFile,
  loadFiles,
  type MemoryStore,
  type OpenMemoryOptions,
  openMemory,
  type Person,
  defaultPerson,
} from "./store.js";
export { listEntries, readMemory, type ReadOptions, type SearchHit, type SearchQuery, searchMemory } from "./search.js";
export { INDEX_MAX_LINES, renderIndex } from "./index-file.js";
export {
  type AuditOptions,
  type AuditReport,
  auditMemory,
  type Finding,
  type FindingKind,
  formatFinding,
} from "./audit.js";
export { commitHandEdits, type HandEdit, handEdits } from "./hand-edits.js";
export {
  acceptProposal,
  beginProposal,
  type ChangeContext,
  type ChangeResult,
  diffProposal,
  forgetMemory,
  listProposals,
  type ProposalInfo,
  proposalRef,
  rejectProposal,
  type WriteInput,
  writeMemory,
} from "./proposals.js";
export { type PulledEntry, type SyncOptions, type SyncResult, syncMemory } from "./sync.js";
export { type EntryOrigin, entryOrigins } from "./provenance.js";
export { memoryMergeDriver, mergeEntryText } from "./merge-driver.js";
export { assertNoCredentialsInUrl, credentialsFromEnv } from "./http-credentials.js";
export { assertCommittable, contentProblems } from "./guard.js";
export { hiddenReason } from "./visibility.js";
export { createMemoryPlugin, type MemoryPluginOptions } from "./tools.js";
export { default as memoryPlugin } from "./tools.js";
export { memoryAtRunStart, type RunStartMemory, type RunStartOptions } from "./run-start.js";
export type { FileSummary } from "./file-summary.js";
export { scanFiles } from "./scan-files.js";
