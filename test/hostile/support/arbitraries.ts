// fast-check generators for hostile bodies: malformed JSON, values of the wrong type, unknown fields, absurd numbers.
import fc from 'fast-check';
import { type FieldType, typeOf } from './endpoints.js';

/** Any JSON value, shallow enough to stay under the gateway's nesting limit. */
export const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** A value whose JSON type is not `type` (null excluded: most parsers read it as "absent"). */
export const wrongTypeFor = (type: FieldType) =>
  jsonValue.filter((value) => typeOf(value) !== type && value !== null);

const isInvalidJson = (text: string) => {
  if (!text.trim()) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
};

/** Text that is not JSON: a valid body cut short or spliced with junk, JS-isms, or random text. */
export const malformedJson = (valid: string) =>
  fc
    .oneof(
      fc.integer({ min: 1, max: Math.max(1, valid.length - 1) }).map((cut) => valid.slice(0, cut)),
      fc
        .tuple(fc.integer({ min: 0, max: valid.length }), fc.string({ minLength: 1, maxLength: 8 }))
        .map(([at, junk]) => valid.slice(0, at) + junk + valid.slice(at)),
      fc.constantFrom(
        "{'model':'llama3.2'}",
        '{model: "llama3.2"}',
        '{"model":"llama3.2",}',
        '{"model":NaN}',
        '{"model":undefined}',
        '{"a":1}{"b":2}',
        '\u0000',
        '{"model":"llama3.2"',
        '[',
        '}{',
      ),
      fc.string({ minLength: 1, maxLength: 200 }),
    )
    .filter(isInvalidJson);

/** Numbers no sane client sends. */
export const absurdNumber = fc.oneof(
  fc.constantFrom(-1, 0, -1e9, 1e9, 2 ** 31, 2 ** 53, 2 ** 64, 1e308, -1e308, 0.5, 1e-300, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  // The same, as a string: a client serialising numbers wrongly.
  fc.constantFrom('1e9', '-1', 'Infinity', 'NaN', ''),
);

/** Keys no endpoint knows (the known ones are filtered out by the caller), including prototype-polluting ones. */
export const unknownKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x'.repeat(300), '', ' ', 'ü🙂'),
  fc.string({ minLength: 1, maxLength: 30 }),
);
