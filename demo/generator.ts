/**
 * Realistic demo data, seeded: contacts with attributes and tags, campaigns over weeks with
 * send → delivery (failures differing by carrier) → click → conversion with revenue, unsubscribes
 * (including TD replies) and complaints, an hour-of-week pattern, one planted incident (China Telecom's
 * delivery rate collapsing for six hours) and one A/B test with a real uplift (question-style title,
 * +18 % clicks as the seed articles report). Events come out in batches, so size is not bounded by memory.
 */
import type { ContactInput } from '../ingest/contact-schema.ts';
import type { EventInput } from '../ingest/event-schema.ts';
import type { TagAssignment } from '../ingest/tags.ts';
import { compileAllocation } from '../experiments/allocation.ts';
import { seededRandom, type Random } from './random.ts';

export interface DemoOptions {
  contacts: number;
  weeks: number;
  campaignsPerWeek: number;
  seed: number;
  /** Campaigns end before this instant (ms). */
  endMs: number;
  /** Events per yielded batch. */
  batchSize: number;
}

export const DEFAULT_DEMO: Omit<DemoOptions, 'endMs'> = { contacts: 2000, weeks: 4, campaignsPerWeek: 3, seed: 42, batchSize: 5000 };

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const CITIES = [
  ['北京', '北京'],
  ['上海', '上海'],
  ['广州', '广东'],
  ['深圳', '广东'],
  ['杭州', '浙江'],
  ['成都', '四川'],
  ['武汉', '湖北'],
  ['南京', '江苏'],
  ['西安', '陕西'],
  ['重庆', '重庆'],
] as const;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '霞'];
const INTERESTS = ['electronics', 'beauty', 'books', 'sports', 'food', 'travel'] as const;
const OCCUPATIONS = ['engineer', 'teacher', 'student', 'sales', 'doctor', 'designer', 'retired'];

export const CARRIERS = [
  { name: 'China Mobile', weight: 55, prefixes: ['134', '135', '136', '137', '138', '139', '150', '151', '158', '182', '187', '188'], failRate: 0.02 },
  { name: 'China Unicom', weight: 25, prefixes: ['130', '131', '132', '155', '156', '185', '186'], failRate: 0.04 },
  { name: 'China Telecom', weight: 20, prefixes: ['133', '153', '177', '180', '181', '189'], failRate: 0.06 },
] as const;

/** The planted incident: China Telecom deliveries fail at this rate for six hours. */
export const INCIDENT = { carrier: 'China Telecom', failRate: 0.6, hours: 6 } as const;
/** The planted A/B test: question-style titles lift clicks by 18 %, allocated by the platform's own hash. */
export const DEMO_EXPERIMENT = {
  id: 'exp_title_question',
  name: 'Question-style title vs plain title',
  variants: [
    { key: 'control', weight: 1 },
    { key: 'question', weight: 1 },
  ],
  clickLift: 1.18,
} as const;

/** Beijing hours at which campaigns go out, with how much they lift clicks (evening and lunch peaks). */
const SEND_HOURS: readonly (readonly [number, number])[] = [
  [10, 0.9],
  [12, 1.25],
  [15, 0.85],
  [20, 1.45],
  [21, 1.3],
];

export interface DemoContact extends ContactInput {
  carrier: string;
  interests: string[];
}

/** Milliseconds of a Beijing wall-clock time (Asia/Shanghai is UTC+08:00 all year, no daylight saving). */
function beijing(dayStartUtcMs: number, hour: number): number {
  const date = new Date(dayStartUtcMs).toISOString().slice(0, 10);
  return Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00+08:00`);
}

export function generateContacts(opts: DemoOptions): DemoContact[] {
  const rnd = seededRandom(opts.seed);
  const contacts: DemoContact[] = [];
  const usedPhones = new Set<string>();
  for (let i = 1; i <= opts.contacts; i++) {
    const carrier = rnd.weighted(CARRIERS.map((c) => [c, c.weight] as const));
    let phone: string;
    do phone = `+86${rnd.pick(carrier.prefixes)}${String(rnd.int(0, 99_999_999)).padStart(8, '0')}`;
    while (usedPhones.has(phone));
    usedPhones.add(phone);
    const [city, region] = rnd.pick(CITIES);
    const vip = rnd.weighted([
      [0, 70],
      [1, 15],
      [2, 10],
      [3, 5],
    ] as const);
    // Some users signed up in the last two weeks, so the 3-7-15 new-user rule has someone to apply to.
    const signupDaysAgo = rnd.chance(0.08) ? rnd.int(0, 14) : rnd.int(15, 900);
    const interests = [...new Set([rnd.pick(INTERESTS), ...(rnd.chance(0.5) ? [rnd.pick(INTERESTS)] : [])])];
    contacts.push({
      user_id: `u${String(i).padStart(7, '0')}`,
      phone,
      name: `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}${rnd.chance(0.5) ? rnd.pick(GIVEN) : ''}`,
      gender: rnd.chance(0.5) ? 'female' : 'male',
      birthday: `${rnd.int(1960, 2006)}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
      city,
      region,
      signup_at: opts.endMs - signupDaysAgo * DAY - rnd.int(0, DAY - 1),
      vip_level: vip,
      consent: 'opted_in',
      attributes: { occupation: rnd.pick(OCCUPATIONS), has_child_0_3: rnd.chance(0.12) },
      carrier: carrier.name,
      interests,
    });
  }
  return contacts;
}

export function tagAssignments(contacts: readonly DemoContact[]): TagAssignment[] {
  const tags: TagAssignment[] = [];
  for (const c of contacts) {
    for (const interest of c.interests) tags.push({ user_id: c.user_id, tag: 'interest', value: interest, source: 'interest' });
    if ((c.vip_level ?? 0) >= 2) tags.push({ user_id: c.user_id, tag: 'vip', source: 'attribute' });
    if (c.attributes?.has_child_0_3 === true) tags.push({ user_id: c.user_id, tag: 'parent_0_3', source: 'attribute' });
  }
  return tags;
}

interface Campaign {
  id: string;
  templateId: string;
  channel: string;
  sendMs: number;
  clickFactor: number;
  category: string;
  experiment: boolean;
}

/** Midnight (UTC) of the demo's first day. */
const firstDayOf = (opts: DemoOptions) => Math.floor(opts.endMs / DAY) * DAY - opts.weeks * 7 * DAY;

/** The demo's prices per billed part (CNY), in effect from its first day, so its campaigns have costs and ROI. */
export function demoPrices(opts: DemoOptions) {
  return {
    default_per_part: 0.05,
    rules: [
      { channel: '106', per_part: 0.04 },
      { channel: '106', carrier: 'China Mobile', per_part: 0.035 },
      { channel: 'card', per_part: 0.03 },
    ],
    effective_from: new Date(firstDayOf(opts)).toISOString(),
  };
}

function planCampaigns(opts: DemoOptions, rnd: Random): { campaigns: Campaign[]; incidentStartMs: number } {
  const campaigns: Campaign[] = [];
  const firstDay = firstDayOf(opts);
  for (let week = 0; week < opts.weeks; week++) {
    for (let n = 0; n < opts.campaignsPerWeek; n++) {
      const day = firstDay + (week * 7 + Math.floor(((n + 0.5) * 7) / opts.campaignsPerWeek)) * DAY;
      const [hour, clickFactor] = rnd.pick(SEND_HOURS);
      const sendMs = beijing(day, hour);
      if (sendMs >= opts.endMs - DAY) continue;
      campaigns.push({
        id: `cmp_${new Date(sendMs).toISOString().slice(0, 10).replace(/-/g, '')}_${n + 1}`,
        templateId: `tpl_${rnd.int(1, 6)}`,
        channel: rnd.chance(0.85) ? '106' : 'card',
        sendMs,
        clickFactor,
        category: rnd.pick(INTERESTS),
        experiment: false,
      });
    }
  }
  // The A/B test rides on the second campaign; the incident on the latest evening campaign.
  if (campaigns[1]) campaigns[1].experiment = true;
  const evening = [...campaigns].reverse().find((c) => new Date(c.sendMs).getUTCHours() >= 12) ?? campaigns[campaigns.length - 1];
  return { campaigns, incidentStartMs: evening ? evening.sendMs - HOUR : opts.endMs + DAY };
}

const demoVariant = compileAllocation({ salt: DEMO_EXPERIMENT.id, holdout: 0, variants: DEMO_EXPERIMENT.variants });

/** The events of every campaign, in batches of about opts.batchSize. */
export function* generateEvents(opts: DemoOptions, contacts: readonly DemoContact[]): Generator<EventInput[]> {
  const rnd = seededRandom(opts.seed + 1);
  const { campaigns, incidentStartMs } = planCampaigns(opts, rnd);
  const incidentEndMs = incidentStartMs + INCIDENT.hours * HOUR;
  let batch: EventInput[] = [];
  const emit = (e: EventInput) => {
    if ((e.ts as number) < opts.endMs) batch.push(e);
  };
  for (const campaign of campaigns) {
    const share = campaign.experiment ? 1 : 0.4 + rnd.next() * 0.3;
    for (const c of contacts) {
      if (!rnd.chance(share)) continue;
      const variant = campaign.experiment ? demoVariant(c.user_id) : undefined;
      const messageId = `m_${campaign.id}_${c.user_id}`;
      const common = {
        user_id: c.user_id,
        phone: c.phone,
        campaign_id: campaign.id,
        template_id: campaign.templateId,
        message_id: messageId,
        channel: campaign.channel,
        carrier: c.carrier,
        region: c.region,
        ...(variant ? { experiment_id: DEMO_EXPERIMENT.id, variant } : {}),
      };
      const sendTs = campaign.sendMs + rnd.int(0, 20 * 60_000);
      if (variant) emit({ ...common, event_id: `${messageId}:exposure`, type: 'exposure', ts: sendTs });
      const accepted = rnd.chance(0.97);
      emit({ ...common, event_id: `${messageId}:send`, type: 'send', ts: sendTs, status: accepted ? 'accepted' : 'rejected' });
      if (accepted) {
        const deliveryTs = sendTs + rnd.int(5_000, 300_000);
        const carrier = CARRIERS.find((k) => k.name === c.carrier)!;
        const inIncident = c.carrier === INCIDENT.carrier && sendTs >= incidentStartMs && sendTs < incidentEndMs;
        const failed = rnd.chance(inIncident ? INCIDENT.failRate : carrier.failRate);
        emit({
          ...common,
          event_id: `${messageId}:delivery`,
          type: 'delivery',
          ts: deliveryTs,
          status: failed ? 'failed' : 'delivered',
          ...(failed ? { error_code: rnd.pick(['MK:0001', 'MK:0005', 'DB:0141', 'UNDELIV']) } : {}),
        });
        if (!failed) {
          const interested = c.interests.includes(campaign.category) ? 1.6 : 1;
          const lift = variant === 'question' ? DEMO_EXPERIMENT.clickLift : 1;
          if (rnd.chance(Math.min(0.9, 0.1 * campaign.clickFactor * interested * lift))) {
            const clickTs = deliveryTs + rnd.int(30_000, 3 * HOUR);
            emit({ ...common, event_id: `${messageId}:click`, type: 'click', ts: clickTs });
            // Good copy converts 3-5 % of delivered messages (the articles' figure): 30 % of clickers.
            if (rnd.chance(0.3)) {
              const revenue = Math.round(rnd.logNormal(120, 0.8) * 100) / 100;
              emit({
                ...common,
                event_id: `${messageId}:conversion`,
                type: 'conversion',
                ts: clickTs + rnd.int(60_000, 12 * HOUR),
                revenue,
                properties: { category: campaign.category, order_id: `o_${messageId}` },
              });
            }
          }
          if (rnd.chance(0.003)) {
            // Half of the opt-outs come as a TD reply, the way SMS users unsubscribe.
            const type = rnd.chance(0.5) ? 'reply' : 'unsubscribe';
            emit({
              ...common,
              event_id: `${messageId}:${type}`,
              type,
              ts: deliveryTs + rnd.int(60_000, DAY),
              ...(type === 'reply' ? { properties: { text: 'TD' } } : {}),
            });
          }
          if (rnd.chance(0.0005)) emit({ ...common, event_id: `${messageId}:complaint`, type: 'complaint', ts: deliveryTs + rnd.int(60_000, 2 * DAY) });
        }
      }
      if (batch.length >= opts.batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}
