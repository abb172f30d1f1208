/**
 * The CommonJS entry of `promptfold/mcp` (built as `dist/mcp.cjs`; the declarations come from
 * `./index.ts`). The server code (`dist/mcp-server.cjs`) is required when this module loads, inside a `try`, so that a missing MCP SDK is a
 * {@link MissingPeerError} with a one-line message rather than a link error. The names are
 * those of `./index.ts`, listed once more (test/package/slim.test.ts checks they agree).
 *
 * @module
 */
import type * as Mcp from './index.js'
import { missingSdk } from './sdk.js'

let mcp: typeof Mcp
try {
  // dist/mcp-server.cjs is the server code (src/mcp/index.ts) built on its own and left
  // external here: bundled in, its require() calls of the SDK would be hoisted to the top
  // of this file, out of the try.
  mcp = require('./mcp-server.cjs') as typeof Mcp
} catch (error) {
  throw missingSdk(error) ?? error
}

export const {
  createServer,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RESOURCES_PAGE_SIZE,
  MAX_RESOURCES_PAGE_CHARS,
  RESOURCE_NOT_FOUND,
  serve,
  DEFAULT_SKILLS_PAGE_SIZE,
  DIRECTORY_MIME_TYPE,
  describeSkillsError,
  GetSkillRequestSchema,
  GetSkillResultSchema,
  getSkill,
  ListSkillsRequestSchema,
  ListSkillsResultSchema,
  listSkills,
  locateSkillUri,
  mimeTypeFromExtension,
  parseSkillUri,
  ReadDirectoryRequestSchema,
  ReadDirectoryResultSchema,
  readSkillDirectory,
  readSkillFile,
  SKILL_SCHEME,
  SKILLS_ERROR_RPC_CODES,
  SKILLS_EXTENSION,
  SkillsRequestError,
  servedSkills,
  skillAt,
  skillEntry,
  skillFiles,
  skillUri,
} = mcp
export { MCP_SDK_INSTALL, MCP_SDK_PACKAGE, MCP_SDK_RANGE, MissingPeerError, missingSdk } from './sdk.js'
