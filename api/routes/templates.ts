/** Message templates (versioned) and the checks on their copy: signature, unsubscribe hint, risky words, billed parts. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errors } from '../../common/errors.ts';
import { copySettings, saveCopySettings } from '../../templates/copy-settings.ts';
import { checkTemplateText, getTemplate, listTemplates, saveTemplate } from '../../templates/templates.ts';
import { DEFAULT_BANNED_WORDS, DEFAULT_UNSUBSCRIBE_FORMS } from '../../templates/word-lists.ts';
import { pagedListSchema, readPage } from '../cursor.ts';
import { CopyFinding, Nullable, Versioned } from '../response-schemas.ts';
import type { Services } from '../services.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Kind = Type.Enum(['promotion', 'service']);
const Text = Type.String({ minLength: 1, maxLength: 1000, description: 'The copy, with {variables} named like export fields or contact attributes' });
const Signature = Type.String({
  minLength: 1,
  maxLength: 32,
  description: 'The sender signature, with or without 【】; put in front of the text unless it carries it',
});
const TemplateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    text: Text,
    signature: Type.Optional(Signature),
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    kind: Kind,
  },
  { additionalProperties: false },
);

const CopyReport = Type.Object({
  message: Type.String({ description: 'The text as sent (signature included), variables unfilled' }),
  findings: Type.Array(CopyFinding),
  parts: Type.Object({
    encoding: Type.Enum(['GSM-7', 'UCS-2']),
    units: Type.Integer({ description: 'Septets (GSM-7) or UTF-16 code units (UCS-2)' }),
    parts: Type.Integer(),
    per_part_limit: Type.Integer(),
  }),
  links: Type.Integer(),
  variables: Type.Array(Type.String()),
});
const TemplateSpec = Type.Object({ text: Type.String(), signature: Nullable(Type.String()), channel: Nullable(Type.String()), kind: Kind });
const Template = Type.Object({ ...Versioned(TemplateSpec).properties, check: CopyReport });

const wordList = (description: string) => Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500, description });
const words = (description: string) => Type.Optional(wordList(description));
const Lists = Type.Object(
  {
    banned_words: Nullable(wordList("The workspace's sensitive words (each an error), replacing the defaults; null: the defaults")),
    unsubscribe_forms: Nullable(wordList("The workspace's accepted unsubscribe hints; null: the defaults")),
  },
  { additionalProperties: false },
);
const SettingsAnswer = Type.Object({
  ...Lists.properties,
  defaults: Type.Object({ banned_words: Type.Record(Type.String(), Type.Array(Type.String())), unsubscribe_forms: Type.Array(Type.String()) }),
});
const DEFAULTS = {
  banned_words: Object.fromEntries(Object.entries(DEFAULT_BANNED_WORDS).map(([category, list]) => [category, [...list]])),
  unsubscribe_forms: [...DEFAULT_UNSUBSCRIBE_FORMS],
};

export const templateRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const writers = { roles: ['marketer', 'admin'] as const };
  const readers = { roles: ['marketer', 'admin', 'analyst'] as const };

  app.post(
    '/templates',
    {
      config: writers,
      schema: { summary: 'Create a message template; the answer carries the checks on its copy', body: TemplateBody, response: { 201: Template } },
    },
    async (request, reply) => {
      const saved = await saveTemplate(warehouse, request.principal.workspaceId, request.body, request.principal.keyId);
      return reply.status(201).send(saved);
    },
  );

  app.put(
    '/templates/:id',
    {
      config: writers,
      schema: {
        summary: 'Change a template (a new version); with If-Match: "<version>" only if that is still the newest (else 409)',
        params: IdParams,
        headers: Type.Object({
          'if-match': Type.Optional(Type.String({ pattern: '^(W/)?"?[0-9]{1,9}"?$', description: 'The version this edit is based on' })),
        }),
        body: TemplateBody,
        response: { 200: Template },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await getTemplate(warehouse, request.principal.workspaceId, id))) throw errors.notFound(`template ${id}`);
      const ifMatch = request.headers['if-match'];
      const expectedVersion = typeof ifMatch === 'string' ? Number(ifMatch.replace(/\D/g, '')) : undefined;
      return saveTemplate(warehouse, request.principal.workspaceId, { ...request.body, id, expectedVersion }, request.principal.keyId);
    },
  );

  app.get(
    '/templates',
    { config: readers, schema: pagedListSchema('Templates with their checks, a page at a time', 'templates', Template, config.server.maxPageSize) },
    (request) =>
      readPage(
        'templates',
        request.query,
        (limit, after) => listTemplates(warehouse, request.principal.workspaceId, limit, after),
        (t) => t.id,
      ),
  );

  app.get(
    '/templates/:id',
    { config: readers, schema: { summary: 'One template (newest version) with its checks', params: IdParams, response: { 200: Template } } },
    async (request) => {
      const { id } = request.params;
      const template = await getTemplate(warehouse, request.principal.workspaceId, id);
      if (!template) throw errors.notFound(`template ${id}`);
      return template;
    },
  );

  app.get(
    '/templates/settings',
    { config: readers, schema: { summary: "The workspace's lists for the copy checks, and the defaults they replace", response: { 200: SettingsAnswer } } },
    async (request) => ({ ...(await copySettings(warehouse, request.principal.workspaceId)), defaults: DEFAULTS }),
  );

  app.put(
    '/templates/settings',
    {
      config: writers,
      schema: { summary: "Set the workspace's sensitive words and unsubscribe hints (null: the defaults)", body: Lists, response: { 200: SettingsAnswer } },
    },
    async (request) => ({ ...(await saveCopySettings(warehouse, request.principal.workspaceId, request.body, request.principal.keyId)), defaults: DEFAULTS }),
  );

  app.post(
    '/templates/check',
    {
      config: readers,
      schema: {
        summary: "Check a text without saving it: signature, unsubscribe hint, risky words, links, variables, billed parts (at an audience's longest values)",
        body: Type.Object(
          {
            text: Text,
            kind: Kind,
            signature: Type.Optional(Signature),
            audience_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            banned_words: words('Replaces the default list of sensitive words'),
            unsubscribe_forms: words('Replaces the accepted unsubscribe hints'),
          },
          { additionalProperties: false },
        ),
        response: { 200: CopyReport },
      },
    },
    async (request) => {
      const { audience_id, banned_words, unsubscribe_forms, ...rest } = request.body;
      return checkTemplateText(warehouse, request.principal.workspaceId, {
        ...rest,
        audienceId: audience_id,
        bannedWords: banned_words,
        unsubscribeForms: unsubscribe_forms,
      });
    },
  );
};
