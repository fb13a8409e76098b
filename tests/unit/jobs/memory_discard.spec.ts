import { test } from '@japa/runner'
import { MemoryDriver } from '#jobs/drivers/memory_driver'

test.group('jobs / memory driver: discardPending', () => {
  test('drops waiting and delayed retries, waits for running jobs, keeps working after', async ({
    assert,
  }) => {
    const driver = new MemoryDriver()
    const runs: string[] = []
    let release!: () => void
    const slowDone = new Promise<void>((resolve) => (release = resolve))
    await driver.work(
      async (job) => {
        runs.push(`${job.name}#${job.attemptsMade}`)
        if (job.name === 'flaky') throw new Error('retry me')
        if (job.name === 'slow') await slowDone
      },
      { queues: ['q'], concurrency: 4 }
    )
    const options = { attempts: 3, backoff: { type: 'fixed' as const, delay: 60_000 } }
    await driver.add('q', 'flaky', {}, options)
    await driver.add('q', 'slow', {}, options)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.sameMembers(runs, ['flaky#0', 'slow#0'])

    // The flaky job waits 60 s for its retry; the slow one is still running.
    const discarding = driver.discardPending()
    let settled = false
    void discarding.then(() => (settled = true))
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.isFalse(settled, 'waits for the running job')
    release()
    assert.equal(await discarding, 1, 'the delayed retry is dropped')

    await driver.add('q', 'after', {}, options)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(runs, ['flaky#0', 'slow#0', 'after#0'])
    await driver.close(true)
  })
})
