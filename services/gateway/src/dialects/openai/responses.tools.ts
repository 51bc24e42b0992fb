import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { ChatMessage } from '../../canonical/chat.types.js';
import { paramOf } from './request.js';
import type { ResponsesFunctionTool } from './responses.types.js';

/** zod `schema` at `path` of the body, or OpenAI's 400 naming the parameter (`input[1].content[0].text`). */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, path: PropertyKey[]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = paramOf([...path, ...issue.path]);
  throw badRequest(param ? `Invalid value for '${param}': ${issue.message}.` : `${issue.message}.`, {
    param,
  });
}

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/**
 * `tools` in the Responses API's flat form. Only function tools can be served by Ollama: a hosted tool (web_search,
 * file_search, code_interpreter, mcp, …) or a custom tool is a 400 rather than silently ignored.
 */
export function parseTools(tools: unknown[]): ResponsesFunctionTool[] {
  return tools.map((raw, index) => {
    const type = raw !== null && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
    if (type !== undefined && type !== 'function')
      throw badRequest(
        `Invalid value for 'tools[${index}].type': '${String(type)}' tools are not supported by this gateway (only function tools).`,
        { param: `tools[${index}].type`, code: 'unsupported_parameter' },
      );
    const tool = parseAt(functionTool, raw, ['tools', index]);
    return {
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    };
  });
}

const toolChoice = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.object({ type: z.literal('function'), name: z.string() }),
    z.object({
      type: z.literal('allowed_tools'),
      mode: z.enum(['auto', 'required']),
      tools: z.array(z.object({ type: z.string(), name: z.string().optional() })),
    }),
  ],
  { error: "expected 'none', 'auto', 'required', {type:'function', name} or {type:'allowed_tools', …}" },
);

const toOllamaTool = (tool: ResponsesFunctionTool) => ({
  type: 'function',
  function: {
    name: tool.name,
    ...(tool.description != null ? { description: tool.description } : {}),
    parameters: tool.parameters ?? { type: 'object', properties: {} },
  },
});

/**
 * `tool_choice`. Ollama cannot force a tool call, so, as on /v1/messages, best effort:
 * - `none`: no tools are sent, so none can be called;
 * - `auto` (the default): every tool is sent;
 * - `required`: every tool is sent, with a system instruction to call one;
 * - `{type:"function", name}`: only that tool is sent, with a system instruction to call it;
 * - `{type:"allowed_tools", mode, tools}`: only those tools, with the instruction when mode is `required`.
 * What cannot be honoured is a 400: a choice naming a tool that is not in `tools`, a choice other than none/auto
 * without tools, and hosted, MCP or custom tool choices. Returns the tools to send and the choice to echo.
 */
export function applyToolChoice(
  tools: ResponsesFunctionTool[],
  raw: unknown,
  messages: ChatMessage[],
): { tools: unknown[] | undefined; echo: unknown } {
  if (raw === undefined || raw === null)
    return { tools: tools.length ? tools.map(toOllamaTool) : undefined, echo: 'auto' };
  const type = typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  if (type !== undefined && type !== 'function' && type !== 'allowed_tools')
    throw badRequest(
      `Invalid value for 'tool_choice.type': '${String(type)}' is not supported by this gateway (only function tools).`,
      { param: 'tool_choice.type', code: 'unsupported_parameter' },
    );
  const choice = parseAt(toolChoice, raw, ['tool_choice']);
  if (choice === 'none') return { tools: undefined, echo: choice };
  if (choice !== 'auto' && tools.length === 0)
    throw badRequest(
      "Invalid value for 'tool_choice': a tool choice other than 'none' or 'auto' requires tools.",
      {
        param: 'tool_choice',
      },
    );
  if (choice === 'auto') return { tools: tools.length ? tools.map(toOllamaTool) : undefined, echo: choice };
  if (choice === 'required') {
    addSystemInstruction(messages, 'Respond by calling one of the provided tools.');
    return { tools: tools.map(toOllamaTool), echo: choice };
  }
  if (choice.type === 'function') {
    const selected = tools.filter((tool) => tool.name === choice.name);
    if (selected.length === 0)
      throw badRequest(`Invalid value for 'tool_choice.name': tool '${choice.name}' is not in tools.`, {
        param: 'tool_choice.name',
      });
    addSystemInstruction(messages, `Respond by calling the tool "${choice.name}".`);
    return { tools: selected.map(toOllamaTool), echo: choice };
  }
  const names = choice.tools.map((allowed, index) => {
    const param = paramOf(['tool_choice', 'tools', index])!;
    if (allowed.type !== 'function' || !allowed.name)
      throw badRequest(
        `Invalid value for '${param}': only function tools ({type:"function", name}) are supported.`,
        {
          param,
          code: 'unsupported_parameter',
        },
      );
    if (!tools.some((tool) => tool.name === allowed.name))
      throw badRequest(`Invalid value for '${param}.name': tool '${allowed.name}' is not in tools.`, {
        param: `${param}.name`,
      });
    return allowed.name;
  });
  if (choice.mode === 'required')
    addSystemInstruction(messages, 'Respond by calling one of the provided tools.');
  return { tools: tools.filter((tool) => names.includes(tool.name)).map(toOllamaTool), echo: choice };
}

function addSystemInstruction(messages: ChatMessage[], instruction: string): void {
  const first = messages[0];
  if (first?.role === 'system')
    first.content = first.content ? `${first.content}\n\n${instruction}` : instruction;
  else messages.unshift({ role: 'system', content: instruction });
}
