import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, transports } from '@adonisjs/mail'
import { OutboxTransport } from '#mails/transports/outbox_transport'

/**
 * Account emails (verification, password reset, sign-up notices). SMTP from the
 * environment; tests replace the mailer with `mail.fake()`. Mails are queued with
 * `sendLater` after the database work commits (app/mails/deliver.ts).
 */
const smtpUser = env.get('SMTP_USERNAME')
const mailer = env.get('MAIL_MAILER')
if (mailer === 'outbox' && app.inProduction) {
  throw new Error('MAIL_MAILER=outbox writes mail to local files; use smtp in production')
}
const smtpPassword = env.get('SMTP_PASSWORD')?.release()

const mailConfig = defineConfig({
  default: mailer,
  from: {
    address: env.get('MAIL_FROM_ADDRESS'),
    name: env.get('MAIL_FROM_NAME'),
  },
  globals: {
    brandName: env.get('MAIL_FROM_NAME'),
  },
  mailers: {
    smtp: transports.smtp({
      host: env.get('SMTP_HOST'),
      port: env.get('SMTP_PORT'),
      ...(smtpUser && smtpPassword
        ? { auth: { type: 'login' as const, user: smtpUser, pass: smtpPassword } }
        : {}),
    }),
    /** Writes `.eml` files to MAIL_OUTBOX_DIR (default tmp/mail): demo and development. */
    outbox: () => new OutboxTransport(env.get('MAIL_OUTBOX_DIR') || app.tmpPath('mail')),
  },
})

export default mailConfig

declare module '@adonisjs/mail/types' {
  export interface MailersList extends InferMailers<typeof mailConfig> {}
}
