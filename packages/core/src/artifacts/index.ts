export type * from "./types.js";
export {
  createArtifactStore,
  createPendingWrites,
  readArtifactIndex,
  ARTIFACT_INDEX,
  type ArtifactIndex,
  type ArtifactStoreOptions,
  type PendingWrites,
} from "./store.js";
export { writeFileAtomic, withFileLock } from "./atomic-file.js";
export { readEvidenceFile, type EvidenceRead } from "./read-evidence.js";
