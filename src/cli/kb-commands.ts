import { Option, type Command } from 'commander';
import { userInfo } from 'node:os';
import { pino, type Logger } from 'pino';
import type { AskResult } from '../answering/types.ts';
import { Assistant, embeddingModelFor } from '../assistant.ts';
import type { Config } from '../config.ts';
import { withAssistant } from './with-assistant.ts';
import { redactedPaths } from '../log.ts';
import { adoptKnownIds, previewClauses, readUploadPaths, type DocumentOverrides, type ParsedUpload } from '../knowledge/ingest.ts';
import type { Candidate, KbChangeRequest, ProgressEvent, PublishReport } from '../knowledge/knowledge-base.ts';

type ConfigSource = () => Config;


const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const actor = (): string => `cli:${userInfo().username || 'local'}`;

const phaseLabels: Record<ProgressEvent['phase'], string> = { chunking: 'chunking ', fitting: 'fitting  ', embedding: 'embedding', switching: 'switching', done: 'done     ' };

/**
 * Progress of a long change: bars (cli-progress) on stderr when stderr is a terminal; otherwise
 * one log line per phase, so that scripts and logs see where it got to.
 */
async function progressReporter(level: string): Promise<{ onProgress: (event: ProgressEvent) => void; stop: () => void }> {
  if (!process.stderr.isTTY) {
    // Written synchronously: a line must be out before the CPU-bound phase it announces starts.
    const log: Logger = pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, pino.destination({ dest: 2, sync: true }));
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
  const bars = new MultiBar({ stream: process.stderr, format: '{phase} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: false, stopOnComplete: false }, Presets.shades_classic);
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

function printReport(report: PublishReport): void {
  const parts = [
    `version ${report.version}: ${report.documents} documents, ${report.clauses} clauses`,
    report.published && Object.keys(report.published).length > 0
      ? `published ${Object.entries(report.published).map(([id, version]) => `${id} v${version}`).join(', ')}`
      : '',
    report.added.length > 0 ? `added ${report.added.join(', ')}` : '',
    report.replaced.length > 0 ? `replaced ${report.replaced.join(', ')}` : '',
    report.removed.length > 0 ? `removed ${report.removed.join(', ')}` : '',
    `embeddings: ${report.embeddingModel}`,
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
async function switchIn(assistant: Assistant, config: Config, request: KbChangeRequest, options: SwitchOptions): Promise<void> {
  const { compareWithCandidate, formatComparison, parseFloor, publishFloor } = await import('../../eval/version-eval.ts');
  const floor = options.minFullyCorrect !== undefined ? parseFloor(options.minFullyCorrect) : publishFloor();
  const runEval = options.eval !== false;
  const started = performance.now();
  const liveEmpty = (await assistant.knowledge.list()).length === 0;
  const live = runEval && !liveEmpty ? await assistant.answerer() : null;
  const progress = await progressReporter(config.LOG_LEVEL);
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
    const comparison = await compareWithCandidate({ baseline: live ? (question) => live.answer(question) : nothing, candidate, lexicon: assistant.lexicon, tokenizer: assistant.tokenizer, replies: assistant.replies, floor });
    progress.stop();
    out(formatComparison(comparison));
    detail = { eval: { before: comparison.baseline.fullyCorrect, after: comparison.candidate.fullyCorrect, floor, passed: comparison.passed } };
    if (!comparison.passed) {
      await assistant.knowledge.discard(candidate);
      throw new Error(`publish blocked: fully correct ${(comparison.candidate.fullyCorrect * 100).toFixed(1)}% is below the floor ${((floor ?? 0) * 100).toFixed(1)}%; nothing was switched`);
    }
  }
  const report = await assistant.knowledge.commit(candidate, { onProgress: progress.onProgress, detail });
  progress.stop();
  printReport(report);
  out(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const evalOptions = (command: Command): Command =>
  command
    .option('--no-eval', 'do not run the eval suite on the candidate before switching')
    .option('--min-fully-correct <rate>', 'block the switch when the candidate answers fewer eval questions fully correctly (0–1 or %; default $ZHIYIN_PUBLISH_MIN_FULLY_CORRECT)');

function versionNumber(value: string): number {
  const n = Number(value.replace(/^v/u, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a version number: ${value}`);
  return n;
}

function describeUpload(upload: ParsedUpload): string {
  const clauses = previewClauses(upload.document).length;
  const { document, source } = upload;
  const lines = [`${source.name} → ${document.id} (${source.kind}, ${clauses} clauses): 《${document.title}》｜${document.issuer}｜${document.region}｜${document.date ?? '日期未注明'}${document.status === 'draft' ? '｜征求意见稿' : ''}`];
  if (upload.missing.length > 0) lines.push(`  not in the text, please check: ${upload.missing.join(', ')}`);
  return lines.join('\n');
}

/**
 * Registers `zhiyin kb …`: list, show, ingest (drafts, or `--publish`), diff, publish, rollback,
 * withdraw, remove, reindex and history. Every change of what is served is built beside the live
 * set, evaluated, and switched in one transaction.
 *
 * @example registerKbCommands(program, () => loadConfig());
 */
export function registerKbCommands(program: Command, config: ConfigSource): void {
  const kb = program.command('kb').description('manage the knowledge base: versions of policy documents');

  kb.command('list')
    .description('list the published documents (--all: every document with its versions)')
    .option('--json', 'print JSON')
    .option('--all', 'also documents with drafts or withdrawn versions only')
    .action(async (options: { json?: boolean; all?: boolean }) => {
      await withAssistant(config(), async (assistant) => {
        const documents = await assistant.knowledge.list();
        const version = await assistant.knowledge.version();
        const catalogue = options.all ? await assistant.knowledge.catalogue() : null;
        if (options.json) {
          out(JSON.stringify(catalogue ? { version, documents, catalogue } : { version, documents }, null, 2));
          return;
        }
        out(`knowledge base version ${version}, ${documents.length} documents`);
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
    .description('a document: its versions and, for one version, its clauses')
    .argument('<id>', 'document id')
    .option('--version <n>', 'the version to show (default: the published one, else the latest)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { version?: string; json?: boolean }) => {
      await withAssistant(
        config(),
        async (assistant) => {
          const versions = await assistant.knowledge.versionsOf(id);
          if (versions.length === 0) throw new Error(`no document with id ${id}`);
          const chosen = options.version ? versionNumber(options.version) : (versions.find((v) => v.state === 'published') ?? versions[0]!).version;
          const stored = await assistant.knowledge.getVersion(id, chosen);
          if (!stored) throw new Error(`${id} has no version ${chosen}`);
          const clauses = previewClauses(stored.document);
          if (options.json) {
            const { body: _body, ...info } = stored.document;
            out(JSON.stringify({ id, versions, shown: { ...stored, document: info, clauses } }, null, 2));
            return;
          }
          const d = stored.document;
          out(`《${d.title}》 ${id}`);
          out(`${d.issuer}｜${d.region}｜${d.date ?? d.dateNote ?? '日期未注明'}｜${d.status}｜${d.audience}`);
          out('versions:');
          for (const v of versions) {
            const when = v.publishedAt ? ` published ${v.publishedAt.toISOString().slice(0, 10)}` : '';
            out(`  v${v.version}\t${v.state}${when}${v.effectiveFrom ? `\teffective ${v.effectiveFrom}` : ''}${v.expiresOn ? `\texpires ${v.expiresOn}` : ''}${v.source ? `\t${v.source.name} (${v.source.kind})` : ''}`);
          }
          out(`clauses of v${chosen} (${clauses.length}):`);
          for (const clause of clauses) out(`  ${clause.locator}${clause.parts > 1 ? ` [${clause.part}/${clause.parts}]` : ''}\t${[...clause.text.replace(/\s+/gu, ' ')].slice(0, 60).join('')}`);
        },
        true,
      );
    });

  const ingest = kb
    .command('ingest')
    .description('read documents (.md with front matter, .txt, .docx, .pdf, .html; files or directories) as new draft versions; --publish serves them')
    .argument('<paths...>', 'files or directories')
    .option('--publish', 'publish the new versions at once (after the eval)')
    .option('--exact', 'publish, and withdraw every document not given (make the knowledge base exactly these)')
    .option('--preview', 'show the clauses each file gives and store nothing')
    .option('--id <id>', 'the document id (one file only; a new version of that document)')
    .option('--title <title>', 'title (one file only)')
    .option('--issuer <issuer>', 'issuing bodies (one file only)')
    .option('--region <region>', '全国, or the province/city it binds (one file only)')
    .option('--date <YYYY-MM-DD>', 'document date (one file only)')
    .option('--audience <audience>', 'who it is about (one file only)')
    .addOption(new Option('--status <status>', 'in-force or draft (征求意见稿)').choices(['in-force', 'draft']))
    .option('--effective <YYYY-MM-DD>', 'the date the version applies from')
    .option('--expires <YYYY-MM-DD>', 'the date it stops applying');
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
      const parsed = await readUploadPaths(paths, overrides);
      if (parsed.length > 1 && Object.values(perFile).some((value) => value !== undefined)) throw new Error('--id, --title, --issuer, --region, --date, --audience and --status apply to a single file only');
      await withAssistant(
        config(),
        async (assistant) => {
          const known = (await assistant.knowledge.catalogue()).map(({ docId, versions }) => ({ docId, title: versions[0]!.title }));
          const uploads = adoptKnownIds(parsed, known, options.id !== undefined);
          for (const upload of uploads) out(describeUpload(upload));
          if (options.preview) {
            for (const upload of uploads) {
              out(`\n${upload.document.id}:`);
              for (const clause of previewClauses(upload.document)) out(`  ${clause.locator}${clause.parts > 1 ? ` [${clause.part}/${clause.parts}]` : ''}\t${[...clause.text.replace(/\s+/gu, ' ')].slice(0, 60).join('')}`);
            }
            out('\n(preview: nothing stored)');
            return;
          }
          const inputs = uploads.map(({ document, source, effectiveFrom, expiresOn }) => ({ document, source, effectiveFrom, expiresOn }));
          if (options.publish || options.exact) {
            await switchIn(assistant, config(), { kind: 'set', inputs, exact: options.exact === true }, options);
            return;
          }
          const { created, unchanged } = await assistant.knowledge.addDrafts(inputs, { actor: actor() });
          for (const { docId, version } of created) out(`draft ${docId} v${version} — publish it with: zhiyin kb publish ${docId} --version ${version}`);
          for (const { docId, version } of unchanged) out(`unchanged ${docId} (same as v${version})`);
          out(`${created.length} new draft version(s), ${unchanged.length} unchanged; nothing published`);
        },
        true,
      );
    },
  );

  kb.command('diff')
    .description('clause-level diff of two versions (default: the published version against the latest)')
    .argument('<id>', 'document id')
    .argument('[from]', 'older version')
    .argument('[to]', 'newer version')
    .option('--json', 'print JSON')
    .action(async (id: string, from: string | undefined, to: string | undefined, options: { json?: boolean }) => {
      await withAssistant(
        config(),
        async (assistant) => {
          const result = await assistant.knowledge.diff(id, from ? versionNumber(from) : undefined, to ? versionNumber(to) : undefined);
          if (options.json) {
            out(JSON.stringify({ id, ...result }, null, 2));
            return;
          }
          const { diff } = result;
          out(`${id}: v${result.from} → v${result.to}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
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

  evalOptions(
    kb.command('publish').description('publish a version of a document (default: its latest); the one served before is superseded').argument('<id>', 'document id').option('--version <n>', 'version number'),
  ).action(async (id: string, options: SwitchOptions & { version?: string }) => {
    await withAssistant(config(), (assistant) => switchIn(assistant, config(), { kind: 'publish', targets: [{ docId: id, ...(options.version ? { version: versionNumber(options.version) } : {}) }] }, options), true);
  });

  evalOptions(
    kb.command('rollback').description('serve an earlier version again (default: the one served before); the current one is withdrawn').argument('<id>', 'document id').option('--version <n>', 'version number'),
  ).action(async (id: string, options: SwitchOptions & { version?: string }) => {
    await withAssistant(config(), (assistant) => switchIn(assistant, config(), { kind: 'rollback', docId: id, ...(options.version ? { version: versionNumber(options.version) } : {}) }, options), true);
  });

  kb.command('withdraw')
    .description('stop serving a document (its published version is withdrawn); --version n discards a draft')
    .argument('<id>', 'document id')
    .option('--version <n>', 'a draft version to discard')
    .action(async (id: string, options: { version?: string }) => {
      await withAssistant(
        config(),
        async (assistant) => {
          if (options.version) {
            const version = versionNumber(options.version);
            const stored = await assistant.knowledge.getVersion(id, version);
            if (!stored) throw new Error(`${id} has no version ${version}`);
            if (stored.state === 'draft') {
              await assistant.knowledge.discardDraft(id, version, { actor: actor() });
              out(`discarded draft ${id} v${version}; nothing served changed`);
              return;
            }
            if (stored.state !== 'published') throw new Error(`${id} v${version} is ${stored.state}, not published`);
          }
          await switchIn(assistant, config(), { kind: 'withdraw', docId: id }, { eval: false });
        },
        true,
      );
    });

  kb.command('remove')
    .description('stop serving documents by id (their versions are kept, withdrawn)')
    .argument('<ids...>', 'document ids')
    .action(async (ids: string[]) => {
      await withAssistant(config(), (assistant) => switchIn(assistant, config(), { kind: 'remove', ids }, { eval: false }), true);
    });

  kb.command('reindex')
    .description('re-chunk and re-embed the published documents')
    .action(async () => {
      await withAssistant(config(), (assistant) => switchIn(assistant, config(), { kind: 'reindex' }, { eval: false }), true);
    });

  kb.command('history')
    .description('what was uploaded, published, rolled back and withdrawn, newest first')
    .argument('[id]', 'only this document')
    .action(async (id: string | undefined) => {
      await withAssistant(
        config(),
        async (assistant) => {
          for (const change of await assistant.knowledge.history(id)) {
            const version = change.version !== null ? ` v${change.version}` : '';
            const previous = change.previousVersion !== null && change.previousVersion !== change.version ? ` (was v${change.previousVersion})` : '';
            out(`${change.createdAt.toISOString()}\tkb ${change.kbVersion}\t${change.action}\t${change.docId ?? ''}${version}${previous}\t${change.actor ?? ''}`);
          }
        },
        true,
      );
    });
}
