/** Splits an NDJSON body into parsed objects; throws if a line is not JSON or the body does not end with "\n". */
export function parseNdjson<T = Record<string, unknown>>(body: string): T[] {
  if (body === '') return [];
  if (!body.endsWith('\n')) throw new Error('NDJSON body does not end with a newline');
  return body
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}
