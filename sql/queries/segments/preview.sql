-- How many contacts match a rule and the first {sample} of them by user_id, in one pass: the rule (the slot
-- below: catalogue SQL with bound parameters) is evaluated once, and the sample is a bounded sorted array of
-- ids only (gathering whole rows for every match costs more than the rule: their details are read next, by id).
SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})(user_id) AS ids
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND ({{rule}})
