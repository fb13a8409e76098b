import { withTenant, type TenantRef } from '#tenancy'
import { DeliveryError } from '#delivery/checkout/errors'
import {
  afterPayment,
  confirmPaymentIn,
  type ConfirmResult,
} from '#delivery/payment/confirm_payment'
import { notifyMerchant } from '#delivery/alerts/notify'

export interface MarkPaidOffline {
  tenant: TenantRef
  /** The merchant user doing it. */
  actor: { type: 'user'; id: number }
  orderId: number
  /** Why (bank transfer reference, cash, …): required, kept in the audit record. */
  reason: string
  ip?: string | null
}

/**
 * The merchant marks an order paid outside any gateway. Goes through the same
 * confirmation as a gateway payment (gateway `offline`, transaction id `order-<id>`, so
 * marking twice is once), for the order's exact amount, and is audited
 * (`order.marked_paid_offline`, with the reason) in the same unit of work.
 */
export async function markPaidOffline(input: MarkPaidOffline): Promise<ConfirmResult> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  const length = [...reason].length
  if (length < 2 || length > 500) {
    throw new DeliveryError('E_PAYMENT_INVALID', 'a reason (2-500 characters) is required')
  }
  if (!Number.isSafeInteger(input.orderId) || input.orderId <= 0) {
    throw new DeliveryError('E_ORDER_NOT_FOUND', 'no such order')
  }
  const result = await withTenant(async (trx) => {
    const order = await trx
      .from('orders')
      .where({ tenant_id: input.tenant.id, id: input.orderId })
      .select('currency', trx.raw('amount_minor::text AS amount_minor'))
      .first()
    if (!order) throw new DeliveryError('E_ORDER_NOT_FOUND', 'no such order')
    return confirmPaymentIn(
      trx,
      {
        tenantId: input.tenant.id,
        gateway: 'offline',
        providerTxnId: `order-${input.orderId}`,
        orderId: input.orderId,
        amountMinor: BigInt(order.amount_minor),
        currency: order.currency,
        paidAt: new Date(),
      },
      {
        actor: input.actor,
        action: 'order.marked_paid_offline',
        metadata: { reason },
        ip: input.ip,
      }
    )
  }, input.tenant)
  if (result.outcome === 'paid') await afterPayment(input.tenant, result.order, result)
  await notifyMerchant(input.tenant, result.alertIds)
  return result
}
