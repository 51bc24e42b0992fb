/** POSTs JSON notifications (budget soft limit) to operator- or customer-configured URLs. */
export interface WebhookClient {
  /** Resolves with the HTTP status; rejects on a network error or timeout. */
  post(url: string, body: unknown): Promise<number>;
}

export function createWebhookClient(options: { timeoutMs: number }): WebhookClient {
  return {
    async post(url, body) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'ollama-gateway-webhook/1' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel();
      return response.status;
    },
  };
}
