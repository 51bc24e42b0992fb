import { notFound } from '@ollama-gateway/runtime';

/** OpenAI's wording for a model that is missing or that the key may not use (the two are not told apart). */
export const modelNotFound = (model: string) =>
  notFound(`The model \`${model}\` does not exist or you do not have access to it.`, {
    code: 'model_not_found',
  });
