import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import { createCategory } from '#delivery'
import type { MerchantMember } from '#actions/merchant/session/find_membership'

/** Not this shop's category (another shop's id is simply not found): 404 page. */
export class CategoryNotFoundException extends Exception {
  static status = 404
  static code = 'E_CATEGORY_NOT_FOUND'
  async report() {}
  async handle(_error: this, ctx: HttpContext) {
    const message = ctx.i18n.t('catalog_form.categories.not_found')
    ctx.response.status(404)
    return ctx.response.send(await ctx.view.render('pages/merchant/error', { message }))
  }
}

/** Another category of the shop already has this name (names pick categories on the form). */
export class DuplicateCategoryError extends Error {
  constructor() {
    super('E_CATEGORY_DUPLICATE')
  }
}

/** A category still holding products (or named by coupons) is not deleted. */
export class CategoryNotEmptyError extends Error {
  constructor(
    readonly products: number,
    readonly coupons: number
  ) {
    super('E_CATEGORY_NOT_EMPTY')
  }
}

export interface CategoryRow {
  id: number
  name: string
  sort: number
  products: number
}

/** The shop's categories in display order (sort, then name), with their product counts. */
export async function listCategories(): Promise<CategoryRow[]> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT c.id, c.name, c.sort,
              (SELECT count(*)::int FROM products p
                WHERE p.tenant_id = c.tenant_id AND p.category_id = c.id) AS products
         FROM categories c WHERE c.tenant_id = ? ORDER BY c.sort, c.name, c.id`,
      [tenant.id]
    )
    return rows.map((row: any) => ({
      id: Number(row.id),
      name: row.name,
      sort: Number(row.sort),
      products: Number(row.products),
    }))
  })
}

/**
 * Serialise name changes of one shop's categories (there is no unique index on names), then
 * refuse a name another category already has.
 */
async function assertNameFree(
  trx: TransactionClientContract,
  tenantId: number,
  name: string,
  exceptId: number | null
) {
  await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [
    `categories:${tenantId}`,
  ])
  const query = trx.from('categories').where({ tenant_id: tenantId, name })
  if (exceptId !== null) query.whereNot('id', exceptId)
  if (await query.first()) throw new DuplicateCategoryError()
}

export async function addCategory(
  member: MerchantMember,
  data: { name: string; sort: number },
  ip: string
) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    await assertNameFree(trx, tenant.id, data.name, null)
    const created = await createCategory(trx, { tenantId: tenant.id, ...data })
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: 'category.created',
      target: { type: 'category', id: created.id },
      ip,
      metadata: { name: created.name, sort: data.sort },
    })
    return created
  })
}

/** Rename and/or move a category. */
export async function updateCategory(
  member: MerchantMember,
  categoryId: number,
  data: { name: string; sort: number },
  ip: string
) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const before = await trx
      .from('categories')
      .where({ tenant_id: tenant.id, id: categoryId })
      .forUpdate()
      .first()
    if (!before) throw new CategoryNotFoundException('No such category')
    await assertNameFree(trx, tenant.id, data.name, categoryId)
    await trx
      .from('categories')
      .where({ tenant_id: tenant.id, id: categoryId })
      .update({ name: data.name, sort: data.sort })
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: 'category.updated',
      target: { type: 'category', id: categoryId },
      ip,
      metadata: {
        before: { name: before.name, sort: Number(before.sort) },
        after: { name: data.name, sort: data.sort },
      },
    })
  })
}

/**
 * Delete an empty category. The row is locked first: a product being saved into it at the
 * same time waits (its foreign key check needs the row) and then fails, or commits first and
 * is counted here.
 */
export async function deleteCategory(member: MerchantMember, categoryId: number, ip: string) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const row = await trx
      .from('categories')
      .where({ tenant_id: tenant.id, id: categoryId })
      .forUpdate()
      .first()
    if (!row) throw new CategoryNotFoundException('No such category')
    const count = async (table: string) => {
      const { rows } = await trx.rawQuery(
        `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = ? AND category_id = ?`,
        [tenant.id, categoryId]
      )
      return Number(rows[0].n)
    }
    const products = await count('products')
    const coupons = await count('coupons')
    if (products || coupons) throw new CategoryNotEmptyError(products, coupons)
    await trx.from('categories').where({ tenant_id: tenant.id, id: categoryId }).delete()
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: member.userId },
      action: 'category.deleted',
      target: { type: 'category', id: categoryId },
      ip,
      metadata: { name: row.name },
    })
  })
}
