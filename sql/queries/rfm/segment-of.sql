-- RFM segment of a scored row (columns r and fm = intDiv(f + m + 1, 2)); the first matching cell wins.
multiIf(
    r IN (1) AND intDiv(f + m + 1, 2) IN (1), 'lost',
    r IN (1, 2) AND intDiv(f + m + 1, 2) IN (1, 2), 'hibernating',
    r IN (1, 2) AND intDiv(f + m + 1, 2) IN (3, 4), 'at_risk',
    r IN (1, 2) AND intDiv(f + m + 1, 2) IN (5), 'cannot_lose',
    r IN (3) AND intDiv(f + m + 1, 2) IN (1, 2), 'about_to_sleep',
    r IN (3) AND intDiv(f + m + 1, 2) IN (3), 'need_attention',
    r IN (3, 4) AND intDiv(f + m + 1, 2) IN (4, 5), 'loyal',
    r IN (4) AND intDiv(f + m + 1, 2) IN (1), 'promising',
    r IN (5) AND intDiv(f + m + 1, 2) IN (1), 'new',
    r IN (4, 5) AND intDiv(f + m + 1, 2) IN (2, 3), 'potential_loyalists',
    r IN (5) AND intDiv(f + m + 1, 2) IN (4, 5), 'champions',
    'unclassified'
) AS segment
