/**
 * The transport's connections to the API: at most MAX_CONNECTIONS requests are sent at once, and
 * the others wait here, first come first served, where their abort signal can end the wait (in
 * Node.js's agent nothing could cancel it).
 */

/** Requests sent at once to the API, so connections open, however many servers a step follows. */
export const MAX_CONNECTIONS = 2

export class ConnectionQueue {
  /** Requests sent and not yet done with, at most MAX_CONNECTIONS. */
  private sending = 0
  /** Requests waiting for one of the connections, first come first served. */
  private readonly waiting: Array<() => void> = []

  /** One of the MAX_CONNECTIONS, at once or when one is released; rejects when aborted first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (this.sending < MAX_CONNECTIONS) {
      this.sending++
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const granted = (): void => {
        signal.removeEventListener('abort', cancelled)
        resolve()
      }
      const cancelled = (): void => {
        this.waiting.splice(this.waiting.indexOf(granted), 1)
        reject(signal.reason as Error)
      }
      this.waiting.push(granted)
      signal.addEventListener('abort', cancelled, { once: true })
    })
  }

  /** Hands the connection to the first request waiting, if any. */
  release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.sending--
  }
}
