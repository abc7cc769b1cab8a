/** A JSON syntax error at a UTF-16 offset into the text. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const maxDepth = 512;
const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Parses strict JSON (RFC 8259) like JSON.parse, but every error carries the offset where it
 * happened (Node 20's JSON.parse often gives none), and a key repeated in one object is an error
 * instead of silently keeping the last value. A leading byte-order mark is skipped. Objects are
 * plain objects with own properties only (a `__proto__` key stays a data key). Nesting deeper
 * than 512 levels is an error rather than a stack overflow.
 *
 * @throws JsonSyntaxError
 */
export function parseStrictJson(text: string): unknown {
  return new StrictJsonParser(text).parseDocument();
}

class StrictJsonParser {
  private pos = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  parseDocument(): unknown {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail('empty input; expected a JSON value');
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the JSON value`);
    return value;
  }

  private parseValue(depth: number): unknown {
    if (depth > maxDepth) this.fail(`nesting deeper than ${maxDepth} levels`);
    const c = this.text[this.pos];
    if (c === '{') return this.parseObject(depth);
    if (c === '[') return this.parseArray(depth);
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    for (const [word, value] of literals) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected ${this.describeHere()}; expected a value (object, list, string, number, true, false or null)`);
  }

  private parseObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail(`unexpected ${this.describeHere()}; expected a double-quoted key`);
      const keyOffset = this.pos;
      const key = this.parseString();
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyOffset);
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(`unexpected ${this.describeHere()}; expected ':' after the key`);
      this.pos++;
      this.skipWhitespace();
      Object.defineProperty(result, key, { value: this.parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === '}') return result;
      if (next !== ',') this.fail(`unexpected ${this.describeAt(this.pos - 1)}; expected ',' or '}'`, this.pos - 1);
    }
  }

  private parseArray(depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === ']') return result;
      if (next !== ',') this.fail(`unexpected ${this.describeAt(this.pos - 1)}; expected ',' or ']'`, this.pos - 1);
    }
  }

  private parseString(): string {
    stringPattern.lastIndex = this.pos;
    const match = stringPattern.exec(this.text);
    if (match === null) return this.failInString();
    this.pos += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  /** Finds why the string starting at `pos` is not valid, for the message. */
  private failInString(): never {
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const code = this.text.charCodeAt(i);
      if (code === 0x22) break;
      if (code < 0x20) this.fail('control character (such as a newline or tab) inside a string; escape it', i);
      if (code === 0x5c) {
        if (!/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(this.text.slice(i + 1, i + 6))) this.fail('bad escape sequence in a string', i);
        i++;
      }
    }
    return this.fail('unterminated string');
  }

  private parseNumber(): number {
    numberPattern.lastIndex = this.pos;
    const match = numberPattern.exec(this.text);
    if (match === null) return this.fail(`unexpected ${this.describeHere()}; expected a number`);
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private skipWhitespace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.pos++;
    }
  }

  private describeHere(): string {
    return this.describeAt(this.pos);
  }

  private describeAt(offset: number): string {
    const c = this.text[offset];
    return c === undefined ? 'end of input' : `character ${JSON.stringify(c)}`;
  }

  private fail(message: string, offset = this.pos): never {
    throw new JsonSyntaxError(message, Math.min(offset, this.text.length));
  }
}

const literals: ReadonlyArray<readonly [string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
