import type { ShiftMode } from './paperExperiment.js';
import { publishedTolerancePp } from './publishedSavings.js';
import { carbonIntensityAttribution } from './readCarbonIntensityCsv.js';

/** One row of the reproduction table: a zone, a job length and a mode. */
export interface PaperTableRow {
  zone: string;
  jobHours: number;
  mode: ShiftMode;
  publishedPercent: number;
  coschedPercent: number;
  bruteForcePercent: number;
  /** Plans solved for the row and how many passed the independent check. */
  plans: number;
  plansPassed: number;
  /** Failures of cosched's plans for the row (each makes the row fail). */
  failures: number;
  /** Arrivals whose planned emissions differ from the brute force's by more than 1e-6 relative. */
  jobMismatches: number;
}

/**
 * True when the row reproduces the paper: cosched and the brute force are both within
 * `publishedTolerancePp` of the published value, every plan passed with no failure, and every
 * job's planned emissions equal the brute force's.
 */
export function paperRowPasses(row: PaperTableRow): boolean {
  return (
    Math.abs(row.coschedPercent - row.publishedPercent) <= publishedTolerancePp &&
    Math.abs(row.bruteForcePercent - row.publishedPercent) <= publishedTolerancePp &&
    row.failures === 0 &&
    row.jobMismatches === 0 &&
    row.plansPassed === row.plans
  );
}

/**
 * Renders the rows as a Markdown table (saving % to 4 decimals, differences in percentage points),
 * followed by the data attribution line, which must accompany any output of the data.
 */
export function formatPaperTable(rows: readonly PaperTableRow[]): string {
  const lines = [
    '| zone | J (h) | mode | published % | cosched % | brute force % | cosched − published (pp) | cosched − brute force (pp) | jobs ≠ brute force | plans passed | result |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((row) =>
      `| ${row.zone} | ${row.jobHours} | ${row.jobHours === 1 ? 'defer = interrupt' : row.mode} | ${row.publishedPercent.toFixed(2)} | ${row.coschedPercent.toFixed(4)} | ${row.bruteForcePercent.toFixed(4)} | ${signed(row.coschedPercent - row.publishedPercent, 4)} | ${signed(row.coschedPercent - row.bruteForcePercent, 6)} | ${row.jobMismatches} | ${row.plansPassed}/${row.plans} | ${paperRowPasses(row) ? 'pass' : 'FAIL'} |`,
    ),
    '',
    carbonIntensityAttribution,
  ];
  return lines.join('\n');
}

function signed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  const text = x.toFixed(digits);
  return /^-?0\.0+$/.test(text) ? (0).toFixed(digits) : x > 0 ? `+${text}` : text;
}
