import { loadLibrary } from 'promptfold'
import { type CreateServerOptions, createServer, RESOURCE_NOT_FOUND, type ServeOptions, serve } from 'promptfold/mcp'
const options: CreateServerOptions & ServeOptions = { defaultBudget: 1000, log: null }
const server = createServer(await loadLibrary({ root: '.' }), options)
console.log(typeof server.connect, typeof serve, RESOURCE_NOT_FOUND)
