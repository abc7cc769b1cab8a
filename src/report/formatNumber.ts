const numberFormats = new Map<number, Intl.NumberFormat>();

/**
 * `x` with exactly `digits` decimals and en-US thousands separators (`12,345.6`); never prints
 * "-0". Non-finite numbers print as JavaScript does (`NaN`, `Infinity`).
 */
export function formatNumber(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  let format = numberFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(digits, format);
  }
  const text = format.format(x);
  return /^-[0.,]*$/.test(text) ? text.slice(1) : text;
}

/**
 * A quantity with a precision fitted to its size, as in the CLI's text summary: no decimals from
 * 1,000 up (and for 0), one from 10, two below (`12,345` / `123.4` / `1.23`).
 */
export function formatQuantity(x: number): string {
  return formatNumber(x, quantityDecimals(Math.abs(x)));
}

/** The decimals formatQuantity uses for a magnitude: 0 from 1,000 up and for 0, 1 from 10, else 2. */
export function quantityDecimals(magnitude: number): number {
  return magnitude >= 1000 || magnitude === 0 ? 0 : magnitude >= 10 ? 1 : 2;
}

/**
 * A value in a chart mark's description: four significant digits from 1 up, three decimals
 * below 1 (`0.235`, `5.123`, `12.35`, `123.5`, `1,235`), so the text is within half a unit of
 * its last digit of the true value.
 */
export function formatChartValue(x: number): string {
  const magnitude = Math.abs(x);
  const digits = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3;
  return formatNumber(x, digits);
}
