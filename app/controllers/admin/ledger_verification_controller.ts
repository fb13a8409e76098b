import type { HttpContext } from '@adonisjs/core/http'
import { clientIp } from '#actions/accounts/client_ip'
import { listVerifications } from '#ledger/verification/list_verifications'
import { requestVerification } from '#ledger/verification/request_verification'

/** /admin/ledger: the latest verification runs and their results, and "run now". */
export default class LedgerVerificationController {
  async index(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const runs = await listVerifications({ adminId: admin.id, ip: clientIp(ctx) })
    return ctx.view.render('pages/admin/ledger_verification', {
      admin,
      runs,
      last: runs.find((run) => run.status !== 'running') ?? null,
    })
  }

  async run(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    await requestVerification({ adminId: admin.id, ip: clientIp(ctx) })
    ctx.session.flash('notice', ctx.i18n.t('statements.ledger.requested'))
    return ctx.response.redirect().toPath('/admin/ledger')
  }
}
