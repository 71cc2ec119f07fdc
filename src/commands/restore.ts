import type { RestoreSettings } from '../input-helper.js'
import { restoreFromBackup } from '../restoring.js'
import type { CommandContext } from './context.js'

/** `command: restore`: the server from backup-id (or the latest backup), after checking the backup. */
export function restoreCommand(settings: RestoreSettings, { api, deadline }: CommandContext): Promise<void> {
  return restoreFromBackup(api, deadline, {
    ...settings,
    waitForBackup: settings.wait,
    waitForServer: settings.wait
  })
}
