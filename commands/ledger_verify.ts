import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Recompute every shop's ledger hash chain and check every ledger invariant
 * (app/ledger/verify.ts). Exit code 0 when everything holds, 1 naming the first bad
 * transaction or account (shop slug, seq, transaction id, reason).
 */
export default class LedgerVerify extends BaseCommand {
  static commandName = 'ledger:verify'
  static description = 'Recompute the ledger hash chains and check every ledger invariant'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only this shop (slug)' })
  declare tenant?: string

  @flags.number({ description: 'Transactions read per round trip (default 2000)' })
  declare batchSize?: number

  async run() {
    const { verifyLedger } = await import('#ledger')
    let report
    try {
      report = await verifyLedger({ tenantSlug: this.tenant, batchSize: this.batchSize })
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
      return
    }
    const { tenants, transactions, entries, accounts } = report.checked
    const seconds = report.durationMs / 1000
    const rate = seconds > 0 ? Math.round(entries / seconds) : entries
    const summary =
      `${tenants} shop(s), ${transactions} transaction(s), ${entries} entries, ` +
      `${accounts} account(s) checked in ${seconds.toFixed(2)}s (${rate} entries/s)`
    if (report.ok) {
      this.logger.success(`ledger OK: ${summary}`)
      return
    }
    this.logger.info(summary)
    for (const p of report.problems) {
      const where = [
        `shop ${p.tenantSlug} (#${p.tenantId})`,
        p.seq !== null ? `seq ${p.seq}` : null,
        p.transactionId !== null ? `transaction ${p.transactionId}` : null,
        p.accountId !== undefined ? `account ${p.accountId}` : null,
      ]
        .filter(Boolean)
        .join(', ')
      this.logger.error(`${where}: ${p.reason}`)
    }
    const first = report.firstProblem!
    this.logger.error(
      `ledger verification FAILED at shop ${first.tenantSlug}, seq ${first.seq ?? '-'}, ` +
        `transaction ${first.transactionId ?? '-'}: ${first.reason}`
    )
    this.exitCode = 1
  }
}
