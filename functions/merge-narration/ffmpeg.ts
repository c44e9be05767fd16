/** FFmpeg concatenation without re-encoding (the concat demuxer with stream copy). */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** Quotes a path for a concat-demuxer list file. */
function listEntry(file: string): string {
  return `file '${path.resolve(file).replace(/'/g, "'\\''")}'`;
}

/**
 * Concatenates `inputs` (same codec, sample rate and channels: here MP3, 24 kHz, mono) into
 * `output` by copying the audio frames. Rejects with FFmpeg's own message on failure.
 */
export async function concatAudio(ffmpegPath: string, inputs: string[], output: string): Promise<void> {
  if (inputs.length === 0) throw new Error("concatAudio: no inputs");
  const list = `${output}.txt`;
  await fs.writeFile(list, inputs.map(listEntry).join("\n") + "\n");
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(ffmpegPath, ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", list, "-map", "0:a", "-c", "copy", "-f", "mp3", "-y", output],
        { maxBuffer: 1 << 20 },
        (err, _stdout, stderr) => err ? reject(new Error(`ffmpeg failed (${err.code ?? err.message}): ${String(stderr).trim().slice(0, 500)}`)) : resolve());
    });
  } finally {
    await fs.rm(list, { force: true });
  }
}
