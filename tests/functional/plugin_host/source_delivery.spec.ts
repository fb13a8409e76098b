import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import { withTenant } from '#tenancy'
import {
  deliverySourceContract,
  installPlugin,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { definePlugin, type DeliverySourceResult } from '#plugin_sdk'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { createOrder } from '#delivery'
import { decryptSecret } from '#delivery/secrets/index'
import type Tenant from '#models/tenant'

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

/** A supplier that remembers what it handed out per idempotency key (like a real API). */
const calls: string[] = []
const deliveredEvents: string[] = []
let behaviour: 'ok' | 'refuse' = 'ok'
const issued = new Map<string, string[]>()

const supplier = definePlugin({
  id: 'test-supplier',
  name: 'Test supplier',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['delivery:source', 'network:outbound', 'orders:read'],
  hooks: {
    'order.delivered': (order, ctx) => {
      deliveredEvents.push(`${order.orderNo}:${ctx.event.id}`)
    },
  },
  capabilities: {
    deliverySource: {
      id: 'test-supplier',
      async deliver(request): Promise<DeliverySourceResult> {
        calls.push(request.key)
        if (behaviour === 'refuse') return { ok: false, reason: 'out_of_stock', retryable: false }
        const items =
          issued.get(request.key) ??
          Array.from({ length: request.quantity }, (_, i) => `SUP-${request.key}-${i}`)
        issued.set(request.key, items)
        return { ok: true, items: items.map((secret) => ({ secret })) }
      },
    },
  },
})

async function sourceProduct(shop: Tenant) {
  return productOf(shop, { type: 'source', sourceId: 'test-supplier', name: 'Top-up' })
}

async function orderStatus(shop: Tenant, id: number) {
  const [row] = await rowsOf('orders', shop).where('id', id)
  return row.status as string
}

test.group('plugin host / delivery sources', (group) => {
  group.each.setup(async () => {
    await resetState()
    calls.length = 0
    deliveredEvents.length = 0
    issued.clear()
    behaviour = 'ok'
    hooks.register(supplier)
    await syncFirstPartyPlugins([supplier])
    mail.fake()
    return () => {
      hooks.unregister('test-supplier')
      mail.restore()
    }
  })

  test('a paid source order is delivered by the enabled plugin, stored encrypted, once', async ({
    assert,
  }) => {
    assert.deepEqual(await deliverySourceContract(supplier.capabilities!.deliverySource!), [])
    calls.length = 0
    issued.clear()
    const { shop, owner } = await shopWithOwner('src-shop')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'test-supplier',
      version: '1.0.0',
      consent: ['delivery:source', 'network:outbound', 'orders:read'],
    })
    await setPluginEnabled({ ...actor, pluginId: 'test-supplier', enabled: true })
    const product = await sourceProduct(shop)
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 2,
      contactEmail: 'b@example.test',
    })
    const result = await pay(shop, order.orderNo, order.amountMinor, 'T-S1')
    assert.equal(result.order.status, 'paid', 'waits for the source')
    assert.isTrue(await until(async () => (await orderStatus(shop, order.id)) === 'delivered'))

    const items = await rowsOf('card_items', shop).where('reserved_order_id', order.id)
    assert.lengthOf(items, 2)
    assert.isTrue(items.every((i) => i.status === 'sold'))
    const secrets = await withTenant(
      (trx) => Promise.all(items.map((i) => decryptSecret(trx, shop.id, i.secret_ciphertext))),
      shop.toRef()
    )
    assert.sameMembers(secrets, issued.get(calls[0])!)
    for (const i of items) {
      assert.notInclude(Buffer.from(i.secret_ciphertext).toString('latin1'), 'SUP-')
    }

    // The job running again (a retry after a crash) stores nothing twice.
    const { SourceDeliveryJob } = await import('#delivery/orders/source_delivery')
    const { dispatch } = await import('#jobs')
    const { runAsTenant } = await import('#tenancy')
    await runAsTenant(shop.toRef(), () =>
      dispatch(SourceDeliveryJob, { tenantId: shop.id, orderId: order.id })
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const after = await rowsOf('card_items', shop).where('reserved_order_id', order.id)
    assert.lengthOf(after, 2)
    const audits = await rowsOf('audit_events', shop).where('action', 'order.fulfilled_by_source')
    assert.lengthOf(audits, 1)
    assert.deepEqual(deliveredEvents, [`${order.orderNo}:order.delivered:${order.orderNo}`])
    assert.notInclude(JSON.stringify(audits), 'SUP-')
  })

  test('a refusing or disabled source leaves the order paid_unfulfilled and alerts', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('src-refuse')
    const product = await sourceProduct(shop)
    // Not installed in this shop: nothing is delivered, the merchant is told.
    const first = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: 'b@example.test',
    })
    await pay(shop, first.order.orderNo, first.order.amountMinor, 'T-R1')
    assert.isTrue(
      await until(async () => (await orderStatus(shop, first.order.id)) === 'paid_unfulfilled')
    )
    assert.lengthOf(calls, 0, 'a source the shop has not enabled is never called')

    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'test-supplier',
      version: '1.0.0',
      consent: ['delivery:source', 'network:outbound', 'orders:read'],
    })
    await setPluginEnabled({ ...actor, pluginId: 'test-supplier', enabled: true })
    behaviour = 'refuse'
    const second = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: 'b@example.test',
    })
    await pay(shop, second.order.orderNo, second.order.amountMinor, 'T-R2')
    assert.isTrue(
      await until(async () => (await orderStatus(shop, second.order.id)) === 'paid_unfulfilled')
    )
    const alerts = await rowsOf('merchant_alerts', shop).where('kind', 'paid_unfulfilled')
    assert.isAtLeast(alerts.length, 2)
    const sold = await db
      .connection('platform')
      .from('card_items')
      .where({ tenant_id: shop.id })
      .count('* as n')
    assert.equal(Number(sold[0].n), 0)
  })
})
