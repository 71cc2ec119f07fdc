/**
 * The errors this action fails with. Each carries a message that is printed as it is, on one
 * line, without a stack: the message names what it is about (the input, the backup, the server).
 */

/** An input is missing, malformed or contradicts another input. Raised before any request. */
export class InputError extends Error {
  override name = 'InputError'
}

export interface RequestDescription {
  method: string
  /** The path and query of the request, never the full URL (the origin is known). */
  path: string
  /**
   * What a 404 to this request says does not exist, as its API documents it: `snapshot 801`,
   * `server 12345 or backup 501` (the docs do not say which). Without it, a 404 names the path.
   */
  notFound?: string
}

/** The API answered with an error status, or with a body that cannot be used. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number | undefined
  readonly request: RequestDescription

  constructor(message: string, request: RequestDescription, status?: number) {
    super(message)
    this.request = request
    this.status = status
  }
}

/** The request did not get a complete answer: refused, reset, timed out, DNS or TLS failure. */
export class NetworkError extends ApiError {
  override name = 'NetworkError'
  /** True when the request surely never reached the API, so even a POST may be sent again. */
  readonly notSent: boolean
  /**
   * True when trying again cannot help (a TLS failure, an answer too large to be the API's): a
   * configuration problem, reported at once.
   */
  readonly final: boolean

  constructor(message: string, request: RequestDescription, how: { notSent: boolean; final?: boolean }) {
    super(message, request)
    this.notSent = how.notSent
    this.final = how.final ?? false
  }
}

/**
 * A request that changes something may or may not have taken effect (reset or timeout after it
 * was sent, a gateway error). Callers must find out before doing anything that repeats it.
 */
export class OutcomeUnknownError extends ApiError {
  override name = 'OutcomeUnknownError'
  /** The pause the answer's Retry-After asked for, if it had one. */
  readonly retryAfterMs: number | undefined

  constructor(message: string, request: RequestDescription, status?: number, retryAfterMs?: number) {
    super(message, request, status)
    this.retryAfterMs = retryAfterMs
  }
}

/** A backup ended badly, disappeared, or the wait for it ran out of time. */
export class BackupError extends Error {
  override name = 'BackupError'
}

/**
 * Restore requests were sent and some servers were not restored as asked (refused, not back, or
 * unknown at the timeout); the others were. `notRestored` names the former, so a message about
 * the whole restore does not blame a server that came back.
 */
export class RestoreError extends BackupError {
  override name = 'RestoreError'
  readonly notRestored: ReadonlyArray<{ serverId: number; backupId: number }>

  constructor(message: string, notRestored: ReadonlyArray<{ serverId: number; backupId: number }>) {
    super(message)
    this.notRestored = notRestored
  }
}

/** The error's message, or a plain rendering of a non-Error value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
