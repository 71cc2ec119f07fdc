/**
 * The server endpoints: a server by its id (or from the documented list where that endpoint is
 * missing), several at the cost of the fewest requests, and the restore.
 */
import { ApiError, OutcomeUnknownError } from '../base/errors.js'
import { excerpt } from '../base/text.js'
import { apiMessage, failure, isRecord, parseJson, parseJsonOr } from './messages.js'
import { decodeServer, type Server } from './server.js'
import type { ApiSession } from './session.js'
import type { RestorePoints } from './kinds.js'

/** One server's read: the server (undefined when the API does not list it), or why it failed. */
export type ServerLookup = { server: Server | undefined } | { error: ApiError }

const SERVERS_PATH = '/api/v1/servers/'
const SERVERS = { item: 'server', list: 'server list' }

export class ServerEndpoints {
  /** Set once GET /api/v1/servers/{id}/ answered 404 or 405: it is not documented, the list is. */
  private serversOnlyByList = false
  /** Pages the server list took when last read. */
  private serverListPages: number | undefined

  constructor(private readonly session: ApiSession) {}

  /**
   * Asks the API to overwrite the server's disk with the backup (or snapshot, by `points`: the
   * request is the kind's). Never repeated when its outcome is unknown: the caller is told what to
   * check instead.
   */
  async restoreServer(serverId: number, backupId: number, points: RestorePoints): Promise<Record<string, unknown>> {
    const { session } = this
    const { noun } = points
    const { body, ...request } = points.restore(serverId, backupId)
    const { path } = request
    let answer
    try {
      answer = await session.send('POST', session.url(path), body, 'once')
    } catch (error) {
      if (error instanceof OutcomeUnknownError) {
        throw new OutcomeUnknownError(
          `the restore of server ${serverId} from ${noun} ${backupId} may or may not have started (${error.message}); ` +
            'check the server in the VPS.org panel before restoring again',
          request,
          error.status
        )
      }
      throw error
    }
    if (answer.status === 400) {
      throw new ApiError(
        `the VPS.org API refused to restore server ${serverId} from ${noun} ${backupId} (400 on POST ${path}): ` +
          `${apiMessage(answer.body)}; the server may not be in a state that allows a restore ` +
          '(another operation running?): check it in the VPS.org panel',
        request,
        400
      )
    }
    if (answer.status < 200 || answer.status >= 300) throw failure(answer, request)
    // The restore answer is not documented: any 2xx means accepted; read what is there.
    const parsed = parseJsonOr(answer.body)
    return isRecord(parsed) ? parsed : {}
  }

  /**
   * The server, by `GET /api/v1/servers/{id}/`; where that endpoint answers 404 or 405 (VPS.org
   * documents only the list), from the documented list, every page, by the server's own id.
   */
  private async getServer(serverId: number): Promise<Server | undefined> {
    const { session } = this
    if (!this.serversOnlyByList) {
      const path = `${SERVERS_PATH}${serverId}/`
      const request = { method: 'GET', path, notFound: `server ${serverId}` }
      const answer = await session.send('GET', session.url(path), undefined, 'idempotent')
      if (answer.status === 200) {
        const server = decodeServer(parseJson(answer, request))
        if (server?.id === serverId) return server
        throw new ApiError(`GET ${path} answered 200 without server ${serverId}: ${excerpt(answer.body)}`, request, 200)
      }
      if (answer.status !== 404 && answer.status !== 405) throw failure(answer, request)
      session.log.debug(`GET ${path} answered ${answer.status}: reading servers from ${SERVERS_PATH} instead`)
      this.serversOnlyByList = true
    }
    return (await this.listServers()).get(serverId)
  }

  async getServers(serverIds: readonly number[]): Promise<Map<number, ServerLookup>> {
    const oneByOne =
      !this.serversOnlyByList && (serverIds.length === 1 || serverIds.length < (this.serverListPages ?? 1))
    if (oneByOne) {
      return new Map(
        await Promise.all(serverIds.map(async id => [id, await lookup(() => this.getServer(id))] as const))
      )
    }
    const listed = await lookup(() => this.listServers())
    return new Map(
      serverIds.map((id): [number, ServerLookup] => [
        id,
        'error' in listed ? listed : { server: listed.server.get(id) }
      ])
    )
  }

  /** Every server, from the documented list, by its own id. */
  private async listServers(): Promise<Map<number, Server>> {
    const listing = await this.session.listAll(SERVERS_PATH, decodeServer, SERVERS)
    this.serverListPages = listing.pages
    return new Map(listing.items.map(server => [server.id, server]))
  }
}

/** A read's result, or the API's error; anything else (a bug) is thrown on. */
async function lookup<T>(read: () => Promise<T>): Promise<{ server: T } | { error: ApiError }> {
  try {
    return { server: await read() }
  } catch (error) {
    if (error instanceof ApiError) return { error }
    throw error
  }
}
