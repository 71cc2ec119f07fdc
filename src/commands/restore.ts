import type { RestoreSettings } from '../input-helper.js'
import { restoreFromBackups } from '../restoring.js'
import type { CommandContext } from './context.js'

/** `command: restore`: servers from their backups (or their latest backups), after checking every backup. */
export function restoreCommand(settings: RestoreSettings, { api, deadline }: CommandContext): Promise<void> {
  return restoreFromBackups(api, deadline, {
    ...settings,
    waitForBackup: settings.wait,
    waitForServer: settings.wait
  })
}
