import { createApp } from "./app";
import { createPrisma } from "./db";

const port = Number(process.env.PORT ?? 3000);
const prisma = createPrisma(process.env.DATABASE_URL ?? "file:./dev.db");

createApp({ prisma }).listen(port, () => {
  console.log(`API listening on http://localhost:${port}`);
});
