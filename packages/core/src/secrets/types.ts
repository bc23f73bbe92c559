export interface SecretFinding {
  /** Kind of secret: "aws-access-key-id", "github-token", "private-key", "jwt", "password-in-url", "high-entropy-assignment" … */
  kind: string;
  /** Offsets into the scanned text, [start, end). */
  start: number;
  end: number;
  /** 1-based. */
  line: number;
  column: number;
}
