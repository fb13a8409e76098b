import { currencyExponent } from '#ledger/settlement/format'
import type { RawAmount } from '#plugin_sdk'

/** Largest amount a gateway may report (minor units): far below int8, far above any order. */
const MAX_MINOR = 10n ** 15n

/**
 * An amount exactly as a gateway sent it → minor units, or null when it is not exactly
 * one well-formed amount. The pipeline compares the result with the order as integers.
 *
 * - `major`: a decimal string in the currency's unit with at most the currency's number
 *   of decimals (`"12.3"`, `"12.30"`, `"12"`): no sign, no exponent, no spaces, no
 *   thousands separators, no leading `+`, no hex. Trailing zeros past the exponent
 *   (`"12.300"`) are refused too: a gateway that formats money its own way is a question
 *   for a person, not for a guess.
 * - `minor`: a non-negative safe integer number or a digit string (Stripe `amount_total`).
 *
 * Arrays (`money[]=1&money[]=2`), objects, floats (`12.34` as a number), `NaN`,
 * `Infinity`, `"1e3"`, `"0x10"`, `"12.34abc"` and empty values are all null.
 */
export function parseGatewayAmount(
  raw: RawAmount | null | undefined,
  currency: string
): bigint | null {
  if (!raw || typeof raw !== 'object') return null
  const { value, format } = raw
  if (format === 'minor') {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) return null
      return BigInt(value)
    }
    if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,17})$/.test(value)) return null
    const minor = BigInt(value)
    return minor <= MAX_MINOR ? minor : null
  }
  if (format !== 'major' || typeof value !== 'string') return null
  const exponent = currencyExponent(currency)
  const match = /^(0|[1-9][0-9]{0,14})(?:\.([0-9]+))?$/.exec(value)
  if (!match) return null
  const fraction = match[2] ?? ''
  if (match[2] !== undefined && fraction.length === 0) return null
  if (fraction.length > exponent) return null
  const minor =
    BigInt(match[1]) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0')
  return minor <= MAX_MINOR ? minor : null
}
