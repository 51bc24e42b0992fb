import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { ChatMessage, ChatRequest } from '../../canonical/chat.types.js';

/** OpenAI `tools` and `tool_choice` (chat completions) → the tools sent to Ollama. */
const functionDefinition = z.object({
  name: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name must be 1-64 characters of a-z, A-Z, 0-9, _ and -'),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export const tool = z.object({
  type: z.string({ error: "expected a tool with type 'function'" }),
  function: functionDefinition.optional(),
});
const namedFunction = z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) });
export const toolChoice = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    namedFunction,
    z.object({
      type: z.literal('allowed_tools'),
      allowed_tools: z.object({ mode: z.enum(['auto', 'required']), tools: z.array(namedFunction) }),
    }),
    z.object({ type: z.literal('custom'), custom: z.object({ name: z.string() }) }),
  ],
  {
    error:
      "expected 'none', 'auto', 'required', {type: 'function', function: {name}} or {type: 'allowed_tools', allowed_tools: {mode, tools}}",
  },
);
export type ToolChoice = z.infer<typeof toolChoice>;

/**
 * tools and tool_choice. Ollama has no tool_choice, so each choice is enforced as far as it can be (documented in
 * docs/api.md): `none` sends no tools; `auto` (the default) sends them all; `required` sends them all with a system
 * instruction to call one; a named function sends only that tool with an instruction to call it; `allowed_tools`
 * sends the listed subset (with the instruction when its mode is `required`). The model may still answer in text.
 */
export function applyTools(
  tools: z.infer<typeof tool>[],
  choice: ToolChoice | undefined,
  request: ChatRequest,
): void {
  const functions = tools.map((entry, index) => {
    if (entry.type !== 'function')
      throw badRequest(
        `Invalid value for 'tools[${index}].type': '${entry.type}' tools are not supported by this gateway; only 'function' tools are.`,
        { param: `tools[${index}].type`, code: 'unsupported_parameter' },
      );
    if (!entry.function)
      throw badRequest(`Missing required parameter: 'tools[${index}].function'.`, {
        param: `tools[${index}].function`,
        code: 'missing_required_parameter',
      });
    return entry.function;
  });
  if (typeof choice === 'object' && choice.type === 'custom')
    throw badRequest("Invalid value for 'tool_choice': custom tools are not supported by this gateway.", {
      param: 'tool_choice',
      code: 'unsupported_parameter',
    });
  const forcing = choice !== undefined && choice !== 'none' && choice !== 'auto';
  if (forcing && functions.length === 0)
    throw badRequest(
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
      {
        param: 'tool_choice',
      },
    );
  if (functions.length === 0 || choice === 'none') return;

  let selected = functions;
  let instruction: string | undefined;
  const pick = (names: string[], param: string) =>
    names.map((name) => {
      const found = functions.find((fn) => fn.name === name);
      if (!found)
        throw badRequest(`Invalid value for '${param}': no function named '${name}' is in 'tools'.`, {
          param,
        });
      return found;
    });
  if (choice === 'required') instruction = 'Respond by calling one or more of the provided tools.';
  else if (typeof choice === 'object' && choice.type === 'function') {
    selected = pick([choice.function.name], 'tool_choice.function.name');
    instruction = `Respond by calling the tool "${choice.function.name}".`;
  } else if (typeof choice === 'object' && choice.type === 'allowed_tools') {
    selected = pick(
      choice.allowed_tools.tools.map((allowed) => allowed.function.name),
      'tool_choice.allowed_tools.tools',
    );
    if (choice.allowed_tools.mode === 'required')
      instruction = 'Respond by calling one or more of the provided tools.';
  }
  if (instruction) addSystemInstruction(request.messages, instruction);
  request.tools = selected.map((fn) => ({
    type: 'function',
    function: {
      name: fn.name,
      ...(fn.description != null ? { description: fn.description } : {}),
      parameters: fn.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

/** Appends the instruction to a leading system message, or adds one. */
function addSystemInstruction(messages: ChatMessage[], instruction: string): void {
  const first = messages[0];
  if (first?.role === 'system')
    first.content = first.content ? `${first.content}\n\n${instruction}` : instruction;
  else messages.unshift({ role: 'system', content: instruction });
}
