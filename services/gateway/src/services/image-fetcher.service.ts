import { badRequest } from '@ollama-gateway/runtime';
import { type HttpImageClient, ImageFetchError } from '../clients/http-image.client.js';
import type { RemoteImage } from '../dialects/openai/request.js';

/** Resolves the http(s) images of a chat request (IMAGE_URL_FETCH): downloads them and puts raw base64 in place. */
export interface ImageFetcher {
  resolve(images: RemoteImage[], signal: AbortSignal): Promise<void>;
}

export function createImageFetcher(deps: { client: HttpImageClient }): ImageFetcher {
  return {
    async resolve(images, signal) {
      await Promise.all(
        images.map(async (image) => {
          try {
            const fetched = await deps.client.fetch(image.url, signal);
            image.message.images![image.slot] = fetched.data.toString('base64');
          } catch (error) {
            if (!(error instanceof ImageFetchError)) throw error;
            // OpenAI answers 400 invalid_image_url when it cannot download an image.
            throw badRequest(`Error while downloading ${image.url}: ${error.message}.`, {
              param: image.param,
              code: 'invalid_image_url',
            });
          }
        }),
      );
    },
  };
}
