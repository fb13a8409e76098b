export { recordTenantAudit, recordPlatformAudit } from '#audit/audit_log'
export type { AuditActor, AuditEntry } from '#audit/audit_log'
export { verifyAuditChains } from '#audit/verify'
export type { AuditVerification, AuditChainProblem, VerifyAuditOptions } from '#audit/verify'
