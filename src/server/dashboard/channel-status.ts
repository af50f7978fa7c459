/** How one channel started by `serve` is doing, for the admins' channel page. */
export interface ChannelStatus {
  /** `telegram`, `wechat`, `wechat-oa`. */
  name: string;
  /** A short state: 运行中, 等待扫码, 已登录, … */
  state: string;
  /** A link the admin may need: the WeChat login QR code while it waits for a scan. */
  link?: string;
  /** The login QR code's content, drawn on the page (no outside service needed). */
  qrcode?: string;
  /** When the state last changed. */
  since?: Date;
  /** Something about the channel's set-up the admin should fix (shown under the table). */
  warning?: string;
}
