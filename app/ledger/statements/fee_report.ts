import { withPlatform } from '#tenancy'
import type { Period } from '#ledger/statements/period'

/** One shop's platform fees in one currency over the period. */
export interface FeeReportRow {
  tenantId: number
  slug: string
  name: string
  currency: string
  /** Credits to the shop's `platform_fee` account (fees charged), minor units. */
  charged: bigint
  /** Debits (fees given back, e.g. on refunds), minor units, ≤ 0. */
  reversed: bigint
  /** charged + reversed. */
  net: bigint
  entries: number
}

export interface FeeReport {
  period: Period
  rows: FeeReportRow[]
  /** Per currency, sorted by currency code: sums over every shop. */
  totals: Array<{ currency: string; charged: bigint; reversed: bigint; net: bigint; shops: number }>
}

/**
 * Platform fees per shop and currency in a period, with totals per currency: the sum of
 * every shop's `platform_fee` entries whose transaction was created in the period (UTC
 * days). Reads every shop's ledger, so it is an audited `withPlatform` access.
 */
export async function getFeeReport(input: {
  period: Period
  adminId: number
  ip?: string | null
}): Promise<FeeReport> {
  const result = await withPlatform(
    {
      actorType: 'platform_admin',
      actorId: input.adminId,
      ip: input.ip ?? null,
      reason: `platform fee report ${input.period.from}..${input.period.to}`,
    },
    (trx) =>
      trx.rawQuery(
        `SELECT e.tenant_id, tn.slug, tn.name, e.currency,
                COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0)::text AS charged,
                COALESCE(SUM(e.amount) FILTER (WHERE e.amount < 0), 0)::text AS reversed,
                SUM(e.amount)::text AS net,
                COUNT(*)::int AS entries
           FROM ledger_entries e
           JOIN ledger_accounts a
             ON a.tenant_id = e.tenant_id AND a.id = e.account_id AND a.type = 'platform_fee'
           JOIN ledger_transactions t ON t.tenant_id = e.tenant_id AND t.id = e.transaction_id
           JOIN tenants tn ON tn.id = e.tenant_id
          WHERE t.created_at >= ? AND t.created_at < ?
          GROUP BY e.tenant_id, tn.slug, tn.name, e.currency
          ORDER BY e.currency, SUM(e.amount) DESC, tn.slug`,
        [input.period.start, input.period.end]
      )
  )
  const rows: FeeReportRow[] = result.rows.map((row: Record<string, any>) => ({
    tenantId: Number(row.tenant_id),
    slug: String(row.slug),
    name: String(row.name),
    currency: String(row.currency).trim(),
    charged: BigInt(row.charged),
    reversed: BigInt(row.reversed),
    net: BigInt(row.net),
    entries: Number(row.entries),
  }))
  const byCurrency = new Map<string, FeeReport['totals'][number]>()
  for (const row of rows) {
    const total = byCurrency.get(row.currency) ?? {
      currency: row.currency,
      charged: 0n,
      reversed: 0n,
      net: 0n,
      shops: 0,
    }
    total.charged += row.charged
    total.reversed += row.reversed
    total.net += row.net
    total.shops += 1
    byCurrency.set(row.currency, total)
  }
  const totals = [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1))
  return { period: input.period, rows, totals }
}
