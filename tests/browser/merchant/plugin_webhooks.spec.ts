import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import webhook from '#plugins/notify-webhook/plugin'
import { createOrder } from '#delivery'
import { PASSWORD, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems, pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import {
  PHONE,
  clickAndLoad,
  freshClient,
  newPage,
  overflowsHorizontally,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

test.group('browser / merchant plugin pages', (group) => {
  useBrowser(group)

  test('on a phone in Chinese: the webhooks menu entry, the delivery log, replay', async ({
    assert,
    cleanup,
  }) => {
    let posts = 0
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        posts++
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`

    await syncFirstPartyPlugins([webhook])
    const slug = `whb-${randomBytes(4).toString('hex')}`
    const { shop, owner } = await shopWithOwner(slug)
    const actor = { tenant: shop.toRef(), userId: owner.id }
    await installPlugin({
      ...actor,
      pluginId: 'notify-webhook',
      version: '1.0.0',
      consent: ['orders:read', 'network:outbound', 'merchant:menu'],
    })
    await savePluginSettings({
      ...actor,
      pluginId: 'notify-webhook',
      values: { endpoint, signingSecret: 'browser-test-secret-0123456789', onPaid: true },
    })
    await setPluginEnabled({ ...actor, pluginId: 'notify-webhook', enabled: true })
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: 'buyer@example.test',
    })
    await pay(shop, order.orderNo, order.amountMinor, 'T-WHB')
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const rows = await rowsOf('plg_notify_webhook_deliveries', shop)
      if (rows[0]?.status === 'delivered') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    const page = await newPage(cleanup, { ...PHONE, ...freshClient(), locale: 'zh-CN' })
    await page.goto(shopUrl(slug, '/merchant/login'))
    await page.getByLabel('邮箱', { exact: true }).fill(owner.email)
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(shopUrl(slug, '/merchant'))

    await clickAndLoad(page.getByRole('link', { name: 'Webhook', exact: true }))
    assert.equal(page.url(), shopUrl(slug, '/merchant/plugins/notify-webhook/'))
    assert.isTrue(await page.getByRole('heading', { name: 'Webhook 投递记录' }).isVisible())
    assert.isTrue(await page.getByRole('cell', { name: '已送达' }).first().isVisible())
    assert.isFalse(await overflowsHorizontally(page), 'the log fits a phone')

    await clickAndLoad(page.getByRole('button', { name: '重新发送' }))
    assert.isTrue(
      await page.getByRole('status').getByText('已重新发送：对方返回 204。').isVisible()
    )
    assert.equal(posts, 2)
  })
})
