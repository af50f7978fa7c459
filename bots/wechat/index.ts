/**
 * The WeChat channels:
 *
 * - personal WeChat through wechaty (`startWechaty`, channel `wechat`, user ids are contact ids),
 *   with the login QR code for the dashboard (`wechatyLoginState`);
 * - the Official Account (公众号) webhook (`officialAccountApp`, channel `wechat-oa`, user ids are
 *   OpenIDs), with the customer-service API sender (`customerServiceSender`) for late answers and
 *   teachers' replies.
 *
 * @example
 * const wechat = await startWechaty({ puppet: 'wechaty-puppet-service', puppetToken, core, inbox, outbox, log, friendPolicy: 'accept' });
 * const customerService = customerServiceSender({ appId, appSecret, log });
 * outbox.register(officialAccountChannel, customerService);
 * app.route('/wechat', officialAccountApp({ token, appId, encodingAESKey, core, inbox, log, customerService }));
 */
export {
  createStoredWechatyHandler,
  createWechatyFriendshipHandler,
  createWechatyMessageHandler,
  documentFileBox,
  kindOf as wechatyKindOf,
  sendWechatyReplies,
  startWechaty,
  wechatyChannel,
  wechatyLoginState,
  wechatySender,
  type FriendPolicy,
  type SenderRegistry,
  type StartWechatyOptions,
  type StoredWechatyMessage,
  type WechatCore,
  type WechatyHandle,
  type WechatyHandlerOptions,
  type WechatyLoginState,
  type WechatyPuppetOption,
  type WechatyTurn,
} from './wechaty-bot.ts';
export { inboundOf as officialAccountInbound, officialAccountApp, officialAccountChannel, type OfficialAccountOptions } from './official-account.ts';
export { AccessTokenCache, WechatApiError, customerServiceSender, wechatApiBaseUrl, type CustomerServiceOptions, type WechatApiOptions } from './customer-service.ts';
export { ChoiceMemory, joinReplies, numberedChoices, officialAccountTextBytes, replyText, splitWechatText, utf8Bytes, wechatTextLimit, wechatTexts } from './format.ts';
