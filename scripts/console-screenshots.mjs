// npm run console:screenshots: the console's pictures in docs/, taken with the browser tests'
// machinery (test/browser/harness.mjs): sample data, the real service, Debian's Chromium.
import { join } from 'node:path';
import { API_KEY, ROOT, skipReason, startConsoleEnvironment } from '../test/browser/harness.mjs';

const reason = skipReason();
if (reason) {
  console.error(reason);
  process.exit(1);
}
const env = await startConsoleEnvironment();
try {
  const page = await env.context.newPage();
  page.setDefaultTimeout(30_000);
  const shot = (name) => page.screenshot({ path: join(ROOT, 'docs', name) });
  await page.goto(`${env.baseUrl}/pyaudit/console`);
  await shot('console-signin.png');
  await page.getByLabel('API key').fill(API_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('combobox', { name: 'Company' }).selectOption({ label: 'Acme Retail (5001)' });
  await page.getByRole('button', { name: '30 days' }).click();
  await page.getByTestId('histogram-plot').waitFor();
  await page.getByTestId('total').filter({ hasText: 'events' }).waitFor();
  await shot('console-search.png');
  await page.getByRole('combobox', { name: 'Status' }).selectOption('Failed');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByTestId('total').filter({ hasText: 'events' }).waitFor();
  await page
    .getByRole('button', { name: /^Open event / })
    .first()
    .click();
  await page.getByTestId('event-detail').waitFor();
  await shot('console-event.png');
  await page.setViewportSize({ width: 420, height: 900 });
  await shot('console-narrow.png');
  console.log('docs/console-signin.png, console-search.png, console-event.png, console-narrow.png');
} finally {
  await env.stop();
}
