// Browser tests of the console (issue 16): the real service and database, Debian's Chromium.
// Run by `npm test` after the vitest suite (scripts/test.mjs), or alone: npm run test:browser.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { API_KEY, apiGet, foreignRequests, skipReason, startConsoleEnvironment } from './harness.mjs';

const reason = skipReason();
const SEARCH = '/pyaudit/api/audit-events/search';

describe('the console in Chromium', { skip: reason ?? false, timeout: 600_000 }, () => {
  let env;
  let page;
  before(async () => {
    env = await startConsoleEnvironment();
    page = await env.context.newPage();
    page.setDefaultTimeout(30_000);
  });
  after(async () => {
    await env?.stop();
  });

  const totalShown = async () =>
    Number((await page.getByTestId('total').textContent()).split(' ')[0].replace(/,/g, ''));

  it('signs in with a pasted key, shows the API words for a wrong one, then whoami', async () => {
    await page.goto(`${env.baseUrl}/pyaudit/console`);
    await page.getByLabel('API key').fill('pak_abcdefgh_0123456789abcdef0123456789ABCDEF');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid API Key' }).waitFor();
    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByTestId('whoami-name').textContent(), 'legacy-key-1');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('pyaudit.apiKey')), API_KEY);
    await page.getByTestId('total').waitFor();
  });

  it('searches with the drop-downs and status, puts the filters in the URL, and pages with the cursor', async () => {
    await page.getByRole('combobox', { name: 'Company' }).selectOption({ label: 'Acme Retail (5001)' });
    await page.getByRole('combobox', { name: 'Status' }).selectOption('Failed');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/company_id=5001/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('status'), 'Failed');
    const expected = await apiGet(env.baseUrl, SEARCH, { company_id: 5001, status: 'Failed', page_size: 100 });
    await page
      .getByTestId('total')
      .filter({ hasText: `${expected.total_count} events` })
      .waitFor();
    assert.equal(await totalShown(), expected.total_count);
    assert.ok(expected.total_count > 100, 'the sample data has more than a page of failures');
    const ids = await page.getByRole('button', { name: /^Open event / }).allTextContents();
    assert.deepEqual(
      ids.map(Number),
      expected.events.map((e) => e.Id),
    );

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByTestId('total').filter({ hasText: 'page 2 of' }).waitFor();
    const second = await apiGet(env.baseUrl, SEARCH, {
      company_id: 5001,
      status: 'Failed',
      page_size: 100,
      cursor: expected.next_cursor,
    });
    const ids2 = await page.getByRole('button', { name: /^Open event / }).allTextContents();
    assert.deepEqual(
      ids2.map(Number),
      second.events.map((e) => e.Id),
    );
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByTestId('total').filter({ hasText: 'page 1 of' }).waitFor();
  });

  it('opens an event with pretty additional_data, and its link reopens the same event', async () => {
    const first = page.getByRole('button', { name: /^Open event / }).first();
    const id = Number(await first.textContent());
    await first.click();
    const detail = page.getByTestId('event-detail');
    await detail.getByRole('heading', { name: `Event ${id}` }).waitFor();
    const shown = await page.getByTestId('additional-data').textContent();
    assert.match(shown, /\n {2}"/, 'pretty-printed JSON');
    const href = await page.getByTestId('event-link').getAttribute('href');
    assert.match(href, new RegExp(`[?&]id=${id}(&|$)`));

    await page.goto(`${env.baseUrl}/pyaudit/console${href}`);
    await page
      .getByTestId('event-detail')
      .getByRole('heading', { name: `Event ${id}` })
      .waitFor();
    assert.deepEqual(JSON.parse(await page.getByTestId('additional-data').textContent()), JSON.parse(shown));
    // The filters came back from the URL too.
    assert.equal(await page.getByRole('combobox', { name: 'Status' }).inputValue(), 'Failed');
  });

  it('draws the histogram from /stats and narrows the range to a clicked bar', async () => {
    await page.goto(`${env.baseUrl}/pyaudit/console?company_id=5001`);
    const plot = page.getByTestId('histogram-plot');
    await plot.waitFor();
    const canvas = page.locator('.histogram canvas');
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 200 && box.height > 100, 'the chart has a size');
    const before = await totalShown();
    const area = await plot.boundingBox();
    // Over the plot, then click: uPlot snaps the cursor to the nearest bucket.
    await page.mouse.move(area.x + area.width * 0.5, area.y + area.height * 0.5);
    await page.mouse.click(area.x + area.width * 0.5, area.y + area.height * 0.5);
    await page.waitForURL(/from_date=/);
    const url = new URL(page.url());
    const from = url.searchParams.get('from_date');
    const to = url.searchParams.get('to_date');
    assert.ok(from && to, 'both ends of the range are set');
    const expected = await apiGet(env.baseUrl, SEARCH, { company_id: 5001, from_date: from, to_date: to });
    await page
      .getByTestId('total')
      .filter({ hasText: `${expected.total_count} events` })
      .waitFor();
    assert.ok(expected.total_count > 0 && expected.total_count < before, `${expected.total_count} of ${before}`);
    const stats = await apiGet(env.baseUrl, '/pyaudit/api/audit-events/stats', {
      company_id: 5001,
      from_date: from,
      to_date: to,
      bucket: 'day',
    });
    assert.equal(stats.total, expected.total_count, 'the range is exactly one bucket of the chart');
  });

  it('narrows the range from the keyboard too: Tab to the chart, arrows, Enter', async () => {
    await page.goto(`${env.baseUrl}/pyaudit/console?company_id=5003`);
    const plot = page.getByTestId('histogram-plot');
    await plot.waitFor();
    await plot.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await page.waitForURL(/from_date=/);
    const url = new URL(page.url());
    const expected = await apiGet(env.baseUrl, SEARCH, {
      company_id: 5003,
      from_date: url.searchParams.get('from_date'),
      to_date: url.searchParams.get('to_date'),
    });
    await page
      .getByTestId('total')
      .filter({ hasText: `${expected.total_count} events` })
      .waitFor();
  });

  it('exports the current filters: the NDJSON and CSV files parse and hold every matching event', async () => {
    const url = new URL(page.url());
    const params = Object.fromEntries(url.searchParams);
    const expected = await apiGet(env.baseUrl, SEARCH, { ...params, page_size: 5000 });
    assert.ok(expected.total_count > 0);

    const [ndjson] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export NDJSON' }).click(),
    ]);
    assert.match(ndjson.suggestedFilename(), /^audit_events_search_\d{8}_\d{6}\.ndjson$/);
    const lines = (await readFile(await ndjson.path(), 'utf8')).split('\n').filter((l) => l !== '');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).Id),
      expected.events.map((e) => e.Id),
    );
    await page
      .getByTestId('export-status')
      .filter({ hasText: /\.ndjson: [\d,]+ bytes$/ })
      .waitFor();

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const text = await readFile(await csv.path(), 'utf8');
    const rows = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.match(rows[0], /^ID,/);
    assert.equal(rows.length - 1, expected.total_count);
  });

  it('follows new events live: one created through the API appears on top', async () => {
    await page.goto(`${env.baseUrl}/pyaudit/console?company_id=5002`);
    await page.getByTestId('total').filter({ hasText: 'events' }).waitFor();
    await page.getByLabel(/^Live/).check();
    await page.getByTestId('live-status').filter({ hasText: 'Live: following new events' }).waitFor();
    const message = `live test ${Date.now()}`;
    const response = await fetch(`${env.baseUrl}/pyaudit/api/audit-events/create`, {
      method: 'POST',
      headers: { 'CSIQ-APIKEY': API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        event_timestamp: new Date().toISOString(),
        functionality: 'Authenticate',
        event_type: 'Login',
        company_id: 5002,
        store_id: 101,
        user: 'live.test',
        message,
        status: 'Success',
      }),
    });
    assert.equal(response.status, 201);
    const { id } = await response.json();
    await page.getByRole('cell', { name: message }).waitFor();
    assert.equal(
      Number(
        await page
          .getByRole('button', { name: /^Open event / })
          .first()
          .textContent(),
      ),
      id,
    );
    await page.getByLabel(/^Live/).uncheck();
  });

  it('shows a bad date the way the API words it', async () => {
    await page.getByLabel('From (Central Time)').fill('not a date');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('error').filter({ hasText: "from_date: Invalid date 'not a date'" }).waitFor();
  });

  it('renders the docs pages from local assets', async () => {
    await page.goto(`${env.baseUrl}/pyaudit/docs`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Audit Service' }).waitFor();
    await page.goto(`${env.baseUrl}/pyaudit/redoc`);
    await page
      .getByRole('heading', { name: /Audit Service/ })
      .first()
      .waitFor();
  });

  it('made no request that left this machine', () => {
    assert.ok(env.requests.length > 10);
    assert.deepEqual(foreignRequests(env.requests), []);
  });
});

if (reason) console.log(`# browser tests skipped: ${reason}`);
