import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { requireTenant } from '#tenancy'
import { CouponError, type Coupon } from '#delivery'
import { formatMinor } from '#ledger/settlement/format'
import {
  couponFormValues,
  formatUtcDateTime,
  validateCouponForm,
  type CouponFormErrors,
  type CouponFormValues,
} from '#validators/merchant/coupons'
import {
  deactivateShopCoupon,
  getCoupon,
  getScopeChoices,
  listShopCoupons,
  saveCoupon,
} from '#actions/merchant/coupons/coupons'

/** Form values of a stored coupon. */
function valuesOf(coupon: Coupon): CouponFormValues {
  return {
    code: coupon.code,
    kind: coupon.kind,
    value:
      coupon.kind === 'percent'
        ? coupon.value.toString()
        : formatMinor(coupon.value, coupon.currency),
    scope: coupon.scope,
    product_id: coupon.productId ? String(coupon.productId) : '',
    category_id: coupon.categoryId ? String(coupon.categoryId) : '',
    min_amount: coupon.minAmountMinor ? formatMinor(coupon.minAmountMinor, coupon.currency) : '',
    total_limit: coupon.totalLimit ? String(coupon.totalLimit) : '',
    per_contact_limit: coupon.perContactLimit ? String(coupon.perContactLimit) : '',
    starts_at: formatUtcDateTime(coupon.startsAt),
    ends_at: formatUtcDateTime(coupon.endsAt),
    active: coupon.active ? '1' : '',
  }
}

/** /merchant/coupons: list, new, edit, deactivate (any member, like the catalog). */
export default class CouponsController {
  async index(ctx: HttpContext) {
    requireMember(ctx)
    const { coupons, products, categories } = await listShopCoupons()
    const names = {
      product: new Map(products.map((p) => [p.id, p.name])),
      category: new Map(categories.map((c) => [c.id, c.name])),
    }
    const rows = coupons.map((c) => ({
      ...c,
      valueText:
        c.kind === 'percent' ? `${c.value}%` : `${c.currency} ${formatMinor(c.value, c.currency)}`,
      target:
        c.scope === 'product'
          ? (names.product.get(c.productId!) ?? '')
          : c.scope === 'category'
            ? (names.category.get(c.categoryId!) ?? '')
            : '',
      startsText: formatUtcDateTime(c.startsAt).replace('T', ' '),
      endsText: formatUtcDateTime(c.endsAt).replace('T', ' '),
    }))
    return ctx.view.render('pages/merchant/coupons/index', { coupons: rows })
  }

  async create(ctx: HttpContext) {
    requireMember(ctx)
    return this.#form(ctx, null, { kind: 'percent', scope: 'all', active: '1' }, {})
  }

  async edit(ctx: HttpContext) {
    requireMember(ctx)
    const coupon = await getCoupon(Number(ctx.params.id))
    return this.#form(ctx, coupon.id, valuesOf(coupon), {})
  }

  async store(ctx: HttpContext) {
    return this.#save(ctx, null)
  }

  async update(ctx: HttpContext) {
    return this.#save(ctx, Number(ctx.params.id))
  }

  async deactivate(ctx: HttpContext) {
    const member = requireMember(ctx)
    await deactivateShopCoupon(member, Number(ctx.params.id), ctx.request.ip())
    ctx.session.flash('notice', ctx.i18n.t('coupons.list.deactivated'))
    return ctx.response.redirect('/merchant/coupons')
  }

  async #save(ctx: HttpContext, couponId: number | null) {
    const member = requireMember(ctx)
    if (couponId !== null) await getCoupon(couponId) // 404 before validation
    const body = ctx.request.all()
    const values = couponFormValues(body)
    const checked = validateCouponForm(body, requireTenant().currency)
    if (checked.errors) return this.#form(ctx, couponId, values, checked.errors, 422)
    try {
      await saveCoupon(member, couponId, checked.data, ctx.request.ip())
    } catch (error) {
      if (!(error instanceof CouponError)) throw error
      const field = String(error.details.field ?? 'form')
      const key =
        error.code === 'E_COUPON_CODE_TAKEN'
          ? 'code_taken'
          : field === 'product_id'
            ? 'product'
            : field === 'category_id'
              ? 'category'
              : 'invalid'
      return this.#form(ctx, couponId, values, { [key === 'invalid' ? 'form' : field]: key }, 422)
    }
    ctx.session.flash('notice', ctx.i18n.t('coupons.form.saved'))
    return ctx.response.redirect('/merchant/coupons')
  }

  async #form(
    ctx: HttpContext,
    couponId: number | null,
    values: CouponFormValues,
    errors: CouponFormErrors,
    status = 200
  ) {
    const { products, categories } = await getScopeChoices()
    ctx.response.status(status)
    return ctx.view.render('pages/merchant/coupons/form', {
      couponId,
      values,
      errors,
      products,
      categories,
      currency: requireTenant().currency,
    })
  }
}
