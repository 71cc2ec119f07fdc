import * as core from '@actions/core'
import type { Backup } from './api-client.js'
import { markdownCell, oneLine, safeText, truncate } from './text.js'
import * as log from './logger.js'

/** One table, printed to the log as aligned text and to the job summary as Markdown. */
export interface Table {
  headers: string[]
  rows: string[][]
}

export function textTable(table: Table): string {
  const cells = [table.headers, ...table.rows].map(row => row.map(cell => safeText(cell, 80)))
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
  const line = (row: string[]): string => `| ${row.map(cell => markdownCell(cell)).join(' | ')} |`
  return [line(table.headers), `| ${table.headers.map(() => '---').join(' | ')} |`, ...table.rows.map(line)].join('\n')
}

/** A backup's fields as a two-column table, for one backup's summary. */
export function fieldTable(fields: Array<[string, string]>): Table {
  return { headers: ['Field', 'Value'], rows: fields.map(([name, value]) => [name, value]) }
}

export function formatSize(sizeMb: number | null): string {
  if (sizeMb === null) return '—'
  return sizeMb >= 1024 ? `${(sizeMb / 1024).toFixed(1)} GB` : `${sizeMb} MB`
}

export function serverLabel(backup: Backup): string {
  const name = oneLine(backup.server.name)
  return name ? `${truncate(name, 60)} (${backup.server.id})` : String(backup.server.id)
}

export function backupTable(backups: Backup[]): Table {
  return {
    headers: ['ID', 'Server', 'Type', 'Status', 'Size', 'Created', 'Description'],
    rows: backups.map(b => [
      String(b.id),
      serverLabel(b),
      b.backup_type,
      b.status,
      formatSize(b.size_mb),
      b.created_at,
      truncate(oneLine(b.description), 60)
    ])
  }
}

/** Prints a table to the log, one line a row. */
export function logTable(table: Table): void {
  for (const line of textTable(table).split('\n')) log.info(line)
}

/**
 * Appends to the job summary. Outside a runner (a local run with no GITHUB_STEP_SUMMARY) there
 * is no summary to write, which is not an error.
 */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    log.debug('GITHUB_STEP_SUMMARY is not set: no job summary written')
    return
  }
  await core.summary.addRaw(markdown, true).write()
}

/** `org/vps-backup-action@v1` as this workflow refers to the action, for ready-to-paste steps. */
export function actionReference(): string {
  const repository = process.env.GITHUB_ACTION_REPOSITORY
  const ref = process.env.GITHUB_ACTION_REF
  const reference = repository && ref ? `${repository}@${ref}` : 'org/vps-backup-action@v1'
  return /^[\w.-]+\/[\w./-]+@[\w./-]+$/.test(reference) ? reference : 'org/vps-backup-action@v1'
}
