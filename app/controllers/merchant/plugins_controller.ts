import type { HttpContext } from '@adonisjs/core/http'
import semver from 'semver'
import ShopSettingsPolicy from '#policies/shop_settings_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import {
  installPlugin,
  installedPlugins,
  marketplace,
  pluginSettingsForm,
  PluginInstallError,
  savePluginSettings,
  setPluginEnabled,
  uninstallPlugin,
  upgradePlugin,
} from '#plugin_host'
import { PERMISSIONS } from '#plugin_sdk'

const VERSION = /^[0-9A-Za-z.+-]{1,64}$/

/** Checkbox lists arrive as a string (one ticked) or an array; anything else is none. */
function list(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  return []
}

/**
 * The shop's plugins (owners only): marketplace with permissions and install counts,
 * install with consent, settings rendered from the plugin's schema, enable/disable,
 * upgrade and uninstall. Refusals are localised messages with a 4xx; nothing is written.
 */
export default class PluginsController {
  async #owner(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(ShopSettingsPolicy).allows('manage', member))
    return { tenant: ctx.tenant!, userId: member.userId, ip: ctx.request.ip() }
  }

  async index(ctx: HttpContext) {
    const actor = await this.#owner(ctx)
    return this.#renderIndex(ctx, actor.tenant)
  }

  async #renderIndex(ctx: HttpContext, tenant: NonNullable<HttpContext['tenant']>) {
    const [listing, installed] = await Promise.all([marketplace(), installedPlugins(tenant)])
    const plugins = listing.map((entry) => {
      const mine = installed.get(entry.pluginId) ?? null
      const upgrade =
        mine && semver.valid(mine.version) && semver.valid(entry.version)
          ? semver.gt(entry.version, mine.version)
          : false
      const added = mine
        ? entry.manifest.permissions.filter((p) => !mine.granted.includes(p))
        : entry.manifest.permissions
      return {
        ...entry,
        installed: mine,
        upgrade,
        addedPermissions: added.map((p) => ({ id: p, label: PERMISSIONS[p] })),
      }
    })
    return ctx.view.render('pages/merchant/plugins/index', { plugins })
  }

  async install(ctx: HttpContext) {
    const actor = await this.#owner(ctx)
    const version = ctx.request.input('version')
    if (typeof version !== 'string' || !VERSION.test(version)) {
      return this.#refuse(ctx, 'E_PLUGIN_UNKNOWN')
    }
    try {
      await installPlugin({
        ...actor,
        pluginId: ctx.params.pluginId,
        version,
        consent: list(ctx.request.input('consent')),
      })
    } catch (error) {
      return this.#refused(ctx, error)
    }
    ctx.session.flash('notice', ctx.i18n.t('plugins.flash.installed'))
    return ctx.response.redirect(`/merchant/plugins/${ctx.params.pluginId}/settings`)
  }

  async settings(ctx: HttpContext) {
    const actor = await this.#owner(ctx)
    try {
      const form = await pluginSettingsForm(actor.tenant, ctx.params.pluginId)
      return this.#renderSettings(ctx, form, {}, null)
    } catch (error) {
      return this.#refused(ctx, error)
    }
  }

  async saveSettings(ctx: HttpContext) {
    const actor = await this.#owner(ctx)
    const pluginId = ctx.params.pluginId
    const body = ctx.request.input('settings')
    const values = body && typeof body === 'object' && !Array.isArray(body) ? body : {}
    try {
      await savePluginSettings({ ...actor, pluginId, values })
    } catch (error) {
      if (error instanceof PluginInstallError && error.code === 'E_PLUGIN_SETTINGS') {
        const form = await pluginSettingsForm(actor.tenant, pluginId)
        ctx.response.status(422)
        return this.#renderSettings(ctx, form, error.fieldErrors, values)
      }
      return this.#refused(ctx, error)
    }
    ctx.session.flash('notice', ctx.i18n.t('plugins.flash.saved'))
    return ctx.response.redirect(`/merchant/plugins/${pluginId}/settings`)
  }

  async enable(ctx: HttpContext) {
    return this.#toggle(ctx, true)
  }

  async disable(ctx: HttpContext) {
    return this.#toggle(ctx, false)
  }

  async #toggle(ctx: HttpContext, enabled: boolean) {
    const actor = await this.#owner(ctx)
    try {
      await setPluginEnabled({ ...actor, pluginId: ctx.params.pluginId, enabled })
    } catch (error) {
      return this.#refused(ctx, error)
    }
    ctx.session.flash(
      'notice',
      ctx.i18n.t(enabled ? 'plugins.flash.enabled' : 'plugins.flash.disabled')
    )
    return ctx.response.redirect('/merchant/plugins')
  }

  async upgrade(ctx: HttpContext) {
    const actor = await this.#owner(ctx)
    const version = ctx.request.input('version')
    if (typeof version !== 'string' || !VERSION.test(version)) {
      return this.#refuse(ctx, 'E_PLUGIN_UNKNOWN')
    }
    try {
      const result = await upgradePlugin({
        ...actor,
        pluginId: ctx.params.pluginId,
        version,
        consent: list(ctx.request.input('consent')),
      })
      ctx.session.flash(
        'notice',
        ctx.i18n.t(result.enabled ? 'plugins.flash.upgraded' : 'plugins.flash.upgraded_disabled')
      )
    } catch (error) {
      return this.#refused(ctx, error)
    }
    return ctx.response.redirect('/merchant/plugins')
  }

  async uninstall(ctx: HttpContext) {
    const actor = await this.#owner(ctx)
    try {
      await uninstallPlugin({
        ...actor,
        pluginId: ctx.params.pluginId,
        purge: ctx.request.input('purge') === '1',
      })
    } catch (error) {
      return this.#refused(ctx, error)
    }
    ctx.session.flash('notice', ctx.i18n.t('plugins.flash.uninstalled'))
    return ctx.response.redirect('/merchant/plugins')
  }

  #refused(ctx: HttpContext, error: unknown) {
    if (!(error instanceof PluginInstallError)) throw error
    return this.#refuse(ctx, error.code)
  }

  #refuse(ctx: HttpContext, code: string) {
    const status =
      code === 'E_PLUGIN_UNKNOWN' || code === 'E_PLUGIN_NOT_INSTALLED'
        ? 404
        : code === 'E_PLUGIN_ALREADY_INSTALLED' || code === 'E_PLUGIN_SAME_VERSION'
          ? 409
          : 422
    ctx.response.status(status)
    return ctx.view.render('pages/merchant/plugins/refused', {
      message: ctx.i18n.t(`plugins.errors.${code}`),
    })
  }

  #renderSettings(
    ctx: HttpContext,
    form: Awaited<ReturnType<typeof pluginSettingsForm>>,
    errors: Record<string, string>,
    submitted: Record<string, unknown> | null
  ) {
    const fields = form.fields.map((f) => {
      const given = submitted?.[f.name]
      const value =
        f.field.type === 'string' && (f.field as { secret?: boolean }).secret
          ? ''
          : submitted && typeof given === 'string'
            ? given.slice(0, 2000)
            : (f.value ?? '')
      const rule = errors[f.name]
      return {
        ...f,
        value: typeof value === 'string' || typeof value === 'number' ? String(value) : value,
        checked:
          f.field.type === 'boolean' &&
          (submitted ? given === 'true' || given === 'on' : f.value === true),
        secret: f.field.type === 'string' && Boolean((f.field as { secret?: boolean }).secret),
        error: rule
          ? ctx.i18n.t(`plugins.rules.${rule}`, {}, ctx.i18n.t('plugins.rules.invalid'))
          : null,
      }
    })
    return ctx.view.render('pages/merchant/plugins/settings', {
      pluginId: ctx.params.pluginId,
      version: form.version,
      enabled: form.enabled,
      fields,
    })
  }
}
