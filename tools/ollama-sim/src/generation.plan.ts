import type { SimLogprob } from './logprobs.generator.js';
import type { ToolCall } from './sim.types.js';
import { formattedContent, replyTokens, splitTokens, thinkingTokens } from './text.generator.js';

/** One streamed chunk = one simulated token. */
export type PlanStep =
  | { kind: 'thinking'; text: string }
  | { kind: 'content'; text: string; logprobs?: SimLogprob[] }
  | { kind: 'tool_calls'; calls: ToolCall[] };

export interface GenerationPlan {
  steps: PlanStep[];
  doneReason: 'stop' | 'length';
  promptEvalCount: number;
}

export interface PlanInput {
  /** conversationKey() of the prompt. */
  key: string;
  promptEvalCount: number;
  replyTokens: number;
  thinkingTokens: number;
  thinking: boolean;
  toolCalls: ToolCall[];
  format: unknown;
  /** > 0 limits the number of steps (done_reason "length"). */
  numPredict: number;
  stop: readonly string[];
}

/** Cuts content tokens at the first occurrence of any stop string (the stop string itself is not emitted). */
export function applyStop(tokens: string[], stop: readonly string[]): { tokens: string[]; stopped: boolean } {
  const active = stop.filter((s) => s.length > 0);
  if (active.length === 0) return { tokens, stopped: false };
  const text = tokens.join('');
  let cut = -1;
  for (const s of active) {
    const at = text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  if (cut < 0) return { tokens, stopped: false };
  const out: string[] = [];
  let pos = 0;
  for (const token of tokens) {
    if (pos + token.length <= cut) {
      out.push(token);
      pos += token.length;
      continue;
    }
    const partial = token.slice(0, cut - pos);
    if (partial) out.push(partial);
    break;
  }
  return { tokens: out, stopped: true };
}

/** Everything a reply will contain, decided up front so streamed and non-streamed answers match. */
export function buildPlan(input: PlanInput): GenerationPlan {
  const steps: PlanStep[] = [];
  if (input.thinking) {
    for (const text of thinkingTokens(input.key, input.thinkingTokens))
      steps.push({ kind: 'thinking', text });
  }
  if (input.toolCalls.length > 0) {
    steps.push({ kind: 'tool_calls', calls: input.toolCalls });
  } else {
    const raw = input.format
      ? splitTokens(formattedContent(input.format, input.key, input.replyTokens))
      : replyTokens(input.key, input.replyTokens);
    for (const text of applyStop(raw, input.stop).tokens) steps.push({ kind: 'content', text });
  }
  let doneReason: 'stop' | 'length' = 'stop';
  if (input.numPredict > 0 && steps.length > input.numPredict) {
    steps.length = input.numPredict;
    doneReason = 'length';
  }
  return { steps, doneReason, promptEvalCount: input.promptEvalCount };
}
