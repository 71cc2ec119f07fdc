#!/usr/bin/env node
// Runs the VPS.org API simulator until stopped, for local runs and the end-to-end workflow:
//   node scripts/simulator.js [--port 8080] [--backup-duration 5000] [--token test-token]
// It prints its URL on the first line of stdout.
import { parseArgs } from 'node:util'
import { startSimulator } from '../tools/simulator/index.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'backup-duration': { type: 'string', default: '5000' },
    token: { type: 'string', default: 'test-token' }
  }
})

const simulator = await startSimulator({
  port: Number(values.port),
  backupDurationMs: Number(values['backup-duration']),
  token: values.token
})
console.log(simulator.url)
console.error(`VPS.org API simulator on ${simulator.url}; servers 12345 and 23456; stop with Ctrl-C`)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => simulator.close().then(() => process.exit(0)))
}
