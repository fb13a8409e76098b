import { randomBytes } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import hash from '@adonisjs/core/services/hash'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import User from '#models/user'
import TenantMember from '#models/tenant_member'
import { tenantDirectory, withTenant } from '#tenancy'
import { quoteIdent } from '#database/helpers/tenancy_sql'

/** The seeded shop and its merchant (demo mode only). */
export const DEMO_SHOP = {
  slug: 'demo',
  name: '演示小店 Demo Shop',
  defaultLocale: 'zh-CN',
  currency: 'CNY',
} as const

export const DEMO_MERCHANT_EMAIL = 'merchant@demo.localhost'

export interface DemoSeedResult {
  tenant: Tenant
  /** What this run created; empty when everything was already there. */
  created: string[]
  merchantEmail: string
  /** The merchant's password when known (from the credentials file), else null. */
  merchantPassword: string | null
  /** Why the password is not shown, or that it was just issued. */
  passwordNote: string | null
}

interface Credentials {
  email: string
  password: string
}

async function readCredentials(file: string): Promise<Credentials | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8'))
    return typeof parsed?.email === 'string' && typeof parsed?.password === 'string' ? parsed : null
  } catch {
    return null
  }
}

async function writeCredentials(file: string, credentials: Credentials) {
  await rm(file, { force: true })
  await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
}

function newPassword() {
  return randomBytes(12).toString('base64url')
}

/**
 * Create what is missing, never duplicate: the demo shop (active), its merchant (email
 * verified) and the owner membership. Runs as the app role, so it goes through RLS like
 * any request. The merchant's password is random; the database keeps only its scrypt
 * hash and `credentialsFile` (mode 0600, inside the demo data directory) keeps it for
 * the console banner. If that file is lost the password is re-issued; if the merchant
 * changed it in the app, the file no longer matches and the banner says so.
 */
export async function seedDemo(credentialsFile: string): Promise<DemoSeedResult> {
  const created: string[] = []
  const app = db.connection('app')

  let tenant = await Tenant.query({ client: app }).where('slug', DEMO_SHOP.slug).first()
  if (!tenant) {
    tenant = await Tenant.create({ ...DEMO_SHOP, status: 'active' }, { client: app })
    created.push(`shop "${DEMO_SHOP.slug}"`)
  }

  let user = await User.query({ client: app })
    .whereRaw('lower(email) = ?', [DEMO_MERCHANT_EMAIL])
    .first()
  let merchantPassword: string | null = null
  let passwordNote: string | null = null
  const stored = await readCredentials(credentialsFile)

  if (!user) {
    merchantPassword = newPassword()
    user = await User.create(
      {
        email: DEMO_MERCHANT_EMAIL,
        fullName: 'Demo Merchant',
        password: merchantPassword,
        locale: DEMO_SHOP.defaultLocale,
        emailVerifiedAt: DateTime.now(),
      },
      { client: app }
    )
    await writeCredentials(credentialsFile, {
      email: DEMO_MERCHANT_EMAIL,
      password: merchantPassword,
    })
    created.push(`merchant ${DEMO_MERCHANT_EMAIL}`)
  } else if (!stored || stored.email !== DEMO_MERCHANT_EMAIL) {
    merchantPassword = newPassword()
    user.password = merchantPassword
    await user.save()
    await writeCredentials(credentialsFile, {
      email: DEMO_MERCHANT_EMAIL,
      password: merchantPassword,
    })
    passwordNote = 'new password issued (the saved one was missing)'
  } else if (await hash.use('scrypt').verify(user.password, stored.password)) {
    merchantPassword = stored.password
  } else {
    passwordNote = 'changed in the app since it was seeded; use yours, or start with --reset'
  }

  const userId = user.id
  const tenantId = tenant.id
  await withTenant(async (trx) => {
    const member = await TenantMember.query({ client: trx }).where('user_id', userId).first()
    if (!member) {
      await TenantMember.create({ tenantId, userId, role: 'owner' }, { client: trx })
      created.push('owner membership')
    }
  }, tenant.toRef())

  tenantDirectory.forget(DEMO_SHOP.slug)
  return {
    tenant,
    created,
    merchantEmail: DEMO_MERCHANT_EMAIL,
    merchantPassword,
    passwordNote,
  }
}

export interface SelfCheck {
  ok: boolean
  line: string
}

/**
 * Proves, through the connections requests use, that the shared session runs as the app
 * role, that RLS hides tenant rows when no tenant is set and shows the shop's rows when
 * it is, and that `SET LOCAL ROLE` (withPlatform) reaches the platform role for one
 * transaction only, the session being back on the app role afterwards. Read-only.
 */
export async function selfCheck(
  roles: { app: string; platform: string },
  tenant: Tenant
): Promise<SelfCheck> {
  const app = db.connection('app')
  const probe = 'SELECT current_user AS role, (SELECT count(*) FROM tenant_members)::int AS n'
  type Probe = { role: string; n: number }
  const run = async (client: Pick<typeof app, 'rawQuery'>): Promise<Probe> => {
    const result = await client.rawQuery(probe)
    return result.rows[0]
  }
  const before = await run(app)
  const scoped = await withTenant(async (trx) => {
    const row = await trx.from('tenant_members').count('* as n').first()
    return Number(row?.n ?? 0)
  }, tenant.toRef())
  const platform = await db.connection('platform').transaction(async (trx) => {
    await trx.rawQuery(`SET LOCAL ROLE ${quoteIdent(roles.platform)}`)
    return run(trx)
  })
  const after = await run(app)

  const ok =
    before.role === roles.app &&
    before.n === 0 &&
    scoped > 0 &&
    platform.role === roles.platform &&
    platform.n >= scoped &&
    after.role === roles.app &&
    after.n === 0
  const line =
    `self-check: role=${before.role}, rows without tenant=${before.n}` +
    ` (tenant_members: ${scoped} with tenant "${tenant.slug}";` +
    ` ${platform.role} in withPlatform sees ${platform.n}; afterwards role=${after.role})` +
    (ok ? '' : '  FAILED')
  return { ok, line }
}
