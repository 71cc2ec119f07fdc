import { actionsRunner } from './runner/actions-runner.js'
import { run } from './main.js'

/** How long the process may outlive the step's outcome before it is ended anyway. */
export const EXIT_GRACE_MS = 2000

/**
 * A last resort, not the fix: by the time run() is done, the step has ended every request and
 * connection it made (withApi), so Node.js exits by itself. Should anything out of the action's
 * reach still hold the process (a proxy's CONNECT, a DNS lookup, which nothing can cancel), the
 * step ends anyway with the outcome it already reported, rather than hold the job until its
 * timeout-minutes; the debug line names what held it. Unref'd, so it never delays an exit that
 * happens by itself.
 */
function exitSoonAfter(): void {
  setTimeout(() => {
    const held = process.getActiveResourcesInfo().join(', ')
    actionsRunner.debug(
      `Still held open ${EXIT_GRACE_MS} ms after the step ended (${held || 'nothing named'}); exiting`
    )
    process.exit()
  }, EXIT_GRACE_MS).unref()
}

// eslint-disable-next-line @typescript-eslint/no-floating-promises
run().finally(exitSoonAfter)
