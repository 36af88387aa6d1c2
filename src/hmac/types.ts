/**
 * The one interface through which the core computes HMAC-SHA256. Two
 * implementations exist, `node.ts` (node:crypto) and `web.ts` (WebCrypto);
 * the build picks one per export condition, so an edge bundle never sees a
 * `node:crypto` import.
 */
export interface HmacBackend<Key = unknown> {
  readonly name: 'node:crypto' | 'webcrypto'
  /** Prepares a key from a secret (a string stands for its UTF-8 bytes), once per secret. */
  importKey(secret: string | Uint8Array): Key | Promise<Key>
  /** HMAC-SHA256 over `prefix` (ASCII) followed by `body` (bytes, or a string read as UTF-8). */
  digest(key: Key, prefix: string, body: Uint8Array | string): Uint8Array | Promise<Uint8Array | ArrayBuffer>
  /** A buffer of `size` bytes for the caller to fill entirely (its initial contents are unspecified). */
  alloc(size: number): Uint8Array
  /** Compares two 32-byte digests in constant time. */
  equal(a: Uint8Array, b: Uint8Array): boolean
  /** Decodes UTF-8 (a leading BOM dropped); throws on bytes that are not UTF-8. */
  text(bytes: Uint8Array): string
}
