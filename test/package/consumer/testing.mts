// A consumer of promptfold/testing, type-checked against the installed package by
// scripts/package-check.sh (strict, skipLibCheck: false): no test runner installed, so the
// matchers are called as plain functions and the serializer as pretty-format would.
import { assemble, parseDocument } from 'promptfold'
import {
  type Assembly,
  createPromptfoldSerializer,
  type MatcherResult,
  type PromptfoldMatchers,
  promptfoldMatchers,
  promptfoldSerializer,
  type SnapshotSerializer,
  toFitBudget,
} from 'promptfold/testing'

const assembly: Assembly = await assemble(parseDocument('# Agent\n\nBe brief.\n'), { budget: 100, timings: false })
const result: MatcherResult = toFitBudget.call({ isNot: false }, assembly, 100)
const inline: MatcherResult = promptfoldMatchers.toInline.call(undefined, assembly.report, 'orchestr8://x')
// An `expect` whose matchers include promptfold's, as a `declare module` augmentation gives.
type Expectation = PromptfoldMatchers<void>
const expectation: Expectation = {
  toFitBudget: () => undefined,
  toInline: () => undefined,
  toDefer: () => undefined,
  toCostAtMost: () => undefined,
}
const serializers: SnapshotSerializer[] = [promptfoldSerializer, createPromptfoldSerializer({ root: '/' })]
const printed = promptfoldSerializer.serialize(assembly, {}, '', 0, [], (value) => JSON.stringify(value))
console.log(result.pass, inline.pass, typeof expectation.toFitBudget, serializers.length, printed.includes('timings'))
