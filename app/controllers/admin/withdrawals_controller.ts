import type { HttpContext } from '@adonisjs/core/http'
import { clientIp } from '#actions/accounts/client_ip'
import { tenantDirectory } from '#tenancy'
import {
  changeHoldDays,
  decideWithdrawal,
  formatMoney,
  freezeForShop,
  getShopMoney,
  listWithdrawalsForAdmin,
  moneyRules,
  parseMajor,
  releaseForShop,
  WITHDRAWAL_STATUSES,
  type WithdrawalDecision,
} from '#ledger/settlement/index'
import {
  freezeValidator,
  holdDaysValidator,
  moneyFieldError,
  payWithdrawalValidator,
  rejectWithdrawalValidator,
  releaseValidator,
  validateMoneyForm,
} from '#ledger/withdrawals/validators'

const QUEUE = '/admin/withdrawals'
const SHOPS = '/admin/shops'

/** A route id as a safe positive integer, or null (the route matcher allows any digits). */
function idParam(value: unknown): number | null {
  const id = Number(value)
  return Number.isSafeInteger(id) && id > 0 ? id : null
}

/**
 * Platform admins: the withdrawal queue across shops (pay with a payout reference, reject
 * with a reason) and one shop's money page (balances, hold days, freeze and release).
 * Every read and decision is a `withPlatform` unit of work (audited).
 */
export default class WithdrawalsController {
  async index(ctx: HttpContext) {
    const rawStatus = ctx.request.input('status')
    const status = (WITHDRAWAL_STATUSES as readonly unknown[]).includes(rawStatus)
      ? (rawStatus as (typeof WITHDRAWAL_STATUSES)[number])
      : rawStatus === 'all'
        ? null
        : 'requested'
    const page = Number(ctx.request.input('page'))
    const list = await listWithdrawalsForAdmin({
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      ip: clientIp(ctx),
      status,
      page: Number.isSafeInteger(page) && page > 0 && page <= 10_000 ? page : 1,
    })
    return ctx.view.render('pages/admin/withdrawals', {
      list,
      statuses: WITHDRAWAL_STATUSES,
      money: formatMoney,
    })
  }

  async pay(ctx: HttpContext) {
    const { payout_reference: payoutReference } = await validateMoneyForm(
      ctx,
      payWithdrawalValidator,
      QUEUE
    )
    return this.#decide(ctx, { kind: 'pay', payoutReference })
  }

  async reject(ctx: HttpContext) {
    const { reason } = await validateMoneyForm(ctx, rejectWithdrawalValidator, QUEUE)
    return this.#decide(ctx, { kind: 'reject', reason })
  }

  async #decide(ctx: HttpContext, decision: WithdrawalDecision) {
    const tenantId = idParam(ctx.params.tenant)
    const withdrawalId = idParam(ctx.params.id)
    if (tenantId === null || withdrawalId === null) {
      ctx.session.flash('error', ctx.i18n.t('money.admin.not_found'))
      return ctx.response.redirect().toPath(QUEUE)
    }
    const result = await decideWithdrawal({
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      tenantId,
      withdrawalId,
      decision,
      ip: clientIp(ctx),
    })
    if (result.ok) {
      ctx.session.flash('notice', ctx.i18n.t(`money.admin.done.${decision.kind}`))
    } else {
      ctx.session.flash(
        'error',
        result.reason === 'not_found'
          ? ctx.i18n.t('money.admin.not_found')
          : ctx.i18n.t('money.admin.already_decided', {
              status: ctx.i18n.t(`money.status.${result.status}`),
            })
      )
    }
    return ctx.response.redirect().toPath(QUEUE)
  }

  async money(ctx: HttpContext) {
    if (idParam(ctx.params.id) === null) return ctx.response.redirect().toPath(SHOPS)
    const data = await getShopMoney(this.#actor(ctx))
    if (!data) return ctx.response.redirect().toPath(SHOPS)
    return ctx.view.render('pages/admin/withdrawals_shop_money', { ...data, money: formatMoney })
  }

  async holdDays(ctx: HttpContext) {
    if (idParam(ctx.params.id) === null) return ctx.response.redirect().toPath(SHOPS)
    const back = this.#back(ctx)
    const data = await validateMoneyForm(ctx, holdDaysValidator, back, ['hold_days', 'note'])
    try {
      const setting = await changeHoldDays({
        ...this.#actor(ctx),
        days: data.hold_days,
        note: data.note,
      })
      if (!setting) return ctx.response.redirect().toPath(SHOPS)
    } catch (error) {
      if ((error as { code?: string }).code === 'E_SETTLEMENT_HOLD_DAYS') {
        throw moneyFieldError(ctx, 'hold_days', 'hold_days_range', back, {
          min: moneyRules().minHoldDays,
        })
      }
      throw error
    }
    ctx.session.flash('notice', ctx.i18n.t('money.admin.done.hold_days'))
    return ctx.response.redirect().toPath(back)
  }

  async freeze(ctx: HttpContext) {
    if (idParam(ctx.params.id) === null) return ctx.response.redirect().toPath(SHOPS)
    const back = this.#back(ctx)
    const keep = ['amount', 'reason', 'ref']
    const data = await validateMoneyForm(ctx, freezeValidator, back, keep)
    const tenantCurrency = await this.#currency(ctx)
    if (!tenantCurrency) return ctx.response.redirect().toPath(SHOPS)
    const amount = parseMajor(data.amount, tenantCurrency)
    if (amount === null) throw moneyFieldError(ctx, 'amount', 'amount_format', back, {}, keep)
    const outcome = await freezeForShop({
      ...this.#actor(ctx),
      amount,
      reason: data.reason,
      ref: data.ref ?? null,
    })
    if (!outcome) return ctx.response.redirect().toPath(SHOPS)
    if (!outcome.ok) {
      throw moneyFieldError(ctx, 'amount', 'freeze_insufficient', back, {}, keep)
    }
    ctx.session.flash('notice', ctx.i18n.t('money.admin.done.freeze'))
    return ctx.response.redirect().toPath(back)
  }

  async release(ctx: HttpContext) {
    const holdId = idParam(ctx.params.hold)
    if (idParam(ctx.params.id) === null || holdId === null) {
      return ctx.response.redirect().toPath(SHOPS)
    }
    const back = this.#back(ctx)
    const data = await validateMoneyForm(ctx, releaseValidator, back)
    const result = await releaseForShop({
      ...this.#actor(ctx),
      holdId,
      note: data.note ?? null,
    })
    if (!result) return ctx.response.redirect().toPath(SHOPS)
    ctx.session.flash(
      result.status === 'released' ? 'notice' : 'error',
      ctx.i18n.t(`money.admin.release.${result.status}`)
    )
    return ctx.response.redirect().toPath(back)
  }

  #actor(ctx: HttpContext) {
    return {
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      tenantId: Number(ctx.params.id),
      ip: clientIp(ctx),
    }
  }

  #back(ctx: HttpContext) {
    return `/admin/shops/${Number(ctx.params.id)}/money`
  }

  /** The shop's currency (platform-global `tenants`, no audit needed), null when unknown. */
  async #currency(ctx: HttpContext): Promise<string | null> {
    const shop = await tenantDirectory.findById(Number(ctx.params.id))
    return shop?.currency ?? null
  }
}
