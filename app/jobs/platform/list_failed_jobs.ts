import { withPlatform } from '#tenancy'

/** One row of the failed-jobs page (payload already redacted when it was recorded). */
export interface FailedJobView {
  id: number
  queue: string
  jobName: string
  jobId: string | null
  tenantId: number | null
  tenantSlug: string | null
  /** Pretty JSON of the redacted payload, cut to a readable length. */
  payload: string
  /** First lines of the error (no stack). */
  error: string
  attempts: number
  failedAt: Date
  retriedAt: Date | null
}

/** A page of failures, newest first. */
export interface FailedJobsPage {
  rows: FailedJobView[]
  page: number
  lastPage: number
  total: number
  perPage: number
}

const MAX_PAYLOAD_CHARS = 2000

/**
 * Failed jobs for platform admins, newest first. `job_failures` spans every shop and only
 * the platform role may read it, so the read is an audited `withPlatform` access.
 */
export async function listFailedJobs(
  input: { page?: number; perPage?: number; adminId?: number | null; ip?: string | null } = {}
): Promise<FailedJobsPage> {
  const perPage = Math.min(Math.max(input.perPage ?? 25, 1), 100)
  const page = Math.max(Math.trunc(input.page ?? 1) || 1, 1)
  const result = await withPlatform(
    {
      actorType: 'platform_admin',
      actorId: input.adminId ?? null,
      ip: input.ip ?? null,
      reason: 'list failed jobs',
    },
    (trx) =>
      trx
        .from('job_failures as f')
        .leftJoin('tenants as t', 't.id', 'f.tenant_id')
        .select(
          'f.id',
          'f.queue',
          'f.job_name',
          'f.job_id',
          'f.tenant_id',
          't.slug as tenant_slug',
          'f.payload',
          'f.error',
          'f.attempts',
          'f.failed_at',
          'f.retried_at'
        )
        .orderBy('f.failed_at', 'desc')
        .orderBy('f.id', 'desc')
        .paginate(page, perPage)
  )

  const rows = result.all().map((row) => {
    const payload = JSON.stringify(row.payload, null, 2) ?? '{}'
    return {
      id: Number(row.id),
      queue: row.queue,
      jobName: row.job_name,
      jobId: row.job_id,
      tenantId: row.tenant_id === null ? null : Number(row.tenant_id),
      tenantSlug: row.tenant_slug ?? null,
      payload:
        payload.length > MAX_PAYLOAD_CHARS ? `${payload.slice(0, MAX_PAYLOAD_CHARS)}…` : payload,
      error: row.error,
      attempts: Number(row.attempts),
      failedAt: new Date(row.failed_at),
      retriedAt: row.retried_at ? new Date(row.retried_at) : null,
    }
  })
  return { rows, page: result.currentPage, lastPage: result.lastPage, total: result.total, perPage }
}
