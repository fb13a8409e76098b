import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import type { TenantRef } from '#tenancy'
import { OrderDeskError } from '#delivery/orders/admin_errors'
import type { DeliveryMailNotice } from '#delivery/orders/jobs'

export interface LockedOrder {
  id: number
  orderNo: string
  status: string
}

/** Lock one order of the shop (`FOR UPDATE`), or `E_ORDER_NOT_FOUND`. */
export async function lockOrderRow(
  trx: TransactionClientContract,
  tenantId: number,
  orderId: number
): Promise<LockedOrder> {
  const { rows } = await trx.rawQuery(
    `SELECT id, order_no, status FROM orders WHERE tenant_id = ? AND id = ? FOR UPDATE`,
    [tenantId, orderId]
  )
  if (!rows[0]) throw new OrderDeskError('E_ORDER_NOT_FOUND', 'no such order')
  return { id: Number(rows[0].id), orderNo: rows[0].order_no, status: rows[0].status }
}

/** Append one `order_events` row (timeline). */
export async function orderEvent(
  trx: TransactionClientContract,
  tenantId: number,
  orderId: number,
  kind: string,
  data: Record<string, unknown> = {}
) {
  await trx
    .table('order_events')
    .insert({ tenant_id: tenantId, order_id: orderId, kind, data: JSON.stringify(data) })
}

/**
 * After commit: queue a buyer mail ({@link DeliveryMailNotice}). Never throws: the change
 * is done; a mail that could not be queued is logged (the order page still shows it).
 */
export async function queueNoticeMail(
  tenant: TenantRef,
  order: { id: number; orderNo: string },
  notice: DeliveryMailNotice
) {
  try {
    const { dispatch } = await import('#jobs')
    const { DeliveryMailJob } = await import('#delivery/orders/jobs')
    await dispatch(
      DeliveryMailJob,
      { tenantId: tenant.id, orderId: order.id, notice },
      { idempotencyKey: notice.key }
    )
  } catch (error) {
    logger.error(
      { tenantId: tenant.id, orderNo: order.orderNo, err: (error as Error).message },
      'buyer mail not queued'
    )
  }
}
