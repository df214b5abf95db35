/**
 * The architecture, as rules CI holds the code to (`npm run lint:deps`).
 *
 *   delivery  api/ (JSON), dashboard/ (pages, /ack), mail/inbound/ (replies), cli/ (over HTTP)
 *      │        http/ is their shared HTTP plumbing (problem+json, logs, limits, probes)
 *      ▼
 *   app/      use cases; one error type with a kind; the only door into Temporal (start, update)
 *      ▼
 *   workflows/  deterministic: workflow-safe imports only  ──►  activities/  thin adapters
 *                                                                  ▼
 *   db/ (read model, Prisma)   mail/ (compose, transport)   platform/ (settings, logs, signing, tracing)
 *      ▼
 *   domain/   pure rules and vocabulary; imports nothing of ours
 *
 *   main/     the composition root and the entry points: the only place that sees every layer
 *   dev/      local tooling (dev server, mail catcher, embedded database): the all-in-one start only
 *
 * Tests, benchmarks and scripts may reach anything.
 */
const tooling = '^(test|bench|scripts)/';
const delivery = '^(api|http|dashboard)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle means two modules are one concept, or a layer points the wrong way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds the rules everyone imports; it imports nothing of ours (libraries are fine).',
      from: { path: '^domain/' },
      to: { pathNot: ['^domain/', '^node_modules/'] },
    },
    {
      name: 'workflows-are-deterministic',
      severity: 'error',
      comment:
        'Workflow code runs in the deterministic sandbox: it imports the workflow SDK, its own modules and the pure task and listing vocabulary; activities only as types.',
      from: { path: '^workflows/' },
      to: {
        dependencyTypesNot: ['type-only'],
        pathNot: ['^workflows/', '^domain/(tasks|listings)\\.ts$', '^node_modules/@temporalio/(workflow|common)/'],
      },
    },
    {
      name: 'only-delivery-speaks-http',
      severity: 'error',
      comment: 'Status codes, requests and pages stay in the delivery layers; nothing beneath them imports them.',
      from: { pathNot: [delivery, '^main/', tooling] },
      to: { path: delivery },
    },
    {
      name: 'delivery-layers-stand-apart',
      severity: 'error',
      comment: 'The JSON API and the pages share http/ only; main/ puts them side by side.',
      from: { path: '^api/' },
      to: { path: '^dashboard/' },
    },
    {
      name: 'pages-do-not-use-the-json-api',
      severity: 'error',
      from: { path: '^dashboard/' },
      to: { path: '^api/' },
    },
    {
      name: 'http-plumbing-has-no-routes',
      severity: 'error',
      from: { path: '^http/' },
      to: { path: '^(api|dashboard)/' },
    },
    {
      name: 'use-cases-under-delivery',
      severity: 'error',
      comment: 'app/ is called by the delivery layers and the composition root, and calls down only.',
      from: { path: '^app/' },
      to: { path: '^(main|dev|cli)/' },
    },
    {
      name: 'adapters-call-no-use-case',
      severity: 'error',
      comment: 'Activities, the read model and platform services are called; they do not call use cases (ports are passed in).',
      from: { path: '^(activities|db|platform|mail/(?!inbound/))' },
      to: { path: '^(app|main|dev|cli)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'platform-is-infrastructure',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(app|activities|workflows|db|mail)/' },
    },
    {
      name: 'production-without-dev-tooling',
      severity: 'error',
      comment: 'The dev server, the mail catcher and the embedded database belong to the all-in-one start.',
      from: { pathNot: ['^dev/', '^main/all-in-one\\.ts$', tooling] },
      to: { path: '^dev/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'one-composition-root',
      severity: 'error',
      comment: 'Only entry points and tooling import main/.',
      from: { pathNot: ['^main/', tooling] },
      to: { path: '^main/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (entry points, tests and configuration aside).',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '(^|/)\\.[^/]+\\.(c|m)?js$', '^(main|scripts|bench|test)/', '^cli/bin\\.mjs$', '^[^/]+\\.ts$', '^prisma/generated/'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(prisma/generated|node_modules|data|\\.tools)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
