import db from '@adonisjs/lucid/services/db'
import { recordPlatformAudit } from '#audit'

/** Record an admin's logout (the session itself is ended by the controller's guard). */
export default class LogOutPlatformAdmin {
  async handle(input: { adminId: number; ip: string }) {
    await db.connection('app').transaction((trx) =>
      recordPlatformAudit(trx, {
        actor: { type: 'platform_admin', id: input.adminId },
        action: 'admin.logged_out',
        target: { type: 'platform_admin', id: input.adminId },
        ip: input.ip,
      })
    )
  }
}
