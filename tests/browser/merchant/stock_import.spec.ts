import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import { PASSWORD, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { productOf } from '#tests/functional/delivery/_fixtures'
import {
  DESKTOP,
  freshClient,
  newPage,
  screenshot,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

test.group('browser / merchant stock import with progress', (group) => {
  useBrowser(group)
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('an upload goes through the script: progress bar, then the report page', async ({
    assert,
    cleanup,
  }) => {
    const slug = `stock-${randomBytes(4).toString('hex')}`
    const { shop, owner } = await shopWithOwner(slug)
    const product = await productOf(shop)
    const page = await newPage(cleanup, { ...DESKTOP, ...freshClient(), locale: 'en' })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto(shopUrl(slug, '/merchant/login'))
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(shopUrl(slug, '/merchant'))

    await page.goto(shopUrl(slug, `/merchant/products/${product.id}/stock`))
    const lines = Array.from(
      { length: 30_000 },
      (_, i) => `BROWSER-${i}-${randomBytes(6).toString('hex')}`
    )
    await page.getByLabel('Or upload a .txt / .csv file (max 20 MB)').setInputFiles({
      name: 'keys.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(lines.join('\n')),
    })
    await page.getByLabel('Supplier note (optional, up to 500 characters)').fill('From the browser')
    const progress = page.locator('.import-progress')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await progress.waitFor({ state: 'visible' })
    assert.isTrue(await page.locator('progress#import-progress-bar').isVisible())

    await page.waitForURL(/\/stock\?import=[0-9a-f]{32}$/, { timeout: 60_000 })
    assert.isTrue(await page.getByText('Added: 30000', { exact: true }).isVisible())
    assert.isTrue(await page.getByRole('cell', { name: 'keys.txt' }).isVisible())
    assert.isTrue(await page.getByRole('cell', { name: 'From the browser' }).isVisible())
    assert.deepEqual(errors, [])
    await screenshot(page, 'merchant-stock-import-report')

    const [{ n }] = await db
      .connection('platform')
      .from('card_items')
      .where('tenant_id', shop.id)
      .count('* as n')
    assert.equal(Number(n), 30_000)
  }).timeout(90_000)
})
