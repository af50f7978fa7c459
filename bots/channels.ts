import type { ServeChannelContext } from '../src/server/serve.ts';
import type { ChannelStatus } from '../src/server/dashboard/channel-status.ts';

const loginLabels: Record<string, string> = { stopped: '已停止', starting: '启动中', scan: '等待扫码登录', 'logged-in': '已登录', 'logged-out': '已退出登录' };

/** What `zhiyin serve` hands the channel adapters: the core, the outbox, the HTTP app (for webhooks). */
export type ChannelContext = ServeChannelContext;

/** A started channel. */
export interface RunningChannel {
  name: string;
  stop(): Promise<void>;
  /** How it is doing, for the admins' channel page. */
  status(): ChannelStatus;
}

/** What the channel page says about an Official Account in plain mode (no WECHAT_OA_AES_KEY). */
export const officialAccountPlainModeWarning =
  '明文模式：微信的签名不覆盖消息内容，截获的请求可在时间窗口内换上别的内容重放。建议在公众号后台改用安全模式，并设置 WECHAT_OA_AES_KEY。';

/** The channels this build knows, and whether the configuration asks for each. */
export const knownChannels = ['telegram', 'wechat', 'wechat-oa', 'web'] as const;

const wanted = (context: ChannelContext, name: string): boolean => context.only === undefined || context.only.includes(name);

/**
 * Starts every configured channel: Telegram when `TELEGRAM_BOT_TOKEN` is set (long polling, or a
 * webhook at `/telegram/webhook` when `TELEGRAM_WEBHOOK_URL` is set); personal WeChat through
 * wechaty when `WECHATY_PUPPET` is set; the Official Account webhook at `/wechat` when
 * `WECHAT_OA_TOKEN` and `WECHAT_OA_APPID` are set; the student web chat at `/chat` unless
 * `WEB_CHAT=off`. A channel that cannot start (a wrong token, no
 * network) is logged and left out; the server and the other channels go on.
 *
 * @example const channels = await startChannels({ config, core, outbox, app, log });
 */
export async function startChannels(context: ChannelContext): Promise<RunningChannel[]> {
  const { config, log } = context;
  const running: RunningChannel[] = [];
  if (context.only) {
    for (const name of context.only) if (!(knownChannels as readonly string[]).includes(name)) throw new Error(`unknown channel "${name}" (known: ${knownChannels.join(', ')})`);
  }
  const starters: { name: string; configured: boolean; needs: string; start: () => Promise<RunningChannel> }[] = [
    { name: 'telegram', configured: Boolean(config.TELEGRAM_BOT_TOKEN), needs: 'TELEGRAM_BOT_TOKEN', start: () => startTelegramChannel(context, config.TELEGRAM_BOT_TOKEN!) },
    { name: 'wechat', configured: Boolean(config.WECHATY_PUPPET), needs: 'WECHATY_PUPPET', start: () => startWechatyChannel(context, config.WECHATY_PUPPET!) },
    {
      name: 'wechat-oa',
      configured: Boolean(config.WECHAT_OA_TOKEN && config.WECHAT_OA_APPID),
      needs: 'WECHAT_OA_TOKEN and WECHAT_OA_APPID',
      start: () => startOfficialAccount(context),
    },
    { name: 'web', configured: config.WEB_CHAT, needs: 'WEB_CHAT not off', start: () => startWebChatChannel(context) },
  ];
  for (const starter of starters) {
    if (!wanted(context, starter.name)) continue;
    if (!starter.configured) {
      if (context.only?.includes(starter.name)) log.warn({ channel: starter.name }, `channel asked for but ${starter.needs} is not set`);
      continue;
    }
    try {
      running.push(await starter.start());
    } catch (error) {
      log.error({ channel: starter.name, errorName: (error as Error).name, error: (error as Error).message }, 'channel did not start');
    }
  }
  return running;
}

async function startWechatyChannel(context: ChannelContext, puppet: string): Promise<RunningChannel> {
  const { config, core, outbox, inbox, log } = context;
  const { startWechaty } = await import('./wechat/index.ts');
  const handle = await startWechaty({
    puppet,
    core,
    inbox,
    outbox,
    log,
    friendPolicy: config.WECHATY_FRIEND_POLICY,
    ...(config.WECHATY_PUPPET_SERVICE_TOKEN ? { puppetToken: config.WECHATY_PUPPET_SERVICE_TOKEN } : {}),
    ...(config.WECHATY_SESSION ? { sessionName: config.WECHATY_SESSION } : {}),
  });
  log.info({ channel: 'wechat' }, 'channel started');
  return {
    name: 'wechat',
    stop: () => handle.stop(),
    status: () => {
      const login = handle.loginState();
      return {
        name: 'wechat',
        state: loginLabels[login.status] ?? login.status,
        since: login.since,
        ...(login.status === 'scan' && login.qrUrl ? { link: login.qrUrl } : {}),
        ...(login.status === 'scan' && login.qrcode ? { qrcode: login.qrcode } : {}),
      };
    },
  };
}

async function startOfficialAccount(context: ChannelContext): Promise<RunningChannel> {
  const { config, core, outbox, inbox, app, log } = context;
  const { customerServiceSender, officialAccountApp, officialAccountChannel } = await import('./wechat/index.ts');
  const { ReplayGuard } = await import('../src/store/replay-guard.ts');
  if (config.WECHAT_OA_SECRET) {
    outbox.register(
      officialAccountChannel,
      customerServiceSender({
        appId: config.WECHAT_OA_APPID!,
        appSecret: config.WECHAT_OA_SECRET,
        log,
        ...(config.WECHAT_API_BASE_URL ? { baseUrl: config.WECHAT_API_BASE_URL } : {}),
      }),
    );
  }
  app.route(
    '/wechat',
    officialAccountApp({
      token: config.WECHAT_OA_TOKEN!,
      appId: config.WECHAT_OA_APPID!,
      core,
      inbox,
      log,
      // nonces in the database, so that every instance refuses a request another one has seen
      replays: new ReplayGuard(outbox.db),
      maxSkewSeconds: config.WECHAT_OA_MAX_SKEW_SECONDS,
      ...(config.WECHAT_OA_AES_KEY ? { encodingAESKey: config.WECHAT_OA_AES_KEY } : {}),
      // an answer that missed WeChat's 5-second window goes out later through the outbox (retried)
      ...(config.WECHAT_OA_SECRET ? { customerService: { send: (openId: string, text: string) => outbox.enqueue(officialAccountChannel, openId, text) } } : {}),
    }),
  );
  log.info({ channel: 'wechat-oa', customerService: Boolean(config.WECHAT_OA_SECRET) }, 'channel started');
  const since = new Date();
  const state = config.WECHAT_OA_SECRET ? '运行中（被动回复 + 客服消息）' : '运行中（仅被动回复）';
  const warning = config.WECHAT_OA_AES_KEY ? undefined : officialAccountPlainModeWarning;
  return { name: 'wechat-oa', stop: () => inbox.stop(officialAccountChannel), status: () => ({ name: 'wechat-oa', state, since, ...(warning ? { warning } : {}) }) };
}

async function startWebChatChannel(context: ChannelContext): Promise<RunningChannel> {
  const { config, core, outbox, app, log } = context;
  const { startWebChat } = await import('./web/index.ts');
  await startWebChat({ core, outbox, app, log, trustProxy: config.TRUST_PROXY, ...(config.WEB_CHAT_SECRET ? { secret: config.WEB_CHAT_SECRET } : {}) });
  log.info({ channel: 'web' }, 'channel started');
  const since = new Date();
  return { name: 'web', stop: async () => {}, status: () => ({ name: 'web', state: '运行中（学生网页聊天 /chat）', since }) };
}

async function startTelegramChannel(context: ChannelContext, token: string): Promise<RunningChannel> {
  const { config, core, outbox, inbox, app, log } = context;
  const telegram = await import('./telegram/index.ts');
  const apiRoot = config.TELEGRAM_API_ROOT;
  if (config.TELEGRAM_WEBHOOK_URL) {
    const secretToken = config.TELEGRAM_WEBHOOK_SECRET;
    if (!secretToken) throw new Error('TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL');
    const bot = telegram.createTelegramBot({ token, core, log, undelivered: outbox, ...(apiRoot ? { apiRoot } : {}) });
    // 200 once an update is stored in the inbox (in the database: a repeat is refused on every instance)
    app.post('/telegram/webhook', telegram.telegramWebhook(bot, secretToken, { inbox, log }));
    await telegram.prepareTelegramWebhook(bot, { url: config.TELEGRAM_WEBHOOK_URL, secretToken });
    outbox.register(telegram.telegramChannel, telegram.telegramSender(bot.api, { log }));
    await inbox.start(telegram.telegramChannel, telegram.telegramInboxHandler(bot));
    log.info({ channel: 'telegram', mode: 'webhook' }, 'channel started');
    const since = new Date();
    return {
      name: 'telegram',
      stop: async () => {
        await inbox.stop(telegram.telegramChannel);
        await telegram.whenIdle(bot);
      },
      status: () => ({ name: 'telegram', state: `运行中（webhook，@${bot.botInfo.username}）`, since }),
    };
  }
  const handle = await telegram.startTelegram({ token, core, inbox, outbox, log, ...(apiRoot ? { apiRoot } : {}) });
  log.info({ channel: 'telegram', mode: 'polling' }, 'channel started');
  const since = new Date();
  return { name: 'telegram', stop: () => handle.stop(), status: () => ({ name: 'telegram', state: `运行中（长轮询，@${handle.bot.botInfo.username}）`, since }) };
}
