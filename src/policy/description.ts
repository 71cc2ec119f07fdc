export const DEFAULT_KEEP_PREFIX = 'Pre-deploy backup'
/** With kind: snapshot, the default description and keep-prefix say so. */
export const DEFAULT_SNAPSHOT_PREFIX = 'Pre-deploy snapshot'

export interface RunContext {
  /** `owner/repo` */
  repository?: string
  sha?: string
  runId?: number
  runAttempt?: number
}

/**
 * `Pre-deploy backup: acme/shop@3f1c2d9 (run 9876543210)`: names what was about to be deployed,
 * so a person looking at the backups in the VPS.org panel knows which one to restore. The
 * retention rule (`keep`) recognises these backups by the leading `Pre-deploy backup`.
 */
export function defaultDescription(run: RunContext, prefix = DEFAULT_KEEP_PREFIX): string {
  const where = [run.repository, run.sha?.slice(0, 7)].filter(Boolean).join('@')
  const hasRun = Number.isSafeInteger(run.runId) && Number(run.runId) > 0
  const attempt = run.runAttempt && run.runAttempt > 1 ? `, attempt ${run.runAttempt}` : ''
  const runText = hasRun ? `run ${run.runId}${attempt}` : ''
  if (where && runText) return `${prefix}: ${where} (${runText})`
  if (where || runText) return `${prefix}: ${where || runText}`
  return prefix
}
