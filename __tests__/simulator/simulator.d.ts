// Types of simulator.js, the loopback HTTP simulator of the VPS.org backups API
// (reference: /work/shared/vps-org-backups-api.md). Written by hand: keep in step with the JS.

export interface SimServer {
  id: number
  name: string
}

export interface SimBackup {
  id: number
  server: SimServer
  backup_type: 'manual' | 'automatic'
  status: string
  size_mb: number | null
  created_at: string
  expires_at: string | null
  description: string
}

export interface RecordedRequest {
  method: string
  /** Pathname only, without the query. */
  path: string
  /** Parsed query; a repeated parameter keeps its last value, as DRF's `query_params.get` does. */
  query: Record<string, string>
  headers: Record<string, string | string[] | undefined>
  /** Raw body, '' when there was none. */
  body: string
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown
  /** Date.now() when the request had been read completely. */
  at: number
}

export interface FaultSpec {
  /** Matches this method only (case-insensitive); default any. */
  method?: string
  /** Matches this pathname exactly (string) or by RegExp; default any. */
  path?: string | RegExp
  /** How many matching requests the fault applies to; default 1. */
  times?: number
  /**
   * - `status`: answer `status` (default 503) with `body` (a string is sent as is, as text/plain
   *   unless `headers` say otherwise; anything else as JSON; default `{"detail": "..."}`), without
   *   processing the request.
   * - `status-after`: process the request (state changes happen), then answer `status` (default
   *   504) with `body` (as for `status`; default an nginx error page) instead of the real answer,
   *   as a gateway that gave up waiting does.
   * - `reset-before`: reset the connection without processing the request.
   * - `reset-after`: process the request (state changes happen), then reset instead of answering.
   * - `hang`: never answer and do not process; the socket is released by close().
   * - `stall-body`: process, send status and headers with the real Content-Length and only the
   *   first half of the body, then stall until close().
   * - `html`: answer `status` (default 502) with an nginx error page (text/html), not processed.
   * - `truncated-json`: process, send only the first half of the body, with a Content-Length
   *   matching what is sent.
   * - `redirect`: answer `status` (default 302) with `Location: location`, not processed.
   * - `refuse`: stop accepting connections for `durationMs`, then listen again on the same port:
   *   connections in between get ECONNREFUSED and never become requests. Every open connection is
   *   destroyed, this request's too, unanswered and not processed; with `graceful`, the request is
   *   processed and answered normally with `Connection: close` first (a graceful restart).
   *
   * `headers` are added to every answer a fault sends.
   */
  kind:
    | 'status'
    | 'status-after'
    | 'reset-before'
    | 'reset-after'
    | 'hang'
    | 'stall-body'
    | 'html'
    | 'truncated-json'
    | 'redirect'
    | 'refuse'
  status?: number
  body?: unknown
  headers?: Record<string, string>
  /** Required by `redirect`. */
  location?: string
  /** `refuse`: how long nothing listens; default 1000. */
  durationMs?: number
  /** `refuse`: answer the matching request before refusing, instead of dropping it. */
  graceful?: boolean
}

export interface SimulatorOptions {
  /** Default 'test-token'. */
  token?: string
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 0 (random). */
  port?: number
  /** Default [{id: 12345, name: 'web-server-01'}, {id: 23456, name: 'db-server-01'}]. */
  servers?: SimServer[]
  /** Time from creation until a manual backup created through POST is finished; default 2000. */
  backupDurationMs?: number
  /** Results per page of the list endpoint; default 100. */
  pageSize?: number
  /** Default 75000 (nginx's default), so keep-alive connections survive long poll intervals. */
  keepAliveTimeoutMs?: number
}

export interface Simulator {
  /** e.g. 'http://127.0.0.1:41234', no trailing slash. */
  readonly url: string
  /** Every request received, in order, including the ones a fault handled. */
  readonly requests: RecordedRequest[]
  /** TCP connections accepted so far (since start or the last reset()). */
  readonly connections: number
  /** Restores the API accepted, in order. */
  readonly restores: Array<{ serverId: number; backupId: number; at: number }>
  /** Throws when a server with that id exists already. */
  addServer(server: SimServer): void
  /**
   * Adds a backup directly (no lifecycle: its status stays as given). Defaults: next id, manual,
   * completed, size_mb 1000 when completed (else null), created_at now, expires_at null for manual
   * and created_at + 30 days for automatic, description ''. Throws for an unknown server.
   */
  addBackup(partial: Partial<Omit<SimBackup, 'server'>> & { serverId: number }): SimBackup
  /** Deep copies of the current backups in insertion order, statuses resolved as of now. */
  backups(): SimBackup[]
  /** Duration of backups created from now on. */
  setBackupDuration(ms: number): void
  /**
   * null (default): backups created via POST end 'completed'; a string such as 'failed' makes the
   * backups created from now on end with that status (size_mb stays null).
   */
  setCreateOutcome(status: string | null): void
  /** Queues a fault; each request takes the first queued fault that matches and has uses left. */
  fault(spec: FaultSpec): void
  clearFaults(): void
  /**
   * Refuses connections from now for `ms` (extending a refusal in progress), as the `refuse` fault
   * does: open connections are destroyed, then the simulator listens again on the same port.
   * Resolves once nothing listens any more.
   */
  refuseConnections(ms: number): Promise<void>
  /**
   * Clears backups (ids restart), requests, restores, faults and the connection count, and puts
   * the backup duration and create outcome back to their initial values; keeps servers and token.
   */
  reset(): void
  /** Closes the server and destroys every open socket, hung ones included. Idempotent. */
  close(): Promise<void>
}

export function startSimulator(options?: SimulatorOptions): Promise<Simulator>

/** A plain recording HTTP server, e.g. the target of a redirect on a second loopback host. */
export interface Recorder {
  readonly url: string
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

/**
 * Answers every request with `status` (default 200) and `body` (default {"count":0,"results":[]};
 * a string is sent as is, anything else as JSON). Listens on 127.0.0.2 unless `host` says otherwise.
 */
export function startRecorder(options?: {
  host?: string
  port?: number
  status?: number
  body?: unknown
}): Promise<Recorder>
