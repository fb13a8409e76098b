import { PlatformJob, type PlatformJobContext } from '#jobs'
import { runVerification, type VerificationTrigger } from '#ledger/verification/run_verification'

/**
 * Daily (03:15, schedule in app/jobs/registry.ts) and on an admin's "run now": verify
 * every ledger and audit chain, export the digest of chain heads, record the run
 * (`ledger_verifications`). Cross-tenant by nature, hence a platform job; each database
 * step is an audited `ctx.withPlatform`. Safe to run twice: each run is its own row.
 */
export default class VerifyLedgerJob extends PlatformJob<VerificationTrigger> {
  static jobName = 'ledger.verify_daily'
  static queue = 'default'
  static attempts = 2

  async handle(payload: VerificationTrigger, ctx: PlatformJobContext) {
    const trigger: VerificationTrigger = {
      trigger: payload.trigger === 'admin' ? 'admin' : 'schedule',
      adminId: Number.isSafeInteger(payload.adminId) ? payload.adminId : null,
    }
    const outcome = await runVerification(ctx.withPlatform, trigger)
    ctx.logger[outcome.ok ? 'info' : 'error'](
      { verificationId: outcome.id, ok: outcome.ok, problem: outcome.firstProblem?.source },
      outcome.ok ? 'ledger verification passed' : 'ledger verification FAILED'
    )
  }
}
