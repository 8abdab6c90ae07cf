import { expect, test } from 'vitest';
import { ask, register, saveApiKey, waitForRunToFinish } from './harness/app-driver';
import { useAppStack } from './harness/app-stack';
import { openAppPage } from './harness/browser';

// Issue 22 §2 in the browser: attach a PDF and an image on the new-conversation page, see their
// chips, see the warning that the text-only model cannot see the image, ask, and see the chips on
// the question once it is asked. The demo catalogue lists GPT-5.1 as reading images and DeepSeek
// V3.1 as text only.
const stack = useAppStack({ env: { COUNCIL_MODELS: 'openai/gpt-5.1,deepseek/deepseek-chat-v3.1' } });

/** A one-page PDF whose text PDF.js reads back (made here: no binary is committed). */
function onePagePdf(line: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

test('attach a PDF and an image: chips, the text-only model warning, and the question completes with its chips', async () => {
  const { page, context, problems } = await openAppPage(stack.browser, { viewport: { width: 1280, height: 800 } });
  await register(page, stack.server.url, `attach-${Date.now().toString(36)}@example.test`);
  await saveApiKey(page);
  await page.getByRole('link', { name: 'New conversation' }).click();

  await page.locator('input[type="file"]').setInputFiles([
    { name: 'lease.pdf', mimeType: 'application/pdf', buffer: onePagePdf('Clause 7: the tenant pays.') },
    { name: 'chart.png', mimeType: 'image/png', buffer: png },
  ]);
  const pending = page.getByRole('list', { name: 'Attached files' });
  await expect
    .poll(() => pending.getByRole('listitem').allTextContents())
    .toEqual(['lease.pdfPDF×', 'chart.pngimage×']);
  await expect
    .poll(() => page.locator('.attachment-warning').textContent())
    .toContain('deepseek/deepseek-chat-v3.1 cannot see images');

  await ask(page, 'Who pays, and what does the chart show?');
  await page.waitForURL(/\/c\//);
  await waitForRunToFinish(page);
  const question = page.getByRole('list', { name: 'Attached files' }).first();
  await expect.poll(() => question.getByRole('listitem').allTextContents()).toEqual(['lease.pdfPDF', 'chart.pngimage']);
  // The image's thumbnail came back from the server with the session's token.
  await expect.poll(() => question.locator('img').count()).toBe(1);
  await expect.poll(() => page.getByRole('region', { name: 'Final answer' }).count()).toBe(1);

  // A follow-up asks the same council: attaching an image there warns the same way.
  await page.locator('input[type="file"]').setInputFiles([{ name: 'chart-2.png', mimeType: 'image/png', buffer: png }]);
  await expect
    .poll(() => page.locator('.attachment-warning').textContent())
    .toContain('deepseek/deepseek-chat-v3.1 cannot see images');
  expect(problems).toEqual([]);
  await context.close();
});
