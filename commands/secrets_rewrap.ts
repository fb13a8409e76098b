import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Re-wrap every shop's data keys under the current SECRETS_MASTER_KEY (step 2 of a
 * master-key rotation: docs/architecture.md, Card secrets). Keys wrapped by
 * SECRETS_MASTER_KEY_PREVIOUS are unwrapped with it and wrapped again; idempotent. Prints
 * counts and the master key's id (8 hex of its sha256), never a key.
 */
export default class SecretsRewrap extends BaseCommand {
  static commandName = 'secrets:rewrap'
  static description = "Re-wrap every shop's data keys under the current SECRETS_MASTER_KEY"
  static options: CommandOptions = { startApp: true }

  async run() {
    const { rewrapAllDataKeys } = await import('#delivery/secrets/index')
    const { withPlatform } = await import('#tenancy')
    try {
      const result = await rewrapAllDataKeys()
      const totals = await withPlatform(
        { actorType: 'system', reason: 'secrets.rewrap count' },
        async (trx) => {
          const { rows } = await trx.rawQuery(
            `SELECT count(*)::int AS keys, count(DISTINCT tenant_id)::int AS shops,
                    count(*) FILTER (WHERE master_key_id = ?)::int AS current
               FROM tenant_data_keys`,
            [result.masterKeyId]
          )
          return rows[0] as { keys: number; shops: number; current: number }
        }
      )
      this.logger.success(
        `re-wrapped ${result.rewrapped} data key(s) under master key ${result.masterKeyId}; ` +
          `${totals.current} of ${totals.keys} key(s) of ${totals.shops} shop(s) now use it`
      )
      if (totals.current !== totals.keys) this.exitCode = 1
    } catch (error) {
      // Error texts from the secrets module carry codes and key ids only, never key bytes.
      this.logger.error((error as Error).message)
      this.exitCode = 1
    }
  }
}
