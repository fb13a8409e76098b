import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { OrderDeskError, replaceCardItem } from '#delivery'
import { createShop, createUser, resetState, auditOf } from '#tests/functional/merchant/_fixtures'
import { itemCounts, order, pay, productOf, addItems } from '#tests/functional/delivery/_fixtures'
import {
  auditCount,
  auditsWith,
  deliveredOrder,
  eventsOf,
  eventsOfKind,
  itemById,
  itemsOf,
  lastAudit,
  until,
} from '#tests/functional/merchant_orders/_helpers'

async function replaceError(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (error instanceof OrderDeskError) return error.code
    throw error
  }
  return null
}

test.group('merchant orders / replace a bad key', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('burns the key, sells one more to the same line, records event and audit, mails the buyer', async ({
    assert,
  }) => {
    const { messages, mails } = mail.fake()
    const shop = await createShop('rep-shop')
    const user = await createUser('owner@rep-shop.test')
    const { order: o, soldItemIds } = await deliveredOrder(shop, 2, 5)
    assert.deepEqual(await itemCounts(shop), { available: 3, reserved: 0, sold: 2, void: 0 })
    const before = (await itemById(shop, soldItemIds[0]))!

    const result = await replaceCardItem({
      tenant: shop.toRef(),
      actor: { type: 'user', id: user.id },
      orderId: o.id,
      itemId: soldItemIds[0],
      reason: 'buyer says it was already redeemed',
      ip: '203.0.113.9',
    })
    assert.equal(result.oldItemId, soldItemIds[0])
    assert.notInclude(soldItemIds, result.newItemId)

    // 5 items in total, always: 2 available, 2 sold, 1 burned
    assert.deepEqual(await itemCounts(shop), {
      available: 2,
      reserved: 0,
      sold: 2,
      void: 0,
      burned: 1,
    })
    const items = await itemsOf(shop)
    const old = items.find((i) => Number(i.id) === result.oldItemId)!
    const fresh = items.find((i) => Number(i.id) === result.newItemId)!
    assert.equal(old.status, 'burned')
    assert.isNotNull(old.burned_at)
    assert.equal(Number(old.reserved_order_id), o.id, 'a burned item keeps its order')
    assert.equal(Number(old.sold_line_id), Number(before.sold_line_id), 'and its line')
    assert.equal(fresh.status, 'sold')
    assert.equal(Number(fresh.sold_line_id), Number(before.sold_line_id))
    assert.equal(Number(fresh.reserved_order_id), o.id)

    const replaced = await eventsOfKind(shop, o.id, 'item_replaced')
    assert.deepEqual(replaced[0].data, { oldItemId: result.oldItemId, newItemId: result.newItemId })
    const audit = await lastAudit(shop)
    assert.equal(audit.action, 'order.item_replaced')
    assert.equal(audit.metadata.reason, 'buyer says it was already redeemed')
    assert.equal(audit.target_id, o.orderNo)
    assert.equal(audit.actor_id, user.id)

    assert.isTrue(
      await until(async () => mails.sent().length === 1 && messages.sent().length === 1),
      'the delivery mail and the replacement mail'
    )
    const text = messages
      .sent()
      .map((m) => String(m.toJSON().message.text ?? ''))
      .join('\n')
    assert.include(text, `A key of your order ${o.orderNo} was replaced`)
  })

  test('a second replace of the same (now burned) key is refused, and nothing changes', async ({
    assert,
  }) => {
    const shop = await createShop('rep-shop')
    const user = await createUser('owner@rep-shop.test')
    const { order: o, soldItemIds } = await deliveredOrder(shop, 1, 4)
    const input = {
      tenant: shop.toRef(),
      actor: { type: 'user' as const, id: user.id },
      orderId: o.id,
      itemId: soldItemIds[0],
      reason: 'does not work',
    }
    await replaceCardItem(input)
    const counts = await itemCounts(shop)
    const audits = await auditCount(shop)
    assert.equal(await replaceError(replaceCardItem(input)), 'E_ITEM_NOT_REPLACEABLE')
    assert.deepEqual(await itemCounts(shop), counts)
    assert.lengthOf(await auditOf(shop), audits)
  })

  test('no stock left: a clear error and nothing changes', async ({ assert }) => {
    const shop = await createShop('rep-shop')
    const user = await createUser('owner@rep-shop.test')
    const { order: o, soldItemIds } = await deliveredOrder(shop, 1, 1)
    const events = await eventsOf(shop, o.id)
    const audits = await auditCount(shop)
    const code = await replaceError(
      replaceCardItem({
        tenant: shop.toRef(),
        actor: { type: 'user', id: user.id },
        orderId: o.id,
        itemId: soldItemIds[0],
        reason: 'broken key',
      })
    )
    assert.equal(code, 'E_REPLACEMENT_OUT_OF_STOCK')
    assert.deepEqual(await itemCounts(shop), { available: 0, reserved: 0, sold: 1, void: 0 })
    assert.lengthOf(await eventsOf(shop, o.id), events.length)
    assert.lengthOf(await auditOf(shop), audits)
  })

  test('refused: an item of another order, an unsold item, a missing reason, bad ids', async ({
    assert,
  }) => {
    const shop = await createShop('rep-shop')
    const user = await createUser('owner@rep-shop.test')
    const product = await productOf(shop)
    const spare = await addItems(shop, product, 4)
    const a = await order(shop, product)
    const b = await order(shop, product)
    const paidA = await pay(shop, a.order.orderNo, 1_000n, 'T-a')
    const paidB = await pay(shop, b.order.orderNo, 1_000n, 'T-b')
    const available = spare.find(
      (id) => !paidA.soldItemIds.includes(id) && !paidB.soldItemIds.includes(id)
    )!
    const base = {
      tenant: shop.toRef(),
      actor: { type: 'user' as const, id: user.id },
      orderId: paidA.order.id,
      reason: 'bad key',
    }
    const counts = await itemCounts(shop)
    assert.equal(
      await replaceError(replaceCardItem({ ...base, itemId: paidB.soldItemIds[0] })),
      'E_ITEM_NOT_REPLACEABLE'
    )
    assert.equal(
      await replaceError(replaceCardItem({ ...base, itemId: available })),
      'E_ITEM_NOT_REPLACEABLE'
    )
    for (const reason of ['', '  ', 'a', 'x'.repeat(501), ['a', 'b'] as any]) {
      assert.equal(
        await replaceError(replaceCardItem({ ...base, itemId: paidA.soldItemIds[0], reason })),
        'E_REASON_REQUIRED'
      )
    }
    for (const orderId of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      assert.equal(
        await replaceError(replaceCardItem({ ...base, orderId, itemId: paidA.soldItemIds[0] })),
        'E_ORDER_NOT_FOUND'
      )
    }
    assert.deepEqual(await itemCounts(shop), counts)
  })

  test("another shop's order or item is not found", async ({ assert }) => {
    const shop = await createShop('rep-shop')
    const other = await createShop('rep-other')
    const user = await createUser('owner@rep-shop.test')
    const theirs = await deliveredOrder(other, 1, 3)
    await deliveredOrder(shop, 1, 3)
    const code = await replaceError(
      replaceCardItem({
        tenant: shop.toRef(),
        actor: { type: 'user', id: user.id },
        orderId: theirs.order.id,
        itemId: theirs.soldItemIds[0],
        reason: 'not mine',
      })
    )
    // ids restart per test: the id may exist in this shop too, but never this shop's item
    assert.oneOf(code, ['E_ORDER_NOT_FOUND', 'E_ITEM_NOT_REPLACEABLE'])
    assert.deepEqual(await itemCounts(other), { available: 2, reserved: 0, sold: 1, void: 0 })
  })

  test('two concurrent replaces of the same key: exactly one succeeds', async ({ assert }) => {
    const shop = await createShop('rep-shop')
    const user = await createUser('owner@rep-shop.test')
    const { order: o, soldItemIds } = await deliveredOrder(shop, 1, 6)
    const input = {
      tenant: shop.toRef(),
      actor: { type: 'user' as const, id: user.id },
      orderId: o.id,
      itemId: soldItemIds[0],
      reason: 'reported twice',
    }
    const results = await Promise.allSettled([replaceCardItem(input), replaceCardItem(input)])
    const ok = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter(
      (r) =>
        r.status === 'rejected' &&
        r.reason instanceof OrderDeskError &&
        r.reason.code === 'E_ITEM_NOT_REPLACEABLE'
    )
    assert.lengthOf(ok, 1)
    assert.lengthOf(refused, 1)
    assert.deepEqual(await itemCounts(shop), {
      available: 4,
      reserved: 0,
      sold: 1,
      void: 0,
      burned: 1,
    })
    assert.lengthOf(await eventsOfKind(shop, o.id, 'item_replaced'), 1)
    assert.lengthOf(await auditsWith(shop, 'order.item_replaced'), 1)
  })
})
