import type { ExportConfig } from '../../src/engine/config.js'
import type { SettingName } from '../../src/settings/definitions.js'
import { parseSettings } from '../../src/settings/parse-settings.js'

/**
 * The run users get from these inputs, every other one at its default from the inputs table:
 * tests and the bench start from the configuration that ships, not from a copy of it.
 */
export function shippedConfig(inputs: Partial<Record<SettingName, string>>): ExportConfig {
  return parseSettings(name => inputs[name] ?? '', {
    workspace: process.cwd(),
    now: new Date(Date.UTC(2026, 10, 28)),
    runAttempt: 1
  }).config
}
