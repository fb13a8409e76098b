import PlatformAdmin from '#models/platform_admin'
import { recordPlatformAudit } from '#audit'
import { withPlatformRole } from '#tenancy'
import { passwordProblems, type PasswordProblem } from '#validators/platform/rules'

/** Admins get a longer minimum than merchants. */
export const ADMIN_PASSWORD_MIN_LENGTH = 12

export type CreateAdminResult =
  | { ok: true; admin: PlatformAdmin }
  | { ok: false; reason: 'email_taken' | 'invalid_email' }
  | { ok: false; reason: 'weak_password'; problems: (PasswordProblem | 'too_short_admin')[] }

/**
 * Create a platform administrator (used by `node ace admin:create`; there is no other way
 * and no default account). The password is hashed with scrypt by the model; the creation
 * is recorded in the platform audit log.
 */
export default class CreatePlatformAdmin {
  async handle(input: {
    email: string
    password: string
    name?: string | null
  }): Promise<CreateAdminResult> {
    const email = input.email.trim().toLowerCase()
    if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      return { ok: false, reason: 'invalid_email' }
    }
    const problems: (PasswordProblem | 'too_short_admin')[] = passwordProblems(
      input.password,
      email
    )
    if ([...input.password].length < ADMIN_PASSWORD_MIN_LENGTH && !problems.includes('too_short')) {
      problems.push('too_short_admin')
    }
    if (problems.length) return { ok: false, reason: 'weak_password', problems }

    try {
      const admin = await withPlatformRole(async (trx) => {
        const created = await PlatformAdmin.create(
          { email, password: input.password, fullName: input.name?.trim() || null },
          { client: trx }
        )
        await recordPlatformAudit(trx, {
          actor: { type: 'system' },
          action: 'admin.created',
          target: { type: 'platform_admin', id: created.id },
          metadata: { email },
        })
        return created
      })
      return { ok: true, admin }
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return { ok: false, reason: 'email_taken' }
      throw error
    }
  }
}
