import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import VerifyEmailNotification from '#mails/verify_email_notification'
import {
  DESKTOP,
  clickAndLoad,
  PHONE,
  freshClient,
  newPage,
  onTestServer,
  overflowsHorizontally,
  platformUrl,
  screenshot,
  useBrowser,
} from '#tests/helpers/browser'

/** Something no other test (or earlier run) has used: emails and slugs are global. */
function unique(prefix: string) {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

async function countTenants() {
  const [row] = await db.connection('platform').from('tenants').count('* as n')
  return Number(row.n)
}

test.group('browser / platform sign-up', (group) => {
  useBrowser(group)
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('a merchant opens a shop on a phone and confirms the address from the mail', async ({
    assert,
    cleanup,
  }) => {
    const { mails } = mail.fake()
    const email = `${unique('owner')}@example.com`
    const slug = unique('moon')
    const password = 'correct horse 42 battery'
    const page = await newPage(cleanup, { ...PHONE, ...freshClient(), locale: 'en' })

    await page.goto(platformUrl('/'))
    await page.getByRole('link', { name: 'Open your shop' }).click()
    await page.waitForURL(platformUrl('/signup'))
    assert.isTrue(await page.getByRole('heading', { name: 'Open your shop' }).isVisible())
    assert.isFalse(await overflowsHorizontally(page), 'no sideways scrolling on a phone')

    await page.getByLabel('Email', { exact: true }).fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByLabel('Repeat password', { exact: true }).fill(password)
    await page.getByLabel('Shop name', { exact: true }).fill('Moon Cards')
    await page.getByLabel('Shop address', { exact: true }).fill(slug)
    await screenshot(page, 'platform-signup-phone-en')
    await page.getByRole('button', { name: 'Create my shop' }).click()

    await page.waitForURL(platformUrl('/signup/done'))
    assert.isTrue(await page.getByRole('heading', { name: 'Check your inbox' }).isVisible())
    assert.isTrue(
      await page.getByText(`We have sent an email to ${email} with the next step.`).isVisible()
    )
    assert.isFalse(await overflowsHorizontally(page))

    const sent = mails
      .queued()
      .find((message) => message instanceof VerifyEmailNotification && message.to === email)
    assert.exists(sent, 'the verification mail was sent')
    await sent!.buildWithContents()
    const html = sent!.message.toJSON().message.html as string

    // Read the mail like the merchant would (in its own tab: a mail client, not our site's
    // CSP, renders it) and follow its button.
    const inbox = await page.context().newPage()
    await inbox.setContent(html)
    const href = await inbox.getByRole('link', { name: 'Confirm my address' }).getAttribute('href')
    await inbox.close()
    assert.isString(href)
    await page.goto(onTestServer(href!))
    assert.isTrue(await page.getByRole('heading', { name: 'Email verification' }).isVisible())
    assert.equal(
      await page.getByRole('status').innerText(),
      'Thank you, your email address is confirmed.'
    )
    assert.isTrue(await page.getByRole('link', { name: 'Log in' }).first().isVisible())
    await screenshot(page, 'platform-verified-phone-en')
  })

  test('a reserved address and a weak password are explained next to the fields, in Chinese', async ({
    assert,
    cleanup,
  }) => {
    const { mails } = mail.fake()
    const email = `${unique('owner')}@example.com`
    const tenantsBefore = await countTenants()
    const page = await newPage(cleanup, { ...DESKTOP, ...freshClient(), locale: 'zh-CN' })

    await page.goto(platformUrl('/'))
    await page.getByRole('link', { name: '免费开店' }).first().click()
    await page.waitForURL(platformUrl('/signup'))
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')

    await page.getByLabel('邮箱', { exact: true }).fill(email)
    await page.getByLabel('密码', { exact: true }).fill('passwordpassword')
    await page.getByLabel('确认密码', { exact: true }).fill('passwordpassword')
    await page.getByLabel('店铺名称', { exact: true }).fill('月光卡铺')
    await page.getByLabel('店铺地址', { exact: true }).fill('admin')
    await clickAndLoad(page.getByRole('button', { name: '创建店铺' }))
    assert.equal(page.url(), platformUrl('/signup'), 'back on the form')
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')

    /** The block that holds a field's label, input, hint and error. */
    const fieldOf = (label: string) =>
      page.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) })
    const errorOf = (label: string) => fieldOf(label).locator('.error')

    assert.equal(await errorOf('密码').textContent(), '密码必须同时包含字母和数字。')
    assert.equal(await errorOf('店铺地址').textContent(), '该店铺地址为系统保留，请换一个。')
    assert.equal(await errorOf('邮箱').count(), 0, 'the email was fine')
    assert.equal(await errorOf('店铺名称').count(), 0, 'the shop name was fine')
    assert.equal(
      await page.getByLabel('店铺地址', { exact: true }).getAttribute('aria-invalid'),
      'true'
    )

    assert.equal(await page.getByLabel('邮箱', { exact: true }).inputValue(), email)
    assert.equal(await page.getByLabel('店铺名称', { exact: true }).inputValue(), '月光卡铺')
    assert.equal(await page.getByLabel('店铺地址', { exact: true }).inputValue(), 'admin')
    assert.equal(
      await page.getByLabel('密码', { exact: true }).inputValue(),
      '',
      'passwords are never sent back'
    )
    await screenshot(page, 'platform-signup-errors-desktop-zh-CN')

    assert.equal(await countTenants(), tenantsBefore, 'no shop was created')
    const user = await db.connection('platform').from('users').where('email', email).first()
    assert.notExists(user, 'no account was created')
    mails.assertNoneQueued()
  })
})
