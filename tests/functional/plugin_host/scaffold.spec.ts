import { test } from '@japa/runner'
import { rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import ace from '@adonisjs/core/services/ace'
import { HookBus, validatePlugin } from '#plugin_host'
import { PluginVeto } from '#plugin_sdk'
import { scaffoldPlugin } from '#plugin_host/scaffold'
import { checkPluginMigrations, loadTranslations } from '#plugin_host/assets'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

test.group('plugin host / make:plugin', () => {
  test('the scaffold is a valid plugin whose filter works', async ({ assert, cleanup }) => {
    const id = `scaffold-${randomBytes(3).toString('hex')}`
    const dir = app.makePath('plugins', id)
    cleanup(() => rm(dir, { recursive: true, force: true }))

    const command = await ace.exec('make:plugin', [id])
    assert.equal(command.exitCode, 0)
    const again = await ace.exec('make:plugin', [id])
    assert.equal(again.exitCode, 1, 'an existing folder is refused')

    const module = await import(`${app.makePath('plugins', id, 'plugin.ts')}`)
    const plugin = module.default
    assert.deepEqual(validatePlugin(plugin, { folderId: id }), [])

    const bus = new HookBus()
    bus.register(plugin)
    const scope = { tenantId: 1, plugins: [{ id, settings: { maxQuantity: 3 } }] }
    const draft = {
      productId: 1,
      quantity: 2,
      contactEmail: 'b@example.test',
      buyerId: null,
      amountMinor: 100n,
      currency: 'CNY',
    }
    assert.deepEqual(await bus.applyFilter('checkout.validate', draft, scope), draft)
    const veto = await bus
      .applyFilter('checkout.validate', { ...draft, quantity: 4 }, scope)
      .catch((e) => e)
    assert.instanceOf(veto, PluginVeto)
    assert.equal(veto.code, 'E_QUANTITY_CAP')
  })

  test('--pages scaffolds a valid plugin with a table, a page, a menu entry', async ({
    assert,
    cleanup,
  }) => {
    const id = `scaffold-${randomBytes(3).toString('hex')}`
    const dir = app.makePath('plugins', id)
    cleanup(() => rm(dir, { recursive: true, force: true }))
    const command = await ace.exec('make:plugin', [id, '--pages'])
    assert.equal(command.exitCode, 0)
    const module = await import(`${app.makePath('plugins', id, 'plugin.ts')}`)
    assert.deepEqual(validatePlugin(module.default, { folderId: id }), [])
    assert.deepEqual(await checkPluginMigrations(join(dir, 'migrations'), id), [])
    const messages = await loadTranslations(join(dir, 'translations'))
    assert.deepEqual(messages.problems, [])
    assert.deepEqual([...messages.messages.keys()].sort(), ['en', 'zh-CN'])
    assert.isTrue(existsSync(join(dir, 'views', 'index.edge')))
  })

  test('a bad id is refused before anything is written', ({ assert }) => {
    assert.throws(() => scaffoldPlugin('Bad_Id'), /plugin id/)
  })
})
