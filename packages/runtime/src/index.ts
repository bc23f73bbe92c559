export { openSession, newRunId, auditPath, builtinPluginNames, type Session, type SessionOptions } from "./session.js";
export {
  inspectPlugins,
  loadPlugins,
  nearestPlugin,
  pluginBases,
  pluginPackageName,
  resolvePlugin,
} from "./load-plugins.js";
export type { InspectOptions, PluginParty, PluginReport } from "./load-plugins.js";
export { runThread, type RunOptions, type RunResult, type RunEvent } from "./run.js";
export { readState, writeState, statePath, goalStates, type GoalState, type ThreadState } from "./state.js";
export { threadStanding, type ThreadStanding } from "./standing.js";
export {
  acquireLock,
  readLock,
  liveLock,
  lockIsLive,
  lockPath,
  isRollback,
  withThreadLock,
  type HeldLock,
  type LockInfo,
} from "./lock.js";
export {
  sendMessage,
  pendingMessages,
  takeMessage,
  returnMessage,
  inboxDir,
  type InboxKind,
  type InboxMessage,
} from "./inbox.js";
export {
  recordCheckpoint,
  rollbackTo,
  undoRollback,
  listCheckpoints,
  changedSince,
  checkpointDiff,
  checkpointRef,
  notCheckpointed,
  type Checkpoint,
  type Restore,
  type Skipped,
} from "./checkpoint.js";
export {
  readRoundReport,
  renderRoundReport,
  progressPath,
  reportedRounds,
  REPORT_LIST_LIMIT,
  withFullLists,
  type ReportList,
} from "./report.js";
export {
  verifyGoal,
  failureSignature,
  failedChecks,
  type VerificationResult,
  type VerificationCheck,
} from "./verify.js";
export { decideRound, type RoundDecision, type RoundFacts } from "./decide.js";
export { renderRoundPrompt } from "./agents/prompt.js";
export { createScriptAgent, steeringStep, stepApplies } from "./agents/script.js";
export { createOpenAIAgent, openAIOptionsFrom, type OpenAIAgentOptions } from "./agents/openai.js";
export { createCommandAgent, type CommandAgentOptions } from "./agents/command.js";
export { agentFor, agentKinds, commandAgentHosts } from "./agents/select.js";
export type {
  Agent,
  AgentProcessSupport,
  AgentTools,
  AgentTurn,
  RoundContext,
  Step,
  CallRecord,
  ToolEndpoint,
} from "./agents/types.js";
export { createThreadPlugin } from "./thread-plugin.js";
// For hosts (the MCP server) that serve skills without depending on @worksite/skills directly.
export { discoverSkills } from "@worksite/skills";
export {
  auditRollback,
  rollbackThread,
  undoThreadRollback,
  canUndoRollback,
  withRollbackLock,
  type RollbackResult,
} from "./rollback.js";
export {
  RUN_MARK_ENV,
  runMark,
  markedProcesses,
  endMarked,
  killMarkedNow,
  sweepDeadRuns,
  runsDir,
  type RunRecord,
} from "./processes.js";
export {
  currentStanding,
  readStandingFile,
  readStandingSection,
  recordRoundStanding,
  renderFor,
  renderStanding,
  type Problem,
  type Standing,
} from "./standing-state/index.js";
export { parseManifest, readPluginManifest } from "./plugin-manifest.js";
