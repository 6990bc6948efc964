import { z } from "zod";
import { toCents } from "./money";

// The same rules as the API contract (spec/openapi.json), so that what one accepts the other does.
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const URL = /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/;
const MONEY = /^-?[0-9]{1,9}(\.[0-9]{1,2})?$/;
const MAX_LINKED = 100;
// What the contract's `format: email` adds to that pattern (RFC 5321): dot-separated words of the
// allowed characters, "@", and a host name.
const MAILBOX =
  /^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*@[a-z\d]([a-z\d-]*[a-z\d])?(\.[a-z\d]([a-z\d-]*[a-z\d])?)+$/i;

// The contract counts characters as JSON Schema does (code points); a string's length in
// JavaScript counts UTF-16 units, in which an emoji is two.
function atMost(max: number) {
  return (text: string) => [...text].length <= max;
}

function atLeast(min: number) {
  return (text: string) => [...text].length >= min;
}

/** Text up to `max` characters, stored as sent. */
export function text(max: number) {
  return z.string().refine(atMost(max), `Use at most ${max} characters`);
}

/** Text up to `max` characters with at least one that is not a space, stored as sent. */
export function filledText(max: number) {
  return text(max).regex(/\S/, "Must not be blank");
}

/** An email address of up to `max` characters. */
export function email(max: number) {
  return text(max)
    .regex(EMAIL, "Must be an email address")
    .regex(MAILBOX, "Must be an email address");
}

/** An http:// or https:// address of up to `max` characters. */
export function url(max: number) {
  return text(max).regex(URL, "Must be an http:// or https:// address");
}

/** One of a choice's options, exactly as written. */
export function choice(options: readonly [string, ...string[]]) {
  return z.enum(options);
}

/** An amount of money as text ("12.5", "-3"), kept as whole cents so that it stays exact. */
export const money = z
  .string()
  .regex(MONEY, "Must be an amount with up to 9 digits and 2 decimals, sent as text")
  .transform(toCents);

/** A password of `min` to `max` characters. */
export function password(min: number, max: number) {
  return text(max).refine(atLeast(min), `Use at least ${min} characters`);
}

/** A whole number that fits the database's 32-bit integers. */
export const integer = z.int().min(INT32_MIN).max(INT32_MAX);

/** The id of a stored record. */
export const id = z.int().min(1).max(INT32_MAX);

/** The ids a many-to-many link lists: each at most once. */
export const ids = z
  .array(id)
  .max(MAX_LINKED)
  .refine((list) => new Set(list).size === list.length, "List each id once");

/** A decimal number within the contract's bounds, which every database driver stores as it is. */
export const number = z.number().min(-1e15).max(1e15);

export const boolean = z.boolean();

/** A calendar day, YYYY-MM-DD, stored as midnight UTC. */
export const date = z.iso.date().transform((day) => new Date(day));

/** An instant with its offset from UTC, e.g. 2030-01-02T09:30:00Z. */
export const dateTime = z.iso.datetime({ offset: true }).transform((at) => new Date(at));

/**
 * A route's id parameter: a whole number in digits within the range of stored ids; "5.0" is the
 * integer 5 to JSON Schema, so it is one too.
 */
export const pathId = z
  .string()
  .regex(/^\d{1,10}(\.0+)?$/)
  .transform(Number)
  .pipe(id);

/** A yes/no lookup in a query string. */
export const flag = z.enum(["true", "false"]).transform((value) => value === "true");
