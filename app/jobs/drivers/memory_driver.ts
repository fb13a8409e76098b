import { getNextMillis } from 'bullmq'
import type { JobBackoff } from '#jobs/job'
import { PermanentJobError } from '#jobs/job'
import {
  backoffDelay,
  type EnqueueOptions,
  type JobProcessor,
  type QueueDriver,
  type RepeatRule,
  type ScheduleTemplate,
  type WorkOptions,
  type WorkerHandle,
} from '#jobs/drivers/driver'

/** Settings of the in-process driver. */
export interface MemoryDriverOptions {
  /** Completed job ids remembered for dedupe (oldest forgotten first). */
  keepCompleted?: number
  /** Failed jobs kept for `retryFailed` (oldest dropped first). */
  keepFailed?: number
}

type State = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed'

interface MemoryJob {
  key: string
  id: string
  queue: string
  name: string
  json: string
  attempts: number
  backoff: JobBackoff
  attemptsMade: number
  state: State
  timer?: NodeJS.Timeout | NodeJS.Immediate
}

interface Schedule {
  queue: string
  id: string
  rule: RepeatRule
  template: ScheduleTemplate
  timer?: NodeJS.Timeout
}

/** Longest single setTimeout Node accepts; longer waits are chained. */
const MAX_TIMER = 2 ** 31 - 1

/**
 * In-process driver for demo mode and tests: jobs run in this process, asynchronously
 * after `add` returns, with the same retry/backoff, dedupe, schedule and failed-set
 * semantics as BullMQ. Nothing survives a restart; timers are unref'd so they never keep
 * a process alive on their own.
 */
export class MemoryDriver implements QueueDriver {
  readonly kind = 'memory' as const
  readonly inProcess = true
  #jobs = new Map<string, MemoryJob>()
  #waiting = new Map<string, MemoryJob[]>()
  #activeByQueue = new Map<string, number>()
  #running = new Set<Promise<void>>()
  #completed: string[] = []
  #failed: string[] = []
  #schedules = new Map<string, Schedule>()
  #processor?: JobProcessor
  #served = new Set<string>()
  #concurrency = 1
  #nextId = 1
  #closed = false
  #keepCompleted: number
  #keepFailed: number

  constructor(options: MemoryDriverOptions = {}) {
    this.#keepCompleted = options.keepCompleted ?? 10_000
    this.#keepFailed = options.keepFailed ?? 1_000
  }

  async add(queue: string, name: string, data: unknown, options: EnqueueOptions): Promise<string> {
    if (this.#closed) throw new Error('E_JOB_QUEUE_CLOSED: the in-process queue is closed')
    const id = options.jobId ?? String(this.#nextId++)
    const key = `${queue}\u0000${id}`
    if (this.#jobs.has(key)) return id
    const json = JSON.stringify(data)
    if (json === undefined) throw new TypeError('E_JOB_PAYLOAD: payload is not JSON')
    const job: MemoryJob = {
      key,
      id,
      queue,
      name,
      json,
      attempts: options.attempts,
      backoff: options.backoff,
      attemptsMade: 0,
      state: 'delayed',
    }
    this.#jobs.set(key, job)
    this.#delay(job, options.delay ?? 0)
    return id
  }

  #delay(job: MemoryJob, ms: number) {
    job.state = 'delayed'
    job.timer =
      ms > 0
        ? setTimeout(() => this.#enqueue(job), Math.min(ms, MAX_TIMER)).unref()
        : setImmediate(() => this.#enqueue(job)).unref()
  }

  #enqueue(job: MemoryJob) {
    job.timer = undefined
    if (this.#closed || job.state !== 'delayed') return
    job.state = 'waiting'
    const list = this.#waiting.get(job.queue) ?? []
    list.push(job)
    this.#waiting.set(job.queue, list)
    this.#pump(job.queue)
  }

  #pump(queue: string) {
    const processor = this.#processor
    if (!processor || this.#closed || !(this.#served.has(queue) || this.#served.has('*'))) return
    const list = this.#waiting.get(queue) ?? []
    while (list.length && (this.#activeByQueue.get(queue) ?? 0) < this.#concurrency) {
      this.#start(processor, list.shift()!)
    }
  }

  #start(processor: JobProcessor, job: MemoryJob) {
    job.state = 'active'
    this.#activeByQueue.set(job.queue, (this.#activeByQueue.get(job.queue) ?? 0) + 1)
    const run = (async () => {
      try {
        await processor({
          id: job.id,
          queue: job.queue,
          name: job.name,
          data: JSON.parse(job.json),
          attemptsMade: job.attemptsMade,
          attempts: job.attempts,
        })
        this.#finish(job, 'completed')
      } catch (error) {
        this.#fail(job, error)
      } finally {
        this.#activeByQueue.set(job.queue, (this.#activeByQueue.get(job.queue) ?? 1) - 1)
        this.#pump(job.queue)
      }
    })()
    this.#running.add(run)
    void run.finally(() => this.#running.delete(run))
  }

  #fail(job: MemoryJob, error: unknown) {
    job.attemptsMade += 1
    const permanent = error instanceof PermanentJobError
    if (!permanent && job.attemptsMade < job.attempts) {
      this.#delay(job, backoffDelay(job.backoff, job.attemptsMade))
    } else {
      this.#finish(job, 'failed')
    }
  }

  #finish(job: MemoryJob, state: 'completed' | 'failed') {
    job.state = state
    const list = state === 'completed' ? this.#completed : this.#failed
    const keep = state === 'completed' ? this.#keepCompleted : this.#keepFailed
    if (state === 'completed') job.json = 'null'
    list.push(job.key)
    while (list.length > keep) this.#jobs.delete(list.shift()!)
  }

  /**
   * Forget every job that has not started (waiting, or delayed for a retry) and wait for the
   * running ones to end. Tests call it before resetting the database, so a retry left over
   * from one test never runs against the next test's rows (ids restart after a truncate).
   * Schedules stay. Returns how many jobs were dropped.
   */
  async discardPending(): Promise<number> {
    let dropped = 0
    for (const job of this.#jobs.values()) {
      if (job.state !== 'waiting' && job.state !== 'delayed') continue
      if (job.timer) {
        clearTimeout(job.timer as NodeJS.Timeout)
        clearImmediate(job.timer as NodeJS.Immediate)
        job.timer = undefined
      }
      job.state = 'failed'
      this.#jobs.delete(job.key)
      dropped++
    }
    this.#waiting.clear()
    await Promise.allSettled([...this.#running])
    return dropped
  }

  async upsertSchedule(queue: string, id: string, rule: RepeatRule, template: ScheduleTemplate) {
    if (this.#closed) throw new Error('E_JOB_QUEUE_CLOSED: the in-process queue is closed')
    await this.removeSchedule(queue, id)
    const schedule: Schedule = { queue, id, rule, template }
    this.#schedules.set(`${queue}\u0000${id}`, schedule)
    this.#arm(schedule, Date.now())
  }

  #arm(schedule: Schedule, from: number) {
    const next = nextTick(schedule.rule, from)
    if (next === undefined) return
    const wait = () => {
      const left = next - Date.now()
      schedule.timer = setTimeout(
        () => (left > MAX_TIMER ? wait() : this.#fire(schedule, next)),
        Math.max(0, Math.min(left, MAX_TIMER))
      ).unref()
    }
    wait()
  }

  #fire(schedule: Schedule, at: number) {
    if (this.#closed || this.#schedules.get(`${schedule.queue}\u0000${schedule.id}`) !== schedule)
      return
    const { template } = schedule
    void this.add(schedule.queue, template.name, template.data, {
      jobId: `repeat-${schedule.id}-${at}`,
      attempts: template.attempts,
      backoff: template.backoff,
    }).catch(() => {})
    this.#arm(schedule, Math.max(at, Date.now()))
  }

  async removeSchedule(queue: string, id: string): Promise<boolean> {
    const key = `${queue}\u0000${id}`
    const schedule = this.#schedules.get(key)
    if (!schedule) return false
    clearTimeout(schedule.timer)
    this.#schedules.delete(key)
    return true
  }

  async listSchedules(queue: string): Promise<string[]> {
    return [...this.#schedules.values()].filter((s) => s.queue === queue).map((s) => s.id)
  }

  async retryFailed(queue: string, jobId: string): Promise<boolean> {
    const job = this.#jobs.get(`${queue}\u0000${jobId}`)
    if (!job || job.state !== 'failed' || this.#closed) return false
    this.#failed.splice(this.#failed.indexOf(job.key), 1)
    job.attemptsMade = 0
    this.#delay(job, 0)
    return true
  }

  async work(processor: JobProcessor, options: WorkOptions): Promise<WorkerHandle> {
    if (this.#processor)
      throw new Error('E_JOB_WORKER_RUNNING: the in-process queue already has a worker')
    this.#processor = processor
    this.#concurrency = Math.max(1, options.concurrency)
    this.#served = new Set(options.queues)
    for (const queue of this.#waiting.keys()) this.#pump(queue)
    return {
      close: async (force = false) => {
        this.#processor = undefined
        this.#served = new Set()
        if (!force) await Promise.allSettled([...this.#running])
      },
    }
  }

  async close(force = false) {
    this.#closed = true
    for (const schedule of this.#schedules.values()) clearTimeout(schedule.timer)
    this.#schedules.clear()
    for (const job of this.#jobs.values()) {
      if (job.timer) {
        clearTimeout(job.timer as NodeJS.Timeout)
        clearImmediate(job.timer as NodeJS.Immediate)
      }
    }
    this.#processor = undefined
    if (!force) await Promise.allSettled([...this.#running])
  }
}

/** Next fire time after `from`: BullMQ's own computation, so both drivers tick alike. */
function nextTick(rule: RepeatRule, from: number): number | undefined {
  if (rule.every !== undefined) return Math.floor(from / rule.every) * rule.every + rule.every
  return getNextMillis(from, { pattern: rule.pattern, tz: rule.tz })
}
