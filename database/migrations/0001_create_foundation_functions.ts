import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION lianka_forbid_mutation() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'E_APPEND_ONLY: % on % is not allowed (append-only table)', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END
      $$
    `)
  }

  async down() {
    this.schema.raw('DROP FUNCTION IF EXISTS lianka_forbid_mutation()')
  }
}
