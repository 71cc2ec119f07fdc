/**
 * A backup as the VPS.org API describes it, how a row of its answers is read, and the rules that
 * say what a backup's status means (its age: policy/backups.ts). Pure: no I/O.
 */

/**
 * created_at as the API gave it, when that was not a string (missing, null, a number): kept to be
 * named in messages, and out of the outputs (JSON.stringify leaves symbol keys out).
 */
export const RAW_CREATED_AT: unique symbol = Symbol('created_at as the API gave it')

/** A backup as the list and create endpoints return it. Unknown fields are kept. */
export interface Backup {
  id: number
  server: { id: number; name: string }
  backup_type: string
  status: string
  size_mb: number | null
  created_at: string
  expires_at: string | null
  description: string
  [RAW_CREATED_AT]?: unknown
  [field: string]: unknown
}

export const COMPLETED = 'completed'
export const MANUAL = 'manual'
/** Undocumented by VPS.org; these are the names such APIs use for a backup that ended badly. */
const FAILED_STATUSES: ReadonlySet<string> = new Set(['failed', 'error', 'errored', 'cancelled', 'canceled'])

export function isFailedStatus(status: string): boolean {
  return FAILED_STATUSES.has(status.toLowerCase())
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A row of an answer as a Backup, or undefined when it lacks what this action relies on (its id,
 * status and server id): such a row can be neither followed nor restored nor deleted safely.
 */
export function decodeBackup(value: unknown): Backup | undefined {
  if (!isRecord(value)) return undefined
  const server = value.server
  if (!Number.isSafeInteger(value.id) || typeof value.status !== 'string') return undefined
  if (!isRecord(server) || !Number.isSafeInteger(server.id)) return undefined
  return {
    ...value,
    id: value.id as number,
    server: { id: server.id as number, name: typeof server.name === 'string' ? server.name : '' },
    backup_type: typeof value.backup_type === 'string' ? value.backup_type : '',
    status: value.status,
    size_mb: typeof value.size_mb === 'number' ? value.size_mb : null,
    created_at: typeof value.created_at === 'string' ? value.created_at : '',
    expires_at: typeof value.expires_at === 'string' ? value.expires_at : null,
    description: typeof value.description === 'string' ? value.description : '',
    ...(typeof value.created_at === 'string' ? {} : { [RAW_CREATED_AT]: value.created_at })
  }
}

/**
 * A description as the API may store it: trimmed (DRF trims text fields by default) and with
 * `\r\n` and `\r` made `\n` (as form handling and many databases do).
 */
export function storedForm(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim()
}

/** A stored description this short that is only a prefix of ours says too little to match on. */
const SHORTEST_MATCHING_PREFIX = 20

/**
 * Whether the API may have stored `sent` as `stored`: the same text in stored form, or a shortened
 * copy of it (a column limited to, say, 255 characters keeps only the start).
 */
export function mayBeStoredAs(sent: string, stored: string): boolean {
  const want = storedForm(sent)
  const have = storedForm(stored)
  if (have === want) return true
  return have.length >= SHORTEST_MATCHING_PREFIX && want.startsWith(have)
}
