import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { MAX_IMAGE_BYTES } from '#delivery'
import { getProduct } from '#actions/merchant/catalog/catalog'
import {
  ImageRejectedError,
  addProductImage,
  makeCoverImage,
  removeProductImage,
} from '#actions/merchant/catalog/product_images'
import { productValues, renderProductForm } from '#controllers/merchant/products_controller'

/** Images of one product, managed on its edit page (upload, make cover, delete). */
export default class ProductImagesController {
  /** POST /merchant/products/:id/images (multipart, field `image`, ≤ 2 MB). */
  async store(ctx: HttpContext) {
    const member = requireMember(ctx)
    const productId = Number(ctx.params.id)
    await getProduct(productId) // 404 before looking at the upload
    const file = ctx.request.file('image', { size: MAX_IMAGE_BYTES })
    if (!file) return this.#fail(ctx, productId, 'catalog_form.images.errors.missing')
    if (!file.isValid || !file.tmpPath) {
      const tooBig = file.errors.some((e) => e.type === 'size')
      return this.#fail(
        ctx,
        productId,
        tooBig ? 'catalog_form.images.errors.size' : 'catalog_form.images.errors.missing'
      )
    }
    const bytes = await readFile(file.tmpPath)
    if (bytes.length > MAX_IMAGE_BYTES) {
      return this.#fail(ctx, productId, 'catalog_form.images.errors.size')
    }
    try {
      await addProductImage({ member, productId, bytes, ip: ctx.request.ip() })
    } catch (error) {
      if (!(error instanceof ImageRejectedError)) throw error
      return this.#fail(ctx, productId, `catalog_form.images.errors.${error.reason}`)
    }
    return this.#back(ctx, productId, 'catalog_form.images.added')
  }

  /** PUT /merchant/products/:id/images/:file/cover */
  async cover(ctx: HttpContext) {
    const member = requireMember(ctx)
    const productId = Number(ctx.params.id)
    await makeCoverImage({ member, productId, file: ctx.params.file, ip: ctx.request.ip() })
    return this.#back(ctx, productId, 'catalog_form.images.cover_changed')
  }

  /** DELETE /merchant/products/:id/images/:file */
  async destroy(ctx: HttpContext) {
    const member = requireMember(ctx)
    const productId = Number(ctx.params.id)
    await removeProductImage({ member, productId, file: ctx.params.file, ip: ctx.request.ip() })
    return this.#back(ctx, productId, 'catalog_form.images.removed')
  }

  #back(ctx: HttpContext, productId: number, notice: string) {
    ctx.session.flash('notice', ctx.i18n.t(notice))
    return ctx.response.redirect(`/merchant/products/${productId}/edit#images`)
  }

  async #fail(ctx: HttpContext, productId: number, error: string) {
    const { product } = await getProduct(productId)
    ctx.response.status(422)
    return renderProductForm(ctx, product, productValues(product), {}, error)
  }
}
