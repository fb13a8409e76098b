import { withPlatform } from '#tenancy'
import {
  toWithdrawal,
  type Withdrawal,
  type WithdrawalStatus,
} from '#ledger/withdrawals/withdrawal'

export interface AdminWithdrawal extends Withdrawal {
  shopSlug: string
  shopName: string
}

export interface AdminWithdrawalsPage {
  rows: AdminWithdrawal[]
  status: WithdrawalStatus | null
  page: number
  lastPage: number
  total: number
}

const PAGE_SIZE = 50

/**
 * Withdrawals of every shop for the platform admin queue, oldest request first (so the
 * queue is worked in order), optionally of one status. Cross-tenant read: audited.
 */
export function listWithdrawalsForAdmin(input: {
  adminId: number
  ip?: string | null
  status: WithdrawalStatus | null
  page: number
}): Promise<AdminWithdrawalsPage> {
  return withPlatform(
    {
      actorType: 'platform_admin',
      actorId: input.adminId,
      reason: 'withdrawals.list',
      ip: input.ip ?? null,
    },
    async (trx) => {
      const base = trx.from('withdrawals as w').join('tenants as t', 't.id', 'w.tenant_id')
      if (input.status) base.where('w.status', input.status)
      const counted = await base.clone().count('* as total').first()
      const total = Number(counted?.total ?? 0)
      const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE))
      const page = Math.min(input.page, lastPage)
      const rows = await base
        .select('w.*', 't.slug as shop_slug', 't.name as shop_name')
        .orderBy([
          { column: 'w.requested_at', order: 'asc' },
          { column: 'w.id', order: 'asc' },
        ])
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
      return {
        rows: rows.map((row: any) => ({
          ...toWithdrawal(row),
          shopSlug: row.shop_slug,
          shopName: row.shop_name,
        })),
        status: input.status,
        page,
        lastPage,
        total,
      }
    }
  )
}
