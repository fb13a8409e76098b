import type { JobBackoff } from '#jobs/job'

/** A job as a driver hands it to the processor. */
export interface DriverJob {
  id: string
  queue: string
  name: string
  /** The payload after a JSON round trip (what a worker in another process would see). */
  data: unknown
  /** Failed runs so far (0 on the first run). */
  attemptsMade: number
  /** Total runs allowed. */
  attempts: number
}

/**
 * Runs one job. Resolve = done; throw = failed run, retried with backoff while attempts
 * remain; throw a `PermanentJobError` = failed for good, no retry.
 */
export type JobProcessor = (job: DriverJob) => Promise<void>

/** How a driver should enqueue one job. */
export interface EnqueueOptions {
  /** Deterministic id: a second add with the same id is a no-op while the first is retained. */
  jobId?: string
  /** Milliseconds before the job becomes runnable. */
  delay?: number
  attempts: number
  backoff: JobBackoff
}

/** When a repeatable job fires: every N ms, or on a cron pattern (5 or 6 fields, UTC unless `tz`). */
export type RepeatRule =
  { every: number; pattern?: never; tz?: never } | { pattern: string; tz?: string; every?: never }

/** The job a scheduler creates on each tick. */
export interface ScheduleTemplate {
  name: string
  data: unknown
  attempts: number
  backoff: JobBackoff
}

/** Options for a consuming worker. */
export interface WorkOptions {
  /** Queue names; the memory driver also accepts `'*'` (every queue, used in-process). */
  queues: string[]
  /** Jobs run in parallel per queue. */
  concurrency: number
}

/** A running consumer; `close()` stops taking jobs and waits for the active ones. */
export interface WorkerHandle {
  /**
   * `force` = don't wait for active jobs, even after a graceful close already started
   * (BullMQ re-queues them once their lock expires).
   */
  close(force?: boolean): Promise<void>
}

/**
 * Transport behind `#jobs`: BullMQ on Redis, or in-process memory for demo mode and tests.
 * Both give the same guarantees the rest of the code relies on: at-least-once execution,
 * retries with the job's backoff, dedupe by `jobId`, repeatable schedules with stable ids,
 * a kept set of failed jobs that can be retried, and a graceful `close`.
 */
export interface QueueDriver {
  readonly kind: 'bullmq' | 'memory'
  /** True when dispatching in this process also runs the job here (memory). */
  readonly inProcess: boolean
  add(queue: string, name: string, data: unknown, options: EnqueueOptions): Promise<string>
  upsertSchedule(
    queue: string,
    id: string,
    rule: RepeatRule,
    template: ScheduleTemplate
  ): Promise<void>
  removeSchedule(queue: string, id: string): Promise<boolean>
  /** Ids of the schedules currently registered on `queue`. */
  listSchedules(queue: string): Promise<string[]>
  /** Move a job from the failed set back to waiting with fresh attempts; false if it is gone. */
  retryFailed(queue: string, jobId: string): Promise<boolean>
  work(processor: JobProcessor, options: WorkOptions): Promise<WorkerHandle>
  /** Stop workers (waiting for active jobs unless `force`), timers and connections. */
  close(force?: boolean): Promise<void>
}

/** BullMQ's exponential/fixed formulas: `n` = failures so far (1 for the first retry). */
export function backoffDelay(backoff: JobBackoff, n: number): number {
  if (backoff.type === 'fixed') return backoff.delay
  return Math.round(2 ** (n - 1) * backoff.delay)
}
