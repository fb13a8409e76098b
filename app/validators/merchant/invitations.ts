import vine from '@vinejs/vine'
import { newPasswordRule } from '#validators/merchant/passwords'

/** Accepting an invitation with a new account (the email comes from the invitation). */
export const acceptWithNewAccountValidator = vine.create({
  full_name: vine.string().trim().maxLength(120).optional(),
  password: newPasswordRule(),
})

/** Accepting an invitation with the existing account of the invited email. */
export const acceptWithExistingAccountValidator = vine.create({
  password: vine.string().minLength(1).maxLength(200),
})
