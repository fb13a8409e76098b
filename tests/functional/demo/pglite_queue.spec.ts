import { test } from '@japa/runner'
import pg from 'pg'
import { startDemoDatabase, type DemoDatabase } from '../../../app/demo/pglite_server.js'

/**
 * Demo mode serves one PGlite session to several pooled sockets. These cases pin the
 * guarantees of `PinnedQueue` (app/demo/pglite_server.ts): batches and transactions of
 * different clients never interleave, errors do not stall the queue, and a client that
 * vanishes mid-transaction is rolled back and releases the session.
 */
test.group('Demo database (PGlite behind pglite-socket)', (group) => {
  let database: DemoDatabase
  const connection = () => ({ host: '127.0.0.1', port: database.port, user: 'postgres' })

  group.setup(async () => {
    database = await startDemoDatabase('memory://')
    return () => database.close()
  })

  test('parameterised queries and transactions from three pools never interleave', async ({
    assert,
  }) => {
    const pools = [0, 1, 2].map(() => new pg.Pool({ ...connection(), max: 2 }))
    let errors = 0
    let wrong = 0
    try {
      await Promise.all(
        Array.from({ length: 240 }, async (_, i) => {
          const pool = pools[i % pools.length]
          try {
            if (i % 5 === 0) {
              const client = await pool.connect()
              try {
                await client.query('BEGIN')
                const result = await client.query('SELECT $1::int AS v', [i])
                if (result.rows[0].v !== i) wrong++
                await client.query('COMMIT')
              } finally {
                client.release()
              }
            } else {
              const result =
                i % 2
                  ? await pool.query('SELECT $1::int AS v, $2::text AS t', [i, 'x'])
                  : await pool.query('SELECT $1::text AS v', [String(i)])
              if (String(result.rows[0].v) !== String(i)) wrong++
            }
          } catch {
            errors++
          }
        })
      )
    } finally {
      await Promise.all(pools.map((pool) => pool.end()))
    }
    assert.deepEqual({ errors, wrong }, { errors: 0, wrong: 0 })
  }).timeout(60_000)

  test('a failed statement does not stall the other clients', async ({ assert }) => {
    const pool = new pg.Pool({ ...connection(), max: 2 })
    try {
      await assert.rejects(() => pool.query('SELECT no_such_column FROM pg_class WHERE $1', [true]))
      const result = await pool.query('SELECT $1::int AS v', [7])
      assert.equal(result.rows[0].v, 7)
    } finally {
      await pool.end()
    }
  })

  test('a client that disconnects inside a transaction is rolled back', async ({ assert }) => {
    await database.exec('CREATE TABLE IF NOT EXISTS demo_queue_probe (id int)')
    const gone = new pg.Client(connection())
    gone.on('error', () => {})
    await gone.connect()
    await gone.query('BEGIN')
    await gone.query('INSERT INTO demo_queue_probe VALUES (1)')
    ;(
      gone as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy()

    const other = new pg.Client(connection())
    await other.connect()
    try {
      const result = await other.query('SELECT count(*)::int AS n FROM demo_queue_probe')
      assert.equal(result.rows[0].n, 0)
    } finally {
      await other.end()
    }
  }).timeout(20_000)
})
