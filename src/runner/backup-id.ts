/**
 * `backup-id` for restore: which backups are asked for, read from the input before any request.
 */
import { InputError } from '../base/errors.js'
import { parseIdList, parsePositiveInteger } from './inputs.js'
import { safeText } from '../base/text.js'

/** `backup-id: latest` for restore: the newest completed backup of each server-id. */
export const LATEST = 'latest'

/** The backups a restore is asked for. */
export type BackupSelection =
  /** The newest completed backup of each server of server-id. */
  | { latest: true }
  /** These backups, each restored to its own server. */
  | { ids: number[] }
  /** A `backup-ids` output of a create step: server id → backup id. */
  | { byServer: Map<number, number> }

/**
 * backup-id for restore: `latest`; one or several ids apart by commas, spaces or newlines; or the
 * `backup-ids` output of a create step, a JSON object from server id to backup id.
 */
export function parseBackupSelection(raw: string): BackupSelection {
  const text = raw.trim()
  if (text === '') throw new InputError('backup-id is required for command restore')
  if (text.toLowerCase() === LATEST) return { latest: true }
  if (!text.startsWith('{')) return { ids: parseIdList('backup-id', text) }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InputError(`backup-id looks like a JSON object but is not one: ${text.slice(0, 80)}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw new InputError('backup-id as JSON must be an object from server id to backup id, like {"101": 9001}')
  }
  const byServer = new Map<number, number>()
  const seen = new Set<number>()
  for (const [key, value] of Object.entries(parsed)) {
    const serverId = parsePositiveInteger('a server id in backup-id', key)
    if (typeof value !== 'number' && typeof value !== 'string') {
      throw new InputError(
        `backup-id as JSON must give each server one backup id, like {"${key}": 9001}; server ${serverId} has ` +
          `${safeText(JSON.stringify(value), 60)}`
      )
    }
    const backupId = parsePositiveInteger(`the backup id of server ${serverId} in backup-id`, String(value))
    if (seen.has(backupId)) throw new InputError(`backup-id names backup ${backupId} twice`)
    if (byServer.has(serverId)) throw new InputError(`backup-id names server ${serverId} twice; one backup per server`)
    seen.add(backupId)
    byServer.set(serverId, backupId)
  }
  const repeated = repeatedKey(text)
  if (repeated !== undefined) {
    throw new InputError(
      `backup-id names server ${safeText(repeated, 20)} twice (a repeated key, of which JSON keeps only the last); one backup per server`
    )
  }
  return { byServer }
}

/**
 * The first key a JSON object's text repeats, if any: JSON.parse keeps the last silently. Every
 * string token is read in order (so a quote inside a string cannot mislead it); those followed by
 * a colon are keys. Only called on text that parsed as a flat object of ids.
 */
function repeatedKey(json: string): string | undefined {
  const keys = new Set<string>()
  for (const match of json.matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?/g)) {
    if (match[1] === undefined) continue
    const key = JSON.parse(match[0].slice(0, match[0].lastIndexOf('"') + 1)) as string
    if (keys.has(key)) return key
    keys.add(key)
  }
  return undefined
}
