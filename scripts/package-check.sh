#!/usr/bin/env bash
# Package checks, as a consumer sees the package:
#   1. build; the public API report (etc/*.api.md) matches the built declarations;
#      publint --strict; attw --pack (types for import and require)
#   2. npm pack, then a production install of the tarball in a scratch folder
#   3. the install is slim: at most 40 packages and 40 MiB (du), the MCP SDK not among them;
#      the installed size of every runtime dependency, as a markdown table
#   4. without the MCP SDK (an optional peer dependency), promptfold/mcp throws MISSING_PEER
#      naming what to install, and `npx promptfold serve` serves all the same (the CLI bundles
#      its own copy of the SDK)
#   5. then with the SDK installed: import and require work there (require also without
#      require(esm), as on Node 20 before 20.19), promptfold/mcp and promptfold/testing
#      included; a consumer type-checks against the installed types with skipLibCheck: false
#      (NodeNext as ES module and CommonJS, Bundler); and
#      `npx promptfold assemble <fixture> --budget 3000` prints a prompt within the budget
# Needs the npm registry (the scratch install resolves the runtime dependencies and the SDK).
# Usage: bash scripts/package-check.sh [--sizes-only]   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FIXTURE="$ROOT/fixtures/resources/agents/mlops-specialist.md"
export NO_COLOR=1

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'package-check: FAILED: %s\n' "$*" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/promptfold-package-check.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

step "build and npm pack"
# publint and attw check the packed tarball itself: the files a consumer installs.
npm run --silent build > "$SCRATCH/build.log" 2>&1 || { cat "$SCRATCH/build.log"; fail "npm run build"; }
TARBALL=$(npm pack --silent --pack-destination "$SCRATCH" | tail -n 1)
TARBALL="$SCRATCH/$TARBALL"
test -f "$TARBALL" || fail "npm pack produced no tarball"
LISTING=$(tar -tzf "$TARBALL" | sort)
printf '%s\n' "$LISTING" | sed 's/^/  /'
for f in dist/index.js dist/index.cjs dist/index.d.ts dist/index.d.cts dist/cli.js package.json \
  dist/mcp.js dist/mcp.cjs dist/mcp-server.cjs dist/mcp.d.ts dist/mcp.d.cts dist/testing.js dist/testing.cjs dist/testing.d.ts dist/testing.d.cts \
  dist/bundler.js dist/portable.js dist/core.d.ts; do
  printf '%s\n' "$LISTING" | grep -qx "package/$f" || fail "the tarball lacks $f (was dist/ rebuilt while packing?)"
done
if printf '%s\n' "$LISTING" | grep -Eq '^package/(src|test|fixtures|node_modules)/'; then
  fail "the tarball holds sources, tests or fixtures"
fi
mkdir -p "$SCRATCH/unpacked"
tar -xzf "$TARBALL" -C "$SCRATCH/unpacked"

if [ "${1:-}" != "--sizes-only" ]; then
  step "public API report: etc/*.api.md against the built declarations (npm run api writes them)"
  node "$ROOT/etc/api-report.mjs" --check || fail "the public API changed without its report: run npm run api and commit etc/*.api.md"

  step "publint --strict (on the packed files)"
  npx --no-install publint --strict --pack false "$SCRATCH/unpacked/package"

  step "attw (are the types wrong?) on the tarball"
  npx --no-install attw "$TARBALL" --format table-flipped
fi

step "production install of the tarball in a scratch consumer project"
CONSUMER="$SCRATCH/consumer"
mkdir -p "$CONSUMER"
cd "$CONSUMER"
printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' > package.json
npm install --omit=dev --no-audit --no-fund --loglevel=error "$TARBALL"
test -d node_modules/promptfold/dist || fail "promptfold is not installed"

step "installed size of the runtime dependencies (du -sk, production install from the tarball)"
# own: the package's folder; with dependencies: the union of the folders of everything it pulls in
# (packages shared by two dependencies count in both rows; the total counts everything once).
npm ls --all --omit=dev --json --long 2>/dev/null > tree.json || true
node --input-type=module <<'JS'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
const tree = JSON.parse(readFileSync('tree.json', 'utf8'))
const kib = (dir) => Number(execFileSync('du', ['-sk', '--exclude=node_modules', dir], { encoding: 'utf8' }).split('\t')[0])
const size = new Map()
const own = (node) => { if (!size.has(node.path)) size.set(node.path, kib(node.path)); return size.get(node.path) }
const closure = (node, acc = new Map()) => {
  if (!node.path || acc.has(node.path)) return acc
  acc.set(node.path, own(node))
  for (const child of Object.values(node.dependencies ?? {})) closure(child, acc)
  return acc
}
const top = tree.dependencies.promptfold
const rows = [['promptfold (this package)', top.version, own(top), null]]
const all = new Map([[top.path, own(top)]])
for (const [name, dep] of Object.entries(top.dependencies ?? {}).sort()) {
  // An optional peer dependency that is not installed (the MCP SDK) is listed without a path.
  if (!dep.path) { rows.push([name, '-', 0, 'not installed (optional peer dependency)']); continue }
  const c = closure(dep)
  for (const [p, k] of c) all.set(p, k)
  const sum = [...c.values()].reduce((a, b) => a + b, 0)
  rows.push([name, dep.version, own(dep), `${sum} KiB (${c.size} package${c.size === 1 ? "" : "s"})`])
}
const total = [...all.values()].reduce((a, b) => a + b, 0)
console.log('| package | version | installed size | with its dependencies |')
console.log('|---|---|---:|---:|')
for (const [n, v, o, w] of rows) console.log(`| ${n} | ${v} | ${v === '-' ? '-' : `${o} KiB`} | ${w ?? '-'} |`)
console.log(`| **total** (promptfold and everything it installs) | | | **${total} KiB (${all.size} packages)** |`)
JS
KIB=$(du -sk node_modules | cut -f1)
PACKAGES=$(npm ls --all --omit=dev --parseable 2>/dev/null | tail -n +2 | sort -u | wc -l)
printf 'du -sk node_modules: %s KiB (du -sh: %s); packages installed: %s\n' "$KIB" "$(du -sh node_modules | cut -f1)" "$PACKAGES"
# Issue 15: npm install promptfold brings at most 40 packages and 40 MiB.
[ "$PACKAGES" -le 40 ] || fail "the install brings $PACKAGES packages (at most 40)"
[ "$KIB" -le 40960 ] || fail "the install takes $KIB KiB (at most 40 MiB)"
[ ! -e node_modules/@modelcontextprotocol/sdk ] || fail "the MCP SDK was installed: it must be an optional peer dependency"

if [ "${1:-}" != "--sizes-only" ]; then
  step "without the MCP SDK: promptfold/mcp says what to install; promptfold serve serves (it bundles the SDK)"
  LINE='promptfold/mcp needs @modelcontextprotocol/sdk, which is not installed: run `npm install @modelcontextprotocol/sdk@1`'
  got=$(node --input-type=module -e "await import('promptfold/mcp').then(() => console.log('loaded'), (e) => console.log(e.code + ' ' + e.message))")
  [ "$got" = "MISSING_PEER $LINE" ] || fail "import promptfold/mcp without the SDK: $got"
  got=$(node -e "try { require('promptfold/mcp'); console.log('loaded') } catch (e) { console.log(e.code + ' ' + e.message) }")
  [ "$got" = "MISSING_PEER $LINE" ] || fail "require promptfold/mcp without the SDK: $got"
  set +e
  out=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"check","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"orchestr8://agents/mlops-specialist?budget=3000"}}' |
    npx --no-install promptfold serve "$ROOT/fixtures/resources" --no-cache 2>/dev/null)
  rc=$?
  set -e
  got=$(printf '%s\n' "$out" | node -e "const m = require('fs').readFileSync(0, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.id !== undefined); console.log(m.map((x) => x.id + ':' + (x.result ? 'ok' : 'error')).join(' '))")
  [ "$rc" -eq 0 ] && [ "$got" = "1:ok 2:ok" ] || fail "promptfold serve without the SDK: exit $rc, answers $got"
  echo "  promptfold serve: initialize and an assembled view answered (exit $rc)"

  step "install the MCP SDK (the optional peer dependency) for the checks that follow"
  npm install --no-audit --no-fund --loglevel=error --no-save "@modelcontextprotocol/sdk@$(node -p "require('./node_modules/promptfold/package.json').peerDependencies['@modelcontextprotocol/sdk']")"
  test -d node_modules/@modelcontextprotocol/sdk || fail "the MCP SDK did not install"
fi

if [ "${1:-}" != "--sizes-only" ]; then
  step "import (ESM)"
  cat > esm.mjs <<EOF
import { parseDocument, assemble, fileSystemResolver, createTokenCounter } from 'promptfold'
import { readFileSync } from 'node:fs'
const doc = parseDocument(readFileSync('$FIXTURE', 'utf8'), { path: 'agents/mlops-specialist.md' })
const { text, report } = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: '$ROOT/fixtures/resources' }) })
if (report.totalTokens !== createTokenCounter().count(text) || report.totalTokens > 3000) throw new Error('bad total')
console.log('import ok:', report.totalTokens, 'tokens')
const mcp = await import('promptfold/mcp')
if (typeof mcp.createServer !== 'function' || typeof mcp.serve !== 'function') throw new Error('promptfold/mcp lacks createServer/serve')
console.log('import promptfold/mcp ok')
const testing = await import('promptfold/testing')
const fits = testing.toFitBudget.call({ isNot: false }, { text, report }, 3000)
if (!fits.pass || !testing.promptfoldSerializer.test(report)) throw new Error('promptfold/testing')
console.log('import promptfold/testing ok')
EOF
  node esm.mjs

  step "require (CJS), with and without require(esm)"
  cat > cjs.cjs <<EOF
const { parseDocument, assemble, fileSystemResolver, createTokenCounter } = require('promptfold')
const { readFileSync } = require('node:fs')
const doc = parseDocument(readFileSync('$FIXTURE', 'utf8'), { path: 'agents/mlops-specialist.md' })
assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: '$ROOT/fixtures/resources' }) }).then(({ text, report }) => {
  if (report.totalTokens !== createTokenCounter().count(text) || report.totalTokens > 3000) throw new Error('bad total')
  console.log('require ok:', report.totalTokens, 'tokens')
})
const mcp = require('promptfold/mcp')
if (typeof mcp.createServer !== 'function') throw new Error('require promptfold/mcp')
const testing = require('promptfold/testing')
if (typeof testing.promptfoldMatchers.toInline !== 'function') throw new Error('require promptfold/testing')
console.log('require promptfold/mcp and promptfold/testing ok')
EOF
  node cjs.cjs
  # Node 20.19+ can require() ES modules; older 20.x cannot. The flag gives the old behaviour.
  if node --no-experimental-require-module -e 0 2>/dev/null; then
    node --no-experimental-require-module cjs.cjs
  fi

  step "types: a consumer type-checks against the installed package (strict, skipLibCheck: false)"
  # tsc's default is skipLibCheck: false, so the published .d.ts files must compile as they
  # are, with their dependencies' declarations. TypeScript and @types/node come from this repo
  # (the consumer's install stays a production install; its size is measured below).
  # The consumer's files are test/types/consumer/*, shared with test/types/declarations.test.ts.
  mkdir -p types
  cp "$ROOT"/test/types/consumer/* types/
  cp "$ROOT"/fixtures/package-consumer/* types/
  # consumer_tsconfig <name> <module> <moduleResolution> <lib> <files...>
  consumer_tsconfig() {
    local name=$1 module=$2 resolution=$3 lib=$4
    shift 4
    local files
    files=$(printf '"%s",' "$@")
    cat > "types/$name.json" <<EOF
{ "compilerOptions": { "target": "ES2022", "module": "$module", "moduleResolution": "$resolution", "lib": [$lib], "types": ["node"],
  "typeRoots": ["$ROOT/node_modules/@types"], "strict": true, "skipLibCheck": false, "noEmit": true }, "files": [${files%,}] }
EOF
  }
  TSC="$ROOT/node_modules/typescript/bin/tsc"
  typecheck() {
    printf '  tsc -p types/%s.json: ' "$1"
    local out
    if out=$(node "$TSC" -p "types/$1.json" 2>&1); then
      echo "no errors"
    else
      echo
      printf '%s\n' "$out" | sed 's/^/  | /'
      fail "a consumer does not compile against the published types ($1)"
    fi
  }
  # Node 20 consumers (ES module and CommonJS) and a bundler's resolution; lib includes DOM, as tsc --init sets it up.
  consumer_tsconfig nodenext NodeNext NodeNext '"ES2023", "DOM"' core.mts mcp.mts require.cts testing.mts testing-require.cts
  consumer_tsconfig bundler ESNext Bundler '"ES2023", "DOM"' core.mts mcp.mts testing.mts
  # Node only, no DOM: whatever promptfold's own declarations use must come from @types/node.
  consumer_tsconfig node-only NodeNext NodeNext '"ES2023"' core.mts testing.mts
  typecheck nodenext
  typecheck bundler
  typecheck node-only
  # `promptfold/mcp` names the MCP SDK's Server, whose declarations use the DOM type HeadersInit
  # (modelcontextprotocol/typescript-sdk#2568): without DOM, errors may come from there and nowhere else.
  consumer_tsconfig mcp-node-only NodeNext NodeNext '"ES2023"' mcp.mts
  printf '  tsc -p types/mcp-node-only.json: '
  out=$(node "$TSC" -p types/mcp-node-only.json 2>&1 || true)
  if printf '%s\n' "$out" | grep 'error TS' | grep -vq '/@modelcontextprotocol/sdk/'; then
    echo
    printf '%s\n' "$out" | sed 's/^/  | /'
    fail "promptfold/mcp does not compile without DOM, for a reason other than the MCP SDK's own declarations"
  fi
  echo "$(printf '%s\n' "$out" | grep -c 'error TS' || true) error(s), all in the MCP SDK's declarations"

  step "npx promptfold assemble <fixture> --budget 3000"
  npx --no-install promptfold --version
  npx --no-install promptfold assemble "$FIXTURE" --budget 3000 > prompt.md 2> report.txt || { cat report.txt; fail "npx promptfold assemble"; }
  head -n 3 prompt.md | sed 's/^/  | /'
  head -n 2 report.txt | sed 's/^/  | /'
  grep -q '^# MLOps Specialist' prompt.md || fail "the prompt does not start with the agent's title"
  grep -q 'total' report.txt || fail "no report on stderr"
  set +e
  npx --no-install promptfold lint "$ROOT/fixtures/resources" > /dev/null
  rc=$?
  set -e
  [ "$rc" -eq 1 ] || fail "lint exited $rc; expected 1 (the fixture's token estimates are hand-written and off)"
fi

printf '\npackage-check: OK\n'
