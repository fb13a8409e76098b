import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import PlatformAdmin from '#models/platform_admin'
import { createShop, createUser } from '#tests/functional/platform/helpers'
import {
  DESKTOP,
  clickAndLoad,
  freshClient,
  newPage,
  platformUrl,
  screenshot,
  shopUrl,
  useBrowser,
} from '#tests/helpers/browser'

const ADMIN_PASSWORD = 'Admin-password-2026'

function unique(prefix: string) {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

/** A platform admin (emails are global, so each test gets its own). */
function createAdmin() {
  return PlatformAdmin.create({
    email: `${unique('root')}@lianka.test`,
    password: ADMIN_PASSWORD,
    fullName: 'Root',
  })
}

async function logIn(page: Page, admin: PlatformAdmin) {
  await page.goto(platformUrl('/admin/login'))
  await page.getByLabel('Email', { exact: true }).fill(admin.email)
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(platformUrl('/admin'))
}

const OPENING_SOON = 'This shop is not taking orders yet.'

test.group('browser / admin shop review', (group) => {
  useBrowser(group)

  test('an admin approves a pending shop and its storefront opens at once', async ({
    assert,
    cleanup,
  }) => {
    const admin = await createAdmin()
    const owner = await createUser(`${unique('owner')}@example.com`)
    const shop = await createShop(unique('waiting'), owner, 'pending_review')
    const page = await newPage(cleanup, { ...DESKTOP, ...freshClient(), locale: 'en' })

    // The storefront is seen (and its status cached) before the decision.
    const storefront = await page.context().newPage()
    await storefront.goto(shopUrl(shop.slug))
    assert.isTrue(await storefront.getByText(OPENING_SOON).isVisible())

    await logIn(page, admin)
    assert.isTrue(await page.getByRole('heading', { name: 'Dashboard' }).isVisible())
    assert.isTrue(await page.getByText(`Signed in as ${admin.email}.`).isVisible())
    await page.getByRole('link', { name: 'Shops', exact: true }).click()
    await page.waitForURL(platformUrl('/admin/shops'))
    assert.isTrue(await page.getByRole('heading', { name: 'Shop review' }).isVisible())

    const row = page.getByRole('row').filter({ hasText: shop.slug })
    assert.isTrue(await row.getByText(owner.email).isVisible(), 'the owner is listed')
    await row.getByRole('link', { name: `Shop ${shop.slug}` }).click()
    await page.waitForURL(platformUrl(`/admin/shops/${shop.id}`))
    assert.isTrue(await page.getByRole('heading', { name: `Shop ${shop.slug}` }).isVisible())
    assert.isTrue(await page.getByText('Pending review', { exact: true }).isVisible())
    assert.isTrue(await page.getByText(owner.email).isVisible())
    await screenshot(page, 'admin-shop-pending-desktop-en')

    await clickAndLoad(page.getByRole('button', { name: 'Approve' }))
    assert.equal(page.url(), platformUrl(`/admin/shops/${shop.id}`))
    assert.equal(await page.getByRole('status').innerText(), 'The shop is approved and open.')
    assert.isTrue(await page.getByText('Active', { exact: true }).isVisible())
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0)

    await storefront.reload()
    assert.isTrue(await storefront.getByRole('heading', { name: `Shop ${shop.slug}` }).isVisible())
    assert.equal(await storefront.getByText(OPENING_SOON).count(), 0, 'no opening-soon notice')
  })

  test('an admin suspends an open shop and its host shows the suspended notice', async ({
    assert,
    cleanup,
  }) => {
    const admin = await createAdmin()
    const owner = await createUser(`${unique('owner')}@example.com`)
    const shop = await createShop(unique('busy'), owner, 'active')
    const page = await newPage(cleanup, { ...DESKTOP, ...freshClient(), locale: 'en' })

    const storefront = await page.context().newPage()
    const open = await storefront.goto(shopUrl(shop.slug))
    assert.equal(open?.status(), 200)
    assert.isTrue(await storefront.getByRole('heading', { name: `Shop ${shop.slug}` }).isVisible())

    await logIn(page, admin)
    await page.getByRole('link', { name: 'Shops', exact: true }).click()
    await page.getByRole('link', { name: 'Active', exact: true }).click()
    await page.waitForURL(platformUrl('/admin/shops?status=active'))
    await page.getByRole('link', { name: `Shop ${shop.slug}` }).click()
    await page.waitForURL(platformUrl(`/admin/shops/${shop.id}`))

    await page.getByLabel('Note or reason').fill('Chargebacks')
    await clickAndLoad(page.getByRole('button', { name: 'Suspend' }))
    assert.equal(page.url(), platformUrl(`/admin/shops/${shop.id}`))
    assert.equal(await page.getByRole('status').innerText(), 'The shop is suspended.')
    assert.isTrue(await page.getByText('Suspended', { exact: true }).isVisible())
    assert.isTrue(await page.getByRole('button', { name: 'Reinstate' }).isVisible())
    await screenshot(page, 'admin-shop-suspended-desktop-en')

    const notice = await storefront.goto(shopUrl(shop.slug))
    assert.equal(notice?.status(), 403)
    assert.isTrue(await storefront.getByRole('heading', { name: 'Shop suspended' }).isVisible())
    assert.isTrue(
      await storefront
        .getByText('This shop has been suspended by the platform and cannot take orders.')
        .isVisible()
    )
    const login = await storefront.goto(shopUrl(shop.slug, '/account/login'))
    assert.equal(login?.status(), 403, 'every page of the shop is closed, not just the home')
  })
})
