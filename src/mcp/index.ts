/**
 * MCP server over a promptfold library. Needs the optional peer dependency
 * `@modelcontextprotocol/sdk`: the built `promptfold/mcp` throws {@link MissingPeerError}
 * (code `MISSING_PEER`) when it is not installed (src/mcp/entry.ts, src/mcp/entry-cjs.ts).
 *
 * @module
 */
export { type CreateServerOptions, createServer, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RESOURCES_PAGE_SIZE, MAX_RESOURCES_PAGE_CHARS, RESOURCE_NOT_FOUND } from './server.js'
export { type ServeOptions, serve } from './serve.js'
export { MCP_SDK_INSTALL, MCP_SDK_PACKAGE, MCP_SDK_RANGE, MissingPeerError, missingSdk } from './sdk.js'
export {
  DEFAULT_SKILLS_PAGE_SIZE,
  DIRECTORY_MIME_TYPE,
  describeSkillsError,
  GetSkillRequestSchema,
  GetSkillResultSchema,
  getSkill,
  type ListSkillsResult,
  ListSkillsRequestSchema,
  ListSkillsResultSchema,
  listSkills,
  locateSkillUri,
  mimeTypeFromExtension,
  parseSkillUri,
  type ReadDirectoryResult,
  ReadDirectoryRequestSchema,
  ReadDirectoryResultSchema,
  readSkillDirectory,
  readSkillFile,
  type ServedSkill,
  SKILL_SCHEME,
  SKILLS_ERROR_RPC_CODES,
  SKILLS_EXTENSION,
  type SkillEntryResult,
  type SkillFileContent,
  type SkillLocation,
  type SkillResourceRef,
  type SkillsErrorCode,
  type SkillsPageOptions,
  SkillsRequestError,
  servedSkills,
  skillAt,
  skillEntry,
  skillFiles,
  skillUri,
} from './skills.js'
