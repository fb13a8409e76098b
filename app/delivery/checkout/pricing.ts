import type { Product } from '#delivery/catalog/products'
import type { Coupon } from '#delivery/coupons/coupon'
import { assertCouponApplies } from '#delivery/coupons/applicability'
import { DeliveryError } from '#delivery/checkout/errors'

/**
 * One step of the price computation, kept for the order timeline and the receipt
 * (the `created` order event carries them, amounts as decimal strings).
 */
export interface PriceStep {
  /** The name of the stage that took the step (`base`, `wholesale`, `coupon`, …). */
  step: string
  /** Unit price after this step. */
  unitPriceMinor: bigint
  note?: string
  /** Coupon step: the code as stored (upper-case). */
  couponCode?: string
  /** Coupon step: the amount taken off the subtotal. */
  discountMinor?: bigint
  /** Plugin step (`pricing.adjust`): the signed amount it proposed, as applied. */
  adjustmentMinor?: bigint
}

/**
 * A price as the pipeline builds it. Invariants (checked by `priceOrder` after every
 * pipeline run): `subtotalMinor = unitPriceMinor × quantity`, `0 < subtotalMinor ≤
 * MAX_ORDER_MINOR`, `0 ≤ discountMinor ≤ subtotalMinor − 1`, `amountMinor = subtotalMinor −
 * discountMinor` (so the buyer always pays at least one minor unit). Plugin adjustments
 * come after the pipeline ({@link applyAdjustments}); the core stages never set them.
 */
export interface Quote {
  quantity: number
  unitPriceMinor: bigint
  /** Unit price × quantity after wholesale tiers: the order lines' total. */
  subtotalMinor: bigint
  /** Taken off by a coupon (0 without one). */
  discountMinor: bigint
  /** Plugins' adjustments, signed (0 without any): see {@link applyAdjustments}. */
  adjustmentMinor: bigint
  /** What the buyer pays: `subtotalMinor − discountMinor + adjustmentMinor`. */
  amountMinor: bigint
  currency: string
  /** The coupon applied, if any. */
  couponId: number | null
  steps: PriceStep[]
}

/** Largest amount an order may reach (int8 is larger; this keeps every sum a safe integer). */
export const MAX_ORDER_MINOR = BigInt(Number.MAX_SAFE_INTEGER)

/** What every stage may read; stages never do I/O (the caller looked everything up). */
export interface PricingContext {
  readonly product: Product
  readonly quantity: number
  /** The coupon the buyer entered, already found (and locked) by the caller; or null. */
  readonly coupon: Coupon | null
  /** The checkout's time, for time-dependent rules (coupon windows). */
  readonly now: Date
}

/**
 * A named step of the pricing pipeline: a pure function from the quote so far to the next
 * one. This is the seam for the plugin host's `pricing.adjust` filter: a plugin stage is
 * inserted into the list given to `priceOrder` and must keep the `Quote` invariants
 * (`priceOrder` re-checks them and throws on a stage that breaks one). A stage vetoes an
 * order by throwing a `DeliveryError`; it never writes anything. Money is `bigint` only.
 */
export interface PriceStage {
  /** Unique, `snake_case`; recorded as `PriceStep.step` by the steps it adds. */
  readonly name: string
  apply(quote: Quote, context: PricingContext): Quote
}

/** List price × quantity. */
export const baseStage: PriceStage = {
  name: 'base',
  apply(quote, { product, quantity }) {
    return {
      ...quote,
      unitPriceMinor: product.priceMinor,
      subtotalMinor: product.priceMinor * BigInt(quantity),
      discountMinor: 0n,
      amountMinor: product.priceMinor * BigInt(quantity),
      steps: [...quote.steps, { step: 'base', unitPriceMinor: product.priceMinor }],
    }
  },
}

/** Wholesale tiers: qty ≥ N → unit price; the largest matching N wins, never a dearer one. */
export const wholesaleStage: PriceStage = {
  name: 'wholesale',
  apply(quote, { product, quantity }) {
    const tier = product.wholesaleTiers
      .filter((t) => quantity >= t.minQuantity)
      .sort((a, b) => b.minQuantity - a.minQuantity)[0]
    if (!tier || tier.unitPriceMinor >= quote.unitPriceMinor) return quote
    const subtotalMinor = tier.unitPriceMinor * BigInt(quantity)
    return {
      ...quote,
      unitPriceMinor: tier.unitPriceMinor,
      subtotalMinor,
      amountMinor: subtotalMinor - quote.discountMinor,
      steps: [
        ...quote.steps,
        {
          step: 'wholesale',
          unitPriceMinor: tier.unitPriceMinor,
          note: `qty>=${tier.minQuantity}`,
        },
      ],
    }
  },
}

/**
 * The discount a coupon gives on `subtotalMinor`: fixed → its value; percent →
 * ⌊subtotal × value / 100⌋. Capped at `subtotal − 1`: **an order is never free or
 * negative** — the buyer pays at least one minor unit, because delivery happens only on a
 * confirmed payment (a zero-amount order would have nothing to confirm). Pure, bigint only.
 */
export function couponDiscount(coupon: Pick<Coupon, 'kind' | 'value'>, subtotalMinor: bigint) {
  const raw = coupon.kind === 'fixed' ? coupon.value : (subtotalMinor * coupon.value) / 100n
  const cap = subtotalMinor - 1n
  if (cap <= 0n || raw <= 0n) return 0n
  return raw > cap ? cap : raw
}

/**
 * The coupon, on the subtotal after wholesale. Refuses (throws `CouponError`) a coupon that
 * does not apply: inactive, outside its window, another product/category or currency, or
 * a subtotal below its minimum (`assertCouponApplies`).
 */
export const couponStage: PriceStage = {
  name: 'coupon',
  apply(quote, { product, coupon, now }) {
    if (!coupon) return quote
    assertCouponApplies(coupon, {
      productId: product.id,
      categoryId: product.categoryId,
      subtotalMinor: quote.subtotalMinor,
      currency: quote.currency,
      now,
    })
    const discountMinor = couponDiscount(coupon, quote.subtotalMinor)
    return {
      ...quote,
      discountMinor,
      amountMinor: quote.subtotalMinor - discountMinor,
      couponId: coupon.id,
      steps: [
        ...quote.steps,
        {
          step: 'coupon',
          unitPriceMinor: quote.unitPriceMinor,
          note: coupon.code,
          couponCode: coupon.code,
          discountMinor,
        },
      ],
    }
  },
}

/** The pipeline, in order: base → wholesale → coupon. */
export const PRICE_STAGES: readonly PriceStage[] = Object.freeze([
  baseStage,
  wholesaleStage,
  couponStage,
])

export type PriceOptions =
  | { coupon: Coupon; now: Date; stages?: readonly PriceStage[] }
  | { coupon?: null; now?: Date; stages?: readonly PriceStage[] }

function checkInvariants(quote: Quote, stage: string) {
  const broken = (rule: string) => {
    throw new Error(`E_PRICING_INVARIANT: stage ${stage} broke ${rule}`)
  }
  if (quote.subtotalMinor !== quote.unitPriceMinor * BigInt(quote.quantity)) broken('subtotal')
  const d = quote.discountMinor
  if (d < 0n || (d > 0n && d > quote.subtotalMinor - 1n)) broken('discount')
  if (quote.amountMinor !== quote.subtotalMinor - quote.discountMinor) broken('amount')
}

/**
 * The server-side price of `quantity` units of `product`: the only price an order ever
 * gets (a price sent by the client is never read). Runs `options.stages` (default
 * `PRICE_STAGES`) in order. Pure given `options.now` (the caller passes the coupon it found
 * and the checkout's time; without `now` the current time is used).
 *
 * @throws DeliveryError `E_QUANTITY_OUT_OF_RANGE` when the subtotal is not in
 *   1..MAX_ORDER_MINOR; `CouponError` when the coupon does not apply.
 */
export function priceOrder(product: Product, quantity: number, options: PriceOptions = {}): Quote {
  const context: PricingContext = {
    product,
    quantity,
    coupon: options.coupon ?? null,
    now: options.now ?? new Date(),
  }
  let quote: Quote = {
    quantity,
    unitPriceMinor: product.priceMinor,
    subtotalMinor: 0n,
    discountMinor: 0n,
    adjustmentMinor: 0n,
    amountMinor: 0n,
    currency: product.currency,
    couponId: null,
    steps: [],
  }
  for (const stage of options.stages ?? PRICE_STAGES) {
    quote = stage.apply(quote, context)
    checkInvariants(quote, stage.name)
  }
  if (quote.subtotalMinor <= 0n || quote.subtotalMinor > MAX_ORDER_MINOR) {
    throw new DeliveryError('E_QUANTITY_OUT_OF_RANGE', 'order amount out of range')
  }
  return quote
}

/** Steps as JSON-safe values (bigints as decimal strings), for events and receipts. */
export function serializeSteps(steps: PriceStep[]) {
  return steps.map((s) => ({
    ...s,
    unitPriceMinor: s.unitPriceMinor.toString(),
    ...(s.discountMinor === undefined ? {} : { discountMinor: s.discountMinor.toString() }),
    ...(s.adjustmentMinor === undefined ? {} : { adjustmentMinor: s.adjustmentMinor.toString() }),
  }))
}

/**
 * Apply the adjustments the shop's plugins proposed (`pricing.adjust`, after the coupon):
 * each is a signed amount on the whole order (negative = discount, positive = surcharge)
 * with a label for the receipt. The core decides the result: their sum is capped so the
 * buyer still pays at least one minor unit and at most `MAX_ORDER_MINOR` (a cap is recorded
 * as a step). Pure, bigint only.
 */
export function applyAdjustments(
  quote: Quote,
  adjustments: readonly { amountMinor: bigint; label: string }[]
): Quote {
  if (!adjustments.length) return quote
  const before = quote.subtotalMinor - quote.discountMinor
  const requested = adjustments.reduce((sum, a) => sum + a.amountMinor, 0n)
  const floor = 1n - before
  const ceiling = MAX_ORDER_MINOR - before
  const applied = requested < floor ? floor : requested > ceiling ? ceiling : requested
  const steps: PriceStep[] = adjustments.map((a) => ({
    step: 'plugin',
    unitPriceMinor: quote.unitPriceMinor,
    note: a.label.slice(0, 80),
    adjustmentMinor: a.amountMinor,
  }))
  if (applied !== requested) {
    steps.push({
      step: 'plugin_cap',
      unitPriceMinor: quote.unitPriceMinor,
      note: 'capped',
      adjustmentMinor: applied - requested,
    })
  }
  return {
    ...quote,
    adjustmentMinor: applied,
    amountMinor: before + applied,
    steps: [...quote.steps, ...steps],
  }
}
