import { createHash } from 'node:crypto';

/** A UUID (v4 layout) derived from a name, so every instance and every start picks the same ids. */
export function stableId(name: string): string {
  const h = createHash('sha256').update(`latchkey:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The directory account identity-service creates at its first start (the bootstrap). The console's
 * registration belongs to it, so its administrators see the console under their applications.
 */
export const DIRECTORY_ACCOUNT_ID = stableId('bootstrap:directory');
