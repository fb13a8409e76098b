import vine from '@vinejs/vine'
import { emailField, newPasswordField } from '#validators/platform/rules'

/** "Forgot password": just an address; the response never says whether it exists. */
export const forgotPasswordValidator = vine.create({
  email: emailField(),
})

/** New password from a reset link; pass `meta: { email }` so it cannot be the address. */
export const resetPasswordValidator = vine.create({
  password: newPasswordField(),
})
