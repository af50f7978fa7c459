import { html, raw } from 'hono/html';
import type { DocumentSummary } from '../knowledge/knowledge-base.ts';

/** The start page: what the knowledge base holds, and a box to try a question. */
export function homePage(documents: DocumentSummary[]): ReturnType<typeof html> {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>职引 zhiyin</title>
<style>
  body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 52rem; margin: 0 auto; padding: 1rem; line-height: 1.6; color: #1f2933; }
  h1 { font-size: 1.4rem; } table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  td, th { border-bottom: 1px solid #d9e2ec; padding: .35rem; text-align: left; vertical-align: top; }
  textarea { width: 100%; min-height: 4rem; font: inherit; } button { font: inherit; padding: .3rem 1rem; }
  pre { white-space: pre-wrap; background: #f5f7fa; padding: .75rem; border-radius: .4rem; }
</style>
</head>
<body>
<h1>职引 zhiyin · 职业指导政策助手</h1>
<p>知识库共 ${documents.length} 份文件：</p>
<table>
<tr><th>文件</th><th>发布机关</th><th>地区</th><th>日期</th><th>条款数</th></tr>
${documents.map(
  (document) => html`<tr><td>《${document.title}》${document.status === 'draft' ? '（草案）' : ''}</td><td>${document.issuer}</td><td>${document.region}</td><td>${document.date ?? document.dateNote ?? '未注明'}</td><td>${document.clauses}</td></tr>`,
)}
</table>
<h2>试一试</h2>
<form id="ask"><textarea name="question" placeholder="例如：实习单位能扣我身份证吗？"></textarea><button>提问</button></form>
<pre id="answer" hidden></pre>
<script>${raw(`
document.getElementById('ask').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = new FormData(event.target).get('question');
  const box = document.getElementById('answer');
  const response = await fetch('/api/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
  const result = await response.json();
  box.hidden = false;
  box.textContent = result.answer ?? result.error;
});`)}</script>
</body>
</html>`;
}
