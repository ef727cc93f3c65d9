// Reads the mail sabor writes as .eml files into {data dir}/mail when no SMTP server is set:
// a small MIME reader, enough for the messages GMime writes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// ---- a small MIME reader: enough for the messages GMime writes --------------------------

function splitHead(raw) {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(part) {
  const enc = (part.headers['content-transfer-encoding'] || '').toLowerCase();
  if (enc === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64');
  if (enc === 'quoted-printable') {
    const soft = part.body.replace(/=\r\n/g, '');
    const bytes = [];
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(soft.charCodeAt(i));
      }
    }
    return Buffer.from(bytes);
  }
  return Buffer.from(part.body, 'latin1');
}

// Every leaf part: {type, headers, data (Buffer)}.
export function leaves(raw) {
  const part = splitHead(raw);
  const type = part.headers['content-type'] || 'text/plain';
  const boundary = type.match(/boundary="?([^";]+)"?/i);
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const pieces = part.body.split('--' + boundary[1]);
    return pieces.slice(1, -1).flatMap((p) => leaves(p.replace(/^\r\n/, '')));
  }
  return [{ type: type.split(';')[0].trim().toLowerCase(), headers: part.headers, data: decodeBody(part) }];
}

// The mail to `address` whose subject starts with `subject` ("=?utf-8?..." decoded), as leaves.
export async function mailIn(dataDir, address, subject) {
  const dir = join(dataDir, 'mail');
  for (let i = 0; i < 150; i++) {
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
        const raw = readFileSync(join(dir, name), 'latin1');
        const { headers } = splitHead(raw);
        if (!(headers.to || '').includes(address)) continue;
        const subj = (headers.subject || '').replace(/=\?utf-8\?b\?([^?]+)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('latin1'));
        if (Buffer.from(subj, 'latin1').toString('utf8').startsWith(subject)) return { headers, parts: leaves(raw) };
      }
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no “${subject}” mail to ${address} in ${dir}`);
}

// The HTML part with its inline images put back as data: URIs, as a mail program shows it.
export function htmlOf(mail) {
  let html = mail.parts.find((p) => p.type === 'text/html').data.toString('utf8');
  for (const p of mail.parts.filter((x) => x.headers['content-id'])) {
    const cid = p.headers['content-id'].replace(/[<>]/g, '');
    html = html.split(`cid:${cid}`).join(`data:${p.type};base64,${p.data.toString('base64')}`);
  }
  return html;
}

