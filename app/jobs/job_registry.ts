import type { JobClass } from '#jobs/job'

const NAME = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$/
const QUEUE = /^[a-z][a-z0-9_-]{0,59}$/

/**
 * Job name → class. Workers can only run what is registered here, so a queued job whose
 * name has no class (renamed, removed, typo) fails permanently with a clear error instead
 * of retrying forever; `dispatch` refuses unregistered classes up front.
 */
export class JobRegistry {
  #byName = new Map<string, JobClass>()

  constructor(classes: readonly JobClass[] = []) {
    for (const job of classes) this.register(job)
  }

  register(job: JobClass): this {
    const name = job.jobName
    if (typeof name !== 'string' || !NAME.test(name) || name.length > 60) {
      throw new Error(
        `E_JOB_BAD_NAME: job class ${job.name} needs a static jobName like "domain.verb"`
      )
    }
    if (!QUEUE.test(job.queue)) {
      throw new Error(`E_JOB_BAD_QUEUE: job ${name} has queue ${JSON.stringify(job.queue)}`)
    }
    if (!Number.isInteger(job.attempts) || job.attempts < 1) {
      throw new Error(`E_JOB_BAD_ATTEMPTS: job ${name} needs attempts >= 1`)
    }
    const existing = this.#byName.get(name)
    if (existing && existing !== job) {
      throw new Error(`E_JOB_DUPLICATE_NAME: ${existing.name} and ${job.name} are both "${name}"`)
    }
    this.#byName.set(name, job)
    return this
  }

  get(name: string): JobClass | undefined {
    return this.#byName.get(name)
  }

  has(job: JobClass): boolean {
    return this.#byName.get(job.jobName) === job
  }

  /** Queue names used by the registered jobs (what a worker listens to by default). */
  queues(): string[] {
    return [...new Set([...this.#byName.values()].map((job) => job.queue))].sort()
  }

  all(): JobClass[] {
    return [...this.#byName.values()]
  }
}
