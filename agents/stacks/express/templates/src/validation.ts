import { z } from "zod";

// The same rules as the API contract (spec/openapi.json), so that what one accepts the other does.
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
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

/** A password of `min` to `max` characters. */
export function password(min: number, max: number) {
  return text(max).refine(atLeast(min), `Use at least ${min} characters`);
}

/** A whole number that fits the database's 32-bit integers. */
export const integer = z.int().min(INT32_MIN).max(INT32_MAX);

/** The id of a stored record. */
export const id = z.int().min(1).max(INT32_MAX);

export const number = z.number();

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
