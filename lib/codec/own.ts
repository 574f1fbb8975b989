/**
 * Building objects from outside data without touching prototypes.
 *
 * @module
 */

/**
 * Sets `target[key] = value` as an own, enumerable property. A `"__proto__"`
 * key from a peer stays data: plain assignment would call the `__proto__`
 * setter and change the object's prototype instead.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  } else target[key] = value;
}
