import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Document, Scalar, visit } from 'yaml';

/** Generated scenario files stay small enough to commit and to read in a diff. */
export const maxScenarioBytes = 200_000;

/**
 * Writes a PlanRequest tree (proto3 JSON field names) as a YAML scenario file, in the layout of
 * scenarios/two-hubs-48h.yaml: `header` as a `#` comment block, a blank line, then the tree with
 * every all-number array on one line and every timestamp string double-quoted. The output depends
 * only on the arguments, so regenerating gives the same bytes.
 *
 * @returns the number of bytes written.
 * @throws Error if the text would exceed `maxScenarioBytes` (nothing is written then).
 */
export function writeScenarioYaml(outPath: string, header: string, request: object): number {
  const doc = new Document(request);
  visit(doc, {
    Seq(_, node) {
      if (node.items.length > 0 && node.items.every((item) => typeof (item as Scalar).value === 'number')) node.flow = true;
    },
    Scalar(_, node) {
      if (typeof node.value === 'string' && /^\d{4}-\d\d-\d\dT/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const comment = header
    .split('\n')
    .map((line) => (line ? `# ${line}` : '#'))
    .join('\n');
  const text = `${comment}\n\n${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
  const bytes = Buffer.byteLength(text);
  if (bytes > maxScenarioBytes) throw new Error(`${outPath}: ${bytes} bytes, more than the ${maxScenarioBytes} allowed for a committed scenario`);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, text);
  return bytes;
}
