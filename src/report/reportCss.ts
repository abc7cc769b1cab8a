import { reportPalette } from './reportPalette.js';

/** The stylesheet every cosched HTML report inlines (plan, comparison and frontier pages). */
export const reportCss = `
body { margin: 0; background: #f6f7f8; color: #222; font: 14px/1.45 system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #dcdfe3; }
.meta { color: #555; font-size: 13px; margin: 2px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 4px; }
.card { flex: 1 1 120px; background: #fff; border: 1px solid #dcdfe3; border-radius: 6px; padding: 10px 14px; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { font-size: 12px; color: #555; }
.good { color: ${reportPalette.greenUsed}; }
.bad { color: ${reportPalette.deadline}; }
table { border-collapse: collapse; background: #fff; border: 1px solid #dcdfe3; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eceff1; text-align: left; vertical-align: top; }
thead th { background: #f0f2f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { white-space: nowrap; font-weight: 600; }
.scroll { overflow-x: auto; }
figure { margin: 14px 0; padding: 10px; background: #fff; border: 1px solid #dcdfe3; border-radius: 6px; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #555; margin-top: 6px; }
#warnings li { color: #7a5a00; }
.note { color: #555; }
`;
