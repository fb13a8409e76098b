import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * `npm run demo` end to end: a child process started with a clean environment (no .env
 * values, no DB_*, no Redis) must migrate and seed an embedded PGlite database, serve the
 * demo shop on demo.localhost, keep its data across a restart, and exit 0 on SIGINT.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

class DemoProcess {
  output = ''
  exit: Promise<number | null>
  #child: ChildProcess

  constructor(args: string[]) {
    this.#child = spawn(process.execPath, ['demo.js', ...args], {
      cwd: ROOT,
      // Deliberately minimal: nothing from the test runner's environment or .env files.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child.stdout!.on('data', (chunk) => (this.output += chunk))
    this.#child.stderr!.on('data', (chunk) => (this.output += chunk))
    this.exit = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)))
  }

  get running() {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Resolves once the banner's last line is out; rejects on exit or timeout. */
  async ready(timeoutMs = 90_000): Promise<string> {
    const started = Date.now()
    while (!/ready in [\d.]+ s/.test(this.output)) {
      if (!this.running) throw new Error(`demo exited early:\n${this.output}`)
      if (Date.now() - started > timeoutMs)
        throw new Error(`demo not ready in time:\n${this.output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return this.output
  }

  async stop(): Promise<number | null> {
    if (this.running) this.#child.kill('SIGINT')
    return this.exit
  }

  kill() {
    if (this.running) this.#child.kill('SIGKILL')
  }
}

function get(port: number, host: string, path: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `${host}:${port}`, accept: 'text/html' } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.once('error', reject)
    req.end()
  })
}

const SELF_CHECK = 'self-check: role=lianka_app, rows without tenant=0'
const SHOP_NAME = '演示小店 Demo Shop'

test.group('Demo mode (npm run demo)', () => {
  test('boots on PGlite with no configuration, serves the demo shop under RLS, persists, stops cleanly', async ({
    assert,
    cleanup,
  }) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lianka-demo-'))
    const port = await freePort()
    const children: DemoProcess[] = []
    cleanup(async () => {
      children.forEach((child) => child.kill())
      await rm(dataDir, { recursive: true, force: true })
    })
    const args = ['--port', String(port), '--data-dir', dataDir]

    // First run: fresh database, migrations, seed.
    const first = new DemoProcess(['--reset', ...args])
    children.push(first)
    const out1 = await first.ready()
    assert.include(out1, SELF_CHECK, out1)
    assert.match(out1, /migrations: \d+ applied/)
    assert.match(
      out1,
      /seed: created shop "demo", merchant merchant@demo\.localhost, owner membership/
    )
    const tenant1 = out1.match(/\(tenant #(\d+)\)/)?.[1]
    const password1 = out1.match(/Merchant login\s+merchant@demo\.localhost \/ (\S+)/)?.[1]
    assert.exists(tenant1, out1)
    assert.exists(password1, out1)
    assert.notEqual(password1, '(not')
    assert.include(out1, `http://demo.localhost:${port}`)

    const shop = await get(port, 'demo.localhost', '/')
    assert.equal(shop.status, 200, shop.body.slice(0, 500))
    assert.include(shop.body, SHOP_NAME)
    const unknownShop = await get(port, 'nope.localhost', '/')
    assert.equal(unknownShop.status, 404)
    const platform = await get(port, 'localhost', '/')
    assert.equal(platform.status, 200)

    for (const file of ['app_key', 'merchant_credentials.json']) {
      const info = await stat(join(dataDir, file))
      assert.equal(info.mode & 0o777, 0o600, file)
    }

    assert.equal(await first.stop(), 0, first.output)

    // Second run, no --reset: same data, nothing seeded twice.
    const second = new DemoProcess(args)
    children.push(second)
    const out2 = await second.ready()
    assert.include(out2, SELF_CHECK, out2)
    assert.include(out2, 'migrations: up to date')
    assert.include(out2, `seed: demo shop already present (tenant #${tenant1}), nothing created`)
    assert.include(out2, `merchant@demo.localhost / ${password1}`)
    const again = await get(port, 'demo.localhost', '/')
    assert.equal(again.status, 200)
    assert.include(again.body, SHOP_NAME)

    assert.equal(await second.stop(), 0, second.output)
  }).timeout(180_000)
})
