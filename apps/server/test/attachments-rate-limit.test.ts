import { fixedApiSettings } from '@llm-council/api';
import { AttachmentError, createCouncilClient, type CouncilClient } from '@llm-council/sdk';
import { expect } from 'vitest';
import { serverTest } from './helpers/fixtures.js';
import { registerUser, STRONG_PASSWORD } from './helpers/test-server.js';

// Security case 116: uploads are rate-limited per user (60 per 10 minutes), counted in the
// database before the body is read, so a flood of uploads costs no parsing, every client of one
// user (sessions, access tokens, hosts) shares one count, and other users are unaffected.

const test = serverTest();
const rule = fixedApiSettings.rateLimits.uploadsPerUser;

async function outcome(client: CouncilClient, name: string): Promise<string> {
  try {
    await client.uploadAttachment(new Blob([`the text of ${name}\n`]), name);
    return 'stored';
  } catch (error) {
    if (error instanceof AttachmentError) return `${error.status} ${error.code}`;
    throw error;
  }
}

/** `POST /api/attachments` by hand, to read the status, headers and body the SDK hides. */
function rawUpload(url: string, accessToken: string, body: string, contentType: string) {
  return fetch(`${url}/api/attachments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': contentType },
    body,
  });
}

test('case 116: uploads sent at once from two sessions and an access token of one user: exactly the limit is stored', async ({
  server,
}) => {
  expect(rule).toEqual({ limit: 60, windowSeconds: 600 });
  server.freezeClock();
  try {
    const alice = await registerUser(server);
    // Another sign-in (a second device) and a script's access token: the same user, three clients.
    const secondSession = server.client();
    await secondSession.auth.login.mutate({ email: alice.email, password: alice.password });
    const { token } = await alice.client.tokens.create.mutate({
      name: 'uploader',
      scopes: ['council'],
      password: STRONG_PASSWORD,
    });
    const script = createCouncilClient({ url: server.url, token });
    const clients = [alice.client, secondSession, script];

    const outcomes = await Promise.all(
      Array.from({ length: rule.limit + 15 }, (_, i) => outcome(clients[i % 3]!, `note-${i}.txt`)),
    );
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(rule.limit);
    expect(outcomes.filter((o) => o === '429 RATE_LIMITED')).toHaveLength(15);
    const stored = await server.db.selectFrom('attachments').select('id').where('userId', '=', alice.userId).execute();
    expect(stored).toHaveLength(rule.limit);

    // The refusal comes before the body is read: a body that is not even multipart is 429, not 400.
    const refused = await rawUpload(server.url, token, 'not multipart', 'text/plain');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(rule.windowSeconds));
    expect(await refused.json()).toEqual({
      error: {
        message: `Too many uploads. Try again in ${rule.windowSeconds} seconds.`,
        code: 'RATE_LIMITED',
        requestId: expect.any(String) as string,
      },
    });

    // Another user has a count of their own.
    const bob = await registerUser(server);
    expect(await outcome(bob.client, 'bob.txt')).toBe('stored');

    // Once the window is over, alice may upload again.
    server.advanceClock(rule.windowSeconds);
    try {
      expect(await outcome(script, 'later.txt')).toBe('stored');
    } finally {
      server.advanceClock(-rule.windowSeconds);
    }
  } finally {
    server.unfreezeClock();
  }
});
