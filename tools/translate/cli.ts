/**
 * `npm run -s translate -- --file <text> --to <lang> [--from <lang>] [--formality FORMAL|INFORMAL] [--dry-run]`
 *
 * Translates a UTF-8 text file with profanity masked, through the same chunking and request code as
 * the platform's translate function (functions/translate-text). With `--dry-run` it prints the
 * chunks as one JSON array `[{"index": 0, "bytes": …, "text": …}, …]` and calls nothing; without it,
 * it calls Amazon Translate with the caller's credentials (default chain, region from AWS_REGION
 * or `--region`) and prints the masked translation. Targets for which Translate cannot mask
 * profanity are refused, with or without `--dry-run`.
 *
 * Exit status: 0 ok, 1 Translate refused or failed, 2 usage error (one line on stderr).
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { TranslateClient } from "@aws-sdk/client-translate";
import { chunkText, TRANSLATE_MAX_BYTES } from "../../functions/translate-text/chunk";
import { checkLanguages, translateMasked, TranslateError, type Formality } from "../../functions/translate-text/core";

export const USAGE = "usage: npm run -s translate -- --file <text> --to <lang> [--from <lang>] [--formality FORMAL|INFORMAL] [--region <region>] [--dry-run]";

export const HELP = `${USAGE}

Translates a UTF-8 text file with Amazon Translate, profanity always masked (?$#@$). Texts over
TranslateText's 10,000-byte limit are split at sentence ends (Intl.Segmenter), translated in
order, at most 4 requests at a time, and joined.

  --file <path>          UTF-8 text to translate (required)
  --to <lang>            target language code, e.g. de (required); refused when Translate cannot
                         mask profanity in it (bn, hi, ml, pa, si, vi) or it is the source language
  --from <lang>          source language code (default: auto, detected by Translate)
  --formality <level>    FORMAL or INFORMAL, for targets that support it (default: none)
  --region <region>      region of Translate (default: AWS_REGION or the SDK's configuration)
  --dry-run              print the chunks as JSON [{"index","bytes","text"}] and call nothing
  -h, --help             show this help

Exit status: 0 ok, 1 Translate refused or failed, 2 usage error.
`;

export class UsageError extends Error {}

export interface CliOptions {
  file: string;
  to: string;
  from?: string;
  formality?: Formality;
  region?: string;
  dryRun: boolean;
  help: boolean;
}

export function parseCli(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        file: { type: "string" },
        to: { type: "string" },
        from: { type: "string" },
        formality: { type: "string" },
        region: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  if (values.help) return { file: "", to: "", dryRun: false, help: true };
  if (!values.file) throw new UsageError("--file <text> is required");
  if (!values.to) throw new UsageError("--to <lang> is required");
  const formality = values.formality === undefined ? undefined : String(values.formality).toUpperCase();
  if (formality !== undefined && formality !== "FORMAL" && formality !== "INFORMAL") {
    throw new UsageError(`--formality must be FORMAL or INFORMAL; got '${values.formality}'`);
  }
  return {
    file: String(values.file),
    to: String(values.to),
    ...(values.from !== undefined ? { from: String(values.from) } : {}),
    ...(formality !== undefined ? { formality: formality as Formality } : {}),
    ...(values.region !== undefined ? { region: String(values.region) } : {}),
    dryRun: Boolean(values["dry-run"]),
    help: false,
  };
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (file: string) => Buffer;
  client: (region?: string) => Pick<TranslateClient, "send">;
}

export const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readFile: (file) => fs.readFileSync(file),
  client: (region) => new TranslateClient({ ...(region ? { region } : {}), maxAttempts: 1 }),
};

/** Runs the command; returns the exit status. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let opts: CliOptions;
  let text: string;
  try {
    opts = parseCli(argv);
    if (opts.help) {
      io.stdout(HELP);
      return 0;
    }
    // Language refusals are the user's to fix: checked before reading or calling anything.
    checkLanguages({ targetLanguage: opts.to, sourceLanguage: opts.from }, { target: "--to", source: "--from" });
    let bytes: Buffer;
    try {
      bytes = io.readFile(opts.file);
    } catch (err) {
      throw new UsageError(`--file ${opts.file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new UsageError(`--file ${opts.file}: is not valid UTF-8 text`);
    }
    if (text.trim() === "") throw new UsageError(`--file ${opts.file}: is empty`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof TranslateError) {
      io.stderr(`translate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  if (opts.dryRun) {
    io.stdout(`${JSON.stringify(chunkText(text, { maxBytes: TRANSLATE_MAX_BYTES, locale: opts.from }), null, 2)}\n`);
    return 0;
  }
  try {
    const result = await translateMasked({
      text,
      targetLanguage: opts.to,
      ...(opts.from !== undefined ? { sourceLanguage: opts.from } : {}),
      ...(opts.formality !== undefined ? { formality: opts.formality } : {}),
    }, io.client(opts.region));
    io.stdout(result.translatedText.endsWith("\n") ? result.translatedText : `${result.translatedText}\n`);
    return 0;
  } catch (err) {
    io.stderr(`translate: ${(err as Error).message.split("\n")[0]}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    process.stderr.write(`translate: ${(err as Error).message.split("\n")[0]}\n`);
    process.exit(1);
  });
}
