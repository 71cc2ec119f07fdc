/**
 * The API token must never reach a log line, an error, an output or the job summary. The runner
 * masks the literal token, but an API or proxy that echoes it may do so encoded: inside JSON
 * (`\"`, `\/`, `\u0061`) or a URL (`%2F`, `%2f`). The scrubber matches the token with each of its
 * characters in any of those forms.
 */

export const REDACTED = '***'

/**
 * Whether the token can travel in an `Authorization` header as it is: printable ASCII without
 * spaces. Anything else would be refused by Node.js, or sent as bytes the API never issued.
 */
export function isSendableToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

/** Every form an encoder gives `char`: itself, `\uXXXX`, `%XX`, and JSON's `\"`, `\\`, `\/`. */
function characterForms(char: string): string {
  const hex = char.charCodeAt(0).toString(16).padStart(4, '0')
  const forms = [escapeRegExp(char), `\\\\u${hex}`]
  if (hex.startsWith('00')) forms.push(`%${hex.slice(2)}`)
  if (char === '"' || char === '\\' || char === '/') forms.push(`\\\\${escapeRegExp(char)}`)
  return `(?:${forms.join('|')})`
}

/**
 * A function that replaces every encoded or plain occurrence of `token` in a text. Hex digits are
 * matched in either case; so, harmlessly, are the token's letters.
 */
export function tokenScrubber(token: string): (text: string) => string {
  if (token === '') return text => text
  const pattern = new RegExp([...token].map(characterForms).join(''), 'gi')
  return text => text.replace(pattern, REDACTED)
}
