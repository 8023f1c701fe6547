-- Contacts matching a rule (the slot below is the compiled rule: catalogue SQL with bound parameters).
SELECT count() AS n
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND ({{rule}})
