import type { HttpContext } from '@adonisjs/core/http'
import { rejectValidator, reviewNoteValidator } from '#validators/platform/shop_review'
import { validateForm } from '#validators/platform/validate_form'
import ReviewShop, { type ReviewDecision } from '#actions/platform/review_shop'
import { clientIp } from '#actions/accounts/client_ip'

/** An admin's decision on a shop: approve, reject (reason required), suspend, reinstate. */
export default class ShopReviewsController {
  approve(ctx: HttpContext) {
    return this.decide(ctx, 'approve')
  }

  reject(ctx: HttpContext) {
    return this.decide(ctx, 'reject')
  }

  suspend(ctx: HttpContext) {
    return this.decide(ctx, 'suspend')
  }

  reinstate(ctx: HttpContext) {
    return this.decide(ctx, 'reinstate')
  }

  private async decide(ctx: HttpContext, decision: ReviewDecision) {
    const back = `/admin/shops/${encodeURIComponent(ctx.params.id)}`
    const form = { back, keep: ['reason'] }
    const { reason } =
      decision === 'reject'
        ? await validateForm(ctx, rejectValidator, form)
        : await validateForm(ctx, reviewNoteValidator, form)
    const admin = ctx.auth.use('admin').getUserOrFail()
    const result = await new ReviewShop().handle({
      adminId: admin.id,
      tenantId: ctx.params.id,
      decision,
      note: reason ?? null,
      ip: clientIp(ctx),
    })
    if (!result.ok && result.reason === 'not_found')
      return ctx.response.redirect().toPath('/admin/shops')
    ctx.session.flash(
      result.ok ? 'notice' : 'error',
      result.ok
        ? ctx.i18n.t(`admin.review.done.${decision}`)
        : ctx.i18n.t('admin.review.invalid_transition', {
            status: ctx.i18n.t(`admin.status.${result.status}`),
          })
    )
    return ctx.response.redirect().toPath(back)
  }
}
