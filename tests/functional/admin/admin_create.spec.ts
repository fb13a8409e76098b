import { test } from '@japa/runner'
import { spawnSync } from 'node:child_process'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import PlatformAdmin from '#models/platform_admin'
import AdminCreate from '../../../commands/admin_create.js'
import { countRows, platformEvents, resetState } from '#tests/functional/platform/helpers'

const STRONG = 'Ops-password-2026'

async function run(args: string[], answers: [string, string]) {
  const command = await ace.create(AdminCreate, args)
  command.prompt.trap('Password for the new admin').replyWith(answers[0])
  command.prompt.trap('Repeat the password').replyWith(answers[1])
  await command.exec()
  return command
}

test.group('ace admin:create', (group) => {
  group.each.setup(() => resetState())
  group.setup(() => {
    ace.ui.switchMode('raw')
    return () => ace.ui.switchMode('normal')
  })

  test('there is no admin until one is created; the password is prompted and hashed', async ({
    assert,
  }) => {
    assert.deepEqual(await countRows('platform_admins'), { platform_admins: 0 })

    const command = await run(['--email=Ops@Lianka.test', '--name=Ops team'], [STRONG, STRONG])
    assert.equal(command.exitCode, 0)

    const admins = await PlatformAdmin.all()
    assert.lengthOf(admins, 1)
    assert.equal(admins[0].email, 'ops@lianka.test')
    assert.equal(admins[0].fullName, 'Ops team')
    assert.isTrue(admins[0].password.startsWith('$scrypt$'))
    assert.isTrue(await admins[0].verifyPassword(STRONG))
    const events = await platformEvents('admin.created')
    assert.lengthOf(events, 1)
    assert.equal(events[0].target_id, String(admins[0].id))
  })

  test('weak, mismatched or duplicate input creates nothing and exits 1', async ({ assert }) => {
    for (const password of [
      'short1A',
      'no digits in this one',
      '123456789012345',
      'ops@lianka.test1',
    ]) {
      const command = await run(['--email=ops@lianka.test'], [password, password])
      assert.equal(command.exitCode, 1, password)
    }
    const mismatch = await run(['--email=ops@lianka.test'], [STRONG, STRONG + 'x'])
    assert.equal(mismatch.exitCode, 1)
    const badEmail = await run(['--email=not-an-email'], [STRONG, STRONG])
    assert.equal(badEmail.exitCode, 1)
    assert.deepEqual(await countRows('platform_admins'), { platform_admins: 0 })

    await run(['--email=ops@lianka.test'], [STRONG, STRONG])
    const duplicate = await run(['--email=OPS@lianka.test'], [STRONG, STRONG])
    assert.equal(duplicate.exitCode, 1)
    assert.deepEqual(await countRows('platform_admins'), { platform_admins: 1 })
  })

  test('--password-stdin reads the password from standard input', async ({ assert }) => {
    const result = spawnSync(
      process.execPath,
      ['ace.js', 'admin:create', '--email=robot@lianka.test', '--password-stdin'],
      {
        cwd: app.appRoot.pathname,
        input: `${STRONG}\n`,
        env: process.env,
        encoding: 'utf8',
        timeout: 60_000,
      }
    )
    assert.equal(result.status, 0, result.stderr + result.stdout)
    const admin = await PlatformAdmin.findByOrFail('email', 'robot@lianka.test')
    assert.isTrue(await admin.verifyPassword(STRONG))

    const weak = spawnSync(
      process.execPath,
      ['ace.js', 'admin:create', '--email=weak@lianka.test', '--password-stdin'],
      {
        cwd: app.appRoot.pathname,
        input: 'password\n',
        env: process.env,
        encoding: 'utf8',
        timeout: 60_000,
      }
    )
    assert.equal(weak.status, 1)
    assert.isNull(await PlatformAdmin.findBy('email', 'weak@lianka.test'))
  })
})
