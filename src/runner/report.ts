/**
 * What a person reads: tables in the log, and the job summary. Text from the API is untrusted
 * (`fromApi`): one safe line in the log, an inert code span in the summary. The summary is a plain
 * sink: what a step's summary says, with one server or several, is the presenters' (presenters/).
 */
import type { Backup } from '../api/backup.js'
import type { Logger } from './logger.js'
import type { RestorePoints } from '../api/kinds.js'
import type { Runner } from './port.js'
import { inertMarkdown, markdownCell, oneLine, safeText, truncate } from '../base/text.js'

/** A cell: our own words, or text that came from the API. */
export type Cell = string | { fromApi: string }

export function fromApi(text: string): Cell {
  return { fromApi: text }
}

/** One table, printed to the log as aligned text and to the job summary as Markdown. */
export interface Table {
  headers: string[]
  rows: Cell[][]
}

const plain = (cell: Cell): string => (typeof cell === 'string' ? cell : cell.fromApi)

export function textTable(table: Table): string {
  const cells = [table.headers, ...table.rows].map(row => row.map(cell => safeText(plain(cell), 80)))
  const widths = table.headers.map((_, column) => Math.max(...cells.map(row => row[column]?.length ?? 0)))
  return cells
    .map(row =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd()
    )
    .join('\n')
}

export function markdownTable(table: Table): string {
  const cell = (value: Cell): string => (typeof value === 'string' ? markdownCell(value) : inertMarkdown(value.fromApi))
  const line = (row: Cell[]): string => `| ${row.map(cell).join(' | ')} |`
  return [line(table.headers), `| ${table.headers.map(() => '---').join(' | ')} |`, ...table.rows.map(line)].join('\n')
}

/** Named values as a two-column table, for one backup's or one restore's summary. */
export function fieldTable(fields: Array<[string, Cell]>): Table {
  return { headers: ['Field', 'Value'], rows: fields.map(([name, value]) => [name, value]) }
}

export function formatSize(sizeMb: number | null): string {
  if (sizeMb === null) return '—'
  return sizeMb >= 1024 ? `${(sizeMb / 1024).toFixed(1)} GB` : `${sizeMb} MB`
}

/** `web-server-01 (12345)`, or the id alone when the API gave no name. Untrusted: from the API. */
export function serverLabel(backup: Backup): string {
  const name = oneLine(backup.server.name)
  return name ? `${truncate(name, 60)} (${backup.server.id})` : String(backup.server.id)
}

function backupTable(backups: readonly Backup[], { detail }: RestorePoints): Table {
  return {
    headers: ['ID', 'Server', detail.header, 'Status', 'Size', 'Created', 'Description'],
    rows: backups.map(b => [
      String(b.id),
      fromApi(serverLabel(b)),
      fromApi(detail.of(b)),
      fromApi(b.status),
      formatSize(b.size_mb),
      fromApi(b.created_at),
      fromApi(truncate(oneLine(b.description), 60))
    ])
  }
}

/** The job summary holds 1 MiB per step; the full list is in the log and the backups output. */
const SUMMARY_ROWS = 300

/** The log's tables and the job summary, on the runner port. */
export class Report {
  constructor(
    private readonly runner: Pick<Runner, 'appendSummary' | 'env'>,
    private readonly log: Logger
  ) {}

  /** Prints a table to the log, one line a row. */
  private logTable(table: Table): void {
    for (const line of textTable(table).split('\n')) this.log.info(line)
  }

  /**
   * Appends to the job summary. Outside a runner (a local run with no GITHUB_STEP_SUMMARY) there
   * is no summary to write, which is not an error.
   */
  async writeSummary(markdown: string): Promise<void> {
    if (!(await this.runner.appendSummary(markdown)))
      this.log.debug('GITHUB_STEP_SUMMARY is not set: no job summary written')
  }

  /** `org/vps-backup-action@v1` as this workflow refers to the action, for ready-to-paste steps. */
  actionReference(): string {
    const repository = this.runner.env('GITHUB_ACTION_REPOSITORY')
    const ref = this.runner.env('GITHUB_ACTION_REF')
    const reference = repository && ref ? `${repository}@${ref}` : 'org/vps-backup-action@v1'
    return /^[\w.-]+\/[\w./-]+@[\w./-]+$/.test(reference) ? reference : 'org/vps-backup-action@v1'
  }

  /** The list in the log, every row, and in the job summary, the first SUMMARY_ROWS. */
  async reportList(backups: readonly Backup[], filters: string, points: RestorePoints): Promise<void> {
    const { noun } = points
    this.log.info(`${backups.length} ${noun}${backups.length === 1 ? '' : 's'} (${filters}):`)
    const table = backupTable(backups, points)
    if (backups.length) this.logTable(table)
    const shown = { ...table, rows: table.rows.slice(0, SUMMARY_ROWS) }
    const more = backups.length - shown.rows.length
    await this.writeSummary(
      [
        `## VPS.org ${noun}s (${filters})`,
        '',
        backups.length ? markdownTable(shown) : `_No ${noun}s._`,
        more > 0 ? `\n…and ${more} older ${noun}s: see the log or the \`backups\` output.` : '',
        ''
      ].join('\n')
    )
  }
}
