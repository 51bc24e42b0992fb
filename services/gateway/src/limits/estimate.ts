/**
 * The prompt-token estimate held against TPM and budgets while a request is in flight (the real count replaces it
 * when the request ends): the prompt serialized as JSON, in characters, divided by 4 and rounded up. Inline images
 * (`images` fields: base64) are left out — they would count megabytes of characters for a few hundred real tokens.
 */
export function estimatePromptTokens(prompt: unknown): number {
  if (prompt === undefined || prompt === null) return 0;
  const serialized =
    typeof prompt === 'string'
      ? prompt
      : JSON.stringify(prompt, (name, value) => (name === 'images' ? undefined : value));
  return serialized === undefined ? 0 : Math.ceil(serialized.length / 4);
}

/** A body's `options.num_predict` (Ollama's max tokens) when it is a positive number, else null. */
export function numPredictOf(body: unknown): number | null {
  const options = (body as { options?: { num_predict?: unknown } } | null)?.options;
  const value = options?.num_predict;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}
