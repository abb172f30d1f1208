// Paths shared by the benchmarks. Benchmarks import the BUILT package (dist/).
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const ROOT = path.resolve(BENCH_DIR, '..')
export const TMP = path.join(BENCH_DIR, '.tmp')
/**
 * The built package: ../dist, or the frozen copy `bench/run.mjs --snapshot` makes in
 * bench/.tmp/dist (so that a rebuild of dist/ during a long run cannot break it).
 */
export const DIST_DIR = process.env.PROMPTFOLD_BENCH_DIST ? path.resolve(process.env.PROMPTFOLD_BENCH_DIST) : path.join(ROOT, 'dist')
export const DIST = path.join(DIST_DIR, 'index.js')
export const DIST_URL = pathToFileURL(DIST).href
export const CLI = path.join(DIST_DIR, 'cli.js')
export const CHILDREN = path.join(BENCH_DIR, 'lib/children')

/** The MLOps fixture: the agent and its four examples (the 5 documents). */
export const FIXTURE_ROOT = path.join(ROOT, 'fixtures/resources')
export const FIXTURE_AGENT = 'agents/mlops-specialist.md'
export const FIXTURE_FILES = [
  FIXTURE_AGENT,
  'examples/ml/mlops-mlflow-tracking.md',
  'examples/ml/mlops-kubeflow-pipeline.md',
  'examples/ml/mlops-model-serving.md',
  'examples/ml/mlops-monitoring-ab-testing.md',
].map((f) => path.join(FIXTURE_ROOT, f))

export const SHARED_CORPUS = path.resolve(ROOT, '../shared/corpus/orchestr8')

/** Throws a clear error when the package has not been built. */
export function requireBuild() {
  for (const f of [DIST, CLI]) {
    if (!existsSync(f)) throw new Error(`${path.relative(ROOT, f)} is missing: run \`npm run build\` first (npm run bench does)`)
  }
}
