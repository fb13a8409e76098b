import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import PlatformAdmin from '#models/platform_admin'
import type Tenant from '#models/tenant'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { backdate, day, post } from '#tests/functional/statements/_ledger_fixtures'

test.group('Admin / platform fee report', (group) => {
  let a: Tenant
  let b: Tenant
  let admin: PlatformAdmin

  group.each.setup(async () => {
    await resetState()
    ;({ shop: a } = await shopWithOwner('fees-a'))
    ;({ shop: b } = await shopWithOwner('fees-b'))
    admin = await PlatformAdmin.create({
      email: 'fees-admin@lianka.test',
      password: 'Admin-password-2026',
    })
  })

  const get = (client: any, path: string) =>
    client.get(path).header('host', 'localhost').withGuard('admin').loginAs(admin)

  async function seedFees() {
    await post(a, { account: 'platform_fee', amount: 100n })
    await post(a, { account: 'platform_fee', amount: 250n })
    await post(a, { account: 'platform_fee', amount: -50n, kind: 'fee.reversed' })
    await post(b, { account: 'platform_fee', amount: 1_000n })
    await post(b, { account: 'platform_fee', amount: 300n, currency: 'USD' })
    const old = await post(b, { account: 'platform_fee', amount: 99_999n })
    await backdate(b, old.id, new Date(Date.now() - 40 * 86_400_000))
    // revenue is not a fee
    await post(a, { account: 'tenant_available', amount: 777_777n })
  }

  test('guests are sent to the admin login', async ({ client }) => {
    const response = await client
      .get('/admin/reports/fees')
      .header('host', 'localhost')
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/admin/login')
  })

  test('sums fees per shop and currency across shops, with totals, audited', async ({
    client,
    assert,
  }) => {
    await seedFees()
    const response = await get(client, `/admin/reports/fees?from=${day(-7)}&to=${day()}`)
    response.assertStatus(200)
    const html = response.text()
    const row = (slug: string, currency: string) => {
      const start = html.indexOf(`data-shop="${slug}" data-currency="${currency}"`)
      assert.isAbove(start, -1, `${slug} ${currency}`)
      return html.slice(start, html.indexOf('</tr>', start))
    }
    assert.match(row('fees-a', 'CNY'), /3\.50<\/td>[\s\S]*-0\.50<\/td>[\s\S]*3\.00<\/td>[\s\S]*>3</)
    assert.match(row('fees-b', 'CNY'), /10\.00<\/td>[\s\S]*0\.00<\/td>[\s\S]*10\.00<\/td>/)
    assert.match(row('fees-b', 'USD'), /3\.00<\/td>/)
    const cny = html.slice(html.indexOf('data-total="CNY"'))
    assert.match(
      cny,
      /^data-total="CNY">\s*<th>Total \(2 shops\)<\/th>\s*<th>CNY<\/th>\s*<th class="num">13\.50<\/th>\s*<th class="num">-0\.50<\/th>\s*<th class="num">13\.00<\/th>/
    )
    assert.include(html, 'data-total="USD"')
    assert.notInclude(html, '999.99')
    assert.notInclude(html, '7777.77')

    const audit = await db
      .connection('owner')
      .from('platform_audit_events')
      .where({ action: 'platform.access', actor_type: 'platform_admin', actor_id: admin.id })
      .whereRaw(`metadata->>'reason' LIKE 'platform fee report%'`)
    assert.lengthOf(audit, 1)

    const wide = await get(client, `/admin/reports/fees?from=${day(-60)}&to=${day()}`)
    assert.include(wide.text(), '1009.99')
  })

  test('CSV export', async ({ client, assert }) => {
    await seedFees()
    const response = await get(client, `/admin/reports/fees.csv?from=${day(-7)}&to=${day()}`)
    response.assertStatus(200)
    assert.match(response.header('content-type') ?? '', /^text\/csv; charset=utf-8/)
    const text = response.text()
    assert.isTrue(text.startsWith('\uFEFF'))
    const lines = text.slice(1).split('\r\n')
    assert.equal(lines[0], 'Shop,Name,Currency,Charged,Reversed,Net,Entries')
    assert.include(lines, 'fees-a,Shop fees-a,CNY,3.50,-0.50,3.00,3')
    assert.include(lines, 'fees-b,Shop fees-b,CNY,10.00,0.00,10.00,1')
    assert.include(lines, 'fees-b,Shop fees-b,USD,3.00,0.00,3.00,1')
    assert.include(lines, 'Total,,CNY,13.50,-0.50,13.00,')
    assert.include(lines, 'Total,,USD,3.00,0.00,3.00,')
  })

  test('an empty period, Chinese, and bad dates are no 500', async ({ client, assert }) => {
    const empty = await get(client, '/admin/reports/fees').header('accept-language', 'zh-CN')
    empty.assertStatus(200)
    empty.assertTextIncludes('平台服务费报表')
    empty.assertTextIncludes('该期间没有平台服务费。')
    for (const query of [
      '?from=2026-02-30',
      '?from=2020-01-01&to=2026-01-01',
      `?from=${day()}&to=${day(-2)}`,
      '?to[]=x',
      '?from=%00',
    ]) {
      const page = await get(client, `/admin/reports/fees${query}`)
      assert.equal(page.status(), 422, query)
      const csv = await get(client, `/admin/reports/fees.csv${query}`)
      assert.equal(csv.status(), 422, `csv ${query}`)
    }
  })
})
