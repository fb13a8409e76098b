import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * The one query of each benchmark page (docs/benchmarks.md). Bench-only code: it lives
 * next to its controller instead of in app/actions because it is not a use case.
 *
 * Both select the same columns, ordered the same way, limited to the same count, from two
 * tables of identical shape seeded with identical rows by benchmarks/tenancy.ts:
 * `audit_events` (tenant table, forced RLS) and `bench_baseline_events`, a copy of its
 * definition without RLS that exists only in the benchmark database (created by the
 * script, readable by the `app` role). Both run as the `app` role on the `app` pool.
 */
export const BASELINE_TABLE = 'bench_baseline_events'

export const BENCH_ROW_LIMIT = 20

const COLUMNS = [
  'id',
  'occurred_at',
  'actor_type',
  'action',
  'target_type',
  'target_id',
  'ip',
] as const

export interface BenchRow {
  id: number
  occurredAt: string
  actorType: string
  action: string
  targetType: string | null
  targetId: string | null
  ip: string | null
}

function toRow(row: Record<string, any>): BenchRow {
  return {
    id: Number(row.id),
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorType: row.actor_type,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
  }
}

/** Tenant side: inside `withTenant`, so RLS scopes it; filtered on tenant_id like all tenant queries. */
export async function newestTenantEvents(trx: TransactionClientContract, tenantId: number) {
  const rows = await trx
    .from('audit_events')
    .select(...COLUMNS)
    .where('tenant_id', tenantId)
    .orderBy('occurred_at', 'desc')
    .limit(BENCH_ROW_LIMIT)
  return rows.map(toRow)
}

/** Baseline side: straight on the `app` pool, no transaction, no tenant setting, no RLS. */
export async function newestBaselineEvents(client: QueryClientContract = db.connection('app')) {
  const rows = await client
    .from(BASELINE_TABLE)
    .select(...COLUMNS)
    .orderBy('occurred_at', 'desc')
    .limit(BENCH_ROW_LIMIT)
  return rows.map(toRow)
}
