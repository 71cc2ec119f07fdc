/**
 * What the policy's unit tests share: one server's manual backups dated by day in January 2026, and
 * a now by the API's clock after all of them.
 */
import type { Backup } from '../../src/api/backup.js'
import type { ClockReading } from '../../src/api/http-date.js'

export const SERVER = 12345
export const DAY = 86_400_000
export const PREFIX = 'Pre-deploy backup'
/** The API's now in these tests: after every fixture's date. */
export const NOW = Date.parse('2026-02-01T00:00:00Z')
/** A now by the API's clock, as planRoom takes it. */
export const byApi = (at: number): ClockReading => ({ at, clock: "the API's" })

/** A completed manual backup of SERVER with keep-prefix, created at midnight on `day` of January 2026. */
export function backup(id: number, day: number, extra: Partial<Backup> = {}): Backup {
  return {
    id,
    server: { id: SERVER, name: 'web' },
    backup_type: 'manual',
    status: 'completed',
    size_mb: 1,
    created_at: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`,
    expires_at: null,
    description: `${PREFIX}: ${id}`,
    ...extra
  }
}
