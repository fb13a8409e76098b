import vine from '@vinejs/vine'

/** Password rules for new merchant accounts: 10–128 characters with letters and digits. */
export const newPasswordRule = () =>
  vine
    .string()
    .minLength(10)
    .maxLength(128)
    .regex(/^(?=.*[A-Za-z])(?=.*\d)/)
    .confirmed({ confirmationField: 'password_confirmation' })
