#!/usr/bin/env node
// Runs the VPS.org API simulator (tools/simulator/) until stopped, for local runs and the end-to-end
// workflow:
//   node scripts/simulator.js [--port 8080] [--backup-duration 5000] [--token test-token] ...
// It prints its URL on the first line of stdout. `--help` lists every option.
import { parseArgs } from 'node:util'
import { exampleServers, startSimulator } from '../tools/simulator/index.js'

const HELP = `Usage: node scripts/simulator.js [options]
  --port N                    port on 127.0.0.1 (default 0: a free port)
  --token T                   the bearer token the API accepts (default test-token)
  --servers N                 how many servers: 12345 and 23456, then 30003, 30004, ... (default 2)
  --page-size N               rows per page of the backup, snapshot and server lists (default 100)
  --backup-duration MS        until a backup created through POST is completed (default 5000)
  --snapshot-duration MS      until a snapshot created through POST is completed (default 5000)
  --snapshot-name-max-length N  snapshot names longer than N are refused with 400 (default: no bound)
  --restore-start-delay MS    a restored server shows its old status this long first (default 0)
  --restore-duration MS       then restoring this long (default 3000)
  --restore-outcome STATUS    then this status (default active)
  --restore-answer SHAPE      legacy (default), snapshot-like or empty
  --delete-status 204|202     what DELETE answers (default 204)
  --description-max-length N  descriptions are stored cut to N characters (default: kept whole)
  --normalise-line-endings    descriptions are stored with \\r\\n and \\r as \\n
  --clock-offset MS           the API's clock is MS ahead of the machine's (negative: behind); it dates
                              new backups and every answer's Date header (default 0)
  --no-date-header            answers carry no Date header`

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    token: { type: 'string', default: 'test-token' },
    servers: { type: 'string', default: '2' },
    'page-size': { type: 'string', default: '100' },
    'backup-duration': { type: 'string', default: '5000' },
    'snapshot-duration': { type: 'string', default: '5000' },
    'snapshot-name-max-length': { type: 'string' },
    'restore-start-delay': { type: 'string', default: '0' },
    'restore-duration': { type: 'string', default: '3000' },
    'restore-outcome': { type: 'string', default: 'active' },
    'restore-answer': { type: 'string', default: 'legacy' },
    'delete-status': { type: 'string', default: '204' },
    'description-max-length': { type: 'string' },
    'normalise-line-endings': { type: 'boolean', default: false },
    'clock-offset': { type: 'string', default: '0' },
    'no-date-header': { type: 'boolean', default: false }
  }
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}

/**
 * @param {keyof typeof values} name
 * @param {number} [min]
 */
function integer(name, min = 0) {
  const value = Number(values[name])
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be an integer of at least ${min}, not '${values[name]}'\n\n${HELP}`)
    process.exit(2)
  }
  return value
}

/** @type {Awaited<ReturnType<typeof startSimulator>>} */
let simulator
try {
  simulator = await startSimulator({
    port: integer('port'),
    token: values.token,
    servers: exampleServers(integer('servers')),
    pageSize: integer('page-size', 1),
    backupDurationMs: integer('backup-duration'),
    snapshotDurationMs: integer('snapshot-duration'),
    snapshotNameMaxLength:
      values['snapshot-name-max-length'] === undefined ? null : integer('snapshot-name-max-length', 1),
    restoreStartDelayMs: integer('restore-start-delay'),
    restoreDurationMs: integer('restore-duration'),
    restoreOutcome: values['restore-outcome'],
    restoreAnswer: values['restore-answer'],
    deleteStatus: integer('delete-status'),
    descriptionMaxLength: values['description-max-length'] === undefined ? null : integer('description-max-length'),
    normaliseLineEndings: values['normalise-line-endings'],
    clockOffsetMs: Number(values['clock-offset']),
    dateHeader: !values['no-date-header']
  })
} catch (error) {
  // A setting the simulator refuses, e.g. --restore-answer xml.
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`)
  process.exit(2)
}
console.log(simulator.url)
const ids = simulator.servers().map(server => server.id)
console.error(`VPS.org API simulator on ${simulator.url}; servers ${ids.join(', ')}; stop with Ctrl-C`)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => simulator.close().then(() => process.exit(0)))
}
