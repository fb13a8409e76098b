import { test } from '@japa/runner'
import { createServer, type Server } from 'node:http'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import mail from '@adonisjs/mail/services/main'
import {
  installPlugin,
  PluginEventJob,
  PluginInstallError,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { setOutboundPolicy } from '#plugin_host/sdk_internals'
import webhook, { HEADERS } from '#plugins/notify-webhook/plugin'
import {
  addMember,
  auditOf,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { addItems, pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { createOrder } from '#delivery'
import { emitPluginEvent } from '#plugin_host/events'
import { orderEventPayload } from '#delivery/orders/order_events_out'
import type Tenant from '#models/tenant'
import type User from '#models/user'

const SECRET = 'whsec_test_signing_secret_0123456789'
const TOLERANCE_S = 300

interface Received {
  event: string
  delivery: string
  timestamp: string
  body: any
  valid: boolean
}

/**
 * The receiver a shop would run: verifies X-Lianka-Signature exactly as the plugin's README
 * tells integrators (t and v1 from the header, HMAC-SHA256 of "<t>.<raw body>", constant-
 * time compare, 5-minute tolerance), answers the statuses it is told to, in order.
 */
function receiver() {
  const received: Received[] = []
  const answers: number[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const header = String(req.headers[HEADERS.signature] ?? '')
      const parts = Object.fromEntries(
        header.split(',').map((kv) => kv.split('=', 2) as [string, string])
      )
      const expected = createHmac('sha256', SECRET).update(`${parts.t}.${raw}`).digest('hex')
      const given = Buffer.from(parts.v1 ?? '', 'utf8')
      const valid =
        given.length === expected.length &&
        timingSafeEqual(given, Buffer.from(expected, 'utf8')) &&
        Math.abs(Date.now() / 1000 - Number(parts.t)) <= TOLERANCE_S &&
        parts.t === req.headers[HEADERS.timestamp]
      received.push({
        event: String(req.headers[HEADERS.event]),
        delivery: String(req.headers[HEADERS.delivery]),
        timestamp: String(parts.t),
        body: JSON.parse(raw),
        valid,
      })
      res.writeHead(valid ? (answers.shift() ?? 200) : 401)
      res.end('ok')
    })
  })
  return {
    received,
    answers,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/lianka`
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

const PERMISSIONS = ['orders:read', 'network:outbound', 'merchant:menu']

async function install(shop: Tenant, owner: User) {
  await installPlugin({
    tenant: shop.toRef(),
    userId: owner.id,
    pluginId: 'notify-webhook',
    version: '1.0.0',
    consent: PERMISSIONS,
  })
}

/** A receiver listening for this test only (stopped by the test's cleanup). */
async function listening(cleanup: (fn: () => Promise<void>) => void) {
  const hook = receiver()
  const endpoint = await hook.start()
  cleanup(() => hook.stop())
  return { hook, endpoint }
}

async function enableWebhook(shop: Tenant, owner: User, endpoint: string) {
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await install(shop, owner)
  await savePluginSettings({
    ...actor,
    pluginId: 'notify-webhook',
    values: {
      endpoint,
      signingSecret: SECRET,
      onPaid: true,
      onDelivered: false,
      onRefunded: true,
    },
  })
  await setPluginEnabled({ ...actor, pluginId: 'notify-webhook', enabled: true })
}

async function paidOrder(shop: Tenant, txn: string) {
  const product = await productOf(shop)
  await addItems(shop, product, 1)
  const { order } = await createOrder({
    tenant: shop.toRef(),
    productId: product.id,
    quantity: 1,
    contactEmail: 'buyer@example.test',
  })
  await pay(shop, order.orderNo, order.amountMinor, txn)
  return order
}

const deliveries = (shop: Tenant) => rowsOf('plg_notify_webhook_deliveries', shop)

/** The shop's first delivery row (undefined while there is none). */
async function firstDelivery(shop: Tenant) {
  const rows = await deliveries(shop)
  return rows[0]
}

/** A column of the shop's first delivery row (undefined while there is none). */
async function deliveryField(shop: Tenant, field: string) {
  const row = await firstDelivery(shop)
  return row?.[field]
}

async function statusOf(response: Promise<{ status(): number }>) {
  const r = await response
  return r.status()
}

async function textOf(response: Promise<{ text(): string }>) {
  const r = await response
  return r.text()
}

test.group('plugins / notify-webhook', (group) => {
  const backoff = PluginEventJob.backoff
  group.each.setup(async () => {
    await resetState()
    await syncFirstPartyPlugins([webhook])
    // Retries as in production, only with short waits (the job's backoff is its setting).
    PluginEventJob.backoff = { type: 'exponential', delay: 100 }
    setOutboundPolicy({ allowPrivate: true })
    mail.fake()
    return () => {
      PluginEventJob.backoff = backoff
      setOutboundPolicy({ allowPrivate: true })
      mail.restore()
    }
  })

  test('a paid order is POSTed once, signed; the receiver verifies it; one delivery row', async ({
    assert,
    cleanup,
  }) => {
    assert.exists(hooks.plugin('notify-webhook'), 'loaded at boot from plugins/')
    const { hook, endpoint } = await listening(cleanup)
    const { shop, owner } = await shopWithOwner('wh-shop')
    await enableWebhook(shop, owner, endpoint)
    const order = await paidOrder(shop, 'T-WH1')

    assert.isTrue(
      await until(async () => (await deliveryField(shop, 'status')) === 'delivered'),
      'delivered'
    )
    // order.delivered is not subscribed: only order.paid went out.
    assert.lengthOf(hook.received, 1)
    const [sent] = hook.received
    assert.isTrue(sent.valid, 'signature, timestamp and tolerance verified')
    assert.equal(sent.event, 'order.paid')
    assert.equal(sent.delivery, `order.paid:${order.orderNo}`)
    assert.equal(sent.body.type, 'order.paid')
    assert.equal(sent.body.id, `order.paid:${order.orderNo}`)
    assert.deepInclude(sent.body.data, {
      orderNo: order.orderNo,
      amountMinor: order.amountMinor.toString(),
      currency: order.currency,
    })
    assert.notInclude(JSON.stringify(sent.body), SECRET)

    const [row] = await deliveries(shop)
    assert.equal(row.kind, 'order.paid')
    assert.equal(row.attempts, 1)
    assert.equal(row.last_status_code, 200)
    assert.isNull(row.last_error)
    assert.isNotNull(row.delivered_at)
    assert.notInclude(JSON.stringify(row.payload), SECRET)
  })

  test('non-2xx answers are retried with backoff until delivered; same delivery id', async ({
    assert,
    cleanup,
  }) => {
    const { hook, endpoint } = await listening(cleanup)
    hook.answers.push(500, 503)
    const { shop, owner } = await shopWithOwner('wh-retry')
    await enableWebhook(shop, owner, endpoint)
    const order = await paidOrder(shop, 'T-WH2')

    assert.isTrue(
      await until(async () => (await deliveryField(shop, 'status')) === 'delivered'),
      'delivered after retries'
    )
    assert.lengthOf(hook.received, 3)
    assert.isTrue(hook.received.every((r) => r.valid))
    assert.deepEqual(
      [...new Set(hook.received.map((r) => r.delivery))],
      [`order.paid:${order.orderNo}`]
    )
    const rows = await deliveries(shop)
    assert.lengthOf(rows, 1, 'one row for the event, whatever the attempts')
    assert.equal(rows[0].attempts, 3)
    assert.equal(rows[0].last_status_code, 200)
  })

  test('a failing endpoint is marked retrying with the next attempt, then failed at the last', async ({
    assert,
    cleanup,
  }) => {
    const { hook, endpoint } = await listening(cleanup)
    hook.answers.push(...Array(20).fill(500))
    PluginEventJob.backoff = { type: 'fixed', delay: 50 }
    const { shop, owner } = await shopWithOwner('wh-fail')
    await enableWebhook(shop, owner, endpoint)
    await paidOrder(shop, 'T-WH3')
    assert.isTrue(
      await until(async () => (await deliveryField(shop, 'attempts')) >= 1),
      'first attempt recorded'
    )
    const [first] = await deliveries(shop)
    if (first.status === 'retrying') assert.isNotNull(first.next_attempt_at)
    assert.isTrue(
      await until(async () => (await deliveryField(shop, 'status')) === 'failed', 30_000),
      'gave up after the job attempts'
    )
    const [row] = await deliveries(shop)
    assert.equal(row.attempts, PluginEventJob.attempts)
    assert.equal(row.last_status_code, 500)
    assert.equal(row.last_error, 'HTTP 500')
    assert.isNull(row.next_attempt_at)
    assert.lengthOf(hook.received, PluginEventJob.attempts)
  }).timeout(60_000)

  test('order.refunded (emitted by the refunds work) is sent when subscribed', async ({
    assert,
    cleanup,
  }) => {
    const { hook, endpoint } = await listening(cleanup)
    const { shop, owner } = await shopWithOwner('wh-refund')
    await enableWebhook(shop, owner, endpoint)
    const order = await paidOrder(shop, 'T-WHR')
    assert.isTrue(await until(async () => (await deliveryField(shop, 'status')) === 'delivered'))
    const targets = await emitPluginEvent(
      shop.toRef(),
      'order.refunded',
      `order.refunded:${order.orderNo}`,
      {
        ...orderEventPayload(order),
        status: 'refunded',
      }
    )
    assert.deepEqual(targets, ['notify-webhook'])
    assert.isTrue(await until(async () => hook.received.length === 2))
    const refunded = hook.received[1]
    assert.isTrue(refunded.valid)
    assert.equal(refunded.event, 'order.refunded')
    assert.equal(refunded.body.data.status, 'refunded')
    const rows = await deliveries(shop)
    const kinds = rows.map((r) => r.kind).sort()
    assert.deepEqual(kinds, ['order.paid', 'order.refunded'])
  })

  test('a redelivered event does not create a second row or a second POST', async ({
    assert,
    cleanup,
  }) => {
    const { hook, endpoint } = await listening(cleanup)
    const { shop, owner } = await shopWithOwner('wh-idem')
    await enableWebhook(shop, owner, endpoint)
    const order = await paidOrder(shop, 'T-WH4')
    assert.isTrue(await until(async () => (await deliveryField(shop, 'status')) === 'delivered'))
    // The job runs again (a crashed worker, a platform retry): same event id.
    const job = new PluginEventJob()
    const payload = {
      tenantId: shop.id,
      hook: 'order.paid' as const,
      pluginId: 'notify-webhook',
      eventId: `order.paid:${order.orderNo}`,
      value: {
        orderId: order.id,
        orderNo: order.orderNo,
        productId: order.productId,
        status: 'paid',
        amountMinor: order.amountMinor.toString(),
        currency: order.currency,
        contactEmail: order.contactEmail,
      },
    }
    const jobCtx = {
      tenant: shop.toRef(),
      job: { id: 'x', name: PluginEventJob.jobName, queue: 'default', attempt: 1, attempts: 8 },
      logger: { info() {}, warn() {} } as any,
    }
    await job.handle(payload, jobCtx)
    await job.handle(payload, jobCtx)
    assert.lengthOf(await deliveries(shop), 1)
    assert.lengthOf(hook.received, 1)
  })

  test('replay re-sends a delivery with a fresh signature (POST with CSRF, audited)', async ({
    assert,
    client,
    cleanup,
  }) => {
    const { hook, endpoint } = await listening(cleanup)
    const { shop, owner } = await shopWithOwner('wh-replay')
    await enableWebhook(shop, owner, endpoint)
    await paidOrder(shop, 'T-WH5')
    assert.isTrue(await until(async () => (await deliveryField(shop, 'status')) === 'delivered'))
    const [row] = await deliveries(shop)
    const url = `/merchant/plugins/notify-webhook/deliveries/${row.id}/replay`

    const noCsrf = await client.post(url).header('host', hostOf(shop)).loginAs(owner).redirects(0)
    assert.notEqual(noCsrf.header('location'), '/merchant/plugins/notify-webhook/')
    assert.lengthOf(hook.received, 1, 'no CSRF token, nothing sent')
    assert.equal(await deliveryField(shop, 'attempts'), 1)

    const replayed = await client
      .post(url)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    replayed.assertStatus(302)
    replayed.assertHeader('location', '/merchant/plugins/notify-webhook/')
    replayed.assertFlashMessage('notice', 'Delivery sent again: the endpoint answered 200.')
    assert.lengthOf(hook.received, 2)
    assert.isTrue(hook.received[1].valid)
    assert.equal(hook.received[1].delivery, hook.received[0].delivery)
    const [after] = await deliveries(shop)
    assert.equal(after.attempts, 2)
    assert.equal(after.status, 'delivered')
    const audit = await auditOf(shop)
    assert.isTrue(
      audit.some(
        (a: any) =>
          a.action === 'plugin.page_action' && JSON.stringify(a.metadata).includes('/replay')
      ),
      'the replay is in the audit log'
    )

    // A failing replay is reported to the merchant, with the answer's status.
    hook.answers.push(502)
    const failed = await client
      .post(url)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    failed.assertStatus(302)
    failed.assertFlashMessage('error', 'The endpoint did not accept it: HTTP 502.')
    const unknown = await client
      .post('/merchant/plugins/notify-webhook/deliveries/999999/replay')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    unknown.assertFlashMessage('error', 'No such delivery.')
    const bad = await client
      .post('/merchant/plugins/notify-webhook/deliveries/abc/replay')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
    bad.assertStatus(404)
  })

  test('bad settings are refused; private destinations fail at once in production', async ({
    assert,
    cleanup,
  }) => {
    const { hook, endpoint } = await listening(cleanup)
    const { shop, owner } = await shopWithOwner('wh-bad')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await install(shop, owner)
    for (const values of [
      { endpoint: 'ftp://example.com/x', signingSecret: SECRET },
      { endpoint: 'javascript:alert(1)', signingSecret: SECRET },
      { endpoint: 'https://example.com/x', signingSecret: 'short' },
      { endpoint: '', signingSecret: SECRET },
    ]) {
      const error = await savePluginSettings({
        ...actor,
        pluginId: 'notify-webhook',
        values,
      }).catch((e) => e)
      assert.instanceOf(error, PluginInstallError, JSON.stringify(values))
      assert.equal(error.code, 'E_PLUGIN_SETTINGS')
    }
    const enable = await setPluginEnabled({ ...actor, pluginId: 'notify-webhook', enabled: true })
      .then(() => null)
      .catch((e) => e)
    assert.instanceOf(enable, PluginInstallError, 'cannot be enabled without valid settings')

    // Production: a loopback endpoint is refused before connecting, and not retried.
    await savePluginSettings({
      ...actor,
      pluginId: 'notify-webhook',
      values: { endpoint, signingSecret: SECRET, onPaid: true },
    })
    await setPluginEnabled({ ...actor, pluginId: 'notify-webhook', enabled: true })
    setOutboundPolicy({ allowPrivate: false })
    await paidOrder(shop, 'T-WH6')
    assert.isTrue(await until(async () => (await deliveryField(shop, 'status')) === 'failed'))
    const [row] = await deliveries(shop)
    assert.equal(row.attempts, 1, 'no retry for a refused destination')
    assert.equal(row.last_error, 'private or loopback address refused')
    assert.lengthOf(hook.received, 0)
  })

  test('the log page and its menu entry exist only while the plugin is enabled (owners)', async ({
    assert,
    client,
    cleanup,
  }) => {
    const { endpoint } = await listening(cleanup)
    const { shop, owner } = await shopWithOwner('wh-page')
    const other = await shopWithOwner('wh-page-other')
    const page = '/merchant/plugins/notify-webhook/'
    const get = (path: string, who: User, s: Tenant = shop) =>
      client.get(path).header('host', hostOf(s)).loginAs(who)

    assert.equal(await statusOf(get(page, owner)), 404)
    assert.notInclude(await textOf(get('/merchant', owner)), page)
    await install(shop, owner)
    assert.equal(await statusOf(get(page, owner)), 404)
    assert.notInclude(await textOf(get('/merchant', owner)), page, 'installed, not enabled')

    const actor = { tenant: shop.toRef(), userId: owner.id }
    await savePluginSettings({
      ...actor,
      pluginId: 'notify-webhook',
      values: { endpoint, signingSecret: SECRET, onPaid: true },
    })
    await setPluginEnabled({ ...actor, pluginId: 'notify-webhook', enabled: true })
    await paidOrder(shop, 'T-WH7')
    assert.isTrue(await until(async () => (await deliveryField(shop, 'status')) === 'delivered'))

    const dashboard = await get('/merchant', owner)
    dashboard.assertStatus(200)
    assert.include(dashboard.text(), `href="${page}"`)
    assert.include(dashboard.text(), '>Webhooks</a>')

    const list = await get(page, owner)
    list.assertStatus(200)
    list.assertTextIncludes('Webhook deliveries')
    list.assertTextIncludes('order.paid')
    list.assertTextIncludes('Delivered')
    list.assertTextIncludes(`/merchant/plugins/notify-webhook/deliveries/`)
    assert.notInclude(list.text(), SECRET, 'the secret is never rendered')
    assert.equal(await statusOf(get('/merchant/plugins/notify-webhook', owner)), 200)

    const zh = await client
      .get(page)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    zh.assertStatus(200)
    zh.assertTextIncludes('Webhook 投递记录')
    zh.assertTextIncludes('已送达')

    // Fixed management paths still win over plugin pages.
    assert.equal(await statusOf(get('/merchant/plugins/notify-webhook/settings', owner)), 200)
    assert.equal(await statusOf(get('/merchant/plugins/notify-webhook/nothing-here', owner)), 404)

    // Staff are not owners: no page, no menu entry.
    const staff = await createUser('wh-staff@example.test')
    await addMember(shop, staff, 'staff')
    assert.equal(await statusOf(get(page, staff)), 403)
    assert.notInclude(await textOf(get('/merchant', staff)), page)

    // Another shop that has not installed it: 404, and no rows of this shop anywhere.
    assert.equal(await statusOf(get(page, other.owner, other.shop)), 404)
    assert.lengthOf(await deliveries(other.shop), 0)

    // Disabled again: gone.
    await setPluginEnabled({ ...actor, pluginId: 'notify-webhook', enabled: false })
    assert.equal(await statusOf(get(page, owner)), 404)
    assert.notInclude(await textOf(get('/merchant', owner)), page)
  })
})
