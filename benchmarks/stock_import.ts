/**
 * `npm run bench:import` — a stock import of 100,000 unique keys: wall-clock seconds and
 * peak RSS (`process.resourceUsage().maxRSS`), each run in a fresh child process so the
 * RSS is that run's alone. docs/benchmarks.md, "Stock import", explains the method.
 *
 *   parse+hash+encrypt  stream a 100,000-line file (fs.createReadStream) through
 *                       importStock(): parse, keyed hash, in-file de-duplication,
 *                       AES-256-GCM; the writer discards the rows.
 *   + temp-table insert the same, and the writer inserts each batch of 1,000 into a TEMP
 *                       table with the card columns (tenant_id, product_id, secret_hash,
 *                       ciphertext, key_version; unique (tenant_id, product_id,
 *                       secret_hash)) with ON CONFLICT DO NOTHING — an approximation of the
 *                       write: no RLS, no foreign keys, not the real card_items table.
 *   baseline            the child process with the modules loaded and nothing run: the
 *                       RSS floor of Node + the TypeScript loader.
 *
 * The data key is random bytes in memory (no database key lookup; that is one query per
 * import). Knobs: BENCH_LINES (100000), BENCH_ROUNDS (3), BENCH_WRITE_DOCS (1; 0 = print
 * only), DB_SUPERUSER_URL (postgres://postgres@127.0.0.1:5432/postgres, temp table only).
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { DataKey } from '../app/delivery/secrets/cipher.js'
import { importStock, type EncryptedSecret } from '../app/delivery/import/import_stock.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DOCS = new URL('../docs/benchmarks.md', import.meta.url)
const LINES = Number(process.env.BENCH_LINES || 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3)
const SUPERUSER_URL = process.env.DB_SUPERUSER_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

type Variant = 'baseline' | 'encrypt' | 'insert'
interface Result {
  variant: Variant
  seconds: number
  maxRssMb: number
  added: number
  lines: number
}

async function child(variant: Variant, file: string) {
  if (variant === 'baseline') {
    const result: Result = {
      variant,
      seconds: 0,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      added: LINES,
      lines: 0,
    }
    process.stdout.write(JSON.stringify(result) + '\n')
    return
  }
  const key = new DataKey(1, 1, randomBytes(32), randomBytes(32))
  let client: pg.Client | undefined
  if (variant === 'insert') {
    client = new pg.Client({ connectionString: SUPERUSER_URL })
    await client.connect()
    await client.query(`CREATE TEMP TABLE bench_cards (
      tenant_id bigint NOT NULL, id bigserial, product_id bigint NOT NULL,
      secret_hash char(64) NOT NULL, ciphertext bytea NOT NULL, key_version int NOT NULL,
      PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, product_id, secret_hash))`)
  }
  const write =
    variant === 'insert'
      ? async (rows: EncryptedSecret[]) => {
          const r = await client!.query(
            `INSERT INTO bench_cards (tenant_id, product_id, secret_hash, ciphertext, key_version)
             SELECT 1, 1, h, c, v FROM unnest($1::text[], $2::bytea[], $3::int[]) AS t(h, c, v)
             ON CONFLICT (tenant_id, product_id, secret_hash) DO NOTHING`,
            [
              rows.map((x) => x.secretHash),
              rows.map((x) => x.ciphertext),
              rows.map((x) => x.keyVersion),
            ]
          )
          return r.rowCount ?? 0
        }
      : async (rows: EncryptedSecret[]) => rows.length

  const start = process.hrtime.bigint()
  const report = await importStock(createReadStream(file, { highWaterMark: 64 * 1024 }), {
    format: 'card_password',
    key,
    maxLines: LINES,
    write,
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await client?.end()
  const result: Result = {
    variant,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    added: report.added,
    lines: report.lines,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

function machine() {
  const sh = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim() ?? ''
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const ramGiB = Math.round(os.totalmem() / 2 ** 30)
  const pgVersion = sh('psql', [SUPERUSER_URL, '-Atc', 'show server_version']) || 'unknown'
  return `${os.availableParallelism()} vCPU (${cpu}), ${ramGiB} GiB RAM, Node ${process.version}, PostgreSQL ${pgVersion} on the same machine`
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'lianka-bench-import-'))
  const file = join(dir, 'stock.txt')
  try {
    // 100,000 unique card----password lines (~60 bytes each), written once.
    const lines: string[] = []
    for (let i = 0; i < LINES; i++) {
      lines.push(
        `CARD-${i.toString().padStart(8, '0')}-${randomBytes(12).toString('hex')}----${randomBytes(6).toString('hex')}`
      )
    }
    writeFileSync(file, lines.join('\r\n') + '\r\n')
    const bytes = readFileSync(file).length

    const results: Result[] = []
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of ['baseline', 'encrypt', 'insert'] as Variant[]) {
        const run = spawnSync(
          process.execPath,
          ['--import=@poppinss/ts-exec', 'benchmarks/stock_import.ts', `--child=${variant}`, file],
          { cwd: ROOT, encoding: 'utf8' }
        )
        if (run.status !== 0) throw new Error(`child ${variant} failed:\n${run.stderr}`)
        const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Result
        if (result.added !== LINES) throw new Error(`child ${variant} added ${result.added}`)
        results.push(result)
        console.log(
          `round ${round + 1} ${variant}: ${result.seconds.toFixed(2)} s, peak RSS ${result.maxRssMb.toFixed(0)} MB`
        )
      }
    }

    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).stdout.trim()
    const row = (variant: Variant, label: string) => {
      const rs = results.filter((r) => r.variant === variant)
      return `| ${label} | ${median(rs.map((r) => r.seconds)).toFixed(2)} | ${Math.max(...rs.map((r) => r.maxRssMb)).toFixed(0)} | ${rs.map((r) => `${r.seconds.toFixed(2)} s / ${r.maxRssMb.toFixed(0)} MB`).join(', ')} |`
    }
    const block = [
      `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} at ${commit} (plus uncommitted work in the tree, if any): ${machine()}; ${LINES.toLocaleString('en')} unique \`card----password\` lines (${(bytes / 2 ** 20).toFixed(1)} MiB, CRLF), ${ROUNDS} rounds, one fresh process per run (TypeScript sources through @poppinss/ts-exec).`,
      '',
      '| variant | seconds (median) | peak RSS MB (max) | runs (seconds / peak RSS) |',
      '|---|---:|---:|---|',
      row('baseline', 'baseline: the same child process, modules loaded, no import (RSS floor)'),
      row('encrypt', 'parse + keyed hash + in-file dedupe + AES-256-GCM (rows discarded)'),
      row(
        'insert',
        'the same + INSERT … ON CONFLICT DO NOTHING into a TEMP table, batches of 1,000 (approximation: no RLS/FK, not card_items)'
      ),
    ].join('\n')
    console.log('\n' + block)

    if (process.env.BENCH_WRITE_DOCS !== '0') {
      const start = '<!-- bench:import:results:start (written by benchmarks/stock_import.ts) -->'
      const end = '<!-- bench:import:results:end -->'
      const docs = readFileSync(DOCS, 'utf8')
      const at = docs.indexOf(start)
      const until = docs.indexOf(end)
      if (at === -1 || until === -1) {
        console.log('docs/benchmarks.md has no Stock import results block; printed only')
      } else {
        writeFileSync(
          DOCS,
          docs.slice(0, at + start.length) + '\n' + block + '\n' + docs.slice(until)
        )
        console.log('docs/benchmarks.md updated')
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const childArg = process.argv.find((a) => a.startsWith('--child='))
if (childArg) {
  await child(childArg.slice('--child='.length) as Variant, process.argv.at(-1)!)
} else {
  await main()
}
