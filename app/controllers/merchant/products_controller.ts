import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { DeliveryError } from '#delivery'
import { validateProductForm, type FormErrors } from '#validators/merchant/catalog'
import { formatMinor } from '#ledger/settlement/format'
import {
  getProduct,
  listProducts,
  saveProduct,
  ProductTypeLockedError,
} from '#actions/merchant/catalog/catalog'
import { lowStockProductIds } from '#actions/merchant/stock/get_stock_page'

/** The shop's products (any member: owners and staff manage the catalog). */
export default class ProductsController {
  async index(ctx: HttpContext) {
    requireMember(ctx)
    return ctx.view.render('pages/merchant/products', {
      products: await listProducts(),
      lowStock: await lowStockProductIds(),
    })
  }

  async create(ctx: HttpContext) {
    requireMember(ctx)
    return this.#form(ctx, null, {}, {})
  }

  async edit(ctx: HttpContext) {
    requireMember(ctx)
    const { product, categoryName } = await getProduct(Number(ctx.params.id))
    return this.#form(
      ctx,
      product.id,
      {
        name: product.name,
        category: categoryName,
        type: product.type,
        price: formatMinor(product.priceMinor, product.currency),
        min_quantity: String(product.minQuantity),
        max_quantity: product.maxQuantity === null ? '' : String(product.maxQuantity),
        status: product.status,
        visibility: product.visibility,
        text_content: product.textContent ?? '',
      },
      {}
    )
  }

  async store(ctx: HttpContext) {
    return this.#save(ctx, null)
  }

  async update(ctx: HttpContext) {
    return this.#save(ctx, Number(ctx.params.id))
  }

  async #save(ctx: HttpContext, productId: number | null) {
    const member = requireMember(ctx)
    if (productId !== null) await getProduct(productId) // 404 before validation
    const body = ctx.request.all()
    const values: Record<string, string> = {}
    for (const field of FIELDS) {
      const v = body[field]
      values[field] = typeof v === 'string' ? v : ''
    }
    const checked = validateProductForm(body)
    if (checked.errors) {
      ctx.response.status(422)
      return this.#form(ctx, productId, values, checked.errors)
    }
    try {
      const saved = await saveProduct(member, productId, checked.data, ctx.request.ip())
      ctx.session.flash('notice', ctx.i18n.t('catalog.products.saved'))
      return ctx.response.redirect(`/merchant/products/${saved.id}/edit`)
    } catch (error) {
      if (error instanceof ProductTypeLockedError) {
        ctx.response.status(422)
        return this.#form(ctx, productId, values, { type: 'type_locked' })
      }
      if (!(error instanceof DeliveryError)) throw error
      ctx.response.status(422)
      return this.#form(ctx, productId, values, { form: 'invalid' })
    }
  }

  #form(
    ctx: HttpContext,
    productId: number | null,
    values: Record<string, string>,
    errors: FormErrors
  ) {
    return ctx.view.render('pages/merchant/product_form', { productId, values, errors })
  }
}

const FIELDS = [
  'name',
  'category',
  'type',
  'price',
  'min_quantity',
  'max_quantity',
  'status',
  'visibility',
  'text_content',
] as const
