export { type Clock, createManualClock, type ManualClock, systemClock } from "./clock.js";
export { scheduleFor, wakesBetween, type Schedule } from "./schedule.js";
export { jitterFor, JITTER_CAP_MS } from "./jitter.js";
export {
  listWakeRecords,
  markRead,
  readWakeRecord,
  readWakeState,
  wakeId,
  wakeOutcomes,
  wakesDir,
  type WakeOutcome,
  type WakeRecord,
  type WakeState,
} from "./records.js";
export { applyPromotion, cleanWakesSince, demote, PROMOTE_TOOL, proposePromotion } from "./rollout.js";
export { withStage } from "./stage-line.js";
export {
  needsPerson,
  recordSkip,
  type RoundRunner,
  wakeThread,
  type WakeOptions,
  whyNotWake,
} from "./wake-thread.js";
export {
  DEFAULT_WAKE_EXPIRY_MS,
  MAX_SLEEP_MS,
  startScheduler,
  type Scheduler,
  type SchedulerOptions,
} from "./scheduler.js";
export { roundRunner } from "./round-runner.js";
export {
  QUEUE_NAME,
  redisOptions,
  schedulerId,
  startQueueWorker,
  type QueueWorker,
  type QueueWorkerOptions,
} from "./queue.js";
export { LAUNCHD_LABEL, launchdPlist, systemdUnit, type InstallOptions } from "./install.js";
export { driftDiagnostic } from "./drift.js";
export { wakeStanding, type WakeStanding } from "./standing.js";
export { automationRunsDir, readAutomations, runAutomation, type ScheduledAutomation } from "./scheduled.js";
