/**
 * The reference graph of a library and its elementary cycles.
 *
 * @module
 */
import type { ReferenceKind } from '../types.js'

/** How a reference found its target: its exact URI, a flat path, an alias, or (`link` and `path` references) a file's path. */
export type LookupVia = 'uri' | 'flat' | 'alias' | 'path'

/** A reference from one entry to another. */
export interface GraphEdge {
  /** Canonical URI of the entry holding the reference. */
  from: string
  /** Canonical URI of the target entry. */
  to: string
  kind: ReferenceKind
  /** As written (first occurrence). */
  raw: string
  /** 1-based line of the first occurrence. */
  line: number
  /** `uri`: the exact path; `flat`: category folder + file name; `alias`: a bare id or file name. */
  via: LookupVia
}

/** A reference whose target is not in the library (or is ambiguous). */
export interface DanglingReference {
  from: string
  /** Normalized URI or bare id as written. */
  uri: string
  kind: ReferenceKind
  raw: string
  line: number
  /** `not-found`, `ambiguous` (several entries claim the name) or, for `link` and `path` references, `case-mismatch` (the file exists only in another letter case). */
  reason: 'not-found' | 'ambiguous' | 'case-mismatch'
}

/** A reference that names no single document: a `match?query=` search, another query URI, or an invalid URI. */
export interface OtherReference {
  from: string
  uri: string
  kind: ReferenceKind
  raw: string
  line: number
}

/** Options of `library.graph()`. */
export interface GraphOptions {
  /** Edge kinds followed when looking for cycles. Default: all (`slot`, `mention`, `related`). */
  cycleKinds?: readonly ReferenceKind[]
  /** Most cycles listed. Default `10000`. */
  maxCycles?: number
}

/** The reference graph of a library. */
export interface LibraryGraph {
  /** Edges, one per (from, to, kind), sorted by from, to, kind. */
  edges: GraphEdge[]
  /** References to documents not in the library, one per (from, uri, kind), sorted. */
  dangling: DanglingReference[]
  /** Elementary cycles, each starting at its smallest URI, sorted; a self-reference is a cycle of one. */
  cycles: string[][]
  /** Whether `maxCycles` cut the cycle list short. */
  cyclesTruncated: boolean
  /** Dynamic `match?query=` references (resolved by search at assembly time), and other query URIs. */
  dynamic: OtherReference[]
  /** Invalid URIs (refused or unparsable). */
  invalid: OtherReference[]
}

/**
 * Elementary cycles of a directed graph (Johnson's algorithm), deterministic: nodes and
 * neighbours are visited in sorted order and each cycle starts at its smallest node.
 */
export function elementaryCycles(adjacency: ReadonlyMap<string, readonly string[]>, maxCycles = 10_000): { cycles: string[][]; truncated: boolean } {
  const nodes = [...new Set([...adjacency.keys(), ...[...adjacency.values()].flat()])].sort()
  const index = new Map(nodes.map((n, i) => [n, i]))
  const adj: number[][] = nodes.map((n) => [...new Set((adjacency.get(n) ?? []).map((m) => index.get(m) as number))].sort((a, b) => a - b))
  const cycles: string[][] = []
  let truncated = false

  for (let s = 0; s < nodes.length && !truncated; s++) {
    const component = sccOf(s, adj, s)
    if (component.size === 1 && !(adj[s] ?? []).includes(s)) continue
    const blocked = new Set<number>()
    const blockMap = new Map<number, Set<number>>()
    const stack: number[] = []
    const unblock = (u: number) => {
      const pending = [u]
      while (pending.length > 0) {
        const x = pending.pop() as number
        if (!blocked.delete(x)) continue
        const b = blockMap.get(x)
        if (b) {
          for (const w of b) pending.push(w)
          b.clear()
        }
      }
    }
    const circuit = (v: number): boolean => {
      let found = false
      stack.push(v)
      blocked.add(v)
      for (const w of adj[v] ?? []) {
        if (truncated) break
        if (!component.has(w)) continue
        if (w === s) {
          cycles.push(stack.map((i) => nodes[i] as string))
          if (cycles.length >= maxCycles) truncated = true
          found = true
        } else if (!blocked.has(w) && circuit(w)) {
          found = true
        }
      }
      if (found) unblock(v)
      else
        for (const w of adj[v] ?? []) {
          if (!component.has(w)) continue
          let b = blockMap.get(w)
          if (!b) blockMap.set(w, (b = new Set()))
          b.add(v)
        }
      stack.pop()
      return found
    }
    circuit(s)
  }
  cycles.sort((a, b) => compareLists(a, b))
  return { cycles, truncated }
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string
    const y = b[i] as string
    if (x !== y) return x < y ? -1 : 1
  }
  return a.length - b.length
}

/** The strongly connected component of `start` in the subgraph of nodes `>= min`. */
function sccOf(start: number, adj: readonly number[][], min: number): Set<number> {
  const forward = reach(start, (v) => adj[v] ?? [], min)
  // Reverse reachability restricted to nodes reached forward.
  const reverse = new Map<number, number[]>()
  for (const v of forward) for (const w of adj[v] ?? []) if (forward.has(w)) (reverse.get(w) ?? reverse.set(w, []).get(w))?.push(v)
  const backward = reach(start, (v) => reverse.get(v) ?? [], min)
  return new Set([...forward].filter((v) => backward.has(v)))
}

function reach(start: number, next: (v: number) => readonly number[], min: number): Set<number> {
  const seen = new Set<number>([start])
  const todo = [start]
  while (todo.length > 0) {
    const v = todo.pop() as number
    for (const w of next(v)) {
      if (w < min || seen.has(w)) continue
      seen.add(w)
      todo.push(w)
    }
  }
  return seen
}
