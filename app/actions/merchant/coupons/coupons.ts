import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import {
  createCoupon,
  deactivateCoupon,
  findCoupon,
  listCoupons,
  updateCoupon,
  type Coupon,
  type CouponInput,
} from '#delivery'
import type { MerchantMember } from '#actions/merchant/session/find_membership'

/** Not this shop's coupon (another shop's id is simply not found): 404 page. */
export class CouponNotFoundException extends Exception {
  static status = 404
  static code = 'E_COUPON_NOT_FOUND'
  async report() {}
  async handle(_error: this, ctx: HttpContext) {
    const message = ctx.i18n.t('coupons.errors.not_found')
    ctx.response.status(404)
    return ctx.response.send(await ctx.view.render('pages/merchant/error', { message }))
  }
}

/** What the audit trail keeps of a coupon: its definition, never anything about buyers. */
function summary(coupon: Coupon) {
  return {
    code: coupon.code,
    kind: coupon.kind,
    value: coupon.value.toString(),
    currency: coupon.currency,
    scope: coupon.scope,
    active: coupon.active,
  }
}

/** The shop's coupons with their uses, and the names their scopes point at. */
export async function listShopCoupons() {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const coupons = await listCoupons(trx, tenant.id)
    const { products, categories } = await scopeChoices(trx, tenant.id)
    return { coupons, products, categories }
  })
}

/** Products and categories of this shop only (the scope pickers). */
async function scopeChoices(trx: Parameters<typeof listCoupons>[0], tenantId: number) {
  const products = await trx
    .from('products')
    .where('tenant_id', tenantId)
    .orderBy('name')
    .limit(1000)
    .select('id', 'name')
  const categories = await trx
    .from('categories')
    .where('tenant_id', tenantId)
    .orderBy('name')
    .limit(1000)
    .select('id', 'name')
  const pick = (rows: any[]) => rows.map((r) => ({ id: Number(r.id), name: String(r.name) }))
  return { products: pick(products), categories: pick(categories) }
}

/** The scope pickers' choices for the form. */
export async function getScopeChoices() {
  const tenant = requireTenant()
  return withTenant((trx) => scopeChoices(trx, tenant.id))
}

/** One coupon of this shop, or the 404 page. */
export async function getCoupon(couponId: number): Promise<Coupon> {
  const tenant = requireTenant()
  const coupon = await withTenant((trx) => findCoupon(trx, tenant.id, couponId))
  if (!coupon) throw new CouponNotFoundException('No such coupon')
  return coupon
}

/**
 * Create (couponId null) or replace a coupon; one transaction with its audit record, so a
 * refused definition writes nothing. Throws `CouponError` (`E_COUPON_INVALID` with the
 * field, `E_COUPON_CODE_TAKEN`) or the 404 for another shop's coupon.
 */
export async function saveCoupon(
  member: MerchantMember,
  couponId: number | null,
  input: CouponInput,
  ip: string
): Promise<Coupon> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    let saved: Coupon
    let before: Coupon | null = null
    if (couponId === null) {
      saved = await createCoupon(trx, tenant.id, input)
    } else {
      if (!(await findCoupon(trx, tenant.id, couponId))) {
        throw new CouponNotFoundException('No such coupon')
      }
      ;({ before, after: saved } = await updateCoupon(trx, tenant.id, couponId, input))
    }
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: before ? 'coupon.updated' : 'coupon.created',
      target: { type: 'coupon', id: saved.id },
      ip,
      metadata: before ? { before: summary(before), after: summary(saved) } : summary(saved),
    })
    return saved
  })
}

/** Deactivate a coupon of this shop (audited); another shop's id is the 404 page. */
export async function deactivateShopCoupon(member: MerchantMember, couponId: number, ip: string) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    if (!(await findCoupon(trx, tenant.id, couponId))) {
      throw new CouponNotFoundException('No such coupon')
    }
    const coupon = await deactivateCoupon(trx, tenant.id, couponId)
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: 'coupon.deactivated',
      target: { type: 'coupon', id: coupon.id },
      ip,
      metadata: { code: coupon.code },
    })
    return coupon
  })
}
