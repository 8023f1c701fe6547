/**
 * Checks on a message's copy before it is sent: the things that get an SMS dropped by a carrier's filter,
 * refused by the platform's rules, or billed as more parts than expected. Pure: the audience's longest
 * values are looked up by the caller (audience-values.ts).
 */
import { EXPORT_FIELDS } from '../segmentation/exports.ts';
import { billedParts, type BilledParts } from './billed-parts.ts';
import { DEFAULT_BANNED_WORDS, DEFAULT_UNSUBSCRIBE_FORMS, type WordCategory } from './word-lists.ts';

export type TemplateKind = 'promotion' | 'service';
type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: string;
  severity: Severity;
  message_en: string;
  message_zh: string;
  /** UTF-16 index in the message as sent (signature included), when the finding is at one place. */
  position?: number;
}

export interface CopyInput {
  text: string;
  kind: TemplateKind;
  /** The sender's signature, with or without 【】; put in front of the text when the text does not carry it. */
  signature?: string | null;
  /** Replaces the default list (DEFAULT_BANNED_WORDS); every word of it is an error. */
  bannedWords?: readonly string[];
  unsubscribeForms?: readonly string[];
  /** The longest value of each variable an audience provides; undefined when no audience was given. */
  audienceValues?: ReadonlyMap<string, string>;
}

export interface CopyReport {
  /** The text as sent, before variables are filled. */
  message: string;
  findings: Finding[];
  /** Billed parts after each variable is replaced by its longest value in the audience (as written without one). */
  parts: BilledParts;
  links: number;
  variables: string[];
}

const finding = (code: string, severity: Severity, en: string, zh: string, position?: number): Finding =>
  position === undefined ? { code, severity, message_en: en, message_zh: zh } : { code, severity, message_en: en, message_zh: zh, position };

const SIGNATURE = /【[^【】]+】/g;
const VARIABLE = /\{([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;
// A link: a scheme or www., or a bare host with a path on a common top-level domain (short links: t.cn/xxxx).
const LINK = /(?:https?:\/\/|www\.)[^\s，。！？【】]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:cn|com|net|cc|me|top|ly|gl|io)\/[^\s，。！？【】]*/gi;

/** The message as sent: the signature in front unless the text already carries it. */
export function composeMessage(text: string, signature?: string | null): string {
  const name = signature?.replace(/^【|】$/g, '').trim();
  if (!name) return text;
  const tag = `【${name}】`;
  return text.includes(tag) ? text : `${tag}${text}`;
}

/** Carriers require one signature 【…】, at the very start or the very end of the message. */
function signatureFindings(message: string): Finding[] {
  const trimmed = message.trim();
  const offset = message.indexOf(trimmed);
  const found = [...trimmed.matchAll(SIGNATURE)];
  if (!found.length)
    return [finding('SIGNATURE_MISSING', 'error', 'No signature 【…】: carriers drop unsigned messages', '缺少签名【…】：运营商会拦截无签名短信')];
  const placed = found.some((m) => m.index === 0 || m.index + m[0].length === trimmed.length);
  if (placed) return [];
  return [
    finding(
      'SIGNATURE_MISPLACED',
      'error',
      `The signature ${found[0]![0]} must be at the start or the end of the message`,
      `签名${found[0]![0]}须位于短信开头或结尾`,
      offset + found[0]!.index,
    ),
  ];
}

const squeeze = (s: string) => s.replace(/\s+/g, '').toLowerCase();

function unsubscribeFindings(message: string, kind: TemplateKind, forms: readonly string[]): Finding[] {
  if (kind !== 'promotion' || forms.some((f) => squeeze(message).includes(squeeze(f)))) return [];
  const examples = forms.slice(0, 3).join(', ');
  return [
    finding('UNSUBSCRIBE_HINT_MISSING', 'error', `A promotion must tell how to unsubscribe (e.g. ${examples})`, `营销短信须注明退订方式（如 ${examples}）`),
  ];
}

/** Every occurrence of a listed word; where words overlap (中奖 in 百分百中奖) the longest one is reported. */
function wordFindings(message: string, custom: readonly string[] | undefined): Finding[] {
  const lists: [WordCategory, readonly string[]][] = custom ? [['custom', custom]] : (Object.entries(DEFAULT_BANNED_WORDS) as [WordCategory, string[]][]);
  // ASCII-only lower-casing keeps every index where it was.
  const haystack = message.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const hits: { word: string; category: WordCategory; at: number }[] = [];
  for (const [category, words] of lists) {
    for (const word of words) {
      const needle = word.replace(/[A-Z]/g, (c) => c.toLowerCase());
      if (!needle) continue;
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) hits.push({ word, category, at });
    }
  }
  hits.sort((a, b) => a.at - b.at || b.word.length - a.word.length);
  let end = -1;
  const kept = hits.filter((h) => {
    if (h.at < end) return false;
    end = h.at + h.word.length;
    return true;
  });
  return kept.map((h) =>
    h.category === 'exaggeration'
      ? finding('EXAGGERATED_CLAIM', 'warning', `"${h.word}" is an absolute claim the advertising law forbids`, `“${h.word}”属于广告法禁止的绝对化用语`, h.at)
      : finding(
          'SENSITIVE_WORD',
          'error',
          `"${h.word}" (${h.category}) trips carriers' sensitive-word filters`,
          `“${h.word}”（${h.category}）会触发运营商敏感词拦截`,
          h.at,
        ),
  );
}

function linkFindings(links: number): Finding[] {
  if (!links) return [];
  return [finding('LINKS', links > 1 ? 'warning' : 'info', `${links} link(s) in the message`, `短信含 ${links} 个链接`)];
}

/** Variables neither an export field nor (with an audience) carried by its members. */
function variableFindings(message: string, audienceValues: ReadonlyMap<string, string> | undefined): Finding[] {
  const out: Finding[] = [];
  for (const m of message.matchAll(VARIABLE)) {
    const name = m[1]!;
    if (audienceValues ? audienceValues.has(name) : EXPORT_FIELDS.includes(name) && name !== 'attributes') continue;
    out.push(
      audienceValues
        ? finding('VARIABLE_NOT_PROVIDED', 'error', `{${name}} is not in the audience's export`, `受众导出中没有变量 {${name}}`, m.index)
        : finding(
            'VARIABLE_NOT_PROVIDED',
            'warning',
            `{${name}} is not an export field; only a contact attribute of that name can fill it`,
            `{${name}} 不是导出字段，只能由同名的联系人属性填充`,
            m.index,
          ),
    );
  }
  return out;
}

function partsFinding(parts: BilledParts, withValues: boolean): Finding {
  const basis = withValues ? "with each variable's longest value in the audience" : 'with variables as written (give an audience to count their values)';
  const basisZh = withValues ? '按受众中各变量的最长取值计算' : '变量按原样计算（指定受众可按实际取值计算）';
  return finding(
    'BILLED_PARTS',
    parts.parts > 1 ? 'warning' : 'info',
    `${parts.parts} part(s): ${parts.units} ${parts.encoding} units, ${parts.per_part_limit} per part, ${basis}`,
    `计费 ${parts.parts} 条：${parts.encoding} 共 ${parts.units} 个单位，每条 ${parts.per_part_limit}，${basisZh}`,
  );
}

/** Every check on one text; findings in the order signature, unsubscribe, words, links, variables, parts. */
export function checkCopy(input: CopyInput): CopyReport {
  const message = composeMessage(input.text, input.signature);
  const values = input.audienceValues;
  const filled = values ? message.replace(VARIABLE, (whole, name: string) => values.get(name) ?? whole) : message;
  const parts = billedParts(filled);
  const links = [...message.matchAll(LINK)].length;
  return {
    message,
    findings: [
      ...signatureFindings(message),
      ...unsubscribeFindings(message, input.kind, input.unsubscribeForms ?? DEFAULT_UNSUBSCRIBE_FORMS),
      ...wordFindings(message, input.bannedWords),
      ...linkFindings(links),
      ...variableFindings(message, values),
      partsFinding(parts, values !== undefined),
    ],
    parts,
    links,
    variables: [...new Set([...message.matchAll(VARIABLE)].map((m) => m[1]!))],
  };
}
