import request from "supertest";
%%IMPORT_FIXTURES%%
import { auth, startApi, type Api } from "./helpers";

// One user's walk through the whole API: every kind of record created in an order where
// what it points at exists first, listed, changed, then deleted in reverse order.
describe("a walk through the whole API", () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  async function post(path: string, body: Row): Promise<Created> {
    const res = await request(api.app).post(path).set(auth(api)).send(body);
    expect(res.status).toBe(201);
    return res.body as Created;
  }

  async function put(path: string, body: Row): Promise<void> {
    const res = await request(api.app).put(path).set(auth(api)).send(body);
    expect(res.status).toBe(200);
  }

  async function remove(path: string): Promise<void> {
    const res = await request(api.app).delete(path).set(auth(api));
    expect(res.status).toBe(204);
  }

  async function expectListed(path: string, id: number): Promise<void> {
    const res = await request(api.app).get(path);
    expect(res.body.map((row: Created) => row.id)).toContain(id);
  }

  it("creates, lists, changes and deletes every kind of record", async () => {
%%CREATE%%

%%LIST%%

%%CHANGE%%

%%DELETE%%
  });
});
