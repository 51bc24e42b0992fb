import { describe, expect, it } from 'vitest';
import { canGoNewer, currentCursor, firstPage, newer, older, pageNumber } from './cursor.js';

describe('cursor stack', () => {
  it('starts on the newest page', () => {
    const stack = firstPage();
    expect(currentCursor(stack)).toBeNull();
    expect(pageNumber(stack)).toBe(1);
    expect(canGoNewer(stack)).toBe(false);
    expect(newer(stack)).toBe(stack);
  });

  it('walks older and back', () => {
    const p2 = older(firstPage(), 'c2');
    const p3 = older(p2, 'c3');
    expect(currentCursor(p3)).toBe('c3');
    expect(pageNumber(p3)).toBe(3);
    expect(currentCursor(newer(p3))).toBe('c2');
    expect(currentCursor(newer(newer(p3)))).toBeNull();
    expect(canGoNewer(newer(newer(p3)))).toBe(false);
  });

  it('stays put at the last page', () => {
    const p2 = older(firstPage(), 'c2');
    expect(older(p2, null)).toBe(p2);
  });
});
