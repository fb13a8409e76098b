import { withPlatform } from '#tenancy'

/** One verification run as the admin page shows it. */
export interface VerificationView {
  id: number
  startedAt: Date
  finishedAt: Date | null
  /** `running` until the run closes its row. */
  status: 'running' | 'ok' | 'failed'
  trigger: string | null
  checked: Record<string, unknown>
  /** Pretty JSON of the first problem, or null. */
  problem: string | null
  problemSource: string | null
  digestPath: string | null
  digestSha256: string | null
}

/** The latest runs, newest first (an audited platform read: the table is platform-only). */
export async function listVerifications(input: {
  adminId: number
  ip?: string | null
  limit?: number
}): Promise<VerificationView[]> {
  const rows = await withPlatform(
    {
      actorType: 'platform_admin',
      actorId: input.adminId,
      ip: input.ip ?? null,
      reason: 'list ledger verifications',
    },
    (trx) =>
      trx
        .from('ledger_verifications')
        .select('*')
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(input.limit ?? 20, 1), 100))
  )
  return rows.map((row: Record<string, any>) => {
    const checked = (row.checked ?? {}) as Record<string, unknown>
    const problem = row.first_problem as Record<string, unknown> | null
    return {
      id: Number(row.id),
      startedAt: new Date(row.started_at),
      finishedAt: row.finished_at ? new Date(row.finished_at) : null,
      status: !row.finished_at ? 'running' : row.ok ? 'ok' : 'failed',
      trigger: typeof checked.trigger === 'string' ? checked.trigger : null,
      checked,
      problem: problem ? JSON.stringify(problem, null, 2) : null,
      problemSource: problem && typeof problem.source === 'string' ? problem.source : null,
      digestPath: row.digest_path ?? null,
      digestSha256: row.digest_sha256 ? String(row.digest_sha256).trim() : null,
    }
  })
}
