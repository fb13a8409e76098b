import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

/**
 * Server middleware run on every request, matched route or not. The tenant resolver comes
 * after static files and before routing: the Host decides platform site, shop or 404.
 */
server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('@adonisjs/static/static_middleware'),
  () => import('#middleware/tenant_resolver_middleware'),
])

/**
 * Router middleware run on every matched route. The locale is detected first so that
 * errors raised by the others (bad CSRF token, malformed body) reach the user in their
 * language.
 */
router.use([
  () => import('#middleware/detect_user_locale_middleware'),
  () => import('@adonisjs/core/bodyparser_middleware'),
  () => import('@adonisjs/session/session_middleware'),
  () => import('@adonisjs/shield/shield_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#middleware/initialize_bouncer_middleware'),
])

export const middleware = router.named({
  guest: () => import('#middleware/guest_middleware'),
  auth: () => import('#middleware/auth_middleware'),
  merchant: () => import('#middleware/merchant_middleware'),
  apiToken: () => import('#middleware/api_token_middleware'),
})
