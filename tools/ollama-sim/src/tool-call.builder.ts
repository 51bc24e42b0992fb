import { randomBytes } from 'node:crypto';
import type { ToolCall, ToolDefinition } from './sim.types.js';
import { objectForSchema } from './text.generator.js';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `call_` + 8 random characters of [a-z0-9], like Ollama's toolCallId(). */
export function toolCallId(): string {
  const bytes = randomBytes(8);
  let id = 'call_';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** The arguments the simulator passes to a tool: built from `parameters.properties`, seeded by the tool's name. */
export function toolArguments(tool: ToolDefinition): Record<string, unknown> {
  return objectForSchema(tool.function.parameters, `tool:${tool.function.name}`);
}

/**
 * Which tools the reply calls, given the text of the last message when it is a user message:
 * `[[sim:tool=name]]` picks that tool, `[[sim:tool]]` the first one, otherwise every tool whose function name appears in
 * the text (in the order of `tools`).
 */
export function selectTools(tools: readonly ToolDefinition[], text: string): ToolDefinition[] {
  if (tools.length === 0) return [];
  const named = /\[\[sim:tool=([^\]]+)\]\]/.exec(text);
  if (named) {
    const wanted = named[1]?.trim();
    return tools.filter((t) => t.function.name === wanted);
  }
  if (text.includes('[[sim:tool]]')) return tools.slice(0, 1);
  return tools.filter((t) => t.function.name !== '' && text.includes(t.function.name));
}

export function buildToolCalls(tools: readonly ToolDefinition[]): ToolCall[] {
  return tools.map((tool, index) => ({
    id: toolCallId(),
    function: { index, name: tool.function.name, arguments: toolArguments(tool) },
  }));
}
