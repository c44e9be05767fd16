/**
 * The one log format of the Lambda handlers: one JSON object per line with `level` (INFO, WARN,
 * ERROR), `message` and the given fields. Handlers pass fields they chose, never a whole event.
 */
export type LogLevel = "INFO" | "WARN" | "ERROR";

/** The log line for `level`, `message` and `fields` (fields never override level or message). */
export function logLine(level: LogLevel, message: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...fields, level, message });
}

/** Writes one structured log line: INFO to stdout (`console.info`), WARN and ERROR to stderr. */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const line = logLine(level, message, fields);
  if (level === "ERROR") console.error(line);
  else if (level === "WARN") console.warn(line);
  else console.info(line);
}
