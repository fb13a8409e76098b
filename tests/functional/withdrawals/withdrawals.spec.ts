import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { requestWithdrawal } from '#ledger/settlement/index'
import { listAccounts, verifyLedger } from '#ledger'
import { withTenant } from '#tenancy'
import { createAdmin } from '#tests/functional/platform/helpers'
import {
  actionsOf,
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import {
  balanceOf,
  balancesOf,
  fund,
  ledgerTransactions,
  rowsOf,
} from '#tests/functional/settlement/_fixtures'

const KEY = '0f8f4a8e-5a43-4c36-9d0e-2f5a6b7c8d9e'

function post(client: any, shop: Tenant, user: User, path: string, form: Record<string, unknown>) {
  return client
    .post(path)
    .header('host', hostOf(shop))
    .loginAs(user)
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

test.group('withdrawals / merchant', (group) => {
  group.each.setup(() => resetState())

  test('the balance page shows pending, available, frozen and payable', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 123_456n)
    const response = await client
      .get('/merchant/balance')
      .header('host', hostOf(shop))
      .loginAs(owner)
    response.assertStatus(200)
    response.assertTextIncludes('CNY 1234.56')
    response.assertTextIncludes('Being paid out')
  })

  test('the balance page is in Chinese for zh-CN', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    const response = await client
      .get('/merchant/withdrawals')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    response.assertStatus(200)
    response.assertTextIncludes('最低提现')
  })

  test('staff cannot see balances or request a withdrawal (403), nothing is written', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('money-shop')
    await fund(shop, 100_000n)
    const staff = await createUser('staff@money-shop.test')
    await addMember(shop, staff, 'staff')
    const page = await client
      .get('/merchant/withdrawals')
      .header('host', hostOf(shop))
      .loginAs(staff)
    page.assertStatus(403)
    const balance = await client
      .get('/merchant/balance')
      .header('host', hostOf(shop))
      .loginAs(staff)
    balance.assertStatus(403)
    const preview = await post(client, shop, staff, '/merchant/withdrawals/preview', {
      amount: '200',
    })
    preview.assertStatus(403)
    const store = await post(client, shop, staff, '/merchant/withdrawals', {
      amount: '200',
      request_key: KEY,
    })
    store.assertStatus(403)
    assert.lengthOf(await rowsOf('withdrawals', shop), 0)
    const after = await balancesOf(shop)
    assert.equal(after.available, 100_000n)
  })

  test('the confirmation shows fee and net before anything is written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 100_000n)
    const response = await post(client, shop, owner, '/merchant/withdrawals/preview', {
      amount: '500',
    })
    response.assertStatus(200)
    response.assertTextIncludes('CNY 500.00')
    response.assertTextIncludes('CNY 5.00')
    response.assertTextIncludes('CNY 495.00')
    response.assertTextIncludes('name="request_key"')
    assert.lengthOf(await rowsOf('withdrawals', shop), 0)
  })

  test('an owner requests a withdrawal: ledgered, audited, a resubmission is one request', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 100_000n)
    for (let i = 0; i < 2; i++) {
      const response = await post(client, shop, owner, '/merchant/withdrawals', {
        amount: '500.00',
        request_key: KEY,
      })
      response.assertStatus(302)
      response.assertHeader('location', '/merchant/withdrawals')
    }
    const rows = await rowsOf('withdrawals', shop)
    assert.lengthOf(rows, 1)
    assert.deepInclude(rows[0], {
      amount: 50_000,
      fee: 500,
      net: 49_500,
      status: 'requested',
      requested_by: owner.id,
    })
    const balances = await balancesOf(shop)
    assert.equal(balances.available, 50_000n)
    assert.equal(balances.payable, 50_000n)
    assert.lengthOf(await ledgerTransactions(shop, 'withdrawal.requested'), 1)
    assert.include(await actionsOf(shop), 'withdrawal.requested')

    const list = await client
      .get('/merchant/withdrawals')
      .header('host', hostOf(shop))
      .loginAs(owner)
    list.assertTextIncludes('Requested')
    list.assertTextIncludes('CNY 495.00')
  })

  test('more than available: form error at preview and at request, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 20_000n)
    const preview = await post(client, shop, owner, '/merchant/withdrawals/preview', {
      amount: '200.01',
    })
    preview.assertStatus(302)
    preview.assertFlashMessage('inputErrorsBag', {
      amount: ['That is more than your available balance (CNY 200.00).'],
    })
    const store = await post(client, shop, owner, '/merchant/withdrawals', {
      amount: '200.01',
      request_key: KEY,
    })
    store.assertStatus(302)
    store.assertHeader('location', '/merchant/withdrawals')
    store.assertFlashMessage('inputErrorsBag', {
      amount: ['Your available balance is not enough for this withdrawal. Nothing was requested.'],
    })
    assert.lengthOf(await rowsOf('withdrawals', shop), 0)
    assert.lengthOf(await ledgerTransactions(shop, 'withdrawal.requested'), 0)
    const after = await balancesOf(shop)
    assert.equal(after.available, 20_000n)
  })

  test('bad amounts are form errors (HTML) or 422 (JSON), nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 100_000n)
    const bad: unknown[] = ['-5', '1.234', '1e5', '99999999999999999', '', 'abc', '50', '0']
    for (const amount of bad) {
      const response = await post(client, shop, owner, '/merchant/withdrawals', {
        amount,
        request_key: KEY,
      })
      response.assertStatus(302)
      assert.isDefined(response.flashMessages().inputErrorsBag?.amount, String(amount))
    }
    const array = await client
      .post('/merchant/withdrawals')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .json({ amount: ['500'], request_key: KEY })
      .accept('json')
      .withCsrfToken()
      .redirects(0)
    array.assertStatus(422)
    const number = await client
      .post('/merchant/withdrawals')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .json({ amount: 500, request_key: KEY })
      .accept('json')
      .withCsrfToken()
      .redirects(0)
    number.assertStatus(422)
    const noKey = await post(client, shop, owner, '/merchant/withdrawals', { amount: '500' })
    noKey.assertStatus(302)
    assert.isDefined(noKey.flashMessages().inputErrorsBag?.request_key)
    assert.lengthOf(await rowsOf('withdrawals', shop), 0)
    const after = await balancesOf(shop)
    assert.equal(after.available, 100_000n)
  })

  test('10 concurrent requests beyond the balance: only the affordable ones succeed', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 100_000n)
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        requestWithdrawal({ tenant: shop.toRef(), userId: owner.id, amount: 30_000n })
      )
    )
    assert.lengthOf(
      results.filter((r) => r.ok),
      3
    )
    assert.isTrue(
      results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'insufficient_funds')
    )
    const balances = await balancesOf(shop)
    assert.equal(balances.available, 10_000n)
    assert.equal(balances.payable, 90_000n)
    assert.lengthOf(await rowsOf('withdrawals', shop), 3)
    assert.lengthOf(await ledgerTransactions(shop, 'withdrawal.requested'), 3)
  })
})

test.group('withdrawals / admin', (group) => {
  group.each.setup(() => resetState())

  async function requested() {
    const { shop, owner } = await shopWithOwner('money-shop')
    await fund(shop, 100_000n)
    const result = await requestWithdrawal({
      tenant: shop.toRef(),
      userId: owner.id,
      amount: 50_000n,
    })
    if (!result.ok) throw new Error('setup: withdrawal refused')
    return { shop, owner, withdrawal: result.withdrawal }
  }

  function admin() {
    return createAdmin()
  }

  function adminPost(client: any, who: any, path: string, form: Record<string, unknown>) {
    return client
      .post(path)
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(who)
      .form(form)
      .withCsrfToken()
      .redirects(0)
  }

  function platformRows(action: string) {
    return db.connection('platform').from('platform_audit_events').where('action', action)
  }

  test('the queue lists requested withdrawals across shops and is audited', async ({
    client,
    assert,
  }) => {
    await requested()
    const root = await admin()
    const response = await client
      .get('/admin/withdrawals')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(root)
    response.assertStatus(200)
    response.assertTextIncludes('money-shop')
    response.assertTextIncludes('CNY 495.00')
    const access = await platformRows('platform.access')
    assert.isTrue(access.some((row) => row.metadata.reason === 'withdrawals.list'))

    const paid = await client
      .get('/admin/withdrawals?status=paid')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(root)
    assert.notInclude(paid.text(), 'money-shop</a>')
  })

  test('pay: payable → external world (net) + platform fee; status paid; audited; once', async ({
    client,
    assert,
  }) => {
    const { shop, withdrawal } = await requested()
    const root = await admin()
    const path = `/admin/withdrawals/${shop.id}/${withdrawal.id}/pay`
    const feeBefore = await balanceOf(shop, 'platform_fee')
    const worldBefore = await balanceOf(shop, 'external_world')
    const [first, second] = await Promise.all([
      adminPost(client, root, path, { payout_reference: 'BANK-20261125-001' }),
      adminPost(client, root, path, { payout_reference: 'BANK-20261125-001' }),
    ])
    first.assertStatus(302)
    second.assertStatus(302)
    const [row] = await rowsOf('withdrawals', shop)
    assert.deepInclude(row, { status: 'paid', payout_reference: 'BANK-20261125-001' })
    assert.equal(row.decided_by, root.id)
    const balances = await balancesOf(shop)
    assert.equal(balances.payable, 0n)
    assert.equal(balances.available, 50_000n)
    const feeAfter = await balanceOf(shop, 'platform_fee')
    const worldAfter = await balanceOf(shop, 'external_world')
    assert.equal(feeAfter - feeBefore, 500n)
    assert.equal(worldAfter - worldBefore, 49_500n)
    assert.lengthOf(await ledgerTransactions(shop, 'withdrawal.paid'), 1)
    assert.include(await actionsOf(shop), 'withdrawal.paid')
    assert.lengthOf(await platformRows('withdrawal.paid'), 1)

    const verification = await verifyLedger({ tenantSlug: shop.slug })
    assert.isTrue(verification.ok, JSON.stringify(verification.firstProblem))
    const accounts = await withTenant((trx) => listAccounts(trx, shop.id), shop.toRef())
    assert.equal(
      accounts.reduce((sum, account) => sum + account.balance, 0n),
      0n,
      'every shop account sums to zero'
    )
  })

  test('reject needs a reason and returns the full amount to available', async ({
    client,
    assert,
  }) => {
    const { shop, withdrawal } = await requested()
    const root = await admin()
    const path = `/admin/withdrawals/${shop.id}/${withdrawal.id}/reject`
    const empty = await adminPost(client, root, path, { reason: ' ' })
    empty.assertStatus(302)
    const [unchanged] = await rowsOf('withdrawals', shop)
    assert.equal(unchanged.status, 'requested')
    const errors = empty.flashMessages().inputErrorsBag
    assert.deepEqual(errors, { reason: ['Reason is required.'] })
    const shown = await client
      .get('/admin/withdrawals')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(root)
      .withFlashMessages({ inputErrorsBag: errors })
    shown.assertStatus(200)
    shown.assertTextIncludes('Reason is required.')

    const response = await adminPost(client, root, path, { reason: 'Bank account name mismatch' })
    response.assertStatus(302)
    const [row] = await rowsOf('withdrawals', shop)
    assert.deepInclude(row, { status: 'rejected', reject_reason: 'Bank account name mismatch' })
    const balances = await balancesOf(shop)
    assert.equal(balances.available, 100_000n)
    assert.equal(balances.payable, 0n)
    assert.lengthOf(await ledgerTransactions(shop, 'withdrawal.rejected'), 1)
    assert.include(await actionsOf(shop), 'withdrawal.rejected')
    assert.lengthOf(await platformRows('withdrawal.rejected'), 1)

    const payAfter = await adminPost(
      client,
      root,
      `/admin/withdrawals/${shop.id}/${withdrawal.id}/pay`,
      {
        payout_reference: 'LATE-1',
      }
    )
    payAfter.assertStatus(302)
    payAfter.assertFlashMessage('error', 'That withdrawal was already decided (Rejected).')
    assert.lengthOf(await ledgerTransactions(shop, 'withdrawal.paid'), 0)
  })

  test('ids beyond the safe range or unknown are answered without a 500', async ({ client }) => {
    const root = await admin()
    const huge = '99999999999999999999'
    for (const path of [
      `/admin/withdrawals/${huge}/1/pay`,
      `/admin/withdrawals/1/${huge}/reject`,
      `/admin/shops/${huge}/money/freeze`,
      `/admin/shops/1/money/holds/${huge}/release`,
    ]) {
      const response = await adminPost(client, root, path, {
        payout_reference: 'REF-1',
        reason: 'some reason',
        amount: '1',
      })
      response.assertStatus(302)
    }
    const page = await client
      .get(`/admin/shops/${huge}/money`)
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(root)
      .redirects(0)
    page.assertStatus(302)
    const unknown = await adminPost(client, root, '/admin/withdrawals/424242/1/pay', {
      payout_reference: 'REF-1',
    })
    unknown.assertFlashMessage('error', 'That withdrawal does not exist.')
    const unknownShop = await client
      .get('/admin/shops/424242/money')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(root)
      .redirects(0)
    unknownShop.assertStatus(302)
    unknownShop.assertHeader('location', '/admin/shops')
    const freezeUnknown = await adminPost(client, root, '/admin/shops/424242/money/freeze', {
      amount: '1',
      reason: 'some reason',
    })
    freezeUnknown.assertStatus(302)
  })

  test('shop money page: audited view, hold days, freeze beyond available refused, release', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('money-shop')
    await fund(shop, 10_000n)
    const root = await admin()
    const page = await client
      .get(`/admin/shops/${shop.id}/money`)
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(root)
    page.assertStatus(200)
    page.assertTextIncludes('CNY 100.00')
    const access = await platformRows('platform.access')
    assert.isTrue(access.some((row) => row.metadata.reason === 'shop.money.view'))

    const base = `/admin/shops/${shop.id}/money`
    const tooShort = await adminPost(client, root, `${base}/hold-days`, { hold_days: '2' })
    tooShort.assertStatus(302)
    assert.lengthOf(await rowsOf('shop_money_settings', shop), 0)
    const hold = await adminPost(client, root, `${base}/hold-days`, { hold_days: '10' })
    hold.assertStatus(302)
    const [setting] = await rowsOf('shop_money_settings', shop)
    assert.equal(setting.hold_days, 10)
    assert.include(await actionsOf(shop), 'settlement.hold_days_changed')

    const tooMuch = await adminPost(client, root, `${base}/freeze`, {
      amount: '100.01',
      reason: 'complaint C-1',
    })
    tooMuch.assertStatus(302)
    tooMuch.assertFlashMessage('inputErrorsBag', {
      amount: ["That is more than the shop's available balance. Nothing was frozen."],
    })
    assert.lengthOf(await rowsOf('balance_holds', shop), 0)

    const frozen = await adminPost(client, root, `${base}/freeze`, {
      amount: '40',
      reason: 'complaint C-1',
      ref: 'C-1',
    })
    frozen.assertStatus(302)
    let balances = await balancesOf(shop)
    assert.equal(balances.frozen, 4_000n)
    assert.equal(balances.available, 6_000n)
    const [holdRow] = await rowsOf('balance_holds', shop)
    const release = await adminPost(client, root, `${base}/holds/${holdRow.id}/release`, {
      note: 'resolved',
    })
    release.assertStatus(302)
    balances = await balancesOf(shop)
    assert.equal(balances.frozen, 0n)
    assert.equal(balances.available, 10_000n)
    const actions = await actionsOf(shop)
    assert.includeMembers(actions, ['balance.frozen', 'balance.released'])
    assert.lengthOf(await platformRows('balance.frozen'), 1)
  })
})
