import { gzipSync } from 'node:zlib'
import drive from '@adonisjs/drive/services/main'
import db from '@adonisjs/lucid/services/db'

/**
 * Real package tarballs for the submission tests: a minimal ustar writer (512-byte headers,
 * checksums, zero padding, two zero blocks at the end), gzip'd with zlib like `npm pack`.
 */
export interface TarEntry {
  name: string
  body?: string | Buffer
  /** ustar type flag: '0' file (default), '5' directory, '1' hard link, '2' symlink, '3' char device. */
  type?: string
  linkname?: string
}

function writeString(header: Buffer, offset: number, length: number, value: string) {
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`)
  bytes.copy(header, offset)
}

function writeOctal(header: Buffer, offset: number, length: number, value: number) {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, '0') + '\0')
}

export function tarHeader(entry: TarEntry, size: number): Buffer {
  const header = Buffer.alloc(512)
  let name = entry.name
  let prefix = ''
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1 - 0)
    prefix = name.slice(0, cut)
    name = name.slice(cut + 1)
  }
  writeString(header, 0, 100, name)
  writeOctal(header, 100, 8, entry.type === '5' ? 0o755 : 0o644)
  writeOctal(header, 108, 8, 0)
  writeOctal(header, 116, 8, 0)
  writeOctal(header, 124, 12, size)
  writeOctal(header, 136, 12, 1_700_000_000)
  header.fill(0x20, 148, 156)
  header[156] = (entry.type ?? '0').charCodeAt(0)
  if (entry.linkname) writeString(header, 157, 100, entry.linkname)
  writeString(header, 257, 6, 'ustar\0')
  writeString(header, 263, 2, '00')
  if (prefix) writeString(header, 345, 155, prefix)
  let sum = 0
  for (const byte of header) sum += byte
  writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return header
}

export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const body = entry.body === undefined ? Buffer.alloc(0) : Buffer.from(entry.body)
    parts.push(tarHeader(entry, body.length), body)
    const pad = (512 - (body.length % 512)) % 512
    if (pad) parts.push(Buffer.alloc(pad))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

export const tgz = (entries: TarEntry[]) => gzipSync(tar(entries))

export function manifest(overrides: Record<string, unknown> = {}) {
  return {
    id: 'acme-webhook',
    name: 'Acme webhooks',
    version: '1.2.0',
    engine: '^1.0.0',
    description: 'Signed callbacks for paid orders',
    author: 'Acme',
    permissions: ['orders:read', 'network:outbound'],
    hooks: ['order.paid'],
    capabilities: [],
    settings: {
      endpoint: { type: 'url', label: 'Endpoint', required: true },
      signingKey: { type: 'string', secret: true, label: 'Signing key', minLength: 16 },
    },
    ...overrides,
  }
}

export function packageJson(overrides: Record<string, unknown> = {}) {
  return {
    name: 'acme-webhook',
    version: '1.2.0',
    type: 'module',
    main: './dist/plugin.js',
    scripts: { build: 'tsc', test: 'node --test' },
    ...overrides,
  }
}

/** A package as `npm pack` lays it out; `extra` entries are appended, `omit` paths dropped. */
export function pluginPackage(
  options: {
    manifest?: Record<string, unknown> | string | null
    packageJson?: Record<string, unknown> | string | null
    extra?: TarEntry[]
  } = {}
): TarEntry[] {
  const entries: TarEntry[] = []
  const pkg = options.packageJson === undefined ? packageJson() : options.packageJson
  if (pkg !== null) {
    entries.push({
      name: 'package/package.json',
      body: typeof pkg === 'string' ? pkg : JSON.stringify(pkg, null, 2),
    })
  }
  const m = options.manifest === undefined ? manifest() : options.manifest
  if (m !== null) {
    entries.push({
      name: 'package/lianka-plugin.json',
      body: typeof m === 'string' ? m : JSON.stringify(m, null, 2),
    })
  }
  entries.push({ name: 'package/dist/plugin.js', body: 'export default {}\n' })
  entries.push({ name: 'package/README.md', body: '# Acme webhooks\n' })
  return [...entries, ...(options.extra ?? [])]
}

/** Everything a submission could have written: catalogue rows and stored tarballs. */
export async function submissionTraces() {
  const [plugins] = await db.connection('platform').from('plugins').count('* as n')
  const [versions] = await db.connection('platform').from('plugin_versions').count('* as n')
  const files: string[] = []
  const disk = drive.use()
  const list = await disk.listAll('plugin-tarballs', { recursive: true })
  for (const item of list.objects) if (item.isFile) files.push(item.key)
  return { plugins: Number(plugins.n), versions: Number(versions.n), files }
}

export async function clearTarballs() {
  await drive.use().deleteAll('plugin-tarballs')
}
