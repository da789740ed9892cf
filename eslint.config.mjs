import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.council/', 'scratch/', 'coverage/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Without these import-x neither maps './x' to x.ts nor parses .ts files it follows (its defaults
    // are .js only), so no-cycle never sees an edge and cannot fail. test/lint/noCycle.test.ts proves it can.
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@temporalio/workflow',
              importNames: ['patched'],
              message:
                'Import patched from workflows/shared/patches: a run on the patch baseline records no marker per patch.',
            },
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              message: 'Workflow code imports activities as types only (import type).',
              allowTypeImports: true,
            },
            {
              regex: '^(\\.\\./)+client(/|$)',
              message: 'Workflow code runs in the worker: it imports client/ as types only (import type).',
              allowTypeImports: true,
            },
            {
              group: [
                'node:*',
                'fs',
                'path',
                'crypto',
                'openai',
                '@anthropic-ai/sdk',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message:
                'Workflow code is sandboxed: no Node built-ins, SDK clients or non-workflow Temporal packages.',
            },
          ],
        },
      ],
    },
  },
  // The layers, bottom up: common/ (workflow-safe shapes), then workflows/, activities/ and storage/,
  // then workers/, then client/: simulation/, runtime/, api/, with the CLI and the web view on top. test/lint/layers.test.ts shows each rule fail.
  {
    files: ['workers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+client(/|$)',
              message:
                'A worker never depends on client/: it builds on the worker. Move what both need to workers/ or common/.',
            },
          ],
        },
      ],
    },
  },
  ...[
    [
      'client/simulation',
      '(runtime|api|cli|ui)',
      'client/simulation/ (the simulated providers) sits below the rest of client/',
    ],
    [
      'client/runtime',
      '(api|cli|ui)',
      'client/runtime/ (local server, worker, connections) sits below the library API',
    ],
    ['client/api', '(cli|ui)', 'client/api/ (the library) never depends on the CLI or the web view'],
  ].map(([folder, above, why]) => ({
    files: [`${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: `^\\.\\./${above}(/|$)`, message: `${why}: move what both need down.` }] },
      ],
    },
  })),
  {
    files: ['storage/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(workflows|activities|workers|client)(/|$)',
              message:
                "storage/ sits below the worker and the client: of council's folders it imports common/ only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(workflows|activities|workers|client|storage)(/|$)',
              message: 'common/ is the bottom layer: it imports nothing from the folders that build on it.',
            },
          ],
        },
      ],
    },
  },
);
