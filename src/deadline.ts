import { formatDuration } from './duration.js'

/** The point in time by which the whole step must be done; every wait and retry checks it. */
export class Deadline {
  readonly startedAt: number
  readonly budgetMs: number

  constructor(budgetMs: number, now: number = Date.now()) {
    this.startedAt = now
    this.budgetMs = budgetMs
  }

  get at(): number {
    return this.startedAt + this.budgetMs
  }

  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.at - now)
  }

  elapsedMs(now: number = Date.now()): number {
    return now - this.startedAt
  }

  expired(now: number = Date.now()): boolean {
    return now >= this.at
  }

  /** `30m`, for messages that say which limit was hit. */
  describe(): string {
    return formatDuration(this.budgetMs)
  }
}

/** Resolves after `ms`; with a signal, rejects with its reason as soon as it is aborted, timer cleared. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const aborted = (): void => {
      clearTimeout(timer)
      reject(signal?.reason as Error)
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', aborted)
        resolve()
      },
      Math.max(0, ms)
    )
    signal?.addEventListener('abort', aborted, { once: true })
  })
}
