import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import queueConfig, { type QueueConfig } from '#config/queue'
import {
  JobQueue,
  type DispatchOptions,
  type DispatchedJob,
  type ScheduleOptions,
  type ScheduledJob,
} from '#jobs/job_queue'
import type { JobClass, PayloadOf } from '#jobs/job'
import type { JobRegistry } from '#jobs/job_registry'
import type { QueueDriver } from '#jobs/drivers/driver'
import { BullmqDriver } from '#jobs/drivers/bullmq_driver'
import { MemoryDriver } from '#jobs/drivers/memory_driver'

/** The driver `config` asks for (`QUEUE_DRIVER`). */
export function createDriver(config: QueueConfig = queueConfig, prefix?: string): QueueDriver {
  if (config.driver === 'memory') return new MemoryDriver(config.memory)
  return new BullmqDriver({
    ...config.bullmq,
    prefix: prefix ?? config.bullmq.prefix,
    logger: logger.child({ component: 'jobs' }),
  })
}

let registryLoading: Promise<JobRegistry> | undefined

/**
 * The app's job classes (app/jobs/registry.ts), imported on first use and kept: the import
 * runs once per process, not on every dispatch (a failed import is retried next time).
 */
export function appRegistry(): Promise<JobRegistry> {
  registryLoading ??= import('#jobs/registry').then(
    ({ registry }) => registry,
    (error) => {
      registryLoading = undefined
      throw error
    }
  )
  return registryLoading
}

let instance: JobQueue | undefined

/** This process's job queue, built from config/queue.ts on first use and closed when the app terminates. */
export function jobs(): JobQueue {
  if (!instance) {
    const created = new JobQueue({
      driver: createDriver(),
      registry: appRegistry,
      logger: logger.child({ component: 'jobs' }),
      inProcessConcurrency: queueConfig.memory.concurrency,
    })
    instance = created
    app.terminating(async () => {
      await created.close()
      if (instance === created) instance = undefined
    })
  }
  return instance
}

/** Enqueue a job on this process's queue; see {@link JobQueue.dispatch}. */
export function dispatch<C extends JobClass>(
  job: C,
  payload: PayloadOf<C>,
  options?: DispatchOptions
): Promise<DispatchedJob> {
  return jobs().dispatch(job, payload, options)
}

/** Create or replace a repeatable job; see {@link JobQueue.schedule}. */
export function schedule<C extends JobClass>(
  job: C,
  payload: PayloadOf<C>,
  options: ScheduleOptions
): Promise<ScheduledJob> {
  return jobs().schedule(job, payload, options)
}

/** Remove a repeatable job; see {@link JobQueue.unschedule}. */
export function unschedule(
  job: JobClass,
  scope?: { tenantId?: number; key?: string }
): Promise<boolean> {
  return jobs().unschedule(job, scope)
}

/** Upsert the platform's repeatable jobs (app/jobs/registry.ts `schedules`). */
export async function syncSchedules(): Promise<string[]> {
  const { schedules } = await import('#jobs/registry')
  return jobs().syncSchedules(schedules)
}
