-- How many contacts match a rule and the first {sample} of them by user_id, in one pass: the rule (the slot
-- below: catalogue SQL with bound parameters) is evaluated once, and the sample is a bounded sorted array.
SELECT
    count() AS n,
    groupArraySorted({sample:UInt32})((user_id, phone, name, city, region, vip_level)) AS sample
FROM contacts FINAL
WHERE workspace_id = {workspace:String} AND ({{rule}})
