import {
  Queue,
  Worker,
  UnrecoverableError,
  type Job,
  type KeepJobs,
  type RedisOptions,
} from 'bullmq'
import type { Logger } from '@adonisjs/core/logger'
import { PermanentJobError } from '#jobs/job'
import type {
  EnqueueOptions,
  JobProcessor,
  QueueDriver,
  RepeatRule,
  ScheduleTemplate,
  WorkOptions,
  WorkerHandle,
} from '#jobs/drivers/driver'

/** Settings of the BullMQ driver (config/queue.ts). */
export interface BullmqDriverOptions {
  connection: RedisOptions
  /** Redis key prefix of every queue (`<prefix>:<queue>:…`); separates apps and test runs. */
  prefix: string
  /** Completed jobs kept (this is also how long an idempotency key dedupes). */
  removeOnComplete: KeepJobs
  /** Failed jobs kept in BullMQ's failed set (the durable record is `job_failures`). */
  removeOnFail: KeepJobs
  /** Lock duration of an active job, ms (renewed while it runs). */
  lockDuration?: number
  logger: Logger
}

/** Production driver: BullMQ queues and workers on Redis. */
export class BullmqDriver implements QueueDriver {
  readonly kind = 'bullmq' as const
  readonly inProcess = false
  #queues = new Map<string, Queue>()
  #workers = new Set<Worker>()

  constructor(private options: BullmqDriverOptions) {}

  #queue(name: string): Queue {
    let queue = this.#queues.get(name)
    if (!queue) {
      queue = new Queue(name, {
        connection: this.options.connection,
        prefix: this.options.prefix,
        defaultJobOptions: {
          removeOnComplete: this.options.removeOnComplete,
          removeOnFail: this.options.removeOnFail,
        },
      })
      queue.on('error', (error) =>
        this.options.logger.error({ err: error, queue: name }, 'queue error')
      )
      this.#queues.set(name, queue)
    }
    return queue
  }

  async add(queue: string, name: string, data: unknown, options: EnqueueOptions): Promise<string> {
    const job = await this.#queue(queue).add(name, data, {
      jobId: options.jobId,
      delay: options.delay,
      attempts: options.attempts,
      backoff: options.backoff,
    })
    return String(job.id)
  }

  async upsertSchedule(queue: string, id: string, rule: RepeatRule, template: ScheduleTemplate) {
    await this.#queue(queue).upsertJobScheduler(id, rule, {
      name: template.name,
      data: template.data,
      opts: { attempts: template.attempts, backoff: template.backoff },
    })
  }

  async removeSchedule(queue: string, id: string): Promise<boolean> {
    return this.#queue(queue).removeJobScheduler(id)
  }

  async listSchedules(queue: string): Promise<string[]> {
    const schedulers = await this.#queue(queue).getJobSchedulers(0, -1, true)
    return schedulers.map((scheduler) => scheduler.key)
  }

  async retryFailed(queue: string, jobId: string): Promise<boolean> {
    const job = await this.#queue(queue).getJob(jobId)
    if (!job || !(await job.isFailed())) return false
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })
    return true
  }

  async work(processor: JobProcessor, options: WorkOptions): Promise<WorkerHandle> {
    const workers = options.queues.map((queue) => {
      const worker = new Worker(queue, (job: Job) => this.#process(processor, queue, job), {
        connection: { ...this.options.connection, maxRetriesPerRequest: null },
        prefix: this.options.prefix,
        concurrency: options.concurrency,
        ...(this.options.lockDuration ? { lockDuration: this.options.lockDuration } : {}),
        removeOnComplete: this.options.removeOnComplete,
        removeOnFail: this.options.removeOnFail,
      })
      worker.on('error', (error) =>
        this.options.logger.error({ err: error, queue }, 'worker error')
      )
      this.#workers.add(worker)
      return worker
    })
    await Promise.all(workers.map((worker) => worker.waitUntilReady()))
    return {
      close: async (force = false) => {
        for (const worker of workers) this.#workers.delete(worker)
        await closeWorkers(workers, force)
      },
    }
  }

  async #process(processor: JobProcessor, queue: string, job: Job) {
    try {
      await processor({
        id: String(job.id),
        queue,
        name: job.name,
        data: job.data,
        attemptsMade: job.attemptsMade,
        attempts: Math.max(1, job.opts.attempts ?? 1),
      })
    } catch (error) {
      if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message)
      throw error
    }
  }

  async close(force = false) {
    const workers = [...this.#workers]
    this.#workers.clear()
    await closeWorkers(workers, force)
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()))
    this.#queues.clear()
  }
}

/**
 * Graceful: `worker.close()` waits for active jobs. Forced: a pending graceful close would
 * swallow `close(true)`, so the connections are dropped as well; that is what stops a
 * worker stuck behind a job that never returns (BullMQ re-queues it when its lock expires).
 */
async function closeWorkers(workers: Worker[], force: boolean) {
  if (!force) {
    await Promise.all(workers.map((worker) => worker.close()))
    return
  }
  for (const worker of workers) void worker.close(true).catch(() => {})
  await Promise.all(workers.map((worker) => worker.disconnect()))
}
