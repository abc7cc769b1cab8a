import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanResult } from '../solver/plan/PlanResult.js';
import type { Problem } from '../solver/problem/Problem.js';
import { planProblem } from '../solver/plan/planProblem.js';
import { readPlanRequestFile } from '../src/data/loadPlanRequest.js';
import { validatePlanRequest } from '../src/data/validatePlanRequest.js';
import { formatNumber, formatQuantity } from '../src/report/formatNumber.js';
import { siteColor } from '../src/report/reportPalette.js';
import { renderFrontierChart } from '../src/report/renderFrontierChart.js';
import { writePlanReport } from '../src/report/writePlanReport.js';
import { jobMovedToGreenSiteAtHourOne } from './factories/planResults.js';

// The report is opened in Debian's chromium (package `chromium`), driven by playwright-core,
// which never downloads a browser of its own. Set COSCHED_REPORT_SCREENSHOT=docs/report-example.png
// to also save the README's picture of the report.
const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const scenario = 'scenarios/two-hubs-48h.yaml';

let browser: Browser | undefined;
const tempDir = mkdtempSync(join(tmpdir(), 'cosched-report-'));

// No chromium fails every test that needs it with this message (it never skips them).
beforeAll(async () => {
  if (existsSync(chromiumPath)) browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  rmSync(tempDir, { recursive: true, force: true });
});

/** The report's page, opened from disk, with every request and page error it made. */
interface OpenedReport {
  page: Page;
  requests: string[];
  pageErrors: string[];
}

async function openReport(indexHtml: string): Promise<OpenedReport> {
  if (!browser) throw new Error(`${chromiumPath} not found: the report test needs Debian's chromium package (apt-get install -y chromium)`);
  const page = await browser.newPage({ viewport: { width: 1050, height: 900 } });
  const requests: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(pathToFileURL(indexHtml).href, { waitUntil: 'load' });
  return { page, requests, pageErrors };
}

/** A chart mark as the browser shows it: its aria-label parsed, its fill and its box. */
interface Mark {
  subject: string;
  fields: Record<string, string>;
  fill: string | null;
  box: { x: number; y: number; width: number; height: number };
}

/** The marks under `figureSelector` whose aria-label starts with `subject;`. */
async function marks(page: Page, figureSelector: string, subject: string): Promise<Mark[]> {
  const raw = await page.$$eval(`${figureSelector} svg .role-mark > [aria-label^="${subject};"]`, (elements) =>
    elements.map((element) => {
      const box = (element as SVGGraphicsElement).getBoundingClientRect();
      return { label: element.getAttribute('aria-label') ?? '', fill: element.getAttribute('fill'), box: { x: box.x, y: box.y, width: box.width, height: box.height } };
    }),
  );
  return raw.map(({ label, fill, box }) => {
    const [head, ...pairs] = label.split('; ');
    const fields = Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf(': ')), pair.slice(pair.indexOf(': ') + 2)]));
    return { subject: head, fields, fill, box };
  });
}

/** A number as a mark shows it, and half a unit of its last digit (the rounding it carries). */
function shown(text: string): { value: number; tolerance: number } {
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  return { value: Number(text.replace(/,/g, '')), tolerance: 0.5 * 10 ** -decimals + 1e-9 };
}

describe('the plan report of the bundled scenario, in headless chromium', () => {
  let problem: Problem;
  let result: PlanResult;
  let indexHtml: string;
  let renderMs: number;
  let opened: Promise<OpenedReport> | undefined;
  /** The report's page, opened once, by the first test that asks. */
  const openedReport = () => (opened ??= openReport(indexHtml));

  beforeAll(async () => {
    problem = validatePlanRequest(await readPlanRequestFile(join(repoRoot, scenario)));
    result = await planProblem(problem);
    const started = performance.now();
    indexHtml = (await writePlanReport(join(tempDir, 'plan'), problem, result, { source: scenario })).indexHtml;
    renderMs = performance.now() - started;
  });

  it('opens from disk without a server or network, with every chart, and takes a screenshot', async () => {
    const { page, requests, pageErrors } = await openedReport();
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await page.title()).toBe('cosched plan report');

    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { chart: figure.getAttribute('data-chart'), site: figure.getAttribute('data-site'), width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
    expect(charts.map((c) => [c.chart, c.site])).toEqual([
      ['plan-vs-baseline', null],
      ...problem.sites.map((site) => ['site-energy', site.id]),
      ['gantt', null],
      ['gantt', null],
    ]);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(500);
      expect(chart.height).toBeGreaterThan(150);
    }
    // Each chart is also a sibling .svg file the page links to.
    for (const href of await page.$$eval('figcaption a', (links) => links.map((a) => a.getAttribute('href') ?? ''))) {
      expect(readFileSync(join(tempDir, 'plan', href), 'utf8')).toMatch(/^<svg /);
    }
    // Inlined SVGs must not share clip-path or gradient ids.
    const ids = await page.$$eval('[id]', (elements) => elements.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);

    const screenshot = join(tempDir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(50_000);
    const readmePicture = process.env.COSCHED_REPORT_SCREENSHOT;
    if (readmePicture) {
      const path = resolve(repoRoot, readmePicture);
      mkdirSync(dirname(path), { recursive: true });
      const bottom = await page.$eval('#chart-site-helingeer', (figure) => figure.getBoundingClientRect().bottom + window.scrollY);
      await page.screenshot({ path, fullPage: true, clip: { x: 0, y: 0, width: 1050, height: Math.ceil(bottom) + 8 } });
    }
    console.log(`report written in ${formatNumber(renderMs, 0)} ms; screenshot ${screenshot}`);
  });

  it('shows the plan\u2019s carbon saved, green share and totals in the summary', async () => {
    const { page } = await openedReport();
    const s = result.summary;
    const text = (selector: string) => page.$eval(selector, (e) => e.textContent?.trim());
    const value = (selector: string) => page.$eval(selector, (e) => Number(e.getAttribute('data-value')));

    expect(s.carbonSavedKg).toBeGreaterThan(1000);
    expect(await text('#carbon-saved-kg')).toBe(formatQuantity(s.carbonSavedKg));
    expect(await text('#carbon-saved-kg')).toBe(Math.round(s.carbonSavedKg).toLocaleString('en-US'));
    expect(await value('#carbon-saved-kg')).toBe(s.carbonSavedKg);
    expect(await text('#carbon-saved-percent')).toBe(`${s.carbonSavedPercent.toFixed(1)}%`);
    expect(await text('#green-share')).toBe(`${(100 * s.greenShare).toFixed(1)}%`);
    expect(await text('#check')).toBe('passed');

    expect(await value('#summary-table tr[data-metric="carbonSavedKg"] td.plan')).toBe(s.carbonSavedKg);
    expect(await value('#summary-table tr[data-metric="emissionsKg"] td.plan')).toBe(s.emissionsKg);
    expect(await value('#summary-table tr[data-metric="emissionsKg"] td.baseline')).toBe(s.baselineEmissionsKg);
    expect(await text('#summary-table tr[data-metric="emissionsKg"] td.baseline')).toBe(formatQuantity(s.baselineEmissionsKg));
    expect(await value('#summary-table tr[data-metric="cost"] td.plan')).toBe(s.cost);
    expect(await value('#summary-table tr[data-metric="unmetGpuHours"] td.plan')).toBe(s.unmetGpuHours);
    expect(await value('#solve-table tr[data-field="variables"] td')).toBe(result.solve.variables);
    expect(await page.$$eval('#jobs-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-job')))).toEqual(problem.jobs.map((j) => j.id));
    expect(await page.$eval('#warnings', (e) => Number(e.getAttribute('data-count')))).toBe(result.warnings.length);
    expect(await page.$$eval('#warnings li', (items) => items.map((li) => li.textContent))).toEqual(result.warnings);
  });

  it('draws one Gantt bar per run, at its site\u2019s colour and hours, and a tick per deadline', async () => {
    const { page } = await openedReport();
    const plan = result.plan!;
    const bars = await marks(page, 'figure[data-chart="gantt"][data-schedule="plan"]', 'run');
    const expected = plan.jobs.flatMap((outcome) =>
      outcome.runs.map((run) => ({ key: `${problem.jobs[outcome.job].id} ${problem.sites[run.site].id} ${run.startHour}+${run.hours}`, run })),
    );
    const key = (bar: Mark) => `${bar.fields.job} ${bar.fields.site} ${bar.fields['start hour']}+${bar.fields.hours}`;
    expect(bars.map(key).sort()).toEqual(expected.map((e) => e.key).sort());

    const byKey = new Map(bars.map((bar) => [key(bar), bar]));
    const pxPerHour = byKey.get(expected[0].key)!.box.width / expected[0].run.hours;
    const originX = byKey.get(expected[0].key)!.box.x - expected[0].run.startHour * pxPerHour;
    for (const { key: k, run } of expected) {
      const bar = byKey.get(k)!;
      const gpus = shown(bar.fields.GPUs);
      expect(Math.abs(gpus.value - run.gpus)).toBeLessThanOrEqual(gpus.tolerance);
      expect(bar.fill).toBe(siteColor(run.site));
      expect(bar.box.x).toBeCloseTo(originX + run.startHour * pxPerHour, 0);
      expect(bar.box.width).toBeCloseTo(run.hours * pxPerHour, 0);
    }

    const ticks = await marks(page, 'figure[data-chart="gantt"][data-schedule="plan"]', 'deadline');
    expect(ticks.map((t) => t.fields.job)).toEqual(problem.jobs.filter((j) => j.deadlineHour <= problem.hours).map((j) => j.id));
    const baselineBars = await marks(page, 'figure[data-chart="gantt"][data-schedule="baseline"]', 'run');
    expect(baselineBars).toHaveLength(result.baseline.jobs.reduce((n, o) => n + o.runs.length, 0));
  });

  it('shows each site\u2019s green used and grid import per hour as the plan accounts them', async () => {
    const { page } = await openedReport();
    const plan = result.plan!;
    for (const [s, site] of problem.sites.entries()) {
      const figure = `figure[data-chart="site-energy"][data-site="${site.id}"]`;
      for (const [subject, mw] of [
        ['green used', plan.sites[s].greenUsedMw],
        ['grid import', plan.sites[s].gridMw],
        ['green curtailed', plan.sites[s].curtailedMw],
      ] as const) {
        const bars = await marks(page, figure, subject);
        expect(bars.map((b) => Number(b.fields.hour))).toEqual(mw.map((_, t) => t));
        for (const bar of bars) {
          expect(bar.fields.site).toBe(site.id);
          const value = shown(bar.fields.MW);
          expect(Math.abs(value.value - mw[Number(bar.fields.hour)])).toBeLessThanOrEqual(value.tolerance);
        }
        if (subject === 'green used') {
          // Bar heights are proportional to the accounts, not just labelled with them.
          const tallest = bars.reduce((a, b) => (b.box.height > a.box.height ? b : a));
          const pxPerMw = tallest.box.height / mw[Number(tallest.fields.hour)];
          for (const bar of bars) expect(bar.box.height).toBeCloseTo(mw[Number(bar.fields.hour)] * pxPerMw, 0);
        }
      }
    }
    // The plan moves load into green hours: far more of it is green than in the baseline.
    expect(result.summary.greenShare).toBeGreaterThan(0.5);
  });

  it('shows plan and baseline emissions per hour side by side', async () => {
    const { page } = await openedReport();
    const points = await marks(page, 'figure[data-chart="plan-vs-baseline"]', 'emissions');
    for (const [name, schedule] of [['plan', result.plan!], ['baseline', result.baseline]] as const) {
      const mine = points.filter((p) => p.fields.schedule === name);
      expect(mine).toHaveLength(problem.hours);
      for (const point of mine) {
        const t = Number(point.fields.hour);
        const expected = schedule.sites.reduce((sum, site) => sum + site.emissionsKg[t], 0);
        const value = shown(point.fields.kg);
        expect(Math.abs(value.value - expected)).toBeLessThanOrEqual(value.tolerance);
      }
    }
  });
});

describe('the plan report without a schedule, in headless chromium', () => {
  it('shows the baseline, no plan Gantt chart, and no carbon saved', async () => {
    const { problem, result: planned } = jobMovedToGreenSiteAtHourOne();
    const result: PlanResult = { ...planned, plan: undefined, termination: 'time_limit_no_solution', status: 'warning' };
    const files = await writePlanReport(join(tempDir, 'no-plan'), problem, result);
    expect(files.charts.map((path) => path.slice(path.lastIndexOf('/') + 1))).toEqual([
      'plan-vs-baseline.svg',
      ...problem.sites.map((site) => `site-${site.id}.svg`),
      'gantt-baseline.svg',
    ]);
    const { page, pageErrors } = await openReport(files.indexHtml);
    expect(pageErrors).toEqual([]);
    expect(await page.$eval('#carbon-saved-kg', (e) => [e.textContent, e.hasAttribute('data-value')])).toEqual(['-', false]);
    expect(await page.$$eval('figure[data-chart="gantt"]', (figures) => figures.map((f) => f.getAttribute('data-schedule')))).toEqual(['baseline']);
    const greenUsed = await marks(page, `figure[data-chart="site-energy"][data-site="${problem.sites[0].id}"]`, 'green used');
    expect(new Set(greenUsed.map((m) => m.fields.schedule))).toEqual(new Set(['baseline (no plan)']));
    await page.close();
  });
});

describe('the frontier chart, in headless chromium', () => {
  it('draws one labelled point per plan with its emissions and cost', async () => {
    const points = [
      { label: 'carbon only', emissionsKg: 4_281.4, cost: 9_120 },
      { label: 'cost only', emissionsKg: 15_022, cost: 4_567.25 },
      { label: 'carbon weight 0.5', emissionsKg: 6_010, cost: 5_200 },
    ];
    const svg = await renderFrontierChart(points, { costUnit: 'CNY' });
    const { page } = await openReport(writeTempFile('frontier.html', `<!doctype html><figure id="frontier">${svg}</figure>`));
    const shownPoints = await marks(page, '#frontier', 'frontier point');
    expect(shownPoints.map((p) => p.fields.label)).toEqual(['cost only', 'carbon weight 0.5', 'carbon only']);
    for (const point of shownPoints) {
      const given = points.find((p) => p.label === point.fields.label)!;
      expect(Number(point.fields['emissions kg'].replace(/,/g, ''))).toBeCloseTo(given.emissionsKg, 0);
      expect(Number(point.fields.cost.replace(/,/g, ''))).toBeCloseTo(given.cost, 0);
    }
    // Emissions up the y axis, cost along x: the clean, dear plan sits below and right of the cheap one.
    const [cheap, , clean] = shownPoints;
    expect(clean.box.y).toBeGreaterThan(cheap.box.y);
    expect(clean.box.x).toBeGreaterThan(cheap.box.x);
    await page.close();
  });
});

function writeTempFile(name: string, text: string): string {
  const path = join(tempDir, name);
  writeFileSync(path, text, 'utf8');
  return path;
}
