/**
 * The description a chart mark carries (Vega renders it as the mark's `aria-label`), in one
 * fixed shape so a screen reader reads it and a test can parse it:
 * `subject; key: value; key: value`. Nothing may contain `;` (values are ids, times and
 * numbers); keys may not contain `:`.
 *
 * @example describeMark('green used', [['site', 'guian'], ['hour', '5'], ['MW', '0.235']])
 *   // 'green used; site: guian; hour: 5; MW: 0.235'
 */
export function describeMark(subject: string, fields: ReadonlyArray<readonly [key: string, value: string]>): string {
  return [subject, ...fields.map(([key, value]) => `${key}: ${value}`)].join('; ');
}
