#!/usr/bin/env node
// `npm run demo`: the action end to end against the simulator, as a workflow would run it.
// Starts the VPS.org API simulator on loopback, runs dist/index.js as the runner does (create a
// pre-deploy backup and wait for it, then list the server's backups; the same with `kind: snapshot`,
// where `keep` deletes the oldest of the earlier pre-deploy snapshots), and shows the log, the
// outputs and the job summary of each step. Durations are short so the whole demo takes seconds.
import { startSimulator } from '../tools/simulator/index.js'
import { runAction } from '../tools/runner.js'

const TOKEN = 'demo-token'
const simulator = await startSimulator({ token: TOKEN, backupDurationMs: 2000, snapshotDurationMs: 2000 })
simulator.addBackup({
  serverId: 12345,
  backup_type: 'automatic',
  description: 'Automatic daily backup',
  created_at: '2026-11-27T03:00:00Z'
})
// Two snapshots of earlier deploys: with keep: 2, the new one and the newer of these stay.
for (const [run, day] of [
  [9876543001, '2026-11-20'],
  [9876543105, '2026-11-25']
]) {
  simulator.addSnapshot({
    serverId: 12345,
    name: `pre-deploy-shop-0a1b2c3-run${run}-1`,
    description: `Pre-deploy snapshot: acme/shop@0a1b2c3 (run ${run})`,
    created_at: `${day}T10:00:00Z`
  })
}

const common = { 'api-token': TOKEN, 'api-url': simulator.url, 'server-id': '12345' }
const steps = [
  { title: 'Create a pre-deploy backup of server 12345 and wait for it', inputs: { ...common, keep: '5' } },
  { title: "List server 12345's backups", inputs: { ...common, command: 'list' } },
  {
    title: 'Create a pre-deploy snapshot of server 12345 (kind: snapshot), wait for it, keep 2',
    inputs: { ...common, kind: 'snapshot', keep: '2' }
  },
  { title: "List server 12345's snapshots (kind: snapshot)", inputs: { ...common, command: 'list', kind: 'snapshot' } }
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
