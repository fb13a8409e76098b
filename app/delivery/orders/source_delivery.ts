import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { dispatch, TenantJob, type TenantJobContext } from '#jobs'
import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { raiseAlert } from '#delivery/alerts/alerts'
import { notifyMerchant } from '#delivery/alerts/notify'
import { lockOrderRow, orderEvent, queueNoticeMail } from '#delivery/orders/admin_support'
import { deliverLineItems } from '#delivery/orders/line_items'
import { emitOrderDelivered } from '#delivery/orders/order_events_out'
import type { DeliverySource, DeliverySourceResult } from '#delivery/catalog/delivery_source'
import type { HookContext } from '#plugin_host/sdk/hooks'
import { enabledPluginsFor } from '#plugin_host/installs'
import { hooks } from '#plugin_host/runtime'

/** How long one call to a delivery source may take (the job retries after). */
export const SOURCE_TIMEOUT_MS = 30_000

export interface SourceDeliveryPayload {
  tenantId: number
  orderId: number
}

interface PendingLine {
  lineId: number
  productId: number
  quantity: number
  sourceId: string | null
  orderNo: string
}

/** The order's source lines still waiting for their items (the order must be `paid`). */
async function pendingSourceLines(
  trx: TransactionClientContract,
  tenantId: number,
  orderId: number
) {
  const { rows } = await trx.rawQuery(
    `SELECT l.id AS line_id, l.product_id, l.quantity, p.source_id, o.order_no
       FROM orders o
       JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
       JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
       JOIN deliveries d ON d.tenant_id = l.tenant_id AND d.line_id = l.id
      WHERE o.tenant_id = ? AND o.id = ? AND o.status = 'paid'
        AND p.type = 'source' AND d.delivered_at IS NULL
      ORDER BY l.id`,
    [tenantId, orderId]
  )
  return rows.map((r: any): PendingLine => ({
    lineId: Number(r.line_id),
    productId: Number(r.product_id),
    quantity: Number(r.quantity),
    sourceId: r.source_id,
    orderNo: r.order_no,
  }))
}

/** The item's keyed-hash input: salted with its line, like a manual delivery's items. */
export function sourceHashInput(lineId: number, secret: string) {
  return `source:${lineId}:${secret}`
}

class SourceTimeout extends Error {}

async function callSource(
  source: DeliverySource,
  request: Parameters<DeliverySource['deliver']>[0],
  plugin: { id: string; settings: Record<string, unknown> },
  logger: TenantJobContext['logger']
): Promise<DeliverySourceResult> {
  let timer: NodeJS.Timeout | undefined
  const controller = new AbortController()
  const ctx: HookContext = {
    tenantId: request.tenantId,
    pluginId: plugin.id,
    settings: plugin.settings,
    signal: controller.signal,
    log: {
      info: (msg, data) => logger.info({ pluginId: plugin.id, ...data }, msg),
      warn: (msg, data) => logger.warn({ pluginId: plugin.id, ...data }, msg),
    },
  }
  try {
    return await Promise.race([
      source.deliver(request, ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort()
          reject(new SourceTimeout())
        }, SOURCE_TIMEOUT_MS)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Store what the source delivered for one line, exactly once: under the order lock the
 * delivery must still be outstanding (a retry after a crash finds it delivered and does
 * nothing); items are encrypted with the shop's data key and sold to the line, so the
 * buyer's order page reveals them through the usual audited path.
 */
async function storeItems(tenant: TenantRef, orderId: number, line: PendingLine, items: string[]) {
  return withTenant(async (trx) => {
    const order = await lockOrderRow(trx, tenant.id, orderId)
    const delivery = await trx
      .from('deliveries')
      .where({ tenant_id: tenant.id, line_id: line.lineId })
      .whereNull('delivered_at')
      .first()
    if (order.status !== 'paid' || !delivery) return { stored: false, delivered: false }
    const { delivered } = await deliverLineItems(trx, {
      tenantId: tenant.id,
      orderId: order.id,
      productId: line.productId,
      lineId: line.lineId,
      deliveryId: Number(delivery.id),
      items,
      hashInput: (item) => sourceHashInput(line.lineId, item),
      event: { source: line.sourceId },
    })
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'system' },
      action: 'order.fulfilled_by_source',
      target: { type: 'order', id: order.orderNo },
      metadata: { lineId: line.lineId, items: items.length, source: line.sourceId },
    })
    return { stored: true, delivered }
  }, tenant)
}

/**
 * The order is paid but its source cannot deliver (no such enabled plugin, a refusal, or
 * retries exhausted): `paid_unfulfilled` and a merchant alert — never a guess, never a
 * second delivery. Only a still-`paid` order changes.
 */
async function giveUp(tenant: TenantRef, orderId: number, reason: string) {
  const alertIds = await withTenant(async (trx) => {
    const order = await lockOrderRow(trx, tenant.id, orderId)
    if (order.status !== 'paid') return []
    await trx
      .from('orders')
      .where({ tenant_id: tenant.id, id: order.id })
      .update({ status: 'paid_unfulfilled', updated_at: trx.raw('now()') })
    await orderEvent(trx, tenant.id, order.id, 'merchant_alerted', {
      reason: 'paid_unfulfilled',
      source: reason,
    })
    const id = await raiseAlert(trx, {
      tenantId: tenant.id,
      kind: 'paid_unfulfilled',
      orderId: order.id,
      data: { orderNo: order.orderNo, source: reason },
    })
    return [id]
  }, tenant)
  await notifyMerchant(tenant, alertIds)
}

/**
 * Deliver a paid order's `source` lines through the `DeliverySource` capability of the
 * plugin named by the product (`products.source_id`), enabled for the shop. Runs after the
 * payment committed, at least once: the source gets the line's idempotency key
 * (`<shop>:<line>`), so a retry after a crash asks for the same items, and
 * {@link storeItems} stores them once. A retryable failure throws (the job retries with
 * backoff); on the last attempt, or on a refusal, the order becomes `paid_unfulfilled` and
 * the merchant is alerted.
 */
export class SourceDeliveryJob extends TenantJob<SourceDeliveryPayload> {
  static jobName = 'delivery.source'
  static transaction = false
  static attempts = 6

  async handle(payload: SourceDeliveryPayload, ctx: TenantJobContext) {
    const { lines, plugins } = await withTenant(async (trx) => {
      const enabled = await enabledPluginsFor(trx, payload.tenantId)
      return {
        lines: await pendingSourceLines(trx, payload.tenantId, payload.orderId),
        plugins: enabled.plugins,
      }
    }, ctx.tenant)
    const lastAttempt = ctx.job.attempt >= ctx.job.attempts
    let delivered = false
    for (const line of lines) {
      const enabled = plugins.find((p) => p.id === line.sourceId)
      const source = line.sourceId
        ? hooks.plugin(line.sourceId)?.capabilities?.deliverySource
        : null
      if (!enabled || !source) {
        await giveUp(ctx.tenant, payload.orderId, `source ${line.sourceId ?? '-'} not available`)
        return
      }
      let result: DeliverySourceResult
      try {
        result = await callSource(
          source,
          {
            tenantId: payload.tenantId,
            orderNo: line.orderNo,
            lineId: line.lineId,
            productId: line.productId,
            quantity: line.quantity,
            key: `${payload.tenantId}:${line.lineId}`,
          },
          enabled,
          ctx.logger
        )
      } catch (error) {
        ctx.logger.warn(
          { lineId: line.lineId, source: line.sourceId, timeout: error instanceof SourceTimeout },
          'delivery source failed'
        )
        if (lastAttempt) return giveUp(ctx.tenant, payload.orderId, 'source failed')
        throw new Error(`delivery source ${line.sourceId} failed`, { cause: error })
      }
      if (!result.ok) {
        if (result.retryable && !lastAttempt) {
          throw new Error(`delivery source ${line.sourceId}: ${result.reason}`)
        }
        return giveUp(ctx.tenant, payload.orderId, `source ${result.reason}`)
      }
      const items = result.items.map((i) => (typeof i?.secret === 'string' ? i.secret : ''))
      if (
        items.length !== line.quantity ||
        items.some((s) => !s || s.length > 4096) ||
        new Set(items).size !== items.length
      ) {
        // A source answering with the wrong number of items (or duplicates) is a bug on
        // its side: deliver nothing rather than a partial or repeated line.
        return giveUp(ctx.tenant, payload.orderId, 'source answered with wrong items')
      }
      const stored = await storeItems(ctx.tenant, payload.orderId, line, items)
      delivered = delivered || stored.delivered
    }
    if (delivered) {
      const order = await withTenant(
        (trx) =>
          trx
            .from('orders')
            .where({ tenant_id: payload.tenantId, id: payload.orderId })
            .select('id', 'order_no')
            .first(),
        ctx.tenant
      )
      if (order) {
        await queueNoticeMail(
          ctx.tenant,
          { id: Number(order.id), orderNo: order.order_no },
          { kind: 'fulfilled', key: `source-${order.order_no}` }
        )
        await emitOrderDelivered(ctx.tenant, Number(order.id))
      }
    }
  }
}

/** After a payment committed: queue the source delivery when the order has source lines. */
export async function queueSourceDelivery(tenant: TenantRef, orderId: number, orderNo: string) {
  await dispatch(
    SourceDeliveryJob,
    { tenantId: tenant.id, orderId },
    { idempotencyKey: `source-${orderNo}` }
  )
}
