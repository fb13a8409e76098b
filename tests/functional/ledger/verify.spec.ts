import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { postTransaction, reverseTransaction, verifyLedger, type PostedTransaction } from '#ledger'
import { AVAILABLE, p, PENDING, saleDraft, seedShops } from '#tests/functional/ledger/_helpers'

/**
 * Tampering as the schema owner: FORCE RLS applies to the owner too, so the shop is set on
 * the transaction; the append-only trigger stops the owner as well, so it is disabled for
 * the edit and enabled again in the same transaction (exactly what an attacker with the
 * owner's credentials would have to do).
 */
async function tamper(
  tenantId: number,
  table: 'ledger_entries' | 'ledger_transactions',
  fn: (trx: TransactionClientContract) => Promise<unknown>
) {
  await db.connection('owner').transaction(async (trx) => {
    await trx.rawQuery(`SET LOCAL app.tenant_id = '${tenantId}'`)
    await trx.rawQuery(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`)
    await fn(trx)
    await trx.rawQuery(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`)
  })
}

/** `node ace ledger:verify …` in process: exit code and logged lines. */
async function runVerify(args: string[]) {
  ace.ui.switchMode('raw')
  try {
    const command = await ace.exec('ledger:verify', args)
    const logs = command.logger.getLogs().map((l) => l.message)
    return { exitCode: command.exitCode, output: logs.join('\n') }
  } finally {
    ace.ui.switchMode('normal')
  }
}

test.group('Ledger / verify', (group) => {
  let a: TenantRef
  let b: TenantRef
  let sales: PostedTransaction[]

  group.each.setup(async () => {
    ;[a, b] = await seedShops(2)
    sales = []
    for (const shop of [a, b]) {
      for (let i = 1; i <= 6; i++) {
        const sale = await withTenant(
          (trx) => postTransaction(trx, saleDraft(shop.id, `o-${i}`, 1000n * BigInt(i))),
          shop
        )
        if (shop === a) sales.push(sale)
      }
    }
    await withTenant(async (trx) => {
      await postTransaction(trx, {
        tenantId: a.id,
        idempotencyKey: 'settle-1',
        kind: 'settlement.released',
        postings: [p(PENDING, -900n), p(AVAILABLE, 900n)],
      })
      await reverseTransaction(trx, {
        tenantId: a.id,
        originalId: sales[5].id,
        idempotencyKey: 'refund-6',
        reason: 'refund',
      })
    }, a)
  })

  test('a clean ledger verifies, for all shops and for one', async ({ assert }) => {
    const all = await verifyLedger({ batchSize: 3 })
    assert.isTrue(all.ok, JSON.stringify(all.firstProblem))
    assert.deepEqual(all.checked, { tenants: 2, transactions: 14, entries: 41, accounts: 7 })
    const one = await verifyLedger({ tenantSlug: b.slug })
    assert.isTrue(one.ok)
    assert.equal(one.checked.transactions, 6)
    const command = await runVerify(['--tenant', a.slug])
    assert.equal(command.exitCode, 0)
    assert.match(command.output, /ledger OK: 1 shop\(s\), 8 transaction\(s\), 23 entries/)
  })

  test("an edited entry amount fails verification and names that entry's transaction", async ({
    assert,
  }) => {
    const target = sales[2].entries[1]
    await tamper(a.id, 'ledger_entries', (trx) =>
      trx.rawQuery(`UPDATE ledger_entries SET amount = amount + 1 WHERE id = ?`, [target.id])
    )
    const report = await verifyLedger({ batchSize: 4 })
    assert.isFalse(report.ok)
    assert.deepInclude(report.firstProblem!, {
      tenantId: a.id,
      tenantSlug: a.slug,
      seq: sales[2].seq,
      transactionId: sales[2].id,
    })
    assert.match(report.firstProblem!.reason, /hash does not match/)
    assert.match(report.firstProblem!.reason, /sum to 1, not 0/)
    const command = await runVerify([])
    assert.equal(command.exitCode, 1)
    assert.include(
      command.output,
      `FAILED at shop ${a.slug}, seq ${sales[2].seq}, transaction ${sales[2].id}`
    )
    const other = await verifyLedger({ tenantSlug: b.slug })
    assert.isTrue(other.ok, "shop B's ledger is untouched")
  })

  test('a deleted entry fails verification at its transaction', async ({ assert }) => {
    await tamper(a.id, 'ledger_entries', (trx) =>
      trx.rawQuery(`DELETE FROM ledger_entries WHERE id = ?`, [sales[1].entries[2].id])
    )
    const report = await verifyLedger({ tenantSlug: a.slug })
    assert.isFalse(report.ok)
    assert.equal(report.firstProblem?.transactionId, sales[1].id)
    assert.equal(report.firstProblem?.seq, 2)
    assert.match(report.firstProblem!.reason, /hash does not match/)
  })

  test('a changed memo, a rewritten link and a dropped tail are all caught', async ({ assert }) => {
    await tamper(a.id, 'ledger_transactions', (trx) =>
      trx.rawQuery(`UPDATE ledger_transactions SET memo = '{"order":"forged"}' WHERE id = ?`, [
        sales[3].id,
      ])
    )
    let report = await verifyLedger({ tenantSlug: a.slug })
    assert.equal(report.firstProblem?.seq, 4)
    assert.match(report.firstProblem!.reason, /fingerprint|hash/)

    // A forger who also recomputes this link's hash still breaks the next link.
    await tamper(a.id, 'ledger_transactions', (trx) =>
      trx.rawQuery(`UPDATE ledger_transactions SET memo = ?::jsonb WHERE id = ?`, [
        JSON.stringify(sales[3].memo),
        sales[3].id,
      ])
    )
    const restored = await verifyLedger({ tenantSlug: a.slug })
    assert.isTrue(restored.ok, 'restored')
    await tamper(a.id, 'ledger_transactions', (trx) =>
      trx.rawQuery(`UPDATE ledger_transactions SET hash = ? WHERE id = ?`, [
        'f'.repeat(64),
        sales[0].id,
      ])
    )
    report = await verifyLedger({ tenantSlug: a.slug })
    assert.equal(report.firstProblem?.seq, 1)
    assert.isTrue(report.problems.some((x) => x.seq === 2 && /prev_hash/.test(x.reason)))
  })

  test('deleting the last transaction shows at the head and in the balances', async ({
    assert,
  }) => {
    const { rows } = await withTenant(
      (trx) => trx.rawQuery(`SELECT id FROM ledger_transactions ORDER BY seq DESC LIMIT 1`),
      a
    )
    const last = Number(rows[0].id)
    await tamper(a.id, 'ledger_entries', (trx) =>
      trx.rawQuery(`DELETE FROM ledger_entries WHERE transaction_id = ?`, [last])
    )
    await tamper(a.id, 'ledger_transactions', (trx) =>
      trx.rawQuery(`DELETE FROM ledger_transactions WHERE id = ?`, [last])
    )
    const report = await verifyLedger({ tenantSlug: a.slug })
    assert.isFalse(report.ok)
    assert.match(report.firstProblem!.reason, /chain head says seq 8 .* chain ends at seq 7/)
    assert.isTrue(report.problems.some((x) => x.accountId && /entries sum to/.test(x.reason)))
  })

  test('a balance that is not the sum of its entries is named', async ({ assert }) => {
    await db.connection('owner').transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL app.tenant_id = '${a.id}'`)
      await trx.rawQuery(
        `UPDATE ledger_accounts SET balance = balance + 5 WHERE type = 'tenant_available'`
      )
    })
    const report = await verifyLedger({ tenantSlug: a.slug })
    assert.isFalse(report.ok)
    assert.isNull(report.firstProblem?.seq)
    assert.match(
      report.firstProblem!.reason,
      /tenant_available CNY: balance 905 but its entries sum to 900/
    )
    assert.isTrue(report.problems.some((x) => /balances in CNY sum to 5/.test(x.reason)))
  })

  test('an unknown shop slug is an error', async ({ assert }) => {
    await assert.rejects(() => verifyLedger({ tenantSlug: 'no-such-shop' }), /E_LEDGER_NOT_FOUND/)
    const command = await runVerify(['--tenant', 'no-such-shop'])
    assert.equal(command.exitCode, 1)
  })
})
