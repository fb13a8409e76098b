import { test } from '@japa/runner'
import fc from 'fast-check'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import { withTenant } from '#tenancy'
import { verifyLedger } from '#ledger'
import {
  availableStock,
  availableStockByProduct,
  confirmPayment,
  createOrder,
  DeliveryError,
  expireReservations,
  type Product,
} from '#delivery'
import { importStock } from '#delivery/import/index'
import { replaceCardItem, OrderDeskError } from '#delivery'
import { restoreItems, voidItems } from '#delivery/stock/void'
import { getDataKey } from '#delivery/secrets/index'
import { createShop, resetState } from '#tests/functional/merchant/_fixtures'
import { productOf } from '#tests/functional/delivery/_fixtures'

/**
 * Model-based property test (issue 4): random sequences of import / reserve / expire /
 * pay / mismatched pay / late pay / void / restore / replace against the real database.
 * After every step the stock a buyer is shown equals the available items, and every item
 * is where the model says.
 */

type Op =
  | { op: 'import'; fresh: number; repeats: number }
  | { op: 'checkout'; quantity: number }
  | { op: 'expire'; pick: number }
  | { op: 'pay'; pick: number }
  | { op: 'payWrong'; pick: number }
  | { op: 'void'; count: number }
  | { op: 'restore'; count: number }
  | { op: 'replace'; pick: number }

// Stock-creating and paying steps are weighted up so that replacements (a delivered order
// plus spare stock) and late payments happen in most sequences.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('import' as const),
      fresh: fc.integer({ min: 0, max: 8 }),
      repeats: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('checkout' as const),
      quantity: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pay' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('payWrong' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('void' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('restore' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replace' as const), pick: fc.nat() }) }
)

interface ModelOrder {
  id: number
  orderNo: string
  quantity: number
  amountMinor: bigint
  /** pending (holds stock), expired (released), delivered (sold), mismatch, unfulfilled */
  state: 'pending' | 'expired' | 'delivered' | 'mismatch' | 'unfulfilled'
}

interface Model {
  /** Every secret imported so far (the keyed de-dup must drop repeats). */
  secrets: string[]
  available: number
  voided: number
  burned: number
  orders: ModelOrder[]
  txn: number
}

async function runImport(shop: Tenant, product: Product, lines: string[]) {
  return withTenant(async (trx) => {
    const key = await getDataKey(trx, shop.id)
    return importStock(lines.join('\n'), {
      format: 'line',
      key,
      write: async (rows) => {
        const values = rows.map(() => '(?, ?, ?, ?, ?)').join(', ')
        const result = await trx.rawQuery(
          `INSERT INTO card_items (tenant_id, product_id, secret_ciphertext, secret_hash, key_version)
           VALUES ${values} ON CONFLICT (tenant_id, product_id, secret_hash) DO NOTHING`,
          rows.flatMap((r) => [shop.id, product.id, r.ciphertext, r.secretHash, r.keyVersion])
        )
        return Number(result.rowCount)
      },
    })
  }, shop.toRef())
}

async function apply(shop: Tenant, product: Product, model: Model, step: Op, run: number) {
  const pickOrder = (pick: number, states: ModelOrder['state'][]) => {
    const candidates = model.orders.filter((o) => states.includes(o.state))
    return candidates.length ? candidates[pick % candidates.length] : null
  }
  const pay = (o: ModelOrder, amount: bigint) =>
    confirmPayment({
      tenantId: shop.id,
      gateway: 'epay',
      providerTxnId: `P${run}-${++model.txn}`,
      orderNo: o.orderNo,
      amountMinor: amount,
      currency: shop.currency,
      paidAt: new Date(),
    })

  switch (step.op) {
    case 'import': {
      const fresh = Array.from(
        { length: step.fresh },
        (_, i) => `R${run}-K${model.secrets.length + i}`
      )
      const repeats = model.secrets.slice(0, step.repeats)
      const report = await runImport(shop, product, [...fresh, ...repeats, ...fresh.slice(0, 1)])
      model.secrets.push(...fresh)
      model.available += fresh.length
      if (report.added !== fresh.length) {
        throw new Error(`import added ${report.added}, expected ${fresh.length}`)
      }
      return
    }
    case 'checkout': {
      try {
        const created = await createOrder({
          tenant: shop.toRef(),
          productId: product.id,
          quantity: step.quantity,
          contactEmail: 'prop@example.test',
        })
        if (step.quantity > model.available) throw new Error('oversold: order beyond stock')
        model.available -= step.quantity
        model.orders.push({
          id: created.order.id,
          orderNo: created.order.orderNo,
          quantity: step.quantity,
          amountMinor: created.order.amountMinor,
          state: 'pending',
        })
      } catch (error) {
        if (!(error instanceof DeliveryError) || error.code !== 'E_SOLD_OUT') throw error
        if (step.quantity <= model.available) throw new Error('sold out while stock remained')
      }
      return
    }
    case 'expire': {
      const o = pickOrder(step.pick, ['pending'])
      if (!o) return
      await db
        .connection('platform')
        .rawQuery(
          `UPDATE orders SET reserved_until = now() - interval '1 minute' WHERE tenant_id = ? AND id = ?`,
          [shop.id, o.id]
        )
      const expired = await withTenant((trx) => expireReservations(trx, shop.id), shop.toRef())
      if (expired.length !== 1 || expired[0].released !== o.quantity) {
        throw new Error(`expiry released ${JSON.stringify(expired)}, expected ${o.quantity}`)
      }
      o.state = 'expired'
      model.available += o.quantity
      return
    }
    case 'pay': {
      // A pending order is delivered; an expired one re-reserves if stock remains.
      const o = pickOrder(step.pick, ['pending', 'expired'])
      if (!o) return
      const result = await pay(o, o.amountMinor)
      if (o.state === 'expired') {
        if (o.quantity <= model.available) {
          if (result.outcome !== 'paid') throw new Error(`late pay: ${result.outcome}`)
          model.available -= o.quantity
          o.state = 'delivered'
        } else {
          if (result.outcome !== 'unfulfilled') throw new Error(`late pay: ${result.outcome}`)
          o.state = 'unfulfilled'
        }
      } else {
        if (result.outcome !== 'paid') throw new Error(`pay: ${result.outcome}`)
        o.state = 'delivered'
      }
      if (o.state === 'delivered' && result.soldItemIds.length !== o.quantity) {
        throw new Error('delivered a different number of items than ordered')
      }
      return
    }
    case 'payWrong': {
      const o = pickOrder(step.pick, ['pending'])
      if (!o) return
      const result = await pay(o, o.amountMinor + 1n)
      if (result.outcome !== 'mismatch') throw new Error(`wrong amount: ${result.outcome}`)
      o.state = 'mismatch'
      model.available += o.quantity
      return
    }
    case 'void':
    case 'restore': {
      // Name some items of every status: only the right ones may change.
      const { rows } = await db
        .connection('platform')
        .rawQuery(
          `SELECT id, status FROM card_items WHERE tenant_id = ? AND product_id = ? ORDER BY random() LIMIT ?`,
          [shop.id, product.id, step.count + 2]
        )
      const from = step.op === 'void' ? 'available' : 'void'
      const eligible = rows.filter((r: any) => r.status === from).length
      const change = await withTenant(
        (trx) =>
          (step.op === 'void' ? voidItems : restoreItems)(trx, shop.id, product.id, {
            itemIds: rows.map((r: any) => Number(r.id)),
          }),
        shop.toRef()
      )
      if (change.changed !== eligible) {
        throw new Error(`${step.op} changed ${change.changed}, expected ${eligible}`)
      }
      const delta = step.op === 'void' ? -eligible : eligible
      model.available += delta
      model.voided -= delta
      return
    }
    case 'replace': {
      const o = pickOrder(step.pick, ['delivered'])
      if (!o) return
      const { rows } = await db
        .connection('platform')
        .rawQuery(
          `SELECT id FROM card_items WHERE tenant_id = ? AND reserved_order_id = ? AND status = 'sold' ORDER BY id LIMIT 1`,
          [shop.id, o.id]
        )
      try {
        await replaceCardItem({
          tenant: shop.toRef(),
          actor: { type: 'user', id: 1 },
          orderId: o.id,
          itemId: Number(rows[0].id),
          reason: 'buyer reports the key does not work',
        })
        if (model.available < 1) throw new Error('replaced without stock')
        model.available -= 1
        model.burned += 1
      } catch (error) {
        if (!(error instanceof OrderDeskError) || error.code !== 'E_REPLACEMENT_OUT_OF_STOCK') {
          throw error
        }
        if (model.available > 0) throw new Error('replacement refused while stock remained')
      }
    }
  }
}

/** Card items of one product by status (platform role: sees through RLS). */
async function productCounts(shop: Tenant, product: Product) {
  const { rows } = await db
    .connection('platform')
    .rawQuery(
      `SELECT status, count(*)::int AS n FROM card_items WHERE tenant_id = ? AND product_id = ? GROUP BY status`,
      [shop.id, product.id]
    )
  const counts: Record<string, number> = {
    available: 0,
    reserved: 0,
    sold: 0,
    void: 0,
    burned: 0,
  }
  for (const r of rows) counts[r.status] = Number(r.n)
  return counts
}

async function check(shop: Tenant, product: Product, model: Model) {
  const shown = await withTenant((trx) => availableStock(trx, shop.id, product.id), shop.toRef())
  const listed = await withTenant(
    (trx) => availableStockByProduct(trx, shop.id, [product.id]),
    shop.toRef()
  )
  const counts = await productCounts(shop, product)
  const held = model.orders.filter((o) => o.state === 'pending').reduce((n, o) => n + o.quantity, 0)
  const sold = model.orders
    .filter((o) => o.state === 'delivered')
    .reduce((n, o) => n + o.quantity, 0)
  const expected = {
    available: model.available,
    reserved: held,
    sold,
    void: model.voided,
    burned: model.burned,
  }
  const actual = {
    available: shown,
    reserved: counts.reserved,
    sold: counts.sold,
    void: counts.void,
    burned: counts.burned,
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected) || counts.available !== shown) {
    throw new Error(
      `stock drifted: shown ${shown}, listed ${listed.get(product.id) ?? 0}, db ${JSON.stringify(counts)}, model ${JSON.stringify(expected)}`
    )
  }
  if ((listed.get(product.id) ?? 0) !== shown) throw new Error('product list disagrees')
  // Every reserved/sold item belongs to exactly the order the model says holds it (burned
  // items keep their order too, so they are left out of the count).
  const { rows } = await db.connection('platform').rawQuery(
    `SELECT reserved_order_id AS order_id, count(*)::int AS n FROM card_items
      WHERE tenant_id = ? AND product_id = ? AND status IN ('reserved', 'sold')
      GROUP BY reserved_order_id`,
    [shop.id, product.id]
  )
  const byOrder = new Map(rows.map((r: any) => [Number(r.order_id), r.n]))
  for (const o of model.orders) {
    const want = o.state === 'pending' || o.state === 'delivered' ? o.quantity : 0
    if ((byOrder.get(o.id) ?? 0) !== want) {
      throw new Error(`order ${o.orderNo} (${o.state}) holds ${byOrder.get(o.id) ?? 0} items`)
    }
  }
}

test.group('delivery / stock property', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })
  group.each.timeout(300_000)

  test('random import/reserve/expire/pay/void/restore/replace sequences: shown stock = available items', async ({
    assert,
  }) => {
    let run = 0
    const shop = await createShop('prop-shop')
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 30 }), async (ops) => {
        run++
        // A product per run: runs are independent without truncating between them.
        const product = await productOf(shop, { name: `Prop ${run}` })
        const model: Model = {
          secrets: [],
          available: 0,
          voided: 0,
          burned: 0,
          orders: [],
          txn: 0,
        }
        for (const step of ops) {
          await apply(shop, product, model, step, run)
          await check(shop, product, model)
        }
      }),
      { numRuns: 40, seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31) }
    )
    const verification = await verifyLedger({ tenantSlug: shop.slug })
    assert.isTrue(verification.ok, JSON.stringify(verification.problems))
  })
})
