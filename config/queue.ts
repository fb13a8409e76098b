import env from '#start/env'
import type { KeepJobs, RedisOptions } from 'bullmq'

/** Settings of the job system (`#jobs`); see app/jobs/job_queue.ts. */
export interface QueueConfig {
  /** `bullmq` (Redis; production) or `memory` (in-process; demo mode and tests). */
  driver: 'bullmq' | 'memory'
  bullmq: {
    connection: RedisOptions
    /** Redis key prefix of every queue: one per deployment / test run sharing a Redis. */
    prefix: string
    /** Completed jobs kept; also how long an idempotency key dedupes (age in seconds). */
    removeOnComplete: KeepJobs
    /** Failed jobs kept in BullMQ's failed set, for retry from the admin page. */
    removeOnFail: KeepJobs
    /** Lock of an active job, ms (renewed while it runs; a dead worker's job is retried after it). */
    lockDuration: number
  }
  memory: {
    /** Jobs run in parallel per queue inside the web process. */
    concurrency: number
    keepCompleted: number
    keepFailed: number
  }
  /** `node ace queue:work` default concurrency per queue (overridden by `--concurrency`). */
  workerConcurrency: number
}

const queueConfig: QueueConfig = {
  driver: env.get('QUEUE_DRIVER'),
  bullmq: {
    connection: {
      host: env.get('REDIS_HOST'),
      port: env.get('REDIS_PORT'),
      password: env.get('REDIS_PASSWORD')?.release() || undefined,
    },
    prefix: env.get('QUEUE_PREFIX') ?? 'lianka',
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
    lockDuration: 60_000,
  },
  memory: { concurrency: 2, keepCompleted: 10_000, keepFailed: 1_000 },
  workerConcurrency: 5,
}

export default queueConfig
