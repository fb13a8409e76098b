import vine from '@vinejs/vine'
import { emailField, newPasswordField, shopSlug } from '#validators/platform/rules'

/** Tenant sign-up on the platform site. Slug availability is checked by the action. */
export const signupValidator = vine.create({
  email: emailField(),
  password: newPasswordField(),
  shop_name: vine.string().trim().minLength(2).maxLength(60),
  slug: vine.string().trim().toLowerCase().maxLength(63).use(shopSlug()),
})
