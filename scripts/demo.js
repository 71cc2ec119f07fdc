#!/usr/bin/env node
// `npm run demo`: the action end to end against the simulator, as a workflow would run it.
// Starts the VPS.org API simulator on loopback, runs dist/index.js as the runner does (create a
// pre-deploy backup and wait for it, then list the server's backups), and shows the log, the
// outputs and the job summary of each step.
import { startSimulator } from '../tools/simulator/index.js'
import { runAction } from '../tools/runner.js'

const TOKEN = 'demo-token'
const simulator = await startSimulator({ token: TOKEN, backupDurationMs: 4000 })
simulator.addBackup({
  serverId: 12345,
  backup_type: 'automatic',
  description: 'Automatic daily backup',
  created_at: '2026-11-27T03:00:00Z'
})

const common = { 'api-token': TOKEN, 'api-url': simulator.url, 'server-id': '12345' }
const steps = [
  { title: 'Create a pre-deploy backup of server 12345 and wait for it', inputs: { ...common, keep: '5' } },
  { title: "List server 12345's backups", inputs: { ...common, command: 'list' } }
]

let failed = false
try {
  for (const step of steps) {
    console.log(`\n=== ${step.title}\n--- log`)
    const run = await runAction(step.inputs, { echo: text => process.stdout.write(text) })
    console.log(`--- exit code ${run.exitCode}\n--- outputs`)
    for (const [name, value] of Object.entries(run.outputs)) {
      console.log(`${name} = ${value.length > 160 ? `${value.slice(0, 157)}...` : value}`)
    }
    console.log(`--- job summary\n${run.summary}`)
    failed ||= run.exitCode !== 0
  }
} finally {
  await simulator.close()
}
console.log(
  failed
    ? 'Demo FAILED'
    : `Demo done: the simulator saw ${simulator.requests.length} requests over ${simulator.connections} connections.`
)
process.exitCode = failed ? 1 : 0
