import { randomInt } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import {
  chromium,
  type Browser,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core'
import app from '@adonisjs/core/services/app'
import type { TestContext } from '@japa/runner/core'
import env from '#start/env'

/**
 * Browser tests drive Debian's Chromium through playwright-core against the test HTTP server
 * the runner starts for the `browser` suite (HOST:PORT from the environment).
 *
 * - One Chromium per run: launched on first use, closed shortly after the last group that
 *   uses it ends (groups run one after another, so the next group picks up the same one).
 * - One fresh context (cookies, storage, locale, viewport) per test, closed by `cleanup`.
 * - Shops are `http://<slug>.<PLATFORM_DOMAIN>:<PORT>`: Chromium resolves `*.localhost` to
 *   loopback itself, so no hosts file is needed.
 *
 * ```ts
 * test.group('merchant / sign-up', (group) => {
 *   useBrowser(group)
 *   test('opens a shop', async ({ cleanup }) => {
 *     const page = await newPage(cleanup, { ...DESKTOP, locale: 'en' })
 *     await page.goto(platformUrl('/signup'))
 *   })
 * })
 * ```
 */

/** Where Chromium lives; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Flags for a headless run in a container: no sandbox, no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]

/** A phone (iPhone 12–15 class): the storefront is designed for this first. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
}

/** A laptop screen, for the merchant dashboard and the admin. */
export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
}

let browser: Promise<Browser> | undefined
let users = 0
let closeTimer: NodeJS.Timeout | undefined

/** The shared Chromium, launched on first call. */
export function getBrowser(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  })
  return browser
}

async function closeBrowser() {
  const current = browser
  browser = undefined
  if (!current) return
  const launched = await current
  await launched.close()
}

/** Minimal shape of a Japa group, so this helper does not depend on runner internals. */
interface GroupHooks {
  setup(handler: () => unknown): unknown
  teardown(handler: () => unknown): unknown
}

/**
 * Share the browser with every test of `group`: launched before the first test, closed
 * after the group unless another group takes it over within a second.
 */
export function useBrowser(group: GroupHooks) {
  group.setup(async () => {
    users++
    clearTimeout(closeTimer)
    await getBrowser()
  })
  group.teardown(() => {
    users--
    if (users > 0) return
    closeTimer = setTimeout(() => void closeBrowser(), 1000)
  })
}

/**
 * A new page in a fresh browser context (own cookies, locale, viewport); the context is
 * closed when the test ends, pass or fail. `locale` also sets `Accept-Language`.
 */
export async function newPage(
  cleanup: TestContext['cleanup'],
  options: BrowserContextOptions = {}
): Promise<Page> {
  const shared = await getBrowser()
  const context = await shared.newContext({ locale: 'en', ...options })
  // Every page runs under the production CSP; anything it blocks (an inline script or
  // style) fails the test that opened the page.
  const violations: string[] = []
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  cleanup(async () => {
    await context.close()
    if (violations.length) {
      throw new Error(`CSP violations on a page:\n${[...new Set(violations)].join('\n')}`)
    }
  })
  context.setDefaultTimeout(10_000)
  return context.newPage()
}

/** `http://<PLATFORM_DOMAIN>:<PORT><path>`: the platform site on the test server. */
export function platformUrl(path = '/'): string {
  return `http://${env.get('PLATFORM_DOMAIN')}:${env.get('PORT')}${path}`
}

/** `http://<slug>.<PLATFORM_DOMAIN>:<PORT><path>`: one shop on the test server. */
export function shopUrl(slug: string, path = '/'): string {
  return `http://${slug}.${env.get('PLATFORM_DOMAIN')}:${env.get('PORT')}${path}`
}

/**
 * Save a full-page screenshot to `tmp/screenshots/<name>.png` when BROWSER_SCREENSHOTS is
 * set (for looking at layouts during development; never committed).
 */
export async function screenshot(page: Page, name: string) {
  if (!process.env.BROWSER_SCREENSHOTS) return
  const dir = app.makePath('tmp', 'screenshots')
  await mkdir(dir, { recursive: true })
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true })
}

/** Whether the page is wider than its viewport (a phone layout must never scroll sideways). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')
}

/**
 * The same address on the test server. Links in mails are built from APP_URL, whose port
 * is not the one the test server listens on; the host (platform or `<slug>.`) is kept.
 */
export function onTestServer(url: string): string {
  const parsed = new URL(url)
  parsed.protocol = 'http:'
  parsed.port = String(env.get('PORT'))
  return parsed.toString()
}

/**
 * Context options that make the browser look like a client nobody has seen before: a
 * random documentation IPv6 address in X-Forwarded-For (trusted from loopback, see
 * config/app.ts), so rate-limit counters of earlier tests or runs never get in the way.
 */
export function freshClient(): BrowserContextOptions {
  const group = () => randomInt(0, 0xffff).toString(16)
  const ip = `2001:db8::${group()}:${group()}:${group()}:${group()}`
  return { extraHTTPHeaders: { 'x-forwarded-for': ip } }
}

/**
 * Click a link or a form's button and wait until the next document has loaded, also when
 * it has the same URL (a form that redirects back to itself), where `waitForURL` would
 * return before the new page is there.
 */
export async function clickAndLoad(target: Locator) {
  const loaded = target.page().waitForEvent('load')
  await target.click()
  await loaded
}
