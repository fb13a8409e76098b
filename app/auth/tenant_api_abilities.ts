/**
 * Abilities a tenant API token can carry. Only abilities that guard an existing endpoint
 * are listed; a route that needs one names it in `start/routes/api.ts`, and the merchant
 * token form offers exactly this list (labels: `merchant.api_tokens.abilities.<ability>`).
 */
export const TENANT_API_ABILITIES = ['shop:read', 'members:read'] as const

/** One of {@link TENANT_API_ABILITIES}. */
export type TenantApiAbility = (typeof TENANT_API_ABILITIES)[number]

/** Whether `value` names a known ability. */
export function isTenantApiAbility(value: unknown): value is TenantApiAbility {
  return (TENANT_API_ABILITIES as readonly unknown[]).includes(value)
}
