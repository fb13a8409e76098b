import vine from '@vinejs/vine'

/**
 * Buyer account forms. Emails are trimmed and lower-cased (the unique index is on
 * `(tenant_id, lower(email))`); every string has an upper bound, so an oversized field is a
 * form error and never reaches the hasher or the database.
 */
const email = () => vine.string().trim().maxLength(254).email().toLowerCase()

/** A new password: 8–128 characters, typed twice (`password_confirmation`). */
const newPassword = () => vine.string().minLength(8).maxLength(128).confirmed()

/** Sign-up: email + new password (typed twice). */
export const registerBuyerValidator = vine.create({
  email: email(),
  password: newPassword(),
})

/** Log-in: no password rules beyond a length cap, so old passwords keep working. */
export const loginBuyerValidator = vine.create({
  email: email(),
  password: vine.string().maxLength(128),
})

/** "Forgot password": the account's email. */
export const forgotBuyerPasswordValidator = vine.create({
  email: email(),
})

/** Reset link: the new password, typed twice. */
export const resetBuyerPasswordValidator = vine.create({
  password: newPassword(),
})
