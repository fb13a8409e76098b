import type { HttpContext } from '@adonisjs/core/http'
import GetShopProfile from '#actions/merchant/get_shop_profile'

/** `GET /api/v1/shop` (ability `shop:read`). */
export default class ShopController {
  async show({ response }: HttpContext) {
    return response.json({ data: await GetShopProfile.handle() })
  }
}
