import js from '@eslint/js'
import importX, { createNodeResolver } from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

/**
 * The rooms of src/ and the rooms each may import: arrows point down only. What a room above
 * the engine needs from clari/ or retry/, the engine re-exports (src/engine/index.ts). base/
 * (clock, virtual clock, abortable waits and deadlines, error text) is what every room stands on.
 */
const ROOMS = {
  'index.ts': ['action'],
  action: ['settings', 'engine', 'base'],
  cli: ['settings', 'engine', 'base'],
  settings: ['engine', 'periods', 'base'],
  engine: ['clari', 'retry', 'base'],
  clari: ['retry', 'base'],
  retry: ['base'],
  periods: ['base'],
  base: []
}

/**
 * The rooms inside src/engine/ and the rooms each may import there: arrows point one way.
 * Besides these, every room may import the engine's root (src/engine/*.ts: the vocabulary the
 * rooms share, such as config, deps, events, errors, outcome and the manifest), which imports
 * none of them. history/ holds the durations learned from earlier runs (below run and job,
 * importing only the root).
 */
const ENGINE_ROOMS = {
  run: ['job', 'reruns', 'history'],
  reruns: ['checks'],
  job: ['tables', 'checks', 'history'],
  tables: ['checks'],
  checks: [],
  history: []
}

const SRC = `${import.meta.dirname}/src`
const SET_OUTPUT_MESSAGE =
  "Set outputs with setOutput from src/action/outputs.ts (its table is action.yml's)."

/**
 * One restricted zone per room of `dir`: every other room there it may not import from. `also`
 * names what every room of `dir` may import besides (for the message).
 */
function zonesOf(dir, rooms, table, also = []) {
  return Object.entries(rooms).map(([room, allowed]) => {
    const may = [...allowed.map(a => `${dir}/${a}`), ...also].join(', ') || 'nothing of ours'
    return {
      target: `${import.meta.dirname}/${dir}/${room}`,
      from: Object.keys(rooms)
        .filter(other => other !== room && !allowed.includes(other))
        .map(other => `${import.meta.dirname}/${dir}/${other}`),
      message: `${dir}/${room} may import only ${may} (${table} in eslint.config.js).`
    }
  })
}

const roomZones = [
  ...zonesOf('src', ROOMS, 'ROOMS'),
  ...zonesOf('src/engine', ENGINE_ROOMS, 'ENGINE_ROOMS', ["the engine's root"]),
  {
    target: `${SRC}/engine/*.ts`,
    from: Object.keys(ENGINE_ROOMS).map(room => `${SRC}/engine/${room}`),
    message:
      "src/engine/*.ts, the engine's root, may import no room inside the engine (ENGINE_ROOMS in eslint.config.js)."
  }
]

export default tseslint.config(
  {
    // test/lint/fixtures/ breaks the rules on purpose; test/lint/rooms.test.ts lints it.
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'reports/',
      '.stryker-tmp/',
      '**/*.d.ts',
      'test/lint/fixtures/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off'
    }
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // NodeNext specifiers name the emitted `.js`; the source is the `.ts` beside it.
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
      // Which files no-cycle follows (the default is `.js` only).
      'import-x/extensions': ['.ts', '.js']
    },
    rules: { 'import-x/no-cycle': 'error' }
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: roomZones }] }
  },
  {
    // The engine, the Clari client and the pure rooms must run outside GitHub Actions.
    files: ['src/**/*.ts'],
    ignores: ['src/action/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@actions/*'], message: 'Only src/action/ uses the toolkit.' }] }
      ]
    }
  },
  {
    // Outputs are set only through src/action/outputs.ts, whose table action.yml declares.
    files: ['src/action/**/*.ts'],
    ignores: ['src/action/outputs.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'core', property: 'setOutput', message: SET_OUTPUT_MESSAGE }
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='@actions/core'] > ImportSpecifier[imported.name='setOutput']",
          message: SET_OUTPUT_MESSAGE
        }
      ]
    }
  },
  {
    // The Clari client may use the toolkit's HTTP library (proxy-aware keep-alive agents), nothing else.
    files: ['src/clari/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*', '!@actions/http-client'],
              message: 'src/clari/ may use @actions/http-client only.'
            }
          ]
        }
      ]
    }
  }
)
