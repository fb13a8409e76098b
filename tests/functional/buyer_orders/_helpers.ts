import { randomBytes } from 'node:crypto'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import type Buyer from '#models/buyer'
import { createShop, freshIp, hostOf, auditOf } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { createBuyer } from '#tests/functional/storefront/fixtures'

export const SECRET = /KEY-[0-9A-F]{16}/g

export const slug = () => `bo-${randomBytes(4).toString('hex')}`

/** A shop with one card product and `stock` keys. */
export async function shopWithStock(stock = 5, locale: 'en' | 'zh-CN' = 'en') {
  const shop = await createShop(slug())
  if (locale !== 'en') {
    await db
      .connection('platform')
      .from('tenants')
      .where('id', shop.id)
      .update({ default_locale: locale })
    shop.defaultLocale = locale
  }
  const product = await productOf(shop, { name: 'Game key' })
  await addItems(shop, product, stock)
  return { shop, product }
}

export function buyerOf(shop: Tenant, email = 'ann@example.test') {
  return createBuyer(shop.toRef(), email)
}

export interface CheckoutOptions {
  quantity?: string
  contactEmail?: string
  queryPassword?: string
  buyer?: Buyer
  ip?: string
  locale?: string
}

/** POST /p/:id/checkout as a guest or a signed-in buyer; returns the order token. */
export async function checkoutAs(
  client: ApiClient,
  shop: Tenant,
  productId: number,
  options: CheckoutOptions = {}
) {
  const form: Record<string, string> = {
    quantity: options.quantity ?? '1',
    contactEmail: options.contactEmail ?? 'ann@example.test',
  }
  if (options.queryPassword) form.queryPassword = options.queryPassword
  let request = client
    .post(`/p/${productId}/checkout`)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', options.ip ?? freshIp())
    .header('accept-language', options.locale ?? 'en')
    .form(form)
    .withCsrfToken()
    .redirects(0)
  if (options.buyer) request = request.withGuard('buyer').loginAs(options.buyer)
  const res = await request
  const m = /^\/orders\/([^/]+)$/.exec(res.header('location') ?? '')
  if (!m)
    throw new Error(`checkout did not create an order: ${res.status()} ${res.header('location')}`)
  return m[1]
}

/** A GET on the shop, optionally as a signed-in buyer. */
export function shopGet(
  client: ApiClient,
  shop: Tenant,
  path: string,
  options: { buyer?: Buyer; ip?: string; locale?: string } = {}
) {
  let request = client
    .get(path)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', options.ip ?? freshIp())
    .header('accept-language', options.locale ?? 'en')
    .redirects(0)
  if (options.buyer) request = request.withGuard('buyer').loginAs(options.buyer)
  return request
}

/** A form POST on the shop with a CSRF token, optionally as a signed-in buyer. */
export function shopPost(
  client: ApiClient,
  shop: Tenant,
  path: string,
  form: Record<string, unknown> = {},
  options: { buyer?: Buyer; ip?: string; locale?: string } = {}
) {
  let request = client
    .post(path)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', options.ip ?? freshIp())
    .header('accept-language', options.locale ?? 'en')
    .form(form)
    .withCsrfToken()
    .redirects(0)
  if (options.buyer) request = request.withGuard('buyer').loginAs(options.buyer)
  return request
}

/** The `order.secrets_revealed` audit rows of a shop. */
export async function revealsOf(shop: Tenant) {
  const rows = await auditOf(shop)
  return rows.filter((a) => a.action === 'order.secrets_revealed')
}

/** Orders of a shop, oldest first (platform role, for assertions). */
export function ordersOf(shop: Tenant) {
  return rowsOf('orders', shop)
}

/** Poll `check` until it holds or `ms` pass. */
export async function until(check: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return false
}

/** How many order events of `kind` a shop has. */
export async function eventCount(shop: Tenant, kind: string) {
  const rows = await rowsOf('order_events', shop).where('kind', kind)
  return rows.length
}

/** How many audit rows a shop has. */
export async function auditCount(shop: Tenant) {
  const rows = await auditOf(shop)
  return rows.length
}
