import type { HttpContext } from '@adonisjs/core/http'
import {
  AUDIT_ACTOR_TYPES,
  AUDIT_SOURCES,
  filterQuery,
  parseAuditFilters,
  searchAllAudit,
} from '#audit/search'
import { clientIp } from '#actions/accounts/client_ip'

/** The audit log across every shop plus the platform chain (audited platform read). */
export default class AuditController {
  async index(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const { filters, ignored } = parseAuditFilters(ctx.request.qs(), { admin: true })
    const result = await searchAllAudit(filters, { adminId: admin.id, ip: clientIp(ctx) })
    return ctx.view.render('pages/admin/audit', {
      ...result,
      admin,
      filters,
      ignored,
      query: filterQuery(filters),
      actorTypes: AUDIT_ACTOR_TYPES,
      sources: AUDIT_SOURCES,
    })
  }
}
