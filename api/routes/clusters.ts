/** k-means clusters of contacts by behaviour. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { CLUSTER_FEATURES, fitClusters, getClusterModel } from '../../segmentation/clusters.ts';
import type { Services } from '../services.ts';
import { now } from '../../common/clock.ts';
import { errors } from '../../common/errors.ts';
import { Figure, MeasuresByName } from '../response-schemas.ts';

const Feature = Type.Enum([...CLUSTER_FEATURES]);
/** What a fit answers; the stored model adds how it was made. */
const FitResult = {
  model_id: Type.String(),
  k: Type.Integer(),
  centroids: Type.Array(Type.Array(Figure), { description: 'In standardized units, in `features` order' }),
  sizes: Type.Array(Type.Integer()),
  silhouette: Figure,
  silhouette_by_k: MeasuresByName,
  profiles: Type.Array(Type.Object({ cluster: Type.Integer(), size: Type.Integer(), means: MeasuresByName, description: Type.String() })),
};
const ClusterModel = Type.Object({
  ...FitResult,
  features: Type.Array(Feature),
  seed: Type.Integer(),
  window_days: Type.Integer(),
  computed_at: Type.String(),
  means: Type.Array(Figure),
  sds: Type.Array(Figure),
});

export const clusterRoutes: FastifyPluginAsyncTypebox<Services> = async (app, { config, warehouse }) => {
  const timeLimitSeconds = config.server.clusterTimeLimitSeconds;
  app.post(
    '/clusters',
    {
      config: { roles: ['marketer', 'admin', 'analyst'] },
      schema: {
        summary: 'Fit k-means on a sample (k, or the best k of a range by silhouette) and assign every contact',
        body: Type.Object(
          {
            features: Type.Array(Feature, { minItems: 1, uniqueItems: true }),
            k: Type.Optional(Type.Integer({ minimum: 2, maximum: 20 })),
            k_range: Type.Optional(Type.Tuple([Type.Integer({ minimum: 2, maximum: 20 }), Type.Integer({ minimum: 2, maximum: 20 })])),
            seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
            window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
            sample: Type.Optional(Type.Integer({ minimum: 100, maximum: 50_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object(FitResult) },
      },
    },
    async (request) => {
      const opts = { nowMs: now(), changedBy: request.principal.keyId, timeLimitMs: timeLimitSeconds * 1000 };
      const model = await fitClusters(warehouse, request.principal.workspaceId, request.body, opts);
      const { centroids, k, silhouette, sizes, profiles, silhouette_by_k } = model.spec;
      return { model_id: model.id, k, centroids, sizes, silhouette, silhouette_by_k, profiles };
    },
  );

  app.get(
    '/clusters/:id',
    {
      config: { roles: ['marketer', 'admin', 'analyst'] },
      schema: { summary: 'A cluster model', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: ClusterModel } },
    },
    async (request) => {
      const { id } = request.params;
      const model = await getClusterModel(warehouse, request.principal.workspaceId, id);
      if (!model) throw errors.notFound(`cluster model ${id}`);
      return { model_id: model.id, ...model.spec };
    },
  );
};
