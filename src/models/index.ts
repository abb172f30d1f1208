/**
 * The model registry: provider, tokenizer and limits of a model, from its id.
 *
 * @module
 */
export { findModelInfo, listModels, modelInfo, UnknownModelError } from './registry.js'
export type { ModelInfo, ModelProvider, ModelTokenizer, TokenizerId } from './registry.js'
