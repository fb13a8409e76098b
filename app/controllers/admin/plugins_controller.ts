import type { HttpContext } from '@adonisjs/core/http'
import { clientIp } from '#actions/accounts/client_ip'
import { listVersionsForReview, PluginReviewError, reviewVersion } from '#plugin_host'
import { hooks } from '#plugin_host/runtime'

const STATUSES = ['pending', 'approved', 'rejected'] as const
const VERSION = /^[0-9A-Za-z.+-]{1,64}$/

/**
 * Platform admins: the plugin review queue (approve / reject with a note) and this
 * process's per-plugin hook statistics (calls, errors, timeouts, p50/p95).
 */
export default class PluginsController {
  async index(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const requested = ctx.request.input('status')
    const status = (STATUSES as readonly string[]).includes(requested) ? requested : 'pending'
    const versions = await listVersionsForReview({ id: admin.id, ip: clientIp(ctx) }, status)
    return ctx.view.render('pages/admin/plugins', {
      status,
      statuses: STATUSES,
      versions,
      stats: hooks.metrics.snapshot(),
    })
  }

  async review(ctx: HttpContext) {
    const admin = ctx.auth.use('admin').getUserOrFail()
    const decision = ctx.request.input('decision')
    const version = ctx.request.input('version')
    const note = ctx.request.input('note')
    if (
      (decision !== 'approved' && decision !== 'rejected') ||
      typeof version !== 'string' ||
      !VERSION.test(version) ||
      (note !== undefined && note !== null && typeof note !== 'string')
    ) {
      ctx.session.flash('error', ctx.i18n.t('admin_plugins.errors.E_REVIEW_NOT_FOUND'))
      return ctx.response.status(422).redirect().toPath('/admin/plugins')
    }
    try {
      await reviewVersion({
        admin: { id: admin.id, ip: clientIp(ctx) },
        pluginId: ctx.params.pluginId,
        version,
        decision,
        note: note ?? null,
      })
    } catch (error) {
      if (!(error instanceof PluginReviewError)) throw error
      ctx.session.flash('error', ctx.i18n.t(`admin_plugins.errors.${error.code}`))
      return ctx.response.redirect().toPath('/admin/plugins')
    }
    ctx.session.flash('notice', ctx.i18n.t(`admin_plugins.flash.${decision}`))
    return ctx.response.redirect().toPath('/admin/plugins')
  }
}
