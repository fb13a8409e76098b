import { randomBytes } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { requireTenant } from '#tenancy'
import { formatMinor, parseMajor } from '#ledger/settlement/format'
import OrderPolicy from '#actions/merchant/orders/order_policy'
import { OrderNotFoundException } from '#actions/merchant/orders/present'
import {
  RefundError,
  refundOrder,
  refundSummary,
  type RefundMethod,
  type RefundSummary,
} from '#payments/refunds'

type Errors = Record<string, string>

/** HTTP status of each refusal (a form error in the merchant's language, nothing written). */
const STATUS: Record<string, number> = {
  E_OVER_REFUND: 422,
  E_AMOUNT_INVALID: 422,
  E_REASON_REQUIRED: 422,
  E_METHOD_INVALID: 422,
  E_KEY_INVALID: 422,
  E_NO_BUYER: 422,
  E_NOT_REFUNDABLE: 409,
  E_GATEWAY_UNAVAILABLE: 409,
  E_NO_REFUND_CAPABILITY: 409,
  E_INSUFFICIENT_BALANCE: 409,
}

const FIELD: Record<string, string> = {
  E_OVER_REFUND: 'amount',
  E_AMOUNT_INVALID: 'amount',
  E_REASON_REQUIRED: 'reason',
  E_METHOD_INVALID: 'method',
  E_NO_BUYER: 'method',
}

/**
 * Refunds from the order desk (owners): the form (amount, reason, method, a one-time key),
 * a confirmation page saying what will happen, then the refund. A delivered order may be
 * refunded: the page warns, and the audit records it as the merchant's decision.
 */
export default class RefundsController {
  async show(ctx: HttpContext) {
    await this.#may(ctx)
    const summary = await this.#summary(ctx)
    return this.#form(ctx, summary, {}, {})
  }

  async preview(ctx: HttpContext) {
    await this.#may(ctx)
    const summary = await this.#summary(ctx)
    const parsed = this.#parse(ctx, summary)
    if (!parsed.ok) {
      ctx.response.status(422)
      return this.#form(ctx, summary, parsed.errors, parsed.values)
    }
    if (parsed.amount > summary.refundableMinor) {
      ctx.response.status(422)
      return this.#form(
        ctx,
        summary,
        {
          amount: ctx.i18n.t('refunds.errors.E_OVER_REFUND', {
            refundable: this.#money(summary.refundableMinor, summary.order.currency),
          }),
        },
        parsed.values
      )
    }
    return ctx.view.render('pages/merchant/orders/refund_confirm', {
      ...this.#view(summary),
      amount: parsed.amount.toString(),
      amountText: this.#money(parsed.amount, summary.order.currency),
      reason: parsed.reason,
      method: parsed.method,
      key: parsed.key,
      full: parsed.amount === summary.refundableMinor && summary.inFlightMinor === 0n,
      fromShop: parsed.method === 'wallet' || summary.payment?.settlement === 'platform',
    })
  }

  async store(ctx: HttpContext) {
    const member = await this.#may(ctx)
    const summary = await this.#summary(ctx)
    const tenant = requireTenant()
    const raw = ctx.request.input('amount_minor')
    const amount = typeof raw === 'string' && /^[1-9][0-9]{0,17}$/.test(raw) ? BigInt(raw) : null
    const parsed = this.#parse(ctx, summary, false)
    if (amount === null || !parsed.ok) {
      ctx.response.status(422)
      const errors = parsed.ok
        ? { amount: ctx.i18n.t('refunds.errors.E_AMOUNT_INVALID') }
        : parsed.errors
      return this.#form(ctx, summary, errors, parsed.values)
    }
    try {
      const result = await refundOrder({
        tenant,
        orderId: summary.order.id,
        amountMinor: amount,
        reason: parsed.reason,
        idempotencyKey: parsed.key,
        method: parsed.method,
        actor: { type: 'user', id: member.userId },
        ip: ctx.request.ip(),
      })
      const outcome =
        result.outcome === 'duplicate' ? `duplicate_${result.refund.status}` : result.outcome
      ctx.session.flash(
        outcome.endsWith('failed') ? 'error' : 'notice',
        ctx.i18n.t(`refunds.outcome.${outcome}`, {
          amount: this.#money(result.refund.amountMinor, result.refund.currency),
          failure: result.refund.failure ?? '',
        })
      )
      return ctx.response.redirect().toPath(`/merchant/orders/${summary.order.id}/refund`)
    } catch (error) {
      if (!(error instanceof RefundError)) throw error
      if (error.code === 'E_ORDER_NOT_FOUND') throw new OrderNotFoundException('No such order')
      ctx.response.status(STATUS[error.code] ?? 422)
      const fresh = await this.#summary(ctx)
      const message = ctx.i18n.t(`refunds.errors.${error.code}`, {
        refundable: this.#money(fresh.refundableMinor, fresh.order.currency),
      })
      return this.#form(
        ctx,
        fresh,
        { [FIELD[error.code] ?? 'form']: message },
        {
          ...parsed.values,
          amount: formatMinor(amount, summary.order.currency),
        }
      )
    }
  }

  #parse(ctx: HttpContext, summary: RefundSummary, needAmount = true) {
    const text = (name: string) => {
      const v = ctx.request.input(name)
      return typeof v === 'string' ? v : ''
    }
    const values = {
      amount: text('amount').slice(0, 40),
      reason: text('reason').slice(0, 600),
      method: text('method').slice(0, 10),
      key: text('key').slice(0, 80),
    }
    const errors: Errors = {}
    const amount = needAmount ? parseMajor(values.amount, summary.order.currency) : 1n
    if (amount === null) errors.amount = ctx.i18n.t('refunds.errors.E_AMOUNT_INVALID')
    const reason = values.reason.trim()
    if (reason.length < 3 || reason.length > 500) {
      errors.reason = ctx.i18n.t('refunds.errors.E_REASON_REQUIRED')
    }
    const method = (values.method || 'gateway') as RefundMethod
    if (method !== 'gateway' && method !== 'wallet') {
      errors.method = ctx.i18n.t('refunds.errors.E_METHOD_INVALID')
    }
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(values.key)) {
      errors.form = ctx.i18n.t('refunds.errors.E_KEY_INVALID')
    }
    if (Object.keys(errors).length) return { ok: false as const, errors, values }
    return { ok: true as const, amount: amount!, reason, method, key: values.key, values }
  }

  #form(ctx: HttpContext, summary: RefundSummary, errors: Errors, values: Record<string, string>) {
    return ctx.view.render('pages/merchant/orders/refund', {
      ...this.#view(summary),
      errors,
      values,
      // A new one-time key per form shown: a double submit of the same form refunds once.
      key:
        values.key && /^[A-Za-z0-9_-]{16,64}$/.test(values.key)
          ? values.key
          : randomBytes(16).toString('hex'),
    })
  }

  #view(summary: RefundSummary) {
    const currency = summary.order.currency
    return {
      summary,
      order: summary.order,
      money: (amount: bigint) => this.#money(amount, currency),
      refundableText: formatMinor(summary.refundableMinor, currency),
    }
  }

  #money(amount: bigint, currency: string) {
    return `${formatMinor(amount, currency)} ${currency}`
  }

  async #summary(ctx: HttpContext) {
    try {
      return await refundSummary(requireTenant(), Number(ctx.params.id))
    } catch (error) {
      if (error instanceof RefundError && error.code === 'E_ORDER_NOT_FOUND') {
        throw new OrderNotFoundException('No such order')
      }
      throw error
    }
  }

  async #may(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(OrderPolicy).allows('refund', member))
    return member
  }
}
