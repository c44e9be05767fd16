/**
 * Pulumi hands JSON-typed inputs (policies, provider settings) around as strings. `decodeJson`
 * parses a string that holds a JSON object or array and returns anything else unchanged.
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
