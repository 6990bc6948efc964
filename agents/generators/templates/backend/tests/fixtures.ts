import request from "supertest";
import { auth, type Api } from "./helpers";

export type Row = Record<string, unknown>;
export type Created = Row & { id: number };

let counter = 0;

/** A new number on every call, so that unique fields never collide. */
function nextNumber(): number {
  counter += 1;
  return counter;
}

async function create(api: Api, path: string, body: Row): Promise<Created> {
  const res = await request(api.app).post(path).set(auth(api)).send(body);
  if (res.status !== 201) {
    throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body as Created;
}
