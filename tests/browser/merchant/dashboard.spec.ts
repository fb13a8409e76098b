import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import StaffInvitationMail from '#mails/merchant/staff_invitation_mail'
import { PASSWORD, shopWithOwner } from '#tests/functional/merchant/_fixtures'
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

test.group('browser / merchant dashboard', (group) => {
  useBrowser(group)
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('an owner of a shop under review logs in on a phone in Chinese, invites staff and logs out', async ({
    assert,
    cleanup,
  }) => {
    const { mails } = mail.fake()
    const slug = `dash-${randomBytes(4).toString('hex')}`
    const { owner } = await shopWithOwner(slug, 'pending_review')
    const invitee = `helper-${randomBytes(4).toString('hex')}@example.com`
    const page = await newPage(cleanup, { ...PHONE, ...freshClient(), locale: 'zh-CN' })

    await page.goto(shopUrl(slug, '/merchant/login'))
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    assert.isTrue(await page.getByRole('heading', { name: `登录 Shop ${slug}` }).isVisible())
    await page.getByLabel('邮箱', { exact: true }).fill(owner.email)
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()

    await page.waitForURL(shopUrl(slug, '/merchant'))
    assert.isTrue(await page.getByRole('heading', { name: `Shop ${slug}` }).isVisible())
    assert.isTrue(
      await page
        .getByText('店铺正在审核中：你可以先布置店铺，买家暂时无法下单。', { exact: true })
        .isVisible(),
      'the under-review banner'
    )
    assert.isTrue(await page.getByText('审核中', { exact: true }).isVisible())
    assert.isTrue(await page.getByText(`当前登录：${owner.email}（店主）`).isVisible())
    assert.isFalse(await overflowsHorizontally(page), 'no sideways scrolling on a phone')
    await screenshot(page, 'merchant-dashboard-phone-zh-CN')

    await page.getByRole('link', { name: '员工', exact: true }).click()
    await page.waitForURL(shopUrl(slug, '/merchant/staff'))
    assert.isTrue(await page.getByText('没有待接受的邀请。').isVisible())

    await page.getByLabel('邮箱', { exact: true }).fill(invitee)
    await clickAndLoad(page.getByRole('button', { name: '发送邀请' }))
    assert.equal(page.url(), shopUrl(slug, '/merchant/staff'))
    assert.equal(
      await page.getByRole('status').filter({ hasText: invitee }).innerText(),
      `已向 ${invitee} 发送邀请。`
    )

    const invitations = page
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: '待接受的邀请' }) })
    const row = invitations.getByRole('row').filter({ hasText: invitee })
    assert.equal(await row.count(), 1, 'the invitation is listed as pending')
    assert.isTrue(await row.getByRole('button', { name: '取消邀请' }).isVisible())
    assert.equal(await page.getByText('没有待接受的邀请。').count(), 0)
    assert.isFalse(await overflowsHorizontally(page))
    await screenshot(page, 'merchant-staff-phone-zh-CN')

    const sent = mails
      .queued()
      .concat(mails.sent())
      .filter((message) => message instanceof StaffInvitationMail)
    assert.lengthOf(sent, 1, 'one invitation mail')
    assert.equal(sent[0].to, invitee)

    await page.getByRole('button', { name: '退出' }).click()
    await page.waitForURL(shopUrl(slug, '/merchant/login'))
    assert.isTrue(await page.getByText('你已退出登录。').isVisible())

    await page.goto(shopUrl(slug, '/merchant'))
    await page.waitForURL(shopUrl(slug, '/merchant/login'))
    assert.isTrue(await page.getByRole('button', { name: '登录' }).isVisible())
  })
})
