import express, { Router, type RequestHandler } from "express";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import request from "supertest";
import { loadFeatures, mountFeatures, runJob } from "../src/features";
import { startApi, type Api } from "./helpers";

// A feature as the build leaves it in dist/features/<name>/index.js: a job, and a route that
// answers when the job ran.
const HELLO = `
const ran = [];
exports.mount = (router, deps) => {
  router.get("/api/features/hello", deps.guard, (_req, res) => res.json({ ran }));
};
exports.jobs = [{ name: "remember", everyMinutes: 5, run: async ({ now }) => ran.push(now) }];
`;

const open: RequestHandler = (_req, _res, next) => next();

describe("features", () => {
  let api: Api;
  let folder: string;

  beforeAll(async () => {
    api = await startApi();
    folder = mkdtempSync(path.join(tmpdir(), "features-"));
    mkdirSync(path.join(folder, "hello"));
    writeFileSync(path.join(folder, "hello", "index.js"), HELLO);
    writeFileSync(path.join(folder, "README.md"), "Not a feature: only folders are.\n");
  });

  afterAll(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("finds each feature in a folder of its own, with its jobs", () => {
    const features = loadFeatures(folder);
    expect(features.map((feature) => feature.name)).toEqual(["hello"]);
    expect(features[0].jobs.map((job) => job.name)).toEqual(["remember"]);
  });

  it("mounts a feature's routes behind the guard it is given", async () => {
    const refuse: RequestHandler = (_req, res) => {
      res.status(401).json({ error: "Log in first" });
    };
    for (const [guard, status] of [
      [refuse, 401],
      [open, 200],
    ] as const) {
      const app = express();
      app.use(mountFeatures(Router(), { prisma: api.prisma, guard }, loadFeatures(folder)));
      expect((await request(app).get("/api/features/hello")).status).toBe(status);
    }
  });

  it("runs a job once at the moment given", async () => {
    const features = loadFeatures(folder);
    const app = express();
    app.use(mountFeatures(Router(), { prisma: api.prisma, guard: open }, features));
    await runJob(features[0].jobs[0], api.prisma, new Date("2030-05-06T07:08:09Z"));
    const res = await request(app).get("/api/features/hello");
    expect(res.body).toEqual({ ran: ["2030-05-06T07:08:09.000Z"] });
  });
});
