import { withTenant, type TenantRef } from '#tenancy'
import type { StorefrontSlotValue } from './sdk/hooks.js'
import { enabledPluginsFor } from './installs.js'
import { hooks } from './runtime.js'

export type SlotName = StorefrontSlotValue['slot']

/**
 * HTML fragments the shop's enabled plugins put into one storefront slot
 * (`storefront.slots`, docs/plugins.md). Empty — and no query — when no loaded plugin
 * listens. Fragments come from platform-reviewed plugin code and are rendered as given;
 * the page's CSP still allows no inline script. A failing plugin is skipped (and alerted)
 * by the hook bus, so a slot never breaks the page.
 */
export async function slotFragments(
  tenant: TenantRef,
  slot: SlotName,
  where: { productId?: number | null; orderNo?: string | null } = {}
): Promise<string[]> {
  if (!hooks.handles('storefront.slots')) return []
  return withTenant(async (trx) => {
    const { plugins } = await enabledPluginsFor(trx, tenant.id)
    if (!plugins.length) return []
    const value = await hooks.applyFilter(
      'storefront.slots',
      { slot, html: [], productId: where.productId ?? null, orderNo: where.orderNo ?? null },
      { tenantId: tenant.id, plugins }
    )
    return value.html
  }, tenant)
}
