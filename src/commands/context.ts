import type { VpsApi } from '../api/client.js'
import type { Deadline } from '../deadline.js'

/** What every command works with besides its settings: the API and the step's deadline. */
export interface CommandContext {
  api: VpsApi
  deadline: Deadline
}
