import type { AppError } from '@ollama-gateway/runtime';

/** AppError → Ollama's error shape: `{"error":"…"}` (reference §1.5). */
export function toOllamaError(error: AppError): { error: string } {
  return { error: error.message };
}
