/**
 * Whole requests: a system prompt assembled under what a chat request leaves of one
 * budget, after its messages, tools, framing and output reserve.
 *
 * @module
 */
export { assembleRequest, RequestBudgetError } from './assemble-request.js'
export type {
  AssembleRequestOptions,
  ChatMessage,
  RequestAssembly,
  RequestPart,
  RequestReport,
  RequestRow,
  RequestRowBasis,
  RequestTool,
  SystemInput,
} from './types.js'
