import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  availableStock,
  availableStockByProduct,
  createCategory,
  createProduct,
  findProduct,
  productImageUrl,
  validateProduct,
  wholesaleTiersJson,
  type NewProduct,
  type Product,
} from '#delivery'
import { formatMinor } from '#ledger/settlement/format'
import type { ProductFormData } from '#validators/merchant/catalog'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { productShareUrl } from '#actions/merchant/catalog/product_links'

/** Not this shop's product (another shop's id is simply not found): 404 page. */
export class ProductNotFoundException extends Exception {
  static status = 404
  static code = 'E_PRODUCT_NOT_FOUND'
  async report() {}
  async handle(_error: this, ctx: HttpContext) {
    const message = ctx.i18n.t('catalog.errors.not_found')
    ctx.response.status(404)
    return ctx.response.send(await ctx.view.render('pages/merchant/error', { message }))
  }
}

/** A card product that has stock cannot change its type (its items would be orphaned). */
export class ProductTypeLockedError extends Error {
  constructor() {
    super('E_PRODUCT_TYPE_LOCKED')
  }
}

/** Stock (card secrets) can only be imported into a `card` product. */
export class NotCardProductError extends Error {
  constructor() {
    super('E_PRODUCT_NOT_CARD')
  }
}

export async function listProducts() {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT p.id, p.name, p.type, p.price_minor::text AS price_minor, p.currency, p.status,
              p.visibility, p.images, p.link_token, c.name AS category
         FROM products p JOIN categories c ON c.tenant_id = p.tenant_id AND c.id = p.category_id
        WHERE p.tenant_id = ? ORDER BY p.id`,
      [tenant.id]
    )
    const stock = await availableStockByProduct(
      trx,
      tenant.id,
      rows.map((row: { id: number }) => Number(row.id))
    )
    return rows.map((row: Record<string, any>) => {
      const cover = Array.isArray(row.images) && row.images.length ? String(row.images[0]) : null
      return {
        id: Number(row.id),
        name: row.name as string,
        type: row.type as string,
        category: row.category as string,
        price: `${formatMinor(BigInt(row.price_minor), row.currency)} ${row.currency}`,
        status: row.status as string,
        visibility: row.visibility as string,
        shareUrl: productShareUrl(tenant, {
          id: Number(row.id),
          visibility: row.visibility,
          linkToken: row.link_token,
        }),
        cover: cover ? productImageUrl(Number(row.id), cover) : null,
        stock: stock.get(Number(row.id)) ?? 0,
      }
    })
  })
}

export async function getProduct(productId: number) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenant.id, productId)
    if (!product) throw new ProductNotFoundException('No such product')
    const category = await trx
      .from('categories')
      .where({ tenant_id: tenant.id, id: product.categoryId })
      .first()
    return {
      product,
      categoryName: category?.name as string,
      stock: await availableStock(trx, tenant.id, product.id),
    }
  })
}

/** The category chosen on the form does not exist in this shop (form error, nothing written). */
export class CategoryMissingError extends Error {
  constructor() {
    super('E_CATEGORY_MISSING')
  }
}

async function categoryId(trx: TransactionClientContract, tenantId: number, data: ProductFormData) {
  if (data.categoryId !== null) {
    const chosen = await trx
      .from('categories')
      .where({ tenant_id: tenantId, id: data.categoryId })
      .first()
    if (!chosen) throw new CategoryMissingError()
    return Number(chosen.id)
  }
  const name = data.categoryName!
  const found = await trx.from('categories').where({ tenant_id: tenantId, name }).first()
  if (found) return Number(found.id)
  const created = await createCategory(trx, { tenantId, name })
  return created.id
}

/**
 * Create (productId null) or update a product; one transaction, so a failure writes nothing.
 * Images and the low-stock threshold are not part of the form and are left as they are.
 */
export async function saveProduct(
  member: MerchantMember,
  productId: number | null,
  data: ProductFormData,
  ip: string
): Promise<Product | { id: number }> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const existing = productId === null ? null : await findProduct(trx, tenant.id, productId)
    if (productId !== null && !existing) throw new ProductNotFoundException('No such product')
    if (existing && existing.type !== data.type) {
      const stock = await trx
        .from('card_items')
        .where({ tenant_id: tenant.id, product_id: existing.id })
        .first()
      if (stock) throw new ProductTypeLockedError()
    }
    const input: NewProduct = {
      tenantId: tenant.id,
      categoryId: await categoryId(trx, tenant.id, data),
      name: data.name,
      type: data.type,
      priceMinor: data.priceMinor,
      currency: existing?.currency ?? tenant.currency,
      wholesaleTiers: data.wholesaleTiers,
      minQuantity: data.minQuantity,
      maxQuantity: data.maxQuantity,
      perBuyerLimit: data.perBuyerLimit,
      status: data.status,
      visibility: data.visibility,
      stockDisplay: data.stockDisplay,
      textContent: data.type === 'text' ? data.textContent : null,
      sourceId: data.type === 'source' ? data.sourceId : null,
      descriptionHtml: data.descriptionHtml,
    }
    validateProduct(input)
    let id: number
    if (!existing) {
      const created = await createProduct(trx, input)
      id = created.id
    } else {
      id = existing.id
      await trx.rawQuery(
        `UPDATE products SET category_id = ?, name = ?, type = ?, price_minor = ?,
            wholesale_tiers = ?::jsonb, min_quantity = ?, max_quantity = ?, per_buyer_limit = ?,
            status = ?, visibility = ?, stock_display = ?, text_content = ?, source_id = ?,
            description_html = ?, updated_at = now()
          WHERE tenant_id = ? AND id = ?`,
        [
          input.categoryId,
          input.name.trim(),
          input.type,
          input.priceMinor.toString(),
          wholesaleTiersJson(input.wholesaleTiers ?? []),
          input.minQuantity!,
          input.maxQuantity ?? null,
          input.perBuyerLimit ?? null,
          input.status!,
          input.visibility!,
          input.stockDisplay!,
          input.textContent ?? null,
          input.sourceId ?? null,
          input.descriptionHtml ?? null,
          tenant.id,
          id,
        ] as any[]
      )
    }
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: existing ? 'product.updated' : 'product.created',
      target: { type: 'product', id },
      ip,
      metadata: {
        name: input.name,
        type: input.type,
        status: input.status,
        visibility: input.visibility,
        priceMinor: input.priceMinor.toString(),
        tiers: input.wholesaleTiers?.length ?? 0,
      },
    })
    return { id }
  })
}
