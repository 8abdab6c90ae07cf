import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { councilTest } from './helpers/fixtures.js';
import { ownerWithToken, runCli } from './helpers/run-cli.js';

// `llm-council ask --attach <file>` (repeatable) uploads each file and asks with them; a file the
// server refuses stops the command with exit 2 and the server's words, before anything is asked.

const test = councilTest();

test('ask --attach sends the files with the question; a refused file exits 2 naming it and asks nothing', async ({
  bed,
}) => {
  const { env } = await ownerWithToken(bed, ['read', 'council']);
  const dir = mkdtempSync(join(tmpdir(), 'llmc-attach-'));
  const notes = join(dir, 'notes.md');
  const code = join(dir, 'main.py');
  writeFileSync(notes, 'The deploy window is Tuesday.\n');
  writeFileSync(code, 'print("hello")\n');

  const asked = await runCli(['ask', '--attach', notes, '--attach', code, 'When do we deploy?'], env);
  expect(asked.code).toBe(0);
  const answers = bed.upstream.requests.filter((r) => r.messages.at(-1)?.content.startsWith('When do we deploy?'));
  expect(answers.length).toBeGreaterThan(0);
  for (const request of answers) {
    expect(request.messages.at(-1)?.content).toContain('The deploy window is Tuesday.');
    expect(request.messages.at(-1)?.content).toContain('print("hello")');
  }

  const before = bed.upstream.requests.length;
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '');
  const refused = await runCli(['ask', '--attach', empty, 'Anything?'], env);
  expect({ code: refused.code, stderr: refused.stderr }).toMatchObject({ code: 2 });
  expect(refused.stderr).toContain('"empty.txt" is empty');
  expect(bed.upstream.requests.length).toBe(before);
});
