import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import CreatePlatformAdmin, {
  ADMIN_PASSWORD_MIN_LENGTH,
} from '#actions/accounts/create_platform_admin'
import { PASSWORD_MAX_LENGTH } from '#validators/platform/rules'

/** Shown for each password problem (the command is operator-facing and English only). */
const PROBLEMS: Record<string, string> = {
  too_short: `at least ${ADMIN_PASSWORD_MIN_LENGTH} characters`,
  too_short_admin: `at least ${ADMIN_PASSWORD_MIN_LENGTH} characters`,
  too_long: `at most ${PASSWORD_MAX_LENGTH} characters`,
  letters_digits: 'both letters and digits',
  not_email: 'not the email address',
}

/**
 * `node ace admin:create --email=ops@example.com [--name="Ops"] [--password-stdin]`
 *
 * The only way to create a platform admin; there are no default credentials. The password
 * is asked for twice without echo, or read from the first line of standard input with
 * `--password-stdin` (for automation: `printf '%s\n' "$PW" | node ace admin:create …`).
 */
export default class AdminCreate extends BaseCommand {
  static commandName = 'admin:create'
  static description =
    'Create a platform administrator (password prompted, or read with --password-stdin)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Email address of the new admin', required: true })
  declare email: string

  @flags.string({ description: 'Display name' })
  declare name?: string

  @flags.boolean({ description: 'Read the password from the first line of standard input' })
  declare passwordStdin?: boolean

  async run() {
    const password = this.passwordStdin
      ? await this.readPasswordFromStdin()
      : await this.askPassword()
    if (password === null) return this.fail('the two passwords do not match')

    const result = await new CreatePlatformAdmin().handle({
      email: this.email ?? '',
      password,
      name: this.name,
    })
    if (result.ok) {
      this.logger.success(`Platform admin #${result.admin.id} created: ${result.admin.email}`)
      return
    }
    if (result.reason !== 'weak_password') {
      return this.fail(
        result.reason === 'invalid_email'
          ? '--email is not a valid email address'
          : 'an admin with this email already exists'
      )
    }
    const needs = [...new Set(result.problems.map((p) => PROBLEMS[p]))].join('; ')
    return this.fail(`the password is too weak; it needs: ${needs}`)
  }

  /** Hidden prompt, twice; null when the two entries differ. */
  protected async askPassword(): Promise<string | null> {
    const password = await this.prompt.secure('Password for the new admin')
    const again = await this.prompt.secure('Repeat the password')
    return password === again ? password : null
  }

  /** First line of stdin, without its line ending. */
  protected async readPasswordFromStdin(): Promise<string> {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk))
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
  }

  private fail(message: string) {
    this.logger.error(`Cannot create the admin: ${message}`)
    this.exitCode = 1
  }
}
