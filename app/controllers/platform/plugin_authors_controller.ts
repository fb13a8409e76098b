import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { clientIp } from '#actions/accounts/client_ip'
import {
  becomeAuthor,
  DISPLAY_NAME,
  findAuthor,
  listAuthorPlugins,
  PluginSubmissionError,
  submitPluginVersion,
} from '#plugin_host/authoring'
import { TARBALL_LIMITS } from '#plugin_host/tarball'
import { ENGINE_VERSION } from '#plugin_host/engine'

/** Submissions per author per hour (every attempt counts: each one unpacks an archive). */
export const SUBMISSION_LIMIT = { requests: 10, duration: '1 hour' }

const LIMITS = {
  compressedMb: TARBALL_LIMITS.compressedBytes / 1024 / 1024,
  unpackedMb: TARBALL_LIMITS.unpackedBytes / 1024 / 1024,
  files: TARBALL_LIMITS.files,
  engine: ENGINE_VERSION,
}

/**
 * Plugin authors on the platform host (docs/plugins.md): become an author, see your plugins
 * with every version's review state, submit a version as an `npm pack` tarball.
 */
export default class PluginAuthorsController {
  /** GET /authors */
  async index(ctx: HttpContext) {
    const user = await this.#user(ctx)
    if (!user) return ctx.response.redirect().toPath('/login')
    return this.#renderIndex(ctx, user)
  }

  /** POST /authors: become an author (display name 2–80 characters). */
  async store(ctx: HttpContext) {
    const user = await this.#user(ctx)
    if (!user) return ctx.response.redirect().toPath('/login')
    const raw = ctx.request.input('display_name')
    const name = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : ''
    if (
      [...name].length < DISPLAY_NAME.min ||
      [...name].length > DISPLAY_NAME.max ||
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f]/.test(name)
    ) {
      ctx.response.status(422)
      return this.#renderIndex(ctx, user, {
        error: ctx.i18n.t('plugin_authors.register.invalid_name', DISPLAY_NAME),
        displayName: typeof raw === 'string' ? raw.slice(0, 200) : '',
      })
    }
    await becomeAuthor({ userId: user.id, displayName: name, ip: clientIp(ctx) })
    ctx.session.flash('notice', ctx.i18n.t('plugin_authors.register.done'))
    return ctx.response.redirect().toPath('/authors')
  }

  /** GET /authors/plugins/submit */
  async create(ctx: HttpContext) {
    const user = await this.#user(ctx)
    if (!user) return ctx.response.redirect().toPath('/login')
    if (!(await findAuthor(user.id))) return ctx.response.redirect().toPath('/authors')
    return ctx.view.render('pages/platform/authors/submit', { limits: LIMITS, account: user })
  }

  /** POST /authors/plugins/submit (multipart, field `tarball`). */
  async submit(ctx: HttpContext) {
    const user = await this.#user(ctx)
    if (!user) return ctx.response.redirect().toPath('/login')
    const fail = (status: number, message: string, problems: string[] = []) => {
      ctx.response.status(status)
      return ctx.view.render('pages/platform/authors/submit', {
        limits: LIMITS,
        account: user,
        error: message,
        problems,
      })
    }
    if (!(await findAuthor(user.id))) {
      return fail(403, ctx.i18n.t('plugin_authors.errors.not_author'))
    }
    try {
      await limiter.use(SUBMISSION_LIMIT).consume(`plugin-submit:user:${user.id}`)
    } catch (error) {
      if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
      const minutes = Math.max(1, Math.ceil(error.response.availableIn / 60))
      return fail(429, ctx.i18n.t('plugin_authors.errors.throttled', { minutes }))
    }

    const file = ctx.request.file('tarball', { size: TARBALL_LIMITS.compressedBytes })
    if (!file || (!file.tmpPath && file.isValid)) {
      return fail(422, ctx.i18n.t('plugin_authors.errors.missing'))
    }
    if (!file.isValid || !file.tmpPath) {
      const tooBig = file.errors.some((e) => e.type === 'size')
      return fail(
        422,
        ctx.i18n.t(`plugin_authors.errors.${tooBig ? 'too_big' : 'missing'}`, LIMITS)
      )
    }
    const tarball = await readFile(file.tmpPath)
    try {
      const done = await submitPluginVersion({ userId: user.id, tarball, ip: clientIp(ctx) })
      ctx.session.flash(
        'notice',
        ctx.i18n.t('plugin_authors.submit.done', { id: done.pluginId, version: done.version })
      )
      return ctx.response.redirect().toPath('/authors')
    } catch (error) {
      if (!(error instanceof PluginSubmissionError)) throw error
      return fail(
        422,
        ctx.i18n.t(`plugin_authors.errors.${error.code}`, { ...LIMITS, ...error.params }),
        error.problems
      )
    }
  }

  async #user(ctx: HttpContext) {
    const guard = ctx.auth.use('web')
    if (!(await guard.check())) return null
    return guard.getUserOrFail()
  }

  async #renderIndex(
    ctx: HttpContext,
    user: { id: number; email: string },
    form: { error?: string; displayName?: string } = {}
  ) {
    const author = await findAuthor(user.id)
    const plugins = author ? await listAuthorPlugins(user.id) : []
    return ctx.view.render('pages/platform/authors/index', {
      account: user,
      author,
      plugins,
      form,
      displayName: DISPLAY_NAME,
    })
  }
}
