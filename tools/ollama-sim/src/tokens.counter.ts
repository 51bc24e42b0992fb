/** Whitespace-separated words in a string. */
export function wordCount(text: string | undefined | null): number {
  if (!text) return 0;
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      count++;
    }
  }
  return count;
}

/**
 * prompt_eval_count of a chat: for every message, the words of its content plus 4 (the template's role markers).
 * /api/generate counts `[system?, prompt, suffix?]` as messages in the same way (see README).
 */
export function promptTokenCount(messages: ReadonlyArray<{ content?: string | null }>): number {
  let total = 0;
  for (const m of messages) total += wordCount(m.content) + 4;
  return total;
}

/** prompt_eval_count contributed by one /api/embed input: its words plus 2 (BOS and EOS). */
export function embedTokenCount(input: string): number {
  return wordCount(input) + 2;
}
