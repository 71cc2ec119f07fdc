/**
 * Text that comes from the API (descriptions, server names, error bodies) is untrusted: it may
 * hold newlines, control characters, HTML from a proxy, or lines that the runner would execute
 * as workflow commands (`::add-mask::…`, `::error::…`, `##[…]`). These helpers make it safe to
 * print on one line, in a table cell or in the job summary.
 */

// C0/C1 control characters and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g
const ZERO_WIDTH_SPACE = '\u200b'

/** One line, control characters and runs of white space folded to one space. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim()
}

/** Cuts to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/**
 * A short, single-line excerpt of a response body for an error message: HTML pages from proxies
 * are reduced to their text.
 */
export function excerpt(body: string, max = 120): string {
  let text = body
  if (/^\s*</.test(text)) {
    text = text
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
  }
  return neutraliseWorkflowCommands(truncate(oneLine(text), max))
}

/**
 * Makes sure no line of `text` is taken by the runner as a workflow command. The runner looks
 * for `::` at the start of a line (after leading white space) and for the legacy `##[` anywhere;
 * a zero-width space between the two characters keeps the text readable and inert.
 */
export function neutraliseWorkflowCommands(text: string): string {
  if (!text.includes('::') && !text.includes('##[')) return text
  return text
    .split('\n')
    .map(line => line.replace(/^(\s*):(?=:)/, `$1:${ZERO_WIDTH_SPACE}`).replace(/##\[/g, `#${ZERO_WIDTH_SPACE}#[`))
    .join('\n')
}

/**
 * Text that is already one clean line: words apart by one space or a colon (and a space), no
 * control characters, no `#`, no `::`. Most API text is like this, and a list of 10,000 backups
 * would otherwise pay four regular expressions a cell.
 */
const PLAIN =
  // eslint-disable-next-line no-control-regex
  /^[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029#:]*(?:(?:: ?| )[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029#:]+)*$/

/** Untrusted text made fit for one log line or message. */
export function safeText(text: string, max = 200): string {
  if (text.length <= max && PLAIN.test(text)) return text
  return neutraliseWorkflowCommands(truncate(oneLine(text), max))
}

/** Our own words as a Markdown table cell: one line, with pipes and HTML escaped. */
export function markdownCell(text: string): string {
  return oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|')
}

/**
 * Text from the API as inert Markdown: a code span, inside which nothing is a link, an image, an
 * autolink, emphasis or HTML. The fence is one backtick longer than any run of backticks in the
 * text; pipes are escaped, which GitHub's tables honour inside code spans too.
 */
export function inertMarkdown(text: string): string {
  const line = oneLine(text)
  if (line === '') return ''
  const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  // A span that starts or ends with a backtick needs a space inside its fence, which is not shown.
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${line.replace(/\|/g, '\\|')}${pad}${fence}`
}
