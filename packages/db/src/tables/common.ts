import type { ColumnType } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz the database fills in by default. */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric: pg returns a string (exact decimal); written as number or string. */
export type Numeric = ColumnType<string, number | string, number | string>;
export type GeneratedNumeric = ColumnType<string, number | string | undefined, number | string>;
/** int8: pg returns a string; written as number, bigint or string. */
export type Int8 = ColumnType<string, number | bigint | string, number | bigint | string>;
export type GeneratedInt8 = ColumnType<
  string,
  number | bigint | string | undefined,
  number | bigint | string
>;
/** An identity or generated column: never written. */
export type ReadOnly<T> = ColumnType<T, never, never>;
/** A column with a database default. */
export type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** jsonb: any JSON value. */
export type Json = ColumnType<unknown, string | null, string | null>;
