/**
 * What an alert on a template's delivery tells the analyst: the template's registry name and version, the
 * most frequent error codes of its failed receipts in the bucket, and the copy checks on its newest text
 * ("contains 第一 and no 回T退订"). Handed to the alert evaluation by the adapters (analytics may not import
 * this domain); the shape is analytics' TemplateDiagnosis.
 */
import type { Warehouse } from '../warehouse/warehouse.ts';
import { templateDelivery } from './delivery.ts';

export async function diagnoseTemplate(wh: Warehouse, workspaceId: string, templateId: string, window: { fromMs: number; toMs: number }) {
  const delivery = await templateDelivery(wh, workspaceId, templateId, window);
  return {
    name: delivery.name,
    version: delivery.version,
    in_registry: delivery.in_registry,
    top_error_codes: delivery.error_codes,
    findings: delivery.findings,
  };
}
