import { withPlatform } from '#tenancy'
import type { ManifestSummary } from './installs.js'

export type ReviewDecision = 'approved' | 'rejected'

export interface VersionForReview {
  pluginId: string
  version: string
  status: 'pending' | 'approved' | 'rejected'
  manifest: ManifestSummary
  firstParty: boolean
  author: string | null
  tarballSha256: string | null
  tarballBytes: number | null
  reviewNote: string | null
  reviewedAt: Date | null
  createdAt: Date
}

/** Plugin versions by review status (pending first by default), for platform admins. */
export async function listVersionsForReview(
  admin: { id: number; ip?: string | null },
  status: 'pending' | 'approved' | 'rejected' = 'pending'
): Promise<VersionForReview[]> {
  return withPlatform(
    { actorType: 'platform_admin', actorId: admin.id, ip: admin.ip, reason: 'plugin review queue' },
    async (trx) => {
      const { rows } = await trx.rawQuery(
        `SELECT v.*, p.first_party, a.display_name AS author
           FROM plugin_versions v
           JOIN plugins p ON p.id = v.plugin_id
           LEFT JOIN plugin_authors a ON a.user_id = p.author_user_id
          WHERE v.status = ?
          ORDER BY v.created_at, v.plugin_id, v.version
          LIMIT 200`,
        [status]
      )
      return rows.map((r: any) => ({
        pluginId: r.plugin_id,
        version: r.version,
        status: r.status,
        manifest: r.manifest,
        firstParty: Boolean(r.first_party),
        author: r.author ?? null,
        tarballSha256: r.tarball_sha256 ?? null,
        tarballBytes: r.tarball_bytes === null ? null : Number(r.tarball_bytes),
        reviewNote: r.review_note ?? null,
        reviewedAt: r.reviewed_at ? new Date(r.reviewed_at) : null,
        createdAt: new Date(r.created_at),
      }))
    }
  )
}

export class PluginReviewError extends Error {
  constructor(readonly code: 'E_REVIEW_NOT_FOUND' | 'E_REVIEW_NOTE' | 'E_REVIEW_DONE') {
    super(code)
    this.name = 'PluginReviewError'
  }
}

/**
 * Approve or reject a pending version (a rejection needs a note, which the author reads).
 * Only a pending version can be decided: a decision is final, a fix is a new version.
 * Recorded on the version and in the platform audit log (`withPlatform`).
 */
export async function reviewVersion(input: {
  admin: { id: number; ip?: string | null }
  pluginId: string
  version: string
  decision: ReviewDecision
  note: string | null
}) {
  const note = typeof input.note === 'string' ? input.note.trim() : ''
  if (note.length > 2000 || (input.decision === 'rejected' && note.length < 5)) {
    throw new PluginReviewError('E_REVIEW_NOTE')
  }
  return withPlatform(
    {
      actorType: 'platform_admin',
      actorId: input.admin.id,
      ip: input.admin.ip,
      reason: `plugin ${input.pluginId}@${input.version} ${input.decision}`,
    },
    async (trx) => {
      const current = await trx
        .from('plugin_versions')
        .where({ plugin_id: input.pluginId, version: input.version })
        .forUpdate()
        .first()
      if (!current) throw new PluginReviewError('E_REVIEW_NOT_FOUND')
      if (current.status !== 'pending') throw new PluginReviewError('E_REVIEW_DONE')
      await trx
        .from('plugin_versions')
        .where({ plugin_id: input.pluginId, version: input.version })
        .update({
          status: input.decision,
          review_note: note || null,
          reviewed_by: input.admin.id,
          reviewed_at: trx.raw('now()'),
        })
    }
  )
}
