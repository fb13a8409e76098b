import hash from '@adonisjs/core/services/hash'
import { DateTime } from 'luxon'
import PlatformAdmin from '#models/platform_admin'
import { recordPlatformAudit } from '#audit'
import { withPlatformRole } from '#tenancy'
import { loginGates } from '#actions/accounts/log_in_merchant'
import {
  assertNotLocked,
  clearFailures,
  recordFailure,
  TooManyAttemptsException,
} from '#actions/accounts/throttles'

export type AdminLoginResult =
  { ok: true; admin: PlatformAdmin } | { ok: false; reason: 'credentials' }

/**
 * Check a platform admin's credentials. Rate limited like merchant logins (separate
 * counters). Every attempt is written to `platform_audit_events`: `admin.logged_in`
 * (and `last_login_at`) or `admin.login_failed` with the address tried.
 */
export default class LogInPlatformAdmin {
  async handle(input: { email: string; password: string; ip: string }): Promise<AdminLoginResult> {
    const gates = loginGates('admin', input.email, input.ip)
    await assertNotLocked(gates, 'login')

    const admin = await withPlatformRole((trx) =>
      PlatformAdmin.query({ client: trx }).whereRaw('lower(email) = ?', [input.email]).first()
    )
    const valid = admin
      ? await admin.verifyPassword(input.password)
      : (await hash.use('scrypt').make(input.password), false)

    if (!admin || !valid) {
      await this.audit('admin.login_failed', admin?.id ?? null, input)
      const wait = await recordFailure(gates)
      if (wait > 0) throw new TooManyAttemptsException(wait, 'login')
      return { ok: false, reason: 'credentials' }
    }

    await withPlatformRole(async (trx) => {
      admin.lastLoginAt = DateTime.now()
      await admin.useTransaction(trx).save()
      await this.record(trx, 'admin.logged_in', admin.id, input)
    })
    await clearFailures(gates.slice(0, 1))
    return { ok: true, admin }
  }

  private audit(action: string, adminId: number | null, input: { email: string; ip: string }) {
    return withPlatformRole((trx) => this.record(trx, action, adminId, input))
  }

  private record(
    trx: Parameters<typeof recordPlatformAudit>[0],
    action: string,
    adminId: number | null,
    input: { email: string; ip: string }
  ) {
    return recordPlatformAudit(trx, {
      actor: { type: 'platform_admin', id: adminId },
      action,
      target: adminId ? { type: 'platform_admin', id: adminId } : null,
      ip: input.ip,
      metadata: { email: input.email },
    })
  }
}
