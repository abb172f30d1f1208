/**
 * Resource libraries: loading, aliases, graph, matching and task assembly (Node). Skill
 * catalogs (`catalog.ts`) are part of the portable core and exported by src/core.ts.
 *
 * @module
 */
export { normalizeCategory } from './category.js'
export type { DanglingReference, GraphEdge, GraphOptions, LibraryGraph, LookupVia, OtherReference } from './graph.js'
export { isLibrary, type Library, type LibraryEntry, type LibraryFile, type LibraryLookup, type LoadLibraryOptions, loadLibrary, type RefreshResult, type SkillFile, type TokensOptions } from './library.js'
export { LINT_TOLERANCE, type LintFinding, type LintLibraryOptions, type LintOptions, type LintResult, lint, lintLibrary } from './lint.js'
export { MATCH_FIELD_WEIGHTS, MATCH_FIELDS, type MatchField, type MatchOptions, type MatchResult } from './match.js'
export { findLibraryRoot, isLibraryFolder, LIBRARY_CATEGORIES } from './root.js'
export { type AssembleTaskOptions, assembleTask, type TaskAssembly, type TaskDocumentReport, type TaskReport, type TaskRole } from './task.js'
