/**
 * The parts of promptfold that need Node: the file-system resolver, the on-disk caches,
 * libraries (`loadLibrary`, lint, task assembly). `promptfold/node` is this module with the
 * portable core (the same as `promptfold` in Node); browsers, workers and edge runtimes get
 * the core alone (src/core.ts).
 *
 * @module
 */
export {
  defaultCacheDir,
  type FileCountStore,
  type FileCountStoreOptions,
  type FileParseStore,
  type FileParseStoreOptions,
  type FileLibraryIndexStore,
  type FileLibraryIndexStoreOptions,
  fileCountStore,
  fileLibraryIndexStore,
  fileParseStore,
  type LibraryIndexStore,
} from './cache/store.js'
export { DEFAULT_MAX_DOCUMENT_BYTES, type FileSystemResolverOptions, fileSystemResolver } from './resolve/fs.js'
export {
  type AssembleTaskOptions,
  assembleTask,
  findLibraryRoot,
  isLibrary,
  isLibraryFolder,
  LIBRARY_CATEGORIES,
  LINT_TOLERANCE,
  type LintFinding,
  type LintLibraryOptions,
  type LintOptions,
  type LintResult,
  lint,
  lintLibrary,
  type LoadLibraryOptions,
  loadLibrary,
  type TaskAssembly,
  type TaskDocumentReport,
  type TaskReport,
  type TaskRole,
} from './library/index.js'
