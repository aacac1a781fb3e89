/** A `::name key=value,…::message` line, as @actions/core writes it to stdout for the runner. */
export interface WorkflowCommand {
  name: string
  properties: Record<string, string>
  message: string
}

const COMMAND_LINE = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/

/** Parses one stdout line; undefined when it is plain log text. */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = COMMAND_LINE.exec(line)
  if (!match) return undefined
  const [, name = '', rawProperties = '', data = ''] = match
  const properties: Record<string, string> = {}
  for (const pair of rawProperties.split(',')) {
    const at = pair.indexOf('=')
    if (at > 0) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1))
  }
  return { name, properties, message: unescapeData(data) }
}

/** Messages of every `::error::` command in a log, decoded (multi-line messages included). */
export function errorMessages(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map(parseWorkflowCommand)
    .filter(command => command?.name === 'error')
    .map(command => command!.message)
}

// @actions/core escapes %, CR and LF in messages, and also : and , in property values.
function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return unescapeData(text.replace(/%3A/g, ':').replace(/%2C/g, ','))
}
