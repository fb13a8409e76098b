import type { HttpContext } from '@adonisjs/core/http'
import { clientIp } from '#actions/accounts/client_ip'
import { assignPlan, listPlans, parsePlanFees, updatePlanFees } from '#payments/plans_admin'
import { MAX_FEE_BPS, MAX_FEE_FIXED_MINOR } from '#payments/fees'

/**
 * Platform admins: plans and their platform fee (/admin/plans), and a shop's plan (form on
 * the admin shop page). A refused form is the page again with the field's error (422);
 * nothing was written.
 */
export default class PlansController {
  async index(ctx: HttpContext) {
    return this.#render(ctx, {}, {}, null)
  }

  async update(ctx: HttpContext) {
    const code = String(ctx.params.code)
    const input = {
      fee_bps: ctx.request.input('fee_bps'),
      fee_fixed_minor: ctx.request.input('fee_fixed_minor'),
    }
    const parsed = parsePlanFees(input)
    const values = {
      fee_bps: typeof input.fee_bps === 'string' ? input.fee_bps.slice(0, 20) : '',
      fee_fixed_minor:
        typeof input.fee_fixed_minor === 'string' ? input.fee_fixed_minor.slice(0, 20) : '',
    }
    if (!parsed.ok) {
      const errors: Record<string, string> = {}
      for (const field of parsed.errors) {
        errors[field] = ctx.i18n.t(`plans.errors.${field}`, {
          max: field === 'fee_bps' ? MAX_FEE_BPS : MAX_FEE_FIXED_MINOR.toString(),
        })
      }
      ctx.response.status(422)
      return this.#render(ctx, errors, values, code)
    }
    const plan = await updatePlanFees({
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      ip: clientIp(ctx),
      code,
      feeBps: parsed.feeBps,
      feeFixedMinor: parsed.feeFixedMinor,
    })
    if (!plan) {
      ctx.response.status(404)
      return this.#render(ctx, { form: ctx.i18n.t('plans.errors.no_plan') }, {}, code)
    }
    ctx.session.flash('notice', ctx.i18n.t('plans.saved', { name: plan.name }))
    return ctx.response.redirect().toPath('/admin/plans')
  }

  async assign(ctx: HttpContext) {
    const tenantId = Number(ctx.params.id)
    const code = ctx.request.input('plan')
    const back = `/admin/shops/${tenantId}`
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_-]{1,31}$/.test(code)) {
      ctx.session.flash('error', ctx.i18n.t('plans.errors.no_plan'))
      return ctx.response.redirect().toPath(back)
    }
    const result = await assignPlan({
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      ip: clientIp(ctx),
      tenantId,
      code,
    })
    if (!result.ok) {
      ctx.session.flash('error', ctx.i18n.t(`plans.errors.${result.reason}`))
      return ctx.response.redirect().toPath(result.reason === 'no_shop' ? '/admin/shops' : back)
    }
    ctx.session.flash('notice', ctx.i18n.t('plans.assigned', { from: result.from, to: result.to }))
    return ctx.response.redirect().toPath(back)
  }

  async #render(
    ctx: HttpContext,
    errors: Record<string, string>,
    values: Record<string, string>,
    editing: string | null
  ) {
    return ctx.view.render('pages/admin/plans', {
      plans: await listPlans(),
      errors,
      values,
      editing,
      admin: ctx.auth.use('admin').getUserOrFail(),
      maxBps: MAX_FEE_BPS,
    })
  }
}
