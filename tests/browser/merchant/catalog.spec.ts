import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { test } from '@japa/runner'
import drive from '@adonisjs/drive/services/main'
import { withTenant } from '#tenancy'
import { findProduct } from '#delivery'
import { PASSWORD, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { addItems } from '#tests/functional/delivery/_fixtures'
import { TINY_PNG } from '#tests/functional/catalog_form/_fixtures'
import {
  PHONE,
  clickAndLoad,
  freshClient,
  newPage,
  overflowsHorizontally,
  screenshot,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

/** Natural widths of the matched images once loaded (a broken image has naturalWidth 0). */
async function imagesLoaded(page: Page, selector: string): Promise<number[]> {
  // Function predicates, not strings: a string is eval'd in the page, which its CSP refuses.
  await page.waitForFunction(
    (sel) => [...(globalThis as any).document.querySelectorAll(sel)].every((img) => img.complete),
    selector
  )
  return page.evaluate(
    (sel): number[] =>
      [...(globalThis as any).document.querySelectorAll(sel)].map((img) => img.naturalWidth),
    selector
  )
}

test.group('browser / merchant catalog', (group) => {
  useBrowser(group)

  test('on a phone in Chinese: a product with tiers and an image, then the storefront shows it', async ({
    assert,
    cleanup,
  }) => {
    const slug = `cat-${randomBytes(4).toString('hex')}`
    const { shop, owner } = await shopWithOwner(slug)
    const page = await newPage(cleanup, { ...PHONE, ...freshClient(), locale: 'zh-CN' })

    await page.goto(shopUrl(slug, '/merchant/login'))
    await page.getByLabel('邮箱', { exact: true }).fill(owner.email)
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL(shopUrl(slug, '/merchant'))

    await page.goto(shopUrl(slug, '/merchant/products/new'))
    assert.isTrue(await page.getByRole('heading', { name: '新建商品' }).isVisible())
    await page.getByLabel('名称', { exact: true }).fill('Steam 充值卡')
    await page.getByLabel('或新建分类').fill('游戏')
    await page.getByLabel('价格', { exact: true }).fill('12.50')
    await page.getByLabel('阶梯 1：起购数量').fill('10')
    await page.getByLabel('阶梯 1：单价').fill('11')
    await page.getByLabel('阶梯 2：起购数量').fill('50')
    await page.getByLabel('阶梯 2：单价').fill('9.90')
    await page.getByLabel('最多购买数量').fill('100')
    await page.getByLabel('状态', { exact: true }).selectOption('active')
    await page.getByLabel('向买家显示库存').selectOption('exact')
    await page
      .getByLabel('商品描述', { exact: true })
      .fill('<p>全球<strong>通用</strong></p><script>alert(1)</script>')
    assert.isFalse(await overflowsHorizontally(page), 'the form fits a phone')
    await screenshot(page, 'merchant-product-form-phone-zh-CN')
    await clickAndLoad(page.getByRole('button', { name: '保存' }))

    assert.match(page.url(), /\/merchant\/products\/\d+\/edit$/)
    assert.isTrue(await page.getByText('商品已保存。').isVisible())
    assert.equal(await page.getByLabel('阶梯 2：单价').inputValue(), '9.90')
    const productId = Number(/products\/(\d+)\/edit/.exec(page.url())![1])

    await page.getByLabel('图片文件').setInputFiles({
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: TINY_PNG,
    })
    await clickAndLoad(page.getByRole('button', { name: '上传图片' }))
    assert.isTrue(await page.getByText('图片已添加。').isVisible())
    assert.deepEqual(await imagesLoaded(page, '.image-manager img'), [1])
    assert.isTrue(await page.getByText('封面', { exact: true }).isVisible())
    assert.isFalse(await overflowsHorizontally(page))
    await screenshot(page, 'merchant-product-images-phone-zh-CN')

    const [key] = await withTenant(async (trx) => {
      const product = await findProduct(trx, shop.id, productId)
      return product!.images
    }, shop.toRef())
    assert.isTrue(await drive.use().exists(key))
    const product = await withTenant((trx) => findProduct(trx, shop.id, productId), shop.toRef())
    await addItems(shop, product!, 3)

    await page.goto(shopUrl(slug, '/'))
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    assert.isTrue(await page.getByRole('heading', { name: '游戏' }).isVisible())
    const item = page.locator('.product-item').filter({ hasText: 'Steam 充值卡' })
    assert.isTrue(await item.getByText('CNY 12.50').isVisible())
    assert.isTrue(await item.getByText('库存 3').isVisible())
    assert.deepEqual(await imagesLoaded(page, '.product-item img.cover'), [1])
    assert.isFalse(await overflowsHorizontally(page))
    await screenshot(page, 'storefront-catalog-phone-zh-CN')

    await clickAndLoad(item.getByRole('link'))
    assert.equal(page.url(), shopUrl(slug, `/p/${productId}`))
    assert.isTrue(await page.getByRole('heading', { name: 'Steam 充值卡' }).isVisible())
    assert.deepEqual(await imagesLoaded(page, '.gallery-strip img'), [1])
    const tiers = page.getByRole('table', { name: '批发价' })
    assert.equal(
      await tiers.getByRole('row').filter({ hasText: '10 件及以上' }).innerText(),
      '10 件及以上\tCNY 11.00'
    )
    assert.isTrue(await tiers.getByText('CNY 9.90').isVisible())
    assert.isTrue(await page.getByText('每单最多购买：100').isVisible())
    assert.equal(await page.locator('.rich-text strong').innerText(), '通用')
    assert.equal(await page.locator('.rich-text script').count(), 0)
    assert.isTrue(await page.getByRole('button', { name: '下单' }).isVisible())
    assert.isFalse(await overflowsHorizontally(page))
    await screenshot(page, 'storefront-product-phone-zh-CN')
  })
})
