import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { requireTenant } from '#tenancy'
import {
  DeliveryError,
  MAX_IMAGE_BYTES,
  MAX_PRODUCT_IMAGES,
  MAX_WHOLESALE_TIERS,
  PRODUCT_TYPES,
  imageFileName,
  productImageUrl,
  type Product,
} from '#delivery'
import {
  PRODUCT_FORM_FIELDS,
  STATUSES,
  STOCK_DISPLAYS,
  VISIBILITIES,
  tierFields,
  validateProductForm,
  type FormErrors,
} from '#validators/merchant/catalog'
import { currencyExponent, formatMinor } from '#ledger/settlement/format'
import {
  CategoryMissingError,
  getProduct,
  listProducts,
  saveProduct,
  ProductTypeLockedError,
} from '#actions/merchant/catalog/catalog'
import { lowStockProductIds } from '#actions/merchant/stock/get_stock_page'
import { listCategories } from '#actions/merchant/catalog/categories'
import { productShareUrl } from '#actions/merchant/catalog/product_links'

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
    return renderProductForm(ctx, null, {
      type: 'card',
      status: 'draft',
      visibility: 'public',
      stock_display: 'in_stock',
      min_quantity: '1',
    })
  }

  async edit(ctx: HttpContext) {
    requireMember(ctx)
    const { product } = await getProduct(Number(ctx.params.id))
    return renderProductForm(ctx, product, productValues(product))
  }

  async store(ctx: HttpContext) {
    return this.#save(ctx, null)
  }

  async update(ctx: HttpContext) {
    return this.#save(ctx, Number(ctx.params.id))
  }

  async #save(ctx: HttpContext, productId: number | null) {
    const member = requireMember(ctx)
    const found = productId === null ? null : await getProduct(productId) // 404 first
    const existing = found?.product ?? null
    const body = ctx.request.all()
    const values: Record<string, string> = {}
    for (const field of PRODUCT_FORM_FIELDS) {
      const v = body[field]
      values[field] = typeof v === 'string' ? v : ''
    }
    const currency = existing?.currency ?? requireTenant().currency
    const checked = validateProductForm(body, currency)
    const fail = (errors: FormErrors) => {
      ctx.response.status(422)
      return renderProductForm(ctx, existing, values, errors)
    }
    if (checked.errors) return fail(checked.errors)
    try {
      const saved = await saveProduct(member, productId, checked.data, ctx.request.ip())
      ctx.session.flash('notice', ctx.i18n.t('catalog.products.saved'))
      return ctx.response.redirect(`/merchant/products/${saved.id}/edit`)
    } catch (error) {
      if (error instanceof ProductTypeLockedError)
        return fail({ type: 'catalog.errors.type_locked' })
      if (error instanceof CategoryMissingError)
        return fail({ category: 'catalog_form.errors.category' })
      if (!(error instanceof DeliveryError)) throw error
      return fail({ form: 'catalog.errors.invalid' })
    }
  }
}

/** Form values of a saved product (prices in major units of its currency). */
export function productValues(product: Product): Record<string, string> {
  const values: Record<string, string> = {
    name: product.name,
    category_id: String(product.categoryId),
    type: product.type,
    source_id: product.sourceId ?? '',
    price: formatMinor(product.priceMinor, product.currency),
    min_quantity: String(product.minQuantity),
    max_quantity: product.maxQuantity === null ? '' : String(product.maxQuantity),
    per_buyer_limit: product.perBuyerLimit === null ? '' : String(product.perBuyerLimit),
    status: product.status,
    visibility: product.visibility,
    stock_display: product.stockDisplay,
    text_content: product.textContent ?? '',
    description: product.descriptionHtml ?? '',
  }
  product.wholesaleTiers.forEach((tier, i) => {
    const names = tierFields(i)
    values[names.qty] = String(tier.minQuantity)
    values[names.price] = formatMinor(tier.unitPriceMinor, product.currency)
  })
  return values
}

/**
 * The create/edit page. `product` is null on the create page; on the edit page it brings the
 * image manager (upload, cover, delete), whose refusals are `imageError` (an i18n key).
 */
export async function renderProductForm(
  ctx: HttpContext,
  product: Product | null,
  values: Record<string, string>,
  errors: FormErrors = {},
  imageError: string | null = null
) {
  const currency = product?.currency ?? requireTenant().currency
  return ctx.view.render('pages/merchant/product_form', {
    productId: product?.id ?? null,
    productName: product?.name ?? '',
    shareUrl: product ? productShareUrl(requireTenant(), product) : null,
    values,
    errors,
    imageError,
    categories: await listCategories(),
    currency,
    decimals: currencyExponent(currency),
    types: PRODUCT_TYPES,
    statuses: STATUSES,
    visibilities: VISIBILITIES,
    stockDisplays: STOCK_DISPLAYS,
    tierRows: Array.from({ length: MAX_WHOLESALE_TIERS }, (_, i) => ({ i, ...tierFields(i) })),
    images: (product?.images ?? []).map((key) => ({
      file: imageFileName(key),
      url: productImageUrl(product!.id, key),
    })),
    maxImages: MAX_PRODUCT_IMAGES,
    maxImageMb: MAX_IMAGE_BYTES / (1024 * 1024),
  })
}
