import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { toOrder, type Order, type OrderStatus } from '#delivery'
import { ORDER_COLUMNS } from '#delivery/orders/order'
import { formatMinor } from '#ledger/settlement/format'
import { isOrderNo, openOrder } from '#actions/storefront/orders/orders'

/** Orders per page of "My orders". */
export const BUYER_ORDERS_PER_PAGE = 20
/** Highest page number accepted (20 × 500 = 10,000 orders). */
const MAX_PAGE = 500

export interface BuyerOrderRow {
  orderNo: string
  status: OrderStatus
  amount: string
  currency: string
  productName: string
  quantity: number
  createdAt: Date
}

export interface BuyerOrdersPage {
  orders: BuyerOrderRow[]
  page: number
  hasPrevious: boolean
  hasNext: boolean
}

/** A `?page=` value as a page number: anything but a whole number 1..500 is page 1. */
export function parsePage(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,2}$/.test(raw)) return 1
  return Math.min(Number(raw), MAX_PAGE)
}

/**
 * One page of the signed-in buyer's orders in this shop, newest first (orders.buyer_id is
 * the buyer; RLS and the tenant filter keep other shops' orders out).
 */
export function listBuyerOrders(
  tenant: TenantRef,
  buyerId: number,
  page: number
): Promise<BuyerOrdersPage> {
  return withTenant(async (trx) => {
    const rows = await trx
      .from('orders as o')
      .join('products as p', (j) => {
        j.on('p.tenant_id', 'o.tenant_id').andOn('p.id', 'o.product_id')
      })
      .where('o.tenant_id', tenant.id)
      .where('o.buyer_id', buyerId)
      .orderBy('o.id', 'desc')
      .offset((page - 1) * BUYER_ORDERS_PER_PAGE)
      .limit(BUYER_ORDERS_PER_PAGE + 1)
      .select(
        'o.order_no',
        'o.status',
        'o.currency',
        'o.created_at',
        'p.name as product_name',
        trx.raw('o.amount_minor::text AS amount_minor'),
        trx.raw(
          '(SELECT COALESCE(SUM(l.quantity), 0)::int FROM order_lines l WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id) AS quantity'
        )
      )
    return {
      orders: rows.slice(0, BUYER_ORDERS_PER_PAGE).map((r: any) => ({
        orderNo: r.order_no,
        status: r.status,
        amount: formatMinor(BigInt(r.amount_minor), r.currency),
        currency: r.currency,
        productName: r.product_name,
        quantity: Number(r.quantity),
        createdAt: new Date(r.created_at),
      })),
      page,
      hasPrevious: page > 1,
      hasNext: rows.length > BUYER_ORDERS_PER_PAGE,
    }
  }, tenant)
}

/** The buyer's own order with this number, or null (another buyer's or shop's: null). */
export async function findBuyerOrder(
  trx: TransactionClientContract,
  tenant: TenantRef,
  buyerId: number,
  orderNo: string
): Promise<Order | null> {
  if (!isOrderNo(orderNo)) return null
  const { rows } = await trx.rawQuery(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND order_no = ? AND buyer_id = ?`,
    [tenant.id, orderNo.toUpperCase(), buyerId]
  )
  return rows[0] ? toOrder(rows[0]) : null
}

/**
 * The order page of one of the signed-in buyer's orders: access is proven by the session
 * owning the order. Same reveal flow, limits and audit as the token page (actor = buyer).
 * @throws StorefrontThrottledException
 */
export function buyerOrder(tenant: TenantRef, buyerId: number, orderNo: string, ip: string) {
  return openOrder(tenant, (trx) => findBuyerOrder(trx, tenant, buyerId, orderNo), {
    ip,
    buyerId,
    via: 'account',
  })
}
