import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { shopBalances, type ShopBalances } from '#ledger/settlement/ledger_port'
import { getHoldSetting, type HoldSetting } from '#ledger/settlement/hold_days'
import { toLot, type SettlementLot } from '#ledger/settlement/record_pending_revenue'
import { toHold, type BalanceHold } from '#ledger/settlement/holds'
import { toWithdrawal, type Withdrawal } from '#ledger/withdrawals/withdrawal'

/** Everything the balance pages show for one shop. */
export interface MoneyOverview {
  balances: ShopBalances
  hold: HoldSetting
  /** Lots still pending, soonest first. */
  upcoming: SettlementLot[]
  /** Holds, open ones first, then the most recently released. */
  holds: BalanceHold[]
  withdrawals: Withdrawal[]
}

const LIST_LIMIT = 50

/** Read a shop's money overview on a transaction whose tenant is `tenantId`. */
export async function loadMoneyOverview(
  trx: TransactionClientContract,
  tenantId: number,
  currency: string
): Promise<MoneyOverview> {
  const balances = await shopBalances(trx, tenantId, currency)
  const hold = await getHoldSetting(trx, tenantId)
  const lots = await trx
    .from('settlement_lots')
    .where('tenant_id', tenantId)
    .whereNull('settled_at')
    .orderBy([
      { column: 'available_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(LIST_LIMIT)
  const holds = await trx
    .from('balance_holds')
    .where('tenant_id', tenantId)
    .orderByRaw('released_at IS NOT NULL, coalesce(released_at, created_at) DESC, id DESC')
    .limit(LIST_LIMIT)
  const withdrawals = await trx
    .from('withdrawals')
    .where('tenant_id', tenantId)
    .orderBy('id', 'desc')
    .limit(LIST_LIMIT)
  return {
    balances,
    hold,
    upcoming: lots.map(toLot),
    holds: holds.map(toHold),
    withdrawals: withdrawals.map(toWithdrawal),
  }
}

/** The signed-in merchant's view of their own shop (tenant unit of work). */
export function getMoneyOverview(tenant: TenantRef): Promise<MoneyOverview> {
  return withTenant((trx) => loadMoneyOverview(trx, tenant.id, tenant.currency), tenant)
}
