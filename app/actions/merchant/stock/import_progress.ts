import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import type { ImportReport } from '#delivery/import/index'

/**
 * Progress of a running stock import, so the page can show it while the request works.
 * The browser makes the import id; records are keyed by shop + import id, live one hour,
 * and hold counts only (never a secret).
 *
 * Store: the same choice as the rate limiter (`LIMITER_STORE`): Redis when several web
 * processes serve the shop (the poll may reach another process than the import), memory
 * in the single-process demo.
 */
export interface ImportProgress {
  productId: number
  state: 'running' | 'done' | 'failed'
  /** Physical lines processed so far. */
  lines: number
  /** Bytes of the input read so far, and the input's size (0 when unknown). */
  bytes: number
  totalBytes: number
  /** `stock.errors.*` / `catalog.stock.errors.*` key when failed. */
  error?: string
  report?: ImportReport
  batchId?: number
}

export interface ProgressStore {
  /** Record a new import; false when the id is already in use (nothing changed). */
  start(tenantId: number, importId: string, progress: ImportProgress): Promise<boolean>
  update(tenantId: number, importId: string, progress: ImportProgress): Promise<void>
  get(tenantId: number, importId: string): Promise<ImportProgress | null>
}

/** How long a record is kept (seconds): the report stays readable after a reload. */
export const PROGRESS_TTL_SECONDS = 3600

/** Lines between two progress writes. */
export const PROGRESS_EVERY_LINES = 2000

function key(tenantId: number, importId: string) {
  return `lianka:${env.get('DB_DATABASE')}:stock-import:${tenantId}:${importId}`
}

/** Redis: every web process sees the same records. */
export class RedisProgressStore implements ProgressStore {
  async #redis() {
    const { default: redis } = await import('@adonisjs/redis/services/main')
    return redis
  }

  async start(tenantId: number, importId: string, progress: ImportProgress) {
    const redis = await this.#redis()
    const set = await redis.set(
      key(tenantId, importId),
      JSON.stringify(progress),
      'EX',
      PROGRESS_TTL_SECONDS,
      'NX'
    )
    return set === 'OK'
  }

  async update(tenantId: number, importId: string, progress: ImportProgress) {
    const redis = await this.#redis()
    await redis.set(key(tenantId, importId), JSON.stringify(progress), 'EX', PROGRESS_TTL_SECONDS)
  }

  async get(tenantId: number, importId: string) {
    const redis = await this.#redis()
    const value = await redis.get(key(tenantId, importId))
    return value ? (JSON.parse(value) as ImportProgress) : null
  }
}

/** One process (the demo): a map with expiry, capped so it cannot grow without bound. */
export class MemoryProgressStore implements ProgressStore {
  readonly #records = new Map<string, { progress: ImportProgress; expires: number }>()

  constructor(readonly maxRecords = 10_000) {}

  #live(k: string) {
    const record = this.#records.get(k)
    if (record && record.expires <= Date.now()) {
      this.#records.delete(k)
      return undefined
    }
    return record
  }

  #put(k: string, progress: ImportProgress) {
    this.#records.delete(k)
    this.#records.set(k, {
      progress: structuredClone(progress),
      expires: Date.now() + PROGRESS_TTL_SECONDS * 1000,
    })
    while (this.#records.size > this.maxRecords) {
      this.#records.delete(this.#records.keys().next().value!)
    }
  }

  async start(tenantId: number, importId: string, progress: ImportProgress) {
    const k = key(tenantId, importId)
    if (this.#live(k)) return false
    this.#put(k, progress)
    return true
  }

  async update(tenantId: number, importId: string, progress: ImportProgress) {
    this.#put(key(tenantId, importId), progress)
  }

  async get(tenantId: number, importId: string) {
    const record = this.#live(key(tenantId, importId))
    return record ? structuredClone(record.progress) : null
  }
}

let store: ProgressStore | undefined

/** The configured store (`LIMITER_STORE`: `redis` or `memory`). */
export function progressStore(): ProgressStore {
  if (!store) {
    store =
      env.get('LIMITER_STORE') === 'memory' ? new MemoryProgressStore() : new RedisProgressStore()
  }
  return store
}

/**
 * Reports an import's progress every {@link PROGRESS_EVERY_LINES} lines. Store failures
 * are swallowed: progress is a courtesy, it never fails the import itself.
 */
export class ProgressReporter {
  #lastLines = 0
  #bytes = 0
  #pending: Promise<void> = Promise.resolve()

  constructor(
    readonly tenantId: number,
    readonly importId: string,
    readonly progress: ImportProgress,
    readonly target: ProgressStore = progressStore()
  ) {}

  /** Count input bytes as they are read (wrap the input with {@link countBytes}). */
  addBytes(n: number) {
    this.#bytes += n
  }

  /** Called with the last line number processed; writes at most every N lines. */
  async lines(lineNo: number) {
    if (lineNo - this.#lastLines < PROGRESS_EVERY_LINES) return
    this.#lastLines = lineNo
    await this.#write({ ...this.progress, lines: lineNo, bytes: this.#bytes })
  }

  async finish(final: Partial<ImportProgress>) {
    await this.#write({ ...this.progress, bytes: this.#bytes, ...final })
  }

  async #write(progress: ImportProgress) {
    this.#pending = this.#pending
      .then(() => this.target.update(this.tenantId, this.importId, progress))
      .catch((error) =>
        logger.warn({ tenantId: this.tenantId, err: error }, 'stock import progress not stored')
      )
    await this.#pending
  }
}

/** Pass the input through, counting its bytes into `reporter`. */
export async function* countBytes(
  input: AsyncIterable<string | Buffer>,
  reporter: ProgressReporter
): AsyncGenerator<string | Buffer> {
  for await (const chunk of input) {
    reporter.addBytes(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length)
    yield chunk
  }
}
