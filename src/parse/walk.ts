/**
 * Tree walks without recursion. A markdown tree can be as deep as its source is long
 * (`'>'.repeat(7000)` is 7,000 nested block quotes, nested emphasis nests as deep), and a
 * recursive walk (`unist-util-visit-parents`, `mdast-util-to-string`) overflows the stack
 * on it. These walks keep their own stack: any depth the parser builds, they finish. They
 * visit in the same order and give the same results as the recursive ones they replace.
 *
 * @module
 */
import type { Nodes } from 'mdast'

/** What a visitor answers: `'skip'` to leave the node's children out, anything else to go on. */
export type WalkAction = 'skip' | undefined

/**
 * Visit `tree` and every node below it in preorder (a node, then its children in order), as
 * `visitParents(tree, visitor)` of `unist-util-visit-parents` does. `ancestors` runs from
 * the root to the node's parent; it is the walk's own array, valid only during the call (copy
 * it to keep it).
 *
 * @param tree The root of the walk (visited first, with no ancestors).
 * @param visitor Called for each node; `'skip'` leaves its children out.
 */
export function walkTree(tree: Nodes, visitor: (node: Nodes, ancestors: readonly Nodes[]) => WalkAction): void {
  const ancestors: Nodes[] = []
  // Each frame: a parent whose children are being walked, and the next child's index.
  const frames: { node: Nodes; next: number }[] = []
  let node: Nodes | undefined = tree
  while (node !== undefined) {
    const action = visitor(node, ancestors)
    const children: Nodes[] | undefined = action === 'skip' ? undefined : (node as { children?: Nodes[] }).children
    if (children !== undefined && children.length > 0) {
      ancestors.push(node)
      frames.push({ node, next: 1 })
      node = children[0]
      continue
    }
    node = undefined
    while (frames.length > 0) {
      const top = frames[frames.length - 1] as { node: Nodes; next: number }
      const siblings = (top.node as { children: Nodes[] }).children
      if (top.next < siblings.length) {
        node = siblings[top.next]
        top.next++
        break
      }
      frames.pop()
      ancestors.pop()
    }
  }
}

/**
 * The nodes of `tree` (itself included) of type `type`, in preorder: what
 * `visitParents(tree, type, push)` collects.
 */
export function nodesOfType<T extends Nodes['type']>(tree: Nodes, type: T): Extract<Nodes, { type: T }>[] {
  const out: Extract<Nodes, { type: T }>[] = []
  walkTree(tree, (node) => {
    if (node.type === type) out.push(node as Extract<Nodes, { type: T }>)
    return undefined
  })
  return out
}

/**
 * The text content of a node, as `toString` of `mdast-util-to-string` gives it with its
 * defaults: a node's `value` (HTML included), else an image's non-empty `alt`, else its
 * children's text joined.
 */
export function textOf(node: Nodes): string {
  let out = ''
  const stack: unknown[] = [node]
  while (stack.length > 0) {
    const value = stack.pop()
    if (value === null || typeof value !== 'object') continue
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i])
      continue
    }
    const n = value as { value?: unknown; alt?: unknown; children?: unknown }
    if ('value' in n) out += n.value === undefined || n.value === null ? '' : String(n.value)
    else if ('alt' in n && n.alt) out += String(n.alt as string)
    else if ('children' in n) stack.push(n.children)
  }
  return out
}
