import QRCode from 'qrcode'
import { withTenant, type TenantRef } from '#tenancy'
import { hooks } from '#plugin_host/runtime'
import type { Order } from '#delivery/orders/order'
import { shopGateways } from '#payments/gateways'

/** A payment method the buyer can choose (never a setting, never a secret). */
export interface PaymentChoice {
  pluginId: string
  name: string
}

/** The shop's enabled gateways that can charge this order's currency, in plugin id order. */
export async function paymentChoices(tenant: TenantRef, order: Order): Promise<PaymentChoice[]> {
  if (order.status !== 'pending') return []
  const gateways = await withTenant((trx) => shopGateways(trx, tenant.id), tenant)
  return gateways
    .filter((g) => g.gateway.currencies.includes(order.currency))
    .map((g) => ({ pluginId: g.pluginId, name: hooks.plugin(g.pluginId)?.name ?? g.pluginId }))
}

/** What the buyer's payment page shows for one attempt (from the stored action). */
export type AttemptPage =
  | { kind: 'qr'; svg: string; payload: string; link: string | null; expiresAt: Date | null }
  | { kind: 'form'; action: string; fields: [string, string][] }
  | { kind: 'redirect'; url: string }
  | { kind: 'done' }

/** Schemes a QR payload may be opened with as a link on a phone. */
const LINKABLE = /^(https?|weixin|alipays?|alipayqr):/i

/** The QR code of a payload as an SVG element (no inline style: CSP-safe). */
export async function qrSvg(payload: string): Promise<string> {
  const svg = await QRCode.toString(payload, {
    type: 'svg',
    margin: 2,
    width: 240,
    errorCorrectionLevel: 'M',
  })
  return svg.replace('<svg ', '<svg role="img" class="pay-qr-code" ')
}

/** One attempt of this order, as the page to show (null: not this order's, or unknown). */
export async function attemptPage(
  tenant: TenantRef,
  orderId: number,
  attemptId: number
): Promise<AttemptPage | null> {
  if (!Number.isSafeInteger(attemptId) || attemptId <= 0) return null
  const row = await withTenant(
    (trx) =>
      trx
        .from('payment_attempts')
        .where({ tenant_id: tenant.id, id: attemptId, order_id: orderId })
        .select('status', 'action', 'expires_at')
        .first(),
    tenant
  )
  if (!row) return null
  if (row.status !== 'pending' && row.status !== 'created') return { kind: 'done' }
  const action = row.action ?? {}
  if (action.kind === 'qr' && typeof action.payload === 'string') {
    return {
      kind: 'qr',
      svg: await qrSvg(action.payload),
      payload: action.payload,
      link: LINKABLE.test(action.payload) ? action.payload : null,
      expiresAt: action.expiresAt ? new Date(action.expiresAt) : (row.expires_at ?? null),
    }
  }
  if (action.kind === 'form' && typeof action.action === 'string') {
    return {
      kind: 'form',
      action: action.action,
      fields: Object.entries((action.fields ?? {}) as Record<string, string>).map(([k, v]) => [
        k,
        String(v),
      ]),
    }
  }
  if (action.kind === 'redirect' && typeof action.url === 'string') {
    return { kind: 'redirect', url: action.url }
  }
  return { kind: 'done' }
}
