import type { HttpContext } from '@adonisjs/core/http'
import AuditPolicy from '#audit/audit_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { AUDIT_ACTOR_TYPES, filterQuery, parseAuditFilters, searchTenantAudit } from '#audit/search'
import { requireTenant } from '#tenancy'

/** The shop's audit log (owners only): newest first, filtered, paginated. */
export default class AuditController {
  async index(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(AuditPolicy).allows('view', requireMember(ctx)))
    const { filters, ignored } = parseAuditFilters(ctx.request.qs())
    const result = await searchTenantAudit(requireTenant(), filters)
    return ctx.view.render('pages/merchant/audit', {
      ...result,
      filters,
      ignored,
      query: filterQuery(filters),
      actorTypes: AUDIT_ACTOR_TYPES.filter((type) => type !== 'job' && type !== 'platform_admin'),
    })
  }
}
