import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Scaffold a first-party plugin in plugins/<id>/ (a working plugin: one setting, a
 * checkout filter, an order event; with --pages: its own table, an order.placed action, a
 * dashboard page with its menu entry). Refuses an existing folder.
 */
export default class MakePlugin extends BaseCommand {
  static commandName = 'make:plugin'
  static description = 'Create a new first-party plugin in plugins/<id>/'
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'Plugin id (lower-case letters, digits and "-")' })
  declare id: string

  @flags.string({ description: 'Display name' })
  declare name?: string

  @flags.boolean({
    description:
      'Also a table (migration), an order.placed action, a dashboard page and menu entry',
  })
  declare pages?: boolean

  async run() {
    const { scaffoldPlugin } = await import('#plugin_host/scaffold')
    let files: Record<string, string>
    try {
      files = scaffoldPlugin(this.id, this.name, { pages: this.pages })
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
      return
    }
    const dir = this.app.makePath('plugins', this.id)
    const exists = await stat(dir).then(
      () => true,
      () => false
    )
    if (exists) {
      this.logger.error(`plugins/${this.id} already exists`)
      this.exitCode = 1
      return
    }
    await mkdir(dir, { recursive: true })
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true })
      await writeFile(join(dir, name), content, { flag: 'wx' })
      this.logger.success(`created plugins/${this.id}/${name}`)
    }
    this.logger.info('next: node ace plugins:check')
  }
}
