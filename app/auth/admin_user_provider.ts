import { SessionLucidUserProvider } from '@adonisjs/auth/session'
import type { SessionGuardUser } from '@adonisjs/auth/types/session'
import { withPlatformRole } from '#tenancy'
import PlatformAdmin from '#models/platform_admin'

/**
 * Session user provider for platform admins. `platform_admins` is readable only by the
 * platform role, so the lookup runs in a platform-role transaction: the app role that
 * serves shops can neither read admin password hashes nor create admins.
 */
export class AdminUserProvider extends SessionLucidUserProvider<typeof PlatformAdmin> {
  constructor() {
    super({ model: async () => ({ default: PlatformAdmin }) })
  }

  async findById(
    identifier: string | number | BigInt
  ): Promise<SessionGuardUser<PlatformAdmin> | null> {
    const id = Number(identifier)
    if (!Number.isSafeInteger(id) || id <= 0) return null
    const admin = await withPlatformRole((trx) =>
      PlatformAdmin.query({ client: trx }).where('id', id).first()
    )
    return admin ? this.createUserForGuard(admin) : null
  }
}
