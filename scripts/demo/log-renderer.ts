import { parseWorkflowCommand } from './workflow-commands.js'

export interface LogRendererOptions {
  /** Receives each rendered line (without newline). */
  write: (line: string) => void
  /** ANSI colours (only for a terminal). */
  color: boolean
  /** Show `::debug::` lines, as the runner does with RUNNER_DEBUG / step debug logging. */
  verbose: boolean
}

const ANSI = { bold: 1, dim: 2, red: 31, yellow: 33, cyan: 36 } as const
export type Style = keyof typeof ANSI

export function paint(color: boolean, style: Style, text: string): string {
  return color ? `\x1b[${ANSI[style]}m${text}\x1b[0m` : text
}

/**
 * Renders the action's stdout the way the runner's log viewer would: groups as headed,
 * indented blocks, annotations labelled, masked values replaced by ***, other commands hidden.
 */
export function createLogRenderer(options: LogRendererOptions): (line: string) => void {
  const { write, color, verbose } = options
  const secrets: string[] = []
  let indent = ''

  const mask = (text: string): string =>
    secrets.reduce((masked, secret) => masked.split(secret).join('***'), text)
  const emit = (text: string, style?: Style): void => {
    for (const line of mask(text).split('\n')) {
      write(indent + (style ? paint(color, style, line) : line))
    }
  }

  return line => {
    const command = parseWorkflowCommand(line)
    if (!command) return emit(line)
    switch (command.name) {
      case 'add-mask':
        if (command.message) secrets.push(command.message)
        return
      case 'group':
        indent = ''
        emit(`▸ ${command.message}`, 'bold')
        indent = '  '
        return
      case 'endgroup':
        indent = ''
        return
      case 'debug':
        if (verbose) emit(`debug: ${command.message}`, 'dim')
        return
      case 'notice':
        return emit(`notice: ${command.message}`, 'cyan')
      case 'warning':
        return emit(`warning: ${command.message}`, 'yellow')
      case 'error':
        return emit(`error: ${command.message}`, 'red')
      default:
        // set-output, save-state, echo and the like carry no log text.
        return
    }
  }
}
