import { dispatch } from '#jobs'
import { withPlatformRole } from '#tenancy'
import { recordPlatformAudit } from '#audit'
import VerifyLedgerJob from '#ledger/verification/verify_ledger_job'

/**
 * A platform admin's "run now": record `ledger.verification_requested` in the platform
 * audit log, then queue the verification job (it records its own result).
 */
export async function requestVerification(input: { adminId: number; ip?: string | null }) {
  await withPlatformRole((trx) =>
    recordPlatformAudit(trx, {
      actor: { type: 'platform_admin', id: input.adminId },
      action: 'ledger.verification_requested',
      ip: input.ip ?? null,
    })
  )
  return dispatch(VerifyLedgerJob, { trigger: 'admin', adminId: input.adminId })
}
