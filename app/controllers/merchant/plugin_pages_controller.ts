import type { HttpContext } from '@adonisjs/core/http'
import ShopSettingsPolicy from '#policies/shop_settings_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { PluginPageFailed, PluginPageNotFound, servePluginPage } from '#plugin_host/pages'

/**
 * Pages plugins add to the dashboard (`/merchant/plugins/<id>/…`, owners only, the plugin
 * enabled for this shop). The work is in app/plugin_host/pages.ts.
 */
export default class PluginPagesController {
  async handle(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(ShopSettingsPolicy).allows('manage', member))
    try {
      return await servePluginPage(ctx, { userId: member.userId })
    } catch (error) {
      if (error instanceof PluginPageNotFound) {
        return ctx.response.notFound(await ctx.view.render('pages/errors/not_found'))
      }
      if (error instanceof PluginPageFailed) {
        // The plugin's bug, not the merchant's: a clear page, logged by the host.
        ctx.response.status(503)
        return ctx.view.render('pages/merchant/plugins/refused', {
          message: ctx.i18n.t('plugin_pages.failed'),
        })
      }
      throw error
    }
  }
}
