import type { HttpContext } from '@adonisjs/core/http'
import type { TenantRef } from '#tenancy'
import type { TopUpRecord } from '#payments/wallet'

/**
 * Send the buyer to pay a recorded top-up through the payments engine's `startPayment`
 * (purpose `wallet_topup`). Returns the response, or null when the engine cannot start it
 * (the page then says the payment step is not available).
 */
export async function startTopUpPayment(
  _tenant: TenantRef,
  _topUp: TopUpRecord,
  _pluginId: string,
  _ctx: HttpContext
): Promise<unknown | null> {
  // Wired to the engine's startPayment when the payments engine lands (h/engine).
  return null
}
