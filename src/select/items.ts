/**
 * The selection problem in plain data.
 *
 * Candidates are listed in preorder of the final text: a nested candidate (a slot
 * inside an inlined example) comes right after its parent and can only be chosen
 * together with it.
 *
 * @module
 */

/** One candidate for selection. */
export interface Item {
  /** Position in preorder (also the document-order tie-breaker). */
  index: number
  /** Index of the candidate this one sits inside, or -1 for top-level slots. */
  parent: number
  /** Integer value; higher is better. */
  value: number
  /** Tokens inlining it adds (its marginal cost when its ancestors are inlined). */
  weight: number
}

/** A selection strategy: `greedy` (default) or `optimal`. */
export type Strategy = 'greedy' | 'optimal'
