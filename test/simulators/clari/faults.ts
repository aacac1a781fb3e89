import { mulberry32 } from './prng.js'
import type { Endpoint, Fault, FaultRule } from './types.js'

export interface FaultTarget {
  endpoint?: Endpoint
  period?: string
}

// Faults that only make sense on some endpoints never match (nor count) elsewhere.
const ONLY_ON: Partial<Record<Fault['kind'], Endpoint[]>> = {
  'status-value': ['status'],
  'redirect-other-origin': ['status', 'results', 'limits', 'list']
}

interface RuleState {
  rule: FaultRule
  seen: number
  applied: number
}

/**
 * Picks the fault (if any) for each request; the first rule that fires wins. The rules, `skip`
 * and `times` in particular, are documented on `FaultRule` (types.ts).
 */
export class FaultBook {
  private readonly rules: RuleState[] = []
  private readonly random: () => number

  constructor(rules: FaultRule[], seed: number) {
    this.random = mulberry32(seed)
    for (const rule of rules) this.add(rule)
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule, seen: 0, applied: 0 })
  }

  pick(target: FaultTarget): Fault | undefined {
    for (const state of this.rules) {
      if (!matches(state.rule, target)) continue
      const { skip = 0, times = Infinity, rate } = state.rule
      if (state.seen++ < skip || state.applied >= times) continue
      if (rate !== undefined && this.random() >= rate) continue
      state.applied++
      return state.rule.fault
    }
    return undefined
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  const endpoints = rule.endpoint === undefined ? undefined : [rule.endpoint].flat()
  const only = ONLY_ON[rule.fault.kind]
  if (endpoints && (!target.endpoint || !endpoints.includes(target.endpoint))) return false
  if (only && (!target.endpoint || !only.includes(target.endpoint))) return false
  return rule.period === undefined || rule.period === target.period
}
