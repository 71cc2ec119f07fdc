// An API that misbehaves where its documentation leaves room (GitHub issue 8), end to end, for what
// only the real process shows: a token that encoders change, echoed by the API in an encoded form,
// is in none of its stdout, GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY, with step debug on
// from the environment. Every form, and every other misbehaviour, runs in process, in
// api/misbehaving-api.test.ts.
import { describe, expect, it } from '@jest/globals'
import { expectOneLineError, expectTokenNowhere, runAction } from '../support/run-action.js'
import { LIST, useSimulator } from '../support/simulator-fixture.js'

/** A token that JSON and URL encoders change: `/`, `"`, `\` and `+`. */
const TOKEN = 'vps_7f/Qz"k\\9+x'

const { sim } = useSimulator({ token: TOKEN })

describe('the token is scrubbed on the real process', () => {
  // Masking is what the runner reads from the process: its stdout and files.
  it('echoed JSON-escaped in a 401 detail: the error line shows *** instead', async () => {
    sim.fault({ method: 'GET', path: LIST, kind: 'status', status: 401, body: { detail: `Invalid token "${TOKEN}".` } })

    const result = await runAction(
      { command: 'list', 'api-token': TOKEN, 'api-url': sim.url, 'request-timeout': '5s', timeout: '30s' },
      { killAfterMs: 40_000, env: { ACTIONS_STEP_DEBUG: 'true' } }
    )

    const error = expectOneLineError(result, '401', `GET ${LIST}`)
    expect(error).toContain('***')
    expectTokenNowhere(result, TOKEN)
    expect(sim.requests.map(r => `${r.method} ${r.path}`)).toEqual([`GET ${LIST}`])
  })
})
