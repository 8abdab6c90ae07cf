import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Import boundaries of the house style: web → sdk → (types of) api; server → api → db;
// api → council. The web app and the SDK never reach the database or the server.
const serverSidePackages = [
  '@llm-council/db',
  '@llm-council/db/*',
  '@llm-council/council',
  'express',
  'pg',
  'kysely',
  'argon2',
  '@electric-sql/pglite',
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'packages/sdk/build/**',
      '**/node_modules/**',
      'data/**',
      '**/*.data.ts',
      'coverage/**',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/only-throw-error': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      // Vitest reads a fixture's dependencies from its first parameter, which must be a pattern: `({}, use)`.
      'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Configuration has one door: apps/server/src/config.ts parses the environment it is handed.
    files: ['**/*.{ts,tsx}'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through loadConfig (apps/server/src/config.ts) and pass it in.',
        },
      ],
    },
  },
  {
    // The named exceptions: entry points that hand the environment to loadConfig (or read their own
    // CLI switches), and test set-up that picks the database or passes PATH on to a child process.
    files: [
      'apps/server/src/main.ts',
      'apps/server/src/migrate-cli.ts',
      'apps/server/src/rotate-keys-cli.ts',
      'apps/server/src/users-cli.ts',
      'apps/server/scripts/dev-offline.ts',
      'apps/server/bench/council.bench.ts',
      'apps/server/bench/hosts.bench.ts',
      'apps/server/bench/bench-server.ts',
      'apps/server/bench/bench-process.ts',
      'apps/server/bench/soak.bench.ts',
      'apps/server/bench/requests.bench.ts',
      'apps/server/bench/search.bench.ts',
      'apps/server/bench/critical-path.bench.ts',
      'packages/council/src/fake-upstream/cli.ts',
      'packages/cli/src/main.ts',
      'db/src/test-env.ts',
      'apps/server/test/helpers/council-process.ts',
      'apps/server/test/multi-host.test.ts',
      'apps/server/test/users-cli.test.ts',
      'apps/server/test/helpers/run-cli.ts',
      'apps/server/test/helpers/build-cli.global-setup.ts',
      'apps/server/test/mcp-stdio.test.ts',
      'apps/web/e2e/harness/*.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Every zod schema of the API parses something from outside — a request, an imported file, a
    // stored JSON column — so it is found by what it is, not by its file name: a bare z.string()
    // (unbounded, NUL reaches PostgreSQL as a 500), z.unknown() or z.any() (unbounded nesting)
    // anywhere in the API must go through the bounded helpers of shared/text.ts and shared/bounded.ts.
    files: ['packages/api/src/**/*.ts'],
    ignores: ['packages/api/src/**/*.test.ts', 'packages/api/src/shared/text.ts', 'packages/api/src/shared/bounded.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.type='MemberExpression'][callee.object.name='z'][callee.property.name='string']",
          message: 'Use text({ max, … }) from packages/api/src/shared/text.ts: it bounds the string and refuses NUL.',
        },
        {
          selector:
            "CallExpression[callee.type='MemberExpression'][callee.object.name='z'][callee.property.name=/^(unknown|any)$/]",
          message:
            'Give the value a real shape, or bound it with jsonDocument({ maxDepth }) from packages/api/src/shared/bounded.ts.',
        },
      ],
    },
  },
  {
    // Migrations are frozen in time and typed Kysely<any> on purpose (Kysely's own advice).
    files: ['db/src/migrations/**/*.ts', 'db/src/migrator.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['packages/sdk/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@llm-council/api',
              message: 'The SDK may import only types from the API.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            { group: serverSidePackages, message: 'The SDK never imports server-side code.' },
            {
              group: ['@llm-council/api/*', '!@llm-council/api/error-codes', '!@llm-council/api/constants'],
              message: 'Only the dependency-free error codes and constants.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@llm-council/api',
              message: 'The web app talks to the server only through @llm-council/sdk.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: [...serverSidePackages, '@llm-council/server', '../../server/*', '@llm-council/api/*'],
              message: 'The web app talks to the server only through @llm-council/sdk.',
            },
          ],
        },
      ],
    },
  },
  {
    // The web tests' fake server answers maths.render with the server's own typesetter, so they
    // sanitise and show the very MathML the browser gets. Only this test helper may import it.
    files: ['apps/web/src/testing/maths-server.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...serverSidePackages,
                '@llm-council/server',
                '../../server/*',
                '@llm-council/api/*',
                '!@llm-council/api/maths',
              ],
              message: 'The web app talks to the server only through @llm-council/sdk.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/api/**/*.ts', 'packages/council/**/*.ts', 'db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['express', '@llm-council/server', '@llm-council/web', '@llm-council/sdk'],
              message: 'Libraries do not depend on hosts or clients.',
            },
          ],
        },
      ],
    },
  },
  {
    // Feature seams (packages/api/src/<feature>/): another feature is reached only through its
    // service or schemas module, never its router (no router calls a router; root.ts composes them)
    // or its repository (SQL stays behind the feature that owns the table). shared/ is for everyone.
    // feature-folders.test.ts proves the folders form no import cycle.
    files: ['packages/api/src/*/**/*.ts'],
    ignores: ['packages/api/src/**/*.test.ts', 'packages/api/src/testing/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!shared/)[a-z-]+/.*\\.(router|repository)(\\.js)?$',
              message: 'Reach another feature through its service or schemas module, not its router or repository.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/council/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@llm-council/db', '@llm-council/api', 'kysely'],
              message: 'The council engine has no database: it emits events.',
            },
          ],
        },
      ],
    },
  },
);
