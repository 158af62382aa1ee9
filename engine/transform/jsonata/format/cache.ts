/**
 * A small bounded cache for parsed pictures. Mappings call the same picture once per message, so parsing it once
 * matters; a runaway set of distinct pictures (built from data) must not grow memory without bound.
 */
export class PictureCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly limit = 500) {}

  /** Returns the cached value for `key`, computing (and caching) it with `make` on a miss. */
  get(key: string, make: (key: string) => T): T {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make(key);
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(key, value);
    }
    return value;
  }
}
