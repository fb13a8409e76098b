/**
 * Tenancy engine: the only entry point other code imports (`#tenancy`).
 * docs/architecture.md, Tenancy, explains the rules this enforces.
 */
export { tenantStorage, currentTenant, requireTenant, runAsTenant } from '#tenancy/context'
export type { TenantRef, TenantScope } from '#tenancy/context'
export { withTenant, setTenantOn, tenantIdLiteral, currentTenantId } from '#tenancy/with_tenant'
export { withPlatform, withPlatformRole } from '#tenancy/platform'
export type { PlatformAccess } from '#tenancy/platform'
export {
  classifyHost,
  tenantDirectory,
  TenantDirectory,
  toTenantRef,
  TENANT_REF_COLUMNS,
} from '#tenancy/resolver'
export type { HostMatch } from '#tenancy/resolver'
export { slugProblem, RESERVED_SLUGS } from '#tenancy/slug'
export type { SlugProblem } from '#tenancy/slug'
export { ShopNotFoundException, ShopSuspendedException } from '#tenancy/exceptions'
