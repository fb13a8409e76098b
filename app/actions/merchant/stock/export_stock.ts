import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import hash from '@adonisjs/core/services/hash'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant, type TenantRef } from '#tenancy'
import { findProduct } from '#delivery'
import { findBatch } from '#delivery/stock/batches'
import { availableItemIds, decryptItems, EXPORT_CHUNK } from '#delivery/stock/export'
import { csvLine, CSV_BOM } from '#ledger/statements/csv'
import type User from '#models/user'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { NotCardProductError, ProductNotFoundException } from '#actions/merchant/catalog/catalog'
import type { ExportForm } from '#validators/merchant/stock'

/** Exports per shop + user: a copy of the whole stock is the most sensitive read there is. */
export const EXPORT_LIMIT = { requests: 5, duration: '1 hour' } as const

export function exportLimitKey(tenant: TenantRef, userId: number) {
  return `stock-export:${tenant.slug}:${userId}`
}

export type PreparedExport =
  | { kind: 'ok'; productId: number; ids: number[]; fileName: string }
  | { kind: 'wrong_password' }
  | { kind: 'throttled'; retryAfterSeconds: number }

/**
 * Start an export of the unsold (`available`) items of a product or one of its batches,
 * for an owner who typed their current password again. Every attempt counts against
 * {@link EXPORT_LIMIT} (so the password form cannot be used to guess either). The items
 * to copy are fixed and `stock.exported` (count, scope, format) is recorded in one
 * transaction; the file is then streamed by {@link exportLines}. Items stay available.
 * The caller checks that the member is an owner.
 */
export async function prepareExport(input: {
  member: MerchantMember
  user: User
  productId: number
  form: ExportForm
  ip: string
}): Promise<PreparedExport> {
  const tenant = requireTenant()
  try {
    await limiter.use(EXPORT_LIMIT).consume(exportLimitKey(tenant, input.user.id))
  } catch (error) {
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      return { kind: 'throttled', retryAfterSeconds: error.response.availableIn }
    }
    throw error
  }
  if (!(await hash.use('scrypt').verify(input.user.password, input.form.password))) {
    return { kind: 'wrong_password' }
  }
  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenant.id, input.productId)
    if (!product) throw new ProductNotFoundException('No such product')
    if (product.type !== 'card') throw new NotCardProductError()
    const batchId = input.form.batchId
    if (batchId && !(await findBatch(trx, tenant.id, product.id, batchId))) {
      throw new ProductNotFoundException('No such batch')
    }
    const ids = await availableItemIds(trx, tenant.id, { productId: product.id, batchId })
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: input.member.userId },
      action: 'stock.exported',
      target: { type: 'product', id: product.id },
      ip: input.ip,
      metadata: {
        count: ids.length,
        scope: batchId ? 'batch' : 'product',
        batch: batchId,
        format: input.form.format,
      },
    })
    const stamp = new Date().toISOString().slice(0, 10)
    const scope = batchId ? `batch-${batchId}` : 'all'
    return {
      kind: 'ok',
      productId: product.id,
      ids,
      fileName: `stock-${product.id}-${scope}-${stamp}.${input.form.format}`,
    }
  })
}

/**
 * The export file, in chunks: `.txt` one secret a line (exactly as stored, ready to import
 * again), or `.csv` (BOM, localized header; item id, batch, secret — a secret starting
 * with `=`, `+`, `-` or `@` gets the spreadsheet guard `'`). Each chunk of ids is read in
 * its own short transaction.
 */
export async function* exportLines(
  tenant: TenantRef,
  prepared: { productId: number; ids: number[] },
  format: 'txt' | 'csv',
  header: string[]
): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_BOM + csvLine(header)
  for (let at = 0; at < prepared.ids.length; at += EXPORT_CHUNK) {
    const chunk = prepared.ids.slice(at, at + EXPORT_CHUNK)
    const items = await withTenant(
      (trx) => decryptItems(trx, tenant.id, prepared.productId, chunk),
      tenant
    )
    yield items
      .map((item) =>
        format === 'csv' ? csvLine([item.id, item.batchId, item.secret]) : `${item.secret}\n`
      )
      .join('')
  }
}
