import { readFileSync, rmSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { Plugin } from 'esbuild'
import { defineConfig, type Options } from 'tsup'
import { writeRankFiles } from './scripts/pack-ranks.js'

/**
 * Small runtime dependencies that ship only as ES modules (~20 KB in all). Both builds
 * bundle them: the CJS build so that `require('promptfold')` works on every Node 20.x,
 * including releases before 20.19 that cannot `require()` an ES module; the ESM build
 * because one file loads faster than eight (`import 'promptfold'` stays cheap).
 */
const ESM_ONLY = ['stemmer', 'github-slugger', 'mdast-util-to-string', 'unist-util-visit-parents']

/**
 * The markdown stack (unified, remark-parse, micromark: ES modules only, ~100 files) is
 * bundled into one CommonJS file, `dist/markdown-engine.cjs`, that both builds `require`
 * on the first parse (src/lazy.ts): `import 'promptfold'` never loads it, and one file
 * loads faster than a hundred.
 */
const MARKDOWN_ENGINE = ['unified', 'remark-parse']

/**
 * Builds for bundlers swap the platform module (src/platform/index.ts, Node's in the sources)
 * for `bundled.ts` (Node through a bundler) or `portable.ts` (browsers, workers, edge runtimes);
 * the CLI build for `cli.ts` (Node's, with the zod bundled for the MCP SDK).
 */
function usePlatform(name: 'bundled' | 'portable' | 'cli'): Plugin {
  return {
    name: `promptfold-platform-${name}`,
    setup(build) {
      build.onResolve({ filter: /(^|\/)platform\/index\.js$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.replace(/index\.js$/, `${name}.ts`)) }))
    },
  }
}

/** Every runtime dependency: left to the consumer's bundler, which then shares one copy with the rest of the app. */
const DEPENDENCIES = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies)

const libraryEntry = resolve('src/index.ts')
const earlyListModule = resolve('src/mcp/early-list.js')

/**
 * The CLI imports the library from `src/index.ts`; in the build it imports the
 * built `./index.js` next to it instead of bundling a second copy (one copy of the
 * code, one set of error classes). The MCP server (`src/mcp/index.ts`) is the exception:
 * `promptfold serve` bundles it, with the MCP SDK (see the CLI build below).
 */
const useBuiltLibrary: Plugin = {
  name: 'promptfold-cli-uses-built-library',
  setup(build) {
    build.onResolve({ filter: /(^|\/)index\.js$/ }, (args) => {
      if (!args.path.startsWith('.')) return undefined
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts')
      if (target === libraryEntry) return { path: './index.js', external: true }
      return undefined
    })
    // The early listing of `promptfold serve` is its own build (below), so that it does not share
    // a chunk with the server's code: a few KB to load before the first resources/list.
    build.onResolve({ filter: /(^|\/)early-list\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || resolve(args.resolveDir, args.path) !== earlyListModule) return undefined
      return { path: './cli-early-list.js', external: true }
    })
  },
}

/**
 * zod's namespace (`z`, which the CLI's MCP server and the MCP SDK import) re-exports every
 * locale of its error messages, ~370 KB that the serve chunk would carry and compile on every
 * start. Nothing there uses a locale but English, zod's default: the CLI build keeps only it.
 */
const englishZodOnly: Plugin = {
  name: 'promptfold-cli-zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined
      return { path: resolve(args.resolveDir, '../locales/index.js'), namespace: 'zod-english-only' }
    })
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from './en.js'\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }))
  },
}

/** The package version, written into the code (src/version.ts). */
const define = { __PROMPTFOLD_VERSION__: JSON.stringify((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version) }

const shared: Options = {
  entry: { index: 'src/index.ts' },
  define,
  // No source maps: the code is not minified (a stack trace reads as it is), and the maps were
  // 1.5 MB of the 7 MB package, most of it the bundled dependencies.
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
  clean: false,
}

// The three builds run in parallel, so none of them cleans `dist/` (one could delete
// another's output): it is emptied once, here, before they start.
export default defineConfig((cli): Options[] => {
  if (!cli.watch) rmSync('dist', { recursive: true, force: true })
  return [
    // `promptfold/mcp` (the MCP server) is its own entry so that `import 'promptfold'` never
    // loads the MCP SDK; with splitting, the ESM entries share one copy of the library.
    // The MCP SDK is an optional peer dependency: the mcp entry (src/mcp/entry.ts) imports the
    // server code dynamically and turns a missing SDK into MissingPeerError; its declarations
    // come from the barrel, src/mcp/index.ts. `promptfold/testing` (matchers, serializer) is a
    // third entry. The small ESM-only dependencies are bundled here too: one file loads faster than eight.
    {
      ...shared,
      entry: { index: 'src/index.ts', mcp: 'src/mcp/entry.ts', testing: 'src/testing/index.ts' },
      format: ['esm'],
      dts: { entry: { index: 'src/index.ts', core: 'src/core.ts', mcp: 'src/mcp/index.ts', testing: 'src/testing/index.ts' } },
      splitting: true,
      noExternal: ESM_ONLY,
      // dist/ranks/<encoding>.bin: js-tiktoken's ranks packed for a fast first count (scripts/pack-ranks.ts).
      onSuccess: async () => void writeRankFiles('dist'),
    },
    // Declarations are generated once (above); `npm run build` copies each .d.ts to .d.cts.
    { ...shared, entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' }, format: ['cjs'], dts: false, noExternal: ESM_ONLY },
    // CommonJS has no shared chunks: the mcp entry carries its own copy of the library code.
    // src/mcp/entry-cjs.ts requires the server code, dist/mcp-server.cjs, inside a try
    // (MissingPeerError when the SDK is missing); it stays a separate file, so that the SDK's
    // requires are not hoisted out of the try.
    {
      ...shared,
      entry: { mcp: 'src/mcp/entry-cjs.ts', 'mcp-server': 'src/mcp/index.ts' },
      external: ['./mcp-server.cjs'],
      format: ['cjs'],
      dts: false,
      sourcemap: false,
      noExternal: ESM_ONLY,
    },
    // For bundlers. `dist/bundler.js` (the `module` condition: esbuild, webpack, Rollup bundling
    // for Node): the whole library, its dependencies imported statically so the bundler sees
    // them. `dist/portable.js` (the `browser`, `worker`, `workerd`, `edge-light` conditions):
    // the core alone (src/core.ts), no `node:` module, rank data by `import()`.
    { ...shared, entry: { bundler: 'src/index.ts' }, format: ['esm'], dts: false, external: DEPENDENCIES, noExternal: [...MARKDOWN_ENGINE, ...ESM_ONLY], esbuildPlugins: [usePlatform('bundled')] },
    {
      ...shared,
      entry: { portable: 'src/core.ts' },
      format: ['esm'],
      // Neutral: each dependency's default variant, which runs in browsers and in workers alike
      // (its `browser` variant may need a DOM: decode-named-character-reference's does).
      platform: 'neutral',
      esbuildOptions(options) {
        options.mainFields = ['module', 'main']
      },
      target: 'es2022',
      dts: false,
      external: [...DEPENDENCIES, /^js-tiktoken\//, /^@noble\/hashes\//],
      // The markdown stack is bundled with the browser's conditions (vfile's Node variant imports node:path).
      noExternal: [...MARKDOWN_ENGINE, ...ESM_ONLY],
      esbuildPlugins: [usePlatform('portable')],
    },
    { ...shared, entry: { 'markdown-engine': 'src/parse/markdown-engine.ts' }, format: ['cjs'], dts: false, sourcemap: false, noExternal: [...MARKDOWN_ENGINE, ...ESM_ONLY] },
    // The rank table as the parser's worker thread builds it for a server (src/parse/offload.ts,
    // rankTableOffThread): CommonJS, required by the worker's code, next to the rank files.
    { ...shared, entry: { 'rank-table': 'src/count/rank-table-worker.ts' }, format: ['cjs'], dts: false, sourcemap: false },
    {
      entry: { cli: 'src/cli/main.ts' },
      format: ['esm'],
      // Each command's implementation is its own chunk (dist/cli-*.js), loaded when the
      // command runs: --help and --version never load the library.
      splitting: true,
      esbuildOptions(options) {
        options.chunkNames = 'cli-[name]-[hash]'
      },
      dts: false,
      // Whitespace and syntax minified, names kept (stack traces still name every function): the
      // serve chunk is 424 KB instead of 620 KB, less to compile on every start, and the install
      // is ~0.5 MB smaller. No source maps (the serve chunk's alone would be ~2 MB).
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: false,
      // `promptfold serve` bundles the MCP server, the library code it uses, and the MCP SDK with
      // its dependencies (zod, ajv) into its own chunks (dist/cli-serve-*.js and the chunks it
      // imports, ~1 MB): they load in ~60 ms where the SDK's ~150 files from node_modules take
      // ~180 ms, and the command works without the SDK installed (it stays an optional peer for
      // `promptfold/mcp`).
      noExternal: ['@modelcontextprotocol/sdk', 'zod'],
      clean: false,
      target: 'node20',
      platform: 'node',
      define,
      // The shebang comes from src/cli/main.ts (esbuild keeps an entry's hashbang; tsup makes the file executable).
      // The CLI's platform (src/platform/cli.ts): Node's, with the zod bundled for the MCP SDK.
      esbuildPlugins: [useBuiltLibrary, englishZodOnly, usePlatform('cli')],
    },
    // The early listing of `promptfold serve` (src/mcp/early-list.ts: a walk of the folder), alone
    // and tree-shaken: the CLI imports it before the server's code (see the plugin above).
    { entry: { 'cli-early-list': 'src/mcp/early-list.ts' }, format: ['esm'], splitting: false, dts: false, sourcemap: false, clean: false, target: 'node20', platform: 'node', define },
  ]
})
