-- What an import does: contacts it creates, contacts it updates, lines that repeat an earlier key.
SELECT
    countIf(NOT existed) AS imported,
    countIf(existed) AS updated,
    (SELECT count() FROM contact_import_rows WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}) - count() AS duplicates
FROM contact_import_pending
WHERE workspace_id = {workspace:String} AND import_id = {import_id:String}
