// One Chromium and one Lighthouse for many pages: qa/lighthouse.py starts a
// few of these and hands each page to whichever is free.
//
//     node qa/lighthouse-runs.mjs '["--headless=new", …]'
//
// reads one JSON line per page from stdin, {"url", "report", "cookie",
// "categories"}, audits the page as `lighthouse URL --only-categories=…
// --extra-headers=…` would, writes the JSON report to "report" and answers
// one JSON line: {"ok": true} or {"error": "…"}.
//
// Starting Node, loading Lighthouse and launching Chromium took about 2 s of
// CPU per page, a third of each page's audit, so they happen once. Each page is audited in a new
// browser context, which starts without the cookies and storage earlier pages
// left, as a Chromium of its own would.
import fs from 'node:fs';
import readline from 'node:readline';

import * as ChromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const PAGE_TIMEOUT_MS = 180_000;

const chrome = await ChromeLauncher.launch({
  chromeFlags: JSON.parse(process.argv[2] ?? '[]'),
  logLevel: 'silent',
});
const browser = await puppeteer.connect({
  browserURL: `http://127.0.0.1:${chrome.port}`,
  defaultViewport: null,
});

async function audit({url, report, cookie, categories}) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const flags = {
      logLevel: 'silent',
      output: ['json'],
      onlyCategories: categories,
      channel: 'cli',
      ...(cookie ? {extraHeaders: {Cookie: cookie}} : {}),
    };
    const result = await lighthouse(url, flags, undefined, page);
    if (!result) throw new Error(`no result for ${url}`);
    fs.writeFileSync(report, result.report[0]);
    if (result.lhr.runtimeError) {
      throw new Error(`${url}: ${result.lhr.runtimeError.message}`);
    }
  } finally {
    await context.close();
  }
}

function withTimeout(promise, url) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${url}: no result in ${PAGE_TIMEOUT_MS / 1000} s`)),
      PAGE_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let failed = false;
for await (const line of readline.createInterface({input: process.stdin})) {
  if (!line.trim()) continue;
  const target = JSON.parse(line);
  try {
    await withTimeout(audit(target), target.url);
    process.stdout.write(JSON.stringify({ok: true}) + '\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({error: String(error?.stack ?? error)}) + '\n');
    failed = true;
    break;
  }
}
await browser.disconnect();
chrome.kill();
process.exit(failed ? 1 : 0);
