import bcrypt from "bcryptjs";
import { Router, type RequestHandler } from "express";
import jwt from "jsonwebtoken";
import { z } from "zod";
import { HttpError } from "./errors";
import type { PrismaClient } from "./generated/prisma/client";

/** The logged-in account, as route handlers find it in `res.locals.user`. */
export interface AuthUser {
  id: number;
  email: string;
  role: string;
}

const credentials = z.object({
  email: z.email().max(200),
  password: z.string().min(8, "Use at least 8 characters").max(200),
});

function issueToken(user: AuthUser, secret: string): string {
  return jwt.sign({ sub: String(user.id), email: user.email, role: user.role }, secret, {
    algorithm: "HS256",
    expiresIn: "12h",
  });
}

/** Lets a request through only with a valid `Authorization: Bearer <token>` header. */
export function requireAuth(secret: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get("authorization") ?? "";
    if (!header.startsWith("Bearer ")) {
      next(new HttpError(401, "Log in first: send an Authorization: Bearer <token> header"));
      return;
    }
    try {
      const claims = jwt.verify(header.slice(7), secret, { algorithms: ["HS256"] });
      if (typeof claims === "string") throw new Error("unexpected token payload");
      const user: AuthUser = {
        id: Number(claims.sub),
        email: String(claims.email),
        role: String(claims.role),
      };
      res.locals.user = user;
      next();
    } catch {
      next(new HttpError(401, "The token is invalid or has expired; log in again"));
    }
  };
}

/** POST /register and /login answer `{ token, user }`; GET /me answers the token's account. */
export function authRoutes(prisma: PrismaClient, secret: string): Router {
  const router = Router();
  const profile = { id: true, email: true, role: true } as const;

  router.post("/register", async (req, res) => {
    const { email, password } = credentials.parse(req.body);
    const passwordHash = await bcrypt.hash(password, 10);
    const user = await prisma.%%AUTH_DELEGATE%%.create({
      data: { email: email.toLowerCase(), passwordHash },
      select: profile,
    });
    res.status(201).json({ token: issueToken(user, secret), user });
  });

  router.post("/login", async (req, res) => {
    const { email, password } = credentials.parse(req.body);
    const account = await prisma.%%AUTH_DELEGATE%%.findUnique({ where: { email: email.toLowerCase() } });
    if (!account || !(await bcrypt.compare(password, account.passwordHash))) {
      throw new HttpError(401, "Wrong email or password");
    }
    const user: AuthUser = { id: account.id, email: account.email, role: account.role };
    res.json({ token: issueToken(user, secret), user });
  });

  router.get("/me", requireAuth(secret), (_req, res) => {
    res.json({ user: res.locals.user as AuthUser });
  });

  return router;
}
