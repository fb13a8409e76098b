import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Tenant from '#models/tenant'
import User from '#models/user'
import TenantMember from '#models/tenant_member'
import { setTenantOn } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { findUserByEmail } from '#actions/accounts/find_user_by_email'
import { consumeOrThrow } from '#actions/accounts/throttles'
import SendVerificationEmail from '#actions/accounts/send_verification_email'
import { deliver } from '#mails/deliver'
import SignupAccountExistsNotification from '#mails/signup_account_exists_notification'
import ShopCreatedNotification from '#mails/shop_created_notification'
import { platformUrl } from '#actions/platform/platform_urls'

export interface SignUpInput {
  email: string
  password: string
  shopName: string
  slug: string
  /** The language the merchant signed up in: their account's and the shop's default. */
  locale: string
  ip: string
}

/**
 * What happened, for the controller. The page the visitor sees is the same for every
 * outcome except `slug_taken`, so it never tells whether an address has an account.
 *
 * - `created`        new account + new shop; verification email sent.
 * - `attached`       the address had an account and the password matched: the new shop
 *                    joins that account (the password proves it is theirs).
 * - `account_exists` the address had an account and the password did not match: nothing
 *                    is created; the mailbox owner gets a note on how to log in instead.
 * - `slug_taken`     the shop address is in use (also when a concurrent sign-up won).
 */
export type SignUpOutcome = 'created' | 'attached' | 'account_exists' | 'slug_taken'

/** Postgres unique_violation. */
const UNIQUE_VIOLATION = '23505'

/**
 * Open a shop: tenant (pending review), owner account, owner membership and the shop's
 * first audit event, in one transaction; mails go out after it commits.
 */
export default class SignUpShop {
  async handle(input: SignUpInput): Promise<SignUpOutcome> {
    await consumeOrThrow([{ policy: 'signupIp', key: input.ip }], 'signup')

    if (await this.slugTaken(input.slug)) return 'slug_taken'

    // One scrypt either way (verify here, or hash in User.create): timing says nothing.
    const existing = await findUserByEmail(input.email)
    if (existing && !(await existing.verifyPassword(input.password))) {
      await deliver(
        new SignupAccountExistsNotification(
          existing.email,
          existing.locale,
          platformUrl('/login'),
          platformUrl('/forgot-password')
        )
      )
      return 'account_exists'
    }

    let result: { user: User; tenant: Tenant }
    try {
      result = await db
        .connection('app')
        .transaction((trx) => this.create(trx, input, existing ?? null))
    } catch (error) {
      if (isUniqueViolation(error, 'tenants_slug_unique')) return 'slug_taken'
      // A concurrent sign-up created this account first; it sends the verification mail.
      if (isUniqueViolation(error, 'users_email_unique')) return 'account_exists'
      throw error
    }

    await this.notify(result.user, result.tenant, existing !== null)
    return existing ? 'attached' : 'created'
  }

  private async slugTaken(slug: string) {
    const row = await db
      .connection('app')
      .from('tenants')
      .whereRaw('lower(slug) = ?', [slug])
      .first()
    return row !== null
  }

  private async create(trx: TransactionClientContract, input: SignUpInput, existing: User | null) {
    const tenant = await Tenant.create(
      {
        slug: input.slug,
        name: input.shopName,
        status: 'pending_review',
        defaultLocale: input.locale,
      },
      { client: trx }
    )
    const user =
      existing ??
      (await User.create(
        { email: input.email, password: input.password, locale: input.locale },
        { client: trx }
      ))

    await setTenantOn(trx, tenant.id)
    await TenantMember.create(
      { tenantId: tenant.id, userId: user.id, role: 'owner' },
      { client: trx }
    )
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: user.id },
      action: 'tenant.signed_up',
      target: { type: 'tenant', id: tenant.id },
      ip: input.ip,
      metadata: { slug: tenant.slug, name: tenant.name, newAccount: existing === null },
    })
    return { user, tenant }
  }

  private async notify(user: User, tenant: Tenant, existingAccount: boolean) {
    if (!user.emailVerifiedAt) {
      await new SendVerificationEmail().handle(user)
    } else if (existingAccount) {
      await deliver(
        new ShopCreatedNotification(user.email, user.locale, tenant.name, platformUrl('/shops'))
      )
    }
  }
}

function isUniqueViolation(error: unknown, constraint: string) {
  const e = error as { code?: string; constraint?: string }
  return e?.code === UNIQUE_VIOLATION && e.constraint === constraint
}
