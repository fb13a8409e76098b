import type { HttpContext } from '@adonisjs/core/http'
import { listFailedJobs, retryFailedJob } from '#jobs'
import { clientIp } from '#actions/accounts/client_ip'

/** A page number from the query string or form: a positive integer, else 1. */
function pageNumber(value: unknown): number {
  const page = Number(value)
  return Number.isSafeInteger(page) && page > 0 ? page : 1
}

/** Failed jobs for platform admins: the list (newest first) and the retry action. */
export default class JobsController {
  async index(ctx: HttpContext) {
    const failures = await listFailedJobs({
      page: pageNumber(ctx.request.input('page')),
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      ip: ctx.request.ip(),
    })
    return ctx.view.render('pages/admin/jobs', { failures })
  }

  async retry(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const outcome = await retryFailedJob({
      failureId: Number(ctx.params.id),
      adminId: admin.id,
      ip: clientIp(ctx),
    })
    const message =
      outcome.status === 'not_retryable'
        ? `jobs.outcome.${outcome.reason}`
        : `jobs.outcome.${outcome.status}`
    ctx.session.flash(outcome.status === 'retried' ? 'notice' : 'error', ctx.i18n.t(message))
    return ctx.response
      .redirect()
      .toPath(`/admin/jobs?page=${pageNumber(ctx.request.input('page'))}`)
  }
}
