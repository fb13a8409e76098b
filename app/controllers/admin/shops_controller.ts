import type { HttpContext } from '@adonisjs/core/http'
import { shopListValidator } from '#validators/platform/shop_review'
import { validateForm } from '#validators/platform/validate_form'
import ListShopsForReview from '#actions/platform/list_shops_for_review'
import GetShopForReview from '#actions/platform/get_shop_for_review'
import { decisionsFor } from '#actions/platform/review_shop'
import { clientIp } from '#actions/accounts/client_ip'
import { listPlans, shopPlanCode } from '#payments/plans_admin'

/** The shop review queue (by status, pending first) and one shop's detail page. */
export default class ShopsController {
  async index(ctx: HttpContext) {
    const query = await validateForm(ctx, shopListValidator, { back: '/admin/shops' })
    const admin = ctx.auth.use('admin').getUserOrFail()
    const status = query.status ?? 'pending_review'
    const page = query.page ?? 1
    const list = await new ListShopsForReview().handle({
      adminId: admin.id,
      ip: clientIp(ctx),
      status,
      page,
    })
    return ctx.view.render('pages/admin/shops', { ...list, status, page, admin })
  }

  async show(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const shop = await new GetShopForReview().handle({
      adminId: admin.id,
      ip: clientIp(ctx),
      tenantId: ctx.params.id,
    })
    if (!shop) return ctx.response.notFound(await ctx.view.render('pages/errors/not_found'))
    return ctx.view.render('pages/admin/shop', {
      shop,
      admin,
      decisions: decisionsFor(shop.status),
      plans: await listPlans(),
      planCode: await shopPlanCode(shop.id),
    })
  }
}
