/**
 * `promptfold/testing`: matchers and a snapshot serializer for tests of assemblies, for
 * vitest (and jest: the same shapes). Nothing here imports a test runner.
 *
 * ```ts
 * import { expect } from 'vitest'
 * import { promptfoldMatchers, promptfoldSerializer } from 'promptfold/testing'
 * expect.extend(promptfoldMatchers)
 * expect.addSnapshotSerializer(promptfoldSerializer)
 * ```
 *
 * @module
 */
export {
  formatRow,
  type MatcherContext,
  type MatcherResult,
  type PromptfoldMatchers,
  promptfoldMatchers,
  toCostAtMost,
  toDefer,
  toFitBudget,
  toInline,
} from './matchers.js'
export {
  createPromptfoldSerializer,
  isSnapshotSubject,
  type PromptfoldSerializerOptions,
  promptfoldSerializer,
  type SnapshotPrinter,
  type SnapshotSerializer,
} from './serializer.js'
export { isAssemblyReport, isAssemblyResult, isTaskReport, type Subject, subjectOf, type TestedAssembly, type TestedRow } from './subject.js'
// The types the functions above take, as the main entry exports them, for test files that import only this entry.
export type { Assembly } from '../assemble/index.js'
export type { TaskAssembly, TaskReport } from '../library/task.js'
export type { AssemblyReport } from '../report/schema.js'
