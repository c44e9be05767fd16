/**
 * The cost table the image-normalization design implies: an hour of the normalizer on Lambda
 * (x86_64 and arm64, at the memory the stack configures) next to an hour of the GPU training
 * instance that would otherwise spend its time decoding and resizing (ml.p2.xlarge), from a pinned
 * price file (./prices.json). Pure: prices and settings in, rows and markdown out.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const PRICES_FILE = path.join(__dirname, "prices.json");

export interface PriceFile {
  region: string;
  currency: string;
  pinned: string;
  lambda: { perGbSecond: { x86_64: number; arm64: number }; perMillionRequests: number };
  sagemakerTrainingPerHour: Record<string, number>;
}

/** The instance the table compares with. */
export const GPU_INSTANCE = "ml.p2.xlarge";

/** Reads and checks the price file; throws naming the file and the field. */
export function readPrices(file = PRICES_FILE): PriceFile {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as PriceFile;
  const positive = (v: unknown, field: string) => {
    if (typeof v !== "number" || !(v > 0)) throw new Error(`${path.basename(file)}: ${field} must be a positive number; got ${JSON.stringify(v)}`);
  };
  positive(p.lambda?.perGbSecond?.x86_64, "lambda.perGbSecond.x86_64");
  positive(p.lambda?.perGbSecond?.arm64, "lambda.perGbSecond.arm64");
  positive(p.lambda?.perMillionRequests, "lambda.perMillionRequests");
  positive(p.sagemakerTrainingPerHour?.[GPU_INSTANCE], `sagemakerTrainingPerHour.${GPU_INSTANCE}`);
  return p;
}

export interface CostRow {
  compute: string;
  perHour: number;
  /** Share of the GPU instance's hourly price. */
  shareOfGpu: number;
  configured: boolean;
}

/** Rows: Lambda arm64 and x86_64 at `memoryMb` (an hour of run time), then the GPU instance. */
export function costRows(memoryMb: number, architecture: "arm64" | "x86_64", prices: PriceFile): CostRow[] {
  if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10240) throw new Error(`[memoryMb] must be a whole number from 128 to 10240; got ${memoryMb}`);
  const gpu = prices.sagemakerTrainingPerHour[GPU_INSTANCE];
  const lambda = (arch: "arm64" | "x86_64"): CostRow => {
    const perHour = (memoryMb / 1024) * 3600 * prices.lambda.perGbSecond[arch];
    return { compute: `Lambda ${arch}, ${memoryMb} MB`, perHour, shareOfGpu: perHour / gpu, configured: arch === architecture };
  };
  return [lambda("arm64"), lambda("x86_64"), { compute: `SageMaker ${GPU_INSTANCE} (training)`, perHour: gpu, shareOfGpu: 1, configured: false }];
}

/** The table as README shows it. */
export function costMarkdown(stack: string, memoryMb: number, architecture: "arm64" | "x86_64", prices: PriceFile): string {
  const rows = costRows(memoryMb, architecture, prices);
  const lines = [
    `| compute (stack \`${stack}\`: ${memoryMb} MB, ${architecture}) | ${prices.currency} per hour | share of ${GPU_INSTANCE} |`,
    "|---|---:|---:|",
    ...rows.map((r) => `| ${r.compute}${r.configured ? " (configured)" : ""} | ${r.perHour.toFixed(4)} | ${(r.shareOfGpu * 100).toFixed(1)} % |`),
  ];
  const arm = rows[0], x86 = rows[1];
  lines.push("", `Prices: ${path.basename(PRICES_FILE)} (${prices.region}, pinned ${prices.pinned}); Lambda adds ${prices.currency} ${prices.lambda.perMillionRequests} per million requests. arm64 costs ${((1 - arm.perHour / x86.perHour) * 100).toFixed(0)} % less than x86_64 per hour of run time.`);
  return lines.join("\n") + "\n";
}
