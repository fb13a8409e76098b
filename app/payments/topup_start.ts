import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import type { TenantRef } from '#tenancy'
import { shopUrl } from '#actions/platform/platform_urls'
import { PaymentStartError, startPayment } from '#payments/start_payment'
import type { TopUpRecord } from '#payments/wallet'

/**
 * Send the buyer to pay a recorded top-up through the payments engine (`startPayment`,
 * purpose `wallet_topup`): a redirect goes straight to the gateway; a QR code or a form is
 * shown on a page (`body`). The wallet is credited only by the gateway's verified callback
 * (`paymentHandlers.onTopUpPaid`), never by the return URL. Returns null when the payment
 * could not start (the page says so; the top-up stays pending and unpaid).
 */
export async function startTopUpPayment(
  tenant: TenantRef,
  topUp: TopUpRecord,
  pluginId: string,
  ctx: HttpContext
): Promise<{ sent: true; body?: string } | null> {
  try {
    const started = await startPayment(tenant, {
      purpose: 'wallet_topup',
      targetId: topUp.id,
      pluginId,
      returnUrl: shopUrl(tenant.slug, '/account/wallet'),
      clientIp: ctx.request.ip(),
    })
    const action = started.action
    if (action.kind === 'redirect') {
      ctx.response.redirect().toPath(action.url)
      return { sent: true }
    }
    ctx.response.header('Cache-Control', 'no-store')
    return {
      sent: true,
      body: await ctx.view.render('pages/storefront/account/wallet_pay', { topUp, action }),
    }
  } catch (error) {
    if (!(error instanceof PaymentStartError)) throw error
    logger.warn(
      { tenantId: tenant.id, topup: topUp.topupNo, code: error.code },
      'top-up not started'
    )
    return null
  }
}
