/** One structured JSON log line; callers pass only ids and figures, never whole events or object bodies. */
export function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "info") console.log(line);
  else console.error(line);
}
