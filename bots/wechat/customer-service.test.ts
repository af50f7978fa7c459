import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessTokenCache, WechatApiError, customerServiceSender } from './customer-service.ts';
import { FakeWechatApi } from './fake-wechat-api.ts';
import { utf8Bytes } from './format.ts';

const appId = 'wx5823bf96d3bd56c7';
const appSecret = 'test-app-secret';

describe('the customer-service sender (against a local fake WeChat API)', () => {
  let api: FakeWechatApi;
  beforeAll(async () => {
    api = await FakeWechatApi.start({ appId, appSecret });
  });
  afterAll(async () => api?.close());
  beforeEach(() => {
    api.messages.length = 0;
  });

  it('sends text to an OpenID, fetching the access token once and keeping it', async () => {
    const sender = customerServiceSender({ appId, appSecret, baseUrl: api.url });
    const before = api.tokenRequests;
    await Promise.all([sender.send('o-amy', '你好，我是王老师。'), sender.send('o-ben', '第二条')]);
    await sender.send('o-amy', '第三条');
    expect(api.tokenRequests - before).toBe(1);
    expect(api.messages).toEqual([
      { touser: 'o-amy', msgtype: 'text', content: '你好，我是王老师。' },
      { touser: 'o-ben', msgtype: 'text', content: '第二条' },
      { touser: 'o-amy', msgtype: 'text', content: '第三条' },
    ]);
  });

  it('fetches a new token once when WeChat says the token is stale', async () => {
    const sender = customerServiceSender({ appId, appSecret, baseUrl: api.url });
    await sender.send('o-amy', '一');
    api.expireToken();
    const before = api.tokenRequests;
    await sender.send('o-amy', '二');
    expect(api.tokenRequests - before).toBe(1);
    expect(api.messages.map((message) => message.content)).toEqual(['一', '二']);
  });

  it('refetches the token once it is about to expire', async () => {
    let clock = 0;
    const tokens = new AccessTokenCache({ appId, appSecret, baseUrl: api.url, now: () => clock });
    const first = await tokens.get();
    clock = (7200 - 299) * 1000;
    expect(await tokens.get()).not.toBe(first);
  });

  it('splits text longer than one message at line ends, never inside a 《…》 citation', async () => {
    const sender = customerServiceSender({ appId, appSecret, baseUrl: api.url, textBytes: 200 });
    const line = '根据《中等职业学校职业指导工作规定》第十六条：建立学生职业生涯档案。';
    await sender.send('o-amy', [line, line, line, line].join('\n'));
    expect(api.messages.length).toBeGreaterThan(1);
    for (const { content } of api.messages) {
      expect(utf8Bytes(content)).toBeLessThanOrEqual(200);
      expect(content.split('《').length).toBe(content.split('》').length);
    }
    expect(api.messages.map((message) => message.content).join('\n')).toBe([line, line, line, line].join('\n'));
  });

  it('rejects with the WeChat error code when WeChat refuses (outside the 48-hour window, a wrong secret)', async () => {
    api.outsideWindow.add('o-old');
    const sender = customerServiceSender({ appId, appSecret, baseUrl: api.url });
    await expect(sender.send('o-old', '你好')).rejects.toMatchObject({ name: 'WechatApiError', errcode: 45015 });
    const wrong = customerServiceSender({ appId, appSecret: 'wrong', baseUrl: api.url });
    const error = await wrong.send('o-amy', '你好').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).errcode).toBe(40125);
    expect((error as Error).message).not.toContain('你好');
  });
});
