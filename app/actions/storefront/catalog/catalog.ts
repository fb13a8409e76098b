import { withTenant, type TenantRef } from '#tenancy'
import {
  IMAGE_FILE_PATTERN,
  availableStock,
  availableStockByProduct,
  findProduct,
  productImagePrefix,
  productImageUrl,
  type Product,
} from '#delivery'
import { PRODUCT_COLUMNS, toProduct } from '#delivery/catalog/products'
import { formatMinor } from '#ledger/settlement/format'
import { linkOpens, linkQuery } from '#actions/storefront/catalog/product_link'

/** How the stock line reads: sold out, an exact count, "in stock", or nothing. */
export type StockLabel = 'sold_out' | 'exact' | 'in_stock' | null

/** A product as a buyer sees it in the list. */
export interface CatalogItem {
  id: number
  name: string
  price: string
  currency: string
  /** Cover image URL, or null. */
  cover: string | null
  soldOut: boolean
  stockLabel: StockLabel
  /** The count when `stockLabel` is `exact` (at most {@link STOCK_SHOWN_MAX}). */
  stock: number | null
  /** With `exact`: more than `stock` keys remain (shown as "1000+"). */
  stockOver: boolean
  stockDisplay: Product['stockDisplay']
  minQuantity: number
  maxQuantity: number | null
}

/** The product page: the list item plus everything the page explains. */
export interface CatalogProduct extends CatalogItem {
  categoryName: string
  images: string[]
  /** Sanitised when saved; rendered as is. */
  descriptionHtml: string | null
  tiers: Array<{ minQuantity: number; price: string }>
  perBuyerLimit: number | null
  /** `?k=…` for a hidden product (its page and checkout need it), else ''. */
  linkQuery: string
}

export interface CatalogSection {
  id: number
  name: string
  products: CatalogItem[]
}

/** Listed products per page (the catalog is not paginated yet). */
const LIST_LIMIT = 500

/**
 * The largest exact stock a buyer is shown; above it the page says "1000+". Buyers need no
 * more, and counting stops there: a product with 100,000 keys costs what one with 1,000 does.
 */
export const STOCK_SHOWN_MAX = 1000

/**
 * How many keys to count for a card product's stock line: enough to tell sold out (fewer
 * than the minimum order) and, for `exact`, whether more than {@link STOCK_SHOWN_MAX} remain.
 */
export function stockCountLimit(p: Pick<Product, 'stockDisplay' | 'minQuantity'>): number {
  return Math.max(p.minQuantity, p.stockDisplay === 'exact' ? STOCK_SHOWN_MAX + 1 : 1)
}

/**
 * Available stock is counted only for card products (the others are not stock-limited):
 * sold out when fewer than the minimum order remain, whatever the display setting.
 */
function item(p: Product, available: number | null): CatalogItem {
  const soldOut = available !== null && available < p.minQuantity
  let stockLabel: StockLabel = null
  if (soldOut) stockLabel = 'sold_out'
  else if (p.stockDisplay === 'exact' && available !== null) stockLabel = 'exact'
  else if (p.stockDisplay !== 'hidden') stockLabel = 'in_stock'
  return {
    id: p.id,
    name: p.name,
    price: formatMinor(p.priceMinor, p.currency),
    currency: p.currency,
    cover: p.images.length ? productImageUrl(p.id, p.images[0]) : null,
    soldOut,
    stockLabel,
    stock: stockLabel === 'exact' ? Math.min(available!, STOCK_SHOWN_MAX) : null,
    stockOver: stockLabel === 'exact' && available! > STOCK_SHOWN_MAX,
    stockDisplay: p.stockDisplay,
    minQuantity: p.minQuantity,
    maxQuantity: p.maxQuantity,
  }
}

/**
 * The shop's catalog: active public products grouped by category (categories by their sort
 * position, then name; empty ones left out), optionally one category only. Hidden, draft and
 * paused products are never listed. `categories` names every category that has listed
 * products, for the filter links.
 */
export function listCatalog(tenant: TenantRef, categoryId: number | null) {
  return withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT p.*, c.name AS category_name
         FROM (SELECT ${PRODUCT_COLUMNS} FROM products
                WHERE tenant_id = ? AND status = 'active' AND visibility = 'public') p
         JOIN categories c ON c.tenant_id = p.tenant_id AND c.id = p.category_id
        ORDER BY c.sort, c.name, c.id, p.id
        LIMIT ${LIST_LIMIT}`,
      [tenant.id]
    )
    const categories: Array<{ id: number; name: string }> = []
    const sections = new Map<number, CatalogSection>()
    for (const row of rows) {
      const id = Number(row.category_id)
      if (sections.has(id)) continue
      sections.set(id, { id, name: row.category_name, products: [] })
      categories.push({ id, name: row.category_name })
    }
    // An unknown (or emptied) category shows the whole catalog rather than nothing.
    const selected = categoryId !== null && sections.has(categoryId) ? categoryId : null
    const wanted = rows.filter(
      (row: any) => selected === null || Number(row.category_id) === selected
    )
    const products: Product[] = wanted.map(toProduct)
    const cards = products.filter((p) => p.type === 'card')
    const stock = await availableStockByProduct(
      trx,
      tenant.id,
      cards.map((p) => p.id),
      cards.map(stockCountLimit)
    )
    for (const p of products) {
      const available = p.type === 'card' ? (stock.get(p.id) ?? 0) : null
      sections.get(p.categoryId)!.products.push(item(p, available))
    }
    return {
      categories,
      sections: [...sections.values()].filter((s) => s.products.length),
      selected,
    }
  }, tenant)
}

/**
 * One product for its page: active, public or hidden (a hidden product is reachable by its
 * link only: `linkKey` is the page's `?k=`, and a wrong or missing key is null, like an
 * unknown id). Draft, paused and other shops' products are null.
 */
export function catalogProduct(tenant: TenantRef, productId: number, linkKey?: unknown) {
  return withTenant(async (trx): Promise<CatalogProduct | null> => {
    const p = await findProduct(trx, tenant.id, productId)
    if (!p || p.status !== 'active' || !linkOpens(p, linkKey)) return null
    const category = await trx
      .from('categories')
      .where({ tenant_id: tenant.id, id: p.categoryId })
      .first()
    const available =
      p.type === 'card' ? await availableStock(trx, tenant.id, p.id, stockCountLimit(p)) : null
    return {
      ...item(p, available),
      categoryName: category?.name ?? '',
      images: p.images.map((key) => productImageUrl(p.id, key)),
      descriptionHtml: p.descriptionHtml,
      tiers: p.wholesaleTiers.map((t) => ({
        minQuantity: t.minQuantity,
        price: formatMinor(t.unitPriceMinor, p.currency),
      })),
      perBuyerLimit: p.perBuyerLimit,
      linkQuery: linkQuery(p),
    }
  }, tenant)
}

/**
 * The drive key of image `file` of product `productId` in this shop, or null when the product
 * is not the shop's or the file is not one of its images (whatever the product's status:
 * merchants preview drafts, and the names are unguessable).
 */
export function productImageKey(tenant: TenantRef, productId: number, file: string) {
  if (!IMAGE_FILE_PATTERN.test(file)) return Promise.resolve(null)
  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenant.id, productId)
    const key = `${productImagePrefix(tenant.id, productId)}${file}`
    return product && product.images.includes(key) ? key : null
  }, tenant)
}
