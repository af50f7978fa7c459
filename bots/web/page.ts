import { randomBytes } from 'node:crypto';
import { Replies } from '../../src/prompts.ts';
import type { Choice } from '../../src/conversation/types.ts';

/** prompts/web.*.yaml and channels.*.yaml: the page's own words (the core's replies come from the core). */
let webTexts: Replies | null = null;

/** A text of the web chat page, Chinese. */
export function webText(name: string, values: Record<string, string | number> = {}): string {
  webTexts ??= new Replies(undefined, ['web', 'channels']);
  return webTexts.render('zh', name, values);
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** One message on the page. */
export interface ChatLine {
  role: 'student' | 'assistant' | 'teacher' | 'system' | 'notice';
  text: string;
  /** A teacher's name, shown above their reply. */
  who?: string;
  /** A written plan comes with this reply: the page links to its download. */
  document?: boolean;
  at?: Date;
}

const sectionClass: Record<string, string> = { 原文: 'quote', 出处: 'source', 提示: 'tip' };
const headingLine = /^【([^】\n]{1,8})】$/u;

/**
 * An answer's text as HTML: the lead, then each 【原文】/【出处】/【提示】 section as its own block
 * (quoted clause, citation card, caveats), so a citation reads as one on a phone.
 */
export function answerHtml(text: string): string {
  const blocks: { heading: string | null; lines: string[] }[] = [{ heading: null, lines: [] }];
  for (const line of text.split('\n')) {
    const heading = headingLine.exec(line.trim());
    if (heading) blocks.push({ heading: heading[1]!, lines: [] });
    else blocks.at(-1)!.lines.push(line);
  }
  return blocks
    .map(({ heading, lines }) => {
      const body = lines.join('\n').trim();
      if (heading === null) return body ? `<p class="t">${escapeHtml(body)}</p>` : '';
      return `<section class="sec ${sectionClass[heading] ?? 'other'}"><h3>${escapeHtml(heading)}</h3><p class="t">${escapeHtml(body)}</p></section>`;
    })
    .join('');
}

const chinaClock = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** One message bubble. */
export function lineHtml(line: ChatLine): string {
  const time = line.at ? `<time datetime="${line.at.toISOString()}">${escapeHtml(chinaClock.format(line.at))}</time>` : '';
  switch (line.role) {
    case 'student':
      return `<div class="msg student"><div class="bubble"><p class="t">${escapeHtml(line.text)}</p></div>${time}</div>`;
    case 'teacher':
      return `<div class="msg teacher"><div class="who">${escapeHtml(line.who ? `${line.who} · ${webText('teacher_label')}` : webText('teacher_label'))}</div><div class="bubble"><p class="t">${escapeHtml(line.text)}</p></div>${time}</div>`;
    case 'system':
      return `<div class="note">${escapeHtml(line.text)}</div>`;
    case 'notice':
      return `<div class="note warn" role="alert">${escapeHtml(line.text)}</div>`;
    default: {
      const plan = line.document ? `<a class="plan" href="/chat/plan" download>${escapeHtml(webText('plan_download'))}</a>` : '';
      return `<div class="msg assistant"><div class="bubble">${answerHtml(line.text)}${plan}</div>${time}</div>`;
    }
  }
}

/** A fresh message id for a form: posting the same form twice (a reload) is answered once. */
function messageIdField(): string {
  return `<input type="hidden" name="mid" value="${randomBytes(12).toString('hex')}">`;
}

/** A button that sends `text` as the student's message: a form that works without JavaScript. */
function sayButton(label: string, text: string, token: string, className: string): string {
  return `<form method="post" action="/chat#latest" class="say ${className}"><input type="hidden" name="text" value="${escapeHtml(text)}"><input type="hidden" name="_csrf" value="${escapeHtml(token)}">${messageIdField()}<button type="submit">${escapeHtml(label)}</button></form>`;
}

/** The choices of the latest reply (a menu, a rating, a career-dialogue question), as buttons. */
export function choicesHtml(choices: readonly Choice[], token: string): string {
  if (choices.length === 0) return '';
  return `<p class="choose">${escapeHtml(webText('choose_hint'))}</p><div class="options">${choices.map((choice) => sayButton(choice.label, choice.value, token, 'choice')).join('')}</div>`;
}

/** The conversation part of the page (the greeting when there is none yet), ending at the `#latest` anchor. */
export function logHtml(lines: readonly ChatLine[]): string {
  const shown = lines.length > 0 ? lines.map(lineHtml).join('') : lineHtml({ role: 'assistant', text: webText('greeting') });
  return `${shown}<div id="latest"></div><p class="privacy">${escapeHtml(webText('privacy'))}</p>`;
}

export interface ChatPage {
  lines: ChatLine[];
  choices: readonly Choice[];
  token: string;
  nonce: string;
  profile: { studentNumber: string | null; name: string | null } | null;
}

/** Who the student said they are, in one phrase ("学号 2023001 · 张三"). */
export function profileText(profile: { studentNumber: string | null; name: string | null }): string {
  return [profile.studentNumber ? `${webText('profile_number')} ${profile.studentNumber}` : '', profile.name ?? ''].filter(Boolean).join(' · ');
}

/**
 * The whole chat page: server-rendered, readable on a phone (WeChat's in-app browser included),
 * working with plain form posts; the inline script (under the CSP nonce) sends without reloading
 * and shows teachers' replies live (server-sent events).
 */
export function chatPageHtml(page: ChatPage): string {
  const { lines, choices, token, nonce, profile } = page;
  const quick = webText('quick_actions')
    .split('|')
    .map((action) => sayButton(action, action, token, 'quick'))
    .join('');
  const given = profile && (profile.studentNumber || profile.name) ? profileText(profile) : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="same-origin">
<meta name="theme-color" content="#0f766e">
<meta name="format-detection" content="telephone=no">
<link rel="icon" href="data:,">
<title>${escapeHtml(webText('page_title'))}</title>
<style nonce="${escapeHtml(nonce)}">${styles}</style>
</head>
<body>
<header class="bar">
<div><h1>职引</h1><p class="sub">${escapeHtml(webText('page_subtitle'))}</p></div>
<details class="profile">
<summary>${escapeHtml(given || webText('profile_button'))}</summary>
<form method="post" action="/chat/profile" class="profile-form">
<input type="hidden" name="_csrf" value="${escapeHtml(token)}">
<h2>${escapeHtml(given ? webText('profile_current', { who: given }) : webText('profile_heading'))}</h2>
<p class="hint">${escapeHtml(webText('profile_hint'))}</p>
<label>${escapeHtml(webText('profile_number'))}<input name="studentNumber" inputmode="latin" autocomplete="off" maxlength="32" value="${escapeHtml(profile?.studentNumber ?? '')}"></label>
<label>${escapeHtml(webText('profile_name'))}<input name="name" autocomplete="name" maxlength="20" value="${escapeHtml(profile?.name ?? '')}"></label>
<div class="row"><button type="submit" name="action" value="save" class="primary">${escapeHtml(webText('profile_save'))}</button>${given ? `<button type="submit" name="action" value="clear" class="ghost">${escapeHtml(webText('profile_clear'))}</button>` : ''}</div>
</form>
</details>
</header>
<main id="log" class="log" aria-live="polite">
${logHtml(lines)}
</main>
<footer class="composer">
<div id="choices" class="choices">${choicesHtml(choices, token)}</div>
<div class="quickbar">${quick}</div>
<form id="send" method="post" action="/chat#latest" class="say send">
<input type="hidden" name="_csrf" value="${escapeHtml(token)}">${messageIdField()}
<textarea name="text" rows="1" placeholder="${escapeHtml(webText('placeholder'))}" aria-label="${escapeHtml(webText('placeholder'))}" enterkeyhint="send"></textarea>
<button type="submit" class="primary">${escapeHtml(webText('send'))}</button>
</form>
<p id="live" class="live" hidden></p>
</footer>
<script nonce="${escapeHtml(nonce)}">${script({
    thinking: webText('thinking'),
    sendFailed: webText('send_failed'),
    liveOn: webText('live_on'),
    liveOff: webText('live_off'),
  })}</script>
</body>
</html>`;
}

const styles = `
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;height:100vh;height:100dvh;background:#eef2f1;color:#1f2933;font:16px/1.65 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;-webkit-text-size-adjust:100%}
.bar{flex:none;display:flex;justify-content:space-between;align-items:flex-start;gap:.5rem;padding:.6rem .9rem;padding-top:calc(.6rem + env(safe-area-inset-top));background:#0f766e;color:#fff;position:relative}
.bar h1{margin:0;font-size:1.15rem;letter-spacing:.08em}
.bar>div{min-width:0}
.bar .sub{margin:0;font-size:.75rem;opacity:.85;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.profile{flex:none;font-size:.82rem;max-width:45%;text-align:right}
.profile summary{cursor:pointer;list-style:none;padding:.2rem .55rem;border:1px solid rgba(255,255,255,.55);border-radius:1rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.profile summary::-webkit-details-marker{display:none}
.profile[open] .profile-form{position:absolute;right:.6rem;left:.6rem;top:100%;z-index:5;background:#fff;color:#1f2933;text-align:left;padding:.8rem;border-radius:.6rem;box-shadow:0 8px 24px rgba(0,0,0,.18)}
.profile-form label{display:block;margin:.4rem 0;font-size:.9rem}
.profile-form input{display:block;width:100%;margin-top:.2rem;padding:.5rem;border:1px solid #cbd5e1;border-radius:.4rem;font:inherit}
.profile-form h2{margin:0 0 .3rem;font-size:1rem}
.profile-form .hint{margin:0 0 .4rem;color:#52606d;font-size:.8rem}
.profile-form .row{display:flex;gap:.5rem;margin-top:.6rem}
.log{flex:1 1 auto;overflow-y:auto;-webkit-overflow-scrolling:touch;padding:.9rem .75rem 1.2rem}
.msg{display:flex;flex-direction:column;margin:.55rem 0;max-width:100%}
.msg .bubble{padding:.6rem .8rem;border-radius:.9rem;max-width:88%;overflow-wrap:anywhere;box-shadow:0 1px 1px rgba(0,0,0,.06)}
.msg time{font-size:.7rem;color:#7b8794;margin:.15rem .35rem 0}
.msg.student{align-items:flex-end}
.msg.student .bubble{background:#0f766e;color:#fff;border-bottom-right-radius:.25rem}
.msg.assistant{align-items:flex-start}
.msg.assistant .bubble{background:#fff;border-bottom-left-radius:.25rem}
.msg.teacher{align-items:flex-start}
.msg.teacher .who{font-size:.75rem;color:#b45309;font-weight:600;margin:0 .35rem .15rem}
.msg.teacher .bubble{background:#fff7ed;border:1px solid #fdba74;border-bottom-left-radius:.25rem}
.t{margin:0;white-space:pre-wrap}
.sec{margin-top:.6rem;padding:.45rem .6rem;border-radius:.5rem;font-size:.9rem;line-height:1.6}
.sec h3{margin:0 0 .15rem;font-size:.75rem;letter-spacing:.1em;color:#52606d;font-weight:600}
.sec.quote{background:#f0fdfa;border-left:3px solid #14b8a6}
.sec.source{background:#f8fafc;border:1px solid #e2e8f0;color:#334e68}
.sec.tip{background:#fffbeb;border-left:3px solid #f59e0b;color:#7c4a03}
.sec.other{background:#f8fafc}
.plan{display:inline-block;margin-top:.6rem;color:#0f766e;font-weight:600}
.note{margin:.6rem auto;max-width:92%;text-align:center;font-size:.8rem;color:#52606d;background:#e2e8f0;border-radius:.8rem;padding:.3rem .7rem;width:fit-content}
.note.warn{background:#fee2e2;color:#7f1d1d}
.privacy{font-size:.72rem;color:#7b8794;text-align:center;margin:1rem 0 0}
.composer{flex:none;background:#f8fafc;border-top:1px solid #d9e2ec;padding:.45rem .6rem;padding-bottom:calc(.45rem + env(safe-area-inset-bottom))}
.choices .choose{margin:0 0 .25rem;font-size:.78rem;color:#52606d}
.options,.quickbar{display:flex;flex-wrap:wrap;gap:.4rem;margin-bottom:.45rem}
.quickbar{flex-wrap:nowrap;overflow-x:auto}
form.say{margin:0}
button{font:inherit;cursor:pointer;border-radius:1rem;border:1px solid #94a3b8;background:#fff;color:#1f2933;padding:.3rem .8rem;white-space:nowrap}
.choice button{border-color:#0f766e;color:#0f766e;font-weight:600}
.quick button{font-size:.85rem;padding:.2rem .7rem;color:#334e68}
.send{display:flex;gap:.5rem;align-items:flex-end}
.send textarea{flex:1;min-height:2.6rem;max-height:8rem;resize:none;padding:.5rem .7rem;border:1px solid #cbd5e1;border-radius:1.2rem;font:inherit;background:#fff}
.send textarea:focus{outline:2px solid #14b8a6;border-color:transparent}
button.primary{background:#0f766e;color:#fff;border-color:#0f766e;padding:.45rem 1.1rem;border-radius:1.2rem;font-weight:600}
button.ghost{background:#fff;color:#52606d}
button:disabled{opacity:.55}
.live{margin:.3rem 0 0;font-size:.72rem;color:#52606d;text-align:center}
.live.off{color:#b45309}
.typing .bubble{color:#7b8794}
@media (min-width:40rem){.log,.composer{padding-left:calc(50% - 19rem);padding-right:calc(50% - 19rem)}}
`;

/**
 * The page's script: sends through fetch (the forms work without it) and listens for teachers'
 * replies; after the live connection drops (a phone asleep, a tunnel) and comes back, it reloads
 * the conversation, so that a reply sent meanwhile shows too.
 */
function script(texts: { thinking: string; sendFailed: string; liveOn: string; liveOff: string }): string {
  return `(function(){
var T=${JSON.stringify(texts).replace(/</gu, '\\u003c')};
var log=document.getElementById('log'),choices=document.getElementById('choices'),live=document.getElementById('live');
var send=document.getElementById('send'),box=send.elements.text,busy=false;
function id(){var a=new Uint8Array(12);crypto.getRandomValues(a);var s='';for(var i=0;i<a.length;i++){s+=('0'+a[i].toString(16)).slice(-2);}return s;}
function bottom(){log.scrollTop=log.scrollHeight;}
function add(html){var box=document.createElement('div');box.innerHTML=html;var last=null;while(box.firstChild){last=box.firstChild;log.insertBefore(last,log.querySelector('#latest'));}bottom();return last;}
var clock=window.Intl?new Intl.DateTimeFormat('zh-CN',{timeZone:'Asia/Shanghai',month:'numeric',day:'numeric',hour:'2-digit',minute:'2-digit',hourCycle:'h23'}):null;
function bubble(cls,text,timed){var m=document.createElement('div');m.className='msg '+cls;var b=document.createElement('div');b.className='bubble';var p=document.createElement('p');p.className='t';p.textContent=text;b.appendChild(p);m.appendChild(b);
  if(timed&&clock){var t=document.createElement('time');t.textContent=clock.format(new Date());m.appendChild(t);}
  log.insertBefore(m,log.querySelector('#latest'));bottom();return m;}
function grow(){box.style.height='auto';box.style.height=Math.min(box.scrollHeight,128)+'px';}
box.addEventListener('input',grow);
function say(text,token){
  if(busy)return;busy=true;
  var buttons=document.querySelectorAll('.composer button');for(var i=0;i<buttons.length;i++)buttons[i].disabled=true;
  var mine=bubble('student',text,true),wait=bubble('assistant typing',T.thinking);
  function giveBack(){mine.remove();if(!box.value){box.value=text;grow();}}
  var body=new URLSearchParams();body.set('text',text);body.set('_csrf',token);body.set('mid',id());
  fetch('/chat',{method:'POST',credentials:'same-origin',headers:{'accept':'application/json','content-type':'application/x-www-form-urlencoded'},body:body.toString()})
  .then(function(r){return r.json().then(function(data){return {ok:r.ok,data:data};});})
  .then(function(result){wait.remove();
    // refused (too fast, page expired): the message was not taken, so it goes back into the box
    if(!result.ok){giveBack();if(result.data.html)add(result.data.html);return;}
    if(result.data.html)add(result.data.html);choices.innerHTML=result.data.choices||'';})
  .catch(function(){wait.remove();giveBack();add('<div class="note warn" role="alert"></div>').textContent=T.sendFailed;})
  .then(function(){busy=false;var buttons=document.querySelectorAll('.composer button');for(var i=0;i<buttons.length;i++)buttons[i].disabled=false;});
}
document.addEventListener('submit',function(e){
  var f=e.target;if(!f.classList||!f.classList.contains('say'))return;
  e.preventDefault();var text=f.elements.text.value;
  if(f===send){box.value='';grow();}
  say(text,f.elements._csrf.value);
});
box.addEventListener('keydown',function(e){if(e.key==='Enter'&&!e.shiftKey&&!e.isComposing&&window.matchMedia('(pointer:fine)').matches){e.preventDefault();send.requestSubmit();}});
function refresh(){
  fetch('/chat',{credentials:'same-origin',headers:{'accept':'application/json'}}).then(function(r){return r.json();}).then(function(d){
    if(d.log&&!busy){log.innerHTML=d.log;choices.innerHTML=d.choices||'';bottom();}
  }).catch(function(){});
}
if(window.EventSource){
  var source=new EventSource('/chat/events'),dropped=false;
  source.addEventListener('ready',function(){live.hidden=false;live.className='live';live.textContent=T.liveOn;if(dropped){dropped=false;refresh();}});
  source.addEventListener('reply',function(e){try{add(JSON.parse(e.data).html);}catch(x){}});
  source.onerror=function(){dropped=true;live.hidden=false;live.className='live off';live.textContent=T.liveOff;};
}
bottom();
})();`;
}
