import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { truncateAll } from '#tests/helpers/database'
import { tenantDirectory, type TenantRef } from '#tenancy'
import {
  clearLimiter,
  createShop,
  findLeak,
  PLATFORM_DOMAIN,
  rawRequest,
  spyTenancy,
  useProductionErrorRendering,
  type RawResponse,
} from './helpers.js'

/*
|--------------------------------------------------------------------------
| Hosts
|--------------------------------------------------------------------------
| "Unknown subdomains give the same 404 whatever state another shop is in." Every request
| here is written byte for byte on a socket (helpers.ts rawRequest), so the Host header can
| be anything: foreign, multi-label, an IP, empty, missing, huge, non-ASCII, upper-case.
| Answers are compared whole (status, headers but Date and X-Request-Id, body bytes) with
| the 404 of an unknown subdomain, and the tenancy spies prove no tenant was put in context.
| Error rendering is production's (helpers.ts useProductionErrorRendering).
*/

/** What is sent to each host: pages of every audience, the API, a form post, a 404 path. */
const PROBES: Array<{ method: string; path: string; body?: string }> = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/account/login' },
  { method: 'GET', path: '/merchant/login' },
  { method: 'GET', path: '/api/v1/shop' },
  { method: 'GET', path: '/admin/login' },
  { method: 'GET', path: '/no/such/page' },
  { method: 'POST', path: '/account/login', body: 'email=a%40example.test&password=x' },
  { method: 'POST', path: '/login', body: '{"email":' },
]
const ACCEPTS = ['text/html', 'application/json']
const LANGUAGES = ['en', 'zh-CN']

/** Paths a rejected shop still serves to its owner (tenant_resolver_middleware.ts). */
const REACHABLE_WHEN_REJECTED = /^\/(merchant|locale)(\/|$)/

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

/** Status, headers without the per-request ones, body: what must be identical. */
function normalise(response: RawResponse): Answer {
  const headers = { ...response.headers }
  delete headers.date
  delete headers['x-request-id']
  return { status: response.status, headers, body: response.body }
}

function key(probe: (typeof PROBES)[number], accept: string, language: string) {
  return `${probe.method} ${probe.path} | ${accept} | ${language}`
}

/** Every probe × Accept × language sent to `host`, answers by probe key. */
async function answersOf(host: string | null, filter = (_path: string) => true) {
  const answers = new Map<string, Answer>()
  for (const probe of PROBES.filter((p) => filter(p.path))) {
    for (const accept of ACCEPTS) {
      for (const language of LANGUAGES) {
        const headers = [`Accept: ${accept}`, `Accept-Language: ${language}`]
        if (probe.body !== undefined) {
          headers.push(
            `Content-Type: ${probe.body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded'}`
          )
        }
        const response = await rawRequest({
          method: probe.method,
          path: probe.path,
          host,
          headers,
          body: probe.body,
        })
        answers.set(key(probe, accept, language), normalise(response))
      }
    }
  }
  return answers
}

function unknownSlug() {
  return `nosuch-${randomBytes(4).toString('hex')}`
}

/** Differences between two sets of answers, by probe key. */
function differences(label: string, actual: Map<string, Answer>, expected: Map<string, Answer>) {
  const problems: string[] = []
  for (const [probe, answer] of actual) {
    const reference = expected.get(probe)
    if (!reference) {
      problems.push(`${label} ${probe}: no reference answer`)
    } else if (answer.status !== reference.status) {
      problems.push(`${label} ${probe}: status ${answer.status}, expected ${reference.status}`)
    } else if (JSON.stringify(answer.headers) !== JSON.stringify(reference.headers)) {
      problems.push(
        `${label} ${probe}: headers ${JSON.stringify(answer.headers)} ≠ ${JSON.stringify(reference.headers)}`
      )
    } else if (answer.body !== reference.body) {
      problems.push(
        `${label} ${probe}: body differs: ${answer.body.slice(0, 120)} ≠ ${reference.body.slice(0, 120)}`
      )
    }
  }
  return problems
}

test.group('robustness / hosts', (group) => {
  let restoreRendering: () => void
  /** The answers of an unknown subdomain while no shop exists at all. */
  let reference: Map<string, Answer>

  group.setup(async () => {
    await truncateAll()
    await clearLimiter()
    tenantDirectory.forget()
    restoreRendering = useProductionErrorRendering()
    reference = await answersOf(`${unknownSlug()}.${PLATFORM_DOMAIN}`)
    return async () => {
      restoreRendering()
      await truncateAll()
      await clearLimiter()
      tenantDirectory.forget()
    }
  })

  test('the reference: an unknown subdomain is a 404 on every path, HTML or JSON', ({ assert }) => {
    for (const [probe, answer] of reference) {
      assert.equal(answer.status, 404, probe)
      assert.isUndefined(answer.headers['set-cookie'], `${probe}: no cookie for nobody's shop`)
      assert.isUndefined(findLeak(answer.body), probe)
    }
    const html = reference.get(key(PROBES[0], 'text/html', 'en'))!
    const json = reference.get(key(PROBES[0], 'application/json', 'en'))!
    assert.match(html.headers['content-type'], /text\/html/)
    assert.deepEqual(JSON.parse(json.body), {
      errors: [{ code: 'E_NOT_FOUND', message: 'Not found' }],
    })
  })

  test('foreign, multi-label, IP, empty, long and non-ASCII hosts get that same 404 and no tenant', async ({
    assert,
  }) => {
    const shop = await createShop('active')
    const hosts: Array<[host: string, lookup: string | null]> = [
      ['evil.example', null],
      [`evil.example:3333`, null],
      [`${shop.slug}.evil.example`, null],
      [`a.b.${PLATFORM_DOMAIN}`, null],
      [`${shop.slug}.${shop.slug}.${PLATFORM_DOMAIN}`, null],
      [`${PLATFORM_DOMAIN}.evil.example`, null],
      [`evil${PLATFORM_DOMAIN}`, null],
      ['127.0.0.1', null],
      ['127.0.0.1:3333', null],
      ['[::1]', null],
      ['', null],
      [`.${PLATFORM_DOMAIN}`, null],
      [`user@${shop.slug}.${PLATFORM_DOMAIN}`, null],
      [`${'a'.repeat(64)}.${PLATFORM_DOMAIN}`, null],
      [`${'a'.repeat(5000)}.${PLATFORM_DOMAIN}`, null],
      [`shöp.${PLATFORM_DOMAIN}`, null],
      [`店铺.${PLATFORM_DOMAIN}`, null],
      [`${shop.slug}%00.${PLATFORM_DOMAIN}`, null],
      ['EVIL.EXAMPLE', null],
      [`evil.example, ${shop.slug}.${PLATFORM_DOMAIN}`, null],
      // syntactically a shop label, but no such shop: looked up, not found
      [`xn--shp-sna.${PLATFORM_DOMAIN}`, 'xn--shp-sna'],
      [`-.${PLATFORM_DOMAIN}`, '-'],
      [`${'b'.repeat(63)}.${PLATFORM_DOMAIN}`, 'b'.repeat(63)],
      [`NOSUCH-UPPER.${PLATFORM_DOMAIN.toUpperCase()}`, 'nosuch-upper'],
      [`nosuch-dot.${PLATFORM_DOMAIN}.`, 'nosuch-dot'],
    ]
    const problems: string[] = []
    for (const [host, lookup] of hosts) {
      const { result, tenants, lookups } = await spyTenancy(() => answersOf(host))
      const label = JSON.stringify(
        host.length > 60 ? `${host.slice(0, 40)}…(${host.length})` : host
      )
      problems.push(...differences(label, result, reference))
      if (tenants.length) problems.push(`${label}: tenant set in context: ${tenants[0]}`)
      const expected = lookup ? Array(result.size).fill(lookup) : []
      if (JSON.stringify(lookups) !== JSON.stringify(expected)) {
        problems.push(`${label}: directory look-ups ${JSON.stringify(lookups.slice(0, 3))}`)
      }
    }
    assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'))
  })

  test('a missing, oversized or control-character Host is refused by the HTTP layer (4xx), never a 500', async ({
    assert,
  }) => {
    const cases: Array<[label: string, request: Parameters<typeof rawRequest>[0]]> = [
      ['no Host header', { host: null }],
      ['Host larger than the header limit', { host: 'a'.repeat(20_000) }],
      ['two Host headers', { host: 'evil.example', headers: [`Host: ${PLATFORM_DOMAIN}`] }],
      ['Host with a raw control character', { host: `evil\x01.${PLATFORM_DOMAIN}` }],
      ['HTTP/1.0 without Host', { host: null, version: 'HTTP/1.0' }],
    ]
    for (const [label, request] of cases) {
      const { result, tenants } = await spyTenancy(() => rawRequest(request))
      assert.isBelow(result.status, 500, label)
      assert.isAtLeast(result.status, 400, label)
      assert.deepEqual(tenants, [], label)
      assert.isUndefined(findLeak(result.body), label)
    }
  })

  test('X-Forwarded-Host (believed from loopback only) follows the same rules', async ({
    assert,
  }) => {
    const shop = await createShop('active')
    const forwarded = async (value: string) =>
      await spyTenancy(() =>
        rawRequest({
          host: `${shop.slug}.${PLATFORM_DOMAIN}`,
          headers: [`X-Forwarded-Host: ${value}`, 'Accept: application/json'],
        })
      )
    for (const value of [
      'evil.example',
      `a.b.${PLATFORM_DOMAIN}`,
      '',
      'x'.repeat(5000),
      'ä.example',
    ]) {
      const { result, tenants } = await forwarded(value)
      assert.isBelow(result.status, 500, value.slice(0, 40))
      if (value) {
        assert.equal(result.status, 404, value.slice(0, 40))
        assert.deepEqual(tenants, [], value.slice(0, 40))
      }
    }
  })

  test('upper-case hosts never answer 500; unknown ones get the one 404', async ({ assert }) => {
    const shop = await createShop('active')
    const rejected = await createShop('rejected')
    for (const host of [
      PLATFORM_DOMAIN.toUpperCase(),
      `${shop.slug}.${PLATFORM_DOMAIN}`.toUpperCase(),
      `${rejected.slug}.${PLATFORM_DOMAIN}`.toUpperCase(),
    ]) {
      const answers = await answersOf(host)
      for (const [probe, answer] of answers) {
        assert.isBelow(answer.status, 500, `${host} ${probe}`)
        assert.isUndefined(findLeak(answer.body), `${host} ${probe}`)
      }
    }
    const rejectedStorefront = await answersOf(
      `${rejected.slug}.${PLATFORM_DOMAIN}`.toUpperCase(),
      (path) => !REACHABLE_WHEN_REJECTED.test(path)
    )
    assert.deepEqual(differences('rejected, upper-case', rejectedStorefront, reference), [])
  })

  test('an upper-case Host reaches the site its lower-case form reaches', async ({ assert }) => {
    const shop = await createShop('active')
    for (const host of [PLATFORM_DOMAIN, `${shop.slug}.${PLATFORM_DOMAIN}`]) {
      const lower = await rawRequest({ host, headers: ['Accept: application/json'] })
      const upper = await rawRequest({
        host: host.toUpperCase(),
        headers: ['Accept: application/json'],
      })
      assert.equal(lower.status, 200, host)
      assert.equal(upper.status, lower.status, host.toUpperCase())
    }
  })

  test("an unknown subdomain's 404 is byte-identical whatever state other shops are in, and is a rejected shop's storefront", async ({
    assert,
  }) => {
    const problems: string[] = []
    const shops: Record<string, TenantRef> = {}
    for (const status of ['pending_review', 'rejected', 'suspended', 'active'] as const) {
      shops[status] = await createShop(status)
      // unknown slugs, some next to the new shop's own
      for (const slug of [
        unknownSlug(),
        `${shops[status].slug}x`,
        shops[status].slug.slice(0, -1),
      ]) {
        const answers = await answersOf(`${slug}.${PLATFORM_DOMAIN}`)
        problems.push(...differences(`unknown "${slug}" with a ${status} shop`, answers, reference))
      }
    }

    const storefrontOf = (shop: TenantRef) =>
      answersOf(`${shop.slug}.${PLATFORM_DOMAIN}`, (path) => !REACHABLE_WHEN_REJECTED.test(path))
    problems.push(...differences('rejected shop', await storefrontOf(shops.rejected), reference))

    // a shop rejected after having been active and suspended, and a deleted shop
    const former = shops.active
    for (const status of ['suspended', 'rejected'] as const) {
      await db.connection('owner').from('tenants').where('id', former.id).update({ status })
      tenantDirectory.forget(former.slug)
    }
    problems.push(
      ...differences('active → suspended → rejected', await storefrontOf(former), reference)
    )
    await db.connection('owner').from('tenants').where('id', shops.pending_review.id).delete()
    tenantDirectory.forget(shops.pending_review.slug)
    const deleted = await answersOf(`${shops.pending_review.slug}.${PLATFORM_DOMAIN}`)
    problems.push(...differences('deleted shop', deleted, reference))

    assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'))
  })
})
