import { test } from '@japa/runner'
import env from '#start/env'
import { withPlatform, withTenant } from '#tenancy'
import { LedgerError } from '#ledger'
import {
  findShopsWithDueLots,
  freezeAmount,
  getHoldSetting,
  HoldDaysException,
  releaseFrozen,
  setHoldDays,
  settleDueLots,
  SettlementScanJob,
  SettleShopJob,
} from '#ledger/settlement/index'
import logger from '@adonisjs/core/services/logger'
import { createShop, resetState } from '#tests/functional/merchant/_fixtures'
import {
  balanceOf,
  balancesOf,
  earn,
  fund,
  ledgerTransactions,
  rowsOf,
} from '#tests/functional/settlement/_fixtures'

const DAY_MS = 86_400_000
const system = { type: 'system' as const }

test.group('settlement / pending revenue and release', (group) => {
  group.each.setup(() => resetState())

  test('revenue lands in pending with a lot due after the default 7-day hold', async ({
    assert,
  }) => {
    const shop = await createShop('settle-shop')
    const lot = await earn(shop, 9_700n, { ref: 'A-1', platformFee: 300n })
    const days = (lot.availableAt.getTime() - lot.occurredAt.getTime()) / DAY_MS
    assert.equal(days, 7)
    assert.equal(lot.amount, 9_700n)
    const balances = await balancesOf(shop)
    assert.equal(balances.pending, 9_700n)
    assert.equal(balances.available, 0n)
    assert.equal(await balanceOf(shop, 'platform_fee'), 300n)
    assert.equal(await balanceOf(shop, 'external_world'), -10_000n)

    const again = await earn(shop, 9_700n, { ref: 'A-1', platformFee: 300n })
    assert.equal(again.id, lot.id, 'the same order opens one lot')
    const after = await balancesOf(shop)
    assert.equal(after.pending, 9_700n, 'and is posted once')
    assert.lengthOf(await rowsOf('settlement_lots', shop), 1)
  })

  test('only due lots move to available, each once', async ({ assert }) => {
    const shop = await createShop('settle-shop')
    await earn(shop, 1_000n, { ref: 'old', daysAgo: 8 })
    await earn(shop, 2_000n, { ref: 'new', daysAgo: 1 })

    const settled = await settleDueLots(shop.toRef())
    assert.deepEqual(
      settled.map((l) => l.sourceRef),
      ['old']
    )
    let balances = await balancesOf(shop)
    assert.equal(balances.available, 1_000n)
    assert.equal(balances.pending, 2_000n)

    assert.lengthOf(await settleDueLots(shop.toRef()), 0, 'a re-run releases nothing')
    balances = await balancesOf(shop)
    assert.equal(balances.available, 1_000n)

    const later = await settleDueLots(shop.toRef(), { now: new Date(Date.now() + 7 * DAY_MS) })
    assert.deepEqual(
      later.map((l) => l.sourceRef),
      ['new']
    )
    balances = await balancesOf(shop)
    assert.equal(balances.available, 3_000n)
    assert.equal(balances.pending, 0n)
    const txs = await ledgerTransactions(shop, 'settlement.released')
    assert.lengthOf(txs, 2)
    const lots = await rowsOf('settlement_lots', shop)
    assert.sameMembers(
      txs.map((tx) => tx.idempotency_key),
      lots.map((lot) => `settle:${lot.id}`)
    )
  })

  test('two concurrent runs release every due lot exactly once', async ({ assert }) => {
    const shop = await createShop('settle-shop')
    for (let i = 0; i < 20; i++) await earn(shop, 100n + BigInt(i), { ref: `o-${i}`, daysAgo: 10 })
    const [a, b] = await Promise.all([settleDueLots(shop.toRef()), settleDueLots(shop.toRef())])
    const ids = [...a, ...b].map((lot) => lot.id)
    assert.lengthOf(ids, 20)
    assert.lengthOf(new Set(ids), 20, 'no lot was released by both runs')
    const balances = await balancesOf(shop)
    assert.equal(balances.pending, 0n)
    assert.equal(balances.available, 20n * 100n + 190n)
    assert.lengthOf(await ledgerTransactions(shop, 'settlement.released'), 20)
    const lots = await rowsOf('settlement_lots', shop)
    assert.isTrue(lots.every((lot) => lot.settled_at && lot.settlement_tx_id))
  })

  test('the scheduled scan queues one job per shop that releases its due lots', async ({
    assert,
  }) => {
    const { registry, schedules } = await import('#jobs/registry')
    assert.isTrue(registry.has(SettlementScanJob) && registry.has(SettleShopJob))
    assert.isTrue(schedules.some((s) => s.job === SettlementScanJob))

    const shop = await createShop('job-shop')
    await earn(shop, 700n, { ref: 'j-1', daysAgo: 8 })
    await new SettlementScanJob().handle(
      {},
      {
        job: {
          id: 'test',
          name: SettlementScanJob.jobName,
          queue: 'default',
          attempt: 1,
          attempts: 1,
        },
        logger,
        withPlatform: (reason, fn) => withPlatform({ actorType: 'job', reason }, fn),
      }
    )
    const deadline = Date.now() + 10_000
    let balances = await balancesOf(shop)
    while (balances.available !== 700n && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      balances = await balancesOf(shop)
    }
    assert.equal(balances.available, 700n)
    assert.equal(balances.pending, 0n)
  })

  test('the scan finds only shops with due lots', async ({ assert }) => {
    const due = await createShop('due-shop')
    const notDue = await createShop('later-shop')
    await earn(due, 500n, { ref: 'x', daysAgo: 9 })
    await earn(notDue, 500n, { ref: 'y', daysAgo: 1 })
    const ids = await withPlatform({ actorType: 'job', reason: 'test scan' }, (trx) =>
      findShopsWithDueLots(trx)
    )
    assert.deepEqual(ids, [due.id])
  })
})

test.group('settlement / hold days', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => {
    env.set('SETTLEMENT_MIN_HOLD_DAYS', '3')
    env.set('SETTLEMENT_DEFAULT_HOLD_DAYS', '7')
  })

  test('a shop hold is never below the platform minimum', async ({ assert }) => {
    const shop = await createShop('hold-shop')
    await withTenant(async (trx) => {
      const initial = await getHoldSetting(trx, shop.id)
      assert.deepInclude(initial, { holdDays: 7, configured: null, minHoldDays: 3 })
      await assert.rejects(
        () => setHoldDays(trx, { tenantId: shop.id, days: 2, adminId: null }),
        HoldDaysException
      )
      const set = await setHoldDays(trx, { tenantId: shop.id, days: 4, adminId: null })
      assert.equal(set.holdDays, 4)
    }, shop.toRef())

    env.set('SETTLEMENT_MIN_HOLD_DAYS', '5')
    const raised = await withTenant((trx) => getHoldSetting(trx, shop.id), shop.toRef())
    assert.deepInclude(raised, { holdDays: 5, configured: 4, minHoldDays: 5 })
    const lot = await earn(shop, 100n, { ref: 'h-1' })
    assert.equal((lot.availableAt.getTime() - lot.occurredAt.getTime()) / DAY_MS, 5)

    env.set('SETTLEMENT_DEFAULT_HOLD_DAYS', '1')
    const other = await createShop('other-shop')
    const fallback = await withTenant((trx) => getHoldSetting(trx, other.id), other.toRef())
    assert.equal(fallback.holdDays, 5, 'a default below the minimum is raised to it')
  })
})

test.group('settlement / freeze and release', (group) => {
  group.each.setup(() => resetState())

  test('freezing more than is available is a typed error and writes nothing', async ({
    assert,
  }) => {
    const shop = await createShop('freeze-shop')
    await fund(shop, 1_000n)
    const error = await withTenant(
      (trx) =>
        freezeAmount(trx, {
          tenantId: shop.id,
          amount: 1_001n,
          currency: 'CNY',
          reason: 'complaint',
          actor: system,
        }),
      shop.toRef()
    ).catch((e) => e)
    assert.instanceOf(error, LedgerError)
    assert.equal((error as LedgerError).ledgerCode, 'E_LEDGER_INSUFFICIENT_FUNDS')
    assert.lengthOf(await rowsOf('balance_holds', shop), 0)
    assert.lengthOf(await ledgerTransactions(shop, 'balance.frozen'), 0)
    const balances = await balancesOf(shop)
    assert.equal(balances.available, 1_000n)
    assert.equal(balances.frozen, 0n)
  })

  test('freeze moves available to frozen; release gives it back once', async ({ assert }) => {
    const shop = await createShop('freeze-shop')
    await fund(shop, 1_000n)
    const hold = await withTenant(
      (trx) =>
        freezeAmount(trx, {
          tenantId: shop.id,
          amount: 400n,
          currency: 'CNY',
          reason: 'complaint #12',
          ref: 'C-12',
          actor: system,
        }),
      shop.toRef()
    )
    let balances = await balancesOf(shop)
    assert.equal(balances.available, 600n)
    assert.equal(balances.frozen, 400n)

    const [first, second] = await Promise.all([
      withTenant(
        (trx) => releaseFrozen(trx, { tenantId: shop.id, holdId: hold.id, actor: system }),
        shop.toRef()
      ),
      withTenant(
        (trx) => releaseFrozen(trx, { tenantId: shop.id, holdId: hold.id, actor: system }),
        shop.toRef()
      ),
    ])
    assert.sameMembers([first.status, second.status], ['released', 'already_released'])
    balances = await balancesOf(shop)
    assert.equal(balances.available, 1_000n)
    assert.equal(balances.frozen, 0n)
    assert.lengthOf(await ledgerTransactions(shop, 'balance.released'), 1)
    const missing = await withTenant(
      (trx) => releaseFrozen(trx, { tenantId: shop.id, holdId: 999_999, actor: system }),
      shop.toRef()
    )
    assert.equal(missing.status, 'not_found')
  })
})
