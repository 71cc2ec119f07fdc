import * as core from '@actions/core'
import { context } from '@actions/github'
import { DEFAULT_KEEP_PREFIX, defaultDescription } from './description.js'
import { parseDuration } from './duration.js'
import { InputError } from './errors.js'

export const COMMANDS = ['create', 'restore', 'delete', 'list'] as const
export type Command = (typeof COMMANDS)[number]

export const BACKUP_TYPES = ['manual', 'automatic'] as const
export type BackupType = (typeof BACKUP_TYPES)[number]

/** Everything the action was asked to do, validated. No other module reads inputs. */
export interface Settings {
  apiToken: string
  /** Base URL without a trailing slash, e.g. `https://admin.vps.org`. */
  apiUrl: string
  command: Command
  serverId?: number
  backupId?: number
  backupType?: BackupType
  description: string
  wait: boolean
  timeoutMs: number
  pollIntervalMs: number
  requestTimeoutMs: number
  keep?: number
  keepPrefix: string
  restoreOnFailure: boolean
  dryRun: boolean
}

/** Which optional inputs (those without a default in action.yml) each command uses. */
const OPTIONAL_INPUTS_USED: Record<Command, readonly string[]> = {
  create: ['server-id', 'description', 'keep'],
  restore: ['server-id', 'backup-id'],
  delete: ['backup-id'],
  list: ['server-id', 'backup-type']
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/**
 * Reads and validates every input before anything is sent. The token is registered as a secret
 * first, so nothing printed afterwards, by this action or the toolkit, can show it.
 */
export function getInputs(): Settings {
  const apiToken = core.getInput('api-token')
  if (apiToken) core.setSecret(apiToken)
  if (!apiToken) throw new InputError('api-token is required (store the VPS.org API token as a secret)')
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(apiToken)) {
    throw new InputError('api-token contains white space or control characters; copy the token again')
  }

  const command = parseCommand(core.getInput('command') || 'create')
  for (const name of ['server-id', 'backup-id', 'backup-type', 'description', 'keep']) {
    if (core.getInput(name) !== '' && !OPTIONAL_INPUTS_USED[command].includes(name)) {
      throw new InputError(`${name} is not used by command ${command}; remove it or set the right command`)
    }
  }

  const keepPrefix = core.getInput('keep-prefix', { trimWhitespace: false }) || DEFAULT_KEEP_PREFIX
  const settings: Settings = {
    apiToken,
    apiUrl: parseApiUrl(core.getInput('api-url') || 'https://admin.vps.org'),
    command,
    serverId: optionalPositiveInteger('server-id'),
    backupId: optionalPositiveInteger('backup-id'),
    backupType: parseBackupType(core.getInput('backup-type')),
    description: core.getInput('description', { trimWhitespace: false }) || runDescription(),
    wait: parseBoolean('wait', 'true'),
    timeoutMs: parseDuration('timeout', core.getInput('timeout') || '30m'),
    pollIntervalMs: parseDuration('poll-interval', core.getInput('poll-interval') || '15s'),
    requestTimeoutMs: parseDuration('request-timeout', core.getInput('request-timeout') || '30s'),
    keep: optionalPositiveInteger('keep'),
    keepPrefix,
    restoreOnFailure: parseBoolean('restore-on-failure', 'false'),
    dryRun: parseBoolean('dry-run', 'false')
  }
  checkCombinations(settings)
  return settings
}

function checkCombinations(settings: Settings): void {
  const { command } = settings
  if (settings.pollIntervalMs < 1000) {
    throw new InputError('poll-interval must be at least 1s')
  }
  if (settings.requestTimeoutMs < 1000) {
    throw new InputError('request-timeout must be at least 1s')
  }
  if (command === 'create' && settings.serverId === undefined) {
    throw new InputError('server-id is required for command create')
  }
  if ((command === 'restore' || command === 'delete') && settings.backupId === undefined) {
    throw new InputError(`backup-id is required for command ${command}`)
  }
  if (settings.restoreOnFailure && command !== 'create') {
    throw new InputError(
      `restore-on-failure works with command create only (it restores the backup that step created), not ${command}`
    )
  }
  if (settings.keep !== undefined) {
    if (settings.keepPrefix.trim() === '') {
      throw new InputError('keep-prefix must not be empty when keep is set: every manual backup would match it')
    }
    if (!settings.description.startsWith(settings.keepPrefix)) {
      throw new InputError(
        `keep is set but description "${settings.description}" does not start with keep-prefix "${settings.keepPrefix}": ` +
          'the new backup would never count toward the backups kept'
      )
    }
    if (!settings.wait) {
      throw new InputError('keep needs wait: true: old backups are deleted only once the new one is completed')
    }
  }
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
