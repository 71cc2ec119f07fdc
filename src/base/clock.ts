/**
 * Time, as the action sees it: every "now" and every pause in src/ goes through a Clock carried in
 * the command context (and the API session), so tests run waits, backoff, grace times and timeouts
 * on a virtual clock without sleeping. The HTTP transport's own time limits stay on real timers:
 * they bound real sockets.
 */
export interface Clock {
  /** Wall-clock time, epoch ms. */
  now(): number
  /** A clock that never jumps, for elapsed times (ms from an arbitrary origin). */
  monotonic(): number
  /** Resolves after `ms`; with a signal, rejects with its reason as soon as it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The machine's clocks and timers, read at each call (so Jest's fake timers still apply). */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep
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
