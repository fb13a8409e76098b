import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { withTenant, type TenantRef } from '#tenancy'
import {
  ensureAccount,
  getBalance,
  getTransaction,
  GENESIS_HASH,
  LedgerError,
  listEntries,
  postTransaction,
  reverseTransaction,
  verifyLedger,
  type TransactionDraft,
} from '#ledger'
import {
  acct,
  AVAILABLE,
  CLEARING,
  FEE,
  ledgerCounts,
  p,
  PAYABLE,
  PENDING,
  saleDraft,
  seedShops,
  WORLD,
} from '#tests/functional/ledger/_helpers'

/** The ledger error code `fn` fails with (and the shop's transaction rolled back). */
async function failsWith(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn()
  } catch (error) {
    if (error instanceof LedgerError) return error.ledgerCode
    throw error
  }
  throw new Error('expected a LedgerError')
}

test.group('Ledger / postTransaction', (group) => {
  let a: TenantRef
  let b: TenantRef
  group.each.setup(async () => {
    ;[a, b] = await seedShops(2)
  })

  test('a sale posts entries, moves balances and starts the chain', async ({ assert }) => {
    const posted = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'o-1', 1000n)), a)
    assert.equal(posted.seq, 1)
    assert.equal(posted.prevHash, GENESIS_HASH)
    assert.match(posted.hash, /^[0-9a-f]{64}$/)
    assert.isFalse(posted.replayed)
    assert.deepEqual(
      posted.entries.map((e) => [e.line, e.account.type, e.amount]),
      [
        [1, 'external_world', -1000n],
        [2, 'tenant_pending', 900n],
        [3, 'platform_fee', 100n],
      ]
    )
    const second = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'o-2', 500n)), a)
    assert.equal(second.seq, 2)
    assert.equal(second.prevHash, posted.hash)

    await withTenant(async (trx) => {
      assert.equal(await getBalance(trx, a.id, WORLD), -1500n)
      assert.equal(await getBalance(trx, a.id, PENDING), 1350n)
      assert.equal(await getBalance(trx, a.id, FEE), 150n)
      assert.equal(await getBalance(trx, a.id, AVAILABLE), 0n, 'unused account reads 0')
      const stored = await getTransaction(trx, a.id, posted.id)
      assert.equal(stored?.hash, posted.hash)
      assert.deepEqual(stored?.memo, { order: 'o-1' })
    }, a)
    assert.deepInclude(await ledgerCounts(a.id), { transactions: 2, entries: 6, head: 2 })
  })

  test('balances beyond 2^53 stay exact (bigint end to end)', async ({ assert }) => {
    const huge = 2n ** 60n + 7n
    await withTenant(
      (trx) =>
        postTransaction(trx, {
          tenantId: a.id,
          idempotencyKey: 'huge',
          kind: 'test.huge',
          postings: [p(WORLD, -huge), p(AVAILABLE, huge)],
        }),
      a
    )
    const balance = await withTenant((trx) => getBalance(trx, a.id, AVAILABLE), a)
    assert.equal(balance, huge)
    const page = await withTenant((trx) => listEntries(trx, a.id, { account: AVAILABLE }), a)
    assert.equal(page.entries[0].amount, huge)
  })

  test('same key returns the original; a different payload is refused', async ({ assert }) => {
    const first = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'k', 1000n)), a)
    const again = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'k', 1000n)), a)
    assert.isTrue(again.replayed)
    assert.equal(again.id, first.id)
    assert.equal(again.hash, first.hash)
    assert.deepEqual(
      again.entries.map((e) => e.id),
      first.entries.map((e) => e.id)
    )
    const before = await ledgerCounts(a.id)
    const code = await failsWith(() =>
      withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'k', 999n)), a)
    )
    assert.equal(code, 'E_LEDGER_IDEMPOTENCY_CONFLICT')
    assert.deepEqual(await ledgerCounts(a.id), before)
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, PENDING), a), 900n)
  })

  test('a draft for shop B inside shop A is refused and writes nothing', async ({ assert }) => {
    const beforeA = await ledgerCounts(a.id)
    const beforeB = await ledgerCounts(b.id)
    const code = await failsWith(() =>
      withTenant((trx) => postTransaction(trx, saleDraft(b.id, 'x', 100n)), a)
    )
    assert.equal(code, 'E_LEDGER_CROSS_TENANT')
    const noTenant = await failsWith(() =>
      db.connection('app').transaction((trx) => postTransaction(trx, saleDraft(a.id, 'y', 10n)))
    )
    assert.equal(noTenant, 'E_LEDGER_CROSS_TENANT')
    assert.equal(
      await failsWith(() => withTenant((trx) => getBalance(trx, b.id, PENDING), a)),
      'E_LEDGER_CROSS_TENANT'
    )
    assert.deepEqual(await ledgerCounts(a.id), beforeA)
    assert.deepEqual(await ledgerCounts(b.id), beforeB)
  })

  test('bad input raises typed errors and writes nothing', async ({ assert }) => {
    await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'seed', 1000n)), a)
    const before = await ledgerCounts(a.id)
    const base = { tenantId: a.id, kind: 'test.bad' }
    const cases: Array<[string, TransactionDraft]> = [
      [
        'E_LEDGER_UNBALANCED',
        { ...base, idempotencyKey: 'b1', postings: [p(WORLD, -10n), p(AVAILABLE, 9n)] },
      ],
      [
        'E_LEDGER_INVALID_ACCOUNT',
        {
          ...base,
          idempotencyKey: 'b2',
          postings: [p(WORLD, -10n), p({ type: 'piggy_bank' as any, currency: 'CNY' }, 10n)],
        },
      ],
      [
        'E_LEDGER_UNBALANCED',
        {
          ...base,
          idempotencyKey: 'b3',
          postings: [p(WORLD, -10n), p(acct('tenant_available', '', 'USD'), 10n)],
        },
      ],
      [
        'E_LEDGER_NOT_INTEGER',
        { ...base, idempotencyKey: 'b4', postings: [p(WORLD, -10n), p(AVAILABLE, 10 as any)] },
      ],
      ['E_LEDGER_TOO_FEW_POSTINGS', { ...base, idempotencyKey: 'b5', postings: [p(WORLD, 0n)] }],
      [
        'E_LEDGER_INSUFFICIENT_FUNDS',
        {
          ...base,
          kind: 'withdrawal.requested',
          idempotencyKey: 'b6',
          postings: [p(AVAILABLE, -1n), p(PAYABLE, 1n)],
        },
      ],
      [
        'E_LEDGER_INSUFFICIENT_FUNDS',
        {
          ...base,
          kind: 'settlement.released',
          idempotencyKey: 'b7',
          postings: [p(PENDING, -901n), p(AVAILABLE, 901n)],
        },
      ],
      [
        'E_LEDGER_INVALID_DRAFT',
        {
          ...base,
          idempotencyKey: 'b8',
          memo: { nested: { no: 1 } as any },
          postings: [p(WORLD, -1n), p(AVAILABLE, 1n)],
        },
      ],
      [
        'E_LEDGER_INVALID_ACCOUNT',
        {
          ...base,
          idempotencyKey: 'b9',
          postings: [p(WORLD, -1n), p(acct('buyer_wallet'), 1n)],
        },
      ],
    ]
    for (const [expected, draft] of cases) {
      const code = await failsWith(() => withTenant((trx) => postTransaction(trx, draft), a))
      assert.equal(code, expected, draft.idempotencyKey)
    }
    assert.deepEqual(await ledgerCounts(a.id), before)
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, PENDING), a), 900n)
  })

  test('the database refuses a negative non-negative balance even without the ledger', async ({
    assert,
  }) => {
    await withTenant((trx) => ensureAccount(trx, a.id, AVAILABLE), a)
    // The owner (forced RLS: in the shop) may UPDATE; the CHECK still refuses.
    const error = await db
      .connection('owner')
      .transaction(async (trx) => {
        await trx.rawQuery(`SET LOCAL app.tenant_id = '${a.id}'`)
        await trx.rawQuery(
          `UPDATE ledger_accounts SET balance = -1 WHERE tenant_id = ? AND type = 'tenant_available'`,
          [a.id]
        )
      })
      .catch((e) => e)
    assert.equal(error.code, '23514')
  })

  test('ensureAccount creates once with the non-negative flag from the type', async ({
    assert,
  }) => {
    const [wallet, world, again] = await withTenant(
      async (trx) => [
        await ensureAccount(trx, a.id, acct('buyer_wallet', 'buyer-1')),
        await ensureAccount(trx, a.id, WORLD),
        await ensureAccount(trx, a.id, acct('buyer_wallet', 'buyer-1')),
      ],
      a
    )
    assert.isTrue(wallet.nonNegative)
    assert.isFalse(world.nonNegative)
    assert.equal(again.id, wallet.id)
    assert.equal(wallet.balance, 0n)
    assert.equal(wallet.subject, 'buyer-1')
  })

  test('reversal undoes the original once, referencing it', async ({ assert }) => {
    const sale = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'o-9', 800n)), a)
    const reversal = await withTenant(
      (trx) =>
        reverseTransaction(trx, {
          tenantId: a.id,
          originalId: sale.id,
          idempotencyKey: 'refund-o-9',
          reason: 'refund',
        }),
      a
    )
    assert.equal(reversal.reversesId, sale.id)
    assert.equal(reversal.seq, 2)
    assert.deepEqual(
      reversal.entries.map((e) => e.amount),
      sale.entries.map((e) => -e.amount)
    )
    const replay = await withTenant(
      (trx) =>
        reverseTransaction(trx, {
          tenantId: a.id,
          originalId: sale.id,
          idempotencyKey: 'refund-o-9',
          reason: 'refund',
        }),
      a
    )
    assert.isTrue(replay.replayed)
    assert.equal(replay.id, reversal.id)
    const twice = await failsWith(() =>
      withTenant(
        (trx) =>
          reverseTransaction(trx, {
            tenantId: a.id,
            originalId: sale.id,
            idempotencyKey: 'refund-o-9-again',
            reason: 'refund',
          }),
        a
      )
    )
    assert.equal(twice, 'E_LEDGER_ALREADY_REVERSED')
    const partial = await failsWith(() =>
      withTenant(
        (trx) =>
          postTransaction(trx, {
            ...saleDraft(a.id, 'fake-reversal', 1n, 0n),
            postings: [p(PENDING, -1n), p(WORLD, 1n)],
            reversesId: reversal.id,
          }),
        a
      )
    )
    assert.equal(partial, 'E_LEDGER_INVALID_REVERSAL')
    const missing = await failsWith(() =>
      withTenant(
        (trx) =>
          reverseTransaction(trx, {
            tenantId: a.id,
            originalId: 999_999,
            idempotencyKey: 'nope',
            reason: 'x',
          }),
        a
      )
    )
    assert.equal(missing, 'E_LEDGER_NOT_FOUND')
    for (const ref of [WORLD, PENDING, FEE]) {
      assert.equal(await withTenant((trx) => getBalance(trx, a.id, ref), a), 0n)
    }
  })

  test('a rolled-back business change takes its posting with it', async ({ assert }) => {
    await withTenant(async (trx) => {
      await postTransaction(trx, saleDraft(a.id, 'kept', 100n))
    }, a)
    await withTenant(async (trx) => {
      await postTransaction(trx, saleDraft(a.id, 'rolled-back', 100n))
      throw new Error('business failure')
    }, a).catch(() => {})
    const next = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'next', 100n)), a)
    assert.equal(next.seq, 2, 'the chain did not advance for the rolled-back post')
    assert.deepInclude(await ledgerCounts(a.id), { transactions: 2, head: 2 })
  })

  test('statements page through entries with a cursor and a time window', async ({ assert }) => {
    for (let i = 1; i <= 5; i++) {
      await withTenant(
        (trx) => postTransaction(trx, saleDraft(a.id, `s-${i}`, 100n * BigInt(i))),
        a
      )
    }
    const first = await withTenant(
      (trx) => listEntries(trx, a.id, { account: PENDING, limit: 2 }),
      a
    )
    assert.deepEqual(
      first.entries.map((e) => e.amount),
      [90n, 180n]
    )
    assert.isNotNull(first.nextCursor)
    const rest = await withTenant(
      (trx) => listEntries(trx, a.id, { account: PENDING, limit: 10, cursor: first.nextCursor }),
      a
    )
    assert.deepEqual(
      rest.entries.map((e) => e.seq),
      [3, 4, 5]
    )
    assert.isNull(rest.nextCursor)
    const all = await withTenant((trx) => listEntries(trx, a.id, { limit: 1000 }), a)
    assert.lengthOf(all.entries, 15)
    const none = await withTenant(
      (trx) => listEntries(trx, a.id, { to: new Date(Date.now() - 3_600_000) }),
      a
    )
    assert.lengthOf(none.entries, 0)
    const other = await withTenant((trx) => listEntries(trx, b.id, {}), b)
    assert.lengthOf(other.entries, 0, "shop B sees none of A's entries")
  })

  test('ledger rows are append-only for the app role', async ({ assert }) => {
    const sale = await withTenant((trx) => postTransaction(trx, saleDraft(a.id, 'ro', 100n)), a)
    for (const sql of [
      `UPDATE ledger_entries SET amount = amount WHERE transaction_id = ${sale.id}`,
      `DELETE FROM ledger_transactions WHERE id = ${sale.id}`,
      `DELETE FROM ledger_accounts`,
    ]) {
      const error = await withTenant((trx) => trx.rawQuery(sql), a).catch((e) => e)
      assert.equal(error?.code, '42501', sql)
    }
    // Balances and the head move only through the ledger's write function.
    for (const sql of [
      `UPDATE ledger_accounts SET type = 'refunds' WHERE type = 'platform_fee'`,
      `UPDATE ledger_accounts SET balance = balance + 1`,
      `UPDATE ledger_heads SET last_seq = last_seq + 1`,
      `DELETE FROM ledger_heads`,
    ]) {
      const error = await withTenant((trx) => trx.rawQuery(sql), a).catch((e) => e)
      assert.equal(error?.code, '42501', sql)
    }
    // The non-negative flag is generated from the type: nobody opens a wallet that may go negative.
    const flag = await withTenant(
      (trx) =>
        trx.rawQuery(
          `INSERT INTO ledger_accounts (tenant_id, type, subject, currency, non_negative)
           VALUES (?, 'buyer_wallet', 'x', 'CNY', false)`,
          [a.id]
        ),
      a
    ).catch((e) => e)
    assert.equal(flag?.code, '428C9')
  })

  test("the write function cannot be pointed at another shop's books", async ({ assert }) => {
    await withTenant((trx) => postTransaction(trx, saleDraft(b.id, 'b-1', 100n)), b)
    const before = await ledgerCounts(b.id)
    const { rows } = await withTenant(
      (trx) => trx.rawQuery(`SELECT id FROM ledger_accounts ORDER BY id LIMIT 1`),
      b
    )
    const error = await withTenant(
      (trx) =>
        trx.rawQuery(
          `SELECT * FROM lianka_ledger_write(?, 1, '', '', 'evil', ?, 'order.paid', NULL, '{}', now(), ?::jsonb)`,
          [
            b.id,
            'f'.repeat(64),
            JSON.stringify([{ line: 1, account_id: rows[0].id, amount: '5', currency: 'CNY' }]),
          ]
        ),
      a
    ).catch((e) => e)
    assert.equal(error?.code, '42501')
    assert.match(error.message, /E_LEDGER_CROSS_TENANT/)
    assert.deepEqual(await ledgerCounts(b.id), before)
  })

  test('non-ASCII memos hash the same on write and on verify', async ({ assert }) => {
    const posted = await withTenant(
      (trx) =>
        postTransaction(trx, {
          ...saleDraft(a.id, 'unicode', 300n),
          memo: { note: '退款 — «ok» 🎉', quote: 'a"b\\c', n: 9_007_199_254_740_991, flag: true },
        }),
      a
    )
    const stored = await withTenant((trx) => getTransaction(trx, a.id, posted.id), a)
    assert.deepEqual(stored?.memo, posted.memo)
    const report = await verifyLedger({ tenantSlug: a.slug })
    assert.isTrue(report.ok, JSON.stringify(report.firstProblem))
  })

  test('gateway clearing and wallets need subjects; postings may repeat an account', async ({
    assert,
  }) => {
    const posted = await withTenant(
      (trx) =>
        postTransaction(trx, {
          tenantId: a.id,
          idempotencyKey: 'split',
          kind: 'order.paid',
          postings: [
            p(WORLD, -60n),
            p(CLEARING, 30n),
            p(CLEARING, 30n),
            p(CLEARING, -60n),
            p(PENDING, 60n),
          ],
        }),
      a
    )
    assert.lengthOf(posted.entries, 5)
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, CLEARING), a), 0n)
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, PENDING), a), 60n)
  })
})
