import { withTenant, type TenantRef } from '#tenancy'
import { ORDER_STATUSES, type OrderStatus } from '#delivery/orders/order'

/** Orders per page of the merchant's list. */
export const ORDER_PAGE_SIZE = 50
/** Deepest page (offset paging on the `orders_recent` index; search narrows further). */
export const MAX_ORDER_PAGE = 200

/** Filters of `/merchant/orders`; every field optional, values already checked. */
export interface OrderFilters {
  /** An order number (exact, any case) or the start of a contact email. */
  q?: string
  status?: OrderStatus
  productId?: number
  /** `YYYY-MM-DD`, UTC days, both inclusive (by `created_at`). */
  from?: string
  to?: string
  page: number
}

export interface OrderListRow {
  id: number
  orderNo: string
  status: OrderStatus
  amountMinor: bigint
  currency: string
  contactEmail: string
  productName: string
  quantity: number
  createdAt: Date
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

function hasControl(text: string) {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true
  return false
}

function isDay(value: string) {
  if (!DAY.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
}

/**
 * Read the list's query string. Malformed values (arrays, unknown status, bad dates, `to`
 * before `from`, huge numbers) are dropped and named in `ignored`, never an error.
 */
export function parseOrderFilters(qs: Record<string, unknown>): {
  filters: OrderFilters
  ignored: string[]
} {
  const ignored: string[] = []
  const filters: OrderFilters = { page: 1 }
  const text = (name: string, max: number): string | undefined => {
    const value = qs[name]
    if (value === undefined || value === null || value === '') return undefined
    if (typeof value !== 'string' || value.trim().length > max || hasControl(value)) {
      ignored.push(name)
      return undefined
    }
    return value.trim() || undefined
  }
  filters.q = text('q', 254)
  const status = text('status', 20)
  if (status !== undefined) {
    if ((ORDER_STATUSES as readonly string[]).includes(status)) {
      filters.status = status as OrderStatus
    } else ignored.push('status')
  }
  const product = text('product', 16)
  if (product !== undefined) {
    if (/^[1-9]\d{0,14}$/.test(product)) filters.productId = Number(product)
    else ignored.push('product')
  }
  for (const name of ['from', 'to'] as const) {
    const day = text(name, 10)
    if (day === undefined) continue
    if (isDay(day)) filters[name] = day
    else ignored.push(name)
  }
  if (filters.from && filters.to && filters.to < filters.from) {
    ignored.push('to')
    delete filters.to
  }
  const page = text('page', 6)
  if (page !== undefined) {
    if (/^[1-9]\d{0,5}$/.test(page) && Number(page) <= MAX_ORDER_PAGE) filters.page = Number(page)
    else ignored.push('page')
  }
  return { filters, ignored }
}

/** The filters as a query string (without `page`), for paging links. */
export function orderFilterQuery(filters: OrderFilters): string {
  const params = new URLSearchParams()
  if (filters.q) params.set('q', filters.q)
  if (filters.status) params.set('status', filters.status)
  if (filters.productId) params.set('product', String(filters.productId))
  if (filters.from) params.set('from', filters.from)
  if (filters.to) params.set('to', filters.to)
  return params.toString()
}

function likePrefix(value: string) {
  return value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + '%'
}

/**
 * One page of the shop's orders, newest first (`created_at DESC, id DESC`: stable, served
 * by the `orders_recent` index), with the shop's products for the filter.
 */
export function listOrders(tenant: TenantRef, filters: OrderFilters) {
  return withTenant(async (trx) => {
    const query = trx
      .from('orders as o')
      .join('products as p', (join) => {
        join.on('p.tenant_id', 'o.tenant_id').andOn('p.id', 'o.product_id')
      })
      .where('o.tenant_id', tenant.id)
    if (filters.q) {
      const q = filters.q
      query.where((w) => {
        if (/^[A-Za-z0-9]{1,32}$/.test(q)) w.orWhere('o.order_no', q.toUpperCase())
        w.orWhereRaw(`lower(o.contact_email) LIKE ? ESCAPE '\\'`, [likePrefix(q)])
      })
    }
    if (filters.status) query.where('o.status', filters.status)
    if (filters.productId) query.where('o.product_id', filters.productId)
    if (filters.from) query.where('o.created_at', '>=', `${filters.from}T00:00:00Z`)
    if (filters.to) {
      query.whereRaw(`o.created_at < (?::date + 1)::timestamp AT TIME ZONE 'UTC'`, [filters.to])
    }
    const rows = await query
      .orderBy('o.created_at', 'desc')
      .orderBy('o.id', 'desc')
      .offset((filters.page - 1) * ORDER_PAGE_SIZE)
      .limit(ORDER_PAGE_SIZE + 1)
      .select(
        'o.id',
        'o.order_no',
        'o.status',
        trx.raw('o.amount_minor::text AS amount_minor'),
        'o.currency',
        'o.contact_email',
        'o.created_at',
        'p.name as product_name',
        trx.raw(
          `(SELECT coalesce(sum(l.quantity), 0)::int FROM order_lines l
             WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id) AS quantity`
        )
      )
    const products = await trx
      .from('products')
      .where('tenant_id', tenant.id)
      .orderBy('name')
      .orderBy('id')
      .limit(500)
      .select('id', 'name')
    return {
      rows: rows.slice(0, ORDER_PAGE_SIZE).map((r: any): OrderListRow => ({
        id: Number(r.id),
        orderNo: r.order_no,
        status: r.status,
        amountMinor: BigInt(r.amount_minor),
        currency: r.currency,
        contactEmail: r.contact_email,
        productName: r.product_name,
        quantity: Number(r.quantity),
        createdAt: new Date(r.created_at),
      })),
      hasMore: rows.length > ORDER_PAGE_SIZE,
      page: filters.page,
      products: products.map((p: any) => ({ id: Number(p.id), name: p.name as string })),
    }
  }, tenant)
}
