import { mkdir, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { MailResponse } from '@adonisjs/mail'
import type { MailTransportContract, NodeMailerMessage } from '@adonisjs/mail/types'

/**
 * Development and demo transport: each message is written as an `.eml` file into a
 * local folder (default `tmp/mail`), where a developer opens it with any mail client.
 * Nothing leaves the machine and nothing goes to the logs (links in account mails are
 * secrets). Refused in production by config/mail.ts.
 */
export class OutboxTransport implements MailTransportContract {
  #composer = nodemailer.createTransport({ streamTransport: true, buffer: true })

  constructor(private directory: string) {}

  async send(message: NodeMailerMessage) {
    const info = await this.#composer.sendMail(message)
    await mkdir(this.directory, { recursive: true, mode: 0o700 })
    const file = join(
      this.directory,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`
    )
    await writeFile(file, info.message as Buffer, { mode: 0o600 })
    return new MailResponse(info.messageId, info.envelope, { file })
  }
}
