import * as core from '@actions/core'
import { context } from '@actions/github'
import { isSendableToken } from './api/token.js'
import { DEFAULT_KEEP_PREFIX, defaultDescription } from './description.js'
import { MAX_TIMER_MS, parseDuration, parseKeepWithin } from './duration.js'
import { InputError } from './errors.js'
import { safeText } from './text.js'

export const COMMANDS = ['create', 'wait', 'restore', 'delete', 'list'] as const
export type Command = (typeof COMMANDS)[number]

export const BACKUP_TYPES = ['manual', 'automatic'] as const
export type BackupType = (typeof BACKUP_TYPES)[number]

/** `backup-id: latest` for restore: the newest completed backup of each server-id. */
export const LATEST = 'latest'

/** What every command needs: how to reach the API and how long it may take. */
export interface CommonSettings {
  apiToken: string
  /** Base URL without a trailing slash, e.g. `https://admin.vps.org`. */
  apiUrl: string
  timeoutMs: number
  pollIntervalMs: number
  requestTimeoutMs: number
  dryRun: boolean
}

/**
 * Which backups retention may delete (completed manual backups whose description starts with
 * keepPrefix) and which of them it keeps: the `keep` newest, those younger than `keepWithinMs`,
 * or, with both, those either rule keeps. At least one of the two is set.
 */
export interface RetentionSettings {
  keep?: number
  keepWithinMs?: number
  keepPrefix: string
}

export interface CreateSettings extends CommonSettings {
  command: 'create'
  /** One or more, in the order given. */
  serverIds: number[]
  description: string
  wait: boolean
  /** Absent when neither keep nor keep-within is set: nothing is ever deleted. */
  retention?: RetentionSettings
  restoreOnFailure: boolean
}

/** `command: wait`: a backup started earlier (create with wait: false), waited for as create would. */
export interface WaitSettings extends CommonSettings {
  command: 'wait'
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
  retention?: RetentionSettings
  restoreOnFailure: boolean
}

/** The backups a restore is asked for. */
export type BackupSelection =
  /** The newest completed backup of each server of server-id. */
  | { latest: true }
  /** These backups, each restored to its own server. */
  | { ids: number[] }
  /** A `backup-ids` output of a create step: server id → backup id. */
  | { byServer: Map<number, number> }

export interface RestoreSettings extends CommonSettings {
  command: 'restore'
  backups: BackupSelection
  /** When given, exactly the servers of the backups, one backup each. Required with `latest`. */
  serverIds: number[]
  keepPrefix: string
  /** Wait for a backup still in progress, and until the server is back. */
  wait: boolean
}

export interface DeleteSettings extends CommonSettings {
  command: 'delete'
  backupId: number
  /** When given, the backup must belong to this server. */
  serverId?: number
}

export interface ListSettings extends CommonSettings {
  command: 'list'
  /** None: every server. */
  serverIds: number[]
  backupType?: BackupType
}

/** Everything the action was asked to do, validated, for one command. No other module reads inputs. */
export type Settings = CreateSettings | WaitSettings | RestoreSettings | DeleteSettings | ListSettings

/** Inputs that concern one command or a few; the rest (api-token, api-url, timeouts, dry-run) concern all. */
export const COMMAND_INPUTS = [
  'server-id',
  'backup-id',
  'backup-type',
  'description',
  'wait',
  'poll-interval',
  'keep',
  'keep-within',
  'keep-prefix',
  'restore-on-failure'
] as const
export type CommandInput = (typeof COMMAND_INPUTS)[number]

/** Which of those each command uses. README's inputs table says the same (a test compares them). */
export const INPUTS_USED: Record<Command, readonly CommandInput[]> = {
  create: [
    'server-id',
    'description',
    'wait',
    'poll-interval',
    'keep',
    'keep-within',
    'keep-prefix',
    'restore-on-failure'
  ],
  wait: ['server-id', 'backup-id', 'poll-interval', 'keep', 'keep-within', 'keep-prefix', 'restore-on-failure'],
  restore: ['server-id', 'backup-id', 'wait', 'poll-interval', 'keep-prefix'],
  delete: ['server-id', 'backup-id'],
  list: ['server-id', 'backup-type']
}

/**
 * Tuning inputs that a `with:` block shared by several steps may carry to any command; the others
 * change what a command does, and one given to a command that does not use it is a mistake (a
 * rollback step that forgot `command: restore` has a `backup-id` and no `command`), refused.
 */
export const TUNING_INPUTS: ReadonlySet<CommandInput> = new Set(['wait', 'poll-interval', 'keep-prefix'])

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/**
 * Reads and validates every input before anything is sent. The token is registered as a secret
 * first, so nothing printed afterwards, by this action or the toolkit, can show it.
 */
export function getInputs(): Settings {
  const apiToken = core.getInput('api-token')
  if (apiToken) core.setSecret(apiToken)
  if (!apiToken) throw new InputError('api-token is required (store the VPS.org API token as a secret)')
  if (!isSendableToken(apiToken)) {
    throw new InputError(
      'api-token holds white space, a control character or a character outside ASCII, which an HTTP header cannot ' +
        'carry as the token; copy the token again'
    )
  }

  const command = parseCommand(core.getInput('command') || 'create')
  for (const name of COMMAND_INPUTS) {
    if (TUNING_INPUTS.has(name) || INPUTS_USED[command].includes(name)) continue
    // restore-on-failure has a default, which the runner always passes.
    const raw = core.getInput(name)
    if (raw !== '' && !(name === 'restore-on-failure' && raw.toLowerCase() === 'false')) {
      throw new InputError(`${name} is not used by command ${command}; remove it or set the right command`)
    }
  }

  const common: CommonSettings = {
    apiToken,
    apiUrl: parseApiUrl(core.getInput('api-url') || 'https://admin.vps.org'),
    timeoutMs: parseDuration('timeout', core.getInput('timeout') || '30m', MAX_TIMER_MS),
    pollIntervalMs: parseDuration('poll-interval', core.getInput('poll-interval') || '15s', MAX_TIMER_MS),
    requestTimeoutMs: parseDuration('request-timeout', core.getInput('request-timeout') || '30s', MAX_TIMER_MS),
    dryRun: parseBoolean('dry-run', 'false')
  }
  if (common.pollIntervalMs < 1000) throw new InputError('poll-interval must be at least 1s')
  if (common.requestTimeoutMs < 1000) throw new InputError('request-timeout must be at least 1s')

  switch (command) {
    case 'create':
      return createSettings(common)
    case 'wait':
      return waitSettings(common)
    case 'restore':
      return restoreSettings(common)
    case 'delete':
      return {
        ...common,
        command,
        backupId: requiredPositiveInteger('backup-id', command),
        serverId: oneServerId(command)
      }
    case 'list':
      return {
        ...common,
        command,
        serverIds: parseServerIds(),
        backupType: parseBackupType(core.getInput('backup-type'))
      }
  }
}

function createSettings(common: CommonSettings): CreateSettings {
  const serverIds = parseServerIds()
  if (serverIds.length === 0) throw new InputError('server-id is required for command create')
  const settings: CreateSettings = {
    ...common,
    command: 'create',
    serverIds,
    description: core.getInput('description', { trimWhitespace: false }) || runDescription(),
    wait: parseBoolean('wait', 'true'),
    restoreOnFailure: parseBoolean('restore-on-failure', 'false')
  }
  const retention = retentionSettings()
  if (retention === undefined) return settings
  const rule = retention.keep !== undefined ? 'keep' : 'keep-within'
  if (!settings.description.startsWith(retention.keepPrefix)) {
    throw new InputError(
      `${rule} is set but description "${settings.description}" does not start with keep-prefix "${retention.keepPrefix}": ` +
        'the new backup would never count toward the backups kept'
    )
  }
  if (!settings.wait) {
    throw new InputError(`${rule} needs wait: true: old backups are deleted only once the new one is completed`)
  }
  return { ...settings, retention }
}

function waitSettings(common: CommonSettings): WaitSettings {
  if (!parseBoolean('wait', 'true')) {
    throw new InputError('wait: false contradicts command wait, which waits for the backup: remove one of them')
  }
  return {
    ...common,
    command: 'wait',
    backupId: requiredPositiveInteger('backup-id', 'wait'),
    serverId: oneServerId('wait'),
    retention: retentionSettings(),
    restoreOnFailure: parseBoolean('restore-on-failure', 'false')
  }
}

function restoreSettings(common: CommonSettings): RestoreSettings {
  const serverIds = parseServerIds()
  const backups = parseBackupSelection(core.getInput('backup-id'))
  if ('latest' in backups && serverIds.length === 0) {
    throw new InputError('backup-id latest needs server-id: the newest backup of which server?')
  }
  if ('byServer' in backups && serverIds.length > 0) {
    const keys = [...backups.byServer.keys()]
    if (keys.length !== serverIds.length || keys.some(id => !serverIds.includes(id))) {
      throw new InputError(
        `server-id (${serverIds.join(', ')}) must name exactly the servers of backup-id (${keys.join(', ')})`
      )
    }
  }
  return {
    ...common,
    command: 'restore',
    backups,
    serverIds,
    keepPrefix: keepPrefixInput(),
    wait: parseBoolean('wait', 'true')
  }
}

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

/** Positive integers apart by commas, spaces or newlines; a duplicate is refused, naming it. */
export function parseIdList(name: string, raw: string): number[] {
  const ids: number[] = []
  for (const word of raw.split(/[\s,]+/).filter(Boolean)) {
    const id = parsePositiveInteger(name, word)
    if (ids.includes(id)) throw new InputError(`${name} lists ${id} twice`)
    ids.push(id)
  }
  return ids
}

function parseServerIds(): number[] {
  return parseIdList('server-id', core.getInput('server-id'))
}

function oneServerId(command: Command): number | undefined {
  const ids = parseServerIds()
  if (ids.length > 1) throw new InputError(`server-id takes one server for command ${command}, got ${ids.length}`)
  return ids[0]
}

function keepPrefixInput(): string {
  return core.getInput('keep-prefix', { trimWhitespace: false }) || DEFAULT_KEEP_PREFIX
}

/** keep, keep-within and keep-prefix, or undefined when neither keep nor keep-within is set. */
function retentionSettings(): RetentionSettings | undefined {
  const keep = optionalPositiveInteger('keep')
  const within = core.getInput('keep-within')
  const keepWithinMs = within === '' ? undefined : parseKeepWithin(within)
  if (keep === undefined && keepWithinMs === undefined) return undefined
  const keepPrefix = keepPrefixInput()
  if (keepPrefix.trim() === '') {
    throw new InputError(
      `keep-prefix must not be empty when ${keep !== undefined ? 'keep' : 'keep-within'} is set: every manual backup would match it`
    )
  }
  return { keep, keepWithinMs, keepPrefix }
}

function parseCommand(raw: string): Command {
  const command = raw.trim().toLowerCase()
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new InputError(`command must be one of ${COMMANDS.join(', ')}, got "${raw}"`)
  }
  return command as Command
}

function parseBackupType(raw: string): BackupType | undefined {
  if (raw === '') return undefined
  const type = raw.toLowerCase()
  if (!(BACKUP_TYPES as readonly string[]).includes(type)) {
    throw new InputError(`backup-type must be manual or automatic, got "${raw}"`)
  }
  return type as BackupType
}

export function parsePositiveInteger(name: string, raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InputError(`${name} must be a positive integer, got "${raw}"`)
  }
  return value
}

function optionalPositiveInteger(name: string): number | undefined {
  const raw = core.getInput(name)
  return raw === '' ? undefined : parsePositiveInteger(name, raw)
}

function requiredPositiveInteger(name: string, command: Command): number {
  const value = optionalPositiveInteger(name)
  if (value === undefined) throw new InputError(`${name} is required for command ${command}`)
  return value
}

function parseBoolean(name: string, fallback: string): boolean {
  const raw = core.getInput(name) || fallback
  const value = raw.toLowerCase()
  if (value !== 'true' && value !== 'false') {
    throw new InputError(`${name} must be true or false, got "${raw}"`)
  }
  return value === 'true'
}

/**
 * `https` only: the token travels in every request. Plain `http` is allowed for loopback hosts,
 * where the simulator and local runs live.
 */
export function parseApiUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError(`api-url must be an absolute https URL like https://admin.vps.org, got "${raw}"`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname))) {
    throw new InputError(
      `api-url must use https (plain http only for loopback hosts such as 127.0.0.1), got "${url.protocol}//${url.host}"`
    )
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(`api-url must be a base URL without credentials, query or fragment, got "${url.origin}…"`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function runDescription(): string {
  return defaultDescription({
    repository: process.env.GITHUB_REPOSITORY,
    sha: context.sha,
    runId: context.runId,
    runAttempt: Number(process.env.GITHUB_RUN_ATTEMPT) || undefined
  })
}
