import { createApp } from "./app";
import { createPrisma } from "./db";

const jwtSecret = process.env.JWT_SECRET;
if (!jwtSecret) {
  console.error("JWT_SECRET is not set: export a long random value before starting the API.");
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);
const prisma = createPrisma(process.env.DATABASE_URL ?? "file:./dev.db");

createApp({ prisma, jwtSecret }).listen(port, () => {
  console.log(`API listening on http://localhost:${port}`);
});
