/**
 * Type checks only (nothing here runs): the platforms export the same names with the
 * same types, so the build can swap one for another.
 *
 * @module
 */
import type * as Bundled from './bundled.js'
import type * as Cli from './cli.js'
import type * as Node from './node.js'
import type * as Portable from './portable.js'

type Shape<T> = { [K in Exclude<keyof T, 'PLATFORM'>]: T[K] }
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

/** Each platform has Node's exports, no more and no fewer. */
export type PlatformsAgree = [Same<Shape<typeof Node>, Shape<typeof Bundled>>, Same<Shape<typeof Node>, Shape<typeof Portable>>, Same<Shape<typeof Node>, Shape<typeof Cli>>] extends [true, true, true] ? true : never
/** Fails to compile when the platforms disagree. */
export const platformsAgree: PlatformsAgree = true
