import { pause, randomId, sendJson, startSse, writeFrame } from './http.util.js';
import { markersOf, type TextTurn } from './reply.generator.js';
import { fragments, type PlanTool, planReply, type ReplyPlan } from './reply.plan.js';
import type { StubCall, StubContext } from './stub.context.js';
import type { StubFaultMode } from './stub.types.js';

/** Anthropic's error body (reference §3.1). */
export function anthropicError(type: string, message: string, requestId: string | null = null) {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

const FAULTS: Partial<Record<StubFaultMode, [number, string, string]>> = {
  'error-500': [500, 'api_error', 'Internal server error'],
  'error-503': [529, 'overloaded_error', 'Overloaded'],
  'error-529': [529, 'overloaded_error', 'Overloaded'],
  'error-429': [
    429,
    'rate_limit_error',
    'This request would exceed the rate limit for your organization of 50 requests per minute.',
  ],
};

const STOP_REASON: Record<ReplyPlan['finish'], string> = {
  stop: 'end_turn',
  stop_sequence: 'stop_sequence',
  length: 'max_tokens',
  tool: 'tool_use',
};

type Block = { type?: unknown; text?: unknown; content?: unknown; name?: unknown; input?: unknown };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[])
    .map((block) => {
      if (block.type === 'text') return String(block.text);
      if (block.type === 'tool_result') return textOf(block.content);
      if (block.type === 'tool_use') return `${String(block.name)} ${JSON.stringify(block.input)}`;
      return '';
    })
    .join('');
}

const frame = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** `POST /v1/messages`, plain or streamed, with the exact event sequence of the real API (reference §3.4). */
export async function handleAnthropicMessages(ctx: StubContext, call: StubCall): Promise<void> {
  const { req, res, body } = call;
  const requestId = `req_${randomId(24)}`;
  const headers = { 'request-id': requestId };
  const fail = (status: number, type: string, message: string) => {
    call.record.status = status;
    sendJson(res, status, anthropicError(type, message, requestId), headers);
  };

  const key = ctx.config.anthropicKey;
  const given =
    (req.headers['x-api-key'] as string | undefined) ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
  if (key && given !== key) {
    ctx.stats.unauthorized++;
    return fail(401, 'authentication_error', 'invalid x-api-key');
  }
  if (!req.headers['anthropic-version'])
    return fail(400, 'invalid_request_error', 'anthropic-version: header is required');
  if (typeof body.model !== 'string' || body.model === '')
    return fail(400, 'invalid_request_error', 'model: Field required');
  const model = body.model;
  call.record.model = model;
  if (typeof body.max_tokens !== 'number')
    return fail(400, 'invalid_request_error', 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return fail(400, 'invalid_request_error', 'messages: at least one message is required');
  if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1))
    return fail(400, 'invalid_request_error', 'temperature: range: 0..1');
  const thinkingParam = body.thinking as { type?: string; budget_tokens?: number } | undefined;
  const thinking = thinkingParam?.type === 'enabled';
  if (thinking && !((thinkingParam.budget_tokens ?? 0) >= 1024))
    return fail(
      400,
      'invalid_request_error',
      'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    );
  if (thinking && (thinkingParam.budget_tokens ?? 0) >= body.max_tokens)
    return fail(400, 'invalid_request_error', '`max_tokens` must be greater than `thinking.budget_tokens`.');
  if (ctx.config.models && !ctx.config.models.includes(model))
    return fail(404, 'not_found_error', `model: ${model}`);

  const system = textOf(body.system);
  const turns: TextTurn[] = [
    ...(system ? [{ role: 'system', text: system }] : []),
    ...(body.messages as { role?: unknown; content?: unknown }[]).map((m) => ({
      role: String(m.role),
      text: textOf(m.content),
    })),
  ];
  const lastUser = [...turns].reverse().find((turn) => turn.role === 'user')?.text ?? '';
  const markers = markersOf(lastUser);
  const fault = ctx.takeFault(markers.fault);
  call.record.fault = fault;
  const stream = body.stream === true;
  call.record.stream = stream;

  const canned = fault ? FAULTS[fault] : undefined;
  if (canned) return fail(...canned);
  if (fault === 'hang') {
    while (!call.gone()) await pause(50, call.gone);
    return;
  }
  if (fault === 'drop' && !stream) {
    res.destroy();
    return;
  }
  if (fault === 'error-midstream' && !stream) return fail(500, 'api_error', 'Internal server error');

  const tools: PlanTool[] = Array.isArray(body.tools)
    ? (body.tools as { name?: string; input_schema?: unknown }[]).map((tool) => ({
        name: String(tool.name),
        schema: tool.input_schema,
      }))
    : [];
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  let tool = markers.tool;
  if (choice?.type === 'any') tool ??= true;
  else if (choice?.type === 'tool' && choice.name) tool = choice.name;
  if (choice?.type === 'none') tool = undefined;
  const plan = planReply({
    turns,
    replyTokens: ctx.config.replyTokens,
    tokens: markers.tokens,
    maxTokens: body.max_tokens,
    stop: Array.isArray(body.stop_sequences) ? body.stop_sequences.map(String) : [],
    tools,
    tool,
    thinking,
    toolCallId: `toolu_${randomId(24)}`,
  });
  const id = `msg_${randomId(24)}`;
  const signature = plan.thinking.length ? `sig_${randomId(40)}` : '';

  if (!stream) {
    await pause(ctx.config.ttftMs, call.gone);
    const content: unknown[] = [];
    if (plan.thinking.length) content.push({ type: 'thinking', thinking: plan.thinking.join(''), signature });
    if (plan.pieces.length) content.push({ type: 'text', text: plan.pieces.join('') });
    if (plan.toolCall)
      content.push({
        type: 'tool_use',
        id: plan.toolCall.id,
        name: plan.toolCall.name,
        input: JSON.parse(plan.toolCall.arguments),
      });
    call.record.status = 200;
    sendJson(
      res,
      200,
      {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: STOP_REASON[plan.finish],
        stop_sequence: plan.stopSequence,
        usage: {
          input_tokens: plan.promptTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: plan.completionTokens,
        },
      },
      headers,
    );
    return;
  }

  const frames: string[] = [
    frame('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: plan.promptTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    }),
  ];
  let index = 0;
  const block = (start: unknown, deltas: unknown[]) => {
    frames.push(frame('content_block_start', { type: 'content_block_start', index, content_block: start }));
    if (index === 0) frames.push('event: ping\ndata: {"type": "ping"}\n\n');
    for (const delta of deltas)
      frames.push(frame('content_block_delta', { type: 'content_block_delta', index, delta }));
    frames.push(frame('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  };
  if (plan.thinking.length)
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...plan.thinking.map((piece) => ({ type: 'thinking_delta', thinking: piece })),
      { type: 'signature_delta', signature },
    ]);
  if (plan.pieces.length)
    block(
      { type: 'text', text: '' },
      plan.pieces.map((piece) => ({ type: 'text_delta', text: piece })),
    );
  if (plan.toolCall)
    block({ type: 'tool_use', id: plan.toolCall.id, name: plan.toolCall.name, input: {} }, [
      { type: 'input_json_delta', partial_json: '' },
      ...fragments(plan.toolCall.arguments).map((piece) => ({
        type: 'input_json_delta',
        partial_json: piece,
      })),
    ]);
  frames.push(
    frame('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: STOP_REASON[plan.finish], stop_sequence: plan.stopSequence },
      usage: { output_tokens: plan.completionTokens },
    }),
    frame('message_stop', { type: 'message_stop' }),
  );

  startSse(res, headers);
  call.record.status = 200;
  await pause(ctx.config.ttftMs, call.gone);
  for (const [at, text] of frames.entries()) {
    if (call.gone()) return;
    if (at === 4 && fault === 'error-midstream') {
      res.end(frame('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      return;
    }
    if (at === 4 && fault === 'drop') {
      res.destroy();
      return;
    }
    if (at > 0) await pause(ctx.config.chunkDelayMs, call.gone);
    await writeFrame(res, text);
  }
  res.end();
}
