import { html } from 'hono/html';
import type { AccountChange, AccountChangeRecord } from '../auth/account-audit.ts';
import type { Session } from '../auth/sessions.ts';
import type { User } from '../auth/users.ts';
import { csrfField, formatChinaTime, roleLabels, type Html } from '../dashboard/view.ts';

/** Notices after an account action, by code (never text from the request). */
export const accountFlashes = {
  added: '账号已添加：请把用户名和初始密码当面或电话告诉对方。',
  disabled: '账号已停用：它不能再登录，已登录的会话已结束。',
  enabled: '账号已重新启用。',
  changed: '密码已修改；你在其他设备上的登录已结束。',
} as const;
export type AccountFlash = keyof typeof accountFlashes;

const changeLabels: Record<AccountChange, string> = {
  added: '添加账号',
  disabled: '停用',
  enabled: '重新启用',
  'password-reset': '重置密码',
  'password-changed': '修改密码',
};

function notice(code: AccountFlash | undefined, error: string | undefined): Html | string {
  if (error) return html`<p class="flash error" role="alert">${error}</p>`;
  return code ? html`<p class="flash" role="status">${accountFlashes[code]}</p>` : '';
}

/** What the add form shows again after a refused add (never the password). */
export interface AddFormValues {
  username: string;
  displayName: string;
  role: 'teacher' | 'admin';
}

/** The accounts page (administrators): every account with its actions, the add form, and the account changes. */
export function accountsBody(input: {
  session: Session;
  users: User[];
  changes: AccountChangeRecord[];
  flash?: AccountFlash | undefined;
  error?: string | undefined;
  values?: AddFormValues | undefined;
}): Html {
  const { session, users } = input;
  const values = input.values ?? { username: '', displayName: '', role: 'teacher' };
  const action = (user: User, path: string, label: string, className = ''): Html =>
    html`<form method="post" action="/users/${user.id}/${path}">${csrfField(session)}<button type="submit" class="${className}">${label}</button></form>`;
  return html`<h1>账号</h1>
${notice(input.flash, input.error)}
<table id="accounts"><tr><th>用户名</th><th>显示名</th><th>角色</th><th>状态</th><th>添加时间</th><th></th></tr>
${users.map(
  (user) => html`<tr data-username="${user.username}"><td>${user.username}</td><td>${user.displayName}</td><td>${roleLabels[user.role]}</td><td class="account-state">${
    user.disabledAt
      ? html`<span class="badge r-complaint">已停用</span> <span class="muted">${formatChinaTime(user.disabledAt)}</span>`
      : user.mustChangePassword
        ? html`<span class="badge r-person">待改密码</span>`
        : html`<span class="badge b-status">正常</span>`
  }</td><td>${formatChinaTime(user.createdAt)}</td><td><div class="actions">${
    user.id === session.user.id
      ? html`<a href="/account/password">修改我的密码</a>`
      : html`${user.disabledAt ? action(user, 'enable', '重新启用') : action(user, 'disable', '停用…', 'danger')}${action(user, 'reset-password', '重置密码…')}`
  }</div></td></tr>`,
)}
</table>
<h2>添加账号</h2>
<form method="post" action="/users" class="account-form" id="add-account">
${csrfField(session)}
<label for="new-username">用户名</label><input id="new-username" type="text" name="username" required minlength="3" maxlength="32" autocapitalize="none" autocomplete="off" value="${values.username}" placeholder="如 wang.li">
<label for="new-displayName">显示名</label><input id="new-displayName" type="text" name="displayName" required maxlength="64" value="${values.displayName}" placeholder="如 王老师">
<label for="new-role">角色</label><select id="new-role" name="role"><option value="teacher"${values.role === 'teacher' ? html` selected` : ''}>老师</option><option value="admin"${values.role === 'admin' ? html` selected` : ''}>管理员</option></select>
<label for="new-password">初始密码</label><input id="new-password" type="password" name="password" required minlength="10" autocomplete="new-password" placeholder="至少 10 个字符">
<span></span><p><button class="primary" type="submit">添加</button></p>
</form>
<p class="muted">用户名为 3–32 个小写字母、数字或 _ . -。老师忘记密码时，用“重置密码”生成一个临时密码，对方登录后必须先改密码。停用的账号不能登录，已登录的会话立即结束；不能停用自己，也不能停用最后一个管理员。以上操作都记入审计日志。</p>
<h2>账号变更记录</h2>
${
  input.changes.length === 0
    ? html`<p class="muted">还没有变更。</p>`
    : html`<table id="account-changes"><tr><th>时间（北京时间）</th><th>操作</th><th>账号</th><th>操作人</th></tr>
${input.changes.map((change) => html`<tr><td>${formatChinaTime(change.createdAt)}</td><td>${changeLabels[change.change] ?? change.change}</td><td>${change.username}</td><td>${change.actorName ?? '命令行'}</td></tr>`)}
</table>`
}`;
}

/** The step before a disable or a password reset: what it will do, and the button that does it (no script needed). */
export function confirmAccountBody(input: { session: Session; user: User; kind: 'disable' | 'reset-password' }): Html {
  const { session, user, kind } = input;
  const what =
    kind === 'disable'
      ? html`<p>停用后 <strong>${user.displayName}</strong>（${user.username}）不能再登录，已登录的会话立即结束。之后可以重新启用。</p>`
      : html`<p>将为 <strong>${user.displayName}</strong>（${user.username}）生成一个临时密码，原密码立即失效，已登录的会话结束。对方用临时密码登录后必须先设置新密码。</p>`;
  return html`<h1>${kind === 'disable' ? '确认停用账号' : '确认重置密码'}</h1>
${what}
<div class="actions">
<form method="post" action="/users/${user.id}/${kind}">${csrfField(session)}<input type="hidden" name="confirm" value="1"><button type="submit" class="danger" id="confirm">${kind === 'disable' ? '确认停用' : '确认重置密码'}</button></form>
<a href="/users">取消</a>
</div>`;
}

/** The temporary password, shown this once (the page is not cached). */
export function temporaryPasswordBody(input: { user: User; password: string }): Html {
  return html`<h1>临时密码</h1>
<p class="flash" role="status">已为 <strong>${input.user.displayName}</strong>（${input.user.username}）重置密码。</p>
<p>临时密码（只显示这一次，请当面或电话告诉对方）：</p>
<p><code id="temporary-password" class="secret">${input.password}</code></p>
<p class="muted">对方用它登录后，必须先设置自己的新密码。离开本页后无法再查看；忘记了就再重置一次。</p>
<p><a href="/users">← 返回账号</a></p>`;
}

/** Changing one's own password (required first after a reset). */
export function passwordBody(input: { session: Session; error?: string | undefined; flash?: AccountFlash | undefined }): Html {
  const { session } = input;
  return html`<div class="login">
<h1>修改密码</h1>
${session.user.mustChangePassword ? html`<p class="flash" role="status">管理员为你重置了密码：请先设置一个只有你知道的新密码。</p>` : ''}
${notice(input.flash, input.error)}
<form method="post" action="/account/password">
${csrfField(session)}
<input type="text" name="username" value="${session.user.username}" autocomplete="username" hidden>
<label for="current-password">当前密码${session.user.mustChangePassword ? '（临时密码）' : ''}</label>
<input id="current-password" type="password" name="current" required autocomplete="current-password">
<label for="new-password">新密码（至少 10 个字符）</label>
<input id="new-password" type="password" name="password" required minlength="10" autocomplete="new-password">
<label for="repeat-password">再输入一次新密码</label>
<input id="repeat-password" type="password" name="repeat" required minlength="10" autocomplete="new-password">
<p><button class="primary" type="submit">保存新密码</button></p>
</form>
<p class="muted">保存后，你在其他设备和浏览器上的登录会结束。</p>
</div>`;
}
