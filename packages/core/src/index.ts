// The public face of @worksite/core. Each area keeps its own index; this file only gathers them.
export * from "./errors.js";
export * from "./plugin/index.js";
export * from "./files/index.js";
export * from "./policy/index.js";
export * from "./secrets/index.js";
export * from "./audit/index.js";
export * from "./artifacts/index.js";
export * from "./gate/index.js";
export * from "./boundary/index.js";
export * from "./tools/index.js";
export * from "./sandbox/index.js";
export { ensureUntrusted, wrapUntrusted } from "./untrusted.js";
export * from "./text/plural.js";
export { parseDuration } from "./text/duration.js";
export {
  holderIsLive,
  processIsAlive,
  readLockHolder,
  tryFileLock,
  type HeldFileLock,
  type LockAttempt,
  type LockHolder,
} from "./audit/lock.js";
