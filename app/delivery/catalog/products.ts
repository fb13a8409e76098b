import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DeliveryError } from '#delivery/checkout/errors'
import { DELIVERY_SOURCE_ID_PATTERN } from '#delivery/catalog/delivery_source'
import { MAX_DESCRIPTION_CHARS } from '#delivery/catalog/description'

export const PRODUCT_TYPES = ['card', 'text', 'manual', 'source'] as const
export type ProductType = (typeof PRODUCT_TYPES)[number]
export type ProductStatus = 'draft' | 'active' | 'paused'
export type ProductVisibility = 'public' | 'hidden'
export type StockDisplay = 'exact' | 'in_stock' | 'hidden'

/** Wholesale tiers a product may have. */
export const MAX_WHOLESALE_TIERS = 10

/** qty ≥ minQuantity → unitPriceMinor per unit (the highest matching tier wins). */
export interface WholesaleTier {
  minQuantity: number
  unitPriceMinor: bigint
}

export interface Product {
  id: number
  tenantId: number
  categoryId: number
  name: string
  type: ProductType
  priceMinor: bigint
  currency: string
  wholesaleTiers: WholesaleTier[]
  minQuantity: number
  maxQuantity: number | null
  perBuyerLimit: number | null
  visibility: ProductVisibility
  status: ProductStatus
  stockDisplay: StockDisplay
  textContent: string | null
  sourceId: string | null
  /** Sanitised HTML (allow-list applied when saved); render as is. */
  descriptionHtml: string | null
  /** Drive keys of the product's images; the first is the cover. */
  images: string[]
  /** Alert the merchant when available stock falls to this many (null: no alert). */
  lowStockThreshold: number | null
  /**
   * Secret of the product's link (32 hex): a hidden product's page and checkout need
   * `?k=<linkToken>`. Never log it or put it in an audit record.
   */
  linkToken: string
}

export function toProduct(row: any): Product {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    categoryId: Number(row.category_id),
    name: row.name,
    type: row.type,
    priceMinor: BigInt(row.price_minor),
    currency: row.currency,
    wholesaleTiers: (row.wholesale_tiers ?? []).map((t: any) => ({
      minQuantity: Number(t.minQuantity),
      unitPriceMinor: BigInt(t.unitPriceMinor),
    })),
    minQuantity: Number(row.min_quantity),
    maxQuantity: row.max_quantity === null ? null : Number(row.max_quantity),
    perBuyerLimit: row.per_buyer_limit === null ? null : Number(row.per_buyer_limit),
    visibility: row.visibility,
    status: row.status,
    stockDisplay: row.stock_display,
    textContent: row.text_content,
    sourceId: row.source_id,
    descriptionHtml: row.description_html ?? null,
    images: Array.isArray(row.images) ? row.images.map(String) : [],
    lowStockThreshold:
      row.low_stock_threshold === null || row.low_stock_threshold === undefined
        ? null
        : Number(row.low_stock_threshold),
    linkToken: row.link_token,
  }
}

/** Columns read with `price_minor::text` so a bigint never passes through a JS number. */
export const PRODUCT_COLUMNS = `id, tenant_id, category_id, name, type, price_minor::text AS price_minor,
  currency, wholesale_tiers, min_quantity, max_quantity, per_buyer_limit, visibility, status,
  stock_display, text_content, source_id, description_html, images, low_stock_threshold, link_token`

export interface NewCategory {
  tenantId: number
  name: string
  sort?: number
}

export async function createCategory(trx: TransactionClientContract, input: NewCategory) {
  const name = input.name?.trim()
  if (!name || name.length > 120) {
    throw new DeliveryError('E_CHECKOUT_INVALID', 'category name: 1-120 characters')
  }
  const [row] = await trx
    .table('categories')
    .insert({ tenant_id: input.tenantId, name, sort: input.sort ?? 0 })
    .returning('*')
  return { id: Number(row.id), name: row.name as string }
}

export interface NewProduct {
  tenantId: number
  categoryId: number
  name: string
  type: ProductType
  priceMinor: bigint
  currency: string
  wholesaleTiers?: WholesaleTier[]
  minQuantity?: number
  maxQuantity?: number | null
  perBuyerLimit?: number | null
  visibility?: ProductVisibility
  status?: ProductStatus
  stockDisplay?: StockDisplay
  textContent?: string | null
  sourceId?: string | null
  /** Already sanitised (`sanitizeDescription`). */
  descriptionHtml?: string | null
}

function invalid(message: string): never {
  throw new DeliveryError('E_CHECKOUT_INVALID', message)
}

/** Check a product definition (shared by create and later edit). */
export function validateProduct(input: NewProduct) {
  if (!input.name?.trim() || input.name.length > 200) invalid('name: 1-200 characters')
  if (!PRODUCT_TYPES.includes(input.type)) invalid('type')
  if (typeof input.priceMinor !== 'bigint' || input.priceMinor <= 0n) invalid('priceMinor > 0')
  if (!/^[A-Z]{3}$/.test(input.currency)) invalid('currency')
  const min = input.minQuantity ?? 1
  const max = input.maxQuantity ?? null
  const qty = (n: number) => Number.isInteger(n) && n >= 1 && n <= 10_000
  if (!qty(min)) invalid('minQuantity: 1-10000')
  if (max !== null && (!qty(max) || max < min)) invalid('maxQuantity: minQuantity-10000')
  if (
    input.perBuyerLimit !== null &&
    input.perBuyerLimit !== undefined &&
    !qty(input.perBuyerLimit)
  )
    invalid('perBuyerLimit')
  const tiers = input.wholesaleTiers ?? []
  if (tiers.length > MAX_WHOLESALE_TIERS) invalid('at most 10 wholesale tiers')
  let previous: WholesaleTier | null = null
  for (const tier of tiers) {
    if (!qty(tier.minQuantity) || tier.minQuantity < 2) invalid('tier minQuantity: 2-10000')
    if (typeof tier.unitPriceMinor !== 'bigint' || tier.unitPriceMinor <= 0n) {
      invalid('tier unitPriceMinor > 0')
    }
    if (tier.unitPriceMinor >= input.priceMinor) invalid('tier unitPriceMinor < priceMinor')
    if (previous && tier.minQuantity <= previous.minQuantity) {
      invalid('tier minQuantity strictly increasing')
    }
    if (previous && tier.unitPriceMinor > previous.unitPriceMinor) {
      invalid('tier unitPriceMinor non-increasing')
    }
    previous = tier
  }
  if (input.type === 'text' && !input.textContent) invalid('a text product needs its content')
  if (input.type === 'source' && !input.sourceId) invalid('a source product needs its source')
  if (input.sourceId && !DELIVERY_SOURCE_ID_PATTERN.test(input.sourceId)) invalid('sourceId')
  if (input.descriptionHtml && input.descriptionHtml.length > MAX_DESCRIPTION_CHARS) {
    invalid('descriptionHtml: at most 50000 characters')
  }
}

/** Tiers as stored in `products.wholesale_tiers` (amounts as decimal strings). */
export function wholesaleTiersJson(tiers: WholesaleTier[]): string {
  return JSON.stringify(
    tiers.map((t) => ({ minQuantity: t.minQuantity, unitPriceMinor: t.unitPriceMinor.toString() }))
  )
}

export async function createProduct(
  trx: TransactionClientContract,
  input: NewProduct
): Promise<Product> {
  validateProduct(input)
  const { rows } = await trx.rawQuery(
    `INSERT INTO products (tenant_id, category_id, name, type, price_minor, currency,
        wholesale_tiers, min_quantity, max_quantity, per_buyer_limit, visibility, status,
        stock_display, text_content, source_id, description_html)
     VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING ${PRODUCT_COLUMNS}`,
    [
      input.tenantId,
      input.categoryId,
      input.name.trim(),
      input.type,
      input.priceMinor.toString(),
      input.currency,
      wholesaleTiersJson(input.wholesaleTiers ?? []),
      input.minQuantity ?? 1,
      input.maxQuantity ?? null,
      input.perBuyerLimit ?? null,
      input.visibility ?? 'public',
      input.status ?? 'draft',
      input.stockDisplay ?? 'in_stock',
      input.textContent ?? null,
      input.sourceId ?? null,
      input.descriptionHtml ?? null,
    ] as any[]
  )
  return toProduct(rows[0])
}

/** A product of the shop set on `trx`, or null (another shop's id is simply not found). */
export async function findProduct(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  options: { lock?: boolean } = {}
): Promise<Product | null> {
  const { rows } = await trx.rawQuery(
    `SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = ? AND id = ?${options.lock ? ' FOR SHARE' : ''}`,
    [tenantId, productId]
  )
  return rows[0] ? toProduct(rows[0]) : null
}

/**
 * Available stock of several products in one query (products without items are absent → 0).
 * With `limits` (one per product id), each product's count stops at its limit: what a page
 * needs (is there enough? fewer than N?) costs the same for 1,000 keys as for 100,000.
 */
export async function availableStockByProduct(
  trx: TransactionClientContract,
  tenantId: number,
  productIds: number[],
  limits?: number[]
): Promise<Map<number, number>> {
  if (!productIds.length) return new Map()
  const { rows } = limits
    ? await trx.rawQuery(
        `SELECT p.id AS product_id,
                (SELECT count(*)::int FROM (
                   SELECT 1 FROM card_items c
                    WHERE c.tenant_id = ? AND c.product_id = p.id AND c.status = 'available'
                    LIMIT p.lim) s) AS n
           FROM unnest(?::bigint[], ?::int[]) AS p(id, lim)`,
        [tenantId, productIds, limits]
      )
    : await trx.rawQuery(
        `SELECT product_id, count(*)::int AS n FROM card_items
          WHERE tenant_id = ? AND product_id = ANY(?::bigint[]) AND status = 'available'
          GROUP BY product_id`,
        [tenantId, productIds]
      )
  return new Map(
    rows
      .filter((r: { n: number }) => r.n > 0)
      .map((r: { product_id: number; n: number }) => [Number(r.product_id), r.n])
  )
}

/**
 * Available stock of one product; with `limit`, counted up to `limit` keys only (the answer
 * is min(stock, limit)).
 */
export async function availableStock(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  limit?: number
): Promise<number> {
  const { rows } =
    limit === undefined
      ? await trx.rawQuery(
          `SELECT count(*)::int AS n FROM card_items
            WHERE tenant_id = ? AND product_id = ? AND status = 'available'`,
          [tenantId, productId]
        )
      : await trx.rawQuery(
          `SELECT count(*)::int AS n FROM (
             SELECT 1 FROM card_items
              WHERE tenant_id = ? AND product_id = ? AND status = 'available'
              LIMIT ?) s`,
          [tenantId, productId, limit]
        )
  return Number(rows[0].n)
}
