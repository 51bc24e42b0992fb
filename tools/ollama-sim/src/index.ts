export { embeddingVector } from './embedding.generator.js';
export { generateMessages, generatePromptTokenCount } from './generate.handler.js';
export { MIDSTREAM_ERROR, SERVER_ERROR } from './inference.runner.js';
export { type SimLogprob, type SimTokenLogprob, tokenLogprobs } from './logprobs.generator.js';
export { completeModel, DEFAULT_MODELS, normalizeModelName } from './models.catalog.js';
export { parseNdjson } from './ndjson.util.js';
export { DEFAULT_CONFIG, resolveConfig } from './sim.config.js';
export { type OllamaSim, startOllamaSim } from './sim.server.js';
export type {
  Cancellation,
  Capability,
  ChatMessage,
  FaultMode,
  FaultSetting,
  SimConfig,
  SimModel,
  SimStats,
  ToolCall,
  ToolDefinition,
} from './sim.types.js';
export {
  conversationKey,
  formattedContent,
  objectForSchema,
  replyText,
  replyTokens,
  thinkingTokens,
  VOCABULARY,
} from './text.generator.js';
export { embedTokenCount, promptTokenCount, wordCount } from './tokens.counter.js';
export { toolArguments } from './tool-call.builder.js';
