import type { Product } from '#delivery/catalog/products'
import { DeliveryError } from '#delivery/checkout/errors'

/** One step of the price computation, kept for the order timeline and the receipt. */
export interface PriceStep {
  step: 'base' | 'wholesale' | 'coupon'
  unitPriceMinor: bigint
  note?: string
}

export interface Quote {
  quantity: number
  unitPriceMinor: bigint
  amountMinor: bigint
  currency: string
  steps: PriceStep[]
}

/** Largest amount an order may reach (int8 is larger; this keeps every sum a safe integer). */
export const MAX_ORDER_MINOR = BigInt(Number.MAX_SAFE_INTEGER)

type PriceStage = (product: Product, quote: Quote) => Quote

/** Base price, then wholesale tiers (qty ≥ N → unit price; the largest matching N wins). */
const stages: PriceStage[] = [
  (product, quote) => ({
    ...quote,
    unitPriceMinor: product.priceMinor,
    steps: [{ step: 'base', unitPriceMinor: product.priceMinor }],
  }),
  (product, quote) => {
    const tier = product.wholesaleTiers
      .filter((t) => quote.quantity >= t.minQuantity)
      .sort((a, b) => b.minQuantity - a.minQuantity)[0]
    if (!tier || tier.unitPriceMinor >= quote.unitPriceMinor) return quote
    return {
      ...quote,
      unitPriceMinor: tier.unitPriceMinor,
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
  // coupon: later (a stage here, same shape)
]

/**
 * The server-side price of `quantity` units of `product`: the only price an order ever
 * gets (a price sent by the client is never read). Pure.
 */
export function priceOrder(product: Product, quantity: number): Quote {
  let quote: Quote = {
    quantity,
    unitPriceMinor: product.priceMinor,
    amountMinor: 0n,
    currency: product.currency,
    steps: [],
  }
  for (const stage of stages) quote = stage(product, quote)
  const amountMinor = quote.unitPriceMinor * BigInt(quantity)
  if (amountMinor <= 0n || amountMinor > MAX_ORDER_MINOR) {
    throw new DeliveryError('E_QUANTITY_OUT_OF_RANGE', 'order amount out of range')
  }
  return { ...quote, amountMinor }
}
