import type { GenerationPlan } from './generation.plan.js';
import { sha256Hex, VOCABULARY } from './text.generator.js';

/** api.TokenLogprob: `bytes` is omitempty in Ollama; the simulator always fills it. */
export interface SimTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/** api.Logprob: the embedded TokenLogprob fields, then `top_logprobs` (omitempty: absent when none were asked for). */
export interface SimLogprob extends SimTokenLogprob {
  top_logprobs?: SimTokenLogprob[];
}

const encoder = new TextEncoder();
const entry = (token: string, logprob: number): SimTokenLogprob => ({
  token,
  logprob,
  bytes: [...encoder.encode(token)],
});

/**
 * Deterministic log probabilities for the tokens of a reply: the chosen token's logprob is in (-2, 0], seeded by the
 * conversation key, the position and the token. `top` alternatives (0–20) start with the chosen token itself, then
 * vocabulary words, each less likely than the one before.
 */
export function tokenLogprobs(key: string, tokens: readonly string[], top: number): SimLogprob[] {
  return tokens.map((token, position) => {
    const hash = sha256Hex(`logprob:${key}:${position}:${token}`);
    const logprob = -(Number.parseInt(hash.slice(0, 6), 16) % 2000) / 1000;
    const out: SimLogprob = entry(token, logprob);
    if (top > 0) {
      const alternatives = [entry(token, logprob)];
      for (let i = 1; alternatives.length < top; i++) {
        const word =
          VOCABULARY[Number.parseInt(hash.slice(6 + i * 2, 8 + i * 2) || '0', 16) % VOCABULARY.length]!;
        const candidate = position === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`;
        if (alternatives.some((alt) => alt.token === candidate)) continue;
        alternatives.push(entry(candidate, Math.round((logprob - i * 0.75) * 1000) / 1000));
        if (i > 40) break;
      }
      out.top_logprobs = alternatives;
    }
    return out;
  });
}

/** Annotates each content step of a plan with its token's logprobs (thinking and tool-call steps get none). */
export function withLogprobs(plan: GenerationPlan, key: string, top: number): GenerationPlan {
  const contents = plan.steps.filter((step) => step.kind === 'content');
  const logprobs = tokenLogprobs(
    key,
    contents.map((step) => step.text),
    top,
  );
  let next = 0;
  return {
    ...plan,
    steps: plan.steps.map((step) =>
      step.kind === 'content' ? { ...step, logprobs: [logprobs[next++]!] } : step,
    ),
  };
}
