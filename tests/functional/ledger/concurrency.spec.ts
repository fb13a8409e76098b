import { test } from '@japa/runner'
import { withTenant, type TenantRef } from '#tenancy'
import {
  getBalance,
  GENESIS_HASH,
  LedgerError,
  postTransaction,
  verifyLedger,
  type PostedTransaction,
  type TransactionDraft,
} from '#ledger'
import {
  acct,
  AVAILABLE,
  ledgerCounts,
  p,
  PAYABLE,
  PENDING,
  saleDraft,
  seedShops,
  WORLD,
} from '#tests/functional/ledger/_helpers'

/** Each call in its own unit of work (its own connection), all started at once. */
function inParallel(shop: TenantRef, count: number, fn: (i: number) => TransactionDraft) {
  return Promise.allSettled(
    Array.from({ length: count }, (_, i) => withTenant((trx) => postTransaction(trx, fn(i)), shop))
  )
}

function codes(results: PromiseSettledResult<PostedTransaction>[]) {
  return results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => (r.reason instanceof LedgerError ? r.reason.ledgerCode : String(r.reason)))
}

async function chain(shop: TenantRef) {
  const { rows } = await withTenant(
    (trx) => trx.rawQuery(`SELECT seq, prev_hash, hash FROM ledger_transactions ORDER BY seq`),
    shop
  )
  return rows as Array<{ seq: number; prev_hash: string; hash: string }>
}

function assertLinear(assert: any, links: Array<{ seq: number; prev_hash: string; hash: string }>) {
  let prev = GENESIS_HASH
  links.forEach((link, i) => {
    assert.equal(Number(link.seq), i + 1, 'seq is gap-free')
    assert.equal(link.prev_hash, prev, `seq ${link.seq} links to seq ${i}`)
    prev = link.hash
  })
}

test.group('Ledger / concurrency', (group) => {
  let a: TenantRef
  let b: TenantRef
  group.each.setup(async () => {
    ;[a, b] = await seedShops(2)
  })

  test('50 parallel postings on one account keep the chain linear and the balance exact', async ({
    assert,
  }) => {
    const results = await inParallel(a, 50, (i) => saleDraft(a.id, `par-${i}`, 100n + BigInt(i)))
    assert.deepEqual(codes(results), [])
    const links = await chain(a)
    assert.lengthOf(links, 50)
    assertLinear(assert, links)
    const expected = Array.from({ length: 50 }, (_, i) => 100n + BigInt(i)).reduce((x, y) => x + y)
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, WORLD), a), -expected)
    const report = await verifyLedger({ tenantSlug: a.slug })
    assert.isTrue(report.ok, JSON.stringify(report.firstProblem))
  })

  test('50 concurrent withdrawals exceeding the balance: exactly the affordable ones succeed', async ({
    assert,
  }) => {
    await withTenant(
      (trx) =>
        postTransaction(trx, {
          tenantId: a.id,
          idempotencyKey: 'fund',
          kind: 'test.fund',
          postings: [p(WORLD, -1000n), p(AVAILABLE, 1000n)],
        }),
      a
    )
    const results = await inParallel(a, 50, (i) => ({
      tenantId: a.id,
      idempotencyKey: `wd-${i}`,
      kind: 'withdrawal.requested',
      postings: [p(AVAILABLE, -30n), p(PAYABLE, 30n)],
    }))
    const ok = results.filter((r) => r.status === 'fulfilled')
    assert.lengthOf(ok, 33, '33 × 30 = 990 ≤ 1000 < 34 × 30')
    assert.deepEqual([...new Set(codes(results))], ['E_LEDGER_INSUFFICIENT_FUNDS'])
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, AVAILABLE), a), 10n)
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, PAYABLE), a), 990n)
    assertLinear(assert, await chain(a))
    assert.deepInclude(await ledgerCounts(a.id), { transactions: 34 })
  })

  test('the same key posted 20 times at once is written once', async ({ assert }) => {
    const results = await inParallel(a, 20, () => saleDraft(a.id, 'dup', 500n))
    assert.deepEqual(codes(results), [])
    const ids = new Set(
      results.map((r) => (r as PromiseFulfilledResult<PostedTransaction>).value.id)
    )
    assert.equal(ids.size, 1)
    assert.equal(
      results.filter((r) => !(r as PromiseFulfilledResult<PostedTransaction>).value.replayed)
        .length,
      1
    )
    assert.deepInclude(await ledgerCounts(a.id), { transactions: 1, entries: 3, head: 1 })
  })

  test('the same key with different payloads at once: one wins, the rest conflict', async ({
    assert,
  }) => {
    const results = await inParallel(a, 10, (i) => saleDraft(a.id, 'race', 100n * BigInt(i + 1)))
    assert.lengthOf(
      results.filter((r) => r.status === 'fulfilled'),
      1
    )
    assert.deepEqual([...new Set(codes(results))], ['E_LEDGER_IDEMPOTENCY_CONFLICT'])
    assert.deepInclude(await ledgerCounts(a.id), { transactions: 1 })
  })

  test('crossing transfers between the same accounts do not deadlock', async ({ assert }) => {
    const x = acct('buyer_wallet', 'x')
    const y = acct('buyer_wallet', 'y')
    await withTenant(
      (trx) =>
        postTransaction(trx, {
          tenantId: a.id,
          idempotencyKey: 'top-up',
          kind: 'wallet.topped_up',
          postings: [p(WORLD, -2000n), p(x, 1000n), p(y, 1000n)],
        }),
      a
    )
    const results = await inParallel(a, 40, (i) => ({
      tenantId: a.id,
      idempotencyKey: `swap-${i}`,
      kind: 'wallet.transferred',
      // Alternate the posting order: locks are still taken in account id order.
      postings: i % 2 ? [p(x, -10n), p(y, 10n)] : [p(y, -10n), p(x, 10n)],
    }))
    assert.deepEqual(codes(results), [])
    assert.equal(await withTenant((trx) => getBalance(trx, a.id, x), a), 1000n)
    assertLinear(assert, await chain(a))
  })

  test('first use of new accounts by concurrent writers creates each account once', async ({
    assert,
  }) => {
    const results = await inParallel(a, 30, (i) => ({
      tenantId: a.id,
      idempotencyKey: `new-${i}`,
      kind: 'wallet.topped_up',
      postings: [p(WORLD, -5n), p(acct('buyer_wallet', `b${i % 3}`), 5n)],
    }))
    assert.deepEqual(codes(results), [])
    assert.deepInclude(await ledgerCounts(a.id), { accounts: 4 })
    const report = await verifyLedger({ tenantSlug: a.slug })
    assert.isTrue(report.ok, JSON.stringify(report.firstProblem))
  })

  test('two shops posting at once keep separate chains', async ({ assert }) => {
    await Promise.all([
      inParallel(a, 20, (i) => saleDraft(a.id, `a-${i}`, 10n + BigInt(i))),
      inParallel(b, 20, (i) => saleDraft(b.id, `b-${i}`, 10n + BigInt(i))),
    ])
    for (const shop of [a, b]) {
      const links = await chain(shop)
      assert.lengthOf(links, 20)
      assertLinear(assert, links)
    }
    const pending = Array.from({ length: 20 }, (_, i) => 10n + BigInt(i))
      .map((gross) => gross - gross / 10n)
      .reduce((x, y) => x + y)
    assert.equal(await withTenant((trx) => getBalance(trx, b.id, PENDING), b), pending)
  })
})
