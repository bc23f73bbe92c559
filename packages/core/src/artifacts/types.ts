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
  /**
   * The bytes. With `background`, they may still be coming (a screenshot being taken while its name is reserved):
   * a promise that resolves to undefined cancels the write (the reserved name is removed, nothing is listed), and
   * `onWrite` hears of the artifact only once its bytes are there.
   */
  data: string | Uint8Array | Promise<Uint8Array | undefined>;
  meta?: Record<string, unknown>;
  /**
   * Return as soon as the file's name is taken, and write the data and its index entry after: for
   * evidence the call itself does not read back (a screenshot), so writing it does not hold up the
   * call. Only a store with a `pending` tracker defers; whoever made the tracker awaits it before
   * anything reads the artifacts (the gate's `settled()` and `dispose()`).
   */
  background?: boolean;
}

export interface ArtifactStore {
  /** Redacts text data, writes under artifacts/round-N/ and lists it in artifacts/index.json. */
  write(input: ArtifactInput): Promise<ArtifactRef>;
  list(filter?: { round?: number; kind?: ArtifactKind }): Promise<ArtifactRef[]>;
}
