import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['src/core/local/wasm/**', 'dist/**', 'node_modules/**', '.cache/**', 'test-results/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.mocha } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // One clock (src/core/clock.ts): nothing else reads the wall clock, so CLAUDE_USAGE_NOW pins a whole run.
    files: ['**/*.ts'],
    ignores: ['src/core/clock.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read the time through a Clock (src/core/clock.ts); measure durations with performance.now().' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read the time through a Clock (src/core/clock.ts): new Date(clock.now()).' },
      ],
    },
  },
  {
    // The core runs under plain Node: it must never import vscode.
    files: ['src/core/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts', 'webview/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, the CLI, bench and webview must not import vscode.' }] }] },
  },
);
