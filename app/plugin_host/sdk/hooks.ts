/**
 * The one typed map of hook points (docs/plugins.md). Three kinds:
 *
 * - **filter**: runs inside the operation's transaction, in priority order; each handler
 *   gets the previous handler's value and returns a value of the same type, or throws
 *   {@link PluginVeto} to refuse the operation.
 * - **action**: runs inside the transaction for side effects on the plugin's own tables;
 *   its return value is ignored.
 * - **event**: runs after commit, through the job queue, at least once — handlers must be
 *   idempotent (use `event.id`).
 *
 * Money never passes through a JS number: amounts are `bigint` minor units.
 */

/** A price as the pricing pipeline sees it just before the plugins' turn. */
export interface PricingValue {
  productId: number
  quantity: number
  currency: string
  /** Unit price after the core's stages (base, wholesale). */
  unitPriceMinor: bigint
  /** Adjustments plugins made so far (the core applies them and caps the result). */
  adjustments: PricingAdjustment[]
}

/** One change to an order's amount, proposed by a plugin and applied by the core. */
export interface PricingAdjustment {
  /** Negative = discount, positive = surcharge (minor units, on the whole order). */
  amountMinor: bigint
  /** Shown to the buyer on the receipt, e.g. "Member price". */
  label: string
}

/** What a checkout is about to create (no secrets: the query password is not here). */
export interface CheckoutDraft {
  productId: number
  quantity: number
  contactEmail: string
  buyerId: number | null
  amountMinor: bigint
  currency: string
}

/** An order as events carry it (no token, no secrets). */
export interface OrderEventPayload {
  orderId: number
  orderNo: string
  productId: number
  status: string
  amountMinor: bigint
  currency: string
  contactEmail: string
}

/** A slot on a storefront page where plugins may add HTML (reviewed code only). */
export interface StorefrontSlotValue {
  slot: 'product.after_description' | 'checkout.before_submit' | 'order.after_items'
  /** HTML fragments collected so far. */
  html: string[]
  productId: number | null
  orderNo: string | null
}

/** An entry plugins add to the merchant dashboard menu. */
export interface MerchantMenuItem {
  label: string
  /** Path inside the shop's dashboard, must start with `/merchant/plugins/<pluginId>/`. */
  href: string
}

export interface HookMap {
  'pricing.adjust': { kind: 'filter'; value: PricingValue }
  'checkout.validate': { kind: 'filter'; value: CheckoutDraft }
  'storefront.slots': { kind: 'filter'; value: StorefrontSlotValue }
  'merchant.menu': { kind: 'filter'; value: MerchantMenuItem[] }
  'order.placed': { kind: 'action'; value: OrderEventPayload }
  'order.paid': { kind: 'event'; value: OrderEventPayload }
  'order.delivered': { kind: 'event'; value: OrderEventPayload }
  'order.refunded': { kind: 'event'; value: OrderEventPayload }
}

export type HookName = keyof HookMap
export type HookKind = HookMap[HookName]['kind']
export type HookValue<K extends HookName> = HookMap[K]['value']

export type FilterHookName = {
  [K in HookName]: HookMap[K]['kind'] extends 'filter' ? K : never
}[HookName]
export type ActionHookName = {
  [K in HookName]: HookMap[K]['kind'] extends 'action' ? K : never
}[HookName]
export type EventHookName = {
  [K in HookName]: HookMap[K]['kind'] extends 'event' ? K : never
}[HookName]

/** The kind of every hook, for validation at run time. */
export const HOOK_KINDS: { [K in HookName]: HookMap[K]['kind'] } = {
  'pricing.adjust': 'filter',
  'checkout.validate': 'filter',
  'storefront.slots': 'filter',
  'merchant.menu': 'filter',
  'order.placed': 'action',
  'order.paid': 'event',
  'order.delivered': 'event',
  'order.refunded': 'event',
}

/** What every handler receives besides the value. */
export interface HookContext<S = Record<string, unknown>> {
  tenantId: number
  pluginId: string
  /** This shop's settings for the plugin (validated; secrets decrypted). */
  settings: S
  /** Aborted when the call's time budget runs out: pass it to fetch() and friends. */
  signal: AbortSignal
  /** Structured logger bound to the plugin id (never log secrets). */
  log: { info(msg: string, data?: object): void; warn(msg: string, data?: object): void }
}

/** Extra data events carry: a stable id for idempotent handlers. */
export interface EventMeta {
  /** Unique per event occurrence; the same on every redelivery. */
  id: string
  /** Which delivery this is: 1 for the first, 2 for the first retry, … (when known). */
  attempt?: number
  /** How many deliveries the host makes at most (when known). */
  attempts?: number
  /** When a failure now would be retried: ms from now; null on the last attempt. */
  retryInMs?: number | null
}

export type HookHandler<K extends HookName, S = any> = HookMap[K]['kind'] extends 'filter'
  ? (value: HookValue<K>, ctx: HookContext<S>) => HookValue<K> | Promise<HookValue<K>>
  : HookMap[K]['kind'] extends 'action'
    ? (value: HookValue<K>, ctx: HookContext<S>) => void | Promise<void>
    : (value: HookValue<K>, ctx: HookContext<S> & { event: EventMeta }) => void | Promise<void>

/** A handler with its options. */
export interface HookRegistration<K extends HookName, S = any> {
  handler: HookHandler<K, S>
  /** Lower runs first (default 100). Ties: plugin id order. */
  priority?: number
  /** Per-call budget in ms (default 250 for filters/actions, 10,000 for events; max 30,000). */
  timeoutMs?: number
}

export type PluginHooks<S = any> = {
  [K in HookName]?: HookHandler<K, S> | HookRegistration<K, S>
}
