import vine from '@vinejs/vine'

/** Dashboard login form. The email is trimmed and lower-cased (accounts are stored so). */
export const merchantLoginValidator = vine.create({
  email: vine.string().trim().toLowerCase().email().maxLength(254),
  password: vine.string().minLength(1).maxLength(200),
})
