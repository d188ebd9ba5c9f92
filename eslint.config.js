// `npm run lint`: typescript-eslint's recommended rules and the directions the layers may import in.
// Import cycles are madge's job (the lint script runs it too): eslint's cycle rule skips type-only imports.
import tseslint from 'typescript-eslint';

const climbing = { regex: '^\\.\\./', message: 'Import across folders through a #subpath (package.json "imports") instead of a ../ chain.' };
// Patterns are regexes: in eslint's gitignore-style `group` a leading # would make the pattern a comment.
const layer = (files, forbidden, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [climbing, { regex: `^(${forbidden.join('|')})`, message }] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'dist/', 'cdk.out/', '.data/', 'test-results/', '**/*.d.ts'] },
  tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-imports': ['error', { patterns: [climbing] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' }],
    },
  },
  layer(['functions/domain/**'],
    ['#app/', '#adapters/', '#providers/', '#handlers/', '#events/', '#http/', '#lib/', '#local/', '@aws-sdk/', '@aws-lambda-powertools/', '@middy/'],
    'The domain is pure: no I/O, no AWS, no provider. Put this in an adapter, a provider or a use case (functions/app).'),
  layer(['functions/handlers/**'], ['@aws-sdk/'],
    'A handler is a doorway: AWS calls belong in an adapter, reached through a use case (functions/app).'),
  layer(['functions/app/**'], ['#handlers/', '#events/', '#http/', '@aws-sdk/'],
    'A use case composes the domain and the adapters; the AWS SDK stays in the adapters, events in the handlers.'),
  layer(['functions/adapters/**', 'functions/providers/**'], ['#app/', '#handlers/', '#events/', '#http/'],
    'Adapters and providers do I/O for the use cases and know nothing of them.'),
  layer(['web/src/**'], ['#app/', '#adapters/', '#providers/', '#handlers/', '#events/', '#lib/', '#local/', '@aws-sdk/'],
    'The web app imports the domain\'s schemas and rules and the API client, never backend code.'),
  layer(['cli/**'], ['#app/', '#adapters/', '#providers/', '#handlers/', '#events/', '#lib/', '#local/', '#web/', '@aws-sdk/'],
    'The CLI talks to the API through the typed client (#http/api-client) and uses the domain\'s schemas and rules, never backend code.'),
);
