import type { HttpContext } from '@adonisjs/core/http'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { requireTenant } from '#tenancy'
import {
  DeliveryError,
  OrderDeskError,
  RESEND_LIMIT,
  fulfilManualOrder,
  getOrderDetail,
  listOrders,
  markPaidOffline,
  orderFilterQuery,
  parseOrderFilters,
  replaceCardItem,
  resendDeliveryMail,
  revealOrderSecrets,
  ORDER_STATUSES,
  type RevealedItem,
} from '#delivery'
import { formatMinor } from '#ledger/settlement/format'
import OrderPolicy from '#actions/merchant/orders/order_policy'
import { OrderNotFoundException, detailView } from '#actions/merchant/orders/present'

type FieldErrors = Record<string, string>

/**
 * The order desk: list, detail (timeline), "show keys" (POST, audited, no-store), mark paid
 * offline (owners), resend the delivery mail, replace a bad key, deliver a manual order.
 * A refused form re-renders the detail with the error and a 4xx status; nothing was written.
 */
export default class OrdersController {
  async index(ctx: HttpContext) {
    await this.#may(ctx, 'operate')
    const { filters, ignored } = parseOrderFilters(ctx.request.qs())
    const result = await listOrders(requireTenant(), filters)
    return ctx.view.render('pages/merchant/orders/index', {
      ...result,
      filters,
      ignored,
      query: orderFilterQuery(filters),
      statuses: ORDER_STATUSES,
      money: (amount: bigint, currency: string) => `${formatMinor(amount, currency)} ${currency}`,
    })
  }

  async show(ctx: HttpContext) {
    await this.#may(ctx, 'operate')
    return this.#render(ctx, {})
  }

  async secrets(ctx: HttpContext) {
    const member = await this.#may(ctx, 'operate')
    const { detail, secrets } = await this.#found(() =>
      revealOrderSecrets(requireTenant(), this.#id(ctx), {
        actor: { type: 'user', id: member.userId },
        ip: ctx.request.ip(),
      })
    )
    ctx.response.header('Cache-Control', 'no-store')
    ctx.response.header('Referrer-Policy', 'no-referrer')
    return this.#page(ctx, detailView(detail), secrets, {}, {})
  }

  async markPaid(ctx: HttpContext) {
    const member = await this.#may(ctx, 'markPaid')
    const reason = this.#text(ctx, 'reason')
    try {
      const result = await markPaidOffline({
        tenant: requireTenant(),
        actor: { type: 'user', id: member.userId },
        orderId: this.#id(ctx),
        reason: reason ?? '',
        ip: ctx.request.ip(),
      })
      ctx.session.flash('notice', ctx.i18n.t(`orders.mark_paid.outcome.${result.outcome}`))
      return ctx.response.redirect().toPath(`/merchant/orders/${result.order.id}`)
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error
      if (error.code === 'E_ORDER_NOT_FOUND') throw new OrderNotFoundException('No such order')
      const trimmed = (reason ?? '').trim()
      const badReason = trimmed.length < 3 || trimmed.length > 500
      const field = badReason ? 'reason' : 'mark_paid'
      const message = ctx.i18n.t(
        field === 'reason' ? 'orders.errors.E_REASON_REQUIRED' : 'orders.errors.mark_paid_failed'
      )
      return this.#fail(ctx, 422, { [field]: message }, { reason: (reason ?? '').slice(0, 600) })
    }
  }

  async resend(ctx: HttpContext) {
    const member = await this.#may(ctx, 'operate')
    return this.#act(ctx, {}, async () => {
      await resendDeliveryMail(requireTenant(), this.#id(ctx), {
        actor: { type: 'user', id: member.userId },
        ip: ctx.request.ip(),
      })
      return 'orders.resend.done'
    })
  }

  async replace(ctx: HttpContext) {
    const member = await this.#may(ctx, 'operate')
    const reason = this.#text(ctx, 'reason')
    return this.#act(ctx, { reason: (reason ?? '').slice(0, 600) }, async () => {
      await replaceCardItem({
        tenant: requireTenant(),
        actor: { type: 'user', id: member.userId },
        orderId: this.#id(ctx),
        itemId: Number(ctx.params.itemId),
        reason: reason ?? '',
        ip: ctx.request.ip(),
      })
      return 'orders.replaced'
    })
  }

  async fulfil(ctx: HttpContext) {
    const member = await this.#may(ctx, 'operate')
    const mode = this.#text(ctx, 'mode')
    const content = this.#text(ctx, 'content')
    return this.#act(
      ctx,
      { mode: mode ?? 'items', content: (content ?? '').slice(0, 20_000) },
      async () => {
        await fulfilManualOrder({
          tenant: requireTenant(),
          actor: { type: 'user', id: member.userId },
          orderId: this.#id(ctx),
          mode: mode as 'items' | 'text',
          content: content ?? '',
          ip: ctx.request.ip(),
        })
        return 'orders.fulfil.done'
      }
    )
  }

  /** Run one order-desk action: notice and redirect, or the detail with the refusal. */
  async #act(ctx: HttpContext, values: Record<string, string>, run: () => Promise<string>) {
    try {
      const notice = await run()
      ctx.session.flash('notice', ctx.i18n.t(notice))
      return ctx.response.redirect().toPath(`/merchant/orders/${this.#id(ctx)}`)
    } catch (error) {
      if (!(error instanceof OrderDeskError)) throw error
      if (error.code === 'E_ORDER_NOT_FOUND') throw new OrderNotFoundException('No such order')
      const status =
        error.code === 'E_RESEND_LIMIT'
          ? 429
          : error.code === 'E_ITEM_NOT_REPLACEABLE' ||
              error.code === 'E_NOTHING_TO_FULFIL' ||
              error.code === 'E_ORDER_NOT_PAID'
            ? 409
            : 422
      let message = ctx.i18n.t(`orders.errors.${error.code}`)
      if (error.code === 'E_FULFIL_INVALID') {
        message = ctx.i18n.t(`orders.errors.fulfil.${String(error.details.reason)}`, {
          max: Number(error.details.max ?? 0),
        })
      }
      const field =
        error.code === 'E_REASON_REQUIRED'
          ? 'reason'
          : error.code === 'E_FULFIL_INVALID'
            ? 'content'
            : 'form'
      if (error.code === 'E_RESEND_LIMIT') {
        ctx.response.header('Retry-After', String(Number(error.details.availableIn ?? 3600)))
      }
      return this.#fail(ctx, status, { [field]: message }, values)
    }
  }

  async #fail(
    ctx: HttpContext,
    status: number,
    errors: FieldErrors,
    values: Record<string, string>
  ) {
    ctx.response.status(status)
    return this.#render(ctx, errors, values)
  }

  async #render(ctx: HttpContext, errors: FieldErrors, values: Record<string, string> = {}) {
    const detail = await this.#found(() => getOrderDetail(requireTenant(), this.#id(ctx)))
    return this.#page(ctx, detailView(detail), null, errors, values)
  }

  #page(
    ctx: HttpContext,
    view: ReturnType<typeof detailView>,
    secrets: RevealedItem[] | null,
    errors: FieldErrors,
    values: Record<string, string>
  ) {
    return ctx.view.render('pages/merchant/orders/show', {
      ...view,
      secrets,
      errors,
      values,
      itemId: Number(ctx.params.itemId) || null,
      isOwner: ctx.member?.role === 'owner',
      resendLimit: RESEND_LIMIT.requests,
    })
  }

  async #found<T>(load: () => Promise<T>): Promise<T> {
    try {
      return await load()
    } catch (error) {
      if (error instanceof OrderDeskError && error.code === 'E_ORDER_NOT_FOUND') {
        throw new OrderNotFoundException('No such order')
      }
      throw error
    }
  }

  async #may(ctx: HttpContext, ability: 'operate' | 'markPaid') {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(OrderPolicy).allows(ability, member))
    return member
  }

  #id(ctx: HttpContext): number {
    return Number(ctx.params.id)
  }

  /** A text field, or null when missing or not a string (a field sent twice is an array). */
  #text(ctx: HttpContext, name: string): string | null {
    const value = ctx.request.input(name)
    return typeof value === 'string' ? value : null
  }
}
