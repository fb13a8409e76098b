import { randomUUID } from 'node:crypto'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { decryptSecret } from '#delivery/secrets/index'
import { ORDER_COLUMNS, toOrder, type Order } from '#delivery/orders/order'
import { OrderDeskError, checkId } from '#delivery/orders/admin_errors'
import { lockOrderRow, queueNoticeMail } from '#delivery/orders/admin_support'

/** Statuses whose buyer has paid: the delivery mail exists for them. */
export const PAID_STATUSES = ['paid', 'delivered', 'paid_unfulfilled'] as const

/** Delivery-mail resends per order (merchant side). */
export const RESEND_LIMIT = { requests: 5, duration: '1 hour' } as const

export interface OrderDetail {
  order: Order
  lines: {
    id: number
    productId: number
    productName: string
    productType: string
    quantity: number
    unitPriceMinor: bigint
    amountMinor: bigint
    currency: string
  }[]
  payments: {
    id: number
    gateway: string
    providerTxnId: string
    amountMinor: bigint
    currency: string
    outcome: string
    paidAt: Date
  }[]
  deliveries: {
    id: number
    lineId: number
    kind: string
    itemCount: number
    deliveredAt: Date | null
  }[]
  /** The order's card items, without their secrets. */
  items: { id: number; status: string; soldAt: Date | null; burnedAt: Date | null }[]
  events: { id: number; kind: string; data: Record<string, unknown>; at: Date }[]
  /** A manual line is paid and waits for the merchant. */
  canFulfil: boolean
  fulfilQuantity: number
  canMarkPaid: boolean
  canResend: boolean
  /** Items (sold or burned) whose secrets "show keys" would reveal. */
  revealable: number
}

async function loadDetail(
  trx: TransactionClientContract,
  tenantId: number,
  orderId: number
): Promise<OrderDetail> {
  const { rows } = await trx.rawQuery(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND id = ?`,
    [tenantId, orderId]
  )
  if (!rows[0]) throw new OrderDeskError('E_ORDER_NOT_FOUND', 'no such order')
  const order = toOrder(rows[0])
  const where = { tenant_id: tenantId, order_id: orderId }
  const lines = await trx
    .from('order_lines as l')
    .join('products as p', (j) => j.on('p.tenant_id', 'l.tenant_id').andOn('p.id', 'l.product_id'))
    .where({ 'l.tenant_id': tenantId, 'l.order_id': orderId })
    .orderBy('l.id')
    .select(
      'l.id',
      'l.product_id',
      'l.quantity',
      'l.currency',
      'p.name',
      'p.type',
      trx.raw('l.unit_price_minor::text AS unit_price_minor'),
      trx.raw('l.amount_minor::text AS amount_minor')
    )
  const payments = await trx
    .from('payments')
    .where(where)
    .orderBy('id')
    .select('*', trx.raw('amount_minor::text AS amount_text'))
  const deliveries = await trx.from('deliveries').where(where).orderBy('id').select('*')
  const items = await trx
    .from('card_items')
    .where({ tenant_id: tenantId, reserved_order_id: orderId })
    .orderBy('id')
    .select('id', 'status', 'sold_at', 'burned_at')
  const events = await trx
    .from('order_events')
    .where(where)
    .orderBy('id')
    .select('id', 'kind', 'data', 'created_at')
  const manualOpen = deliveries.find((d: any) => d.kind === 'manual' && !d.delivered_at)
  const manualLine =
    manualOpen && lines.find((l: any) => Number(l.id) === Number(manualOpen.line_id))
  const date = (v: any) => (v ? new Date(v) : null)
  return {
    order,
    lines: lines.map((l: any) => ({
      id: Number(l.id),
      productId: Number(l.product_id),
      productName: l.name,
      productType: l.type,
      quantity: Number(l.quantity),
      unitPriceMinor: BigInt(l.unit_price_minor),
      amountMinor: BigInt(l.amount_minor),
      currency: l.currency,
    })),
    payments: payments.map((p: any) => ({
      id: Number(p.id),
      gateway: p.gateway,
      providerTxnId: p.provider_txn_id,
      amountMinor: BigInt(p.amount_text),
      currency: p.currency,
      outcome: p.outcome,
      paidAt: new Date(p.paid_at),
    })),
    deliveries: deliveries.map((d: any) => ({
      id: Number(d.id),
      lineId: Number(d.line_id),
      kind: d.kind,
      itemCount: Number(d.item_count),
      deliveredAt: date(d.delivered_at),
    })),
    items: items.map((i: any) => ({
      id: Number(i.id),
      status: i.status,
      soldAt: date(i.sold_at),
      burnedAt: date(i.burned_at),
    })),
    events: events.map((e: any) => ({
      id: Number(e.id),
      kind: e.kind,
      data: e.data ?? {},
      at: new Date(e.created_at),
    })),
    canFulfil: order.status === 'paid' && Boolean(manualLine),
    fulfilQuantity: manualLine ? Number(manualLine.quantity) : 0,
    canMarkPaid: order.status === 'pending' || order.status === 'expired',
    canResend: (PAID_STATUSES as readonly string[]).includes(order.status),
    revealable: items.filter((i: any) => i.status === 'sold' || i.status === 'burned').length,
  }
}

/** One order of the shop with its lines, payments, deliveries, items and timeline. */
export function getOrderDetail(tenant: TenantRef, orderId: number): Promise<OrderDetail> {
  const id = checkId(orderId)
  return withTenant((trx) => loadDetail(trx, tenant.id, id), tenant)
}

export interface RevealedItem {
  id: number
  status: string
  secret: string
}

/**
 * "Show keys" for support: the detail plus the decrypted secrets of the order's sold and
 * burned items, with one `order.secrets_viewed_by_merchant` audit row (counts and item
 * ids, never a secret) in the same unit of work. The caller must not cache the response.
 */
export function revealOrderSecrets(
  tenant: TenantRef,
  orderId: number,
  viewer: { actor: { type: 'user'; id: number }; ip?: string | null }
): Promise<{ detail: OrderDetail; secrets: RevealedItem[] }> {
  const id = checkId(orderId)
  return withTenant(async (trx) => {
    const detail = await loadDetail(trx, tenant.id, id)
    const rows = await trx
      .from('card_items')
      .where({ tenant_id: tenant.id, reserved_order_id: id })
      .whereIn('status', ['sold', 'burned'])
      .orderBy('id')
      .select('id', 'status', 'secret_ciphertext')
    const secrets: RevealedItem[] = []
    for (const row of rows) {
      secrets.push({
        id: Number(row.id),
        status: row.status,
        secret: await decryptSecret(trx, tenant.id, row.secret_ciphertext),
      })
    }
    await recordTenantAudit(trx, tenant.id, {
      actor: viewer.actor,
      action: 'order.secrets_viewed_by_merchant',
      target: { type: 'order', id: detail.order.orderNo },
      ip: viewer.ip ?? null,
      metadata: { items: secrets.length, itemIds: secrets.map((s) => s.id).slice(0, 100) },
    })
    return { detail, secrets }
  }, tenant)
}

function resendKey(tenant: TenantRef, orderNo: string) {
  return `merchant_orders:resend:${tenant.slug}:${orderNo}`
}

/**
 * The merchant resends the delivery mail of a paid order: at most {@link RESEND_LIMIT} per
 * order (`E_RESEND_LIMIT`, nothing recorded), audited as `order.mail_resend_requested`;
 * after commit {@link DeliveryMailJob} sends it with a fresh notice key (so the `mailed`
 * event of the first mail does not stop it) and records `mail_resent`.
 */
export async function resendDeliveryMail(
  tenant: TenantRef,
  orderId: number,
  viewer: { actor: { type: 'user'; id: number }; ip?: string | null }
): Promise<{ orderNo: string; remaining: number }> {
  const id = checkId(orderId)
  const order = await withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT id, order_no, status FROM orders WHERE tenant_id = ? AND id = ?`,
      [tenant.id, id]
    )
    if (!rows[0]) throw new OrderDeskError('E_ORDER_NOT_FOUND', 'no such order')
    return rows[0]
  }, tenant)
  if (!(PAID_STATUSES as readonly string[]).includes(order.status)) {
    throw new OrderDeskError('E_ORDER_NOT_PAID', 'the order is not paid')
  }
  let remaining: number
  try {
    const res = await limiter.use({ ...RESEND_LIMIT }).consume(resendKey(tenant, order.order_no))
    remaining = res.remaining
  } catch (error) {
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      throw new OrderDeskError('E_RESEND_LIMIT', 'too many resends of this order', {
        availableIn: error.response.availableIn,
      })
    }
    throw error
  }
  const key = `resend-${order.order_no}-${randomUUID()}`
  const locked = await withTenant(async (trx) => {
    const row = await lockOrderRow(trx, tenant.id, id)
    await recordTenantAudit(trx, tenant.id, {
      actor: viewer.actor,
      action: 'order.mail_resend_requested',
      target: { type: 'order', id: row.orderNo },
      ip: viewer.ip ?? null,
      metadata: { status: row.status },
    })
    return row
  }, tenant)
  await queueNoticeMail(tenant, locked, { kind: 'resend', key })
  return { orderNo: locked.orderNo, remaining }
}
