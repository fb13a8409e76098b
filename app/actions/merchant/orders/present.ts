import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { formatMinor } from '#ledger/settlement/format'
import type { OrderDetail } from '#delivery'

/** No such order in this shop (another shop's id is simply not found): the 404 page. */
export class OrderNotFoundException extends Exception {
  static status = 404
  static code = 'E_ORDER_NOT_FOUND'
  async report() {}
  async handle(_error: this, ctx: HttpContext) {
    ctx.response.status(404)
    const message = ctx.i18n.t('orders.errors.not_found')
    return ctx.response.send(
      await ctx.view.render('pages/merchant/error', { status: 404, message })
    )
  }
}

/** Timeline kinds with a label in `orders.events.*`. */
const KNOWN_EVENTS = new Set([
  'created',
  'reserved',
  'reservation_failed',
  'expired',
  'paid',
  'delivered',
  'mailed',
  'mail_resent',
  'merchant_alerted',
  'payment_extra',
  'payment_mismatch',
  'item_replaced',
  'fulfilled',
  'refunded',
  'refund_failed',
])

export interface TimelineEntry {
  kind: string
  known: boolean
  at: Date
  /** `orders.event_details.<key>` and its data, when the event carries something to show. */
  detail: { key: string; data: Record<string, string | number> } | null
}

function money(data: Record<string, unknown>) {
  const amount = typeof data.amountMinor === 'string' ? data.amountMinor : null
  const currency = typeof data.currency === 'string' ? data.currency : null
  if (!amount || !currency || !/^\d{1,19}$/.test(amount) || !/^[A-Z]{3}$/.test(currency)) {
    return ''
  }
  return `${formatMinor(BigInt(amount), currency)} ${currency}`
}

const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null)

/** Timeline rows with small, non-secret details (amounts, counts, item ids, alert reasons). */
export function timeline(events: OrderDetail['events']): TimelineEntry[] {
  return events.map((e) => {
    const d = e.data ?? {}
    let detail: TimelineEntry['detail'] = null
    if (['paid', 'payment_extra', 'payment_mismatch'].includes(e.kind) && money(d)) {
      detail = { key: 'payment', data: { gateway: String(d.gateway ?? ''), amount: money(d) } }
    } else if (e.kind === 'item_replaced' && num(d.oldItemId) && num(d.newItemId)) {
      detail = {
        key: 'replaced',
        data: { oldItemId: num(d.oldItemId)!, newItemId: num(d.newItemId)! },
      }
    } else if (['delivered', 'fulfilled', 'reserved'].includes(e.kind) && num(d.items) !== null) {
      detail = { key: 'items', data: { items: num(d.items)! } }
    } else if (e.kind === 'expired' && num(d.released) !== null) {
      detail = { key: 'released', data: { released: num(d.released)! } }
    } else if (e.kind === 'merchant_alerted' && typeof d.reason === 'string') {
      detail = { key: 'alert', data: { reason: d.reason } }
    }
    return { kind: e.kind, known: KNOWN_EVENTS.has(e.kind), at: e.at, detail }
  })
}

/** Everything the detail page shows besides the detail itself. */
export function detailView(detail: OrderDetail) {
  const o = detail.order
  return {
    ...detail,
    amount: `${formatMinor(o.amountMinor, o.currency)} ${o.currency}`,
    discount:
      o.discountMinor > 0n ? `${formatMinor(o.discountMinor, o.currency)} ${o.currency}` : null,
    money: (amount: bigint, currency: string) => `${formatMinor(amount, currency)} ${currency}`,
    timeline: timeline(detail.events),
  }
}
