import { recordPlatformAudit } from '#audit'
import { withPlatformRole } from '#tenancy'

/** Record an admin's logout (the session itself is ended by the controller's guard). */
export default class LogOutPlatformAdmin {
  async handle(input: { adminId: number; ip: string }) {
    await withPlatformRole((trx) =>
      recordPlatformAudit(trx, {
        actor: { type: 'platform_admin', id: input.adminId },
        action: 'admin.logged_out',
        target: { type: 'platform_admin', id: input.adminId },
        ip: input.ip,
      })
    )
  }
}
