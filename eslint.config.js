// Lint: the recommended TypeScript rules, the house rules from STYLE.md (no `export *`, `import type` for types,
// lines of at most 120 characters) and the layers of the tree (which folder may import which).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns that keep one layer from reaching into another. */
const forbid = (group, message) => ({ group, message });
const layers = [
  {
    files: ['connectors/**/*.ts'],
    patterns: [
      {
        regex: '(^|/)engine/(?!sdk/index\\.js$)',
        message: 'Connectors import only the connector SDK (engine/sdk/index.js).',
      },
    ],
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/cli/**'],
    patterns: [
      forbid(
        ['**/cli/*', '**/cli/**'],
        'Only the CLI composes the engine: nothing imports engine/cli (its wiring, commands or the demo).',
      ),
      forbid(
        ['**/connectors/*', '**/connectors/**'],
        'The engine gets its connectors injected (engine/cli/wiring.ts), never by import.',
      ),
    ],
  },
  {
    files: ['engine/execute/**/*.ts'],
    patterns: [
      forbid(['**/runtime/**', '**/plan/**', '**/gitops/**'], 'The executor sits below the runtime and the dry run.'),
    ],
  },
  {
    files: ['engine/compiler/**/*.ts', 'engine/transform/**/*.ts', 'engine/http/**/*.ts', 'engine/sdk/**/*.ts'],
    patterns: [
      forbid(
        ['**/runtime/**', '**/plan/**', '**/gitops/**', '**/execute/**'],
        'Lower stages never import the stages built on them.',
      ),
    ],
  },
  {
    files: ['test/**/*.ts'],
    patterns: [forbid(['**/cli/demo/**'], 'Tests run the demo as a command (`junction demo`), never import it.')],
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.junction/**', 'test/artifacts/**', 'engine/compiler/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'No `export *`: name what a module exports.' },
        {
          selector: 'ImportExpression[source.type!="Literal"]',
          message: 'import() takes a literal path, so the import graph and tsc see it.',
        },
      ],
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  ...layers.map(({ files, ignores, patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['engine/dashboard/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        fetch: 'readonly',
        Node: 'readonly',
        setInterval: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        location: 'readonly',
        confirm: 'readonly',
        alert: 'readonly',
        prompt: 'readonly',
      },
    },
  },
);
