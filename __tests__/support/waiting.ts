/**
 * Waiting, in a test, for something the action or the simulator is about to do. The limits are far
 * beyond what the awaited thing takes: they only turn a test that went wrong into a failure naming
 * what never happened, instead of a hang until Jest's timeout.
 */

/** The limit of one wait. */
export const STEP_MS = 20_000

/** The promise's value, or a failure naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Until `check` holds (it reads the simulator's state, which changes as requests arrive), every 20 ms. */
export async function until(what: string, check: () => boolean, ms = STEP_MS): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
