/** The contact profile shape, defined once for request validation, OpenAPI and the TypeScript type. */
import Type, { type Static } from 'typebox';
import { MAX_EPOCH_MS } from './event-schema.ts';

export const GENDERS = ['male', 'female', 'unknown'] as const;
export const CONSENT_STATES = ['opted_in', 'opted_out', 'unknown'] as const;

const attrValue = Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]);
const timestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS })]);

export const ContactSchema = Type.Object(
  {
    user_id: Type.String({ minLength: 1, maxLength: 128 }),
    phone: Type.Optional(Type.String({ maxLength: 32 })),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    gender: Type.Optional(Type.Enum([...GENDERS])),
    birthday: Type.Optional(Type.String({ format: 'date', pattern: '^(19|20)[0-9]{2}-', description: 'YYYY-MM-DD, years 1900-2099' })),
    city: Type.Optional(Type.String({ maxLength: 64 })),
    region: Type.Optional(Type.String({ maxLength: 64 })),
    signup_at: Type.Optional(timestamp),
    vip_level: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
    consent: Type.Optional(Type.Enum([...CONSENT_STATES])),
    consent_at: Type.Optional(timestamp),
    attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), attrValue, { maxProperties: 64 })),
  },
  { additionalProperties: false, $id: 'Contact' },
);

/** A contact as posted: every field but user_id is optional and, when absent, keeps its stored value. */
export type ContactInput = Static<typeof ContactSchema>;

/** One row of the contacts table. */
export interface ContactRow {
  workspace_id: string;
  user_id: string;
  phone: string;
  name: string;
  gender: string;
  birthday: string | null;
  city: string;
  region: string;
  signup_at: string | null;
  vip_level: number;
  consent: string;
  consent_at: string | null;
  attributes: Record<string, string>;
  updated_at: string;
}
