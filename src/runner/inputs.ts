import { isSendableToken } from '../api/token.js'
import {
  DEFAULT_KEEP_PREFIX,
  DEFAULT_SNAPSHOT_PREFIX,
  defaultDescription,
  type RunContext
} from '../policy/description.js'
import { MAX_TIMER_MS, parseDuration, parseKeepWithin } from '../base/duration.js'
import { InputError } from '../base/errors.js'
import { KINDS, type RestorePointKind } from '../api/kinds.js'
import type { Retention } from '../policy/retention.js'
import { checkSnapshotName, defaultSnapshotName } from '../policy/snapshot-name.js'
import type { RunIdentity, Runner } from './port.js'

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
  /** Which kind of restore point every request is about: backups (the default) or snapshots. */
  kind: RestorePointKind
}

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
  'restore-on-failure',
  'snapshot-name'
] as const
export type CommandInput = (typeof COMMAND_INPUTS)[number]

/**
 * Tuning inputs that a `with:` block shared by several steps may carry to any command; the others
 * change what a command does, and one given to a command that does not use it is a mistake (a
 * rollback step that forgot `command: restore` has a `backup-id` and no `command`), refused.
 */
export const TUNING_INPUTS: ReadonlySet<CommandInput> = new Set(['wait', 'poll-interval', 'keep-prefix'])

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/**
 * The inputs as a command reads them: `runner/inputs.ts` keeps the inputs every command shares and
 * the parsers, on the runner port. No other module reads inputs.
 */
export class InputReader {
  /** `identity`: the run's, for a command that names the run (CommandUnit.readsRun). */
  constructor(
    private readonly runner: Pick<Runner, 'getInput'>,
    private readonly identity?: RunIdentity
  ) {}

  /** The raw value ('' when not given); white space trimmed unless `trim` is false. */
  text(name: string, { trim = true }: { trim?: boolean } = {}): string {
    return this.runner.getInput(name, { trimWhitespace: trim })
  }

  boolean(name: string, fallback: string): boolean {
    const raw = this.text(name) || fallback
    const value = raw.toLowerCase()
    if (value !== 'true' && value !== 'false') {
      throw new InputError(`${name} must be true or false, got "${raw}"`)
    }
    return value === 'true'
  }

  optionalPositiveInteger(name: string): number | undefined {
    const raw = this.text(name)
    return raw === '' ? undefined : parsePositiveInteger(name, raw)
  }

  requiredPositiveInteger(name: string, command: string): number {
    const value = this.optionalPositiveInteger(name)
    if (value === undefined) throw new InputError(`${name} is required for command ${command}`)
    return value
  }

  serverIds(): number[] {
    return parseIdList('server-id', this.text('server-id'))
  }

  oneServerId(command: string): number | undefined {
    const ids = this.serverIds()
    if (ids.length > 1) throw new InputError(`server-id takes one server for command ${command}, got ${ids.length}`)
    return ids[0]
  }

  /** `kind`: backup (when not given) or snapshot, anything else refused naming both. */
  kind(): RestorePointKind {
    const raw = this.text('kind')
    const kind = (raw || 'backup').toLowerCase()
    if (!(KINDS as readonly string[]).includes(kind))
      throw new InputError(`kind must be backup or snapshot, got "${raw}"`)
    return kind as RestorePointKind
  }

  /** The default follows the kind (action.yml gives none, so the code can tell it was not given). */
  keepPrefix(): string {
    const given = this.text('keep-prefix', { trim: false })
    return given || (this.kind() === 'snapshot' ? DEFAULT_SNAPSHOT_PREFIX : DEFAULT_KEEP_PREFIX)
  }

  /** `snapshot-name` as given (checked, never rewritten), or the default made from the run. */
  snapshotName(): string {
    const given = this.text('snapshot-name')
    return given === '' ? defaultSnapshotName(this.run()) : checkSnapshotName(given)
  }

  /** keep, keep-within and keep-prefix (policy/retention.ts), or undefined when neither keep nor keep-within is set. */
  retention(): Retention | undefined {
    const keep = this.optionalPositiveInteger('keep')
    const within = this.text('keep-within')
    const keepWithinMs = within === '' ? undefined : parseKeepWithin(within)
    if (keep === undefined && keepWithinMs === undefined) return undefined
    const keepPrefix = this.keepPrefix()
    if (keepPrefix.trim() === '') {
      throw new InputError(
        `keep-prefix must not be empty when ${keep !== undefined ? 'keep' : 'keep-within'} is set: every manual backup would match it`
      )
    }
    return { keep, keepWithinMs, keepPrefix }
  }

  /** The default description: names the kind, the repository, commit, run and attempt. */
  runDescription(): string {
    return defaultDescription(this.run(), this.kind() === 'snapshot' ? DEFAULT_SNAPSHOT_PREFIX : DEFAULT_KEEP_PREFIX)
  }

  private run(): RunContext {
    if (this.identity === undefined) throw new Error('the run was not read for this command: set its readsRun')
    return this.identity
  }
}

/**
 * The token, first: registered as a secret before anything else is read or printed, so nothing
 * printed afterwards, by this action or the toolkit, can show it.
 */
export function readToken(runner: Pick<Runner, 'getInput' | 'setSecret'>): string {
  const apiToken = runner.getInput('api-token')
  if (apiToken) runner.setSecret(apiToken)
  if (!apiToken) throw new InputError('api-token is required (store the VPS.org API token as a secret)')
  if (!isSendableToken(apiToken)) {
    throw new InputError(
      'api-token holds white space, a control character or a character outside ASCII, which an HTTP header cannot ' +
        'carry as the token; copy the token again'
    )
  }
  return apiToken
}

/** An input given to a command that does not use it is a mistake, refused (TUNING_INPUTS aside). */
export function refuseUnusedInputs(inputs: InputReader, command: string, used: readonly CommandInput[]): void {
  for (const name of COMMAND_INPUTS) {
    if (TUNING_INPUTS.has(name) || used.includes(name)) continue
    // restore-on-failure has a default, which the runner always passes.
    const raw = inputs.text(name)
    if (raw !== '' && !(name === 'restore-on-failure' && raw.toLowerCase() === 'false')) {
      throw new InputError(`${name} is not used by command ${command}; remove it or set the right command`)
    }
  }
}

/** The inputs every command reads. */
export function readCommon(inputs: InputReader, apiToken: string): CommonSettings {
  const common: CommonSettings = {
    apiToken,
    apiUrl: parseApiUrl(inputs.text('api-url') || 'https://admin.vps.org'),
    timeoutMs: parseDuration('timeout', inputs.text('timeout') || '30m', MAX_TIMER_MS),
    pollIntervalMs: parseDuration('poll-interval', inputs.text('poll-interval') || '15s', MAX_TIMER_MS),
    requestTimeoutMs: parseDuration('request-timeout', inputs.text('request-timeout') || '30s', MAX_TIMER_MS),
    dryRun: inputs.boolean('dry-run', 'false'),
    kind: inputs.kind()
  }
  if (common.pollIntervalMs < 1000) throw new InputError('poll-interval must be at least 1s')
  if (common.requestTimeoutMs < 1000) throw new InputError('request-timeout must be at least 1s')
  return common
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

export function parseBackupType(raw: string): BackupType | undefined {
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
