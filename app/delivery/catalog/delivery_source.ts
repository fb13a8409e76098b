import type { HookContext } from '#plugin_host/sdk/hooks'

/**
 * A product of type `source` is fulfilled by a plugin implementing this capability
 * (docs/architecture.md, "Delivery sources"): `SourceDeliveryJob` calls it after the
 * payment committed. Expected failures are returned as data; bugs throw.
 */
export interface DeliverySourceRequest {
  tenantId: number
  orderNo: string
  lineId: number
  productId: number
  quantity: number
  /** Idempotency key: the same line asked twice must deliver once. */
  key: string
}

export type DeliverySourceResult =
  | { ok: true; items: Array<{ secret: string }> }
  | {
      ok: false
      reason: 'out_of_stock' | 'temporarily_unavailable' | 'rejected'
      retryable: boolean
    }

export interface DeliverySource {
  /** Plugin id, stored in `products.source_id`. */
  id: string
  /**
   * Fetch (or generate) the items for one paid line. Runs after commit, in a job. `ctx`
   * carries the shop's settings for the plugin (secrets decrypted) and an abort signal.
   */
  deliver(request: DeliverySourceRequest, ctx: HookContext): Promise<DeliverySourceResult>
  /** Optional stock hint for the storefront (null = unknown / unlimited). */
  stock?(tenantId: number, productId: number): Promise<number | null>
}

/**
 * The shape of a delivery-source id (`products.source_id`, 80 characters): lower-case
 * letters, digits and `.`, `_`, `-`, `:` (a plugin id, optionally `plugin:source`), starting
 * with a letter. Which ids exist is up to the installed plugins.
 */
export const DELIVERY_SOURCE_ID_PATTERN = /^[a-z][a-z0-9._:-]{1,79}$/
