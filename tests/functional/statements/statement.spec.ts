import { test } from '@japa/runner'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import {
  addMember,
  createUser,
  freshIp,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { backdate, day, post } from '#tests/functional/statements/_ledger_fixtures'
import { parseStatementQuery } from '#ledger/statements/statement_query'
import { getStatement, statementLines } from '#ledger/statements/get_statement'

test.group('Merchant / account statement', (group) => {
  let shop: Tenant
  let owner: User
  let other: Tenant

  group.each.setup(async () => {
    await resetState()
    ;({ shop, owner } = await shopWithOwner('stmt-a'))
    ;({ shop: other } = await shopWithOwner('stmt-b'))
  })

  const page = (client: any, user: User, query: string, s: Tenant = shop) =>
    client
      .get(`/merchant/statement${query}`)
      .header('host', hostOf(s))
      .header('x-forwarded-for', freshIp())
      .loginAs(user)

  test('opening + entries of the period = closing, with a running balance', async ({
    client,
    assert,
  }) => {
    const old1 = await post(shop, { amount: 10_000n, memo: { order: 'OLD-1' } })
    const old2 = await post(shop, { amount: -2_550n, memo: { order: 'OLD-2' } })
    await backdate(shop, old1.id, new Date(Date.now() - 10 * 86_400_000))
    await backdate(shop, old2.id, new Date(Date.now() - 9 * 86_400_000))
    await post(shop, { amount: 1_234n, kind: 'order.paid', memo: { order: 'NEW-1' } })
    await post(shop, { amount: -34n, kind: 'fee.charged', memo: { order: 'NEW-2' } })
    // other accounts and currencies of the same shop stay out
    await post(shop, { amount: 999_999n, account: 'tenant_pending' })
    await post(shop, { amount: 777_777n, currency: 'USD' })

    const response = await page(
      client,
      owner,
      `?account=tenant_available&from=${day(-3)}&to=${day()}`
    )
    response.assertStatus(200)
    const html = response.text()
    assert.include(html, 'data-opening>74.50<')
    assert.include(html, 'data-money-in>12.34<')
    assert.include(html, 'data-money-out>-0.34<')
    assert.include(html, 'data-closing>86.50<')
    assert.include(html, 'NEW-1')
    assert.include(html, 'NEW-2')
    assert.notInclude(html, 'OLD-1')
    assert.notInclude(html, '9999.99')
    assert.notInclude(html, '7777.77')
    // running balance: 74.50 + 12.34 = 86.84, then - 0.34 = 86.50
    assert.isBelow(html.indexOf('86.84'), html.lastIndexOf('86.50'))

    const whole = await page(client, owner, `?from=${day(-30)}&to=${day()}`)
    whole.assertStatus(200)
    assert.include(whole.text(), 'data-opening>0.00<')
    assert.include(whole.text(), 'data-closing>86.50<')
  })

  test('another shop never sees the entries of this one', async ({ client, assert }) => {
    await post(shop, { amount: 5_000n, memo: { order: 'MINE-A' } })
    await post(other, { amount: 8_000n, memo: { order: 'SECRET-B' } })
    const { owner: otherOwner } = { owner: await createUser('owner2@stmt-b.test') }
    await addMember(other, otherOwner, 'owner')

    const mine = await page(client, owner, '')
    mine.assertStatus(200)
    assert.include(mine.text(), 'MINE-A')
    assert.notInclude(mine.text(), 'SECRET-B')
    assert.include(mine.text(), 'data-closing>50.00<')

    const csv = await client
      .get('/merchant/statement.csv')
      .header('host', hostOf(shop))
      .loginAs(owner)
    assert.notInclude(csv.text(), 'SECRET-B')

    const theirs = await page(client, otherOwner, '', other)
    assert.include(theirs.text(), 'SECRET-B')
    assert.notInclude(theirs.text(), 'MINE-A')
    assert.include(theirs.text(), 'data-closing>80.00<')

    // a member of shop A is not a member of shop B
    const cross = await page(client, owner, '', other).redirects(0)
    assert.notEqual(cross.status(), 200)
  })

  test('owners only: staff get 403, guests go to the login', async ({ client }) => {
    const staff = await createUser('staff@stmt-a.test')
    await addMember(shop, staff, 'staff')
    const denied = await page(client, staff, '')
    denied.assertStatus(403)
    const deniedCsv = await client
      .get('/merchant/statement.csv')
      .header('host', hostOf(shop))
      .loginAs(staff)
    deniedCsv.assertStatus(403)
    const guest = await client.get('/merchant/statement').header('host', hostOf(shop)).redirects(0)
    guest.assertStatus(302)
    guest.assertHeader('location', '/merchant/login')
  })

  test('CSV: BOM, escaping, formula guard, Chinese text, opening and closing rows', async ({
    client,
    assert,
  }) => {
    // hostile text in memos (keys are plain identifiers, values are free text)
    await post(shop, { amount: 100n, memo: { note: '=HYPERLINK("http://evil.test","x")' } })
    await post(shop, { amount: 200n, memo: { ref: '@SUM(A1)' } })
    await post(shop, { amount: 300n, memo: { note: '退款, "加急"' } })
    await post(shop, { amount: -50n, kind: 'test.debit', memo: { note: '-2+3+cmd|calc' } })

    const response = await client
      .get(`/merchant/statement.csv?account=tenant_available&from=${day(-1)}&to=${day()}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    response.assertStatus(200)
    assert.match(response.header('content-type') ?? '', /^text\/csv; charset=utf-8/)
    assert.match(
      response.header('content-disposition') ?? '',
      /attachment; filename="stmt-a-tenant_available-CNY-/
    )
    const text = response.text()
    assert.isTrue(text.startsWith('\uFEFF'), 'UTF-8 BOM first')
    const lines = text.slice(1).split('\r\n')
    assert.equal(lines[0], '时间（UTC）,类型,说明,金额,余额,币种,账本序号')
    assert.equal(lines[1], `${day(-1)},期初余额,,,0.00,CNY,`)
    assert.include(text, `,"note: =HYPERLINK(""http://evil.test"",""x"")",`)
    assert.include(text, `,ref: @SUM(A1),`)
    assert.include(text, `,note: -2+3+cmd|calc,`)
    assert.include(text, `,"note: 退款, ""加急""",`)
    assert.include(text, ',-0.50,5.50,CNY,')
    assert.equal(lines.at(-2), `${day()},期末余额,,,5.50,CNY,`)
    assert.equal(lines.at(-1), '')
    // no cell (quoted or not) starts with a formula character, except signed amounts
    for (const line of lines.slice(1)) {
      assert.notMatch(line, /(^|,)"?[=@+]/, line)
      assert.notMatch(line, /(^|,)"?-(?![0-9.]+(,|$))/, line)
    }
  })

  test('bad query values are form errors, never a 500', async ({ client, assert }) => {
    const cases = [
      ['?from=2026-02-30', 'YYYY-MM-DD'],
      ['?from=yesterday', 'YYYY-MM-DD'],
      ['?to=2026-13-01', 'YYYY-MM-DD'],
      [`?from=${day()}&to=${day(-1)}`, 'must not be before'],
      ['?from=2024-01-01&to=2025-06-30', 'at most 366 days'],
      ['?account=external_world', 'listed accounts'],
      ['?account[]=tenant_available', 'listed accounts'],
      ['?account=tenant_available%27%20OR%201=1', 'listed accounts'],
      ['?currency=cny', 'Unknown currency'],
      ['?from[]=2026-01-01', 'YYYY-MM-DD'],
    ] as const
    for (const [query, message] of cases) {
      const response = await page(client, owner, query)
      assert.equal(response.status(), 422, query)
      assert.include(response.text(), message, query)
      const csv = await client
        .get(`/merchant/statement.csv${query}`)
        .header('host', hostOf(shop))
        .loginAs(owner)
      assert.equal(csv.status(), 422, `csv ${query}`)
    }
    const ok = await page(client, owner, '?from=2025-01-01&to=2025-12-31')
    ok.assertStatus(200)
    const leap = await page(client, owner, '?from=2024-01-01&to=2024-12-31')
    leap.assertStatus(200)
  })

  test('the page speaks Chinese', async ({ client }) => {
    const response = await page(client, owner, '').header('accept-language', 'zh-CN')
    response.assertStatus(200)
    response.assertTextIncludes('账户对账单')
    response.assertTextIncludes('期初余额')
    response.assertTextIncludes('下载 CSV')
  })
})

test.group('Statements / long periods', (group) => {
  let shop: Tenant

  group.each.setup(async () => {
    await resetState()
    ;({ shop } = await shopWithOwner('stmt-long'))
  })

  test('a cut page keeps the full totals; batched export has every line once', async ({
    assert,
  }) => {
    const amounts = [500n, -120n, 75n, 1_000n, -5n, 42n, -300n]
    for (const amount of amounts) await post(shop, { amount })
    await post(shop, { amount: 9n, account: 'tenant_pending' })
    const parsed = parseStatementQuery({}, { currency: 'CNY' })
    const query = parsed.query!

    const page = await getStatement(shop.toRef(), query, 3)
    assert.isTrue(page.truncated)
    assert.lengthOf(page.lines, 3)
    assert.equal(page.count, amounts.length)
    assert.equal(page.opening, 0n)
    assert.equal(page.moneyIn, 1_617n)
    assert.equal(page.moneyOut, -425n)
    assert.equal(page.closing, 1_192n)
    assert.deepEqual(
      page.lines.map((l) => l.balance),
      [500n, 380n, 455n]
    )

    const items = []
    for await (const item of statementLines(shop.toRef(), query, 2)) items.push(item)
    assert.deepEqual(items[0], { opening: 0n })
    const lines = items.slice(1) as Array<{ amount: bigint; balance: bigint; entryId: number }>
    assert.deepEqual(
      lines.map((l) => l.amount),
      amounts
    )
    assert.equal(lines.at(-1)!.balance, 1_192n)
    assert.equal(new Set(lines.map((l) => l.entryId)).size, amounts.length)
  })
})
