/**
 * The import graph's rules (run by `npm test` through `npm run check`): layers point down, and the
 * domain folders never import each other sideways.
 *
 *   bin, demo, bench, scripts, test          (entry points, tools)
 *   cli  ->  api                             (adapters: HTTP and the command line)
 *   analytics  experiments  templates        (domains that read audiences and rules: never each other)
 *   sandbox                                  (analysts' SQL over per-workspace snapshots: needs no other domain)
 *   segmentation                             (rules, segments, audiences)
 *   ingest                                   (events and contacts in; the event shape)
 *   access  notify                           (who may do what; outbound delivery)
 *   warehouse                                (the one door to the database)
 *   common  config                           (plain helpers, settings)
 */
/** Each domain and the domains below it that it may use; peers never import each other. */
const DOMAINS = {
  ingest: [],
  segmentation: ['ingest'],
  analytics: ['ingest', 'segmentation'],
  experiments: ['ingest', 'segmentation'],
  templates: ['ingest', 'segmentation'],
  sandbox: [],
};
const FOLDERS = [
  'access',
  'analytics',
  'api',
  'bench',
  'bin',
  'cli',
  'common',
  'config',
  'demo',
  'experiments',
  'ingest',
  'notify',
  'sandbox',
  'scripts',
  'segmentation',
  'templates',
  'test',
  'warehouse',
];
const project = `^(${FOLDERS.join('|')})/`;
const below = {
  common: ['common'],
  config: ['config', 'common'],
  warehouse: ['warehouse', 'config', 'common'],
  access: ['access', 'warehouse', 'config', 'common'],
  notify: ['notify', 'warehouse', 'config', 'common'],
};
const domainMay = ['access', 'notify', 'warehouse', 'config', 'common'];

const layerRules = Object.entries(below).map(([layer, allowed]) => ({
  name: `${layer}-points-down`,
  comment: `${layer}/ may import only ${allowed.join(', ')}`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: project, pathNot: [`^(${allowed.join('|')})/`] },
}));

const domainRules = Object.entries(DOMAINS).map(([domain, lower]) => ({
  name: `${domain}-no-sideways`,
  comment: `${domain}/ may import ${[...lower, ...domainMay].join(', ')} and itself: no peer domain, nothing above, no adapter`,
  severity: 'error',
  from: { path: `^${domain}/` },
  to: { path: project, pathNot: [`^(${[domain, ...lower, ...domainMay].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    ...domainRules,
    {
      name: 'api-not-cli',
      comment: 'the HTTP adapter does not reach into the command line',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^(cli|bin|demo|bench|scripts|test)/' },
    },
    {
      name: 'no-test-code-in-product',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|data|scratch)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mjs', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
