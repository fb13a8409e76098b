import mail from '@adonisjs/mail/services/main'
import logger from '@adonisjs/core/services/logger'
import type { BaseMail } from '@adonisjs/mail'

/**
 * Queue an account email. Call it only after the database work has committed (network
 * calls never run inside a transaction). The default messenger sends from memory in this
 * process, so no Redis is needed; a failure is logged, never shown to the user, whose
 * request already succeeded.
 */
export async function deliver(message: BaseMail) {
  try {
    await mail.sendLater(message)
  } catch (error) {
    logger.error(
      { err: error, mail: message.constructor.name },
      'account email could not be queued'
    )
  }
}
