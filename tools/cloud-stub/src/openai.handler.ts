import { pause, randomId, sendJson, startSse, writeFrame } from './http.util.js';
import { markersOf, type TextTurn } from './reply.generator.js';
import { fragments, type PlanTool, planReply, type ReplyPlan } from './reply.plan.js';
import type { StubCall, StubContext } from './stub.context.js';
import type { StubFaultMode } from './stub.types.js';

/** OpenAI's error body: all four keys, `param` and `code` nullable (reference §2.1). */
export function openAIError(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
) {
  return { error: { message, type, param, code } };
}

const FAULTS: Partial<Record<StubFaultMode, [number, ReturnType<typeof openAIError>]>> = {
  'error-500': [
    500,
    openAIError('The server had an error while processing your request. Sorry about that!', 'server_error'),
  ],
  'error-503': [
    503,
    openAIError('The engine is currently overloaded, please try again later.', 'server_error'),
  ],
  'error-529': [
    503,
    openAIError('The engine is currently overloaded, please try again later.', 'server_error'),
  ],
  'error-429': [
    429,
    openAIError(
      'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
      'requests',
      null,
      'rate_limit_exceeded',
    ),
  ],
};

const FINISH: Record<ReplyPlan['finish'], string> = {
  stop: 'stop',
  stop_sequence: 'stop',
  length: 'length',
  tool: 'tool_calls',
};

type Message = { role?: unknown; content?: unknown; tool_calls?: unknown };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
    .join('');
}

/** `POST /v1/chat/completions`, plain or streamed (reference §2.2). */
export async function handleOpenAIChat(ctx: StubContext, call: StubCall): Promise<void> {
  const { res, body } = call;
  const requestId = `req_${randomId(32)}`;
  const headers = { 'x-request-id': requestId, 'openai-version': '2020-10-01' };
  const fail = (status: number, error: unknown) => {
    call.record.status = status;
    sendJson(res, status, error, headers);
  };

  const key = ctx.config.openaiKey;
  const auth = call.req.headers.authorization;
  if (key && auth !== `Bearer ${key}`) {
    ctx.stats.unauthorized++;
    return auth
      ? fail(
          401,
          openAIError(
            `Incorrect API key provided: ${maskKey(auth.replace(/^Bearer\s+/i, ''))}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            'invalid_request_error',
            null,
            'invalid_api_key',
          ),
        )
      : fail(
          401,
          openAIError(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            'invalid_request_error',
          ),
        );
  }
  if (typeof body.model !== 'string' || body.model === '')
    return fail(400, openAIError('you must provide a model parameter', 'invalid_request_error'));
  const model = body.model;
  call.record.model = model;
  if (!Array.isArray(body.messages))
    return fail(
      400,
      openAIError(
        "Missing required parameter: 'messages'.",
        'invalid_request_error',
        'messages',
        'missing_required_parameter',
      ),
    );
  if (body.messages.length === 0)
    return fail(400, openAIError("[] is too short - 'messages'", 'invalid_request_error', 'messages'));
  if (ctx.config.models && !ctx.config.models.includes(model))
    return fail(
      404,
      openAIError(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        null,
        'model_not_found',
      ),
    );

  const messages = body.messages as Message[];
  const turns: TextTurn[] = messages.map((m) => ({ role: String(m.role), text: textOf(m.content) }));
  const lastUser = [...turns].reverse().find((turn) => turn.role === 'user')?.text ?? '';
  const markers = markersOf(lastUser);
  const fault = ctx.takeFault(markers.fault);
  call.record.fault = fault;
  const stream = body.stream === true;
  call.record.stream = stream;

  const canned = fault ? FAULTS[fault] : undefined;
  if (canned) return fail(canned[0], canned[1]);
  if (fault === 'hang') {
    while (!call.gone()) await pause(50, call.gone);
    return;
  }
  if (fault === 'drop' && !stream) {
    res.destroy();
    return;
  }
  if (fault === 'error-midstream' && !stream) return fail(500, FAULTS['error-500']![1]);

  const tools: PlanTool[] = Array.isArray(body.tools)
    ? (body.tools as { function?: { name?: string; parameters?: unknown } }[]).map((tool) => ({
        name: String(tool.function?.name),
        schema: tool.function?.parameters,
      }))
    : [];
  const choice = body.tool_choice as { function?: { name?: string } } | string | undefined;
  let tool = markers.tool;
  if (choice === 'required') tool ??= true;
  else if (typeof choice === 'object' && choice?.function?.name) tool = choice.function.name;
  if (choice === 'none') tool = undefined;
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  const plan = planReply({
    turns,
    replyTokens: ctx.config.replyTokens,
    tokens: markers.tokens,
    maxTokens: (body.max_completion_tokens ?? body.max_tokens) as number | null | undefined,
    stop: stop.map(String),
    tools,
    tool,
    thinking: false,
    toolCallId: `call_${randomId(24)}`,
  });
  const id = `chatcmpl-${randomId(29)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };

  if (!stream) {
    await pause(ctx.config.ttftMs, call.gone);
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: plan.toolCall ? null : plan.pieces.join(''),
      refusal: null,
      annotations: [],
    };
    if (plan.toolCall)
      message.tool_calls = [
        {
          id: plan.toolCall.id,
          type: 'function',
          function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments },
        },
      ];
    call.record.status = 200;
    sendJson(
      res,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[plan.finish] }],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_stub',
      },
      headers,
    );
    return;
  }

  const includeUsage =
    (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_stub',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    })}\n\n`;
  const frames: string[] = [];
  if (plan.toolCall) {
    const [first, ...rest] = fragments(plan.toolCall.arguments);
    frames.push(
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            index: 0,
            id: plan.toolCall.id,
            type: 'function',
            function: { name: plan.toolCall.name, arguments: '' },
          },
        ],
        refusal: null,
      }),
    );
    for (const piece of [first ?? '', ...rest])
      frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  } else {
    frames.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const piece of plan.pieces) frames.push(chunk({ content: piece }));
  }
  frames.push(chunk({}, FINISH[plan.finish]));
  if (includeUsage)
    frames.push(
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint: 'fp_stub',
        choices: [],
        usage,
      })}\n\n`,
    );
  frames.push('data: [DONE]\n\n');

  startSse(res, headers);
  call.record.status = 200;
  await pause(ctx.config.ttftMs, call.gone);
  for (const [index, frame] of frames.entries()) {
    if (call.gone()) return;
    if (index === 3 && fault === 'error-midstream') {
      res.end(
        `data: ${JSON.stringify(openAIError('The server had an error while processing your request. Sorry about that!', 'server_error'))}\n\n`,
      );
      return;
    }
    if (index === 3 && fault === 'drop') {
      res.destroy();
      return;
    }
    if (index > 0) await pause(ctx.config.chunkDelayMs, call.gone);
    await writeFrame(res, frame);
  }
  res.end();
}

/** `sk-abc…xyz` as OpenAI shows a wrong key: the first 3 and last 4 characters. */
function maskKey(key: string): string {
  return key.length <= 8
    ? '***'
    : `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}
