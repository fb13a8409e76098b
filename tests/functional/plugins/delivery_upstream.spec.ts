import { test } from '@japa/runner'
import { createServer, type Server } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import {
  contractContext,
  deliverySourceContract,
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import upstream, {
  sign,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '#plugins/delivery-upstream/plugin'
import { createOrder } from '#delivery'
import { decryptSecret } from '#delivery/secrets/index'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'

const API_KEY = 'supplier-signing-key-0123456789'

/**
 * A fake supplier: checks the signature and the timestamp, answers a repeated request id
 * with the same keys, and can be told to be out of stock or down.
 */
function fakeSupplier() {
  const seen: string[] = []
  const issued = new Map<string, string[]>()
  let mode: 'ok' | 'out_of_stock' | 'down' = 'ok'
  let counter = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const timestamp = String(req.headers[TIMESTAMP_HEADER] ?? '')
      const given = Buffer.from(String(req.headers[SIGNATURE_HEADER] ?? ''))
      const expected = Buffer.from(sign(API_KEY, timestamp, body))
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300
      const reply = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(data))
      }
      if (given.length !== expected.length || !timingSafeEqual(given, expected) || !fresh) {
        return reply(401, { error: 'bad_signature' })
      }
      const request = JSON.parse(body)
      seen.push(request.requestId)
      if (req.headers['idempotency-key'] !== request.requestId) return reply(400, {})
      if (mode === 'down') return reply(503, { error: 'maintenance' })
      if (mode === 'out_of_stock') return reply(409, { error: 'out_of_stock' })
      const items =
        issued.get(request.requestId) ??
        Array.from({ length: request.quantity }, () => `UP-${request.product}-${++counter}`)
      issued.set(request.requestId, items)
      reply(200, { items: items.map((secret) => ({ secret })) })
    })
  })
  return {
    server,
    seen,
    issued,
    setMode: (m: typeof mode) => (mode = m),
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`
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

const source = upstream.capabilities!.deliverySource!

test.group('plugins / delivery-upstream', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('passes the delivery-source contract against a signing, idempotent supplier', async ({
    assert,
    cleanup,
  }) => {
    const supplier = fakeSupplier()
    const endpoint = await supplier.start()
    cleanup(() => supplier.stop())
    assert.deepEqual(await deliverySourceContract(source, { endpoint, apiKey: API_KEY }), [])
  })

  test('answers are classified: out of stock and refusals final, outages retryable', async ({
    assert,
    cleanup,
  }) => {
    const supplier = fakeSupplier()
    const endpoint = await supplier.start()
    cleanup(() => supplier.stop())
    const request = { tenantId: 1, orderNo: 'N1', lineId: 1, productId: 7, quantity: 1, key: 'r1' }
    const ctx = (settings: Record<string, unknown>) => contractContext(settings)

    supplier.setMode('out_of_stock')
    assert.deepEqual(await source.deliver(request, ctx({ endpoint, apiKey: API_KEY })), {
      ok: false,
      reason: 'out_of_stock',
      retryable: false,
    })
    supplier.setMode('down')
    assert.deepInclude(await source.deliver(request, ctx({ endpoint, apiKey: API_KEY })), {
      ok: false,
      retryable: true,
    })
    supplier.setMode('ok')
    // A wrong key: the supplier refuses the signature → rejected, not retried.
    assert.deepInclude(
      await source.deliver(request, ctx({ endpoint, apiKey: 'another-key-0123456789' })),
      { ok: false, reason: 'rejected', retryable: false }
    )
    // Keys never travel over plain http to another machine.
    assert.deepInclude(
      await source.deliver(
        request,
        ctx({ endpoint: 'http://supplier.example/keys', apiKey: API_KEY })
      ),
      { ok: false, reason: 'rejected' }
    )
    // Nobody listening: retryable.
    await supplier.stop()
    assert.deepInclude(await source.deliver(request, ctx({ endpoint, apiKey: API_KEY })), {
      ok: false,
      retryable: true,
    })
  })

  test('end to end: a paid source order gets the supplier keys once, encrypted', async ({
    assert,
    cleanup,
  }) => {
    assert.exists(hooks.plugin('delivery-upstream'), 'loaded at boot from plugins/')
    const supplier = fakeSupplier()
    const endpoint = await supplier.start()
    cleanup(() => supplier.stop())
    await syncFirstPartyPlugins([upstream])
    const { shop, owner } = await shopWithOwner('upstream-shop')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'delivery-upstream',
      version: '1.0.0',
      consent: ['delivery:source', 'network:outbound'],
    })
    await savePluginSettings({
      ...actor,
      pluginId: 'delivery-upstream',
      values: { endpoint, apiKey: API_KEY, productCode: 'GAME-100' },
    })
    await setPluginEnabled({ ...actor, pluginId: 'delivery-upstream', enabled: true })
    const product = await productOf(shop, { type: 'source', sourceId: 'delivery-upstream' })
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 2,
      contactEmail: 'b@example.test',
    })
    await pay(shop, order.orderNo, order.amountMinor, 'T-UP1')
    assert.isTrue(
      await until(async () => {
        const [row] = await rowsOf('orders', shop).where('id', order.id)
        return row.status === 'delivered'
      })
    )
    const items = await rowsOf('card_items', shop).where('reserved_order_id', order.id)
    const secrets = await withTenant(
      (trx) => Promise.all(items.map((i) => decryptSecret(trx, shop.id, i.secret_ciphertext))),
      shop.toRef()
    )
    assert.sameMembers(secrets, ['UP-GAME-100-1', 'UP-GAME-100-2'])
    assert.lengthOf(new Set(supplier.seen), 1, 'one request id for the line')
  })
})
