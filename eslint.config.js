import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.d.ts'] },
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
    // The engine, the Clari client and the pure rooms must run outside GitHub Actions.
    files: ['src/engine/**', 'src/retry/**', 'src/periods/**', 'src/settings/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@actions/*', '**/action/*'] }] }]
    }
  },
  {
    // The Clari client may use the toolkit's HTTP library (proxy-aware keep-alive agents), nothing else.
    files: ['src/clari/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@actions/*', '!@actions/http-client', '**/action/*'] }] }
      ]
    }
  }
)
