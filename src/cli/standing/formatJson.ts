/** A proto3 JSON value as the CLI prints it: indented by two spaces, ending in a newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
