import { request as httpRequest } from 'node:http'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { startPayment } from '#payments'
import { createOrder } from '#delivery'
import testGateway, { sign, SIGNATURE_HEADER } from '#tests/fixtures/plugins/test-gateway/plugin'
import { fakeGateway } from '#tests/fixtures/plugins/test-gateway/server'
import mail from '@adonisjs/mail/services/main'
import type { Group } from '@japa/runner/core'
import { freshIp, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf } from '#tests/functional/delivery/_fixtures'

export const GATEWAY_KEY = 'test-gateway-signing-key-0123'
export const PLUGIN = 'test-gateway'

export { sign, SIGNATURE_HEADER, testGateway }

/** Register the test gateway plugin on the hook bus and in the catalogue. */
export async function registerTestGateway() {
  hooks.register(testGateway)
  await syncFirstPartyPlugins([testGateway])
  return () => hooks.unregister(PLUGIN)
}

/** A shop with the test gateway installed, configured and enabled the normal way. */
export async function shopWithGateway(
  slug: string,
  endpoint: string,
  mode: 'redirect' | 'qr' | 'form' = 'redirect',
  key = GATEWAY_KEY
) {
  const { shop, owner } = await shopWithOwner(slug)
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await installPlugin({
    ...actor,
    pluginId: PLUGIN,
    version: '1.0.0',
    consent: ['payments:process', 'network:outbound'],
  })
  await savePluginSettings({ ...actor, pluginId: PLUGIN, values: { endpoint, key, mode } })
  await setPluginEnabled({ ...actor, pluginId: PLUGIN, enabled: true })
  return { shop, owner }
}

/** A card product with `stock` keys and a pending order of one unit, with a started attempt. */
export async function pendingOrder(shop: Tenant, stock = 3) {
  const product = await productOf(shop)
  await addItems(shop, product, stock)
  const { order, publicToken: token } = await createOrder({
    tenant: shop.toRef(),
    productId: product.id,
    quantity: 1,
    contactEmail: 'buyer@example.test',
  })
  return { product, order, token }
}

export async function startAttempt(shop: Tenant, orderId: number) {
  return startPayment(shop.toRef(), {
    purpose: 'order',
    targetId: orderId,
    pluginId: PLUGIN,
    returnUrl: `http://${hostOf(shop)}/orders/x`,
  })
}

/** POST a callback body to the shop's callback route over real HTTP. */
export function postCallback(
  shop: Tenant,
  body: string,
  options: {
    signature?: string | null
    pluginId?: string
    host?: string
    path?: string
    headers?: Record<string, string>
  } = {}
): Promise<{ status: number; body: string }> {
  const signature = options.signature === undefined ? sign(GATEWAY_KEY, body) : options.signature
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: process.env.HOST ?? '127.0.0.1',
        port: Number(process.env.PORT),
        method: 'POST',
        path: options.path ?? `/pay/callback/${options.pluginId ?? PLUGIN}`,
        headers: {
          'host': options.host ?? hostOf(shop),
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': freshIp(),
          'cookie': 'session=should-not-be-stored',
          ...(signature ? { [SIGNATURE_HEADER]: signature } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

export function platformRows(table: string, shop: Tenant) {
  return db.connection('platform').from(table).where('tenant_id', shop.id).orderBy('id')
}

/** Row counts that a rejected callback must leave unchanged. */
export async function moneyFootprint(shop: Tenant) {
  const out: Record<string, unknown> = {}
  for (const t of [
    'payments',
    'deliveries',
    'ledger_transactions',
    'merchant_alerts',
    'payment_alerts',
  ]) {
    const rows = await platformRows(t, shop)
    out[t] = rows.length
  }
  const orders = await platformRows('orders', shop)
  out.statuses = orders.map((o: any) => o.status)
  const sold = await platformRows('card_items', shop).where('status', 'sold')
  out.sold = sold.length
  return out
}

export async function callbackOutcomes(shop: Tenant) {
  const rows = await platformRows('payment_callbacks', shop)
  return rows.map((r: any) => r.outcome as string)
}

export { fakeGateway }

/**
 * Every test of `group` starts clean (state reset, mail faked, `before` run) with the test
 * gateway registered and its fake server listening; all is undone after the test. Read
 * `gateway` and `endpoint` from the returned object inside the tests.
 */
export function withTestGateway(group: Group, before?: () => Promise<unknown>) {
  const fixture = {} as { gateway: ReturnType<typeof fakeGateway>; endpoint: string }
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    await before?.()
    const unregister = await registerTestGateway()
    fixture.gateway = fakeGateway(GATEWAY_KEY)
    fixture.endpoint = await fixture.gateway.start()
    return async () => {
      unregister()
      mail.restore()
      await fixture.gateway.stop()
    }
  })
  return fixture
}

/** A shop with the test gateway, one pending order and its started attempt (as stored). */
export async function startedOrder(slug: string, endpoint: string) {
  const { shop } = await shopWithGateway(slug, endpoint)
  const { order } = await pendingOrder(shop)
  await startAttempt(shop, order.id)
  const [attempt] = await platformRows('payment_attempts', shop)
  return { shop, order, attempt }
}
