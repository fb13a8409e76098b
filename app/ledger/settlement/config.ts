import env from '#start/env'

/**
 * The platform's money rules, from the environment (start/env.ts), with defaults. Read on
 * every call, so a value changed with `env.set` applies at once.
 */
export interface MoneyRules {
  /** No shop's hold may be shorter (days). */
  minHoldDays: number
  /** Hold of a shop with no setting of its own (days, never below `minHoldDays`). */
  defaultHoldDays: number
  /** Smallest withdrawal, minor units. */
  withdrawalMin: bigint
  /** Withdrawal fee in basis points of the amount. */
  withdrawalFeeBps: bigint
  /** Smallest withdrawal fee, minor units. */
  withdrawalFeeMin: bigint
}

/** Longest hold a shop may be given (days). */
export const MAX_HOLD_DAYS = 365

/** A whole number from the environment (values set at run time may still be strings). */
function whole(raw: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER) {
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw)
  return Number.isSafeInteger(value) && value >= 0 && value <= max ? value : fallback
}

export function moneyRules(): MoneyRules {
  const minHoldDays = whole(env.get('SETTLEMENT_MIN_HOLD_DAYS'), 3, MAX_HOLD_DAYS)
  const defaultHoldDays = Math.max(
    minHoldDays,
    whole(env.get('SETTLEMENT_DEFAULT_HOLD_DAYS'), 7, MAX_HOLD_DAYS)
  )
  return {
    minHoldDays,
    defaultHoldDays,
    withdrawalMin: BigInt(whole(env.get('WITHDRAWAL_MIN_MINOR'), 10_000)),
    withdrawalFeeBps: BigInt(whole(env.get('WITHDRAWAL_FEE_BPS'), 100, 10_000)),
    withdrawalFeeMin: BigInt(whole(env.get('WITHDRAWAL_FEE_MIN_MINOR'), 200)),
  }
}

/**
 * The fee of a withdrawal of `amount` minor units: `max(⌈amount × bps / 10000⌉, min fee)`,
 * rounded up so the platform never pays a fraction. Never more than the amount itself.
 */
export function withdrawalFee(amount: bigint, rules: MoneyRules = moneyRules()): bigint {
  const proportional = (amount * rules.withdrawalFeeBps + 9_999n) / 10_000n
  const fee = proportional > rules.withdrawalFeeMin ? proportional : rules.withdrawalFeeMin
  return fee > amount ? amount : fee
}
