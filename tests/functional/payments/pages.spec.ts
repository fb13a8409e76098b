import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { randomBytes } from 'node:crypto'
import {
  GATEWAY_KEY,
  pendingOrder,
  platformRows,
  postCallback,
  shopWithGateway,
  startAttempt,
  startedOrder,
  withTestGateway,
} from '#tests/functional/payments/_fixtures'
import { ACCOUNT_HEADER } from '#tests/fixtures/plugins/test-gateway/plugin'
import { addMember, auditOf, createUser, hostOf } from '#tests/functional/merchant/_fixtures'
import { createAdmin } from '#tests/functional/platform/helpers'

const slug = () => `pg-${randomBytes(4).toString('hex')}`

test.group('payments / merchant gateways and platform alerts', (group) => {
  const fx = withTestGateway(group)

  test('owners see the gateways and connect an account; staff are refused', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithGateway(slug(), fx.endpoint)
    const staff = await createUser(`staff@${shop.slug}.test`)
    await addMember(shop, staff, 'staff')

    const page = await client
      .get('/merchant/payments')
      .header('host', hostOf(shop))
      .header('accept-language', 'en')
      .loginAs(owner)
    page.assertStatus(200)
    assert.include(page.text(), 'Test gateway')
    assert.include(page.text(), 'Connect account')
    assert.notInclude(page.text(), GATEWAY_KEY)
    const denied = await client
      .get('/merchant/payments')
      .header('host', hostOf(shop))
      .loginAs(staff)
    denied.assertStatus(403)
    const deniedPost = await client
      .post('/merchant/payments/test-gateway/connect')
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
      .redirects(0)
    deniedPost.assertStatus(403)

    const connect = await client
      .post('/merchant/payments/test-gateway/connect')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    connect.assertStatus(303)
    assert.match(String(connect.header('location')), new RegExp(`^${fx.endpoint}/onboard/acct_`))
    const accounts = await db.from('gateway_accounts').where('tenant_id', shop.id)
    assert.lengthOf(accounts, 1)
    assert.equal(accounts[0].gateway, 'testpay')
    const [request] = fx.gateway.connects
    assert.equal(
      new URL(String(request.returnUrl)).pathname + new URL(String(request.returnUrl)).search,
      '/merchant/payments?connected=test-gateway'
    )
    const audit = await auditOf(shop)
    assert.isTrue(audit.some((row: any) => row.action === 'payments.gateway_connected'))

    // Resuming reuses the account: no second row, no second audit record.
    await client
      .post('/merchant/payments/test-gateway/connect')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    assert.lengthOf(await db.from('gateway_accounts').where('tenant_id', shop.id), 1)
    const after = await auditOf(shop)
    assert.lengthOf(
      after.filter((row: any) => row.action === 'payments.gateway_connected'),
      1
    )
  })

  test('platform callbacks route by account to the shop; an unknown account is a 400', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithGateway(slug(), fx.endpoint)
    await client
      .post('/merchant/payments/test-gateway/connect')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    const [account] = await db.from('gateway_accounts').where('tenant_id', shop.id)
    const { order } = await pendingOrder(shop)
    await startAttempt(shop, order.id)
    const [attempt] = await platformRows('payment_attempts', shop)
    const body = fx.gateway.callbackBody(fx.gateway.markPaid(attempt.provider_ref))

    const unknown = await postCallback(shop, body, {
      host: 'localhost',
      path: '/pay/platform-callback/test-gateway',
      headers: { [ACCOUNT_HEADER]: 'acct_nobody' },
    })
    assert.equal(unknown.status, 400)
    const forged = await postCallback(shop, body, {
      host: 'localhost',
      path: '/pay/platform-callback/test-gateway',
      headers: { [ACCOUNT_HEADER]: account.external_account_id },
      signature: 'f'.repeat(64),
    })
    assert.equal(forged.status, 400)
    const ok = await postCallback(shop, body, {
      host: 'localhost',
      path: '/pay/platform-callback/test-gateway',
      headers: { [ACCOUNT_HEADER]: account.external_account_id },
    })
    assert.deepEqual(ok, { status: 200, body: 'OK' })
    const orders = await platformRows('orders', shop)
    assert.equal(orders[0].status, 'delivered')
    const outcomes = await platformRows('payment_callbacks', shop)
    assert.deepEqual(
      outcomes.map((r: any) => r.outcome),
      ['bad_signature', 'accepted']
    )
  })

  test('a mismatch lands on the admin alert list; resolving needs a note and is audited', async ({
    client,
    assert,
  }) => {
    const { shop, order, attempt } = await startedOrder(slug(), fx.endpoint)
    const paid = fx.gateway.markPaid(attempt.provider_ref)
    await postCallback(shop, fx.gateway.callbackBody(paid, { amount: '9.99' }))

    const root = await createAdmin()
    const list = await client
      .get('/admin/payments/alerts')
      .header('host', 'localhost')
      .header('accept-language', 'en')
      .withGuard('admin')
      .loginAs(root)
    list.assertStatus(200)
    assert.include(list.text(), shop.slug)
    assert.include(list.text(), 'Amount mismatch')
    assert.include(list.text(), order.orderNo)
    const [alert] = await platformRows('payment_alerts', shop)

    const resolve = (note: string) =>
      client
        .post(`/admin/payments/alerts/${shop.id}/${alert.id}/resolve`)
        .header('host', 'localhost')
        .header('accept-language', 'en')
        .withGuard('admin')
        .loginAs(root)
        .form({ note })
        .withCsrfToken()
        .redirects(0)
    const short = await resolve('x')
    short.assertFlashMessage('error', 'Write a note (2 to 500 characters).')
    const open = await platformRows('payment_alerts', shop)
    assert.isNull(open[0].resolved_at)
    const done = await resolve('Refunded 9.99 to the buyer by hand')
    done.assertFlashMessage('notice', 'Alert resolved.')
    const [resolved] = await platformRows('payment_alerts', shop)
    assert.equal(resolved.resolution_note, 'Refunded 9.99 to the buyer by hand')
    assert.equal(Number(resolved.resolved_by), root.id)
    const audit = await db
      .connection('platform')
      .from('platform_audit_events')
      .where('action', 'payment_alert.resolved')
    assert.lengthOf(audit, 1)
    const again = await resolve('Once more')
    again.assertFlashMessage('error', 'This alert was already resolved.')
    const empty = await client
      .get('/admin/payments/alerts')
      .header('host', 'localhost')
      .header('accept-language', 'en')
      .withGuard('admin')
      .loginAs(root)
    assert.include(empty.text(), 'No open payment alert.')
    // Buyers' and merchants' hosts have no such page.
    const fromShop = await client.get('/admin/payments/alerts').header('host', hostOf(shop))
    assert.equal(fromShop.status(), 404)
  })
})
