/**
 * Keyset paging for the request log. The server gives only a `nextCursor` (older page); going back to newer pages
 * means remembering the cursors used so far. `cursors[i]` is the cursor that fetched page i (page 0 has none).
 */
export interface CursorStack {
  readonly cursors: readonly (string | null)[];
}

export const firstPage = (): CursorStack => ({ cursors: [null] });

/** The cursor for the page being shown (null on the newest page). */
export function currentCursor(stack: CursorStack): string | null {
  return stack.cursors[stack.cursors.length - 1] ?? null;
}

/** 1-based page number. */
export function pageNumber(stack: CursorStack): number {
  return stack.cursors.length;
}

export function canGoNewer(stack: CursorStack): boolean {
  return stack.cursors.length > 1;
}

/** Go to the older page the server pointed at; a null cursor (last page) leaves the stack as it is. */
export function older(stack: CursorStack, nextCursor: string | null): CursorStack {
  return nextCursor ? { cursors: [...stack.cursors, nextCursor] } : stack;
}

export function newer(stack: CursorStack): CursorStack {
  return canGoNewer(stack) ? { cursors: stack.cursors.slice(0, -1) } : stack;
}
