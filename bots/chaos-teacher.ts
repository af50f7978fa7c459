/** An active ticket as the queue shows it. */
export interface QueueTicket {
  id: number;
  /** What the queue row says (the student's message that opened the ticket, among other things). */
  row: string;
}

/** The login form said no (a wrong password, a throttle): signing in again will not help. */
export class SignInRefused extends Error {
  override readonly name = 'SignInRefused';
}

/** What a form POST came to: the page it redirected to (`?msg=…`), or why it did not. */
export type FormOutcome = { ok: true; flash: string } | { ok: false; status: number | 'unreachable' };

/**
 * A teacher at the dashboard, over HTTP as the browser does it (the chaos run): signs in through
 * the login form (its double-submit cookie and token), keeps the session cookie, reads the
 * session's CSRF token from the page, and posts the ticket forms with it. The server may be
 * killed under it: calls then report `unreachable`, and the session survives a restart.
 *
 * @example
 * const teacher = new TeacherBrowser(server.url);
 * await teacher.signIn('wang.li', 'a long passphrase');
 * for (const ticket of await teacher.activeTickets()) await teacher.post(`/tickets/${ticket.id}/reply`, { text: '你好' });
 */
export class TeacherBrowser {
  #session = '';
  #csrf = '';

  constructor(private readonly baseUrl: string) {}

  /**
   * Signs in through the login form. Rejects with `SignInRefused` when the form refuses, with
   * another error when the server could not be reached or answered with a server error.
   */
  async signIn(username: string, password: string): Promise<void> {
    const form = await fetch(`${this.baseUrl}/login`, { redirect: 'manual' });
    const token = /name="_csrf" value="([^"]+)"/u.exec(await form.text())?.[1];
    const loginCookie = cookiesOf(form).get('zhiyin_login');
    if (!token || !loginCookie) throw new Error('the login page gave no form token');
    const response = await fetch(`${this.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `zhiyin_login=${loginCookie}` },
      body: new URLSearchParams({ _csrf: token, username, password, next: '/' }).toString(),
    });
    const session = cookiesOf(response).get('zhiyin_session');
    if (response.status >= 500) throw new Error(`sign-in of ${username}: server error ${response.status}`);
    if (response.status !== 303 || !session) throw new SignInRefused(`sign-in of ${username} refused (${response.status})`);
    this.#session = `zhiyin_session=${session}`;
    const queue = await fetch(`${this.baseUrl}/`, { headers: { cookie: this.#session }, redirect: 'manual' });
    const csrf = /<meta name="csrf-token" content="([^"]+)">/u.exec(await queue.text())?.[1];
    if (!csrf) throw new Error('the queue page has no CSRF token');
    this.#csrf = csrf;
  }

  /** The active tickets (open, claimed, answered), from the queue's rows; `null` when the server is down. */
  async activeTickets(): Promise<QueueTicket[] | null> {
    const html = await this.#get('/queue/rows?status=active');
    if (html === null) return null;
    const tickets: QueueTicket[] = [];
    const rows = html.split(/(?=<li\b)/u);
    for (const row of rows) {
      const id = /data-ticket-id="(\d+)"/u.exec(row)?.[1];
      if (id) tickets.push({ id: Number(id), row });
    }
    return tickets;
  }

  /** A ticket's page, or `null` when the server is down. */
  async ticketPage(ticketId: number): Promise<string | null> {
    return this.#get(`/tickets/${ticketId}`);
  }

  /** Posts a form (with the CSRF token) as the browser does, not following the redirect. */
  async post(path: string, fields: Record<string, string> = {}): Promise<FormOutcome> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.#session },
        body: new URLSearchParams({ ...fields, _csrf: this.#csrf }).toString(),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
    } catch {
      return { ok: false, status: 'unreachable' };
    }
    const location = response.headers.get('location') ?? '';
    if (response.status !== 303) return { ok: false, status: response.status };
    return { ok: true, flash: /[?&]msg=([a-z-]+)/u.exec(location)?.[1] ?? '' };
  }

  async #get(path: string): Promise<string | null> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { headers: { cookie: this.#session }, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      text = await response.text();
    } catch {
      return null;
    }
    if (response.status === 200) return text;
    if (response.status >= 500) return null;
    throw new Error(`GET ${path}: ${response.status}`);
  }
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
function cookiesOf(response: Response): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const at = pair!.indexOf('=');
    cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
  }
  return cookies;
}
