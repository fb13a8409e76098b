import router from '@adonisjs/core/services/router'

const LocaleController = () => import('#controllers/locale_controller')

/** Language switch on every host (platform site and shops). */
router.get('/locale/:locale', [LocaleController, 'update']).as('locale.update')
