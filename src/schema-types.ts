/**
 * Types only: the compile-time assertions that keep a zod schema and the hand-written
 * interface it checks from drifting apart, and a list agreeing with its union. Nothing
 * here exists at run time. (Kept deliberately simple: no recursive conditional types,
 * which can make the checker run for minutes.)
 *
 * @module
 */
/** The keys of `T` without its index signatures (`[key: string]: unknown`). */
export type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: T[K] }

/** Compiles only when `A` is assignable to `B`; the error names the property that differs. */
export type Assignable<A extends B, B> = A

/** Compiles only when `T` is `never`; the error names what is left over (a missing key, a missing code). */
export type Never<T extends never> = T
