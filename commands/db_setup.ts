import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import env from '#start/env'
import { rolesFromEnv, setupDatabases } from '#database/setup'

/**
 * Create the owner/app/platform roles, the databases and their grants. Idempotent:
 * run it on every deploy. Needs a superuser URL (flag or DB_SUPERUSER_URL).
 */
export default class DbSetup extends BaseCommand {
  static commandName = 'db:setup'
  static description =
    'Create database roles (owner, app, platform), databases and grants, idempotently'
  static options: CommandOptions = { startApp: false }

  @flags.string({ description: 'Superuser connection URL (default: DB_SUPERUSER_URL)' })
  declare superuserUrl?: string

  @flags.array({ description: 'Databases to create (default: DB_DATABASE)' })
  declare database?: string[]

  async run() {
    const url =
      this.superuserUrl ??
      env.get('DB_SUPERUSER_URL') ??
      'postgres://postgres@127.0.0.1:5432/postgres'
    const databases = this.database?.length ? this.database : [env.get('DB_DATABASE')]
    await setupDatabases(
      url,
      databases,
      rolesFromEnv((name) => env.get(name as any))
    )
    this.logger.success(`roles and grants ready for ${databases.join(', ')}`)
  }
}
