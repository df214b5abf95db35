import { defineConfig } from 'prisma/config';

// `env('DATABASE_URL')` would throw when the variable is unset, and `prisma
// generate` needs no database at all, so the url is only passed through when
// there is one. Migrations do not go through the CLI (see db/migrations.ts).
const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(url ? { datasource: { url } } : {}),
});
