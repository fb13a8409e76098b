import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import { obliterate, testPrefix, waitFor } from './fixtures.js'

/** Run `node ace queue:work …` as the deploy would, capturing output and exit. */
function startWorker(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['ace.js', 'queue:work', ...args], {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}

test.group('jobs / node ace queue:work', () => {
  test('starts on BullMQ and stops cleanly on SIGTERM', async ({ assert }) => {
    const prefix = testPrefix()
    const worker = startWorker(['--queue=jobs_cmd_a,jobs_cmd_b', '--concurrency=2'], {
      QUEUE_DRIVER: 'bullmq',
      QUEUE_PREFIX: prefix,
    })
    try {
      await waitFor(() => worker.output().includes('worker ready'), 20_000, 'worker ready')
      assert.include(worker.output(), 'queues=jobs_cmd_a,jobs_cmd_b concurrency=2')
      const stopAt = Date.now()
      worker.child.kill('SIGTERM')
      const code = await worker.exited
      assert.equal(code, 0, worker.output())
      assert.isBelow(Date.now() - stopAt, 5000)
      assert.include(worker.output(), 'worker stopped')
    } finally {
      worker.child.kill('SIGKILL')
      await obliterate(prefix, ['jobs_cmd_a', 'jobs_cmd_b'])
    }
  }).timeout(30_000)

  test('SIGINT stops it too', async ({ assert }) => {
    const prefix = testPrefix()
    const worker = startWorker(['--queue=jobs_cmd_a'], {
      QUEUE_DRIVER: 'bullmq',
      QUEUE_PREFIX: prefix,
    })
    try {
      await waitFor(() => worker.output().includes('worker ready'), 20_000, 'worker ready')
      worker.child.kill('SIGINT')
      assert.equal(await worker.exited, 0, worker.output())
      assert.include(worker.output(), 'worker stopped')
    } finally {
      worker.child.kill('SIGKILL')
      await obliterate(prefix, ['jobs_cmd_a'])
    }
  }).timeout(30_000)

  test('refuses to run on the in-process driver', async ({ assert }) => {
    const worker = startWorker(['--queue=jobs_cmd_a'], { QUEUE_DRIVER: 'memory' })
    try {
      assert.equal(await worker.exited, 1)
      assert.include(worker.output(), 'queue:work needs QUEUE_DRIVER=bullmq')
    } finally {
      worker.child.kill('SIGKILL')
    }
  }).timeout(30_000)
})
