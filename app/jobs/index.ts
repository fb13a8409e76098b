/**
 * Jobs engine: the only entry point other code imports (`#jobs`).
 *
 * Define a job by extending `TenantJob` (payload carries `tenantId`; runs under that shop's
 * RLS scope) or `PlatformJob` (explicitly cross-tenant; uses `ctx.withPlatform`), list it in
 * app/jobs/registry.ts, then `dispatch(MyJob, payload)` / `schedule(MyJob, payload, { every })`.
 * `QUEUE_DRIVER=bullmq` runs jobs in `node ace queue:work`; `memory` runs them in-process.
 */
export { TenantJob, PlatformJob, PermanentJobError } from '#jobs/job'
export type {
  TenantPayload,
  JobBackoff,
  JobRunInfo,
  TenantJobContext,
  PlatformJobContext,
  JobSettings,
  JobClass,
  PayloadOf,
} from '#jobs/job'
export { JobRegistry } from '#jobs/job_registry'
export { JobQueue, JobDispatchException, defineSchedule } from '#jobs/job_queue'
export type {
  DispatchOptions,
  DispatchedJob,
  ScheduleOptions,
  ScheduledJob,
  ScheduleDefinition,
  JobQueueOptions,
  JobWorkOptions,
} from '#jobs/job_queue'
export {
  jobs,
  dispatch,
  schedule,
  unschedule,
  syncSchedules,
  createDriver,
  appRegistry,
} from '#jobs/service'
export { BullmqDriver } from '#jobs/drivers/bullmq_driver'
export type { BullmqDriverOptions } from '#jobs/drivers/bullmq_driver'
export { MemoryDriver } from '#jobs/drivers/memory_driver'
export type { MemoryDriverOptions } from '#jobs/drivers/memory_driver'
export type {
  QueueDriver,
  DriverJob,
  JobProcessor,
  EnqueueOptions,
  RepeatRule,
  ScheduleTemplate,
  WorkOptions,
  WorkerHandle,
} from '#jobs/drivers/driver'
export {
  redactPayload,
  isSecretKey,
  summarizeError,
  recordJobFailure,
  REDACTED,
} from '#jobs/failures'
export type { JobFailure, FailureRecorder } from '#jobs/failures'
export { listFailedJobs } from '#jobs/platform/list_failed_jobs'
export type { FailedJobView, FailedJobsPage } from '#jobs/platform/list_failed_jobs'
export { retryFailedJob } from '#jobs/platform/retry_failed_job'
export type { RetryRequest, RetryOutcome } from '#jobs/platform/retry_failed_job'
