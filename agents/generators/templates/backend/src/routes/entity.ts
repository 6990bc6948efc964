import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { HttpError } from "../errors";
import type { PrismaClient } from "../generated/prisma/client";
import { parseId } from "./params";

/** What a client sends to create one; an update may send any part of it. */
export const %%VAR%%Input = z.object({
%%SHAPE%%
});

%%SIGNATURE%%
  const router = Router();

  router.get("/", async (_req, res) => {
    res.json(await prisma.%%VAR%%.findMany({ orderBy: { id: "asc" } }));
  });

  router.get("/:id", async (req, res) => {
    const id = parseId(req.params.id);
    const item = await prisma.%%VAR%%.findUnique({ where: { id } });
    if (!item) throw new HttpError(404, %%LABEL%%);
    res.json(item);
  });

  router.post("/", guard, async (req, res) => {
    const data = %%VAR%%Input.parse(req.body);
    res.status(201).json(await prisma.%%VAR%%.create({ data }));
  });

  router.put("/:id", guard, async (req, res) => {
    const id = parseId(req.params.id);
    const data = %%VAR%%Input.partial().parse(req.body);
    res.json(await prisma.%%VAR%%.update({ where: { id }, data }));
  });

  router.delete("/:id", guard, async (req, res) => {
    await prisma.%%VAR%%.delete({ where: { id: parseId(req.params.id) } });
    res.status(204).end();
  });

  return router;
}
