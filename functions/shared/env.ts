/**
 * Environment access for Lambda handlers: read once at module load (cold start) so a missing
 * variable fails the first invocation with a message naming it, never a later one half-way through.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new Error(`environment variable ${name} is required but not set`);
  }
  return value;
}

export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === "" ? fallback : value;
}
