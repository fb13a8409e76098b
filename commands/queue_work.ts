import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import queueConfig from '#config/queue'

/**
 * The worker process: consumes BullMQ queues until SIGTERM or SIGINT, then stops taking
 * jobs, lets the active ones finish (BullMQ `worker.close()`), and exits. A second signal
 * stops without waiting; BullMQ hands the interrupted jobs to another worker once their
 * locks expire. Upserts the schedules from app/jobs/registry.ts at start.
 */
export default class QueueWork extends BaseCommand {
  static commandName = 'queue:work'
  static description = 'Run queued jobs until SIGTERM/SIGINT, finishing active jobs before exit'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.array({
    description:
      'Queues to consume (repeat or comma-separate; default: every queue a registered job uses)',
  })
  declare queue?: string[]

  @flags.number({
    description: `Jobs run in parallel per queue (default ${queueConfig.workerConcurrency})`,
  })
  declare concurrency?: number

  @flags.boolean({ description: 'Do not upsert the schedules listed in app/jobs/registry.ts' })
  declare skipSchedules?: boolean

  async run() {
    const { jobs, syncSchedules } = await import('#jobs')
    const queue = jobs()
    if (queue.driver.inProcess) {
      return this.#fail(
        'QUEUE_DRIVER=memory runs jobs inside the process that dispatches them; queue:work needs QUEUE_DRIVER=bullmq'
      )
    }
    const concurrency = this.concurrency ?? queueConfig.workerConcurrency
    if (!Number.isInteger(concurrency) || concurrency < 1)
      return this.#fail('--concurrency must be a whole number >= 1')

    const queues = (this.queue ?? [])
      .flatMap((value) => value.split(','))
      .map((q) => q.trim())
      .filter(Boolean)
    const registry = await queue.registry()
    const names = queues.length ? queues : registry.queues()
    if (!names.length)
      return this.#fail(
        'no queues to consume: register jobs in app/jobs/registry.ts or pass --queue'
      )

    if (!this.skipSchedules) {
      const ids = await syncSchedules()
      if (ids.length) this.logger.info(`schedules: ${ids.join(', ')}`)
    }
    const worker = await queue.work({ queues: names, concurrency })
    this.app.terminating(async () => {
      this.logger.info('stopping: waiting for active jobs to finish')
      await worker.close()
      this.logger.info('worker stopped')
    })

    let signals = 0
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1
      if (signals === 1) {
        this.logger.info(`${signal} received`)
        void this.terminate()
        return
      }
      this.logger.warning(`${signal} again: exiting without waiting for active jobs`)
      process.exit(130)
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    this.logger.info(
      `worker ready: queues=${names.join(',')} concurrency=${concurrency} prefix=${queueConfig.bullmq.prefix}`
    )
  }

  async #fail(message: string) {
    this.logger.error(message)
    this.exitCode = 1
    await this.terminate()
  }
}
