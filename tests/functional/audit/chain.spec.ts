import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import SignUpShop from '#actions/platform/sign_up_shop'
import ReviewShop from '#actions/platform/review_shop'
import ChangeMemberRole from '#actions/merchant/staff/change_member_role'
import { recordTenantAudit, recordPlatformAudit, verifyAuditChains } from '#audit'
import { auditLink, GENESIS_HASH, linkFieldsOf } from '#audit/chain'
import { runAsTenant, withTenant, withPlatformRole } from '#tenancy'
import {
  addMember,
  createUser,
  freshIp,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'

const owner = () => db.connection('owner')

/** Every row of a shop's chain, in seq order (read as the owner, tenant set). */
async function tenantChain(tenantId: number) {
  return owner().transaction(async (trx) => {
    await trx.rawQuery(`SELECT set_config('app.tenant_id', ?, true)`, [String(tenantId)])
    return trx.from('audit_events').select('*').orderBy('seq', 'asc')
  })
}

/** Checks each link by hand (independently of verifyAuditChains). */
function assertLinked(assert: any, rows: Array<Record<string, any>>) {
  let prev = GENESIS_HASH
  rows.forEach((row, index) => {
    assert.equal(Number(row.seq), index + 1, 'seq is gap-free from 1')
    assert.equal(row.prev_hash, prev, `prev_hash of seq ${row.seq}`)
    assert.equal(row.hash, auditLink(prev, linkFieldsOf(row)), `hash of seq ${row.seq}`)
    prev = row.hash
  })
  return prev
}

/** Edit one row's metadata as the schema owner, with the append-only trigger off. */
async function tamper(
  table: 'audit_events' | 'platform_audit_events',
  id: number,
  tenantId?: number
) {
  await owner().transaction(async (trx) => {
    if (tenantId) {
      await trx.rawQuery(`SELECT set_config('app.tenant_id', ?, true)`, [String(tenantId)])
    }
    await trx.rawQuery(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`)
    await trx.rawQuery(
      `UPDATE ${table} SET metadata = metadata || '{"tampered": true}'::jsonb WHERE id = ?`,
      [id]
    )
    await trx.rawQuery(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`)
  })
}

async function chainsOk(options?: Parameters<typeof verifyAuditChains>[0]) {
  const result = await verifyAuditChains(options)
  return result.ok
}

test.group('audit / hash chains', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('sign-up, approval and a role change leave linked chains that verify', async ({
    assert,
  }) => {
    const outcome = await new SignUpShop().handle({
      email: 'chain-owner@example.test',
      password: 'correct-horse-42',
      shopName: 'Chain shop',
      slug: 'chain-shop',
      locale: 'en',
      ip: freshIp(),
    })
    assert.equal(outcome, 'created')
    const shop = await Tenant.findByOrFail('slug', 'chain-shop')
    const [admin] = await owner()
      .table('platform_admins')
      .insert({ email: 'chain-admin@example.test', password: 'not-a-hash' })
      .returning('id')
    const adminId = Number(admin.id)
    const review = await new ReviewShop().handle({
      adminId,
      tenantId: shop.id,
      decision: 'approve',
      note: null,
      ip: freshIp(),
    })
    assert.isTrue(review.ok)

    const ownerMember = await withTenant(
      (trx) => trx.from('tenant_members').where('role', 'owner').first(),
      shop.toRef()
    )
    const staffUser = await createUser('chain-staff@example.test')
    const staff = await addMember(shop, staffUser, 'staff')
    await runAsTenant(shop.toRef(), () =>
      ChangeMemberRole.handle({
        actor: { id: ownerMember.id, userId: ownerMember.user_id, role: 'owner' },
        memberId: staff.id,
        role: 'owner',
        ip: freshIp(),
      })
    )

    const rows = await tenantChain(shop.id)
    assert.deepEqual(
      rows.map((r) => r.action),
      ['tenant.signed_up', 'member.role_changed']
    )
    const last = assertLinked(assert, rows)
    const head = await owner().transaction(async (trx) => {
      await trx.rawQuery(`SELECT set_config('app.tenant_id', ?, true)`, [String(shop.id)])
      return trx.from('audit_heads').where('chain', 'audit').first()
    })
    assert.equal(Number(head.last_seq), 2)
    assert.equal(head.last_hash, last)

    const platformRows = await owner().from('platform_audit_events').orderBy('seq', 'asc')
    assert.include(
      platformRows.map((r) => r.action),
      'shop.approved'
    )
    assertLinked(assert, platformRows)

    const result = await verifyAuditChains()
    assert.isTrue(result.ok, JSON.stringify(result.firstProblem))
    assert.isAtLeast(result.checked, 2 + platformRows.length)
  })

  test('20 concurrent appends in one shop: gap-free seq and a valid chain', async ({ assert }) => {
    const { shop } = await shopWithOwner('chain-race')
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withTenant(
          (trx) =>
            recordTenantAudit(trx, shop.id, {
              actor: { type: 'system' },
              action: 'test.parallel',
              target: { type: 'n', id: i },
              metadata: { i },
            }),
          shop.toRef()
        )
      )
    )
    const rows = await tenantChain(shop.id)
    assert.lengthOf(rows, 20)
    assertLinked(assert, rows)
    const result = await verifyAuditChains({ tenantId: shop.id })
    assert.deepInclude(result, { ok: true, checked: 20, chains: 1 })
  })

  test('a rolled-back action does not advance the chain', async ({ assert }) => {
    const { shop } = await shopWithOwner('chain-rollback')
    const entry = { actor: { type: 'system' as const }, action: 'test.one' }
    await withTenant((trx) => recordTenantAudit(trx, shop.id, entry), shop.toRef())
    await assert.rejects(() =>
      withTenant(async (trx) => {
        await recordTenantAudit(trx, shop.id, entry)
        throw new Error('business rule failed')
      }, shop.toRef())
    )
    await withTenant((trx) => recordTenantAudit(trx, shop.id, entry), shop.toRef())
    const rows = await tenantChain(shop.id)
    assert.deepEqual(
      rows.map((r) => Number(r.seq)),
      [1, 2]
    )
    assert.isTrue(await chainsOk({ tenantId: shop.id }))
  })

  test('tampering with a row as the owner is named by verifyAuditChains', async ({ assert }) => {
    const { shop } = await shopWithOwner('chain-tamper')
    const { shop: other } = await shopWithOwner('chain-other')
    for (const target of [shop, other]) {
      for (let i = 0; i < 3; i++) {
        await withTenant(
          (trx) =>
            recordTenantAudit(trx, target.id, {
              actor: { type: 'system' },
              action: 'test.step',
              metadata: { i },
            }),
          target.toRef()
        )
      }
    }
    assert.isTrue(await chainsOk())

    const rows = await tenantChain(shop.id)
    await tamper('audit_events', rows[1].id, shop.id)
    const result = await verifyAuditChains()
    assert.isFalse(result.ok)
    assert.deepInclude(result.firstProblem!, {
      chain: `tenant:${shop.id}`,
      tenantId: shop.id,
      seq: 2,
      id: Number(rows[1].id),
      reason: 'hash_mismatch',
    })
    // The other shop's chain is untouched.
    assert.isTrue(await chainsOk({ tenantId: other.id }))
  })

  test('tampering with the platform chain, or a row slipped in, is found', async ({ assert }) => {
    for (let i = 0; i < 3; i++) {
      await withPlatformRole((trx) =>
        recordPlatformAudit(trx, {
          actor: { type: 'system' },
          action: 'test.platform',
          metadata: { i },
        })
      )
    }
    assert.isTrue(await chainsOk({ platform: true }))
    const rows = await owner().from('platform_audit_events').orderBy('seq', 'asc')
    await tamper('platform_audit_events', rows[0].id)
    const result = await verifyAuditChains()
    assert.deepInclude(result.firstProblem!, {
      chain: 'platform',
      seq: 1,
      reason: 'hash_mismatch',
    })
  })

  test('a row appended behind the head’s back is found', async ({ assert }) => {
    const { shop } = await shopWithOwner('chain-slip')
    await withTenant(
      (trx) => recordTenantAudit(trx, shop.id, { actor: { type: 'system' }, action: 'test.a' }),
      shop.toRef()
    )
    const [first] = await tenantChain(shop.id)
    await owner().transaction(async (trx) => {
      await trx.rawQuery(`SELECT set_config('app.tenant_id', ?, true)`, [String(shop.id)])
      await trx.table('audit_events').insert({
        tenant_id: shop.id,
        seq: 2,
        prev_hash: first.hash,
        hash: first.hash,
        actor_type: 'system',
        action: 'test.forged',
        metadata: '{}',
      })
    })
    const result = await verifyAuditChains({ tenantId: shop.id })
    assert.equal(result.firstProblem?.reason, 'rows_beyond_head')
    assert.equal(result.firstProblem?.seq, 2)
  })
})
