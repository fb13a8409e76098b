import db from '@adonisjs/lucid/services/db'
import { postTransaction, type PostedTransaction } from '#ledger'
import { setTenantOn, withTenant } from '#tenancy'
import type Tenant from '#models/tenant'

let counter = 0

/**
 * Post one `test.*` transaction for `shop`: `amount` minor units from the outside world
 * into `account` (negative: out of it, back to the world).
 */
export async function post(
  shop: Tenant,
  input: {
    account?: string
    amount: bigint
    currency?: string
    kind?: string
    memo?: Record<string, string | number | boolean | null>
  }
): Promise<PostedTransaction> {
  const currency = input.currency ?? 'CNY'
  const account = { type: (input.account ?? 'tenant_available') as any, currency }
  return withTenant(
    (trx) =>
      postTransaction(trx, {
        tenantId: shop.id,
        idempotencyKey: `test-${process.pid}-${++counter}`,
        kind: input.kind ?? 'test.credit',
        memo: input.memo ?? {},
        postings: [
          { account, amount: input.amount },
          { account: { type: 'external_world', currency }, amount: -input.amount },
        ],
      }),
    shop.toRef()
  )
}

/**
 * Move a transaction's `created_at` back (test set-up only: the owner lifts the
 * append-only trigger for one statement). Breaks that shop's hash chain, which the
 * statement tests do not verify.
 */
export async function backdate(shop: Tenant, transactionId: number, at: Date) {
  await db.connection('owner').transaction(async (trx) => {
    await setTenantOn(trx, shop.id)
    await trx.rawQuery(
      'ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_append_only'
    )
    await trx.rawQuery('UPDATE ledger_transactions SET created_at = ? WHERE id = ?', [
      at,
      transactionId,
    ])
    await trx.rawQuery(
      'ALTER TABLE ledger_transactions ENABLE TRIGGER ledger_transactions_append_only'
    )
  })
}

/** `YYYY-MM-DD` of today (UTC) plus `days`. */
export function day(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
}
