import { RestoreError } from '../base/errors.js'
import type { Logger } from '../runner/logger.js'
import type { RestoresOutcome } from './outcomes.js'
import type { Outputs } from '../runner/outputs.js'
import type { Report } from '../runner/report.js'

/**
 * How the restores ended, once the wait for the servers is over: the server-status output, the
 * job summary's table, and the step's error line. What was started was rendered the moment the
 * API accepted it (restores/restoring.ts), so a job killed while waiting still shows it. One problem is
 * the step's error; several are error annotations, and the step's error counts them.
 */
export async function presentRestores(
  { servers, followed, problems }: RestoresOutcome,
  { log, outputs, report }: { log: Logger; outputs: Outputs; report: Report }
): Promise<void> {
  if (followed !== undefined) {
    outputs.setServerStatuses(followed.statuses, servers > 1)
    await report.summariseRestoresEnded(followed.ended, followed.waitedMs)
  }
  const notRestored = problems.map(p => ({ serverId: p.backup.server.id, backupId: p.backup.id }))
  const [only] = problems
  if (problems.length === 1 && only !== undefined) throw new RestoreError(only.text, notRestored)
  if (problems.length > 1) {
    for (const problem of problems) log.error(problem.text)
    throw new RestoreError(
      `${problems.length} of ${servers} servers were not restored as asked (each is named above)`,
      notRestored
    )
  }
}
