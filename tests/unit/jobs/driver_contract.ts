import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { TenantRef } from '#tenancy'
import { listFailedJobs, retryFailedJob, REDACTED } from '#jobs'
import {
  CountAllBuyersJob,
  CountJob,
  FlakyJob,
  ReadBuyersJob,
  SlowJob,
  WriteThenFailJob,
  failuresOf,
  probeId,
  reports,
  seedTwoShops,
  sleep,
  startHarness,
  waitFor,
  waitForFailures,
  type DriverKind,
  type Harness,
} from './fixtures.js'

/**
 * The behaviour every driver must show, written once and run against BullMQ (real Redis)
 * and the in-process driver: same tests, same expectations.
 */
export function driverContract(kind: DriverKind) {
  test.group(`jobs / ${kind} driver`, (group) => {
    let harness: Harness
    let a: TenantRef
    let b: TenantRef

    group.setup(async () => {
      ;({ a, b } = await seedTwoShops())
      harness = await startHarness(kind)
      return () => harness.stop()
    })

    test('a tenant job runs inside its tenant: RLS shows its rows, never another shop’s', async ({
      assert,
    }) => {
      const probe = probeId('rls')
      await harness.queue.dispatch(ReadBuyersJob, { tenantId: a.id, probe, otherTenantId: b.id })
      const [seen] = await waitFor(() => (reports<any>(probe).length ? reports<any>(probe) : null))
      assert.deepEqual(seen, {
        ctxTenant: a.id,
        contextTenant: a.id,
        setting: String(a.id),
        emails: [`buyer@${a.slug}`],
        otherCount: 0,
        attempt: 1,
      })
    })

    test('dispatch returns before the job runs', async ({ assert }) => {
      const probe = probeId('async')
      await harness.queue.dispatch(CountJob, { tenantId: a.id, probe })
      assert.lengthOf(reports(probe), 0)
      await waitFor(() => reports(probe).length === 1)
    })

    test('a payload without a valid tenantId is refused at dispatch', async ({ assert }) => {
      const probe = probeId('no-tenant')
      for (const tenantId of [undefined, 0, -1, 1.5, '1', null]) {
        await assert.rejects(
          () => harness.queue.dispatch(CountJob, { tenantId, probe } as never),
          /needs payload.tenantId/
        )
      }
      await sleep(50)
      assert.lengthOf(reports(probe), 0)
    })

    test('a queued job without tenantId fails once, permanently, and is recorded', async ({
      assert,
    }) => {
      const probe = probeId('raw-no-tenant')
      await harness.queue.driver.add(
        'default',
        CountJob.jobName,
        { probe },
        {
          attempts: 3,
          backoff: { type: 'fixed', delay: 10 },
        }
      )
      const [row] = await waitForFailures(probe)
      assert.equal(row.attempts, 1)
      assert.match(row.error, /^E_JOB_TENANT_MISSING: /)
      assert.isNull(row.tenant_id)
    })

    test('an unknown job name fails clearly and is recorded', async ({ assert }) => {
      const probe = probeId('unknown')
      await harness.queue.driver.add(
        'default',
        'jobs_test.no_such_job',
        { tenantId: a.id, probe },
        {
          attempts: 5,
          backoff: { type: 'fixed', delay: 10 },
        }
      )
      const [row] = await waitForFailures(probe)
      assert.equal(row.attempts, 1)
      assert.include(row.error, 'E_JOB_UNKNOWN')
      assert.include(row.error, 'jobs_test.no_such_job')
    })

    test('retries with exponential backoff, then records the failure (redacted, first lines)', async ({
      assert,
    }) => {
      const probe = probeId('flaky')
      await harness.queue.dispatch(FlakyJob, {
        tenantId: a.id,
        probe,
        failTimes: 99,
        apiToken: 'tok_live_secret',
      })
      const [row] = await waitForFailures(probe)

      const runs = reports<{ at: number; attempt: number }>(probe)
      assert.deepEqual(
        runs.map((run) => run.attempt),
        [1, 2, 3]
      )
      const gap1 = runs[1].at - runs[0].at
      const gap2 = runs[2].at - runs[1].at
      assert.isAtLeast(gap1, 55, `first retry after ~60ms, was ${gap1}`)
      assert.isAtLeast(gap2, 115, `second retry after ~120ms, was ${gap2}`)

      assert.equal(row.queue, 'default')
      assert.equal(row.job_name, FlakyJob.jobName)
      assert.equal(row.tenant_id, a.id)
      assert.equal(row.attempts, 3)
      assert.equal(row.error, 'E_FLAKY: boom 3\nsecond line\nthird line')
      assert.equal(row.payload.apiToken, REDACTED)
      assert.equal(row.payload.probe, probe)
      assert.isNotNull(row.job_id)

      const page = await listFailedJobs({ perPage: 100 })
      const listed = page.rows.find((failure) => failure.id === Number(row.id))
      assert.exists(listed)
      assert.equal(listed!.tenantSlug, a.slug)
      assert.notInclude(listed!.payload, 'tok_live_secret')
      assert.equal(page.rows[0].id, Math.max(...page.rows.map((failure) => failure.id)))
    })

    test('a job that succeeds on a retry records nothing', async ({ assert }) => {
      const probe = probeId('recovers')
      await harness.queue.dispatch(FlakyJob, { tenantId: a.id, probe, failTimes: 1 })
      await waitFor(() => reports(probe).length === 2)
      await sleep(50)
      assert.lengthOf(await failuresOf(probe), 0)
    })

    test('a recorded failure can be retried once from its failed set', async ({ assert }) => {
      const probe = probeId('retry')
      await harness.queue.dispatch(FlakyJob, { tenantId: a.id, probe, failTimes: 3 })
      const [row] = await waitForFailures(probe)
      await sleep(150) // the row is written just before the driver moves the job to its failed set

      const outcome = await retryFailedJob({ failureId: Number(row.id), adminId: 1 }, harness.queue)
      assert.deepInclude(outcome, { status: 'retried', via: 'failed_set', jobId: row.job_id })
      await waitFor(() => reports(probe).length === 4, 5000, 'fourth run')

      assert.deepEqual(
        await retryFailedJob({ failureId: Number(row.id), adminId: 1 }, harness.queue),
        {
          status: 'already_retried',
        }
      )
      const [after] = await failuresOf(probe)
      assert.isNotNull(after.retried_at)
      const audit = await db
        .connection('owner')
        .from('platform_audit_events')
        .where({ action: 'job.retried', target_id: String(row.id) })
      assert.lengthOf(audit, 1)
      await sleep(50)
      assert.lengthOf(reports(probe), 4)
    })

    test('a failing job rolls back everything it wrote', async ({ assert }) => {
      const probe = probeId('rollback')
      const email = `${probe}@example.test`
      await harness.queue.dispatch(WriteThenFailJob, { tenantId: a.id, probe, email })
      const [row] = await waitForFailures(probe)
      assert.equal(row.attempts, 1, 'PermanentJobError is not retried')
      assert.deepEqual(reports(probe), ['wrote'])
      const written = await db.connection('app').transaction(async (trx) => {
        await trx.rawQuery(`SET LOCAL app.tenant_id = '${a.id}'`)
        return trx.from('buyers').where('email', email)
      })
      assert.lengthOf(written, 0)
    })

    test('the same idempotency key runs once; other keys and tenants run', async ({ assert }) => {
      const probe = probeId('idem')
      const first = await harness.queue.dispatch(
        CountJob,
        { tenantId: a.id, probe },
        { idempotencyKey: 'order-1' }
      )
      const second = await harness.queue.dispatch(
        CountJob,
        { tenantId: a.id, probe },
        { idempotencyKey: 'order-1' }
      )
      await waitFor(() => reports(probe).length >= 1)
      const third = await harness.queue.dispatch(
        CountJob,
        { tenantId: a.id, probe },
        { idempotencyKey: 'order-1' }
      )
      assert.equal(first.id, second.id)
      assert.equal(first.id, third.id)
      assert.equal(first.id, `${CountJob.jobName}|t${a.id}|order-1`)

      const long = await harness.queue.dispatch(
        CountJob,
        { tenantId: b.id, probe },
        { idempotencyKey: 'order-1' }
      )
      const odd = await harness.queue.dispatch(
        CountJob,
        { tenantId: a.id, probe },
        { idempotencyKey: 'a:b c/'.repeat(20) }
      )
      assert.notEqual(long.id, first.id)
      assert.notInclude(odd.id.split('|')[2], ':')
      await waitFor(() => reports(probe).length === 3)
      await sleep(100)
      assert.lengthOf(reports(probe), 3)
    })

    test('delay holds a job back', async ({ assert }) => {
      const probe = probeId('delay')
      const dispatchedAt = Date.now()
      await harness.queue.dispatch(CountJob, { tenantId: a.id, probe }, { delay: 150 })
      const [ranAt] = await waitFor(() =>
        reports<number>(probe).length ? reports<number>(probe) : null
      )
      assert.isAtLeast(ranAt - dispatchedAt, 140)
    })

    test('a repeatable job fires repeatedly until it is unscheduled', async ({ assert }) => {
      const probe = probeId('repeat')
      const scheduled = await harness.queue.schedule(
        CountJob,
        { tenantId: a.id, probe },
        { every: 100 }
      )
      assert.equal(scheduled.id, `${CountJob.jobName}|t${a.id}`)
      assert.include(await harness.queue.driver.listSchedules('default'), scheduled.id)

      const again = await harness.queue.schedule(
        CountJob,
        { tenantId: a.id, probe },
        { every: 100 }
      )
      assert.equal(again.id, scheduled.id, 'upsert, not a second schedule')

      await waitFor(() => reports(probe).length >= 2, 3000, 'two ticks')
      assert.isTrue(await harness.queue.unschedule(CountJob, { tenantId: a.id }))
      assert.notInclude(await harness.queue.driver.listSchedules('default'), scheduled.id)
      await sleep(250)
      const settled = reports(probe).length
      await sleep(400)
      assert.equal(reports(probe).length, settled)
      assert.isFalse(await harness.queue.unschedule(CountJob, { tenantId: a.id }))
    })

    test('a cron pattern schedule is accepted and removable', async ({ assert }) => {
      const probe = probeId('cron')
      const scheduled = await harness.queue.schedule(
        CountJob,
        { tenantId: b.id, probe },
        {
          pattern: '0 3 * * *',
          key: 'nightly',
        }
      )
      assert.equal(scheduled.id, `${CountJob.jobName}|t${b.id}|nightly`)
      assert.include(await harness.queue.driver.listSchedules('default'), scheduled.id)
      assert.isTrue(await harness.queue.unschedule(CountJob, { tenantId: b.id, key: 'nightly' }))
      await assert.rejects(
        () => harness.queue.schedule(CountJob, { tenantId: b.id, probe }, {} as never),
        /either every \(ms\) or pattern/
      )
    })

    test('a platform job runs with no tenant and reaches shops only through withPlatform', async ({
      assert,
    }) => {
      const probe = probeId('platform')
      await harness.queue.dispatch(CountAllBuyersJob, { probe })
      const [seen] = await waitFor(() => (reports<any>(probe).length ? reports<any>(probe) : null))
      assert.isNull(seen.contextTenant)
      assert.equal(seen.unscoped, 0, 'no tenant, no rows')
      assert.isAtLeast(seen.all, 2)
      const audit = await db
        .connection('owner')
        .from('platform_audit_events')
        .where('actor_type', 'job')
        .whereRaw(`metadata->>'reason' like ?`, [`${CountAllBuyersJob.jobName}:%`])
      assert.isAtLeast(audit.length, 1)
    })

    test('close() waits for the active job to finish', async ({ assert }) => {
      const own = await startHarness(kind)
      const probe = probeId('graceful')
      await own.queue.dispatch(SlowJob, { tenantId: a.id, probe, ms: 400 })
      await waitFor(() => reports(probe).includes('started'), 5000, 'job start')
      const closing = Date.now()
      await own.stop()
      assert.deepEqual(reports(probe), ['started', 'finished'])
      assert.isAtLeast(Date.now() - closing, 250)
      await assert.rejects(() => own.queue.dispatch(CountJob, { tenantId: a.id, probe }), /closed/)
    })

    test('close(true) does not wait for a stuck job, even after a graceful close began', async ({
      assert,
    }) => {
      const own = await startHarness(kind)
      const probe = probeId('forced')
      await own.queue.dispatch(SlowJob, { tenantId: a.id, probe, ms: 1500 })
      await waitFor(() => reports(probe).includes('started'), 5000, 'job start')
      const closing = Date.now()
      const graceful = own.queue.close().catch(() => {})
      await sleep(50)
      await own.stop(true)
      assert.isBelow(Date.now() - closing, 1000)
      assert.deepEqual(reports(probe), ['started'])
      await Promise.race([graceful, sleep(3000)])
    })
  })
}
