import type * as Core from '@actions/core'
import { currentRun, type LogLine, type ToolkitRun } from './state.js'

/** The functions of `@actions/core` the action calls; using any other fails the test. */
export type CoreFake = Pick<
  typeof Core,
  | 'getInput'
  | 'setSecret'
  | 'setOutput'
  | 'setFailed'
  | 'debug'
  | 'info'
  | 'notice'
  | 'warning'
  | 'error'
  | 'startGroup'
  | 'endGroup'
  | 'summary'
>

type Summary = typeof Core.summary

/**
 * `@actions/core` as the runner would answer it, recorded per run instead of written to
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and stdout. Inputs follow the real `getInput` (trimmed,
 * empty when not passed); the job summary is built by the toolkit's own Summary class, so the
 * HTML is exactly what a runner would get.
 */
export function fakeCore(actual: typeof Core): CoreFake {
  const summaries = new WeakMap<ToolkitRun, Summary>()
  const SummaryClass = actual.summary.constructor as new () => Summary
  const summaryOf = (run: ToolkitRun): Summary => {
    let summary = summaries.get(run)
    if (!summary) {
      const created = new SummaryClass()
      created.write = async () => {
        run.summary += created.stringify()
        return created.emptyBuffer()
      }
      summaries.set(run, (summary = created))
    }
    return summary
  }
  const log =
    (kind: LogLine['kind']) =>
    (message: string | Error): void =>
      void currentRun().log.push({
        kind,
        text: message instanceof Error ? message.message : message
      })

  return {
    getInput(name, options) {
      const raw = currentRun().inputs[name] ?? ''
      const value = options?.trimWhitespace === false ? raw : raw.trim()
      if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`)
      return value
    },
    setSecret: log('add-mask'),
    setOutput(name, value: unknown) {
      // As the toolkit writes it: strings as they are, anything else as JSON.
      currentRun().outputs.set(name, typeof value === 'string' ? value : JSON.stringify(value))
    },
    setFailed: message =>
      void currentRun().failures.push(message instanceof Error ? message.message : message),
    debug: log('debug'),
    info: log('info'),
    notice: log('notice'),
    warning: log('warning'),
    error: log('error'),
    startGroup: log('group'),
    endGroup: () => void currentRun().log.push({ kind: 'endgroup', text: '' }),
    // Each run builds its own summary; calls are passed to the current run's.
    summary: new Proxy(actual.summary, {
      get(_target, property) {
        const summary = summaryOf(currentRun())
        const value: unknown = Reflect.get(summary, property, summary)
        return typeof value === 'function' ? value.bind(summary) : value
      }
    })
  }
}
