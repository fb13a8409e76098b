import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

/**
 * Demo mode's database: an embedded PGlite (PostgreSQL compiled to wasm, data on disk)
 * served on 127.0.0.1 through `pglite-socket`, so `pg`/Lucid connect to it unchanged.
 *
 * Every socket shares ONE PostgreSQL backend session. pglite-socket serialises the
 * protocol messages of its clients, but pins the session to one client only while an
 * explicit transaction is open; an extended-protocol batch (Parse/Bind/Execute/Sync)
 * from a second client can interleave with the first one's outside a transaction and
 * bind against the wrong unnamed statement (electric-sql/pglite#1046). `PinnedQueue`
 * replaces its queue: a client owns the session from its first message until the
 * backend is back at ReadyForQuery (after Sync or a simple Query) with no transaction
 * open. It also never stalls after a failed message.
 */

type OnData = (data: Uint8Array) => void

interface Job {
  handlerId: number
  message?: Uint8Array
  onData?: OnData
  task?: () => Promise<unknown>
  resolve: (value: any) => void
  reject: (error: Error) => void
}

/** Client message types after which the backend sends ReadyForQuery. */
const BATCH_END = new Set(['Q', 'S', 'X', 'F'])

/** Handler id used for the demo runner's own direct queries. */
const RUNNER = 0

export class PinnedQueue {
  #queue: Job[] = []
  #owner: number | null = null
  #running = false
  #stalledSince = 0
  #watchdog?: NodeJS.Timeout

  /**
   * @param onStall  called when one client has held the session for `stallMs` while
   *                 others wait: usually code that opened a transaction and then queried
   *                 through another connection, which cannot progress on one session.
   */
  constructor(
    private db: PGlite,
    private onStall: (heldMs: number) => void = () => {},
    private stallMs = 10_000
  ) {}

  /** Called by pglite-socket's handlers for every complete client message. */
  enqueue(handlerId: number, message: Uint8Array, onData: OnData): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject })
      void this.#drain()
    })
  }

  /**
   * Run `task` (direct PGlite calls) between two client batches, never inside one.
   * The task must not leave a transaction open.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ handlerId: RUNNER, task, resolve, reject })
      void this.#drain()
    })
  }

  getQueueLength() {
    return this.#queue.length
  }

  clearQueueForHandler(handlerId: number) {
    this.#queue = this.#queue.filter((job) => {
      if (job.handlerId !== handlerId) return true
      job.reject(new Error('Handler disconnected'))
      return false
    })
  }

  /**
   * A client went away: roll back what it left open and free the session. Queued first,
   * after the message in flight (if any); never rejects (pglite-socket does not await it).
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const task = async () => {
        if (this.#owner !== handlerId) return
        this.#owner = null
        try {
          if (this.db.isInTransaction()) await this.db.exec('ROLLBACK')
        } catch {
          // the database is closing; nothing left to release
        }
      }
      this.#queue.unshift({ handlerId, task, resolve, reject: () => resolve() })
      void this.#drain()
    })
  }

  async #drain() {
    if (this.#running) return
    this.#running = true
    try {
      while (this.#queue.length) {
        const index =
          this.#owner === null ? 0 : this.#queue.findIndex((j) => j.handlerId === this.#owner)
        if (index === -1) {
          this.#watch() // the owner's next message has not arrived yet
          break
        }
        this.#stalledSince = 0
        const [job] = this.#queue.splice(index, 1)
        try {
          if (job.task) {
            job.resolve(await job.task())
            continue
          }
          let bytes = 0
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(job.message!, {
              onRawData: (data) => {
                bytes += data.length
                job.onData!(data)
              },
            })
          )
          job.resolve(bytes)
        } catch (error) {
          job.reject(error as Error)
        } finally {
          if (job.message) this.#afterMessage(job.handlerId, job.message)
        }
      }
    } finally {
      this.#running = false
    }
  }

  #watch() {
    if (this.#stalledSince === 0) this.#stalledSince = Date.now()
    if (this.#watchdog) return
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined
      if (this.#stalledSince === 0 || this.#owner === null || !this.#queue.length) return
      const held = Date.now() - this.#stalledSince
      if (held >= this.stallMs) this.onStall(held)
      else this.#watch()
    }, this.stallMs)
    this.#watchdog.unref()
  }

  #afterMessage(handlerId: number, message: Uint8Array) {
    const type = message[0] === 0 ? 'startup' : String.fromCharCode(message[0])
    const atReady = type === 'startup' || BATCH_END.has(type)
    this.#owner = atReady && !this.db.isInTransaction() ? null : handlerId
  }
}

export interface DemoDatabase {
  pglite: PGlite
  server: PGLiteSocketServer
  queue: PinnedQueue
  port: number
  /** Run SQL directly on the shared session (superuser), between client batches. */
  exec(sql: string): Promise<void>
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
  close(): Promise<void>
}

/**
 * Open (or create) the PGlite cluster in `dataDir` and serve it on 127.0.0.1 at a free
 * port. `maxConnections` bounds the sockets of the app/platform/owner pools together.
 */
export async function startDemoDatabase(
  dataDir: string,
  options: { maxConnections?: number; onStall?: (heldMs: number) => void } = {}
): Promise<DemoDatabase> {
  const pglite = new PGlite(dataDir)
  await pglite.waitReady
  const server = new PGLiteSocketServer({
    db: pglite,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 8,
  })
  const queue = new PinnedQueue(pglite, options.onStall)
  // pglite-socket (0.2.x) passes its private `queryQueue` to every connection handler;
  // swap in ours, and refuse to run on a version where that seam moved.
  const internals = server as unknown as { queryQueue?: unknown }
  if (!internals.queryQueue) {
    await pglite.close()
    throw new Error('pglite-socket changed: no queryQueue to replace (app/demo/pglite_server.ts)')
  }
  internals.queryQueue = queue
  await server.start()
  const port = Number(server.getServerConn().split(':').pop())

  let closed = false
  return {
    pglite,
    server,
    queue,
    port,
    exec: (sql) => queue.exclusive(async () => void (await pglite.exec(sql))),
    query: <R>(sql: string, params: unknown[] = []) =>
      queue.exclusive(async () => {
        const result = await pglite.query<R>(sql, params)
        return result.rows
      }),
    async close() {
      if (closed) return
      closed = true
      await server.stop()
      await pglite.close()
    },
  }
}
