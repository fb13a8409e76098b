import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { randomBytes } from 'node:crypto'
import type Tenant from '#models/tenant'
import {
  GATEWAY_KEY,
  pendingOrder,
  platformRows,
  postCallback,
  shopWithGateway,
  withTestGateway,
} from '#tests/functional/payments/_fixtures'
import { freshIp, hostOf } from '#tests/functional/merchant/_fixtures'

const slug = () => `buy-${randomBytes(4).toString('hex')}`

function get(client: ApiClient, shop: Tenant, path: string, ip = freshIp()) {
  return client
    .get(path)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', ip)
    .header('accept-language', 'en')
    .redirects(0)
}

function pay(client: ApiClient, shop: Tenant, token: string, gateway: string) {
  return client
    .post(`/orders/${token}/pay`)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', freshIp())
    .header('accept-language', 'en')
    .form({ gateway })
    .withCsrfToken()
    .redirects(0)
}

test.group('payments / buyer', (group) => {
  const fx = withTestGateway(group)

  test('the order page lists the gateways; choosing one redirects to the gateway', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint, 'redirect')
    const { order, token } = await pendingOrder(shop)
    const page = await get(client, shop, `/orders/${token}`)
    page.assertStatus(200)
    assert.include(page.text(), 'Test gateway')
    assert.include(page.text(), 'value="test-gateway"')
    assert.include(page.text(), '/js/payment_status.js')
    assert.notInclude(page.text(), GATEWAY_KEY)

    const response = await pay(client, shop, token, 'test-gateway')
    response.assertStatus(303)
    const fake = fx.gateway.latest(order.orderNo)!
    assert.equal(response.header('location'), `${fx.endpoint}/pay/${fake.ref}`)
    assert.equal(new URL(fake.returnUrl).pathname, `/orders/${token}`)
    const [attempt] = await platformRows('payment_attempts', shop)
    assert.deepEqual(attempt.action, { kind: 'redirect', url: `${fx.endpoint}/pay/${fake.ref}` })

    // Coming back to the return URL shows the order; it never pays it.
    const back = await get(client, shop, `/orders/${token}`)
    back.assertStatus(200)
    const [row] = await platformRows('orders', shop)
    assert.equal(row.status, 'pending')
    assert.lengthOf(await platformRows('payments', shop), 0)
  })

  test('QR mode: a server-rendered SVG page; the status fx.endpoint flips after the callback', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint, 'qr')
    const { order, token } = await pendingOrder(shop)
    const response = await pay(client, shop, token, 'test-gateway')
    response.assertStatus(303)
    const location = String(response.header('location'))
    assert.match(location, new RegExp(`^/orders/${token}/pay/\\d+$`))
    const page = await get(client, shop, location)
    page.assertStatus(200)
    assert.include(page.text(), '<svg')
    assert.notInclude(page.text(), 'style=')
    const fake = fx.gateway.latest(order.orderNo)!
    assert.include(page.text(), `href="${fx.endpoint}/pay/${fake.ref}"`)

    const status = await get(client, shop, `/orders/${token}/status`)
    status.assertStatus(200)
    assert.equal(status.header('cache-control'), 'no-store')
    assert.deepEqual(status.body(), { status: 'pending', paid: false, final: false })

    await postCallback(shop, fx.gateway.callbackBody(fx.gateway.markPaid(fake.ref)))
    const after = await get(client, shop, `/orders/${token}/status`)
    assert.deepEqual(after.body(), { status: 'delivered', paid: true, final: true })
    // The payment page of a paid order goes back to the order.
    const again = await get(client, shop, location)
    again.assertStatus(303)
    assert.equal(again.header('location'), `/orders/${token}`)
    // An unknown token: 404, no status leaked.
    const unknown = await get(client, shop, `/orders/${'x'.repeat(40)}/status`)
    unknown.assertStatus(404)
  })

  test('form mode: hidden fields and a button, auto-submitted by a script file', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint, 'form')
    const { order, token } = await pendingOrder(shop)
    const response = await pay(client, shop, token, 'test-gateway')
    const page = await get(client, shop, String(response.header('location')))
    page.assertStatus(200)
    const fake = fx.gateway.latest(order.orderNo)!
    assert.include(page.text(), `action="${fx.endpoint}/pay/${fake.ref}"`)
    assert.include(page.text(), `name="ref" value="${fake.ref}"`)
    assert.include(page.text(), '/js/pay_form.js')
  })

  test('a gateway that is down, an unknown gateway, a paid order: clear errors, nothing charged', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint, 'redirect')
    const { token } = await pendingOrder(shop)
    fx.gateway.setDown(true)
    const down = await pay(client, shop, token, 'test-gateway')
    down.assertStatus(303)
    assert.equal(down.header('location'), `/orders/${token}`)
    const [attempt] = await platformRows('payment_attempts', shop)
    assert.equal(attempt.status, 'failed')
    down.assertFlashMessage(
      'error',
      'The payment service did not answer. Nothing was charged: try again in a moment, or choose another method.'
    )

    const unknown = await pay(client, shop, token, 'no-such-gateway')
    assert.equal(unknown.header('location'), `/orders/${token}`)
    unknown.assertFlashMessage('error', 'This payment method is not available. Choose another one.')
    const injected = await pay(client, shop, token, '../../etc')
    assert.equal(injected.header('location'), `/orders/${token}`)
    assert.lengthOf(await platformRows('payment_attempts', shop), 1)
    const [row] = await platformRows('orders', shop)
    assert.equal(row.status, 'pending')

    fx.gateway.setDown(false)
    await pay(client, shop, token, 'test-gateway')
    const attempts = await platformRows('payment_attempts', shop)
    const fake = fx.gateway.payments.get(attempts[1].provider_ref)!
    await postCallback(shop, fx.gateway.callbackBody(fx.gateway.markPaid(fake.ref)))
    const late = await pay(client, shop, token, 'test-gateway')
    assert.equal(late.header('location'), `/orders/${token}`)
    const paidPage = await get(client, shop, `/orders/${token}`)
    assert.notInclude(paidPage.text(), 'value="test-gateway"')
    assert.lengthOf(await platformRows('payment_attempts', shop), 2)
  })

  test('paying without a CSRF token is refused', async ({ client, assert }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint, 'redirect')
    const { token } = await pendingOrder(shop)
    const response = await client
      .post(`/orders/${token}/pay`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ gateway: 'test-gateway' })
      .redirects(0)
    assert.notEqual(response.status(), 303)
    assert.lengthOf(await platformRows('payment_attempts', shop), 0)
  })
})
