/**
 * The MCP SDK (`@modelcontextprotocol/sdk`) is an optional peer dependency: `npm install
 * promptfold` does not bring it (it is ~94 packages and ~29 MB, and only the MCP server
 * uses it). The built entries of `promptfold/mcp` load the server code behind a check:
 * when the SDK is missing they throw {@link MissingPeerError} (code `MISSING_PEER`) whose
 * one-line message says what to install, instead of Node's "Cannot find package".
 *
 * @module
 */
import { PromptfoldError } from '../errors.js'

/** The package the MCP server needs. */
export const MCP_SDK_PACKAGE = '@modelcontextprotocol/sdk'

/** The range of {@link MCP_SDK_PACKAGE} promptfold works with (its `peerDependencies` entry). */
export const MCP_SDK_RANGE = '^1.32.2'

/** The command that installs the missing SDK, as {@link MissingPeerError} words it. */
export const MCP_SDK_INSTALL = `npm install ${MCP_SDK_PACKAGE}@1`

/**
 * An optional peer dependency that a feature needs is not installed (code `MISSING_PEER`).
 * The message is one line naming the command that installs it.
 */
export class MissingPeerError extends PromptfoldError {
  /** The missing package, e.g. `'@modelcontextprotocol/sdk'`. */
  readonly packageName: string
  /** What needs it, e.g. `'promptfold/mcp'`. */
  readonly feature: string
  /** The command that installs it. */
  readonly install: string
  constructor(packageName: string, feature: string, install: string, options?: { cause?: unknown }) {
    super('MISSING_PEER', `${feature} needs ${packageName}, which is not installed: run \`${install}\``, options)
    this.name = 'MissingPeerError'
    this.packageName = packageName
    this.feature = feature
    this.install = install
  }
}

/**
 * `error` as a {@link MissingPeerError} when it says that the MCP SDK cannot be found
 * (`ERR_MODULE_NOT_FOUND` from `import`, `MODULE_NOT_FOUND` from `require`, or
 * `ERR_PACKAGE_PATH_NOT_EXPORTED` from an SDK of another major version); `undefined` for
 * any other error (a broken install of one of the SDK's own dependencies stays as it is).
 */
export function missingSdk(error: unknown): MissingPeerError | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as NodeJS.ErrnoException).code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined
  // Node names the package in quotes ('...' for import, '...' or "..." for require).
  const names = /['"]@modelcontextprotocol\/sdk(?:\/[^'"]*)?['"]/.test(error.message) || error.message.includes(`${MCP_SDK_PACKAGE}/package.json`)
  if (!names) return undefined
  return new MissingPeerError(MCP_SDK_PACKAGE, 'promptfold/mcp', MCP_SDK_INSTALL, { cause: error })
}
