/*
|--------------------------------------------------------------------------
| Merchant dashboard: <slug>.<PLATFORM_DOMAIN>/merchant
|--------------------------------------------------------------------------
| Public: login, the invitation link. Everything else is behind the `merchant` middleware
| (web session + membership in this shop); owner-only actions are checked by policies.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { SHOP_DOMAIN } from '#start/routes/shop_domain'
import { INVITATION_TOKEN_PATTERN } from '#actions/merchant/invitations/invitation_token'

const SessionController = () => import('#controllers/merchant/session_controller')
const DashboardController = () => import('#controllers/merchant/dashboard_controller')
const StaffController = () => import('#controllers/merchant/staff_controller')
const StaffInvitationsController = () =>
  import('#controllers/merchant/staff_invitations_controller')
const InvitationsController = () => import('#controllers/merchant/invitations_controller')
const ApiTokensController = () => import('#controllers/merchant/api_tokens_controller')
const AuditController = () => import('#controllers/merchant/audit_controller')
const BalanceController = () => import('#controllers/merchant/balance_controller')
const WithdrawalsController = () => import('#controllers/merchant/withdrawals_controller')
const StatementsController = () => import('#controllers/merchant/statements_controller')
const ProductsController = () => import('#controllers/merchant/products_controller')
const StockController = () => import('#controllers/merchant/stock_controller')
const CheckoutSettingsController = () =>
  import('#controllers/merchant/checkout_settings_controller')

const id = { match: /^[1-9][0-9]{0,15}$/, cast: (value: string) => Number(value) }
const token = { match: INVITATION_TOKEN_PATTERN }

router
  .group(() => {
    router.get('/login', [SessionController, 'create']).as('login')
    router.post('/login', [SessionController, 'store']).as('login.store')
    router.post('/logout', [SessionController, 'destroy']).as('logout')

    router
      .group(() => {
        router.get('/:token', [InvitationsController, 'show']).as('show')
        router.post('/:token/register', [InvitationsController, 'register']).as('register')
        router.post('/:token/login', [InvitationsController, 'login']).as('login')
      })
      .prefix('/invitations')
      .as('invitations')
      .where('token', token)

    router
      .group(() => {
        router.get('/', [DashboardController, 'show']).as('dashboard')

        router.get('/staff', [StaffController, 'index']).as('staff.index')
        router.put('/staff/:id/role', [StaffController, 'updateRole']).as('staff.role')
        router.delete('/staff/:id', [StaffController, 'destroy']).as('staff.destroy')
        router
          .post('/staff/invitations', [StaffInvitationsController, 'store'])
          .as('staff.invitations.store')
        router
          .delete('/staff/invitations/:id', [StaffInvitationsController, 'destroy'])
          .as('staff.invitations.destroy')

        router.get('/api-tokens', [ApiTokensController, 'index']).as('api_tokens.index')
        router.post('/api-tokens', [ApiTokensController, 'store']).as('api_tokens.store')
        router.delete('/api-tokens/:id', [ApiTokensController, 'destroy']).as('api_tokens.destroy')

        router.get('/audit', [AuditController, 'index']).as('audit.index')

        router.get('/balance', [BalanceController, 'show']).as('balance')
        router.get('/withdrawals', [WithdrawalsController, 'index']).as('withdrawals.index')
        router
          .post('/withdrawals/preview', [WithdrawalsController, 'preview'])
          .as('withdrawals.preview')
        router.post('/withdrawals', [WithdrawalsController, 'store']).as('withdrawals.store')

        router.get('/statement', [StatementsController, 'show']).as('statement')
        router.get('/statement.csv', [StatementsController, 'csv']).as('statement.csv')

        router.get('/products', [ProductsController, 'index']).as('products.index')
        router.get('/products/new', [ProductsController, 'create']).as('products.create')
        router.post('/products', [ProductsController, 'store']).as('products.store')
        router.get('/products/:id/edit', [ProductsController, 'edit']).as('products.edit')
        router.put('/products/:id', [ProductsController, 'update']).as('products.update')
        router.get('/products/:id/stock', [StockController, 'show']).as('products.stock')
        router.post('/products/:id/stock', [StockController, 'store']).as('products.stock.store')

        router
          .get('/settings/checkout', [CheckoutSettingsController, 'show'])
          .as('settings.checkout')
        router
          .put('/settings/checkout', [CheckoutSettingsController, 'update'])
          .as('settings.checkout.update')
      })
      .where('id', id)
      .use(middleware.merchant())
  })
  .prefix('/merchant')
  .as('merchant')
  .domain(SHOP_DOMAIN)
