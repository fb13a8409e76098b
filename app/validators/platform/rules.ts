import vine from '@vinejs/vine'
import { slugProblem } from '#tenancy'

/** Password policy shared by sign-up, password reset and `node ace admin:create`. */
export const PASSWORD_MIN_LENGTH = 10
/** Long enough for any passphrase, short enough that hashing it is not a denial of service. */
export const PASSWORD_MAX_LENGTH = 128

export type PasswordProblem = 'too_short' | 'too_long' | 'letters_digits' | 'not_email'

/**
 * What is wrong with a password, in policy order; empty when it is acceptable.
 * Letters are any script's letters (so a Chinese passphrase counts); digits are 0-9.
 */
export function passwordProblems(password: string, email?: string | null): PasswordProblem[] {
  const problems: PasswordProblem[] = []
  if ([...password].length < PASSWORD_MIN_LENGTH) problems.push('too_short')
  if ([...password].length > PASSWORD_MAX_LENGTH) problems.push('too_long')
  if (!/\p{L}/u.test(password) || !/[0-9]/.test(password)) problems.push('letters_digits')
  if (email && isEmailLike(password, email)) problems.push('not_email')
  return problems
}

/** The address itself, the address with something added, or just its local part. */
function isEmailLike(password: string, email: string) {
  const candidate = password.trim().toLowerCase()
  const address = email.trim().toLowerCase()
  if (!address) return false
  return candidate.includes(address) || candidate === address.split('@')[0]
}

/**
 * Letters and digits, and not the account's email (taken from the sibling `email` field or
 * from validator meta `{ email }`). Length is checked by `minLength`/`maxLength`.
 */
export const strongPassword = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  const sibling = field.parent && typeof field.parent.email === 'string' ? field.parent.email : null
  const email = sibling ?? (typeof field.meta.email === 'string' ? field.meta.email : null)
  const problems = passwordProblems(value, email)
  if (problems.includes('letters_digits')) {
    field.report('The password must contain letters and digits', 'password_letters_digits', field)
  } else if (problems.includes('not_email')) {
    field.report('The password must not be your email address', 'password_not_email', field)
  }
})

/** A shop slug is a DNS label and not a reserved word (`slugProblem` in #tenancy). */
export const shopSlug = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  const problem = slugProblem(value)
  if (problem === 'format') {
    field.report('The shop address format is invalid', 'slug_format', field)
  } else if (problem === 'reserved') {
    field.report('This shop address is reserved', 'slug_reserved', field)
  }
})

/** Email field: trimmed, at most 254 characters, a valid address, stored lower case. */
export function emailField() {
  return vine.string().trim().maxLength(254).email().toLowerCase()
}

/** New password field with confirmation (`password_confirmation`). */
export function newPasswordField() {
  return vine
    .string()
    .minLength(PASSWORD_MIN_LENGTH)
    .maxLength(PASSWORD_MAX_LENGTH)
    .use(strongPassword())
    .confirmed()
}
