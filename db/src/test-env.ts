// The one place test helpers read the environment: TEST_DATABASE_URL switches every test from
// the embedded PGlite to a real PostgreSQL server.
export function readTestDatabaseUrl(): string | undefined {
  const url = process.env['TEST_DATABASE_URL'];
  return url && url.length > 0 ? url : undefined;
}
