import {
  applyStop,
  argumentsFor,
  conversationKey,
  promptTokens,
  replyPieces,
  type TextTurn,
  wordCount,
} from './reply.generator.js';

export interface PlanTool {
  name: string;
  schema: unknown;
}

/** What to answer, decided once per request and rendered by each API in its own shape. */
export interface ReplyPlan {
  thinking: string[];
  /** Text pieces, one per completion token (empty for a tool call). */
  pieces: string[];
  toolCall: { id: string; name: string; arguments: string } | null;
  finish: 'stop' | 'length' | 'tool' | 'stop_sequence';
  /** The stop string that cut the reply (finish = stop_sequence). */
  stopSequence: string | null;
  promptTokens: number;
  completionTokens: number;
}

export interface PlanInput {
  turns: TextTurn[];
  replyTokens: number;
  /** `[[stub:tokens=N]]`. */
  tokens?: number | undefined;
  maxTokens?: number | null | undefined;
  stop: string[];
  tools: PlanTool[];
  /** A tool the reply must call (`[[stub:tool=…]]`, a forced tool_choice), true = the first tool. */
  tool?: string | true | undefined;
  thinking: boolean;
  toolCallId: string;
}

const THINKING_TOKENS = 4;

/** The deterministic reply: same conversation, same options → same plan (tool-call ids aside). */
export function planReply(input: PlanInput): ReplyPlan {
  const key = conversationKey(input.turns);
  const prompt = promptTokens(input.turns);
  const thinking = input.thinking ? replyPieces(`${key}:thinking`, THINKING_TOKENS) : [];
  const wanted = input.tool === true ? input.tools[0] : input.tools.find((tool) => tool.name === input.tool);
  if (input.tool !== undefined && wanted) {
    const args = JSON.stringify(argumentsFor(wanted.schema));
    return {
      thinking,
      pieces: [],
      toolCall: { id: input.toolCallId, name: wanted.name, arguments: args },
      finish: 'tool',
      stopSequence: null,
      promptTokens: prompt,
      completionTokens: thinking.length + wordCount(args.replace(/[{}":,]/g, ' ')) + 5,
    };
  }
  let pieces = replyPieces(key, input.tokens ?? input.replyTokens);
  let finish: ReplyPlan['finish'] = 'stop';
  let stopSequence: string | null = null;
  const stopped = applyStop(pieces, input.stop);
  if (stopped.stopped) {
    pieces = stopped.pieces;
    finish = 'stop_sequence';
    const text = replyPieces(key, input.tokens ?? input.replyTokens).join('');
    stopSequence = input.stop.find((s) => s && text.includes(s)) ?? null;
  }
  const budget = input.maxTokens ?? Number.POSITIVE_INFINITY;
  if (thinking.length + pieces.length > budget) {
    pieces = pieces.slice(0, Math.max(0, budget - thinking.length));
    finish = 'length';
    stopSequence = null;
  }
  return {
    thinking,
    pieces,
    toolCall: null,
    finish,
    stopSequence,
    promptTokens: prompt,
    completionTokens: thinking.length + pieces.length,
  };
}

/** Splits a JSON text into three pieces (the way providers stream tool arguments in fragments). */
export function fragments(text: string): string[] {
  if (text.length < 3) return [text];
  const a = Math.floor(text.length / 3);
  const b = Math.floor((2 * text.length) / 3);
  return [text.slice(0, a), text.slice(a, b), text.slice(b)];
}
