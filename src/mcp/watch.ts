/**
 * Following the files below a library root for `serve` (`watch: true`): one call per change,
 * from `fs.watch`.
 *
 * On Linux, Node 20's `fs.watch(root, { recursive: true })` is done in JavaScript: at start-up
 * it walks the whole tree synchronously, `stat`s every file and opens one inotify watch per
 * file and per folder (10,000 documents: ~140 ms holding the event loop, and as many watches
 * as files; 50,000 documents: 52,000 watches). A folder's inotify watch already reports every
 * change of the files directly in it, so {@link watchTree} watches folders only: it lists the
 * folders below the root (no `stat` but for symbolic links; 2,180 folders for 50,000 documents), skips those the library never reads (hidden folders, `node_modules`, as `scanRoot` does),
 * follows symbolic links to folders inside the root, and watches a folder created later as soon
 * as its parent reports it. Elsewhere (macOS, Windows) the native recursive watch is used.
 *
 * @module
 */
import { type Dirent, type FSWatcher, readdirSync, realpathSync, statSync, watch } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import * as nodePath from 'node:path'

/** A running watch. */
export interface TreeWatch {
  /** Stop watching; no call to `changed` or `failed` follows. */
  close(): void
}

/** Folders the library never reads (as `scanRoot`): hidden ones and `node_modules`. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules'
}

/** Whether `path` is `root` or inside it. */
function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(nodePath.sep) ? root : `${root}${nodePath.sep}`)
}

/**
 * Watch `root` (a real path) and everything below it: `changed()` is called for each file
 * event (several per change, debounce them), `failed(error)` once if watching cannot go on
 * (then nothing more is called; fall back to polling). `platform` is for tests.
 */
export function watchTree(root: string, changed: () => void, failed: (error: Error) => void, platform: NodeJS.Platform = process.platform): TreeWatch {
  let closed = false
  const watchers = new Map<string, FSWatcher>()
  const close = (): void => {
    closed = true
    for (const w of watchers.values()) w.close()
    watchers.clear()
  }
  const fail = (error: Error): void => {
    if (closed) return
    close()
    failed(error)
  }
  if (platform !== 'linux') {
    try {
      const w = watch(root, { recursive: true, persistent: false }, () => {
        if (!closed) changed()
      })
      w.on('error', fail)
      watchers.set(root, w)
    } catch (error) {
      fail(error as Error)
    }
    return { close }
  }

  /**
   * Watch one folder (by real path) and the folders below it. Synchronous (a folder listing
   * each, no `stat` but for links): every folder below the root is watched when it returns.
   */
  function add(dir: string): void {
    if (closed || watchers.has(dir)) return
    let w: FSWatcher
    try {
      w = watch(dir, { persistent: false }, (_event, name) => {
        if (closed) return
        changed()
        // A name in this folder may be a new folder (or a link to one): watch it and below.
        if (typeof name === 'string' && name !== '' && !skipped(name)) void follow(nodePath.join(dir, name))
      })
    } catch (error) {
      // The folder went away between the listing and now: nothing to watch.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      fail(error as Error)
      return
    }
    w.on('error', (error: Error) => {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'EPERM') void gone(dir)
      else fail(error)
    })
    watchers.set(dir, w)
    let names: Dirent[]
    try {
      names = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const d of names) {
      if (closed) return
      if (skipped(d.name)) continue
      if (d.isDirectory()) add(nodePath.join(dir, d.name))
      else if (d.isSymbolicLink()) {
        try {
          const real = realpathSync(nodePath.join(dir, d.name))
          if (inside(root, real) && statSync(real).isDirectory()) add(real)
        } catch {
          // A broken link: the library skips it too.
        }
      }
    }
  }

  /** A path named by an event or a link: watch it when it is (or leads to) a folder inside the root. */
  async function follow(path: string): Promise<void> {
    try {
      const real = await realpath(path)
      if (closed || watchers.has(real) || !inside(root, real)) return
      if ((await stat(real)).isDirectory()) add(real)
    } catch {
      // Gone already, or not readable: a later event says more.
      if (watchers.has(path)) await gone(path)
    }
  }

  /** Stop watching `dir` and the folders below it when it no longer exists. */
  async function gone(dir: string): Promise<void> {
    try {
      if ((await stat(dir)).isDirectory()) return
    } catch {
      // It is gone.
    }
    for (const [path, w] of watchers) {
      if (path === dir || path.startsWith(`${dir}${nodePath.sep}`)) {
        w.close()
        watchers.delete(path)
      }
    }
  }

  add(root)
  return { close }
}
