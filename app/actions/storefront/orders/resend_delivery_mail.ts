import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { dispatch } from '#jobs'
import { withTenant, type TenantRef } from '#tenancy'
import type { Order } from '#delivery'
import { ResendMailJob } from '#delivery/orders/resend_mail_job'
import { consumeResend } from '#actions/storefront/orders/limits'
import { MAILABLE_STATUSES } from '#actions/storefront/orders/orders'

export type ResendOutcome =
  | { ok: true; order: Order; maskedEmail: string }
  | { ok: false; reason: 'not_found' | 'not_paid'; order: Order | null }

/** `ann@example.test` → `a**@example.test`: enough for the buyer to recognise the address. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at <= 0) return '***'
  const local = email.slice(0, at)
  return `${local[0]}${'*'.repeat(Math.min(Math.max(local.length - 1, 2), 6))}${email.slice(at)}`
}

/**
 * The buyer asks for the delivery mail again, on an order whose access the caller has proven
 * (`find`). Only for paid orders; rate limited per order and per shop + IP (ORDER_LIMITS);
 * the mail goes to the order's contact email only (never an address from the request) in
 * the buyer's language, by {@link ResendMailJob}, which records `mail_resent` `{ by: 'buyer' }`.
 * @throws StorefrontThrottledException
 */
export async function resendDeliveryMail(
  tenant: TenantRef,
  find: (trx: TransactionClientContract) => Promise<Order | null>,
  request: { ip: string; locale: string }
): Promise<ResendOutcome> {
  const order = await withTenant(find, tenant)
  if (!order) return { ok: false, reason: 'not_found', order: null }
  if (!MAILABLE_STATUSES.includes(order.status)) return { ok: false, reason: 'not_paid', order }
  await consumeResend(tenant, request.ip, order.id)
  await dispatch(ResendMailJob, {
    tenantId: tenant.id,
    orderId: order.id,
    locale: request.locale,
    by: 'buyer',
  })
  return { ok: true, order, maskedEmail: maskEmail(order.contactEmail) }
}
