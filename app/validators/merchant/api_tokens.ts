import vine from '@vinejs/vine'
import { TENANT_API_ABILITIES } from '#auth/tenant_api_abilities'

/** Days a token may live when an expiry is chosen (the form offers a few of them). */
export const TOKEN_EXPIRY_DAYS = [7, 30, 90, 365] as const

/**
 * Create an API token: a name, at least one known ability (one checkbox may arrive as a
 * plain string), and an optional expiry in days (empty = never expires).
 */
export const createApiTokenValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(80),
  abilities: vine
    .array(vine.enum(TENANT_API_ABILITIES))
    .parse((value) => (typeof value === 'string' ? [value] : value))
    .minLength(1)
    .distinct(),
  expires_in_days: vine
    .number()
    .in([...TOKEN_EXPIRY_DAYS])
    .optional()
    .transform((v) => v ?? null),
})
