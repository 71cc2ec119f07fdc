import * as core from '@actions/core'
import { context } from '@actions/github'
import { isSendableToken } from './api/token.js'
import { DEFAULT_KEEP_PREFIX, defaultDescription } from './description.js'
import { MAX_TIMER_MS, parseDuration } from './duration.js'
import { InputError } from './errors.js'

export const COMMANDS = ['create', 'wait', 'restore', 'delete', 'list'] as const
export type Command = (typeof COMMANDS)[number]

/** `backup-id: latest` for restore: the newest completed backup of server-id. */
export const LATEST = 'latest'

export const BACKUP_TYPES = ['manual', 'automatic'] as const
export type BackupType = (typeof BACKUP_TYPES)[number]

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

/** `keep`: which backups retention may delete, and how many of them it keeps. */
export interface RetentionSettings {
  keep: number
  keepPrefix: string
}

export interface CreateSettings extends CommonSettings {
  command: 'create'
  serverId: number
  description: string
  wait: boolean
  /** Absent when `keep` is not set: nothing is ever deleted. */
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

export interface RestoreSettings extends CommonSettings {
  command: 'restore'
  /** `latest`: the newest completed backup of serverId whose description starts with keepPrefix. */
  backupId: number | typeof LATEST
  /** When given, the backup must belong to this server. Required with `latest`. */
  serverId?: number
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
  serverId?: number
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
  'keep-prefix',
  'restore-on-failure'
] as const
export type CommandInput = (typeof COMMAND_INPUTS)[number]

/** Which of those each command uses. An input given to a command that does not use it is refused. */
export const INPUTS_USED: Record<Command, readonly CommandInput[]> = {
  create: ['server-id', 'description', 'wait', 'poll-interval', 'keep', 'keep-prefix', 'restore-on-failure'],
  wait: ['server-id', 'backup-id', 'poll-interval', 'keep', 'keep-prefix', 'restore-on-failure'],
  restore: ['server-id', 'backup-id', 'wait', 'poll-interval', 'keep-prefix'],
  delete: ['server-id', 'backup-id'],
  list: ['server-id', 'backup-type']
}

/**
 * Tuning inputs that a `with:` block shared by several steps may carry to any command; the others
 * change what a command does, and one given to a command that does not use it is a mistake (a
 * rollback step that forgot `command: restore` has a `backup-id` and no `command`).
 */
const TUNING_INPUTS: ReadonlySet<CommandInput> = new Set(['wait', 'poll-interval', 'keep-prefix'])

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
        serverId: optionalPositiveInteger('server-id')
      }
    case 'list':
      return {
        ...common,
        command,
        serverId: optionalPositiveInteger('server-id'),
        backupType: parseBackupType(core.getInput('backup-type'))
      }
  }
}

function createSettings(common: CommonSettings): CreateSettings {
  const settings: CreateSettings = {
    ...common,
    command: 'create',
    serverId: requiredPositiveInteger('server-id', 'create'),
    description: core.getInput('description', { trimWhitespace: false }) || runDescription(),
    wait: parseBoolean('wait', 'true'),
    restoreOnFailure: parseBoolean('restore-on-failure', 'false')
  }
  const retention = retentionSettings()
  if (retention === undefined) return settings
  if (!settings.description.startsWith(retention.keepPrefix)) {
    throw new InputError(
      `keep is set but description "${settings.description}" does not start with keep-prefix "${retention.keepPrefix}": ` +
        'the new backup would never count toward the backups kept'
    )
  }
  if (!settings.wait) {
    throw new InputError('keep needs wait: true: old backups are deleted only once the new one is completed')
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
    serverId: optionalPositiveInteger('server-id'),
    retention: retentionSettings(),
    restoreOnFailure: parseBoolean('restore-on-failure', 'false')
  }
}

function restoreSettings(common: CommonSettings): RestoreSettings {
  const raw = core.getInput('backup-id')
  const serverId = optionalPositiveInteger('server-id')
  const latest = raw.toLowerCase() === LATEST
  if (latest && serverId === undefined) {
    throw new InputError('backup-id latest needs server-id: the newest backup of which server?')
  }
  return {
    ...common,
    command: 'restore',
    backupId: latest ? LATEST : requiredPositiveInteger('backup-id', 'restore'),
    serverId,
    keepPrefix: keepPrefixInput(),
    wait: parseBoolean('wait', 'true')
  }
}

function keepPrefixInput(): string {
  return core.getInput('keep-prefix', { trimWhitespace: false }) || DEFAULT_KEEP_PREFIX
}

/** keep and keep-prefix, or undefined when keep is not set. */
function retentionSettings(): RetentionSettings | undefined {
  const keep = optionalPositiveInteger('keep')
  if (keep === undefined) return undefined
  const keepPrefix = keepPrefixInput()
  if (keepPrefix.trim() === '') {
    throw new InputError('keep-prefix must not be empty when keep is set: every manual backup would match it')
  }
  return { keep, keepPrefix }
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
