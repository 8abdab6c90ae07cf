import { createDecipheriv } from 'node:crypto';

/**
 * An independent reading of the documented at-rest format (docs/security.md, "Provider keys at rest"):
 * `v1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`, AES-256-GCM, 12-byte IV, 16-byte tag, AAD
 * `llm-council|v1|<userId>|<provider>`. Tests use it to check what the server stored.
 */
export function decryptStoredKey(
  stored: string,
  keys: { kid: string; key: Buffer }[],
  owner: { userId: string; provider: string },
): string {
  const [version, kid, encoded] = stored.split('.');
  if (version !== 'v1') throw new Error(`unexpected format ${version}`);
  const key = keys.find((k) => k.kid === kid);
  if (!key || !encoded) throw new Error(`no key for kid ${kid}`);
  const body = Buffer.from(encoded, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key.key, body.subarray(0, 12), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(`llm-council|v1|${owner.userId}|${owner.provider}`, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString('utf8');
}
