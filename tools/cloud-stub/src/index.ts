export { anthropicError } from './anthropic.handler.js';
export { openAIError } from './openai.handler.js';
export {
  applyStop,
  argumentsFor,
  conversationKey,
  markersOf,
  promptTokens,
  replyPieces,
  type TextTurn,
  wordCount,
} from './reply.generator.js';
export { type PlanInput, planReply, type ReplyPlan } from './reply.plan.js';
export { type CloudStub, DEFAULT_STUB_CONFIG, startCloudStub } from './stub.server.js';
export type {
  CloudStubConfig,
  StubFaultMode,
  StubFaultSetting,
  StubRequestRecord,
  StubStats,
} from './stub.types.js';
