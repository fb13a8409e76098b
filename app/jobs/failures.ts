import db from '@adonisjs/lucid/services/db'

/** Placeholder written instead of a redacted value. */
export const REDACTED = '[redacted]'

/** Keys whose name contains one of these is a secret wherever it appears. */
const SECRET_PARTS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'authorization',
  'cookie',
  'credential',
  'signature',
  'cvv',
  'cvc',
  'otp',
  'mnemonic',
  'seed',
]
/** Keys with one of these as a whole word (camelCase / snake_case / kebab-case) are secrets. */
const SECRET_WORDS = new Set([
  'key',
  'keys',
  'pass',
  'pin',
  'auth',
  'session',
  'sig',
  'iban',
  'pan',
])

const MAX_DEPTH = 6
const MAX_STRING = 500
const MAX_ITEMS = 50

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}

/** Whether a payload key names a secret (`password`, `apiKey`, `card_key`, `x-auth-token`, …). */
export function isSecretKey(key: string): boolean {
  const flat = key.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (SECRET_PARTS.some((part) => flat.includes(part))) return true
  return words(key).some((word) => SECRET_WORDS.has(word))
}

/**
 * A copy of a job payload that is safe to store and show: values under secret-looking keys
 * replaced by {@link REDACTED} at any depth, long strings cut, deep or wide structures
 * truncated. Payloads should carry ids, never secrets; this is the safety net.
 */
export function redactPayload(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value
  }
  if (typeof value === 'bigint') return value.toString()
  if (typeof value !== 'object') return null
  if (depth >= MAX_DEPTH) return '[truncated]'
  if (Array.isArray(value)) {
    return value.slice(0, MAX_ITEMS).map((item) => redactPayload(item, depth + 1))
  }
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value).slice(0, MAX_ITEMS)) {
    out[key] = isSecretKey(key) ? REDACTED : redactPayload(item, depth + 1)
  }
  return out
}

/** Whether {@link redactPayload} removed anything (such a payload cannot be re-dispatched as is). */
export function containsRedaction(value: unknown): boolean {
  if (value === REDACTED || value === '[truncated]') return true
  if (typeof value === 'string') return value.length === MAX_STRING + 1 && value.endsWith('…')
  if (value && typeof value === 'object') return Object.values(value).some(containsRedaction)
  return false
}

/**
 * The first lines of an error, for the failure record and the admin page: code and message,
 * never the stack (stacks go to the worker log only).
 */
export function summarizeError(error: unknown, maxLines = 3, maxChars = 1000): string {
  const err = error instanceof Error ? error : new Error(String(error))
  const code = (err as { code?: unknown }).code
  const head = typeof code === 'string' && !err.message.startsWith(code) ? `${code}: ` : ''
  const text = `${head}${err.message || err.name}`
  return text.split('\n').slice(0, maxLines).join('\n').slice(0, maxChars)
}

/** One exhausted (or permanently failed) job, as written to `job_failures`. */
export interface JobFailure {
  queue: string
  jobName: string
  jobId: string | null
  tenantId: number | null
  payload: unknown
  error: unknown
  /** Runs made, the failed one included. */
  attempts: number
}

/** Writes a failure somewhere durable; the default writes a `job_failures` row. */
export type FailureRecorder = (failure: JobFailure) => Promise<void>

/**
 * Default recorder: one `job_failures` row on the `app` connection, in its own short
 * transaction outside the failed job's (rolled back) unit of work.
 *
 * Why not `withPlatform`: `job_failures` is a platform-global table with no RLS, granted to
 * the app role, so BYPASSRLS would add privilege without adding reach; and `withPlatform`
 * writes an audit row per call, which would bury real cross-tenant access in operational
 * noise. The tenant id is stored only if the shop still exists (FK), else null.
 */
export const recordJobFailure: FailureRecorder = async (failure) => {
  const tenantId =
    failure.tenantId !== null && Number.isSafeInteger(failure.tenantId) && failure.tenantId > 0
      ? failure.tenantId
      : null
  await db
    .connection('app')
    .table('job_failures')
    .insert({
      queue: failure.queue.slice(0, 60),
      job_name: failure.jobName.slice(0, 120),
      job_id: failure.jobId ? failure.jobId.slice(0, 120) : null,
      tenant_id: tenantId
        ? db.connection('app').raw('(SELECT id FROM tenants WHERE id = ?)', [tenantId])
        : null,
      payload: JSON.stringify(redactPayload(failure.payload) ?? {}),
      error: summarizeError(failure.error),
      attempts: failure.attempts,
    })
}
