/**
 * What a person reads: tables in the log, and the job summary. Text from the API is untrusted
 * (`fromApi`): one safe line in the log, an inert code span in the summary.
 */
import type { Backup } from '../api/backup.js'
import { formatDuration } from '../base/duration.js'
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
function fieldTable(fields: Array<[string, Cell]>): Table {
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
  private async writeSummary(markdown: string): Promise<void> {
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

  /** A ready-to-paste step that restores from `backupId` (already quoted for YAML where needed). */
  private restoreStep(backupId: string, points: RestorePoints): string {
    return [
      '```yaml',
      `- uses: ${this.actionReference()}`,
      '  with:',
      '    api-token: ${{ secrets.VPS_API_TOKEN }}',
      '    command: restore',
      ...(points.kind === 'backup' ? [] : [`    kind: ${points.kind}`]),
      `    backup-id: ${backupId}`,
      '```'
    ].join('\n')
  }

  async summariseBackup(
    backup: Backup,
    waitedMs: number | undefined,
    deletedIds: number[],
    points: RestorePoints
  ): Promise<void> {
    const { noun, Noun } = points
    const table = fieldTable([
      [`${Noun} ID`, String(backup.id)],
      ['Server', fromApi(serverLabel(backup))],
      ['Status', fromApi(backup.status)],
      ['Size', formatSize(backup.size_mb)],
      ['Created', fromApi(backup.created_at)],
      ['Description', fromApi(backup.description)],
      ['Wait', waitedMs === undefined ? 'not waited for' : formatDuration(waitedMs)],
      ['Deleted by retention', deletedIds.length ? deletedIds.join(', ') : 'none']
    ])
    await this.writeSummary(
      [
        `## VPS.org ${noun} ${backup.id}`,
        '',
        markdownTable(table),
        '',
        `To restore the server from this ${noun}, add this step (to a rollback job, for instance):`,
        '',
        this.restoreStep(String(backup.id), points),
        ''
      ].join('\n')
    )
  }

  /**
   * As soon as the restore requests were answered, so a job killed while waiting still shows what
   * was started. One server: its fields; several: a row each.
   */
  async summariseRestoresStarted(
    sent: ReadonlyArray<{ backup: Backup; answer?: Record<string, unknown>; failed?: string }>,
    { Noun }: RestorePoints
  ): Promise<void> {
    const accepted = sent.filter(s => s.answer !== undefined)
    if (accepted.length === 0) return
    const statusOf = (s: (typeof sent)[number]): Cell =>
      s.answer === undefined
        ? `request failed: ${s.failed ?? ''}`
        : fromApi(typeof s.answer.status === 'string' ? s.answer.status : 'accepted')
    const [only] = sent
    if (sent.length === 1 && only !== undefined) {
      const { backup } = only
      const table = fieldTable([
        ['Server', fromApi(serverLabel(backup))],
        [`${Noun} ID`, String(backup.id)],
        [`${Noun} created`, fromApi(backup.created_at)],
        [`${Noun} description`, fromApi(backup.description)],
        ['Restore status', statusOf(only)]
      ])
      await this.writeSummary(
        [`## VPS.org restore of server ${backup.server.id}`, '', markdownTable(table), ''].join('\n')
      )
      return
    }
    const table: Table = {
      headers: ['Server', `${Noun} ID`, `${Noun} created`, `${Noun} description`, 'Restore status'],
      rows: sent.map(s => [
        fromApi(serverLabel(s.backup)),
        String(s.backup.id),
        fromApi(s.backup.created_at),
        fromApi(truncate(oneLine(s.backup.description), 60)),
        statusOf(s)
      ])
    }
    await this.writeSummary([`## VPS.org restore of ${sent.length} servers`, '', markdownTable(table), ''].join('\n'))
  }

  /**
   * When the wait for the servers ended: for each, how it ended and its final status; a server whose
   * restore request failed too, so the table names every server of the step.
   */
  async summariseRestoresEnded(
    ended: ReadonlyArray<{ label: string; outcome: { state: string; status: string }; text: string }>,
    waitedMs: number
  ): Promise<void> {
    const verdicts: Record<string, string> = {
      done: 'back',
      unconfirmed: 'not confirmed',
      unread: 'status unknown, may still be restoring',
      refused: 'not restored'
    }
    const verdict = (state: string): string => verdicts[state] ?? 'not back'
    const table: Table = {
      headers: ['Server', 'Result', 'Server status', 'Details'],
      rows: ended.map(e => [fromApi(e.label), verdict(e.outcome.state), fromApi(e.outcome.status), fromApi(e.text)])
    }
    await this.writeSummary(
      [`Waited ${formatDuration(waitedMs)} for the restore to finish:`, '', markdownTable(table), ''].join('\n')
    )
  }

  /** Several servers' backups of one create step: a row each. */
  async summariseBackups(
    rows: ReadonlyArray<{ serverId: number; backup?: Backup; result: string }>,
    waitedMs: number | undefined,
    deletedIds: readonly number[],
    points: RestorePoints
  ): Promise<void> {
    const { noun, Noun } = points
    const table: Table = {
      headers: ['Server', `${Noun} ID`, 'Status', 'Size', 'Created', 'Result'],
      rows: rows.map(({ serverId, backup, result }) => [
        backup ? fromApi(serverLabel(backup)) : String(serverId),
        backup ? String(backup.id) : '—',
        backup ? fromApi(backup.status) : '—',
        backup ? formatSize(backup.size_mb) : '—',
        backup ? fromApi(backup.created_at) : '—',
        fromApi(result)
      ])
    }
    // Only backups that are usable, or may be once started: never one that failed or timed out.
    const usable = rows.filter(r => r.result === 'completed' || r.result === 'started')
    const ids = Object.fromEntries(usable.flatMap(r => (r.backup ? [[String(r.serverId), r.backup.id]] : [])))
    await this.writeSummary(
      [
        `## VPS.org ${noun}s of ${rows.length} servers`,
        '',
        markdownTable(table),
        '',
        `Waited: ${waitedMs === undefined ? 'not waited for' : formatDuration(waitedMs)}. ` +
          `Deleted by retention: ${deletedIds.length ? deletedIds.join(', ') : 'none'}.`,
        '',
        ...(usable.length === 0
          ? []
          : [
              `To restore the servers from these ${noun}s, add this step (to a rollback job, for instance):`,
              '',
              this.restoreStep(`'${JSON.stringify(ids)}'`, points),
              ''
            ])
      ].join('\n')
    )
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
