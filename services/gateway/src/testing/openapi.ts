import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The OpenAI OpenAPI spec lives outside the repository (../shared); users' clones have none, so tests using it skip.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const OPENAI_SPEC_PATH = join(repoRoot, '../shared/specs/openai-openapi.yaml');
export const haveOpenAISpec = existsSync(OPENAI_SPEC_PATH);
export const SPEC_MISSING = 'skipped: ../shared/specs/openai-openapi.yaml is not in this checkout';

/**
 * Parses only the component schemas reachable from `root` (the whole 3 MB spec takes seconds to parse): splits
 * `components.schemas` into its top-level entries by indentation and follows `$ref`s.
 */
export function reachableSchemas(
  text: string,
  root: string,
  parse: (source: string) => unknown,
): Record<string, unknown> {
  const lines = text.slice(text.indexOf('\ncomponents:\n')).split('\n');
  const start = lines.indexOf('  schemas:');
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^ {0,2}\S/.test(line)) break; // the next components section
    const name = /^ {4}([^\s:#]+):\s*$/.exec(line)?.[1];
    if (name) {
      current = [];
      blocks.set(name, current);
    }
    current?.push(line);
  }
  const schemas: Record<string, unknown> = {};
  const queue = [root];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (name in schemas) continue;
    const block = blocks.get(name);
    if (!block) throw new Error(`schema ${name} not found in the spec`);
    const source = block.join('\n');
    schemas[name] = (parse(source) as Record<string, unknown>)[name];
    for (const match of source.matchAll(/\$ref: "?#\/components\/schemas\/([^"\s]+)"?/g))
      queue.push(match[1]!);
  }
  return schemas;
}

export interface SchemaValidator {
  (value: unknown): boolean;
  errors?: unknown[] | null;
}

/** A validator for one component schema of the OpenAI spec (ajv, 2020-12; formats not checked). */
export async function openAISchemaValidator(name: string): Promise<SchemaValidator> {
  const { parse } = await import('yaml');
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const schemas = reachableSchemas(readFileSync(OPENAI_SPEC_PATH, 'utf8'), name, parse);
  const ajv = new Ajv2020.default({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'openai.json', components: { schemas: nullableWithoutType(schemas) } });
  const validate = ajv.getSchema(`openai.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`${name} not found in the spec`);
  return validate as SchemaValidator;
}

/**
 * The spec has a few OpenAPI 3.0 leftovers that ajv reads differently from OpenAPI: `nullable: true` beside a `$ref`
 * (the stream chunk's `usage`), which ajv refuses without a `type`, becomes `anyOf: [<schema>, {type: "null"}]`; and a
 * nullable `enum` (the chunk's `finish_reason`) gets `null` added to the enum, which ajv's `nullable` does not do.
 * Other schemas with a `type` keep `nullable`, which ajv understands.
 */
function nullableWithoutType<T>(value: T): T {
  if (Array.isArray(value)) return value.map(nullableWithoutType) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = nullableWithoutType(item);
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null))
    out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] } as T;
  }
  return out as T;
}
