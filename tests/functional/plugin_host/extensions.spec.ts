import { test } from '@japa/runner'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir, hostname } from 'node:os'
import { lookup } from 'node:dns/promises'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import db from '@adonisjs/lucid/services/db'
import mail from '@adonisjs/mail/services/main'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import {
  installPlugin,
  setPluginEnabled,
  syncFirstPartyPlugins,
  validatePlugin,
} from '#plugin_host'
import { hooks } from '#plugin_host/runtime'
import { checkPluginMigrations } from '#plugin_host/assets'
import { createPluginStore, resolvePluginTable } from '#plugin_host/store'
import { setOutboundPolicy } from '#plugin_host/sdk_internals'
import {
  checkOutboundUrl,
  definePlugin,
  isInternalAddress,
  outboundRequest,
  OutboundRefused,
  pluginStore,
  PluginVeto,
} from '#plugin_sdk'
import { createOrder } from '#delivery'
import { hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'

/** A tenant table for the test plugin `test-placed`, protected like a plugin migration's. */
const TABLE = 'plg_test_placed_log'

async function createPluginTable() {
  const owner = db.connection('owner')
  const roles = [env.get('DB_USER'), env.get('DB_PLATFORM_USER')].map((r) => `"${r}"`).join(', ')
  const predicate = `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint`
  await owner.rawQuery(`DROP TABLE IF EXISTS ${TABLE}`)
  await owner.rawQuery(
    `CREATE TABLE ${TABLE} (tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
       id bigserial, order_no text NOT NULL, PRIMARY KEY (tenant_id, id))`
  )
  await owner.rawQuery(`ALTER TABLE ${TABLE} ENABLE ROW LEVEL SECURITY`)
  await owner.rawQuery(`ALTER TABLE ${TABLE} FORCE ROW LEVEL SECURITY`)
  await owner.rawQuery(
    `CREATE POLICY tenant_isolation ON ${TABLE} USING (${predicate}) WITH CHECK (${predicate})`
  )
  await owner.rawQuery(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${TABLE} TO ${roles}`)
  await owner.rawQuery(`GRANT USAGE ON SEQUENCE ${TABLE}_id_seq TO ${roles}`)
}

let mode: 'record' | 'throw' | 'veto' = 'record'
const seen: string[] = []

const placed = definePlugin({
  id: 'test-placed',
  name: 'Placed log',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['orders:read'],
  hooks: {
    'order.placed': async (order, ctx) => {
      seen.push(`${ctx.tenantId}:${order.orderNo}:${order.status}`)
      await pluginStore(ctx).insert('log', { order_no: order.orderNo })
      if (mode === 'throw') throw new Error('boom')
      if (mode === 'veto') throw new PluginVeto('E_NO', 'Not today.')
    },
  },
})

test.group('plugin host / order.placed and the plugin store', (group) => {
  group.setup(async () => {
    await createPluginTable()
    return () => db.connection('owner').rawQuery(`DROP TABLE IF EXISTS ${TABLE}`)
  })
  group.each.setup(async () => {
    await resetState()
    mode = 'record'
    seen.length = 0
    hooks.register(placed)
    await syncFirstPartyPlugins([placed])
    mail.fake()
    return () => {
      hooks.unregister('test-placed')
      mail.restore()
    }
  })

  async function shopWithPlaced(slug: string, enabled = true) {
    const { shop, owner } = await shopWithOwner(slug)
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'test-placed',
      version: '1.0.0',
      consent: ['orders:read'],
    })
    if (enabled) await setPluginEnabled({ ...actor, pluginId: 'test-placed', enabled: true })
    const product = await productOf(shop)
    await addItems(shop, product, 5)
    const buy = () =>
      createOrder({
        tenant: shop.toRef(),
        productId: product.id,
        quantity: 1,
        contactEmail: 'b@example.test',
      })
    return { shop, owner, buy }
  }

  test('runs in the checkout transaction for enabled shops only; writes go with the order', async ({
    assert,
  }) => {
    const a = await shopWithPlaced('placed-a')
    const b = await shopWithPlaced('placed-b', false)
    const { order } = await a.buy()
    await b.buy()
    assert.deepEqual(seen, [`${a.shop.id}:${order.orderNo}:pending`])
    const rows = await rowsOf(TABLE, a.shop)
    assert.deepEqual(
      rows.map((r) => r.order_no),
      [order.orderNo]
    )
    assert.lengthOf(await rowsOf(TABLE, b.shop), 0)

    // A veto from an action refuses the operation: the order and the plugin's row roll back.
    mode = 'veto'
    const vetoed = await a.buy().catch((e) => e)
    assert.instanceOf(vetoed, PluginVeto)
    assert.lengthOf(await rowsOf('orders', a.shop), 1)
    assert.lengthOf(await rowsOf(TABLE, a.shop), 1)
  })

  test('a throwing action is skipped: the order is placed and the merchant alerted', async ({
    assert,
  }) => {
    const a = await shopWithPlaced('placed-throw')
    mode = 'throw'
    await a.buy()
    assert.lengthOf(await rowsOf('orders', a.shop), 1)
    const alerts = await rowsOf('merchant_alerts', a.shop).where('kind', 'plugin_failure')
    assert.lengthOf(alerts, 1)
    assert.deepInclude(alerts[0].data, { pluginId: 'test-placed', hook: 'order.placed' })
  })

  test('the store: own tables only, tenant-scoped, host-issued contexts only', async ({
    assert,
  }) => {
    const a = await shopWithPlaced('store-a')
    const b = await shopWithPlaced('store-b')
    await a.buy()
    await b.buy()
    assert.throws(() => pluginStore({ tenantId: a.shop.id, pluginId: 'test-placed' }), /context/)
    for (const name of ['orders;', 'public.orders', 'Orders', '', 'plg_test_placed_']) {
      assert.throws(() => resolvePluginTable('test-placed', name), /E_PLUGIN_STORE/, name)
    }
    assert.equal(resolvePluginTable('test-placed', 'log'), TABLE)
    // Another plugin's table name is read as a name inside this plugin's namespace.
    assert.equal(
      resolvePluginTable('test-placed', 'plg_notify_webhook_deliveries'),
      'plg_test_placed_plg_notify_webhook_deliveries'
    )

    const storeA = createPluginStore({ tenantId: a.shop.id, pluginId: 'test-placed' })
    const rowsA = await storeA.find('log')
    assert.lengthOf(rowsA, 1)
    assert.isTrue(rowsA.every((r) => Number(r.tenant_id) === a.shop.id))
    const [rowB] = await rowsOf(TABLE, b.shop)
    assert.equal(await storeA.update('log', { id: rowB.id }, { order_no: 'X' }), 0)
    assert.equal(await storeA.delete('log', { id: rowB.id }), 0)
    assert.isNull(await storeA.first('log', { id: rowB.id }))
    await assert.rejects(
      () => storeA.find('log', { tenant_id: b.shop.id } as any),
      /E_PLUGIN_STORE/
    )
    await assert.rejects(() => storeA.update('log', {}, { order_no: 'X' }), /condition/)
    const [afterB] = await rowsOf(TABLE, b.shop)
    assert.equal(afterB.order_no, rowB.order_no)
    assert.equal(await storeA.count('log'), 1)
  })
})

test.group('plugin host / plugin migrations, routes, outbound fence', () => {
  test('migrations may only touch plg_<id>_* tables, with literal names and no raw SQL', async ({
    assert,
    cleanup,
  }) => {
    assert.deepEqual(
      await checkPluginMigrations(
        app.makePath('plugins/notify-webhook/migrations'),
        'notify-webhook'
      ),
      []
    )
    const dir = await mkdtemp(join(tmpdir(), 'plg-mig-'))
    cleanup(() => rm(dir, { recursive: true, force: true }))
    await mkdir(dir, { recursive: true })
    await writeFile(
      join(dir, '0001_bad.ts'),
      `import { BaseSchema } from '#plugin_sdk/migrations'
       import db from '@adonisjs/lucid/services/db'
       export default class extends BaseSchema {
         async up() {
           this.schema.createTable('orders_copy', (table) => { table.increments('id') })
           this.schema.alterTable('plg_other_x', () => {})
           this.schema.renameTable('plg_my_plug_a', 'users2')
           const name = 'x'
           this.schema.dropTable(name)
           this.schema.raw('DROP TABLE orders')
         }
       }`
    )
    const problems = await checkPluginMigrations(dir, 'my-plug')
    assert.includeMembers(problems, [
      'migrations/0001_bad.ts: table "orders_copy" is outside the plugin\'s prefix plg_my_plug_',
      'migrations/0001_bad.ts: table "plg_other_x" is outside the plugin\'s prefix plg_my_plug_',
      'migrations/0001_bad.ts: table "users2" is outside the plugin\'s prefix plg_my_plug_',
      'migrations/0001_bad.ts: dropTable() needs a literal table name',
      'migrations/0001_bad.ts: raw SQL is not allowed in plugin migrations',
      'migrations/0001_bad.ts: may import only #plugin_sdk/migrations (@adonisjs/lucid/services/db)',
    ])
  })

  test("routes need merchant:menu, valid paths, and stay off the host's management paths", ({
    assert,
  }) => {
    const base = { id: 'pages-x', name: 'X', version: '1.0.0', engine: '^1.0.0' }
    const handler = (p: any) => p.notFound()
    assert.deepEqual(
      validatePlugin({
        ...base,
        permissions: ['merchant:menu'],
        routes: [
          { method: 'GET', path: '/', handler },
          { method: 'POST', path: '/items/:id/redo', handler },
        ],
      }),
      []
    )
    const problems = validatePlugin({
      ...base,
      permissions: [],
      migrations: 'db',
      routes: [
        { method: 'GET', path: '/settings', handler },
        { method: 'PUT', path: 'x', handler },
        { method: 'GET', path: '/a/:id', handler },
        { method: 'GET', path: '/a/:other', handler },
        { method: 'GET', path: '/b' },
      ],
    })
    assert.includeMembers(problems, [
      'routes: needs the "merchant:menu" permission',
      'routes[0].path: "/settings" is reserved by the host',
      'routes[1].method: GET or POST',
      'routes[1].path: "/" or "/words/:param" (lower-case segments)',
      'routes[3]: GET /a/:other is declared twice',
      'routes[4].handler: a function',
      'migrations: "migrations" (the folder plugins/<id>/migrations)',
    ])
  })

  test('outbound requests: http(s) only; internal addresses refused unless allowed', async ({
    assert,
    cleanup,
  }) => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      assert.isTrue(isInternalAddress(ip), ip)
    }
    for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) {
      assert.isFalse(isInternalAddress(ip), ip)
    }
    const server = createServer((_req, res) => res.end('hi'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    cleanup(() => {
      server.close()
      setOutboundPolicy({ allowPrivate: true })
    })

    setOutboundPolicy({ allowPrivate: false })
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/',
      'gopher://x',
      'not a url',
      'http://user:pw@example.com/',
    ]) {
      assert.throws(() => checkOutboundUrl(url), OutboundRefused)
    }
    for (const url of [
      `http://127.0.0.1:${port}/`,
      'http://localhost/',
      'http://[::1]/',
      'http://169.254.169.254/latest',
      'http://10.0.0.1/',
    ]) {
      assert.throws(() => checkOutboundUrl(url), /private or loopback/)
    }
    await assert.rejects(() => outboundRequest(`http://127.0.0.1:${port}/`), /private or loopback/)
    // A name that resolves to a loopback address is refused when connecting (DNS checked).
    const name = hostname()
    const resolved = await lookup(name).catch(() => null)
    if (resolved && isInternalAddress(resolved.address)) {
      await assert.rejects(
        () => outboundRequest(`http://${name}:${port}/`),
        /resolves to a private address/
      )
    }

    setOutboundPolicy({ allowPrivate: true })
    const ok = await outboundRequest(`http://127.0.0.1:${port}/`, { method: 'GET' })
    assert.deepEqual(ok, { status: 200, body: 'hi' })

    // A server that never answers: the request gives up at its timeout.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanup(() => {
      silent.closeAllConnections()
      silent.close()
    })
    const silentPort = (silent.address() as AddressInfo).port
    const started = Date.now()
    await assert.rejects(
      () => outboundRequest(`http://127.0.0.1:${silentPort}/`, { body: '{}', timeoutMs: 200 }),
      /timeout/
    )
    assert.isBelow(Date.now() - started, 2000)
  })
})

/** A plugin whose pages misbehave (no views folder): the merchant gets a clear 503. */
const broken = definePlugin({
  id: 'test-broken-pages',
  name: 'Broken pages',
  version: '1.0.0',
  engine: '^1.0.0',
  permissions: ['merchant:menu'],
  routes: [
    {
      method: 'GET',
      path: '/boom',
      handler: () => {
        throw new Error('undefined is not a function')
      },
    },
    { method: 'GET', path: '/away', handler: (p) => p.redirect('//evil.example/') },
    { method: 'GET', path: '/view', handler: (p) => p.render('nothing') },
    {
      method: 'GET',
      path: '/slow',
      timeoutMs: 50,
      handler: (p) => new Promise((resolve) => setTimeout(() => resolve(p.notFound()), 1000)),
    },
    { method: 'GET', path: '/missing', handler: (p) => p.notFound() },
    { method: 'POST', path: '/go/:to', handler: (p) => p.redirect(`/${p.params.to}`) },
  ],
})

test.group('plugin host / plugin pages that fail', (group) => {
  group.each.setup(async () => {
    await resetState()
    hooks.register(broken)
    await syncFirstPartyPlugins([broken])
    return () => hooks.unregister('test-broken-pages')
  })

  test('errors, timeouts, bad redirects and missing views answer 503, never a 500', async ({
    client,
  }) => {
    const { shop, owner } = await shopWithOwner('broken-pages')
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'test-broken-pages',
      version: '1.0.0',
      consent: ['merchant:menu'],
    })
    await setPluginEnabled({ ...actor, pluginId: 'test-broken-pages', enabled: true })
    const base = '/merchant/plugins/test-broken-pages'
    for (const path of ['/boom', '/away', '/view', '/slow']) {
      const response = await client
        .get(base + path)
        .header('host', hostOf(shop))
        .loginAs(owner)
      response.assertStatus(503)
      response.assertTextIncludes('This plugin page is not working right now.')
    }
    const missing = await client
      .get(base + '/missing')
      .header('host', hostOf(shop))
      .loginAs(owner)
    missing.assertStatus(404)
    const go = await client
      .post(base + '/go/next')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
      .redirects(0)
    go.assertStatus(302)
    go.assertHeader('location', `${base}/next`)
  })
})
