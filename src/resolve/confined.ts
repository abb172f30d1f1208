/**
 * Opening files so that what is read is what was checked: open first, then check what was
 * opened. A path checked with `realpath` and opened afterwards can be swapped in between (a
 * file for a symbolic link, a folder for a link to a folder outside); the descriptor cannot.
 *
 * @module
 */
import { closeSync, constants, type Dirent, fstatSync, openSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import * as nodePath from 'node:path'

const NOFOLLOW = (constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0
const NONBLOCK = (constants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0
const DIRECTORY = (constants as { O_DIRECTORY?: number }).O_DIRECTORY ?? 0

/**
 * Flags every confined read opens with: read-only, `O_NOFOLLOW` (a final component that has
 * become a symbolic link fails with `ELOOP` instead of being followed) and `O_NONBLOCK` (a
 * named pipe or device opens at once instead of hanging). Where the platform lacks a flag it is 0.
 */
export const CONFINED_OPEN_FLAGS: number = constants.O_RDONLY | NOFOLLOW | NONBLOCK

/** Whether the real path `real` is `base` or below it. */
export function isInside(base: string, real: string): boolean {
  return real === base || real.startsWith(base.endsWith(nodePath.sep) ? base : base + nodePath.sep)
}

/** Options for {@link checkOpenedSync}. */
export interface CheckOpenedOptions {
  /**
   * Ask the kernel where the descriptor leads (`/proc/self/fd/<fd>`, Linux). Default `true`;
   * when `/proc` cannot answer, or with `false`, the descriptor's device and inode are compared
   * with those of the path's real path, taken again after the open.
   */
  proc?: boolean
}

/** The path the kernel gives for an open descriptor, or `undefined` where `/proc` cannot tell. */
function procPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return undefined
  }
}

/**
 * Check that the open descriptor `fd`, opened by the path `opened`, is a file inside the real
 * root `base`. On Linux the kernel's own path for the descriptor decides (so intermediate
 * folders swapped during the open are caught). Elsewhere: the real path of `opened` is taken
 * again, must be inside `base`, and must be the same file (device and inode) as the descriptor.
 * Any error while checking is a refusal. Returns `true` when the descriptor may be read.
 */
export function checkOpenedSync(fd: number, opened: string, base: string, options: CheckOpenedOptions = {}): boolean {
  if (options.proc !== false) {
    const where = procPath(fd)
    // A deleted file reads as "<path> (deleted)": still the in-root file that was opened.
    if (where !== undefined) return nodePath.isAbsolute(where) && isInside(base, where)
  }
  try {
    const real = realpathSync(opened)
    if (!isInside(base, real)) return false
    const held = fstatSync(fd, { bigint: true })
    const named = statSync(real, { bigint: true })
    return held.dev === named.dev && held.ino === named.ino && realpathSync(opened) === real
  } catch {
    return false
  }
}

/**
 * {@link checkOpenedSync} for a `FileHandle` (the checks are a few system calls on a
 * descriptor that is already open, so they run synchronously).
 */
export function checkOpened(handle: FileHandle, opened: string, base: string, options: CheckOpenedOptions = {}): boolean {
  return checkOpenedSync(handle.fd, opened, base, options)
}

/**
 * List the folder `dir` (a real path) if it is inside the real root `base`, or return
 * `undefined` if it leads outside. On Linux the folder is opened first, the descriptor checked,
 * and the listing read through the descriptor, so a folder swapped for a link to a folder
 * outside after the walk looked at it lists nothing from outside. Elsewhere the folder's real
 * path is checked before listing (file reads are still checked on their descriptors).
 * Errors (a missing or unreadable folder, one that has become a link or a file) are thrown
 * as Node gives them.
 */
export function readDirConfinedSync(dir: string, base: string): Dirent[] | undefined {
  // A final component that has become a link (ELOOP) or a file (ENOTDIR) since the walk throws.
  const fd = openSync(dir, constants.O_RDONLY | DIRECTORY | NOFOLLOW | NONBLOCK)
  try {
    const where = procPath(fd)
    if (where !== undefined) {
      if (!nodePath.isAbsolute(where) || !isInside(base, where)) return undefined
      return readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true })
    }
    if (!checkOpenedSync(fd, dir, base, { proc: false })) return undefined
    return readdirSync(dir, { withFileTypes: true })
  } finally {
    closeSync(fd)
  }
}
