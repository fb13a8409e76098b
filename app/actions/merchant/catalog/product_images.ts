import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import drive from '@adonisjs/drive/services/main'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant, type TenantRef } from '#tenancy'
import {
  MAX_PRODUCT_IMAGES,
  detectImageType,
  findProduct,
  imageFileName,
  newProductImageKey,
  productImagePrefix,
  type Product,
} from '#delivery'
import { PRODUCT_COLUMNS, toProduct } from '#delivery/catalog/products'
import { ProductNotFoundException } from '#actions/merchant/catalog/catalog'
import type { MerchantMember } from '#actions/merchant/session/find_membership'

/** The image named in the URL is not one of this product's images: 404 page. */
export class ProductImageNotFoundException extends Exception {
  static status = 404
  static code = 'E_PRODUCT_IMAGE_NOT_FOUND'
  async report() {}
  async handle(_error: this, ctx: HttpContext) {
    const message = ctx.i18n.t('catalog_form.images.not_found')
    ctx.response.status(404)
    return ctx.response.send(await ctx.view.render('pages/merchant/error', { message }))
  }
}

/** An upload that is refused: not a JPEG/PNG/WebP/GIF, or the product has its 5 images. */
export class ImageRejectedError extends Error {
  constructor(readonly reason: 'type' | 'too_many') {
    super(`E_IMAGE_${reason.toUpperCase()}`)
  }
}

async function lockedProduct(trx: TransactionClientContract, tenantId: number, productId: number) {
  const { rows } = await trx.rawQuery(
    `SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = ? AND id = ? FOR UPDATE`,
    [tenantId, productId]
  )
  if (!rows[0]) throw new ProductNotFoundException('No such product')
  return toProduct(rows[0])
}

async function setImages(
  trx: TransactionClientContract,
  product: Product,
  images: string[],
  audit: { member: MerchantMember; action: string; key: string; ip: string }
) {
  await trx.rawQuery(
    `UPDATE products SET images = ?::jsonb, updated_at = now() WHERE tenant_id = ? AND id = ?`,
    [JSON.stringify(images), product.tenantId, product.id]
  )
  await recordTenantAudit(trx, product.tenantId, {
    actor: { type: 'user', id: audit.member.userId },
    action: audit.action,
    target: { type: 'product', id: product.id },
    ip: audit.ip,
    metadata: { image: imageFileName(audit.key), images: images.length },
  })
}

function keyOf(tenant: TenantRef, product: Product, file: string) {
  const key = `${productImagePrefix(tenant.id, product.id)}${file}`
  if (!product.images.includes(key)) throw new ProductImageNotFoundException('No such image')
  return key
}

async function removeFile(key: string) {
  try {
    await drive.use().delete(key)
  } catch (error) {
    logger.warn({ err: error, key }, 'product image file not deleted')
  }
}

/**
 * Store an uploaded image (bytes already size-checked) and append it to the product's images.
 * The format comes from the first bytes only. The file is written before the database
 * transaction (storage may be remote) and removed again when the transaction refuses it.
 */
export async function addProductImage(input: {
  member: MerchantMember
  productId: number
  bytes: Uint8Array
  ip: string
}): Promise<string> {
  const tenant = requireTenant()
  const ext = detectImageType(input.bytes)
  if (!ext) throw new ImageRejectedError('type')
  const current = await withTenant((trx) => findProduct(trx, tenant.id, input.productId))
  if (!current) throw new ProductNotFoundException('No such product')
  if (current.images.length >= MAX_PRODUCT_IMAGES) throw new ImageRejectedError('too_many')

  const key = newProductImageKey(tenant.id, current.id, ext)
  await drive.use().put(key, input.bytes, { contentType: `image/${ext}` })
  try {
    await withTenant(async (trx) => {
      const product = await lockedProduct(trx, tenant.id, current.id)
      if (product.images.length >= MAX_PRODUCT_IMAGES) throw new ImageRejectedError('too_many')
      await setImages(trx, product, [...product.images, key], {
        member: input.member,
        action: 'product.image_added',
        key,
        ip: input.ip,
      })
    })
  } catch (error) {
    await removeFile(key)
    throw error
  }
  return key
}

/** Remove one image from the product; the file is deleted after the change commits. */
export async function removeProductImage(input: {
  member: MerchantMember
  productId: number
  file: string
  ip: string
}) {
  const tenant = requireTenant()
  const key = await withTenant(async (trx) => {
    const product = await lockedProduct(trx, tenant.id, input.productId)
    const removed = keyOf(tenant, product, input.file)
    await setImages(
      trx,
      product,
      product.images.filter((k) => k !== removed),
      { member: input.member, action: 'product.image_removed', key: removed, ip: input.ip }
    )
    return removed
  })
  await removeFile(key)
}

/** Move one image to the front: it becomes the cover. */
export async function makeCoverImage(input: {
  member: MerchantMember
  productId: number
  file: string
  ip: string
}) {
  const tenant = requireTenant()
  await withTenant(async (trx) => {
    const product = await lockedProduct(trx, tenant.id, input.productId)
    const cover = keyOf(tenant, product, input.file)
    await setImages(trx, product, [cover, ...product.images.filter((k) => k !== cover)], {
      member: input.member,
      action: 'product.cover_changed',
      key: cover,
      ip: input.ip,
    })
  })
}
