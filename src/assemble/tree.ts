/**
 * The plain data `assemble`'s phases pass along: the assembly tree (documents, slot
 * entries, candidates) and the report rows being decided.
 *
 * @module
 */
import type { PromptDocument } from '../parse/document.js'
import type { Frontmatter } from '../parse/frontmatter.js'
import type { Reference } from '../parse/references.js'
import type { Decision } from '../render/lines.js'
import type { DocNode, SlotEntry } from '../render/render.js'
import type { CauseDetail, ReferenceCause } from '../report/causes.js'
import type { Diagnostic } from '../types.js'
import type { Level, PartialLevel } from './levels.js'

/** One reference occurrence and what was decided about it: a report row in the making. */
export interface Row {
  ref: Reference
  /** Target URI when it differs from `ref.uri` (a dynamic match slot's result). */
  uri?: string
  /** The document holding the reference. */
  owner: DocNode
  /** 1 in the root document, 2 in a document inlined at depth 1, ... */
  depth: number
  /** The slot entry rendering reads (slots only). */
  entry?: SlotEntry
  decision: Decision
  cause: ReferenceCause
  /** The facts the reason is written from. */
  detail: CauseDetail
  /** Measured tokens of the target's body; null when unknown. */
  tokens: number | null
  /** The target's frontmatter `estimatedTokens`. */
  declaredTokens: number | null
  /** Candidate index, when the row's slot can be inlined (its `full` level). */
  candidate?: number
  /** With `levels`: the level the reference was placed at. */
  level?: Level
  /** With `levels`: the next level up and the tokens it would add (none at `full`). */
  nextLevel?: { level: Level; tokens: number }
}

/**
 * A slot occurrence that can be inlined, at one level. Candidates are numbered in preorder of
 * the final text. With `levels`, a reference's partial levels are candidates too, chained
 * before its `full` candidate (`outline` -> `summary` -> `full`, each the `parent` of the next),
 * so choosing a level means choosing it and the ones below it: selection stays a tree.
 */
export interface Candidate {
  index: number
  /** Candidate that must be chosen for this one to be: the one it sits inside (-1 at the top level), or its reference's level below. */
  parent: number
  /** The candidate whose document holds the reference (-1 at the top level). Same as `parent` without levels. */
  slotParent: number
  /** For a partial level of a reference: which (its `full` candidate has none). */
  level?: PartialLevel
  /** The target document as it would be inlined. */
  child: DocNode
  ref: Reference
  /** Target URI (differs from `ref.uri` for dynamic match slots). */
  uri: string
  /** Its report row. */
  row: Row
}

/** What the expand phase builds: everything later phases measure, choose among, render and report. */
export interface AssemblyTree {
  /** The root document as a tree node; slot entries hang below it. */
  root: DocNode
  /** Report rows in report order. */
  rows: Row[]
  /** Inlinable slots in preorder. */
  candidates: Candidate[]
  /** First candidate by target URI (also by the canonical URI a resolver answered with). */
  firstByUri: Map<string, number>
  /** Targets known and measured but never inlined (`exclude`). */
  excluded: { row: Row; child: DocNode }[]
  /** Resolved targets of mentions and related entries (measured for the report). */
  others: { row: Row; doc: PromptDocument<Frontmatter> }[]
  /** Diagnostics in the order the assembly met them. */
  diagnostics: Diagnostic[]
}
