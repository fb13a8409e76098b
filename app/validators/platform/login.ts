import vine from '@vinejs/vine'
import { PASSWORD_MAX_LENGTH } from '#validators/platform/rules'

/**
 * Login (merchants on the platform site, platform admins). Only shape is checked here;
 * the password policy applies when a password is set, not when one is tried.
 */
export const loginValidator = vine.create({
  email: vine.string().trim().maxLength(254).email().toLowerCase(),
  password: vine.string().maxLength(PASSWORD_MAX_LENGTH),
})
