import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { validateAccountRef } from '#ledger/core/validate'
import type { AccountRef } from '#ledger/core/types'
import type { LedgerAccount } from '#ledger/types'
import { ACCOUNT_COLUMNS, assertTenant, checkTenant, toAccount, toBigInt } from '#ledger/sql'

type Key = Required<AccountRef>

const keyOf = (ref: Key) => `${ref.type}\u0000${ref.subject}\u0000${ref.currency}`

/**
 * Create the accounts that do not exist yet (race-safe: INSERT … ON CONFLICT DO NOTHING, in
 * a fixed order so two writers creating the same new accounts cannot deadlock). Rows created
 * by a concurrent transaction become visible to the next statement once it commits.
 */
export async function createMissing(trx: TransactionClientContract, tenantId: number, refs: Key[]) {
  const rows = refs.map((r) => ({ type: r.type, subject: r.subject, currency: r.currency }))
  await trx.rawQuery(
    `INSERT INTO ledger_accounts (tenant_id, type, subject, currency)
     SELECT ?, k.type, k.subject, k.currency
       FROM jsonb_to_recordset(?::jsonb) AS k(type text, subject text, currency text)
      ORDER BY k.type, k.subject, k.currency
     ON CONFLICT (tenant_id, type, subject, currency) DO NOTHING`,
    [tenantId, JSON.stringify(rows)]
  )
}

async function selectAccounts(
  trx: TransactionClientContract,
  tenantId: number,
  refs: Key[]
): Promise<LedgerAccount[]> {
  const { rows } = await trx.rawQuery(
    `SELECT ${ACCOUNT_COLUMNS}
       FROM jsonb_to_recordset(?::jsonb) AS k(type text, subject text, currency text)
       JOIN ledger_accounts a
         ON a.tenant_id = ? AND a.type = k.type AND a.subject = k.subject
        AND a.currency = k.currency::char(3)
      ORDER BY a.id`,
    [JSON.stringify(refs), tenantId]
  )
  return rows.map(toAccount)
}

export { keyOf as accountKey }

/**
 * The account `ref` of shop `tenantId`, created on first use (non-negative when its type is
 * in NON_NEGATIVE). Runs in the caller's transaction, which must be that shop's.
 */
export async function ensureAccount(
  trx: TransactionClientContract,
  tenantId: number,
  ref: AccountRef
): Promise<LedgerAccount> {
  const key = validateAccountRef(ref)
  await assertTenant(trx, tenantId)
  const [existing] = await selectAccounts(trx, tenantId, [key])
  if (existing) return existing
  await createMissing(trx, tenantId, [key])
  const [created] = await selectAccounts(trx, tenantId, [key])
  return created
}

/** Balance of account `ref` (0 when the account was never used). */
export async function getBalance(
  trx: TransactionClientContract,
  tenantId: number,
  ref: AccountRef
): Promise<bigint> {
  const key = validateAccountRef(ref)
  const { rows } = await trx.rawQuery(
    `SELECT current_setting('app.tenant_id', true) AS tenant,
            (SELECT balance::text FROM ledger_accounts
              WHERE tenant_id = ? AND type = ? AND subject = ? AND currency = ?::char(3)) AS balance`,
    [tenantId, key.type, key.subject, key.currency]
  )
  checkTenant(rows[0]?.tenant, tenantId)
  return rows[0].balance === null ? 0n : toBigInt(rows[0].balance)
}

/** Every account of the shop (for statements and admin screens), ordered by id. */
export async function listAccounts(
  trx: TransactionClientContract,
  tenantId: number
): Promise<LedgerAccount[]> {
  await assertTenant(trx, tenantId)
  const { rows } = await trx.rawQuery(
    `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts a WHERE a.tenant_id = ? ORDER BY a.id`,
    [tenantId]
  )
  return rows.map(toAccount)
}
