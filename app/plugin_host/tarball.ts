import { createGunzip } from 'node:zlib'
import { Readable } from 'node:stream'

/**
 * A small, bounded reader for npm-style package tarballs (`npm pack` output: a gzip'd ustar
 * archive with every file under `package/`). Pure JS over zlib's gunzip stream: the archive is
 * decompressed chunk by chunk and parsed as it arrives, so the unpacked-size and file-count
 * limits stop a zip bomb after at most one chunk past the limit, never after inflating it.
 *
 * Only regular files and directories are accepted. Links (symbolic or hard), device files,
 * FIFOs, absolute paths, `..` segments and entries outside `package/` are refused. Nothing is
 * written to disk: the caller gets the paths and the contents of the few files it asks for.
 */

export const TARBALL_LIMITS = {
  /** The uploaded (compressed) tarball. */
  compressedBytes: 5 * 1024 * 1024,
  /** Everything gunzip yields (tar headers included). */
  unpackedBytes: 20 * 1024 * 1024,
  /** Entries of any kind (files and directories). */
  files: 500,
  /** Files whose contents are kept (package.json, the manifest). */
  keptFileBytes: 256 * 1024,
}

export type TarballProblem =
  | 'too_big'
  | 'not_gzip'
  | 'not_tar'
  | 'unpacked_too_big'
  | 'too_many_files'
  | 'unsafe_path'
  | 'link'
  | 'special_file'
  | 'outside_package'
  | 'kept_file_too_big'

export class TarballError extends Error {
  constructor(
    readonly problem: TarballProblem,
    readonly path: string | null = null
  ) {
    super(path ? `${problem}: ${path}` : problem)
    this.name = 'TarballError'
  }
}

export interface TarballContents {
  /** Every regular file, relative to `package/` (e.g. `dist/index.js`). */
  files: Set<string>
  /** Contents of the requested files that are present (relative paths as above). */
  kept: Map<string, Buffer>
  /** Bytes gunzip produced. */
  unpackedBytes: number
}

const BLOCK = 512

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end === -1 ? length : end).toString('utf8')
}

function octal(header: Buffer, offset: number, length: number): number | null {
  // Base-256 (high bit set) sizes only appear for entries over 8 GB: refused as not a tarball.
  if (header[offset] & 0x80) return null
  const text = field(header, offset, length).trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) return null
  return Number.parseInt(text, 8)
}

function checksumOk(header: Buffer): boolean {
  const stored = octal(header, 148, 8)
  if (stored === null) return false
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]
  return sum === stored
}

/** `package/<rest>` → `<rest>` after the safety checks; throws on anything unsafe. */
export function packagePath(name: string): string {
  if (
    name.includes('\0') ||
    name.includes('\\') ||
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name)
  ) {
    throw new TarballError('unsafe_path', name)
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) throw new TarballError('unsafe_path', name)
  if (segments[0] !== 'package') throw new TarballError('outside_package', name)
  return segments.slice(1).join('/')
}

/** Parse one pax extended header body into its records (only `path` is used). */
function paxPath(body: Buffer): string | null {
  let rest = body.toString('utf8')
  let path: string | null = null
  while (rest.length) {
    const space = rest.indexOf(' ')
    const length = Number.parseInt(rest.slice(0, space), 10)
    if (space <= 0 || !Number.isFinite(length) || length <= space) break
    const record = rest.slice(space + 1, length - 1)
    const eq = record.indexOf('=')
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1)
    if (eq > 0 && record.slice(0, eq) === 'linkpath') throw new TarballError('link')
    rest = rest.slice(length)
  }
  return path
}

/**
 * Read a gzip'd tarball from memory with the limits above. `keep` lists the paths (relative
 * to `package/`) whose contents the caller needs; each is capped at `keptFileBytes`.
 */
export async function readTarball(
  gz: Uint8Array,
  keep: readonly string[],
  limits: typeof TARBALL_LIMITS = TARBALL_LIMITS
): Promise<TarballContents> {
  if (gz.length > limits.compressedBytes) throw new TarballError('too_big')
  if (gz.length < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b) throw new TarballError('not_gzip')

  const files = new Set<string>()
  const kept = new Map<string, Buffer>()
  const wanted = new Set(keep)
  let entries = 0
  let unpacked = 0
  let pending: Buffer = Buffer.alloc(0)
  let ended = false

  // Current entry's data: bytes still to read, padding after it, and what to do with it.
  let remaining = 0
  let padding = 0
  let sink: 'skip' | 'keep' | 'pax' = 'skip'
  let sinkPath = ''
  let collected: Buffer[] = []
  let nextPath: string | null = null
  let zeroBlocks = 0

  const finishEntry = () => {
    if (sink === 'keep') kept.set(sinkPath, Buffer.concat(collected))
    if (sink === 'pax') nextPath = paxPath(Buffer.concat(collected))
    collected = []
    sink = 'skip'
  }

  const onHeader = (header: Buffer) => {
    if (header.every((b) => b === 0)) {
      zeroBlocks++
      if (zeroBlocks >= 2) ended = true
      return
    }
    if (zeroBlocks) throw new TarballError('not_tar')
    if (!checksumOk(header) || field(header, 257, 6).slice(0, 5) !== 'ustar') {
      throw new TarballError('not_tar')
    }
    const size = octal(header, 124, 12)
    if (size === null) throw new TarballError('not_tar')
    const type = String.fromCharCode(header[156] || 0x30)
    const prefix = field(header, 345, 155)
    const headerName = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100)

    remaining = size
    padding = (BLOCK - (size % BLOCK)) % BLOCK
    collected = []

    if (type === 'x' || type === 'g' || type === 'L') {
      // Extended headers: `x`/`L` name the next entry; `g` (global) is read and ignored.
      if (size > 64 * 1024) throw new TarballError('not_tar')
      sink = type === 'g' ? 'skip' : 'pax'
      if (type === 'L') sink = 'keep'
      sinkPath = type === 'L' ? '\0long-name' : ''
      return
    }
    let name = nextPath ?? headerName
    if (kept.has('\0long-name')) {
      name = kept.get('\0long-name')!.toString('utf8').replace(/\0+$/, '')
      kept.delete('\0long-name')
    }
    nextPath = null
    if (type === '1' || type === '2' || type === 'K') throw new TarballError('link', name)
    if (type !== '0' && type !== '7' && type !== '5') throw new TarballError('special_file', name)

    entries++
    if (entries > limits.files) throw new TarballError('too_many_files')
    const path = packagePath(name)
    if (type === '5') {
      sink = 'skip'
      return
    }
    if (path === '' || files.has(path)) throw new TarballError('unsafe_path', name)
    files.add(path)
    if (wanted.has(path)) {
      if (size > limits.keptFileBytes) throw new TarballError('kept_file_too_big', path)
      sink = 'keep'
      sinkPath = path
    } else sink = 'skip'
  }

  const consume = () => {
    while (!ended) {
      if (remaining > 0) {
        if (!pending.length) return
        const take = Math.min(remaining, pending.length)
        if (sink !== 'skip') collected.push(Buffer.from(pending.subarray(0, take)))
        pending = pending.subarray(take)
        remaining -= take
        if (remaining > 0) return
      }
      if (padding > 0) {
        const take = Math.min(padding, pending.length)
        pending = pending.subarray(take)
        padding -= take
        if (padding > 0) return
        finishEntry()
      } else if (collected.length || sink !== 'skip') {
        finishEntry()
      }
      if (pending.length < BLOCK) return
      const header = pending.subarray(0, BLOCK)
      pending = pending.subarray(BLOCK)
      onHeader(header)
    }
  }

  const gunzip = createGunzip({ chunkSize: 64 * 1024 })
  const source = Readable.from([Buffer.from(gz.buffer, gz.byteOffset, gz.byteLength)])
  source.pipe(gunzip)
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      unpacked += chunk.length
      if (unpacked > limits.unpackedBytes) throw new TarballError('unpacked_too_big')
      if (ended) continue
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      consume()
    }
  } catch (error) {
    if (error instanceof TarballError) throw error
    // zlib: corrupt data, bad header, truncated stream.
    throw new TarballError('not_gzip')
  } finally {
    source.unpipe(gunzip)
    source.destroy()
    gunzip.destroy()
  }
  if (!ended && (remaining > 0 || padding > 0 || pending.length > 0 || entries === 0)) {
    // A tar stream that stops inside an entry (or holds nothing) is not a package.
    throw new TarballError('not_tar')
  }
  return { files, kept, unpackedBytes: unpacked }
}
