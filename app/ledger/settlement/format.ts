/**
 * Money as people read and type it, from and to integer minor units. Only display and
 * form parsing live here; amounts stay `bigint` minor units everywhere else.
 */

/** Digits after the decimal point per ISO 4217 currency (2 when not listed). */
const EXPONENTS: Record<string, number> = { CNY: 2, USD: 2, EUR: 2, HKD: 2, GBP: 2, JPY: 0 }

/** Largest amount a form accepts, in minor units (a typo guard, far below int8). */
export const MAX_FORM_MINOR = 10n ** 14n

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2
}

/** `12345n, 'CNY'` → `'123.45'`; negative amounts keep their sign. */
export function formatMinor(amount: bigint | number | string, currency: string): string {
  const value = BigInt(amount)
  const exponent = currencyExponent(currency)
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0')
  const whole = exponent ? digits.slice(0, -exponent) : digits
  const fraction = exponent ? `.${digits.slice(-exponent)}` : ''
  return `${negative ? '-' : ''}${whole}${fraction}`
}

/** `formatMinor` with the currency code: `'CNY 123.45'`. */
export function formatMoney(amount: bigint | number | string, currency: string): string {
  return `${currency} ${formatMinor(amount, currency)}`
}

/**
 * A decimal string as typed in a form (`'100'`, `'100.5'`, `'100.50'`) → minor units.
 * Returns null for anything else: signs, exponents, more decimals than the currency has,
 * zero, or more than {@link MAX_FORM_MINOR}.
 */
export function parseMajor(input: unknown, currency: string): bigint | null {
  if (typeof input !== 'string') return null
  const exponent = currencyExponent(currency)
  const match = /^([0-9]{1,15})(?:\.([0-9]+))?$/.exec(input.trim())
  if (!match) return null
  const fraction = match[2] ?? ''
  if (fraction.length > exponent) return null
  const minor = BigInt(match[1] + fraction.padEnd(exponent, '0'))
  if (minor <= 0n || minor > MAX_FORM_MINOR) return null
  return minor
}
