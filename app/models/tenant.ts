import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { DateTime } from 'luxon'
import type { TenantRef } from '#tenancy'

export type TenantStatus = 'pending_review' | 'active' | 'rejected' | 'suspended'

/** A shop. Platform-global row (no RLS): the directory every request resolves against. */
export default class Tenant extends BaseModel {
  static table = 'tenants'

  @column({ isPrimary: true }) declare id: number
  @column() declare slug: string
  @column() declare name: string
  @column() declare status: TenantStatus
  @column() declare reviewNote: string | null
  @column.dateTime() declare reviewedAt: DateTime | null
  @column() declare reviewedBy: number | null
  @column() declare defaultLocale: string
  @column() declare currency: string
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  get canSell() {
    return this.status === 'active'
  }

  toRef(): TenantRef {
    return {
      id: this.id,
      slug: this.slug,
      name: this.name,
      status: this.status,
      defaultLocale: this.defaultLocale,
      currency: this.currency,
    }
  }
}
