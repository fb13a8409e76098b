import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/database'
import Tenant from '#models/tenant'
import { TenantDirectory, tenantDirectory, type TenantRef } from '#tenancy'

/** Change a shop's status behind the directory's back (as another process would). */
async function setStatus(id: number, status: string) {
  await db.connection('owner').from('tenants').where('id', id).update({ status })
}

/** One field of a lookup's answer (undefined when the shop is missing). */
async function field(lookup: Promise<TenantRef | null>, name: 'status' | 'slug') {
  const tenant = await lookup
  return tenant?.[name]
}

test.group('tenant directory / lookups by id', (group) => {
  group.each.setup(async () => {
    await truncateAll()
  })

  test('uncached by default: a status change is seen at once', async ({ assert }) => {
    const shop = await Tenant.create({ slug: 'alpha', name: 'Alpha', status: 'active' })
    const directory = new TenantDirectory()
    assert.equal(await field(directory.findById(shop.id), 'status'), 'active')
    await setStatus(shop.id, 'suspended')
    assert.equal(await field(directory.findById(shop.id), 'status'), 'suspended')
    assert.isNull(await directory.findById(shop.id + 1000))
  })

  test('cached on request: same answer within the TTL, fresh after it or after forget', async ({
    assert,
  }) => {
    const shop = await Tenant.create({ slug: 'alpha', name: 'Alpha', status: 'active' })
    const other = await Tenant.create({ slug: 'beta', name: 'Beta', status: 'active' })
    const directory = new TenantDirectory(200)
    const first = await directory.findById(shop.id, { cached: true })
    assert.equal(first?.slug, 'alpha')
    assert.equal(first?.status, 'active')

    await setStatus(shop.id, 'suspended')
    await setStatus(other.id, 'suspended')
    assert.equal(await field(directory.findById(shop.id, { cached: true }), 'status'), 'active')
    // The uncached lookup never answers from the cache.
    assert.equal(await field(directory.findById(shop.id), 'status'), 'suspended')

    // forget(slug) drops that shop's id entry too (and only that shop's).
    await directory.findById(other.id, { cached: true })
    await setStatus(other.id, 'active')
    directory.forget('alpha')
    assert.equal(await field(directory.findById(shop.id, { cached: true }), 'status'), 'suspended')
    assert.equal(await field(directory.findById(other.id, { cached: true }), 'status'), 'suspended')

    // forget() drops everything.
    directory.forget()
    assert.equal(await field(directory.findById(other.id, { cached: true }), 'status'), 'active')

    // The TTL: an entry older than ttlMs is read again.
    await setStatus(shop.id, 'active')
    await sleep(250)
    assert.equal(await field(directory.findById(shop.id, { cached: true }), 'status'), 'active')
  })

  test('a missing shop is cached as missing, and a database reset forgets everything', async ({
    assert,
  }) => {
    assert.isNull(await tenantDirectory.findById(1, { cached: true }))
    const shop = await Tenant.create({ slug: 'alpha', name: 'Alpha', status: 'active' })
    assert.equal(shop.id, 1)
    assert.isNull(await tenantDirectory.findById(1, { cached: true }))
    await truncateAll()
    const again = await Tenant.create({ slug: 'gamma', name: 'Gamma', status: 'active' })
    assert.equal(again.id, 1)
    assert.equal(await field(tenantDirectory.findById(1, { cached: true }), 'slug'), 'gamma')
  })
})
