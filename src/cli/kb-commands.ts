import { Option, type Command } from 'commander';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { AskResult } from '../answering/types.ts';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import type { DocumentOverrides, ParsedUpload } from '../knowledge/ingest.ts';
import type { Candidate, KbChangeRequest, ProgressEvent, PublishReport } from '../knowledge/knowledge-base.ts';
import type { CommandHost, CommandIo } from './command-io.ts';

// Every module of the knowledge base is imported inside the action that needs it, so that
// `zhiyin --help` and `zhiyin users …` never load the retrieval stack.

const lineWriter =
  (io: CommandIo) =>
  (line = ''): void =>
    void io.stdout.write(`${line}\n`);
const actor = (): string => `cli:${userInfo().username || 'local'}`;

const phaseLabels: Record<ProgressEvent['phase'], string> = { chunking: 'chunking ', fitting: 'fitting  ', embedding: 'embedding', switching: 'switching', done: 'done     ' };

/**
 * Progress of a long change: bars (cli-progress) on stderr when stderr is a terminal; otherwise
 * one log line per phase, so that scripts and logs see where it got to.
 */
async function progressReporter(level: string, io: CommandIo): Promise<{ onProgress: (event: ProgressEvent) => void; stop: () => void }> {
  if (!io.stderr.isTTY) {
    const { pino } = await import('pino');
    const { redactedPaths } = await import('../log.ts');
    // Written synchronously (process.stderr is, on pipes and files): a line must be out before the CPU-bound phase it announces starts.
    const log = pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, io.stderr);
    let last = '';
    return {
      onProgress: (event) => {
        const key = `${event.phase}:${event.done === 0 ? 'start' : event.done === event.total ? 'end' : ''}`;
        if (key.endsWith(':') || key === last) return;
        last = key;
        log.info({ phase: event.phase, done: event.done, total: event.total }, 'kb progress');
      },
      stop: () => undefined,
    };
  }
  const { MultiBar, Presets } = await import('cli-progress');
  const bars = new MultiBar({ stream: io.stderr, format: '{phase} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: false, stopOnComplete: false }, Presets.shades_classic);
  const byPhase = new Map<string, ReturnType<InstanceType<typeof MultiBar>['create']>>();
  return {
    onProgress: (event) => {
      let bar = byPhase.get(event.phase);
      if (!bar) {
        bar = bars.create(Math.max(1, event.total), 0, { phase: phaseLabels[event.phase] });
        byPhase.set(event.phase, bar);
      }
      bar.setTotal(Math.max(1, event.total));
      bar.update(event.done, { phase: phaseLabels[event.phase] });
    },
    stop: () => bars.stop(),
  };
}

function printReport(report: PublishReport, out: (line?: string) => void): void {
  const parts = [
    `第 ${report.version} 版：${report.documents} 份文件，${report.clauses} 个条款 / version ${report.version}: ${report.documents} documents, ${report.clauses} clauses`,
    report.published && Object.keys(report.published).length > 0
      ? `已发布 / published ${Object.entries(report.published).map(([id, version]) => `${id} v${version}`).join(', ')}`
      : '',
    report.added.length > 0 ? `新增 / added ${report.added.join(', ')}` : '',
    report.replaced.length > 0 ? `替换 / replaced ${report.replaced.join(', ')}` : '',
    report.removed.length > 0 ? `撤下 / removed ${report.removed.join(', ')}` : '',
    `向量模型 / embeddings: ${report.embeddingModel}`,
  ];
  out(parts.filter(Boolean).join('\n'));
}

interface SwitchOptions {
  eval?: boolean;
  minFullyCorrect?: string;
}

/**
 * Plans a change beside the live set, runs the eval on the candidate (unless `--no-eval`),
 * refuses it below the floor, then switches it in; prints the summary.
 */
async function switchIn(assistant: Assistant, config: Config, request: KbChangeRequest, options: SwitchOptions, io: CommandIo): Promise<void> {
  const out = lineWriter(io);
  const { embeddingModelFor } = await import('../assistant.ts');
  const { compareWithCandidate, formatComparison, parseFloor, publishFloor } = await import('../../eval/version-eval.ts');
  const floor = options.minFullyCorrect !== undefined ? parseFloor(options.minFullyCorrect) : publishFloor();
  const runEval = options.eval !== false;
  const started = performance.now();
  const liveEmpty = (await assistant.knowledge.list()).length === 0;
  const live = runEval && !liveEmpty ? await assistant.answerer() : null;
  const progress = await progressReporter(config.LOG_LEVEL, io);
  let candidate: Candidate;
  try {
    candidate = await assistant.knowledge.plan(request, {
      actor: actor(),
      onProgress: progress.onProgress,
      model: await embeddingModelFor(config, assistant.tokenizer),
      ...(request.kind === 'reindex' ? { force: true } : {}),
    });
  } catch (error) {
    progress.stop();
    throw error;
  }
  let detail: Record<string, unknown> = {};
  if (runEval) {
    // An empty knowledge base answers nothing: every question abstains.
    const nothing = async (): Promise<AskResult> => ({ outcome: 'abstain', answer: '', citations: [], retrieved: [], latency_ms: 0 });
    // the school's own items (issue 15) gate a publish from the CLI as from the admin pages
    const { SchoolEvalSet } = await import('../../eval/school-set.ts');
    const school = { items: await new SchoolEvalSet(assistant.db).items(), live: live ? async (question: string) => live.answer(question) : nothing };
    const comparison = await compareWithCandidate({ baseline: live ? (question) => live.answer(question) : nothing, candidate, lexicon: assistant.lexicon, tokenizer: assistant.tokenizer, replies: assistant.replies, floor, school });
    progress.stop();
    out(formatComparison(comparison));
    detail = { eval: { before: comparison.baseline.fullyCorrect, after: comparison.candidate.fullyCorrect, floor, passed: comparison.passed } };
    if (!comparison.passed) {
      await assistant.knowledge.discard(candidate);
      const rate = `${(comparison.candidate.fullyCorrect * 100).toFixed(1)}%`;
      const minimum = `${((floor ?? 0) * 100).toFixed(1)}%`;
      if ((comparison.school?.regressions.length ?? 0) > 0) {
        throw new Error(`发布被拦下：候选版本答错了 ${comparison.school!.regressions.length} 道本校评测题，没有切换任何内容 / publish blocked: the candidate breaks ${comparison.school!.regressions.length} of the school's own eval items; nothing was switched`);
      }
      throw new Error(`发布被拦下：完全正确率 ${rate} 低于下限 ${minimum}，没有切换任何内容 / publish blocked: fully correct ${rate} is below the floor ${minimum}; nothing was switched`);
    }
  }
  const report = await assistant.knowledge.commit(candidate, { onProgress: progress.onProgress, detail });
  progress.stop();
  printReport(report, out);
  out(`用时 / done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const evalOptions = (command: Command): Command =>
  command
    .option('--no-eval', '切换前不在候选集上跑评测 / do not run the eval suite on the candidate before switching')
    .option(
      '--min-fully-correct <rate>',
      '候选集完全正确率低于此值时不切换（0–1 或 %，默认 $ZHIYIN_PUBLISH_MIN_FULLY_CORRECT） / block the switch when the candidate answers fewer eval questions fully correctly (0–1 or %; default $ZHIYIN_PUBLISH_MIN_FULLY_CORRECT)',
    );

function versionNumber(value: string): number {
  const n = Number(value.replace(/^v/u, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`不是版本号 / not a version number: ${value}`);
  return n;
}

function describeUpload(upload: ParsedUpload, previewClauses: typeof import('../knowledge/ingest.ts').previewClauses): string {
  const clauses = previewClauses(upload.document).length;
  const { document, source } = upload;
  const lines = [`${source.name} → ${document.id} (${source.kind}, ${clauses} clauses): 《${document.title}》｜${document.issuer}｜${document.region}｜${document.date ?? '日期未注明'}${document.status === 'draft' ? '｜征求意见稿' : ''}`];
  if (upload.missing.length > 0) lines.push(`  正文里没有，请核对 / not in the text, please check: ${upload.missing.join(', ')}`);
  return lines.join('\n');
}

const chinaClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An instant in China time (Asia/Shanghai), as the dashboard shows it: `2026-12-02T18:35:07+08:00`. */
export function chinaTimestamp(instant: Date): string {
  const part = Object.fromEntries(chinaClock.formatToParts(instant).map(({ type, value }) => [type, value]));
  return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}:${part.second}+08:00`;
}

const clauseLine = (clause: { locator: string; part: number; parts: number; text: string }): string =>
  `  ${clause.locator}${clause.parts > 1 ? ` [${clause.part}/${clause.parts}]` : ''}\t${[...clause.text.replace(/\s+/gu, ' ')].slice(0, 60).join('')}`;

/**
 * Registers `zhiyin kb …`: list, show, ingest (drafts, or `--publish`), diff, publish, rollback,
 * withdraw, remove, reindex and history. Every change of what is served is built beside the live
 * set, evaluated, and switched in one transaction.
 *
 * @example registerKbCommands(program, directHost(), processIo());
 */
export function registerKbCommands(program: Command, host: CommandHost, io: CommandIo): void {
  const out = lineWriter(io);
  const kb = program.command('kb').description('管理知识库：政策文件的各个版本 / manage the knowledge base: versions of policy documents');

  kb.command('list')
    .description('列出已发布的文件（--all：所有文件及其版本） / list the published documents (--all: every document with its versions)')
    .option('--json', '输出 JSON / print JSON')
    .option('--all', '也列出只有草稿或已撤回版本的文件 / also documents with drafts or withdrawn versions only')
    .action(async (options: { json?: boolean; all?: boolean }) => {
      await host.withAssistant(await host.config(), async (assistant) => {
        const documents = await assistant.knowledge.list();
        const version = await assistant.knowledge.version();
        const catalogue = options.all ? await assistant.knowledge.catalogue() : null;
        if (options.json) {
          out(JSON.stringify(catalogue ? { version, documents, catalogue } : { version, documents }, null, 2));
          return;
        }
        out(`知识库第 ${version} 版，${documents.length} 份文件 / knowledge base version ${version}, ${documents.length} documents`);
        for (const document of documents) {
          const date = document.date ?? `(${document.dateNote ?? '日期未注明'})`;
          out(`${document.id}\tv${document.versionInfo?.number ?? 1}\t${document.clauses} clauses\t${document.status}\t${document.region}\t${date}\t${document.title}`);
        }
        for (const entry of catalogue ?? []) {
          out(`${entry.docId}\t${entry.versions.map((v) => `v${v.version} ${v.state}`).join(', ')}`);
        }
      });
    });

  kb.command('show')
    .description('一份文件：它的版本，以及某一版的条款 / a document: its versions and, for one version, its clauses')
    .argument('<id>', '文件 id / document id')
    .option('--version <n>', '要看的版本（默认：已发布的，否则最新的） / the version to show (default: the published one, else the latest)')
    .option('--json', '输出 JSON / print JSON')
    .action(async (id: string, options: { version?: string; json?: boolean }) => {
      const { previewClauses } = await import('../knowledge/ingest.ts');
      await host.withAssistant(
        await host.config(),
        async (assistant) => {
          const versions = await assistant.knowledge.versionsOf(id);
          if (versions.length === 0) throw new Error(`没有 id 为 ${id} 的文件 / no document with id ${id}`);
          const chosen = options.version ? versionNumber(options.version) : (versions.find((v) => v.state === 'published') ?? versions[0]!).version;
          const stored = await assistant.knowledge.getVersion(id, chosen);
          if (!stored) throw new Error(`${id} 没有第 ${chosen} 版 / ${id} has no version ${chosen}`);
          const clauses = previewClauses(stored.document);
          if (options.json) {
            const { body: _body, ...info } = stored.document;
            out(JSON.stringify({ id, versions, shown: { ...stored, document: info, clauses } }, null, 2));
            return;
          }
          const d = stored.document;
          out(`《${d.title}》 ${id}`);
          out(`${d.issuer}｜${d.region}｜${d.date ?? d.dateNote ?? '日期未注明'}｜${d.status}｜${d.audience}`);
          out('版本 / versions:');
          for (const v of versions) {
            const when = v.publishedAt ? ` published ${chinaTimestamp(v.publishedAt).slice(0, 10)}` : '';
            out(`  v${v.version}\t${v.state}${when}${v.effectiveFrom ? `\teffective ${v.effectiveFrom}` : ''}${v.expiresOn ? `\texpires ${v.expiresOn}` : ''}${v.source ? `\t${v.source.name} (${v.source.kind})` : ''}`);
          }
          out(`第 ${chosen} 版的条款 / clauses of v${chosen} (${clauses.length}):`);
          for (const clause of clauses) out(clauseLine(clause));
        },
        true,
      );
    });

  const ingest = kb
    .command('ingest')
    .description(
      '读入文件（带 front matter 的 .md、.txt、.docx、.pdf、.html；文件或目录）作为新的草稿版本；--publish 直接发布 / read documents (.md with front matter, .txt, .docx, .pdf, .html; files or directories) as new draft versions; --publish serves them',
    )
    .argument('<paths...>', '文件或目录 / files or directories')
    .option('--publish', '评测通过后立即发布新版本 / publish the new versions at once (after the eval)')
    .option('--exact', '发布，并撤回未列出的所有文件（知识库恰好是这些文件） / publish, and withdraw every document not given (make the knowledge base exactly these)')
    .option('--preview', '只显示每个文件切出的条款，什么都不保存 / show the clauses each file gives and store nothing')
    .option('--id <id>', '文件 id（仅限一个文件；作为该文件的新版本） / the document id (one file only; a new version of that document)')
    .option('--title <title>', '标题（仅限一个文件） / title (one file only)')
    .option('--issuer <issuer>', '发文机关（仅限一个文件） / issuing bodies (one file only)')
    .option('--region <region>', '全国，或适用的省市（仅限一个文件） / 全国, or the province/city it binds (one file only)')
    .option('--date <YYYY-MM-DD>', '发文日期（仅限一个文件） / document date (one file only)')
    .option('--audience <audience>', '适用对象（仅限一个文件） / who it is about (one file only)')
    .addOption(new Option('--status <status>', '现行（in-force）或征求意见稿（draft） / in-force or draft (征求意见稿)').choices(['in-force', 'draft']))
    .option('--effective <YYYY-MM-DD>', '该版本的施行日期 / the date the version applies from')
    .option('--expires <YYYY-MM-DD>', '该版本的失效日期 / the date it stops applying');
  evalOptions(ingest).action(
    async (
      paths: string[],
      options: SwitchOptions & { publish?: boolean; exact?: boolean; preview?: boolean; id?: string; title?: string; issuer?: string; region?: string; date?: string; audience?: string; status?: 'in-force' | 'draft'; effective?: string; expires?: string },
    ) => {
      const overrides: DocumentOverrides = {
        ...(options.id ? { id: options.id } : {}),
        ...(options.title ? { title: options.title } : {}),
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.date ? { date: options.date } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.effective ? { effectiveFrom: options.effective } : {}),
        ...(options.expires ? { expiresOn: options.expires } : {}),
      };
      const perFile = { id: options.id, title: options.title, issuer: options.issuer, region: options.region, date: options.date, audience: options.audience, status: options.status };
      const { adoptKnownIds, previewClauses, readUploadPaths } = await import('../knowledge/ingest.ts');
      // relative to where the command was typed, also when the server runs it
      const parsed = await readUploadPaths(paths.map((given) => path.resolve(io.cwd, given)), overrides);
      if (parsed.length > 1 && Object.values(perFile).some((value) => value !== undefined)) {
        throw new Error('--id、--title、--issuer、--region、--date、--audience 和 --status 只能用于单个文件 / --id, --title, --issuer, --region, --date, --audience and --status apply to a single file only');
      }
      const config = await host.config();
      await host.withAssistant(
        config,
        async (assistant) => {
          const known = (await assistant.knowledge.catalogue()).map(({ docId, versions }) => ({ docId, title: versions[0]!.title }));
          const uploads = adoptKnownIds(parsed, known, options.id !== undefined);
          for (const upload of uploads) out(describeUpload(upload, previewClauses));
          if (options.preview) {
            for (const upload of uploads) {
              out(`\n${upload.document.id}:`);
              for (const clause of previewClauses(upload.document)) out(clauseLine(clause));
            }
            out('\n（预览：什么都没保存） / (preview: nothing stored)');
            return;
          }
          const inputs = uploads.map(({ document, source, effectiveFrom, expiresOn }) => ({ document, source, effectiveFrom, expiresOn }));
          if (options.publish || options.exact) {
            await switchIn(assistant, config, { kind: 'set', inputs, exact: options.exact === true }, options, io);
            return;
          }
          const { created, unchanged } = await assistant.knowledge.addDrafts(inputs, { actor: actor() });
          for (const { docId, version } of created) out(`draft ${docId} v${version} — 发布 / publish it with: zhiyin kb publish ${docId} --version ${version}`);
          for (const { docId, version } of unchanged) out(`未变 / unchanged ${docId} (same as v${version})`);
          out(`${created.length} new draft version(s), ${unchanged.length} unchanged; nothing published（新草稿 ${created.length} 个，未变 ${unchanged.length} 个；没有发布）`);
        },
        true,
      );
    },
  );

  kb.command('diff')
    .description('两个版本逐条款的差异（默认：已发布版本对比最新版本） / clause-level diff of two versions (default: the published version against the latest)')
    .argument('<id>', '文件 id / document id')
    .argument('[from]', '旧版本 / older version')
    .argument('[to]', '新版本 / newer version')
    .option('--json', '输出 JSON / print JSON')
    .action(async (id: string, from: string | undefined, to: string | undefined, options: { json?: boolean }) => {
      await host.withAssistant(
        await host.config(),
        async (assistant) => {
          const result = await assistant.knowledge.diff(id, from ? versionNumber(from) : undefined, to ? versionNumber(to) : undefined);
          if (options.json) {
            out(JSON.stringify({ id, ...result }, null, 2));
            return;
          }
          const { diff } = result;
          out(`${id}: v${result.from} → v${result.to}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged（新增 ${diff.added.length}，删除 ${diff.removed.length}，修改 ${diff.changed.length}，未变 ${diff.unchanged}）`);
          const short = (text: string): string => [...text.replace(/\s+/gu, ' ')].slice(0, 80).join('');
          for (const clause of diff.added) out(`+ ${clause.locator}\t${short(clause.text)}`);
          for (const clause of diff.removed) out(`- ${clause.locator}\t${short(clause.text)}`);
          for (const clause of diff.changed) {
            out(`~ ${clause.locator}`);
            out(`    before: ${short(clause.before)}`);
            out(`    after:  ${short(clause.after)}`);
          }
        },
        true,
      );
    });

  const switching = async (request: KbChangeRequest, options: SwitchOptions): Promise<void> => {
    const config = await host.config();
    await host.withAssistant(config, (assistant) => switchIn(assistant, config, request, options, io), true);
  };

  evalOptions(
    kb
      .command('publish')
      .description('发布某文件的一个版本（默认最新版），原来发布的版本被取代 / publish a version of a document (default: its latest); the one served before is superseded')
      .argument('<id>', '文件 id / document id')
      .option('--version <n>', '版本号 / version number'),
  ).action(async (id: string, options: SwitchOptions & { version?: string }) => {
    await switching({ kind: 'publish', targets: [{ docId: id, ...(options.version ? { version: versionNumber(options.version) } : {}) }] }, options);
  });

  evalOptions(
    kb
      .command('rollback')
      .description('重新启用较早的版本（默认：上一个发布的版本），当前版本被撤回 / serve an earlier version again (default: the one served before); the current one is withdrawn')
      .argument('<id>', '文件 id / document id')
      .option('--version <n>', '版本号 / version number'),
  ).action(async (id: string, options: SwitchOptions & { version?: string }) => {
    await switching({ kind: 'rollback', docId: id, ...(options.version ? { version: versionNumber(options.version) } : {}) }, options);
  });

  kb.command('withdraw')
    .description('停止使用一份文件（撤回其已发布版本）；--version n 丢弃一个草稿 / stop serving a document (its published version is withdrawn); --version n discards a draft')
    .argument('<id>', '文件 id / document id')
    .option('--version <n>', '要丢弃的草稿版本 / a draft version to discard')
    .action(async (id: string, options: { version?: string }) => {
      const config = await host.config();
      await host.withAssistant(
        config,
        async (assistant) => {
          if (options.version) {
            const version = versionNumber(options.version);
            const stored = await assistant.knowledge.getVersion(id, version);
            if (!stored) throw new Error(`${id} 没有第 ${version} 版 / ${id} has no version ${version}`);
            if (stored.state === 'draft') {
              await assistant.knowledge.discardDraft(id, version, { actor: actor() });
              out(`discarded draft ${id} v${version}; nothing served changed（已丢弃草稿，正在使用的文件没有变化）`);
              return;
            }
            if (stored.state !== 'published') throw new Error(`${id} v${version} is ${stored.state}, not published（不是已发布版本）`);
          }
          await switchIn(assistant, config, { kind: 'withdraw', docId: id }, { eval: false }, io);
        },
        true,
      );
    });

  kb.command('remove')
    .description('按 id 停止使用文件（版本保留，状态为已撤回） / stop serving documents by id (their versions are kept, withdrawn)')
    .argument('<ids...>', '文件 id / document ids')
    .action(async (ids: string[]) => {
      await switching({ kind: 'remove', ids }, { eval: false });
    });

  kb.command('reindex')
    .description('重新切分并重新向量化已发布的文件 / re-chunk and re-embed the published documents')
    .action(async () => {
      await switching({ kind: 'reindex' }, { eval: false });
    });

  kb.command('history')
    .description('上传、发布、回滚、撤回的记录，最新的在前（北京时间） / what was uploaded, published, rolled back and withdrawn, newest first (China time)')
    .argument('[id]', '只看这份文件 / only this document')
    .action(async (id: string | undefined) => {
      await host.withAssistant(
        await host.config(),
        async (assistant) => {
          for (const change of await assistant.knowledge.history(id)) {
            const version = change.version !== null ? ` v${change.version}` : '';
            const previous = change.previousVersion !== null && change.previousVersion !== change.version ? ` (was v${change.previousVersion})` : '';
            out(`${chinaTimestamp(change.createdAt)}\tkb ${change.kbVersion}\t${change.action}\t${change.docId ?? ''}${version}${previous}\t${change.actor ?? ''}`);
          }
        },
        true,
      );
    });
}
