// Where a thread stands, read from disk alone: the `@worksite/runtime/thread-state` subpath, for
// `worksite status`, which must not load the run loop, agents, memory or skills (issue 13 item 3).
export { readState, type GoalState, type ThreadState } from "./state.js";
export { threadStanding, type ThreadStanding } from "./standing.js";
export { liveLock, type LockInfo } from "./lock.js";
export { pendingMessages } from "./inbox.js";
export { currentStanding } from "./standing-state/index.js";
