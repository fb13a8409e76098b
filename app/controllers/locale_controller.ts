import type { HttpContext } from '@adonisjs/core/http'
import i18nManager from '@adonisjs/i18n/services/main'
import { LOCALE_COOKIE } from '#middleware/detect_user_locale_middleware'

/** The language switch: remembers the choice in a cookie and goes back (same host only). */
export default class LocaleController {
  async update({ params, request, response }: HttpContext) {
    const locale = i18nManager.getSupportedLocaleFor([String(params.locale)])
    if (locale) {
      response.plainCookie(LOCALE_COOKIE, locale, {
        encode: false,
        maxAge: '365d',
        httpOnly: false,
      })
    }
    const back = String(request.input('back', '/'))
    const safe =
      back.startsWith('/') && !back.startsWith('//') && !back.startsWith('/\\') ? back : '/'
    return response.redirect(safe)
  }
}
