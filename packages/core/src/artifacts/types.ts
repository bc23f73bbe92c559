export type ArtifactKind =
  | "markdown"
  | "table"
  | "screenshot"
  | "diff"
  | "test-result"
  | "log"
  | "draft"
  | "download"
  | "json";

export interface ArtifactRef {
  /** Path relative to the worksite root, with forward slashes: `artifacts/round-3/home.png`. */
  path: string;
  kind: ArtifactKind;
  round: number;
  run: string;
  created: string;
  /** Tool call that produced it, if any, and its audit entry. */
  tool?: string;
  auditSeq?: number;
  meta?: Record<string, unknown>;
}

export interface ArtifactInput {
  /** File name wanted; made unique within the round folder. */
  name: string;
  kind: ArtifactKind;
  data: string | Uint8Array;
  meta?: Record<string, unknown>;
}

export interface ArtifactStore {
  /** Redacts text data, writes under artifacts/round-N/ and lists it in artifacts/index.json. */
  write(input: ArtifactInput): Promise<ArtifactRef>;
  list(filter?: { round?: number; kind?: ArtifactKind }): Promise<ArtifactRef[]>;
}
