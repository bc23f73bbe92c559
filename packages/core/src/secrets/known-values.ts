/**
 * Secret values worksite itself knows, redacted wherever they appear: the
 * person's seal key (issue 11 item 7), which signs approvals. It has no
 * pattern a rule could know, so the scanner looks for its exact value, in hex
 * either case, base64 and base64url.
 */
const values = new Map<string, string>();
const forgetHooks: (() => void)[] = [];
let version = 0;

/** Moves whenever the remembered values change, so a cache of redacted text knows when to start again. */
export function knownValuesVersion(): number {
  return version;
}

/** Redact `value` (and its usual encodings) as `kind` from now on in this process. */
export function rememberSecretBytes(bytes: Buffer, kind: string): void {
  if (bytes.length < 16) return;
  const hex = bytes.toString("hex");
  for (const v of [
    hex,
    hex.toUpperCase(),
    bytes.toString("base64"),
    bytes.toString("base64").replace(/=+$/, ""),
    bytes.toString("base64url"),
  ])
    values.set(v, kind);
  version++;
}

/** Forget every remembered value (tests). */
export function forgetSecretValues(): void {
  values.clear();
  version++;
  for (const hook of forgetHooks) hook();
}

/** Run `hook` when remembered values are forgotten (what caches a lookup of them resets with it). */
export function onForgetSecretValues(hook: () => void): void {
  forgetHooks.push(hook);
}

export function knownValueFindings(text: string): { kind: string; start: number; end: number }[] {
  if (values.size === 0) return [];
  const out: { kind: string; start: number; end: number }[] = [];
  for (const [value, kind] of values) {
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length))
      out.push({ kind, start: at, end: at + value.length });
  }
  return out;
}
