/**
 * Resource libraries: loading, aliases, graph, matching and task assembly.
 *
 * @module
 */
export {
  CATALOG_CAUSES,
  CATALOG_FORMATS,
  type CatalogCause,
  type CatalogDecision,
  type CatalogFormat,
  type CatalogLibrary,
  type CatalogLocation,
  type CatalogReport,
  type CatalogSkillReport,
  describeCatalogCause,
  type SkillCatalog,
  type SkillCatalogOptions,
  skillCatalog,
} from './catalog.js'
export { normalizeCategory } from './category.js'
export type { DanglingReference, GraphEdge, GraphOptions, LibraryGraph, LookupVia, OtherReference } from './graph.js'
export { isLibrary, type Library, type LibraryEntry, type LibraryFile, type LibraryLookup, type LoadLibraryOptions, loadLibrary, type RefreshResult, type SkillFile, type TokensOptions } from './library.js'
export { LINT_TOLERANCE, type LintFinding, type LintLibraryOptions, type LintOptions, type LintResult, lint, lintLibrary } from './lint.js'
export { MATCH_FIELD_WEIGHTS, MATCH_FIELDS, type MatchField, type MatchOptions, type MatchResult } from './match.js'
export { findLibraryRoot, isLibraryFolder, LIBRARY_CATEGORIES } from './root.js'
export { type AssembleTaskOptions, assembleTask, type TaskAssembly, type TaskDocumentReport, type TaskReport, type TaskRole } from './task.js'
