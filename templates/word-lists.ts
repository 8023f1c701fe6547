/**
 * The default lists the copy checks use; a request may replace them. Kept short on purpose: they are the
 * categories the articles name (carriers drop finance, medical, gambling and political content; the
 * advertising law forbids superlatives), not a carrier's full list, which changes weekly.
 */

export type WordCategory = 'finance' | 'medical' | 'gambling' | 'political' | 'exaggeration' | 'custom';

/** Words carriers' filters drop a message for (error), and claims the advertising law forbids (warning). */
export const DEFAULT_BANNED_WORDS: Readonly<Record<Exclude<WordCategory, 'custom'>, readonly string[]>> = {
  finance: ['贷款', '免息贷款', '套现', '无抵押', '稳赚', '保本'],
  medical: ['根治', '治愈', '药到病除', '特效药'],
  gambling: ['博彩', '赌博', '百分百中奖', '中奖', '彩票'],
  political: ['游行', '示威', '集会'],
  exaggeration: ['最', '第一', '100%', '百分百', '国家级', '绝对', '免费'],
};

/** Unsubscribe hints a promotion must carry one of (compared without spaces, case-insensitively). */
export const DEFAULT_UNSUBSCRIBE_FORMS: readonly string[] = [
  '回T退订',
  '回TD退订',
  '回复T退订',
  '回复TD退订',
  '退订回T',
  '退订回TD',
  '拒收请回复R',
  'reply TD',
];
