import type { ApiClient } from '@japa/api-client'
import limiter from '@adonisjs/limiter/services/main'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import type { Product } from '#delivery'
import { hostOf } from '#tests/functional/merchant/_fixtures'
import { order, pay, rowsOf } from '#tests/functional/delivery/_fixtures'
import { EXPORT_LIMIT, exportLimitKey } from '#actions/merchant/stock/export_stock'

/** `count` distinct secrets with a recognisable prefix. */
export function secrets(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`)
}

/** Import pasted lines through the page (format `line`), with optional batch fields. */
export function importPaste(
  client: ApiClient,
  shop: Tenant,
  user: User,
  product: Product,
  lines: string[],
  fields: Record<string, string> = {}
) {
  return client
    .post(`/merchant/products/${product.id}/stock`)
    .header('host', hostOf(shop))
    .loginAs(user)
    .fields({ format: 'line', secrets: lines.join('\n'), ...fields })
    .withCsrfToken()
}

/** Rows of the shop's batches and items (platform role: RLS bypassed for assertions). */
export async function batchesOf(shop: Tenant) {
  return rowsOf('stock_batches', shop)
}

export async function itemsOf(shop: Tenant) {
  return rowsOf('card_items', shop)
}

/** Reserve `reserve` items (a pending order) and sell `sell` more (a paid order). */
export async function reserveAndSell(
  shop: Tenant,
  product: Product,
  reserve: number,
  sell: number
) {
  const pendingOrder = reserve ? await order(shop, product, reserve) : null
  const reserved = pendingOrder?.reservedItemIds ?? []
  let sold: number[] = []
  if (sell) {
    const o = await order(shop, product, sell)
    const result = await pay(shop, o.order.orderNo, o.order.amountMinor, `T-${o.order.orderNo}`)
    sold = result.soldItemIds
  }
  return { reserved, sold }
}

/** Forget the export counter of a user (limiter keys survive truncation). */
export async function clearExportLimit(shop: Tenant, userId: number) {
  await limiter.use(EXPORT_LIMIT).delete(exportLimitKey(shop.toRef(), userId))
}
