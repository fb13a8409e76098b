import { test } from '@japa/runner'
import {
  JobQueue,
  JobRegistry,
  MemoryDriver,
  PlatformJob,
  REDACTED,
  TenantJob,
  isSecretKey,
  redactPayload,
  summarizeError,
} from '#jobs'
import { backoffDelay } from '#jobs/drivers/driver'
import { runAsTenant } from '#tenancy'
import { CountAllBuyersJob, CountJob, silentLogger, testRegistry } from './fixtures.js'

class UnlistedJob extends TenantJob<{ tenantId: number }> {
  static jobName = 'jobs_test.unlisted'
  async handle() {}
}

// @ts-expect-error a tenant job's payload must carry tenantId
export class NoTenantJob extends TenantJob<{ orderId: number }> {
  static jobName = 'jobs_test.no_tenant'
  async handle() {}
}

function memoryQueue(registry = testRegistry) {
  return new JobQueue({
    driver: new MemoryDriver(),
    registry: async () => registry,
    logger: silentLogger,
  })
}

test.group('jobs / API', () => {
  test('dispatch is type-checked against the job class payload', async ({ assert }) => {
    const queue = memoryQueue()
    // Compile-time checks (tsc --noEmit fails if any of these lines stops being an error).
    const typeChecks = () => [
      // @ts-expect-error tenantId is missing
      queue.dispatch(CountJob, { probe: 'x' }),
      // @ts-expect-error tenantId must be a number
      queue.dispatch(CountJob, { tenantId: '1', probe: 'x' }),
      // @ts-expect-error unknown payload field
      queue.dispatch(CountAllBuyersJob, { probe: 'x', extra: 1 }),
      // @ts-expect-error schedules are checked the same way
      queue.schedule(CountJob, { probe: 'x' }, { every: 1000 }),
    ]
    void typeChecks
    try {
      await assert.rejects(
        () => queue.dispatch(CountJob, { probe: 'x' } as never),
        /needs payload.tenantId/
      )
      await assert.rejects(
        () => queue.schedule(CountJob, { probe: 'x' } as never, { every: 1000 }),
        /needs payload.tenantId/
      )
    } finally {
      await queue.close()
    }
  })

  test('inside a shop, jobs can only be dispatched for that shop', async ({ assert }) => {
    const queue = memoryQueue()
    const shop = {
      id: 7,
      slug: 'seven',
      name: 'Seven',
      status: 'active' as const,
      defaultLocale: 'en',
      currency: 'CNY',
    }
    try {
      await runAsTenant(shop, () =>
        assert.rejects(
          () => queue.dispatch(CountJob, { tenantId: 8, probe: 'x' }, { delay: 60_000 }),
          /dispatched from tenant 7/
        )
      )
      const ok = await runAsTenant(shop, () =>
        queue.dispatch(CountJob, { tenantId: 7, probe: 'x' }, { delay: 60_000 })
      )
      assert.equal(ok.name, CountJob.jobName)
      await assert.rejects(() => queue.unschedule(CountJob), /needs the tenantId/)
    } finally {
      await queue.close(true)
    }
  })

  test('unregistered classes are refused at dispatch', async ({ assert }) => {
    const queue = memoryQueue()
    try {
      await assert.rejects(
        () => queue.dispatch(UnlistedJob, { tenantId: 1 }),
        /UnlistedJob is not listed in app\/jobs\/registry.ts/
      )
    } finally {
      await queue.close()
    }
  })

  test('the registry refuses bad names, queues, attempts and duplicates', ({ assert }) => {
    class Nameless extends TenantJob<{ tenantId: number }> {
      async handle() {}
    }
    class BadQueue extends PlatformJob {
      static jobName = 'jobs_test.bad_queue'
      static queue = 'a:b'
      async handle() {}
    }
    class NoAttempts extends PlatformJob {
      static jobName = 'jobs_test.no_attempts'
      static attempts = 0
      async handle() {}
    }
    class Twin extends TenantJob<{ tenantId: number }> {
      static jobName = CountJob.jobName
      async handle() {}
    }
    assert.throws(() => new JobRegistry([Nameless]), /E_JOB_BAD_NAME/)
    assert.throws(() => new JobRegistry([BadQueue]), /E_JOB_BAD_QUEUE/)
    assert.throws(() => new JobRegistry([NoAttempts]), /E_JOB_BAD_ATTEMPTS/)
    assert.throws(() => new JobRegistry([CountJob, Twin]), /E_JOB_DUPLICATE_NAME/)
    assert.deepEqual(new JobRegistry([CountJob, CountJob]).all(), [CountJob])
    assert.deepEqual(testRegistry.queues(), ['default'])
  })

  test('options are validated', async ({ assert }) => {
    const queue = memoryQueue()
    try {
      await assert.rejects(
        () => queue.dispatch(CountJob, { tenantId: 1, probe: 'x' }, { delay: -1 }),
        /delay/
      )
      await assert.rejects(
        () => queue.dispatch(CountJob, { tenantId: 1, probe: 'x' }, { idempotencyKey: '' }),
        /idempotencyKey/
      )
      await assert.rejects(
        () => queue.schedule(CountJob, { tenantId: 1, probe: 'x' }, { every: 0 }),
        /either every/
      )
      await assert.rejects(
        () =>
          queue.schedule(CountJob, { tenantId: 1, probe: 'x' }, {
            every: 10,
            pattern: '* * * * *',
          } as never),
        /either every/
      )
    } finally {
      await queue.close()
    }
  })

  test('backoff matches BullMQ: exponential doubles, fixed stays', ({ assert }) => {
    const exponential = { type: 'exponential', delay: 100 } as const
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(exponential, n)),
      [100, 200, 400, 800]
    )
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffDelay({ type: 'fixed', delay: 70 }, n)),
      [70, 70, 70]
    )
  })

  test('payload redaction removes secrets at any depth', ({ assert }) => {
    for (const key of [
      'password',
      'apiKey',
      'api_key',
      'secret',
      'clientSecret',
      'token',
      'accessToken',
      'x-auth-token',
      'authorization',
      'cookie',
      'card_key',
      'key',
      'privateKey',
      'pin',
      'cvv',
      'otp',
    ]) {
      assert.isTrue(isSecretKey(key), key)
    }
    for (const key of [
      'tenantId',
      'orderId',
      'email',
      'amount',
      'currency',
      'shipping',
      'monkey',
      'keyboard',
    ]) {
      assert.isFalse(isSecretKey(key), key)
    }
    const redacted = redactPayload({
      tenantId: 3,
      orderId: 9,
      nested: {
        gateway: { secretKey: 'sk_live', mode: 'live' },
        list: [{ token: 't' }, { ok: 1 }],
      },
      long: 'x'.repeat(600),
    }) as any
    assert.equal(redacted.tenantId, 3)
    assert.equal(redacted.nested.gateway.secretKey, REDACTED)
    assert.equal(redacted.nested.gateway.mode, 'live')
    assert.equal(redacted.nested.list[0].token, REDACTED)
    assert.deepEqual(redacted.nested.list[1], { ok: 1 })
    assert.lengthOf(redacted.long, 501)
    assert.notInclude(JSON.stringify(redacted), 'sk_live')
  })

  test('error summaries keep code and first lines, never the stack', ({ assert }) => {
    const error = Object.assign(new Error('gateway said no\nline 2\nline 3\nline 4'), {
      code: 'E_GATEWAY',
    })
    const summary = summarizeError(error)
    assert.equal(summary, 'E_GATEWAY: gateway said no\nline 2\nline 3')
    assert.notInclude(summary, 'at ')
    assert.equal(summarizeError('plain'), 'plain')
    assert.lengthOf(summarizeError(new Error('y'.repeat(5000))), 1000)
  })
})
