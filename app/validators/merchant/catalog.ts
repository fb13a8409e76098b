import type { ProductStatus, ProductType, ProductVisibility } from '#delivery'

/** Price limit in minor units (well under MAX_ORDER_MINOR and a JS-safe integer). */
export const MAX_PRICE_MINOR = 100_000_000_00n

export interface ProductFormData {
  name: string
  categoryName: string
  type: Exclude<ProductType, 'source'>
  priceMinor: bigint
  minQuantity: number
  maxQuantity: number | null
  status: ProductStatus
  visibility: ProductVisibility
  textContent: string | null
}

/** Field → `catalog.errors.*` key. */
export type FormErrors = Record<string, string>

const TYPES = ['card', 'text', 'manual'] as const
const STATUSES = ['draft', 'active', 'paused'] as const
const VISIBILITIES = ['public', 'hidden'] as const

function str(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') return undefined // arrays, objects: refused
  return value.trim()
}

/** Major units (`12.5`, `12.50`) → minor units; null when not a plain amount. */
export function parsePrice(value: string): bigint | null {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value)
  if (!match) return null
  return BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'))
}

function qty(value: string | null | undefined, optional: boolean): number | null | false {
  if (value === null || value === '') return optional ? null : false
  if (value === undefined || !/^\d{1,5}$/.test(value)) return false
  const n = Number(value)
  return n >= 1 && n <= 10_000 ? n : false
}

/** Check the product form; nothing is trusted (a field sent twice is an array: refused). */
export function validateProductForm(
  body: Record<string, unknown>
): { data: ProductFormData; errors: null } | { data: null; errors: FormErrors } {
  const errors: FormErrors = {}
  const name = str(body.name)
  if (!name || name.length > 200) errors.name = 'name'
  const categoryName = str(body.category)
  if (!categoryName || categoryName.length > 120) errors.category = 'category'
  const type = str(body.type)
  if (!type || !(TYPES as readonly string[]).includes(type)) errors.type = 'type'
  const price = str(body.price)
  const priceMinor = price ? parsePrice(price) : null
  if (priceMinor === null || priceMinor <= 0n || priceMinor > MAX_PRICE_MINOR)
    errors.price = 'price'
  const min = qty(str(body.min_quantity) || '1', false)
  if (min === false) errors.min_quantity = 'quantity'
  const max = qty(str(body.max_quantity), true)
  if (max === false || (max !== null && typeof min === 'number' && max < min)) {
    errors.max_quantity = 'max_quantity'
  }
  const status = str(body.status) || 'draft'
  if (!(STATUSES as readonly string[]).includes(status)) errors.status = 'status'
  const visibility = str(body.visibility) || 'public'
  if (!(VISIBILITIES as readonly string[]).includes(visibility)) errors.visibility = 'visibility'
  const textContent = str(body.text_content)
  if (textContent === undefined || (textContent && textContent.length > 10_000)) {
    errors.text_content = 'text_content'
  } else if (type === 'text' && !textContent) errors.text_content = 'text_required'

  if (Object.keys(errors).length) return { data: null, errors }
  return {
    data: {
      name: name!,
      categoryName: categoryName!,
      type: type as ProductFormData['type'],
      priceMinor: priceMinor!,
      minQuantity: min as number,
      maxQuantity: max as number | null,
      status: status as ProductStatus,
      visibility: visibility as ProductVisibility,
      textContent: textContent || null,
    },
    errors: null,
  }
}

export const STOCK_FORMATS = ['line', 'card_password', 'csv'] as const
