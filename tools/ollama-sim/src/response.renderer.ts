import type { PlanStep } from './generation.plan.js';
import type { ToolCall } from './sim.types.js';

/** Final-chunk metrics, integer nanoseconds. Zero values are omitted, as Go's `omitempty` does. */
export interface Metrics {
  totalDuration: bigint;
  loadDuration: bigint;
  promptEvalCount: number;
  promptEvalDuration: bigint;
  evalCount: number;
  evalDuration: bigint;
}

function metricsJson(m: Metrics): string {
  let out = '';
  if (m.totalDuration > 0n) out += `,"total_duration":${m.totalDuration}`;
  if (m.loadDuration > 0n) out += `,"load_duration":${m.loadDuration}`;
  if (m.promptEvalCount > 0) out += `,"prompt_eval_count":${m.promptEvalCount}`;
  if (m.promptEvalDuration > 0n) out += `,"prompt_eval_duration":${m.promptEvalDuration}`;
  if (m.evalCount > 0) out += `,"eval_count":${m.evalCount}`;
  if (m.evalDuration > 0n) out += `,"eval_duration":${m.evalDuration}`;
  return out;
}

/** Turns plan steps into Ollama's JSON objects (without the trailing newline). */
export interface ChunkRenderer {
  chunk(step: PlanStep, createdAt: string): string;
  final(createdAt: string, doneReason: string, metrics: Metrics): string;
  /** The non-streamed answer: all steps concatenated plus the metrics. */
  whole(steps: readonly PlanStep[], createdAt: string, doneReason: string, metrics: Metrics): string;
}

function collect(steps: readonly PlanStep[]): { content: string; thinking: string; toolCalls: ToolCall[] } {
  let content = '';
  let thinking = '';
  const toolCalls: ToolCall[] = [];
  for (const step of steps) {
    if (step.kind === 'content') content += step.text;
    else if (step.kind === 'thinking') thinking += step.text;
    else toolCalls.push(...step.calls);
  }
  return { content, thinking, toolCalls };
}

/** /api/chat: `message:{role,content,thinking?,tool_calls?}`. */
export function chatRenderer(model: string): ChunkRenderer {
  const head = `{"model":${JSON.stringify(model)},"created_at":"`;
  const message = (content: string, thinking: string, toolCalls: readonly ToolCall[]): string => {
    let out = `"message":{"role":"assistant","content":${JSON.stringify(content)}`;
    if (thinking) out += `,"thinking":${JSON.stringify(thinking)}`;
    if (toolCalls.length > 0) out += `,"tool_calls":${JSON.stringify(toolCalls)}`;
    return `${out}}`;
  };
  return {
    chunk(step, createdAt) {
      let body: string;
      if (step.kind === 'content') {
        body = `"message":{"role":"assistant","content":${JSON.stringify(step.text)}}`;
        // api.ChatResponse: `logprobs` (omitempty) comes after `done`.
        if (step.logprobs)
          return `${head}${createdAt}",${body},"done":false,"logprobs":${JSON.stringify(step.logprobs)}}`;
      } else if (step.kind === 'thinking') body = message('', step.text, []);
      else body = message('', '', step.calls);
      return `${head}${createdAt}",${body},"done":false}`;
    },
    final(createdAt, doneReason, metrics) {
      return `${head}${createdAt}","message":{"role":"assistant","content":""},"done":true,"done_reason":"${doneReason}"${metricsJson(metrics)}}`;
    },
    whole(steps, createdAt, doneReason, metrics) {
      const { content, thinking, toolCalls } = collect(steps);
      const logprobs = steps.flatMap((step) => (step.kind === 'content' ? (step.logprobs ?? []) : []));
      const lp = logprobs.length > 0 ? `,"logprobs":${JSON.stringify(logprobs)}` : '';
      return `${head}${createdAt}",${message(content, thinking, toolCalls)},"done":true,"done_reason":"${doneReason}"${lp}${metricsJson(metrics)}}`;
    },
  };
}

/** /api/generate: `response` (+ `thinking`), and the deprecated `context` token array on the final object. */
export function generateRenderer(model: string, context: readonly number[] | null): ChunkRenderer {
  const head = `{"model":${JSON.stringify(model)},"created_at":"`;
  const ctx = context ? `,"context":[${context.join(',')}]` : '';
  return {
    chunk(step, createdAt) {
      if (step.kind === 'thinking') {
        return `${head}${createdAt}","response":"","thinking":${JSON.stringify(step.text)},"done":false}`;
      }
      const text = step.kind === 'content' ? step.text : '';
      return `${head}${createdAt}","response":${JSON.stringify(text)},"done":false}`;
    },
    final(createdAt, doneReason, metrics) {
      return `${head}${createdAt}","response":"","done":true,"done_reason":"${doneReason}"${ctx}${metricsJson(metrics)}}`;
    },
    whole(steps, createdAt, doneReason, metrics) {
      const { content, thinking } = collect(steps);
      const think = thinking ? `,"thinking":${JSON.stringify(thinking)}` : '';
      return `${head}${createdAt}","response":${JSON.stringify(content)}${think},"done":true,"done_reason":"${doneReason}"${ctx}${metricsJson(metrics)}}`;
    },
  };
}

/** Deterministic stand-in for the deprecated generate `context` (token ids of prompt + reply). */
export function contextTokens(key: string, length: number): number[] {
  const seed = Number.parseInt(key.slice(0, 8), 16) >>> 0;
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) out[i] = ((seed + Math.imul(i + 1, 2654435761)) >>> 0) % 128000;
  return out;
}
