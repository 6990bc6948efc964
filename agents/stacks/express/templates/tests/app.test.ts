import request from "supertest";
import { startApi, type Api } from "./helpers";

describe("the API", () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it("answers its health check", async () => {
    const res = await request(api.app).get("/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("answers 405 with the allowed methods for a method the health check does not support", async () => {
    const res = await request(api.app).delete("/api/health");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET");
  });

  it("answers 404 with a JSON error for an unknown route", async () => {
    const res = await request(api.app).get("/api/no-such-thing");
    expect(res.status).toBe(404);
    expect(res.body.error).toContain("/api/no-such-thing");
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await request(api.app)
      .post("/api/no-such-thing")
      .set("Content-Type", "application/json")
      .send("{not json");
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("The request body is not valid JSON");
  });
});
