import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { DateTime } from 'luxon'

export type MemberRole = 'owner' | 'staff'

/** A merchant user's role in one shop (tenant table, RLS). */
export default class TenantMember extends BaseModel {
  static table = 'tenant_members'

  @column() declare tenantId: number
  @column({ isPrimary: true }) declare id: number
  @column() declare userId: number
  @column() declare role: MemberRole
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime
}
