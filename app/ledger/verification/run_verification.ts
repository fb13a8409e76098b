import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordPlatformAudit, verifyAuditChains } from '#audit'
import { verifyLedger } from '#ledger'
import { readChainHeads, writeDigest, type ChainDigest } from '#ledger/verification/digest'

/** A cross-tenant unit of work, audited with `reason` (a job's `ctx.withPlatform`). */
export type PlatformRunner = <T>(
  reason: string,
  fn: (trx: TransactionClientContract) => Promise<T>
) => Promise<T>

/** Who started the run: the daily schedule or a platform admin's "run now". */
export interface VerificationTrigger {
  trigger: 'schedule' | 'admin'
  adminId?: number | null
}

/** Where a run found its first problem (stored as `first_problem`). */
export interface VerificationProblem {
  /** `ledger` / `audit`: a chain does not recompute; `error`: the run itself failed. */
  source: 'ledger' | 'audit' | 'error'
  [detail: string]: unknown
}

export interface VerificationOutcome {
  id: number
  ok: boolean
  checked: Record<string, unknown>
  firstProblem: VerificationProblem | null
  digestPath: string | null
  digestSha256: string | null
}

/**
 * One verification run, recorded in `ledger_verifications`:
 *
 * 1. a row is opened (`finished_at` null while it runs, so a crash leaves a trace);
 * 2. the chain heads are read, then every shop's money ledger (`verifyLedger`) and every
 *    audit chain (`verifyAuditChains`) are recomputed from genesis — the heads were read
 *    first, so everything the digest names has been verified by this run;
 * 3. the digest of heads is written to the drive disk and its SHA-256 kept;
 * 4. the row is closed with the result; a failed run also records the platform audit
 *    event `ledger.verification_failed` in the same transaction.
 *
 * An exception (database down, disk full) is recorded as a failed run with source `error`
 * and re-thrown, so the job is retried and, when attempts run out, listed as failed.
 */
export async function runVerification(
  withPlatform: PlatformRunner,
  trigger: VerificationTrigger
): Promise<VerificationOutcome> {
  const startedAt = new Date()
  const id = await withPlatform('open ledger verification run', async (trx) => {
    const [row] = await trx
      .table('ledger_verifications')
      .insert({ started_at: startedAt, ok: false, checked: JSON.stringify({ trigger }) })
      .returning('id')
    return Number(row.id)
  })

  const outcome: VerificationOutcome = {
    id,
    ok: false,
    checked: { trigger: trigger.trigger },
    firstProblem: null,
    digestPath: null,
    digestSha256: null,
  }
  let failure: unknown = null
  try {
    const heads = await withPlatform('read chain heads for the ledger digest', readChainHeads)
    const ledger = await verifyLedger({})
    const audit = await verifyAuditChains({
      actor: trigger.adminId ? { type: 'platform_admin', id: trigger.adminId } : { type: 'system' },
    })
    outcome.checked = {
      trigger: trigger.trigger,
      tenants: heads.tenants.length,
      ledger: ledger.checked,
      audit: { checked: audit.checked, chains: audit.chains },
    }
    if (!ledger.ok) {
      outcome.firstProblem = { source: 'ledger', ...asObject(ledger.firstProblem) }
    } else if (!audit.ok) {
      outcome.firstProblem = { source: 'audit', ...asObject(audit.firstProblem) }
    }
    const digest: ChainDigest = {
      version: 1,
      generatedAt: startedAt.toISOString(),
      verificationId: id,
      ...heads,
    }
    const written = await writeDigest(digest)
    outcome.digestPath = written.path
    outcome.digestSha256 = written.sha256
    outcome.ok = ledger.ok && audit.ok
  } catch (error) {
    failure = error
    outcome.ok = false
    outcome.firstProblem = {
      source: 'error',
      message: (error instanceof Error ? error.message : String(error))
        .split('\n')[0]
        .slice(0, 300),
    }
  }

  await withPlatform('close ledger verification run', async (trx) => {
    await trx
      .from('ledger_verifications')
      .where('id', id)
      .update({
        finished_at: new Date(),
        ok: outcome.ok,
        checked: JSON.stringify(outcome.checked),
        first_problem: outcome.firstProblem ? JSON.stringify(outcome.firstProblem) : null,
        digest_path: outcome.digestPath,
        digest_sha256: outcome.digestSha256,
      })
    if (!outcome.ok) {
      await recordPlatformAudit(trx, {
        actor: trigger.adminId
          ? { type: 'platform_admin', id: trigger.adminId }
          : { type: 'system' },
        action: 'ledger.verification_failed',
        target: { type: 'ledger_verification', id },
        metadata: { trigger: trigger.trigger, problem: outcome.firstProblem },
      })
    }
  })
  if (failure) throw failure
  return outcome
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? { ...(value as Record<string, unknown>) } : {}
}
