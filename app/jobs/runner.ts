import type { Logger } from '@adonisjs/core/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  runAsTenant,
  tenantDirectory,
  tenantStorage,
  withPlatform,
  withTenant,
  type TenantRef,
} from '#tenancy'
import { PermanentJobError, type JobClass, type JobRunInfo } from '#jobs/job'
import type { JobRegistry } from '#jobs/job_registry'
import type { FailureRecorder } from '#jobs/failures'
import type { DriverJob } from '#jobs/drivers/driver'

/** Whether `value` is a valid `tenants.id` (positive safe integer). */
export function isTenantId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** A shop by id, straight from `tenants` (platform-global, no RLS), any status. */
export function findTenantById(id: number): Promise<TenantRef | null> {
  return tenantDirectory.findById(id)
}

/**
 * Executes one driver job: resolves the class from the registry and the shop from the
 * payload, runs `handle` in that shop's context (tenant jobs) or in no tenant context
 * (platform jobs), logs the outcome, and on the last allowed attempt writes the failure
 * record before re-throwing, so the record exists before the driver marks the job failed.
 */
export class JobRunner {
  constructor(
    private registry: () => Promise<JobRegistry>,
    private recordFailure: FailureRecorder,
    private logger: Logger
  ) {}

  run = async (job: DriverJob): Promise<void> => {
    const data = (job.data ?? {}) as Record<string, unknown>
    const tenantId = isTenantId(data.tenantId) ? data.tenantId : null
    const info: JobRunInfo = {
      id: job.id,
      name: job.name,
      queue: job.queue,
      attempt: job.attemptsMade + 1,
      attempts: job.attempts,
    }
    const log = this.logger.child({
      job: job.name,
      jobId: job.id,
      queue: job.queue,
      tenantId,
      attempt: info.attempt,
    })
    const started = performance.now()
    try {
      const registry = await this.registry()
      const jobClass = registry.get(job.name)
      if (!jobClass) {
        throw new PermanentJobError(`no job class named "${job.name}" in app/jobs/registry.ts`, {
          code: 'E_JOB_UNKNOWN',
        })
      }
      await this.#execute(jobClass, data, info, log)
      log.info({ ms: Math.round(performance.now() - started) }, 'job completed')
    } catch (error) {
      const permanent = error instanceof PermanentJobError
      const final = permanent || info.attempt >= info.attempts
      log[final ? 'error' : 'warn'](
        { err: error, ms: Math.round(performance.now() - started), final },
        final ? 'job failed' : 'job failed, will retry'
      )
      if (final) {
        await this.recordFailure({
          queue: job.queue,
          jobName: job.name,
          jobId: job.id,
          tenantId,
          payload: job.data,
          error,
          attempts: info.attempt,
        }).catch((recordError) => log.error({ err: recordError }, 'could not record job failure'))
      }
      throw error
    }
  }

  async #execute(
    jobClass: JobClass,
    data: Record<string, unknown>,
    info: JobRunInfo,
    logger: Logger
  ) {
    if (jobClass.scope === 'platform') {
      const instance = new jobClass()
      const ctx = {
        job: info,
        logger,
        withPlatform: <T>(reason: string, fn: (trx: TransactionClientContract) => Promise<T>) =>
          withPlatform({ actorType: 'job', reason: `${info.name}: ${reason}` }, fn),
      }
      return tenantStorage.exit(() => instance.handle(data, ctx))
    }

    if (!isTenantId(data.tenantId)) {
      throw new PermanentJobError(`job ${info.name} has no valid tenantId in its payload`, {
        code: 'E_JOB_TENANT_MISSING',
      })
    }
    const tenant = await findTenantById(data.tenantId)
    if (!tenant) {
      throw new PermanentJobError(`tenant ${data.tenantId} does not exist`, {
        code: 'E_JOB_TENANT_NOT_FOUND',
      })
    }
    const instance = new jobClass()
    const ctx = { tenant, job: info, logger }
    return runAsTenant(tenant, () =>
      jobClass.transaction
        ? withTenant(() => instance.handle(data as { tenantId: number }, ctx), tenant)
        : instance.handle(data as { tenantId: number }, ctx)
    )
  }
}
