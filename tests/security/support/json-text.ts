// JSON written out by hand, so generated bodies can hold what JSON.stringify cannot produce: number
// literals beyond double precision or in exponent form, duplicate keys, and `__proto__` as an
// ordinary key (which an object literal would turn into a prototype instead).

/** Text put into the body verbatim (a number literal, a deeply nested structure). */
export class JsonLiteral {
  constructor(readonly text: string) {}
  toString(): string {
    return `JsonLiteral(${abbreviate(this.text)})`;
  }
}

/** An object as an ordered list of entries: keys may repeat and may be `__proto__`. */
export class JsonObject {
  constructor(readonly entries: [string, JsonValue][]) {}
  with(key: string, value: JsonValue): JsonObject {
    const i = this.entries.findIndex(([k]) => k === key);
    return new JsonObject(i < 0 ? [...this.entries, [key, value]] : this.entries.map((e, j) => (j === i ? [key, value] : e)));
  }
  without(keys: string[]): JsonObject {
    return new JsonObject(this.entries.filter(([k]) => !keys.includes(k)));
  }
  keys(): string[] {
    return this.entries.map(([k]) => k);
  }
  toString(): string {
    return abbreviate(jsonText(this));
  }
}

export type JsonValue = null | boolean | number | string | JsonLiteral | JsonObject | JsonValue[];

export function jsonText(value: JsonValue): string {
  if (value instanceof JsonLiteral) return value.text;
  if (value instanceof JsonObject) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  // NaN and Infinity have no JSON form; JSON.stringify writes null for them, so does this.
  return JSON.stringify(value);
}

export function abbreviate(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}
