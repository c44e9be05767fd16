// lib/: small pure modules below every other folder (no resources, no Pulumi config).
/**
 * Pulumi hands JSON-typed values (objects in config, policies and provider settings in inputs)
 * around as strings: parses a string that holds a JSON object or array, returns anything else as is.
 */
export function decodeJson(value: unknown): any {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
