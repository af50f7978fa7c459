import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Assistant } from './assistant.ts';
import { loadConfig } from './config.ts';
import { CorpusLsaEmbeddings } from './retrieval/embeddings/corpus-lsa.ts';
import { Postings } from './retrieval/postings.ts';

/** Counts the fits of every corpus LSA (in this thread or off it) from now on. */
function countFits(): { count: () => number; clear: () => void; restore: () => void } {
  const spies = [vi.spyOn(CorpusLsaEmbeddings.prototype, 'fit'), vi.spyOn(CorpusLsaEmbeddings.prototype, 'fitOffThread')];
  return {
    count: () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0),
    clear: () => spies.forEach((spy) => spy.mockClear()),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

describe('Assistant restarts on an existing data directory', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-restart-'));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fits the embedding model once, at the first ingest; a restart loads it and answers the same', async () => {
    const fits = countFits();
    const config = loadConfig({ LOG_LEVEL: 'silent', ZHIYIN_DATA_DIR: dataDir });
    const question = '实习单位能扣我身份证吗？';

    const first = await Assistant.open(config);
    const before = await first.ask(question);
    const model = first.knowledge.model.name;
    await first.close();
    expect(fits.count()).toBe(1);

    fits.clear();
    const restarted = await Assistant.open(config);
    try {
      const after = await restarted.ask(question);
      expect(fits.count()).toBe(0);
      expect(restarted.knowledge.model.name).toBe(model);
      expect(after.outcome).toBe(before.outcome);
      expect(after.answer).toBe(before.answer);
    } finally {
      await restarted.close();
    }
  });
});

describe('Assistant stores the lexical index with the knowledge-base version', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-lexical-'));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores it at the first ingest; a restart reads it instead of tokenising, and one it cannot read is built and stored again', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', ZHIYIN_DATA_DIR: dataDir });
    const question = '实习单位能扣我身份证吗？';
    const first = await Assistant.open(config);
    let before;
    try {
      before = await first.ask(question);
      const { rows } = await first.db.query<{ kb_version: number }>('select kb_version from lexical_indexes');
      expect(rows).toEqual([{ kb_version: await first.knowledge.version() }]);
    } finally {
      await first.close();
    }

    const builds = vi.spyOn(Postings, 'build');
    const restartAndAsk = async (change?: (assistant: Assistant) => Promise<void>): Promise<string> => {
      const assistant = await Assistant.open(config);
      try {
        await change?.(assistant);
        return (await assistant.ask(question)).answer;
      } finally {
        await assistant.close();
      }
    };
    expect(await restartAndAsk()).toBe(before.answer);
    expect(builds).not.toHaveBeenCalled();

    expect(await restartAndAsk((assistant) => assistant.db.exec(`update lexical_indexes set words = '\\x00'::bytea`))).toBe(before.answer);
    expect(builds).toHaveBeenCalledTimes(2);

    builds.mockClear();
    expect(await restartAndAsk()).toBe(before.answer);
    expect(builds).not.toHaveBeenCalled();
  });
});
