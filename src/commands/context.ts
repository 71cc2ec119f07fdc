import type { VpsApiClient } from '../api-client.js'
import type { Deadline } from '../deadline.js'
import type { Settings } from '../input-helper.js'

/** What every command works with: the validated inputs, the API and the step's deadline. */
export interface CommandContext {
  settings: Settings
  client: VpsApiClient
  deadline: Deadline
}
