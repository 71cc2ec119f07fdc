// @ts-check
/**
 * Waits that close() cuts short: a closed simulator must not keep timers, nor process requests
 * it no longer answers.
 */
export class Pauses {
  /** @type {Set<() => void>} */
  #cancels = new Set()
  #closed = false

  /**
   * @param {(settle: (value: boolean) => void) => () => void} start starts the wait, returns its cleanup
   * @returns {{ promise: Promise<boolean>, settle: (value: boolean) => void }}
   */
  #track(start) {
    /** @type {(value: boolean) => void} */
    let settle = () => {}
    /** @type {Promise<boolean>} */
    const promise = new Promise(resolve => {
      if (this.#closed) return resolve(false)
      let cleanup = () => {}
      const cancel = () => settle(false)
      settle = value => {
        cleanup()
        this.#cancels.delete(cancel)
        resolve(value)
      }
      this.#cancels.add(cancel)
      cleanup = start(settle)
    })
    return { promise, settle }
  }

  /**
   * True after `ms`, false when closed first.
   * @param {number} ms
   */
  sleep(ms) {
    return this.#track(settle => {
      const timer = setTimeout(() => settle(true), ms)
      return () => clearTimeout(timer)
    }).promise
  }

  /** A gate: `opened` is true once `open()` is called, false when closed first. */
  gate() {
    const { promise, settle } = this.#track(() => () => {})
    return { opened: promise, open: () => settle(true) }
  }

  close() {
    this.#closed = true
    for (const cancel of [...this.#cancels]) cancel()
  }
}
