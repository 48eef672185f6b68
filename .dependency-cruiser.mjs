/**
 * Which way imports may flow (STYLE rule 17, docs/decisions/0019-layers.md):
 *
 *   db  ←  server (lib, schemas ← policy ← services, realtime, auth ← routes, app, deps)  ←  workers
 *   web →  server, types only
 *
 * and no cycles inside any of them. `npm run lint:deps` checks it; `npm test` runs it after the
 * linters. Type-only imports are part of the graph (`tsPreCompilationDeps`): a cycle held
 * together by `import type` still means two modules cannot be understood apart.
 */

/**
 * Roots: modules nothing imports (a rule below keeps it so). A process entry or a test wires
 * layers together, so it may import from any of them; the layers' own modules may not.
 * `server/src/main.ts` runs the worker inline (WORKER_MODE=inline); `workers/src/index.ts` is
 * the `worker` command.
 */
const ROOTS = ['[.]test[.]ts$', '^server/src/main[.]ts$', '^workers/src/index[.]ts$'];

/** The server's top: the HTTP and WebSocket edges and what builds them. */
const SERVER_TOP =
  '^server/src/(routes/|auth/middleware[.]ts$|realtime/(server|socket)[.]ts$|(app|deps|main|http-server|web)[.]ts$)';

/** A cycle within one of these folders is an error. */
const ACYCLIC = { server: '^server/', workers: '^workers/', db: '^db/', 'web-lib': '^web/src/lib/' };

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...Object.entries(ACYCLIC).map(([name, path]) => ({
      name: `no-circular-${name}`,
      comment:
        'A cycle, counting type-only imports: move what both sides need into the lower module. ' +
        '(A module importing itself, a recursive Svelte component, is not a cycle.)',
      severity: 'error',
      from: { path: `(${path}.+)` },
      to: { path, pathNot: '^$1$', circular: true },
    })),

    // --- between the workspaces
    {
      name: 'server-not-to-workers',
      comment: 'The server never imports the workers: what both need lives in the server (or db).',
      severity: 'error',
      from: { path: '^server/', pathNot: ROOTS },
      to: { path: '^workers/' },
    },
    {
      name: 'db-not-to-server-or-workers',
      comment: 'db is the lowest layer: the schema, migrations, the task names; nothing above.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: '^(server|workers)/' },
    },
    {
      name: 'web-not-to-workers-or-db',
      comment: 'The web app talks to the API; it never reaches the workers or the database.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(workers|db)/' },
    },
    {
      name: 'web-to-server-types-only',
      comment:
        'The web app takes the API contract from the server as types (`import type`), so no ' +
        "server code is bundled. The exceptions are realtime/wire.ts (the WebSocket protocol's " +
        'constants) and realtime/events.ts (the event registry), which import nothing at run time ' +
        '(rule wire-and-events-import-types-only).',
      severity: 'error',
      from: { path: '^web/' },
      to: {
        path: '^server/',
        pathNot: '^server/src/realtime/(wire|events)[.]ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'wire-and-events-import-types-only',
      comment:
        'The web app bundles server/src/realtime/wire.ts and events.ts: they must stay free of ' +
        'run-time dependencies (type-only imports of the schemas are erased).',
      severity: 'error',
      from: { path: '^server/src/realtime/(wire|events)[.]ts$' },
      to: { dependencyTypesNot: ['type-only'], pathNot: '^server/src/realtime/(wire|events)[.]ts$' },
    },

    // --- inside the server, lowest first
    {
      name: 'server-lib-is-lowest',
      comment: 'lib/ and schemas/ (and env.ts) are what everything else builds on: they import nothing above them.',
      severity: 'error',
      from: { path: '^server/src/(lib|schemas)/', pathNot: ROOTS },
      to: { path: '^server/', pathNot: '^server/src/((lib|schemas)/|env[.]ts$)' },
    },
    {
      name: 'server-policy-above-lib-only',
      comment: 'The policy answers "may this actor do this?" from data it is given or loads itself.',
      severity: 'error',
      from: { path: '^server/src/policy/', pathNot: ROOTS },
      to: { path: '^server/', pathNot: '^server/src/((lib|schemas|policy)/|env[.]ts$)' },
    },
    {
      name: 'server-top-only-from-top',
      comment:
        'Routes, the HTTP middleware, the WebSocket endpoint, app.ts and deps.ts (AppDeps, ' +
        'AppEnv) are the top: services, realtime and the rest never import them.',
      severity: 'error',
      from: { path: '^server/', pathNot: [SERVER_TOP, ...ROOTS] },
      to: { path: SERVER_TOP },
    },
    {
      name: 'roots-are-not-imported',
      comment: 'A test or a process entry is a root: importing one would pull its wiring into a layer.',
      severity: 'error',
      from: {},
      to: { path: ROOTS },
    },

    // --- the checker must see every import
    {
      name: 'not-to-unresolvable',
      comment:
        'A relative or `#` import that does not resolve is one this checker cannot see (or a ' +
        "broken one): the rules above would be blind to it. SvelteKit's generated `./$types` " +
        'and `$app/*` virtual modules are not files.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^([.]|#)', pathNot: '/[$]types$' },
    },
  ],
  options: {
    // Build output and generated SvelteKit files are not ours; packages are leaves.
    exclude: { path: '(^|/)([.]svelte-kit|build|coverage|test-results)/' },
    doNotFollow: { path: 'node_modules' },
    // Keep `import type` edges, which TypeScript would erase. (In .svelte files the component
    // is compiled first, so only their runtime imports are seen.)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      // Imports carry their `.ts` suffix and resolve as written; `.svelte` components are
      // parsed with svelte/compiler. web/package.json `imports` resolves `#lib/...`.
      extensions: ['.ts', '.js', '.svelte'],
      conditionNames: ['import', 'svelte', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
