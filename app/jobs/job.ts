import type { Logger } from '@adonisjs/core/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { TenantRef } from '#tenancy'

/** What every tenant job's payload carries: the shop it acts for. */
export interface TenantPayload {
  /** `tenants.id`; the runner resolves it and runs the job under that shop's RLS scope. */
  tenantId: number
}

/**
 * How long to wait before retry n (n = failures so far, from 1):
 * `fixed` waits `delay` ms every time, `exponential` waits `delay * 2^(n-1)` ms
 * (BullMQ's built-in strategies, reproduced exactly by the memory driver).
 */
export interface JobBackoff {
  type: 'fixed' | 'exponential'
  /** Milliseconds. */
  delay: number
}

/** Facts about the run in progress, for logs and for handlers that care about retries. */
export interface JobRunInfo {
  /** Driver job id (deterministic when dispatched with an idempotency key). */
  id: string
  name: string
  queue: string
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number
  /** Total runs allowed before the job is recorded as failed. */
  attempts: number
}

/** Second argument of {@link TenantJob.handle}. */
export interface TenantJobContext {
  /** The shop resolved from `payload.tenantId` (already the tenant in context). */
  tenant: TenantRef
  job: JobRunInfo
  /** Child logger bound to job name, id and tenantId; never log the payload. */
  logger: Logger
}

/** Second argument of {@link PlatformJob.handle}. */
export interface PlatformJobContext {
  job: JobRunInfo
  logger: Logger
  /**
   * Cross-tenant unit of work on the `platform` role (BYPASSRLS), recorded in the platform
   * audit log as actor `job` with `reason`. The only database access a platform job gets
   * beyond platform-global tables.
   */
  withPlatform<T>(reason: string, fn: (trx: TransactionClientContract) => Promise<T>): Promise<T>
}

/**
 * Settings every job class declares as statics. Defaults live on {@link TenantJob} and
 * {@link PlatformJob}; a subclass overrides only what differs.
 */
export interface JobSettings {
  /** Unique, stable name (`domain.verb`, e.g. `reservations.release`): stored with every queued job. */
  jobName: string
  /** Queue (BullMQ queue name) the job goes to; workers subscribe per queue. */
  queue: string
  /** Total runs before the failure is recorded (1 = no retry). */
  attempts: number
  backoff: JobBackoff
}

/**
 * A job that acts for one shop. The payload always carries `tenantId` (enforced by the
 * type parameter and checked again at dispatch and at run time). The runner resolves the
 * shop, makes it the tenant in context and, unless `transaction` is false, opens one
 * `withTenant` transaction around `handle`: every `withTenant()` call inside joins it, so
 * the job commits or rolls back as a whole and a retry starts from clean state.
 *
 * Jobs run at least once: a retry, a crashed worker or a re-dispatch can run the same
 * payload again. `handle` must be idempotent (check-then-act inside the transaction,
 * unique constraints, ledger idempotency keys), never "run once by luck".
 *
 * @example
 * export default class ReleaseReservationJob extends TenantJob<{ tenantId: number; orderId: number }> {
 *   static jobName = 'reservations.release'
 *   async handle(payload: { tenantId: number; orderId: number }) {
 *     await withTenant(async (trx) => { … })
 *   }
 * }
 */
export abstract class TenantJob<Payload extends TenantPayload> {
  static readonly scope = 'tenant' as const
  static jobName: string
  static queue = 'default'
  static attempts = 5
  static backoff: JobBackoff = { type: 'exponential', delay: 5_000 }
  /**
   * Run `handle` inside one `withTenant` transaction (default). Set to false for jobs that
   * make network calls (mail, gateways): they then open short `withTenant` units themselves
   * around their database work, and the tenant is still in context.
   */
  static transaction = true

  abstract handle(payload: Payload, ctx: TenantJobContext): Promise<void>
}

/**
 * A job explicitly marked cross-tenant (fan-out over shops, platform reports). It runs with
 * no tenant in context; tenant tables are reachable only through `ctx.withPlatform`, which
 * audits every use. Prefer a {@link TenantJob} per shop whenever the work is per shop.
 */
export abstract class PlatformJob<Payload extends object = Record<string, never>> {
  static readonly scope = 'platform' as const
  static jobName: string
  static queue = 'default'
  static attempts = 3
  static backoff: JobBackoff = { type: 'exponential', delay: 10_000 }

  abstract handle(payload: Payload, ctx: PlatformJobContext): Promise<void>
}

/** Any concrete job class (what `dispatch`, `schedule` and the registry accept). */
export type JobClass =
  | (JobSettings & { readonly scope: 'tenant'; transaction: boolean } & (new () => TenantJob<any>))
  | (JobSettings & { readonly scope: 'platform' } & (new () => PlatformJob<any>))

/** The payload type a job class declares through its `handle` signature. */
export type PayloadOf<C extends JobClass> =
  InstanceType<C> extends { handle(payload: infer P, ctx: any): any } ? P : never

/**
 * Throw (or wrap) to fail a job without retrying: bad input that no retry can fix. The
 * failure is recorded at once. Unknown job names, missing tenants and malformed payloads
 * fail this way too.
 */
export class PermanentJobError extends Error {
  readonly code: string

  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, { cause: options?.cause })
    this.name = 'PermanentJobError'
    this.code = options?.code ?? 'E_JOB_PERMANENT'
  }
}
