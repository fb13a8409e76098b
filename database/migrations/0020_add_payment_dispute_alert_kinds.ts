import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Chargebacks reported by a gateway (`disputed` callback events): a merchant alert
 * (`payment_disputed`) and a platform payment alert (`disputed`). Each check constraint is
 * rebuilt from its current list plus the new kind, so migrations of other modules that add
 * kinds to the same constraint keep theirs whatever order they run in.
 */
const ADDED: [table: string, constraint: string, kind: string][] = [
  ['merchant_alerts', 'merchant_alerts_kind_check', 'payment_disputed'],
  ['payment_alerts', 'payment_alerts_kind_check', 'disputed'],
]

async function currentKinds(db: any, table: string, constraint: string): Promise<string[]> {
  const { rows } = await db.rawQuery(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = to_regclass(?) AND conname = ?`,
    [table, constraint]
  )
  const def: string = rows[0]?.def ?? ''
  return [...def.matchAll(/'([a-z_]+)'/g)].map((m) => m[1])
}

async function rebuild(db: any, table: string, constraint: string, kinds: string[]) {
  const list = kinds.map((k) => `'${k.replace(/[^a-z_]/g, '')}'`).join(', ')
  await db.rawQuery(
    `ALTER TABLE ${table} DROP CONSTRAINT ${constraint},
       ADD CONSTRAINT ${constraint} CHECK (kind IN (${list}))`
  )
}

export default class extends BaseSchema {
  async up() {
    this.defer(async (db) => {
      for (const [table, constraint, kind] of ADDED) {
        const kinds = await currentKinds(db, table, constraint)
        if (!kinds.includes(kind)) await rebuild(db, table, constraint, [...kinds, kind])
      }
    })
  }

  async down() {
    this.defer(async (db) => {
      for (const [table, constraint, kind] of ADDED) {
        await db.from(table).where('kind', kind).delete()
        const kinds = await currentKinds(db, table, constraint)
        await rebuild(
          db,
          table,
          constraint,
          kinds.filter((k) => k !== kind)
        )
      }
    })
  }
}
