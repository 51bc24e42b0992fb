/**
 * A model name as hosts are compared on it: lower case, `:latest` when no tag is given (`llama3.2` and
 * `Llama3.2:latest` are one model, as Ollama resolves them).
 */
export function modelKey(name: string): string {
  const trimmed = name.trim().toLowerCase();
  const slash = trimmed.lastIndexOf('/');
  const colon = trimmed.lastIndexOf(':');
  return colon > slash ? trimmed : `${trimmed}:latest`;
}
