import { withPlatform, withPlatformRole } from '#tenancy'
import { recordPlatformAudit } from '#audit'
import { containsRedaction } from '#jobs/failures'
import { JobDispatchException, type JobQueue } from '#jobs/job_queue'
import { jobs } from '#jobs/service'

/** Who asks for the retry (written to the platform audit log). */
export interface RetryRequest {
  failureId: number
  adminId: number
  ip?: string | null
}

/**
 * Outcome, as data: `retried` via BullMQ's failed set (same job id, fresh attempts) or by a
 * new dispatch of the stored payload; otherwise why not.
 */
export type RetryOutcome =
  | { status: 'retried'; via: 'failed_set' | 'redispatch'; jobId: string }
  | { status: 'not_found' }
  | { status: 'already_retried' }
  | { status: 'not_retryable'; reason: 'unknown_job' | 'payload_redacted' | 'refused' }

/**
 * Retry one recorded failure. The row is claimed first (`retried_at` set only if still
 * null), so two admins clicking at once retry once; the queue work happens outside any
 * transaction and the claim is released when nothing could be retried.
 */
export async function retryFailedJob(
  request: RetryRequest,
  queue: JobQueue = jobs()
): Promise<RetryOutcome> {
  const access = {
    actorType: 'platform_admin' as const,
    actorId: request.adminId,
    ip: request.ip ?? null,
    reason: `retry failed job #${request.failureId}`,
  }
  const claimed = await withPlatform(access, async (trx) => {
    const [row] = await trx
      .from('job_failures')
      .where('id', request.failureId)
      .whereNull('retried_at')
      .update({ retried_at: trx.raw('now()') })
      .returning(['id', 'queue', 'job_name', 'job_id', 'tenant_id', 'payload'])
    if (row) return { row }
    const exists = await trx.from('job_failures').where('id', request.failureId).first()
    return { missing: exists ? ('already_retried' as const) : ('not_found' as const) }
  })
  if (!claimed.row) return { status: claimed.missing! }
  const row = claimed.row

  const outcome = await requeue(queue, row)
  if (outcome.status !== 'retried') {
    await withPlatformRole((trx) =>
      trx.from('job_failures').where('id', row.id).update({ retried_at: null })
    )
    return outcome
  }
  await withPlatformRole((trx) =>
    recordPlatformAudit(trx, {
      actor: { type: 'platform_admin', id: request.adminId },
      action: 'job.retried',
      target: { type: 'job_failure', id: row.id },
      tenantId: row.tenant_id,
      ip: request.ip ?? null,
      metadata: { jobName: row.job_name, queue: row.queue, via: outcome.via },
    })
  )
  return outcome
}

async function requeue(
  queue: JobQueue,
  row: { id: number; queue: string; job_name: string; job_id: string | null; payload: unknown }
): Promise<RetryOutcome> {
  if (row.job_id && (await queue.retryFailed(row.queue, row.job_id))) {
    return { status: 'retried', via: 'failed_set', jobId: row.job_id }
  }
  const registry = await queue.registry()
  const jobClass = registry.get(row.job_name)
  if (!jobClass) return { status: 'not_retryable', reason: 'unknown_job' }
  if (containsRedaction(row.payload)) return { status: 'not_retryable', reason: 'payload_redacted' }
  try {
    const job = await queue.dispatch(jobClass, row.payload as never, {
      idempotencyKey: `retry-${row.id}`,
    })
    return { status: 'retried', via: 'redispatch', jobId: job.id }
  } catch (error) {
    if (error instanceof JobDispatchException) return { status: 'not_retryable', reason: 'refused' }
    throw error
  }
}
