import { systemClock, type Clock } from './clock.js'
import { formatDuration } from './duration.js'

/** The point in time by which the whole step must be done; every wait and retry checks it. */
export class Deadline {
  readonly startedAt: number
  readonly budgetMs: number

  /** The clock the step's waits run on: the deadline is read on it, and every pause is taken on it. */
  constructor(
    budgetMs: number,
    readonly clock: Clock = systemClock
  ) {
    this.startedAt = clock.now()
    this.budgetMs = budgetMs
  }

  get at(): number {
    return this.startedAt + this.budgetMs
  }

  remainingMs(now: number = this.clock.now()): number {
    return Math.max(0, this.at - now)
  }

  elapsedMs(now: number = this.clock.now()): number {
    return now - this.startedAt
  }

  expired(now: number = this.clock.now()): boolean {
    return now >= this.at
  }

  /** `30m`, for messages that say which limit was hit. */
  describe(): string {
    return formatDuration(this.budgetMs)
  }
}
