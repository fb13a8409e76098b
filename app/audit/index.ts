export { recordTenantAudit, recordPlatformAudit } from '#audit/audit_log'
export type { AuditActor, AuditEntry } from '#audit/audit_log'
