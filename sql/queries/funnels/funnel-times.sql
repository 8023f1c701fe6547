-- Times to convert over a deterministic sample of the units that reached step 2: a unit is in a set's sample when
-- cityHash64(unit) % {sample_modulus} is below that set's cut (the cut is the modulus, i.e.
-- everyone, when few units converted). `times` holds the event times of the chain the unit is counted by (see
-- analytics/funnel-fold.ts). Per step: the average and the median (interpolated: the mean of the two middle values
-- of an even count) of the seconds from the previous step; and a histogram of the seconds from step 1 to the last
-- step over the units that completed the funnel: ceil(cbrt(n)) bins (1 to 60) of equal width in whole seconds from
-- the smallest time, the last bin closed.
SELECT
    overall,
    grp,
    averages,
    medians,
    if(empty(totals), [], arrayMap(b -> (lo + b * width, lo + (b + 1) * width, arrayCount(t -> t >= lo + b * width AND (t < lo + (b + 1) * width OR b + 1 = bins), totals)), range(bins))) AS histogram
FROM
(
    SELECT
        overall,
        grp,
        [{{averages}}] AS averages,
        [{{medians}}] AS medians,
        groupArrayIf((times[{steps:UInt8}] - times[1]) / 1000, level >= {steps:UInt8}) AS totals,
        if(empty(totals), 0, arrayMin(totals)) AS lo,
        toUInt64(least(60, greatest(1, ceil(cbrt(length(totals)))))) AS bins,
        greatest(1, ceil((if(empty(totals), 0, arrayMax(totals)) - lo) / bins)) AS width
    FROM
    (
        SELECT
            s.1 AS overall,
            s.2 AS grp,
            level,
            times
        FROM ({{units}})
        ARRAY JOIN sets AS s
        WHERE cityHash64(unit) % {sample_modulus:UInt64} < {{set_cut}}
    )
    GROUP BY overall, grp
)
