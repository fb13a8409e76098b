import type { HttpContext } from '@adonisjs/core/http'

/** The platform's landing page. */
export default class HomeController {
  async show({ view }: HttpContext) {
    return view.render('pages/platform/home')
  }
}
