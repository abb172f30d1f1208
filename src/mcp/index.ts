/**
 * MCP server over a promptfold library.
 *
 * @module
 */
export { type CreateServerOptions, createServer, RESOURCE_NOT_FOUND } from './server.js'
export { type ServeOptions, serve } from './serve.js'
