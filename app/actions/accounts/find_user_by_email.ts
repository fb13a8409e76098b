import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'

/** The merchant account with this address, compared case-insensitively (as the unique index). */
export function findUserByEmail(email: string, trx?: TransactionClientContract) {
  return User.query(trx ? { client: trx } : {})
    .whereRaw('lower(email) = ?', [email.trim().toLowerCase()])
    .first()
}
