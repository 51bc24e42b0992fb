/**
 * How deeply a request body may nest. Real requests (messages, tools, JSON schemas) stay far below it; a body nested
 * thousands of levels deep parses fine but later overflows the stack wherever it is serialised again (the request-log
 * job, the spool), which lost that event and every other event batched with it. Refusing it up front is a 400.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether a parsed JSON value nests deeper than `max` arrays/objects. Iterative: it cannot overflow itself. */
export function jsonDepthExceeds(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export const TOO_DEEP_MESSAGE = `The JSON body is nested too deeply: at most ${MAX_JSON_DEPTH} levels of arrays and objects are accepted.`;
