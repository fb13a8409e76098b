/*
|--------------------------------------------------------------------------
| Tenant API: <slug>.<PLATFORM_DOMAIN>/api/v1 (bearer access tokens, JSON only)
|--------------------------------------------------------------------------
| Each route names the token ability it needs; `apiToken` authenticates the token for
| THIS shop, rate-limits per token and renders errors as { errors: [{ code, message }] }.
| CSRF is skipped for /api/ (config/shield.ts): there is no cookie authentication here.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'
import { TenantApiException } from '#exceptions/tenant_api_exception'

const ShopController = () => import('#controllers/api/v1/shop_controller')
const MembersController = () => import('#controllers/api/v1/members_controller')

router
  .group(() => {
    router
      .get('/shop', [ShopController, 'show'])
      .use(middleware.apiToken({ ability: 'shop:read' }))
      .as('shop.show')
    router
      .get('/members', [MembersController, 'index'])
      .use(middleware.apiToken({ ability: 'members:read' }))
      .as('members.index')

    router
      .any('/*', () => {
        throw TenantApiException.notFound()
      })
      .use(middleware.apiToken())
      .as('not_found')
  })
  .prefix('/api/v1')
  .as('api.v1')
  .domain(SHOP_DOMAIN)
