import { createHash } from 'node:crypto'
import { Exception } from '@adonisjs/core/exceptions'
import type { Logger } from '@adonisjs/core/logger'
import { currentTenant } from '#tenancy'
import type { JobClass, PayloadOf } from '#jobs/job'
import type { JobRegistry } from '#jobs/job_registry'
import { recordJobFailure, type FailureRecorder } from '#jobs/failures'
import { JobRunner, isTenantId } from '#jobs/runner'
import type { QueueDriver, RepeatRule, WorkerHandle } from '#jobs/drivers/driver'

/** Options of {@link JobQueue.dispatch}. */
export interface DispatchOptions {
  /** Milliseconds before the job may run. */
  delay?: number
  /**
   * Deterministic identity of this unit of work (an order id, a webhook event id). The same
   * job class + tenant + key is enqueued once while the first job is retained (see
   * `removeOnComplete` in config/queue.ts); later dispatches return the first job's id.
   * This dedupes dispatches; handlers must still be idempotent (runs are at least once).
   */
  idempotencyKey?: string
}

/** What a dispatch enqueued (or found already enqueued, with an idempotency key). */
export interface DispatchedJob {
  id: string
  queue: string
  name: string
}

/** When a repeatable job fires, plus an optional `key` to run several schedules of one job per tenant. */
export type ScheduleOptions = RepeatRule & { key?: string }

/** A registered schedule; the id is deterministic (job name, tenant, key). */
export interface ScheduledJob {
  id: string
  queue: string
  name: string
}

/** One entry of the `schedules` list in app/jobs/registry.ts. Build it with {@link defineSchedule}. */
export interface ScheduleDefinition {
  job: JobClass
  payload: object
  repeat: ScheduleOptions
}

/** A type-checked {@link ScheduleDefinition}. */
export function defineSchedule<C extends JobClass>(
  job: C,
  payload: PayloadOf<C>,
  repeat: ScheduleOptions
): ScheduleDefinition {
  return { job, payload: payload as object, repeat }
}

/** A dispatch or schedule call the queue refuses (programming error, never retried). */
export class JobDispatchException extends Exception {
  static status = 500
}

/** What a {@link JobQueue} is built from. */
export interface JobQueueOptions {
  driver: QueueDriver
  /** The job classes this queue may enqueue and run (lazy, to keep job modules cycle-free). */
  registry: () => Promise<JobRegistry>
  logger: Logger
  /** Defaults to a `job_failures` row (see failures.ts). */
  recordFailure?: FailureRecorder
  /** In-process drivers: jobs run in parallel per queue. */
  inProcessConcurrency?: number
}

/** Options of {@link JobQueue.work}. */
export interface JobWorkOptions {
  /** Queues to consume; default: every queue a registered job uses. */
  queues?: string[]
  /** Jobs run in parallel per queue. */
  concurrency: number
}

const SAFE_KEY = /^[A-Za-z0-9._~-]{1,32}$/

/** Idempotency keys and schedule keys become part of a Redis job id: short, safe, no `:`. */
function keyPart(key: string): string {
  return SAFE_KEY.test(key)
    ? key
    : `h${createHash('sha256').update(key).digest('hex').slice(0, 24)}`
}

function scopePart(job: JobClass, payload: object): string {
  return job.scope === 'tenant' ? `t${(payload as { tenantId: number }).tenantId}` : 'p'
}

/**
 * The job system behind `#jobs`: type-checked dispatch and schedules over a driver, and the
 * worker loop that runs them through {@link JobRunner}. One instance per process in the
 * app (`jobs()`); tests build their own with their own driver, registry and Redis prefix.
 */
export class JobQueue {
  readonly driver: QueueDriver
  #options: JobQueueOptions
  #runner: JobRunner
  #inProcess?: Promise<WorkerHandle>
  #closing?: Promise<void>

  constructor(options: JobQueueOptions) {
    this.#options = options
    this.driver = options.driver
    this.#runner = new JobRunner(
      options.registry,
      options.recordFailure ?? recordJobFailure,
      options.logger
    )
  }

  /**
   * Enqueue `payload` for `job`. Type-checked against the class's payload; tenant jobs must
   * carry a valid `tenantId` (checked here too) and, when dispatched while a shop is the
   * tenant in context, that shop's id: a request for shop A cannot queue work for shop B. Returns once the job is stored (memory:
   * it then runs in this process, after this call returns).
   *
   * Dispatch after the transaction that wrote the job's inputs has committed: a worker may
   * pick the job up at once and would not see uncommitted rows.
   */
  async dispatch<C extends JobClass>(
    job: C,
    payload: PayloadOf<C>,
    options: DispatchOptions = {}
  ): Promise<DispatchedJob> {
    await this.#check(job, payload)
    const delay = options.delay ?? 0
    if (!Number.isInteger(delay) || delay < 0) {
      throw new JobDispatchException(`delay must be a whole number of ms`, {
        code: 'E_JOB_BAD_OPTIONS',
      })
    }
    let jobId: string | undefined
    if (options.idempotencyKey !== undefined) {
      if (typeof options.idempotencyKey !== 'string' || !options.idempotencyKey.length) {
        throw new JobDispatchException('idempotencyKey must be a non-empty string', {
          code: 'E_JOB_BAD_OPTIONS',
        })
      }
      jobId = `${job.jobName}|${scopePart(job, payload as object)}|${keyPart(options.idempotencyKey)}`
    }
    await this.#startInProcess()
    const id = await this.driver.add(job.queue, job.jobName, payload, {
      jobId,
      delay,
      attempts: job.attempts,
      backoff: job.backoff,
    })
    return { id, queue: job.queue, name: job.jobName }
  }

  /**
   * Create or replace a repeatable job: every `every` ms or on the cron `pattern`. The id is
   * derived from job name, tenant and `key`, so calling this again updates the schedule.
   */
  async schedule<C extends JobClass>(
    job: C,
    payload: PayloadOf<C>,
    options: ScheduleOptions
  ): Promise<ScheduledJob> {
    await this.#check(job, payload)
    const { key, ...rule } = options
    const hasEvery = rule.every !== undefined
    const hasPattern = rule.pattern !== undefined
    if (
      hasEvery === hasPattern ||
      (hasEvery && (!Number.isInteger(rule.every) || rule.every! < 1))
    ) {
      throw new JobDispatchException('schedule needs either every (ms) or pattern (cron)', {
        code: 'E_JOB_BAD_OPTIONS',
      })
    }
    const id = this.scheduleId(job, payload as object, key)
    await this.#startInProcess()
    await this.driver.upsertSchedule(job.queue, id, rule as RepeatRule, {
      name: job.jobName,
      data: payload,
      attempts: job.attempts,
      backoff: job.backoff,
    })
    return { id, queue: job.queue, name: job.jobName }
  }

  /** Remove the schedule {@link schedule} created for this job, tenant and key. */
  async unschedule(
    job: JobClass,
    scope: { tenantId?: number; key?: string } = {}
  ): Promise<boolean> {
    if (job.scope === 'tenant' && !isTenantId(scope.tenantId)) {
      throw new JobDispatchException(
        `unschedule of ${job.jobName} needs the tenantId it was scheduled for`,
        {
          code: 'E_JOB_TENANT_MISSING',
        }
      )
    }
    return this.driver.removeSchedule(job.queue, this.scheduleId(job, scope, scope.key))
  }

  /** The deterministic schedule id for a job class, payload scope and key. */
  scheduleId(job: JobClass, payload: object, key?: string): string {
    return `${job.jobName}|${scopePart(job, payload)}${key === undefined ? '' : `|${keyPart(key)}`}`
  }

  /** Upsert every definition (app/jobs/registry.ts `schedules`); returns the ids. */
  async syncSchedules(definitions: readonly ScheduleDefinition[]): Promise<string[]> {
    const ids: string[] = []
    for (const { job, payload, repeat } of definitions) {
      const scheduled = await this.schedule(job, payload as never, repeat)
      ids.push(scheduled.id)
    }
    return ids
  }

  /**
   * Consume queues in this process until the returned handle is closed. For BullMQ this is
   * the worker (`node ace queue:work`); the memory driver starts its own in-process worker
   * on first use and refuses a second one.
   */
  async work(options: JobWorkOptions): Promise<WorkerHandle> {
    const registry = await this.#options.registry()
    const queues = options.queues?.length ? options.queues : registry.queues()
    return this.driver.work(this.#runner.run, { queues, concurrency: options.concurrency })
  }

  /** The job classes this queue accepts and runs. */
  registry(): Promise<JobRegistry> {
    return this.#options.registry()
  }

  /** Put a failed job back on its queue with fresh attempts; false when the driver no longer has it. */
  async retryFailed(queue: string, jobId: string): Promise<boolean> {
    await this.#startInProcess()
    return this.driver.retryFailed(queue, jobId)
  }

  /**
   * Stop: in-process worker first (active jobs finish), then the driver's connections.
   * `force` does not wait for active jobs, also when a graceful close is already under way.
   */
  close(force = false): Promise<void> {
    const stop = async () => {
      await this.#inProcess?.then(
        (worker) => worker.close(force),
        () => {}
      )
      await this.driver.close(force)
    }
    if (force) {
      this.#closing ??= Promise.resolve()
      return stop()
    }
    this.#closing ??= stop()
    return this.#closing
  }

  async #startInProcess() {
    if (!this.driver.inProcess || this.#closing) return
    this.#inProcess ??= this.work({
      queues: ['*'],
      concurrency: this.#options.inProcessConcurrency ?? 2,
    })
    await this.#inProcess
  }

  async #check(job: JobClass, payload: unknown) {
    if (this.#closing)
      throw new JobDispatchException('the job queue is closed', { code: 'E_JOB_QUEUE_CLOSED' })
    const registry = await this.#options.registry()
    if (!registry.has(job)) {
      throw new JobDispatchException(
        `job class ${job.name} is not listed in app/jobs/registry.ts`,
        {
          code: 'E_JOB_UNREGISTERED',
        }
      )
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new JobDispatchException(`job ${job.jobName} needs an object payload`, {
        code: 'E_JOB_BAD_PAYLOAD',
      })
    }
    if (job.scope !== 'tenant') return
    const tenantId = (payload as { tenantId?: unknown }).tenantId
    if (!isTenantId(tenantId)) {
      throw new JobDispatchException(`job ${job.jobName} needs payload.tenantId (a tenants.id)`, {
        code: 'E_JOB_TENANT_MISSING',
      })
    }
    const current = currentTenant()
    if (current && current.id !== tenantId) {
      throw new JobDispatchException(
        `job ${job.jobName} for tenant ${tenantId} dispatched from tenant ${current.id}`,
        { code: 'E_JOB_TENANT_MISMATCH' }
      )
    }
  }
}
