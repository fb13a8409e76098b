import {
  DELIVERY_SOURCE_ID_PATTERN,
  MAX_DESCRIPTION_CHARS,
  MAX_DESCRIPTION_INPUT_CHARS,
  MAX_WHOLESALE_TIERS,
  PRODUCT_TYPES,
  sanitizeDescription,
  type ProductStatus,
  type ProductType,
  type ProductVisibility,
  type StockDisplay,
  type WholesaleTier,
} from '#delivery'
import { currencyExponent, parseMajor } from '#ledger/settlement/format'

/** Price limit in minor units (well under MAX_ORDER_MINOR and a JS-safe integer). */
export const MAX_PRICE_MINOR = 100_000_000_00n

export interface ProductFormData {
  name: string
  /** An existing category of the shop (checked by the action), or null to use `categoryName`. */
  categoryId: number | null
  /** Found or created by name when no `categoryId` is chosen. */
  categoryName: string | null
  type: ProductType
  sourceId: string | null
  priceMinor: bigint
  wholesaleTiers: WholesaleTier[]
  minQuantity: number
  maxQuantity: number | null
  perBuyerLimit: number | null
  status: ProductStatus
  visibility: ProductVisibility
  stockDisplay: StockDisplay
  textContent: string | null
  /** Sanitised (allow-list) HTML, or null. */
  descriptionHtml: string | null
}

/** Field → i18n key of its message (`catalog.errors.*`, `catalog_form.errors.*`). */
export type FormErrors = Record<string, string>

export const STATUSES = ['draft', 'active', 'paused'] as const
export const VISIBILITIES = ['public', 'hidden'] as const
export const STOCK_DISPLAYS = ['exact', 'in_stock', 'hidden'] as const

/** Names of the wholesale tier inputs of row `i` (a fixed number of rows: works without JS). */
export const tierFields = (i: number) => ({ qty: `tier_qty_${i}`, price: `tier_price_${i}` })

/** Every text field of the product form, for re-rendering what was typed. */
export const PRODUCT_FORM_FIELDS = [
  'name',
  'category_id',
  'category',
  'type',
  'source_id',
  'price',
  'min_quantity',
  'max_quantity',
  'per_buyer_limit',
  'status',
  'visibility',
  'stock_display',
  'text_content',
  'description',
  ...Array.from({ length: MAX_WHOLESALE_TIERS }, (_, i) => Object.values(tierFields(i))).flat(),
]

function str(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') return undefined // arrays, objects: refused
  return value.trim()
}

function qty(value: string | null | undefined, optional: boolean): number | null | false {
  if (value === null || value === '') return optional ? null : false
  if (value === undefined || !/^\d{1,5}$/.test(value)) return false
  const n = Number(value)
  return n >= 1 && n <= 10_000 ? n : false
}

function oneOf<T extends string>(value: string | null | undefined, options: readonly T[]) {
  return value && (options as readonly string[]).includes(value) ? (value as T) : null
}

/** Major units as typed → minor units of `currency`; null when not a valid price. */
export function parsePrice(value: string | null | undefined, currency: string): bigint | null {
  const minor = value ? parseMajor(value, currency) : null
  return minor !== null && minor <= MAX_PRICE_MINOR ? minor : null
}

function priceError(currency: string) {
  return currencyExponent(currency) === 0
    ? 'catalog_form.errors.price_whole'
    : 'catalog.errors.price'
}

/**
 * The wholesale rows: each either empty or "qty ≥ N → unit price". N ≥ 2 and strictly
 * increasing down the rows; unit prices above 0, below the base price, never rising.
 */
function parseTiers(
  body: Record<string, unknown>,
  currency: string,
  basePrice: bigint | null,
  maxQuantity: number | null,
  errors: FormErrors
): WholesaleTier[] {
  const tiers: WholesaleTier[] = []
  for (let i = 0; i < MAX_WHOLESALE_TIERS; i++) {
    const names = tierFields(i)
    const qtyText = str(body[names.qty])
    const priceText = str(body[names.price])
    const field = `tier_${i}`
    if (qtyText === undefined || priceText === undefined) {
      errors[field] = 'catalog_form.errors.tier_incomplete'
      continue
    }
    if (!qtyText && !priceText) continue
    if (!qtyText || !priceText) {
      errors[field] = 'catalog_form.errors.tier_incomplete'
      continue
    }
    const minQuantity = qty(qtyText, false)
    if (minQuantity === false || minQuantity === null || minQuantity < 2) {
      errors[field] = 'catalog_form.errors.tier_quantity'
      continue
    }
    const unitPriceMinor = parsePrice(priceText, currency)
    if (unitPriceMinor === null) {
      errors[field] = 'catalog_form.errors.tier_price'
      continue
    }
    const previous = tiers.at(-1)
    if (maxQuantity !== null && minQuantity > maxQuantity) {
      errors[field] = 'catalog_form.errors.tier_above_max'
    } else if (basePrice !== null && unitPriceMinor >= basePrice) {
      errors[field] = 'catalog_form.errors.tier_below_base'
    } else if (previous && minQuantity <= previous.minQuantity) {
      errors[field] = 'catalog_form.errors.tier_order'
    } else if (previous && unitPriceMinor > previous.unitPriceMinor) {
      errors[field] = 'catalog_form.errors.tier_price_order'
    }
    tiers.push({ minQuantity, unitPriceMinor })
  }
  return tiers
}

/**
 * Check the product form; nothing is trusted (a field sent twice is an array: refused).
 * Prices are read in `currency` (its number of decimals). The description is sanitised here,
 * on its way to the database.
 */
export function validateProductForm(
  body: Record<string, unknown>,
  currency: string
): { data: ProductFormData; errors: null } | { data: null; errors: FormErrors } {
  const errors: FormErrors = {}
  const name = str(body.name)
  if (!name || name.length > 200) errors.name = 'catalog.errors.name'

  const categoryIdText = str(body.category_id)
  const categoryName = str(body.category)
  let categoryId: number | null = null
  if (categoryIdText === undefined || (categoryIdText && !/^[1-9]\d{0,15}$/.test(categoryIdText))) {
    errors.category = 'catalog_form.errors.category'
  } else if (categoryIdText) {
    categoryId = Number(categoryIdText)
    if (!Number.isSafeInteger(categoryId)) errors.category = 'catalog_form.errors.category'
  }
  if (!categoryId && (!categoryName || categoryName.length > 120)) {
    errors.category = 'catalog_form.errors.category'
  }

  const type = oneOf(str(body.type), PRODUCT_TYPES)
  if (!type) errors.type = 'catalog.errors.type'
  const sourceId = str(body.source_id)
  if (type === 'source' && (!sourceId || !DELIVERY_SOURCE_ID_PATTERN.test(sourceId))) {
    errors.source_id = 'catalog_form.errors.source_id'
  }

  const priceMinor = parsePrice(str(body.price), currency)
  if (priceMinor === null) errors.price = priceError(currency)

  const min = qty(str(body.min_quantity) || '1', false)
  if (min === false) errors.min_quantity = 'catalog.errors.quantity'
  const max = qty(str(body.max_quantity), true)
  if (max === false || (max !== null && typeof min === 'number' && max < min)) {
    errors.max_quantity = 'catalog.errors.max_quantity'
  }
  const perBuyer = qty(str(body.per_buyer_limit), true)
  if (perBuyer === false || (perBuyer !== null && typeof min === 'number' && perBuyer < min)) {
    errors.per_buyer_limit = 'catalog_form.errors.per_buyer_limit'
  }

  const wholesaleTiers = parseTiers(
    body,
    currency,
    priceMinor,
    typeof max === 'number' ? max : null,
    errors
  )

  const status = oneOf(str(body.status) || 'draft', STATUSES)
  if (!status) errors.status = 'catalog.errors.status'
  const visibility = oneOf(str(body.visibility) || 'public', VISIBILITIES)
  if (!visibility) errors.visibility = 'catalog.errors.visibility'
  const stockDisplay = oneOf(str(body.stock_display) || 'in_stock', STOCK_DISPLAYS)
  if (!stockDisplay) errors.stock_display = 'catalog_form.errors.stock_display'

  const textContent = str(body.text_content)
  if (textContent === undefined || (textContent && textContent.length > 10_000)) {
    errors.text_content = 'catalog.errors.text_content'
  } else if (type === 'text' && !textContent) errors.text_content = 'catalog.errors.text_required'

  const description = str(body.description)
  let descriptionHtml: string | null = null
  if (description === undefined) {
    errors.description = 'catalog_form.errors.description'
  } else if (description) {
    if (description.length > MAX_DESCRIPTION_INPUT_CHARS) {
      errors.description = 'catalog_form.errors.description_too_long'
    } else {
      descriptionHtml = sanitizeDescription(description)
      if (descriptionHtml && descriptionHtml.length > MAX_DESCRIPTION_CHARS) {
        errors.description = 'catalog_form.errors.description_too_long'
      }
    }
  }

  if (Object.keys(errors).length) return { data: null, errors }
  return {
    data: {
      name: name!,
      categoryId,
      categoryName: categoryId ? null : categoryName!,
      type: type!,
      sourceId: type === 'source' ? sourceId! : null,
      priceMinor: priceMinor!,
      wholesaleTiers,
      minQuantity: min as number,
      maxQuantity: max as number | null,
      perBuyerLimit: perBuyer as number | null,
      status: status!,
      visibility: visibility!,
      stockDisplay: stockDisplay!,
      textContent: type === 'text' ? textContent! : null,
      descriptionHtml,
    },
    errors: null,
  }
}

/** Category name (1-120 characters) and sort position (-9999..9999, default 0). */
export function validateCategoryForm(
  body: Record<string, unknown>
): { data: { name: string; sort: number }; errors: null } | { data: null; errors: FormErrors } {
  const errors: FormErrors = {}
  const name = str(body.name)
  if (!name || name.length > 120) errors.name = 'catalog.errors.category'
  const sortText = str(body.sort)
  let sort = 0
  if (sortText === undefined || (sortText && !/^-?\d{1,4}$/.test(sortText))) {
    errors.sort = 'catalog_form.errors.sort'
  } else if (sortText) {
    sort = Number(sortText)
  }
  if (Object.keys(errors).length) return { data: null, errors }
  return { data: { name: name!, sort }, errors: null }
}

export const STOCK_FORMATS = ['line', 'card_password', 'csv'] as const
