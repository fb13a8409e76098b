import type { HttpContext } from '@adonisjs/core/http'
import ListStaff from '#actions/merchant/staff/list_staff'
import { TenantApiException } from '#exceptions/tenant_api_exception'
import { listMembersQueryValidator } from '#validators/merchant/api'

/** `GET /api/v1/members[?role=owner|staff]` (ability `members:read`): the shop's team. */
export default class MembersController {
  async index({ request, response }: HttpContext) {
    const query = await listMembersQueryValidator
      .validate(request.qs())
      .catch((error) => Promise.reject(TenantApiException.from(error) ?? error))
    const { members } = await ListStaff.handle()
    return response.json({
      data: members
        .filter((m) => !query.role || m.role === query.role)
        .map((m) => ({
          id: m.id,
          email: m.email,
          fullName: m.fullName,
          role: m.role,
          joinedAt: m.joinedAt.toISOString(),
        })),
    })
  }
}
