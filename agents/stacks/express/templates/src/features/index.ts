import type { RequestHandler, Router } from "express";
import { readdirSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "../generated/prisma/client";

/*
 * Features: behaviour beyond records (a reminder sent the day before a loan is due), each in a
 * folder of its own beside this file, `src/features/<name>/index.ts`, with its tests in
 * `tests/features/<name>/`. The app finds them when it starts: adding a feature edits no other file.
 *
 * A model writes the features' folders and cannot run Prettier, so .prettierignore leaves them out:
 * a line wrapped differently is not worth a repair round. ESLint, tsc and the tests check them.
 */

/** What a feature's routes are given. */
export interface FeatureDeps {
  prisma: PrismaClient;
  /** Lets a request through only with a valid log-in, when the app has log-ins. */
  guard: RequestHandler;
}

/** What a scheduled job is given on each run. */
export interface JobDeps {
  prisma: PrismaClient;
  /** When this run happens: a test passes the moment it wants. */
  now: Date;
}

/** Work the server does on its own every `everyMinutes` minutes, and once when it starts. */
export interface Job {
  name: string;
  everyMinutes: number;
  run(deps: JobDeps): Promise<void>;
}

/** What a feature's index.ts exports: its routes, its scheduled jobs, or both. */
export interface FeatureModule {
  mount?: (router: Router, deps: FeatureDeps) => void;
  jobs?: Job[];
}

/** A feature found on disk: its folder's name, its routes if any, and its jobs. */
export interface Feature {
  name: string;
  mount?: (router: Router, deps: FeatureDeps) => void;
  jobs: Job[];
}

/** The features in the folders beside this file, by name; none when there are none. */
export function loadFeatures(folder = __dirname): Feature[] {
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return names.map((name) => {
    // A feature's folder is known only at run time, and the app is created synchronously, so the
    // module is required rather than imported (Node finds index.js in dist/, Jest index.ts in src/).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const found = require(path.join(folder, name)) as FeatureModule;
    return { name, mount: found.mount, jobs: found.jobs ?? [] };
  });
}

/** Each feature's routes on `router`, which the app mounts at its root. */
export function mountFeatures(router: Router, deps: FeatureDeps, features: Feature[]): Router {
  for (const feature of features) feature.mount?.(router, deps);
  return router;
}

/** Runs `job` once, now or at the moment given. */
export async function runJob(job: Job, prisma: PrismaClient, now = new Date()): Promise<void> {
  await job.run({ prisma, now });
}

/**
 * Starts every feature's jobs: once now, then every `everyMinutes`. A failing run is logged and the
 * job runs again next time; a run still going when the next is due is not started twice.
 * Returns a function that stops them. Only the server calls this: tests run a job with runJob.
 */
export function startJobs(features: Feature[], prisma: PrismaClient): () => void {
  const jobs = features.flatMap((feature) => feature.jobs);
  const timers = jobs.map((job) => {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await runJob(job, prisma);
      } catch (error) {
        console.error(`The job ${job.name} failed:`, error);
      } finally {
        running = false;
      }
    };
    void tick();
    return setInterval(() => void tick(), job.everyMinutes * 60_000);
  });
  return () => timers.forEach((timer) => clearInterval(timer));
}
