/**
 * Amounts for people: integer minor units → a decimal string with `exponent` digits after
 * the point (CNY, USD: 2). No floating point anywhere; `-` for negative amounts, no
 * thousands separators (CSV cells must stay machine-readable).
 */
export function formatMinor(amount: bigint, exponent = 2): string {
  const negative = amount < 0n
  const digits = (negative ? -amount : amount).toString()
  if (exponent <= 0) return `${negative ? '-' : ''}${digits}`
  const padded = digits.padStart(exponent + 1, '0')
  const whole = padded.slice(0, -exponent)
  const fraction = padded.slice(-exponent)
  return `${negative ? '-' : ''}${whole}.${fraction}`
}

/** Minor-unit exponent of a currency (ISO 4217); 2 unless listed. */
export function currencyExponent(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : 2
}

const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'UGX', 'XAF', 'XOF'])
