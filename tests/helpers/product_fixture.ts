import type { Product } from '#delivery'

/**
 * An in-memory product for pure pricing tests (no database): an active public card
 * product at 10.00 CNY unless `overrides` says otherwise.
 */
export function productFixture(overrides: Partial<Product> = {}): Product {
  return {
    id: 1,
    tenantId: 1,
    categoryId: 1,
    name: 'Key',
    type: 'card',
    priceMinor: 1_000n,
    currency: 'CNY',
    wholesaleTiers: [],
    minQuantity: 1,
    maxQuantity: null,
    perBuyerLimit: null,
    visibility: 'public',
    status: 'active',
    stockDisplay: 'in_stock',
    textContent: null,
    sourceId: null,
    descriptionHtml: null,
    images: [],
    lowStockThreshold: null,
    linkToken: '0123456789abcdef0123456789abcdef',
    ...overrides,
  }
}
