-- The longest value of each export field, and of each asked attribute key, over one audience snapshot's
-- sent-to members: a template's billed parts are counted at their worst. {{longest_fields}} is generated from
-- the export catalogue (templates/audience-values.ts); attribute keys are bound, with how many members carry each.
SELECT
    {{longest_fields}},
    argMaxForEach(
        arrayMap(k -> attributes[k], {keys:Array(String)}),
        arrayMap(k -> if(mapContains(attributes, k), toInt64(lengthUTF8(attributes[k])), -1), {keys:Array(String)})
    ) AS attribute_values,
    sumForEach(arrayMap(k -> toUInt64(mapContains(attributes, k)), {keys:Array(String)})) AS attribute_counts
FROM audience_members
WHERE workspace_id = {workspace:String} AND audience_id = {audience:String} AND version = {version:UInt32} AND excluded = ''
