/*
|--------------------------------------------------------------------------
| Storefront: buyers on <slug>.<PLATFORM_DOMAIN>
|--------------------------------------------------------------------------
| Guests may use every page; buyer accounts are optional and belong to one
| shop. Rate limits live in the actions (app/actions/storefront/limits.ts).
*/
import router from '@adonisjs/core/services/router'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'

const HomeController = () => import('#controllers/storefront/home_controller')
const RegistrationController = () => import('#controllers/storefront/registration_controller')
const SessionController = () => import('#controllers/storefront/session_controller')
const AccountController = () => import('#controllers/storefront/account_controller')
const ForgotPasswordController = () => import('#controllers/storefront/forgot_password_controller')
const ResetPasswordController = () => import('#controllers/storefront/reset_password_controller')
const ProductController = () => import('#controllers/storefront/product_controller')
const CheckoutController = () => import('#controllers/storefront/checkout_controller')
const OrderController = () => import('#controllers/storefront/order_controller')

/**
 * Every storefront page knows whether a buyer is signed in. The lookup runs under the
 * shop's RLS (BuyerUserProvider), so a session from another shop finds nobody.
 */
async function identifyBuyer(ctx: HttpContext, next: NextFn) {
  const guard = ctx.auth.use('buyer')
  await guard.check()
  ctx.view.share({ buyer: guard.user ?? null })
  return next()
}

router
  .group(() => {
    router.get('/', [HomeController, 'show']).as('storefront.home')

    router.get('/p/:id', [ProductController, 'show']).as('storefront.product')
    router.post('/p/:id/checkout', [CheckoutController, 'store']).as('storefront.checkout')
    router.get('/orders/lookup', [OrderController, 'lookupForm']).as('storefront.orders.lookup')
    router.post('/orders/lookup', [OrderController, 'lookup']).as('storefront.orders.lookup.store')
    router.get('/orders/:token', [OrderController, 'show']).as('storefront.orders.show')

    router
      .group(() => {
        router
          .get('/account/register', [RegistrationController, 'create'])
          .as('storefront.register')
        router
          .post('/account/register', [RegistrationController, 'store'])
          .as('storefront.register.store')
        router.get('/account/login', [SessionController, 'create']).as('storefront.login')
        router.post('/account/login', [SessionController, 'store']).as('storefront.login.store')
      })
      .use(middleware.guest({ guards: ['buyer'] }))

    router
      .get('/account/forgot-password', [ForgotPasswordController, 'create'])
      .as('storefront.forgot')
    router
      .post('/account/forgot-password', [ForgotPasswordController, 'store'])
      .as('storefront.forgot.store')
    router
      .get('/account/reset-password/:token', [ResetPasswordController, 'edit'])
      .as('storefront.reset')
    router
      .post('/account/reset-password/:token', [ResetPasswordController, 'update'])
      .as('storefront.reset.update')

    router
      .group(() => {
        router.get('/account', [AccountController, 'show']).as('storefront.account')
        router.post('/account/logout', [SessionController, 'destroy']).as('storefront.logout')
      })
      .use(middleware.auth({ guards: ['buyer'] }))
  })
  .domain(SHOP_DOMAIN)
  .use(identifyBuyer)
