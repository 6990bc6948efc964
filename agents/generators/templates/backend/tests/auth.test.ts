import request from "supertest";
import { startApi, type Api } from "./helpers";

describe("/api/auth", () => {
  let api: Api;
  const password = "correct-horse-battery";

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it("registers an account and returns a token", async () => {
    const res = await request(api.app)
      .post("/api/auth/register")
      .send({ email: "ada@example.com", password });
    expect(res.status).toBe(201);
    expect(typeof res.body.token).toBe("string");
    expect(res.body.user).toMatchObject({ email: "ada@example.com" });
    expect(res.body.user.passwordHash).toBeUndefined();
  });

  it("refuses a second account with the same email", async () => {
    await request(api.app).post("/api/auth/register").send({ email: "bo@example.com", password });
    const res = await request(api.app)
      .post("/api/auth/register")
      .send({ email: "BO@example.com", password });
    expect(res.status).toBe(409);
  });

  it("refuses a password shorter than 8 characters", async () => {
    const res = await request(api.app)
      .post("/api/auth/register")
      .send({ email: "cy@example.com", password: "short" });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe("password");
  });

  it("logs in with the right password", async () => {
    await request(api.app).post("/api/auth/register").send({ email: "di@example.com", password });
    const res = await request(api.app)
      .post("/api/auth/login")
      .send({ email: "di@example.com", password });
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe("string");
  });

  it("refuses a wrong password", async () => {
    await request(api.app).post("/api/auth/register").send({ email: "ed@example.com", password });
    const res = await request(api.app)
      .post("/api/auth/login")
      .send({ email: "ed@example.com", password: "wrong-password" });
    expect(res.status).toBe(401);
  });

  it("shows the account behind a token", async () => {
    const res = await request(api.app)
      .get("/api/auth/me")
      .set("Authorization", `Bearer ${api.token}`);
    expect(res.status).toBe(200);
    expect(res.body.user.email).toMatch(/@example\.com$/);
  });

  it("refuses a forged token", async () => {
    const res = await request(api.app)
      .get("/api/auth/me")
      .set("Authorization", "Bearer not.a.token");
    expect(res.status).toBe(401);
  });
});
