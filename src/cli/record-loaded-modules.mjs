// For tests: `node --import ./record-loaded-modules.mjs …` appends the URL of every module the
// process loads to the file named by ZHIYIN_RECORD_MODULES (one a line).
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  appendFileSync(${JSON.stringify(process.env.ZHIYIN_RECORD_MODULES ?? '/dev/null')}, url + '\\n');
  return nextLoad(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
