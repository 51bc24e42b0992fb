import { ERROR_MESSAGES } from '../catalog/texts.catalog.js';
import { type GeneratorConstants, generatorSql, literal, logSource } from './generator.sql.js';

/**
 * request_logs rows for a share of the seeded events: the generator regenerates the exact events (same request id,
 * time, key, model, status, duration) and this adds the bodies, shaped the way each endpoint's logs look (the
 * gateway keeps the shape of embeddings, not the vectors), with a prompt and reply drawn from seed_texts.
 */

export interface LogTextsInfo {
  textsPerProfile: number;
  rareCount: number;
  /** Probability that a prompt gets a rare sentence appended. */
  rareRate: number;
}

/** One of `messages`, picked by a uniform draw column. */
function pickText(messages: readonly string[], draw: string): string {
  return `(ARRAY[${messages.map(literal).join(', ')}])[1 + floor(${draw} * ${messages.length})::int]`;
}

/** request_logs rows for log numbers [from, to) of `logs` spread over `events`. */
export function insertLogsSql(
  from: number,
  to: number,
  events: number,
  logs: number,
  c: GeneratorConstants,
  t: LogTextsInfo,
): string {
  const prompt = `(x.prompt || coalesce(' ' || rs.sentence, ''))`;
  const reply = `CASE WHEN g.status = 499 THEN left(x.reply, floor(length(x.reply) * g.u_partial)::int) ELSE x.reply END`;
  const usage = `jsonb_build_object('prompt_tokens', g.prompt_tokens, 'completion_tokens', g.completion_tokens, 'total_tokens', g.prompt_tokens + g.completion_tokens)`;
  const anthropicUsage = `jsonb_build_object('input_tokens', g.prompt_tokens, 'output_tokens', g.completion_tokens)`;
  const messages = `jsonb_build_array(jsonb_build_object('role', 'system', 'content', x.system), jsonb_build_object('role', 'user', 'content', ${prompt}))`;
  const shortId = `substr(g.request_id, 9, 24)`;
  const requestBody = `CASE g.endpoint
      WHEN '/v1/chat/completions' THEN jsonb_build_object('model', g.model, 'messages', ${messages}, 'stream', g.stream, 'temperature', 0.7)
      WHEN '/v1/responses' THEN jsonb_build_object('model', g.model, 'instructions', x.system, 'input', ${prompt}, 'stream', g.stream)
      WHEN '/v1/completions' THEN jsonb_build_object('model', g.model, 'prompt', ${prompt}, 'max_tokens', 1024, 'stream', g.stream)
      WHEN '/v1/embeddings' THEN jsonb_build_object('model', g.model, 'input', x.reply)
      WHEN '/v1/messages' THEN jsonb_build_object('model', g.model, 'max_tokens', 1024, 'system', x.system,
        'messages', jsonb_build_array(jsonb_build_object('role', 'user', 'content', ${prompt})), 'stream', g.stream)
      WHEN '/api/chat' THEN jsonb_build_object('model', g.model, 'messages', ${messages}, 'stream', g.stream)
      WHEN '/api/generate' THEN jsonb_build_object('model', g.model, 'system', x.system, 'prompt', ${prompt}, 'stream', g.stream)
      WHEN '/api/embed' THEN jsonb_build_object('model', g.model, 'input', jsonb_build_array(x.reply))
      ELSE jsonb_build_object('model', g.model, 'prompt', x.reply)
    END`;
  const responseBody = `CASE WHEN g.status IN (429, 500) THEN NULL ELSE CASE g.endpoint
      WHEN '/v1/chat/completions' THEN CASE WHEN g.stream
        THEN jsonb_build_object('id', 'chatcmpl-' || ${shortId}, 'object', 'chat.completion', 'model', g.model, 'content', ${reply}, 'usage', ${usage})
        ELSE jsonb_build_object('id', 'chatcmpl-' || ${shortId}, 'object', 'chat.completion', 'model', g.model,
          'choices', jsonb_build_array(jsonb_build_object('index', 0, 'message', jsonb_build_object('role', 'assistant', 'content', ${reply}), 'finish_reason', 'stop')),
          'usage', ${usage}) END
      WHEN '/v1/responses' THEN jsonb_build_object('id', 'resp_' || ${shortId}, 'object', 'response', 'model', g.model,
        'output_text', ${reply}, 'usage', ${anthropicUsage})
      WHEN '/v1/completions' THEN jsonb_build_object('id', 'cmpl-' || ${shortId}, 'object', 'text_completion', 'model', g.model,
        'choices', jsonb_build_array(jsonb_build_object('index', 0, 'text', ${reply}, 'finish_reason', 'stop')), 'usage', ${usage})
      WHEN '/v1/embeddings' THEN jsonb_build_object('object', 'list', 'model', g.model, 'encoding_format', 'float',
        'data', jsonb_build_array(jsonb_build_object('index', 0, 'dimensions', g.dimensions)),
        'usage', jsonb_build_object('prompt_tokens', g.prompt_tokens, 'total_tokens', g.prompt_tokens))
      WHEN '/v1/messages' THEN jsonb_build_object('id', 'msg_' || ${shortId}, 'type', 'message', 'role', 'assistant', 'model', g.model,
        'content', jsonb_build_array(jsonb_build_object('type', 'text', 'text', ${reply})), 'stop_reason', 'end_turn',
        'usage', ${anthropicUsage})
      WHEN '/api/chat' THEN jsonb_build_object('model', g.model, 'message', jsonb_build_object('role', 'assistant', 'content', ${reply}),
        'done', g.status = 200, 'prompt_eval_count', g.prompt_tokens, 'eval_count', g.completion_tokens)
      WHEN '/api/generate' THEN jsonb_build_object('model', g.model, 'response', ${reply}, 'done', g.status = 200,
        'prompt_eval_count', g.prompt_tokens, 'eval_count', g.completion_tokens)
      WHEN '/api/embed' THEN jsonb_build_object('model', g.model, 'embeddings', jsonb_build_array(jsonb_build_object('dimensions', g.dimensions)),
        'prompt_eval_count', g.prompt_tokens)
      ELSE jsonb_build_object('embedding', jsonb_build_object('dimensions', g.dimensions))
    END END`;
  const error = `CASE g.status
      WHEN 429 THEN ${pickText(ERROR_MESSAGES[429], 'g.u_err')}
      WHEN 500 THEN ${pickText(ERROR_MESSAGES[500], 'g.u_err')}
      WHEN 499 THEN ${pickText(ERROR_MESSAGES[499], 'g.u_err')}
    END`;
  return `INSERT INTO request_logs (request_id, occurred_at, customer_id, api_key_id, model, endpoint, dialect, status, stream,
  duration_ms, request_body, response_body, error)
SELECT g.request_id, g.occurred_at, g.customer_id, g.api_key_id, g.model, g.endpoint, g.dialect, g.status, g.stream,
  g.total_ms, ${requestBody}, ${responseBody}, ${error}
FROM (${generatorSql(logSource(from, to, events, logs), c)}) g
JOIN seed_texts x ON x.id = ${t.textsPerProfile} * g.profile_idx + floor(g.u_text * ${t.textsPerProfile})::int
LEFT JOIN seed_rare rs ON g.u_rare < ${t.rareRate} AND rs.idx = floor(g.u_rarepick * ${t.rareCount})::int`;
}
