import router from '@adonisjs/core/services/router'
import { PLATFORM_HOST } from '#start/routes/shop_domain'

const HomeController = () => import('#controllers/platform/home_controller')
const SignupController = () => import('#controllers/platform/signup_controller')
const EmailVerificationController = () =>
  import('#controllers/platform/email_verification_controller')
const SessionController = () => import('#controllers/platform/session_controller')
const ShopsController = () => import('#controllers/platform/shops_controller')
const PasswordResetController = () => import('#controllers/platform/password_reset_controller')

/**
 * The platform site (<PLATFORM_DOMAIN>): landing, shop sign-up, email verification,
 * merchant login → "your shops", password reset. Rate limits live in the actions
 * (app/actions/accounts/throttles.ts), so lockouts render as pages in the user's language.
 */
router
  .group(() => {
    router.get('/', [HomeController, 'show']).as('platform.home')

    router.get('/signup', [SignupController, 'create']).as('platform.signup')
    router.post('/signup', [SignupController, 'store']).as('platform.signup.store')
    router.get('/signup/done', [SignupController, 'done']).as('platform.signup.done')

    router
      .get('/verify-email/:id', [EmailVerificationController, 'verify'])
      .where('id', router.matchers.number())
      .as('platform.verify_email')
    router
      .get('/verify-email', [EmailVerificationController, 'pending'])
      .as('platform.verify_email.pending')
    router
      .post('/verify-email/resend', [EmailVerificationController, 'resend'])
      .as('platform.verify_email.resend')

    router.get('/login', [SessionController, 'create']).as('platform.login')
    router.post('/login', [SessionController, 'store']).as('platform.login.store')
    router.post('/logout', [SessionController, 'destroy']).as('platform.logout')
    router.get('/shops', [ShopsController, 'index']).as('platform.shops')

    router
      .get('/forgot-password', [PasswordResetController, 'create'])
      .as('platform.password.forgot')
    router
      .post('/forgot-password', [PasswordResetController, 'store'])
      .as('platform.password.email')
    router
      .get('/reset-password/:token', [PasswordResetController, 'edit'])
      .as('platform.password.reset')
    router
      .post('/reset-password/:token', [PasswordResetController, 'update'])
      .as('platform.password.update')
  })
  .domain(PLATFORM_HOST)
