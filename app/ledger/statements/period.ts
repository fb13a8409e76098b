/**
 * Report periods from query strings: whole days `from`..`to` (both included, `YYYY-MM-DD`),
 * at most {@link MAX_PERIOD_DAYS} days. Days are UTC days: a period covers
 * `[from 00:00Z, to + 1 day 00:00Z)`. Problems come back as data (field → message key),
 * never as exceptions, so a bad link is a form error and not a 500.
 */
export const MAX_PERIOD_DAYS = 366

const DAY_MS = 86_400_000
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export interface Period {
  /** First day, `YYYY-MM-DD`. */
  from: string
  /** Last day (included), `YYYY-MM-DD`. */
  to: string
  /** `from` at 00:00 UTC. */
  start: Date
  /** The day after `to` at 00:00 UTC (exclusive end). */
  end: Date
}

/** Message keys (namespace `statements.errors`) by query field. */
export type FieldErrors = Partial<Record<string, string>>

/** A real calendar day `YYYY-MM-DD` (years 2000–9999) as its UTC midnight, else null. */
export function parseDay(value: unknown): Date | null {
  if (typeof value !== 'string') return null
  const match = DATE.exec(value)
  if (!match) return null
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (year < 2000) return null
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1) return null
  if (date.getUTCDate() !== day) return null
  return date
}

/** `YYYY-MM-DD` of a date's UTC day. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/**
 * The period a query asks for. A missing bound defaults to the current month so far
 * (`from` = the 1st, `to` = today); a present but bad one is an error.
 */
export function parsePeriod(
  input: { from?: unknown; to?: unknown },
  now: Date = new Date()
): { period: Period; errors: null } | { period: null; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))

  const given = (value: unknown) => value !== undefined && value !== null && value !== ''
  const start = given(input.from) ? parseDay(input.from) : monthStart
  const last = given(input.to) ? parseDay(input.to) : today
  if (!start) errors.from = 'invalid_date'
  if (!last) errors.to = 'invalid_date'
  if (start && last) {
    const days = Math.round((last.getTime() - start.getTime()) / DAY_MS) + 1
    if (days < 1) errors.to = 'to_before_from'
    else if (days > MAX_PERIOD_DAYS) errors.to = 'too_long'
  }
  if (!start || !last || Object.keys(errors).length) return { period: null, errors }
  return {
    period: {
      from: dayOf(start),
      to: dayOf(last),
      start,
      end: new Date(last.getTime() + DAY_MS),
    },
    errors: null,
  }
}
